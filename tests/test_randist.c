/* test_randist.c - 64-bit binomial, hypergeometric and multinomial draws.
 * Tolerances: 4 standard errors of the Monte Carlo mean (SE = exact sd / sqrt(R)); variances are
 * checked within 5 standard errors of a sample variance, SE ~ var sqrt(2 / (R - 1)); a tail
 * frequency within 4 binomial standard errors sqrt(P (1 - P) / R) of its probability P.
 * Goodness of fit: Pearson's chi-square over the values k with expected count >= 5 (the two tails
 * pooled into one cell each), rejected when its p-value is below 1e-4; with the 12 cases below
 * a correct sampler fails one with probability below 1.2e-3 (the seeds are fixed, so a run that
 * passes keeps passing). Every check here was seen to fail with a deliberately wrong sampler:
 * binomial squeeze bounds shifted by 0.1, the hat's us^2 factor dropped, p scaled by 1 + 1e-6,
 * the km <= 15 ratio off by 5 %, the inversion's recurrence off; for the hypergeometric, its
 * acceptance test off by 0.2, its hat too narrow, its centre moved by 3 sd. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_gamma.h>
#include "testutil.h"
#include "collapse/randist.h"
#include "randist_internal.h"

/* Chi-square p-value of R draws of Bin(n, p) against the exact pmf (GSL's, for n < 2^32). */
static double binomial_gof(unsigned n, double p, long R, uint64_t seed)
{
    gsl_rng *r = mc_rng_alloc(seed);
    long *count = calloc((size_t)n + 1, sizeof *count);
    for (long i = 0; i < R; i++) {
        uint64_t x = mc_ran_binomial(r, p, n);
        assert_true(x <= n);
        count[x]++;
    }
    /* cells: [0, lo], lo+1 .. hi-1 one each, [hi, n]; lo and hi the outermost values whose
     * own expected count is >= 5 */
    unsigned lo = 0, hi = n;
    while (lo < n && R * gsl_ran_binomial_pdf(lo, p, n) < 5)
        lo++;
    while (hi > lo && R * gsl_ran_binomial_pdf(hi, p, n) < 5)
        hi--;
    double chi2 = 0, mass = 0, obs = 0;
    int cells = 0;
    for (unsigned k = 0; k <= n; k++) {
        mass += gsl_ran_binomial_pdf(k, p, n);
        obs += (double)count[k];
        if (k >= lo && (k < hi || k == n)) {
            double e = R * mass;
            chi2 += (obs - e) * (obs - e) / e;
            cells++;
            mass = obs = 0;
        }
    }
    free(count);
    gsl_rng_free(r);
    return cells > 1 ? gsl_cdf_chisq_Q(chi2, cells - 1) : 1;
}

/* Small n against the exact pmf: the inversion branch (n p < 10), BTRD from its boundary
 * n p = 10 up, the squeeze and exact-pmf steps (sd > 15), p near 0 and 1 (n - Bin(n, 1-p)). */
static void test_binomial_exact_small_n(void **state)
{
    (void)state;
    static const struct {
        unsigned n;
        double p;
    } cases[] = {
        {1, 0.5},       {20, 0.3},   {21, 0.47},     {20, 0.5},    {1000, 0.01},  {1000, 0.0099},
        {40, 0.26},     {1000, 0.3}, {50, 0.97},     {200, 0.999}, {100000, 0.001}, {3000, 0.5},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double pv = binomial_gof(cases[c].n, cases[c].p, 200000, 11 + c);
        if (pv < 1e-4)
            fail_msg("Bin(%u, %g): chi-square p-value %g < 1e-4", cases[c].n, cases[c].p, pv);
    }
}

/* Mean, variance and two tails of R standardised draws z = (X - mean)/sd against the normal
 * law (the caller's skewness is small enough for the normal tails to hold to ~1e-5). */
