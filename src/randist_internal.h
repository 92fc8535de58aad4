/* randist_internal.h - pieces the exact samplers share (randist.c, poisson.c, multinomial.c).
 *
 * Loader's saddle-point pieces of a log-pmf (C. Loader, "Fast and accurate computation of
 * binomial probabilities", 2000), accurate where differences of log-gammas lose every digit:
 *   stirlerr(x) = ln x! - (x + 1/2) ln x + x - ln sqrt(2 pi),
 *   bd0(x, M)   = x ln(x/M) + M - x, given d = x - M formed without cancellation.
 * With them ln Bin(x; n, p) and ln Poi(x; mu) = -stirlerr(x) - bd0(x, mu) - ln sqrt(2 pi x) keep
 * an absolute error near 1e-14 at any x < 2^64. */
#ifndef COLLAPSE_RANDIST_INTERNAL_H
#define COLLAPSE_RANDIST_INTERNAL_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/rng.h"
#include "rng_internal.h"

double mc_stirlerr(uint64_t x);
double mc_bd0(double x, double M, double d);

/* x[j] ~ Poi(q[idx[j]] scale) for j < m, independently and in that order (the same draws as
 * mc_ran_poisson one by one); returns their sum */
uint64_t mc_poisson_counts(gsl_rng *r, const double *q, const uint32_t *idx, uint32_t m,
                           double scale, uint64_t *x);

/* The two corrections of the Poissonised multinomial (multinomial.c), each exact:
 * add_draws adds n_add items to x, each of category j with probability q[idx[j]] / (their sum);
 * drop_uniform removes n_drop of the S items counted by x (S their total, n_drop <= S), uniformly
 * without replacement. Scratch: cum and first of m words, guide of m indices. */
void mc_counts_add_draws(gsl_rng *r, uint64_t n_add, const double *q, const uint32_t *idx,
                         uint32_t m, uint64_t *x, double *cum, uint32_t *guide);
void mc_counts_drop_uniform(gsl_rng *r, uint64_t n_drop, uint64_t S, uint32_t m, uint64_t *x,
                            uint64_t *first, uint64_t *cum, uint32_t *guide);

/* a uniform on [0, 1) from the top 53 bits, the value gsl_rng_uniform gives for xoshiro256** */
static inline double mc_uniform53(gsl_rng *r)
{
    return (double)(mc_rng_u64_inline(r) >> 11) * 0x1p-53;
}

/* a uniform integer in [0, n), n >= 1, for any generator and any 64-bit n */
static inline uint64_t mc_uniform_below(gsl_rng *r, uint64_t n)
{
    if (r->type == mc_rng_xoshiro256ss)
        return mc_xoshiro_below(r->state, n);
    __uint128_t m = (__uint128_t)mc_rng_u64(r) * n;
    while ((uint64_t)m < (0 - n) % n)
        m = (__uint128_t)mc_rng_u64(r) * n;
    return (uint64_t)(m >> 64);
}

#endif
