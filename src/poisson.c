/* poisson.c - Poisson draws at any mean whose result fits 64 bits (see randist.h).
 *
 *   - mu < 10: inversion, f(0) = e^-mu, f(x) = f(x-1) mu / x, walked up until the uniform is
 *     used up; O(mu + 1) steps.
 *   - 10 <= mu < 2^51: Hormann's PTRS (W. Hormann, "The transformed rejection method for
 *     generating Poisson random variables", Insurance: Mathematics and Economics 12, 1993), the
 *     Poisson sibling of the binomial's BTRD: O(1) expected work. With b = 0.931 + 2.53 sqrt(mu),
 *     a = -0.059 + 0.02483 b, 1/alpha = 1.1239 + 1.1328 / (b - 3.4), v_r = 0.9277 - 3.6224/(b-2):
 *     U uniform on (-1/2, 1/2), V uniform, us = 1/2 - |U|, k = floor((2a/us + b) U + mu + 0.43);
 *     accept at once when us >= 0.07 and V <= v_r (a box under the pmf), reject when k < 0 or
 *     (us < 0.013 and V > us), else accept when V / alpha / (a/us^2 + b) <= Poi(k; mu) (below).
 *   - mu >= 2^51: the sum of t = ceil(mu / 2^51) draws of mean mu / t (a sum of independent
 *     Poissons is Poisson): at most 8,192 draws at the 64-bit bound.
 *
 * Precision, as for the binomial (randist.c): mu = base + frac with base = floor(mu) exactly, and
 * k = base + floor((2a/us + b) U + frac + 0.43), so no double near mu is rounded on the way to
 * k. From mean 1024 up, Poi(k; mu) = exp(-stirlerr(k) - bd0(k, mu)) / sqrt(2 pi k) in Loader's
 * form with k - mu = (k - base) - frac, one rounding, where k ln mu - lgamma(k + 1) would cancel
 * ~k 2^-53; below 1024 that cancellation costs ~1e-11 and lgamma is the cheaper test. */
#include <math.h>
#include "collapse/randist.h"
#include "randist_internal.h"

#define PTRS_MIN_MEAN 10.0
#define SPLIT_MEAN 0x1p51
#define LOG_FORM_MAX_MEAN 1024.0

static uint64_t poisson_inversion(gsl_rng *r, double mu)
{
    double f0 = exp(-mu);
    for (;;) {
        double u = mc_uniform53(r), f = f0;
        uint64_t x = 0;
        /* P(X > 120) < 1e-60 for mu < 10: the bound only catches a uniform left by rounding */
        while (u > f && x <= 120) {
            u -= f;
            x++;
            f *= mu / (double)x;
        }
        if (x <= 120)
            return x;
    }
}

/* Poi(k; base + frac) sqrt(2 pi k) = exp(-stirlerr(k) - bd0(k, mu)), k >= 1 */
static double poisson_pmf_scaled(double k, double base, double frac)
{
    double d = (k - base) - frac, mu = base + frac;
    return exp(-mc_stirlerr((uint64_t)(int64_t)k) - mc_bd0(k, mu, d));
}

/* PTRS's final test, hat <= Poi(k; mu), k >= 1. Below mean 1024 in logarithms with lgamma:
 * k ln mu - mu - ln k! has terms below ~2e4 where the pmf is not negligible, so its absolute
 * error is ~1e-11, and it is cheaper than Loader's pieces; above, Loader's form (no cancellation
 * at any mean). */
static int ptrs_final_accept(double hat, double k, double base, double frac)
{
    double mu = base + frac;
    if (mu < LOG_FORM_MAX_MEAN) {
        int sign;
        return log(hat) <= k * log(mu) - mu - lgamma_r(k + 1, &sign);
    }
    return hat * sqrt(6.283185307179586476925 * k) <= poisson_pmf_scaled(k, base, frac);
}

static uint64_t poisson_ptrs(gsl_rng *r, double mu)
{
    double base = floor(mu), frac = mu - base;
    double b = 0.931 + 2.53 * sqrt(mu), a = -0.059 + 0.02483 * b, two_a = 2 * a;
    /* V <= v_r = 0.9277 - 3.6224 / (b - 2) tested as V (b - 2) <= 0.9277 (b - 2) - 3.6224 */
    double b2 = b - 2, vr_b2 = 0.9277 * b2 - 3.6224, shift = frac + 0.43;
    for (;;) {
        double U = mc_uniform53(r) - 0.5, V = mc_uniform53(r), us = 0.5 - fabs(U);
        double off = floor((two_a / us + b) * U + shift); /* us = 0 gives -inf: rejected below */
        if ((us >= 0.07) & (V * b2 <= vr_b2)) /* off >= -5.9 here, base >= 10; base + off < 2^51 */
            return (uint64_t)(int64_t)(base + off);
        if (!(off >= -base) || (us < 0.013 && V > us) || base + off >= 0x1p62)
            continue;
        double k = base + off, inv_alpha = 1.1239 + 1.1328 / (b - 3.4);
        double hat = V * inv_alpha / (a / (us * us) + b); /* accept when hat <= Poi(k; mu) */
        if (k == 0 ? hat <= exp(-mu) : ptrs_final_accept(hat, k, base, frac))
            return (uint64_t)(int64_t)k; /* k < 2^62 */
    }
}

static uint64_t poisson_below_split(gsl_rng *r, double mu)
{
    return mu < PTRS_MIN_MEAN ? poisson_inversion(r, mu) : poisson_ptrs(r, mu);
}

uint64_t mc_ran_poisson(gsl_rng *r, double mu)
{
    if (!(mu > 0))
        return 0;
    if (mu < SPLIT_MEAN)
        return poisson_below_split(r, mu);
    if (mu >= 0x1p64)
        return UINT64_MAX;
    double t = ceil(mu / SPLIT_MEAN), part = mu / t;
    uint64_t s = 0;
    for (double i = 0; i < t; i++) {
        uint64_t x = poisson_below_split(r, part);
        s = x > UINT64_MAX - s ? UINT64_MAX : s + x;
    }
    return s;
}



uint64_t mc_poisson_counts(gsl_rng *r, const double *q, const uint32_t *idx, uint32_t m,
                           double scale, uint64_t *x)
{
    uint64_t S = 0;
    for (uint32_t j = 0; j < m; j++) {
        double mu = q[idx[j]] * scale;
        /* the common case inline here (a call per category costs ~5 % of the draw) */
        x[j] = mu >= PTRS_MIN_MEAN && mu < SPLIT_MEAN ? poisson_ptrs(r, mu) : mc_ran_poisson(r, mu);
        S += x[j];
    }
    return S;
}