static void check_standard_moments(const double *z, long R)
{
    double s = 0, ss = 0;
    long up = 0, down = 0;
    for (long i = 0; i < R; i++) {
        s += z[i];
        ss += z[i] * z[i];
        up += z[i] > 3;
        down += z[i] < -2;
    }
    double m = s / R, v = (ss - R * m * m) / (R - 1);
    tu_assert_close(m, 0, 1 / sqrt((double)R), 4);
    tu_assert_close(v, 1, sqrt(2.0 / (R - 1)), 5);
    double pu = gsl_cdf_ugaussian_Q(3), pd = gsl_cdf_ugaussian_P(-2);
    tu_assert_close((double)up / R, pu, sqrt(pu * (1 - pu) / R), 4);
    tu_assert_close((double)down / R, pd, sqrt(pd * (1 - pd) / R), 4);
}

/* R draws at 64-bit n: (X - np)/sd formed in long double so that X near 1e19 keeps its last
 * digits. The binomial's skewness (1 - 2p)/sd is below 1e-6 here, so the normal tail is right to
 * ~1e-7. */
static void check_binomial_moments(uint64_t n, double p, long R, uint64_t seed)
{
    gsl_rng *r = mc_rng_alloc(seed);
    long double np = (long double)n * p, sd = sqrtl(np * (1 - (long double)p));
    double *z = malloc(sizeof(double) * (size_t)R);
    for (long i = 0; i < R; i++) {
        uint64_t x = mc_ran_binomial(r, p, n);
        assert_true(x <= n);
        z[i] = (double)(((long double)x - np) / sd);
    }
    check_standard_moments(z, R);
    free(z);
    gsl_rng_free(r);
}

static void test_binomial_moments_large_n(void **state)
{
    (void)state;
    check_binomial_moments(4000000000ULL, 0.5 - 1e-9, 200000, 1);
    check_binomial_moments(1000000000000ULL, 0.3, 200000, 2);
    check_binomial_moments(1000000000000000ULL, 1e-9, 200000, 3); /* n p = 1e6 */
    check_binomial_moments(1000000000000000000ULL, 0.3, 200000, 4);
    check_binomial_moments(1000000000000000000ULL, 0.97, 200000, 5); /* n - Bin(n, 0.03) */
    check_binomial_moments(18000000000000000000ULL, 0.5, 200000, 6);  /* the key's bound */
    check_binomial_moments(UINT64_MAX, 1e-12, 200000, 7);
}

/* Time must not grow with n: 10^5 draws at n = 2^64 - 1 (the old sum of 2^32-sized binomials
 * took ~17 minutes per draw there) in well under 5 s of CPU even on a loaded machine. */
static void test_binomial_time_flat_in_n(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc(3);
    clock_t t0 = clock();
    uint64_t s = 0;
    for (int i = 0; i < 100000; i++)
        s += mc_ran_binomial(r, 0.37, UINT64_MAX) & 1;
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (secs > 5)
        fail_msg("10^5 draws at n = 2^64 - 1 took %.1f s", secs);
    assert_true(s > 0);
    gsl_rng_free(r);
}

/* Edge cases are exact, and p > 1/2 is n - Bin(n, 1 - p) draw for draw (same stream). */
static void test_binomial_edges_and_symmetry(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc(4), *r2 = mc_rng_alloc(4);
    const uint64_t ns[] = {0, 1, 7, 30, 1000000, 5000000000ULL, 1000000000000000000ULL, UINT64_MAX};
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        assert_true(mc_ran_binomial(r, 0, ns[i]) == 0);
        assert_true(mc_ran_binomial(r, 1, ns[i]) == ns[i]);
        assert_true(mc_ran_binomial(r, 0.3, 0) == 0);
        const double ps[] = {0.75, 0.9999, 1 - 1e-17, 0.5000001};
        for (size_t j = 0; j < sizeof ps / sizeof ps[0]; j++) {
            uint64_t x = mc_ran_binomial(r, ps[j], ns[i]);
            uint64_t y = mc_ran_binomial(r2, 1 - ps[j], ns[i]);
            assert_true(x == ns[i] - y);
        }
    }
    gsl_rng_free(r);
    gsl_rng_free(r2);
}

