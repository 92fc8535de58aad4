/* randist.h - samplers for counts that can exceed 32 bits.
 *
 * GSL's gsl_ran_binomial and gsl_ran_hypergeometric take unsigned int counts, and GSL's
 * hypergeometric costs O(t) for t draws. These wrappers keep GSL's samplers where they are exact
 * and fast, and extend them to 64-bit counts:
 *   - binomial: Bin(n, p) with n >= 2^32 is a sum of independent binomials with the same p;
 *   - hypergeometric: inversion from the mode with the pmf recurrence, O(sd) per draw (GSL's
 *     sequential method is used when t is small).
 */
#ifndef COLLAPSE_RANDIST_H
#define COLLAPSE_RANDIST_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Bin(n, p), p in [0,1]. */
uint64_t mc_ran_binomial(gsl_rng *r, double p, uint64_t n);

/* Number of "good" items among t drawn without replacement from n1 good and n2 bad items. */
uint64_t mc_ran_hypergeometric(gsl_rng *r, uint64_t n1, uint64_t n2, uint64_t t);

/* Multinomial draw of n over the categories idx[0..m) with probabilities q[idx[j]] (which need not
 * be normalised), by conditional binomials in that order: counts[idx[j]] += x_j. Cost O(m), not
 * O(n); stops early once n is exhausted. Returns MC_OK, or MC_ENOMEM for the scratch array. */
int mc_ran_multinomial(gsl_rng *r, uint64_t n, const double *q, const uint32_t *idx, uint32_t m,
                       uint64_t *counts);

#endif
