/* randist.h - samplers for counts that can exceed 32 bits.
 *
 * GSL's gsl_ran_binomial and gsl_ran_hypergeometric take unsigned int counts, and GSL's
 * hypergeometric costs O(t) for t draws. These samplers take 64-bit counts:
 *   - binomial: exact at every n < 2^64 in time that does not grow with n: Hormann's BTRD for
 *     n p >= 10, inversion below (the mathematics and the precision argument are in randist.c);
 *   - hypergeometric: inversion from the mode with the pmf recurrence, O(sd) per draw (GSL's
 *     sequential method is used when t is small);
 *   - Poisson: exact at every mean, O(1) expected work (Hormann's PTRS, inversion below mean 10);
 *   - multinomial: O(number of categories): Poisson counts with the total corrected exactly when
 *     n is large against the categories, conditional binomials otherwise (multinomial.c).
 * Every sampler takes the generator first; any gsl_rng works, mc_rng_xoshiro256ss is fastest
 * (its 64-bit output is read directly).
 */
#ifndef COLLAPSE_RANDIST_H
#define COLLAPSE_RANDIST_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Bin(n, p) for any n and p in [0, 1]: 0 when n = 0 or p <= 0 (or p is NaN), n when p >= 1.
 * Expected cost O(1) in n: about 35-60 ns on the development machine (docs/BENCHMARKS.md). */
uint64_t mc_ran_binomial(gsl_rng *r, double p, uint64_t n);

/* Number of "good" items among t drawn without replacement from n1 good and n2 bad items. */
uint64_t mc_ran_hypergeometric(gsl_rng *r, uint64_t n1, uint64_t n2, uint64_t t);

/* Poi(mu) for mu >= 0 (0 for mu <= 0 or NaN). Exact while the result fits 64 bits: a mean of
 * 2^64 or more saturates at UINT64_MAX. Expected cost O(1): ~30 ns on the development machine,
 * ~8,000 draws' worth at mu = 1.8e19 (a sum of draws of mean below 2^51). */
uint64_t mc_ran_poisson(gsl_rng *r, double mu);

/* Multinomial draw of n over the categories idx[0..m) with probabilities q[idx[j]] (which need not
 * be normalised): counts[idx[j]] += x_j. Cost O(m + sqrt(n)), not O(n); the draws follow idx
 * order, so the same (seed, n, q, idx) give the same counts. Returns MC_OK, or MC_ENOMEM for the
 * scratch arrays. */
int mc_ran_multinomial(gsl_rng *r, uint64_t n, const double *q, const uint32_t *idx, uint32_t m,
                       uint64_t *counts);

#endif