static void test_binomial_beyond_32_bits(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc(1);
    const uint64_t n = 30000000000ULL; /* > 2^32 */
    const double p = 0.3;
    const int R = 2000;
    double s = 0;
    for (int i = 0; i < R; i++)
        s += (double)mc_ran_binomial(r, p, n);
    double sd = sqrt((double)n * p * (1 - p));
    tu_assert_close(s / R, (double)n * p, sd / sqrt(R), 4);
    assert_true(mc_ran_binomial(r, 0, n) == 0 && mc_ran_binomial(r, 1, n) == n);
    gsl_rng_free(r);
}

static void check_hyper_moments(uint64_t n1, uint64_t n2, uint64_t t, int R)
{
    gsl_rng *r = mc_rng_alloc(n1 ^ (n2 << 7) ^ t);
    double N = (double)n1 + (double)n2, s = 0, ss = 0;
    double var = (double)t * ((double)n1 / N) * ((double)n2 / N) * (N - (double)t) / (N - 1);
    /* deviations from the exact mean, formed in long double: at N ~ 1e19 the sums of x and x^2
     * in double would cancel every digit of a variance ~1e18 */
    long double mean_ld = (long double)t * (long double)n1 / ((long double)n1 + (long double)n2);
    for (int i = 0; i < R; i++) {
        uint64_t x = mc_ran_hypergeometric(r, n1, n2, t);
        assert_true(x <= n1 && x <= t && t - x <= n2);
        double dx = (double)((long double)x - mean_ld);
        s += dx;
        ss += dx * dx;
    }
    double m = s / R, v = (ss - R * m * m) / (R - 1); /* m: the mean's deviation from its value */
    tu_assert_close(m, 0, sqrt(var / R), 4);
    tu_assert_close(v, var, var * sqrt(2.0 / (R - 1)), 5);
    gsl_rng_free(r);
}

static void test_hypergeometric_moments(void **state)
{
    (void)state;
    check_hyper_moments(1000000000ULL, 3000000000ULL, 100000000ULL, 4000);
    check_hyper_moments(5000000000ULL, 7000000000ULL, 9000000000ULL, 4000); /* t > N/2, > 2^32 */
    check_hyper_moments(3, 1000000, 500000, 4000);                           /* rare good items */
    check_hyper_moments(40, 60, 30, 4000);                                   /* GSL's path */
    /* 64-bit N: ratio of uniforms (sd ~ 1e9), and the walk from the mode with P(m) from
     * Loader's pmfs (log-gammas of numbers near 1e19 gave P(m) off by a factor e^20) */
    check_hyper_moments(6000000000000000000ULL, 12000000000000000000ULL, 9000000000000000000ULL,
                        4000);
    check_hyper_moments(3, 18000000000000000000ULL, 9000000000000000000ULL, 4000);
    check_hyper_moments(1000000, 18000000000000000000ULL, 4000000000000000000ULL, 4000);
}

/* Chi-square against C(n1,k) C(n2,t-k) / C(N,t) (GSL's pdf, N < 2^32) on the ratio-of-uniforms
 * path (sd >= 100); the same cells and threshold as binomial_gof. */
