/* count_subsample.h - n of a pool of counted samples without replacement (private to
 * libcollapse; src/families/count_subsample.c), for the families whose datasets are counts per
 * value or category (categorical, poisson). */
#ifndef COLLAPSE_FAMILIES_COUNT_SUBSAMPLE_H
#define COLLAPSE_FAMILIES_COUNT_SUBSAMPLE_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

/* Draws n <= total of the pool's total samples (c[i] samples of value i, ch[i] of them human,
 * i < len) without replacement: a multivariate hypergeometric draw by sequential conditionals,
 * and within each value a hypergeometric split into human and synthetic. Writes the drawn
 * counts to out_c and out_ch (zeroed by the caller) and returns the drawn human samples. */
uint64_t mc_count_subsample(gsl_rng *r, const uint64_t *c, const uint64_t *ch, uint64_t len,
                            uint64_t total, uint64_t n, uint64_t *out_c, uint64_t *out_ch);

#endif
