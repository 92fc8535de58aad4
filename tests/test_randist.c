/* test_randist.c - 64-bit binomial, hypergeometric and multinomial draws.
 * Tolerances: 4 standard errors of the Monte Carlo mean (SE = exact sd / sqrt(R)); variances are
 * checked within 5 standard errors of a sample variance, SE ~ var sqrt(2 / (R - 1)). */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_sf_gamma.h>
#include "testutil.h"
#include "collapse/randist.h"

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
    double mean = (double)t * (double)n1 / N;
    double var = (double)t * ((double)n1 / N) * ((double)n2 / N) * (N - (double)t) / (N - 1);
    for (int i = 0; i < R; i++) {
        uint64_t x = mc_ran_hypergeometric(r, n1, n2, t);
        assert_true(x <= n1 && x <= t && t - x <= n2);
        s += (double)x;
        ss += (double)x * (double)x;
    }
    double m = s / R, v = (ss - R * m * m) / (R - 1);
    tu_assert_close(m, mean, sqrt(var / R), 4);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_binomial_beyond_32_bits),
        cmocka_unit_test(test_hypergeometric_moments),
        cmocka_unit_test(test_hypergeometric_exact),
        cmocka_unit_test(test_multinomial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