static void test_hypergeometric_gof(void **state)
{
    (void)state;
    static const unsigned cases[][3] = {{100000, 100000, 100000}, {50000, 1000000000, 500000000},
                                        {1000000000, 50000, 999000000}};
    const long R = 200000;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        unsigned n1 = cases[c][0], n2 = cases[c][1], t = cases[c][2];
        unsigned hi = n1 < t ? n1 : t, lo = t > n2 ? t - n2 : 0;
        long *count = calloc((size_t)hi + 1, sizeof *count);
        gsl_rng *r = mc_rng_alloc(40 + c);
        for (long i = 0; i < R; i++) {
            uint64_t x = mc_ran_hypergeometric(r, n1, n2, t);
            assert_true(x >= lo && x <= hi);
            count[x]++;
        }
        unsigned a = lo, b = hi;
        while (a < hi && R * gsl_ran_hypergeometric_pdf(a, n1, n2, t) < 5)
            a++;
        while (b > a && R * gsl_ran_hypergeometric_pdf(b, n1, n2, t) < 5)
            b--;
        double chi2 = 0, mass = 0, obs = 0;
        int cells = 0;
        for (unsigned k = lo; k <= hi; k++) {
            mass += gsl_ran_hypergeometric_pdf(k, n1, n2, t);
            obs += (double)count[k];
            if (k >= a && (k < b || k == hi)) {
                chi2 += (obs - R * mass) * (obs - R * mass) / (R * mass);
                cells++;
                mass = obs = 0;
            }
        }
        double pv = gsl_cdf_chisq_Q(chi2, cells - 1);
        if (pv < 1e-4)
            fail_msg("H(%u, %u, %u): chi-square p-value %g < 1e-4", n1, n2, t, pv);
        free(count);
        gsl_rng_free(r);
    }
}

/* 10^4 draws with sd ~ 1e9 (the walk from the mode would take ~1e9 steps each) in < 5 s. */
static void test_hypergeometric_time_flat(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc(8);
    clock_t t0 = clock();
    uint64_t s = 0;
    for (int i = 0; i < 10000; i++)
        s += mc_ran_hypergeometric(r, 9000000000000000000ULL, 9000000000000000000ULL,
                                   9000000000000000000ULL) & 1;
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    if (secs > 5)
        fail_msg("10^4 hypergeometric draws at N = 1.8e19 took %.1f s", secs);
    assert_true(s > 0);
    gsl_rng_free(r);
}

/* Exact distribution of a small case on the mode-inversion path (t > 64): every k's frequency
 * within 4 SE of C(n1,k) C(n2,t-k) / C(N,t). */
static void test_hypergeometric_exact(void **state)
{
    (void)state;
    const unsigned n1 = 80, n2 = 50, t = 70;
    const int R = 200000;
    long *count = calloc(n1 + 1, sizeof *count);
    gsl_rng *r = mc_rng_alloc(5);
    for (int i = 0; i < R; i++)
        count[mc_ran_hypergeometric(r, n1, n2, t)]++;
    for (unsigned k = 20; k <= 70 && k <= n1; k++) {
        if (t - k > n2)
            continue;
        double pk = exp(gsl_sf_lnchoose(n1, k) + gsl_sf_lnchoose(n2, t - k) -
                        gsl_sf_lnchoose(n1 + n2, t));
        tu_assert_close((double)count[k] / R, pk, sqrt(pk * (1 - pk) / R) + 1e-9, 4);
    }
    free(count);
    gsl_rng_free(r);
}

static void test_multinomial(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc(9);
    double q[5] = {2, 0, 1, 1, 4}; /* unnormalised; category 1 is dead and skipped */
    uint32_t idx[4] = {0, 2, 3, 4};
    const int R = 3000;
    const uint64_t n = 1000000000ULL;
    double s[5] = {0};
    for (int i = 0; i < R; i++) {
        uint64_t c[5] = {0};
        assert_int_equal(mc_ran_multinomial(r, n, q, idx, 4, c), MC_OK);
        assert_true(c[0] + c[1] + c[2] + c[3] + c[4] == n);
        assert_true(c[1] == 0);
        for (int k = 0; k < 5; k++)
            s[k] += (double)c[k];
    }
    for (int k = 0; k < 5; k++) {
        double p = q[k] / 8;
        tu_assert_close(s[k] / R, (double)n * p, sqrt((double)n * p * (1 - p) / R) + 1e-9, 4);
    }
    gsl_rng_free(r);
}

/* Chi-square p-value of R draws of Poi(mu) against the exact pmf, cells as in binomial_gof; the
 * upper cell is everything from hi up. */
static double poisson_gof(double mu, long R, uint64_t seed)
{
    gsl_rng *r = mc_rng_alloc(seed);
    unsigned lo = 0, hi = (unsigned)(mu + 12 * sqrt(mu) + 30);
    while (lo < hi && R * gsl_ran_poisson_pdf(lo, mu) < 5)
        lo++;
    while (hi > lo && R * gsl_ran_poisson_pdf(hi, mu) < 5)
        hi--;
    long *count = calloc((size_t)hi + 1, sizeof *count);
    for (long i = 0; i < R; i++) {
        uint64_t x = mc_ran_poisson(r, mu);
        count[x < lo ? lo : x > hi ? hi : x]++;
    }
    double chi2 = 0;
    int cells = 0;
    for (unsigned k = lo; k <= hi; k++) {
        double P = k == lo ? gsl_cdf_poisson_P(lo, mu)
                 : k == hi ? gsl_cdf_poisson_Q(hi - 1, mu) : gsl_ran_poisson_pdf(k, mu);
        double e = R * P;
        chi2 += ((double)count[k] - e) * ((double)count[k] - e) / e;
        cells++;
    }
    free(count);
    gsl_rng_free(r);
    return cells > 1 ? gsl_cdf_chisq_Q(chi2, cells - 1) : 1;
}

/* Against the exact pmf: inversion (mean < 10), PTRS from its boundary up, its slow path at small
 * means, and means where the exact pmf test (Loader's form) decides. */
static void test_poisson_exact(void **state)
{
    (void)state;
    static const double means[] = {0.3, 3, 9.99, 10, 12.5, 20, 47.3, 150, 1000, 1e5};
    for (size_t c = 0; c < sizeof means / sizeof means[0]; c++) {
        double pv = poisson_gof(means[c], 2000000, 31 + c);
        if (pv < 1e-4)
            fail_msg("Poi(%g): chi-square p-value %g < 1e-4", means[c], pv);
    }
    gsl_rng *r = mc_rng_alloc(1);
    assert_true(mc_ran_poisson(r, 0) == 0 && mc_ran_poisson(r, -1) == 0);
    assert_true(mc_ran_poisson(r, NAN) == 0 && mc_ran_poisson(r, 1e300) == UINT64_MAX);
    gsl_rng_free(r);
}

/* Mean, variance and tails at means up to the 64-bit bound, across the split at 2^51 (a sum of
 * draws of smaller mean above it); skewness 1/sqrt(mu) < 1e-5, so the normal tails hold to 1e-5. */
static void check_poisson_moments(double mu, long R, uint64_t seed)
{
    gsl_rng *r = mc_rng_alloc(seed);
    double *z = malloc(sizeof(double) * (size_t)R), sd = sqrt(mu);
    for (long i = 0; i < R; i++)
        z[i] = (double)(((long double)mc_ran_poisson(r, mu) - (long double)mu) / sd);
    check_standard_moments(z, R);
    free(z);
    gsl_rng_free(r);
}

static void test_poisson_moments_large(void **state)
{
    (void)state;
    check_poisson_moments(1e10, 200000, 1);
    check_poisson_moments(0x1p51 - 1, 200000, 2);
    check_poisson_moments(0x1p51 + 3, 100000, 3);
    check_poisson_moments(1e18, 20000, 4);
    check_poisson_moments(1.8e19, 4000, 5);
}

/* The whole law of a small case taken by Poissonisation (m = 16 >= 16, n = 2 >= m / 8): the
 * outcome {i, j} has probability 2 p_i p_j (i != j) or p_i^2, 136 cells; with n = 2 the
 * Poisson total is off by more than n most of the time, so both corrections (adding items and
 * dropping them) are exercised heavily. A wrong correction (e.g. dropping by category instead
 * of by item) fails this with p-value ~0. */
static void test_multinomial_poissonised_exact(void **state)
{
    (void)state;
    enum { M = 16 };
    double q[M], total = 0;
    uint32_t idx[M];
    for (int i = 0; i < M; i++) {
        q[i] = 1.0 / (i + 1); /* unnormalised Zipf */
        total += q[i];
        idx[i] = (uint32_t)(M - 1 - i); /* an order that is not the index order */
    }
    const long R = 400000;
    long cell[M][M] = {{0}};
    gsl_rng *r = mc_rng_alloc(17);
    for (long t = 0; t < R; t++) {
        uint64_t c[M] = {0};
        assert_int_equal(mc_ran_multinomial(r, 2, q, idx, M, c), MC_OK);
        int a = -1, b = -1;
        for (int i = 0; i < M; i++) {
            assert_true(c[i] <= 2);
            for (uint64_t k = 0; k < c[i]; k++) {
                if (a < 0)
                    a = i;
                else
                    b = i;
            }
        }
        assert_true(a >= 0 && b >= 0); /* exactly two items */
        cell[a][b]++;
    }
    double chi2 = 0;
    int cells = 0;
    for (int i = 0; i < M; i++)
        for (int j = i; j < M; j++) {
            double p = q[i] * q[j] / (total * total) * (i == j ? 1 : 2), e = R * p;
            chi2 += ((double)cell[i][j] - e) * ((double)cell[i][j] - e) / e;
            cells++;
        }
    double pv = gsl_cdf_chisq_Q(chi2, cells - 1);
    if (pv < 1e-4)
        fail_msg("Multinomial(2, Zipf 16): chi-square p-value %g < 1e-4", pv);
    gsl_rng_free(r);
}

/* Large n by Poissonisation (m = 2,000 categories, n = 10^6 <= m^2): every draw sums to n, and
 * each category's mean, a category's variance n p (1 - p) and a pair's covariance -n p_i p_j
 * agree with the multinomial's. */
static void test_multinomial_poissonised_moments(void **state)
{
    (void)state;
    enum { M = 2000 };
    const uint64_t n = 1000000;
    const int R = 2000;
    double *q = malloc(sizeof(double) * M), total = 0;
    uint32_t *idx = malloc(sizeof(uint32_t) * M);
    uint64_t *c = malloc(sizeof(uint64_t) * M);
    double *s = calloc(M, sizeof(double)), s00 = 0, s01 = 0;
    for (int i = 0; i < M; i++) {
        q[i] = 1.0 / (i + 1);
        total += q[i];
        idx[i] = (uint32_t)i;
    }
    gsl_rng *r = mc_rng_alloc(23);
    for (int t = 0; t < R; t++) {
        memset(c, 0, sizeof(uint64_t) * M);
        assert_int_equal(mc_ran_multinomial(r, n, q, idx, M, c), MC_OK);
        uint64_t sum = 0;
        for (int i = 0; i < M; i++) {
            sum += c[i];
            s[i] += (double)c[i];
        }
        assert_true(sum == n);
        double d0 = (double)c[0] - (double)n * q[0] / total, d1 = (double)c[1] - (double)n * q[1] / total;
        s00 += d0 * d0;
        s01 += d0 * d1;
    }
    for (int i = 0; i < M; i += 37) {
        double p = q[i] / total;
        tu_assert_close(s[i] / R, (double)n * p, sqrt((double)n * p * (1 - p) / R), 4);
    }
    double p0 = q[0] / total, p1 = q[1] / total, v0 = (double)n * p0 * (1 - p0);
    tu_assert_close(s00 / R, v0, v0 * sqrt(2.0 / R), 5);
    double cov = -(double)n * p0 * p1, v1 = (double)n * p1 * (1 - p1);
    tu_assert_close(s01 / R, cov, sqrt(v0 * v1 / R), 5);
    gsl_rng_free(r);
    free(q);
    free(idx);
    free(c);
    free(s);
}

/* The Poissonised multinomial's corrections against exact laws. Dropping 3 of the 6 items
 * {3 of a, 1 of b, 2 of c} uniformly leaves (x_a, x_b, x_c) with the multivariate
 * hypergeometric probability C(3, x_a) C(1, x_b) C(2, x_c) / C(6, 3); adding 2 draws from
 * q = (1, 2, 5) / 8 to nothing gives the pair {i, j} with 2 q_i q_j or q_i^2. Dropping by
 * category (ignoring which items are gone) fails the first with a p-value below 1e-300. */
static void test_multinomial_corrections_exact(void **state)
{
    (void)state;
    const long R = 300000;
    gsl_rng *r = mc_rng_alloc(29);
    uint64_t first[3], cum[3];
    double cumd[3];
    uint32_t guide[3], idx[3] = {0, 1, 2};
    long left[4][2][3] = {{{0}}}, pair[3][3] = {{0}};
    for (long t = 0; t < R; t++) {
        uint64_t x[3] = {3, 1, 2};
        mc_counts_drop_uniform(r, 3, 6, 3, x, first, cum, guide);
        assert_true(x[0] + x[1] + x[2] == 3 && x[0] <= 3 && x[1] <= 1 && x[2] <= 2);
        left[x[0]][x[1]][x[2]]++;
        uint64_t y[3] = {0, 0, 0};
        double q[3] = {1, 2, 5};
        mc_counts_add_draws(r, 2, q, idx, 3, y, cumd, guide);
        int a = y[0] ? 0 : y[1] ? 1 : 2, b = y[2] ? 2 : y[1] ? 1 : 0;
        assert_true(y[0] + y[1] + y[2] == 2);
        pair[a][b]++;
    }
    double chi2 = 0, choose[4][4] = {{1}, {1, 1}, {1, 2, 1}, {1, 3, 3, 1}};
    int cells = 0;
    for (int a = 0; a <= 3; a++)
        for (int b = 0; b <= 1 && a + b <= 3; b++) {
            int c = 3 - a - b;
            if (c > 2)
                continue;
            double e = R * choose[3][a] * choose[1][b] * choose[2][c] / 20;
            chi2 += ((double)left[a][b][c] - e) * ((double)left[a][b][c] - e) / e;
            cells++;
        }
    double pv = gsl_cdf_chisq_Q(chi2, cells - 1);
    if (pv < 1e-4)
        fail_msg("dropping 3 of {3a, 1b, 2c}: chi-square p-value %g < 1e-4", pv);
    chi2 = 0;
    double qn[3] = {1.0 / 8, 2.0 / 8, 5.0 / 8};
    for (int a = 0; a < 3; a++)
        for (int b = a; b < 3; b++) {
            double e = R * qn[a] * qn[b] * (a == b ? 1 : 2);
            chi2 += ((double)pair[a][b] - e) * ((double)pair[a][b] - e) / e;
        }
    pv = gsl_cdf_chisq_Q(chi2, 5);
    if (pv < 1e-4)
        fail_msg("adding 2 draws of (1, 2, 5) / 8: chi-square p-value %g < 1e-4", pv);
    gsl_rng_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binomial_beyond_32_bits),
        cmocka_unit_test(test_binomial_exact_small_n),
        cmocka_unit_test(test_binomial_moments_large_n),
        cmocka_unit_test(test_binomial_time_flat_in_n),
        cmocka_unit_test(test_binomial_edges_and_symmetry),
        cmocka_unit_test(test_hypergeometric_moments),
        cmocka_unit_test(test_hypergeometric_exact),
        cmocka_unit_test(test_hypergeometric_gof),
        cmocka_unit_test(test_hypergeometric_time_flat),
        cmocka_unit_test(test_multinomial),
        cmocka_unit_test(test_poisson_exact),
        cmocka_unit_test(test_poisson_moments_large),
        cmocka_unit_test(test_multinomial_poissonised_exact),
        cmocka_unit_test(test_multinomial_corrections_exact),
        cmocka_unit_test(test_multinomial_poissonised_moments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
