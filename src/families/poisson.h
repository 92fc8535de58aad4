/* poisson.h - internal to the Poisson family: datasets of non-negative integers held as
 * histograms, and drawing n samples from a pmf over a window of integers.
 *
 * A dataset is a histogram over the values lo .. lo + len - 1: c[v - lo] samples equal v, of which
 * ch[v - lo] are human-made (provenance). Only counts matter to the fit (the sum of the values),
 * to subsampling (a multivariate hypergeometric draw over the values) and to merging, so a
 * generation of n samples costs O(len), whatever n.
 */
#ifndef COLLAPSE_FAMILIES_POISSON_H
#define COLLAPSE_FAMILIES_POISSON_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"

typedef struct pois_ds {
    uint64_t lo, len;  /* values lo .. lo + len - 1 */
    uint64_t *c, *ch;  /* [len]: samples equal to lo + i, and their human part */
    uint64_t n, nh;    /* samples, human samples */
} pois_ds;

/* A pmf over a window of integers lo .. lo + len - 1 (q need not be normalised). */
typedef struct pois_pmf {
    uint64_t lo, len;
    double *q; /* [len] */
} pois_pmf;

/* Longest window a pmf may span (values), so that a sampling setting cannot ask for more memory
 * than a machine has; larger is refused at run time (MC_ERANGE). */
#define POIS_WINDOW_MAX ((uint64_t)1 << 24)

/* The window of Poisson(lambda)^(1/tau) (the pmf raised to 1/tau, tau > 0): the integers whose
 * log q lies within POIS_LOG_CUT of the mode's; everything beyond holds relative mass below
 * e^-80 per value, far below what a 64-bit count can see. lambda = 0: the point mass at 0.
 * Fills *out (q owned by the caller: free(out->q)). MC_ENOMEM, or MC_ERANGE for a window
 * longer than POIS_WINDOW_MAX. */
#define POIS_LOG_CUT 80.0
int pois_pmf_window(double lambda, double tau, pois_pmf *out, mc_error *err);

/* log of the Poisson(lambda) pmf at k (lambda > 0). */
double pois_log_pmf(double lambda, uint64_t k);

/* A new empty dataset over lo .. lo + len - 1, or NULL (out of memory). */
pois_ds *pois_ds_alloc(uint64_t lo, uint64_t len);
void pois_ds_free(void *ds);

/* n samples of the pmf p (a multinomial draw by conditional binomials, O(p->len)) into a new
 * dataset; human: whether they are human-made. */
int pois_ds_draw(gsl_rng *r, const pois_pmf *p, uint64_t n, int human, void **out, mc_error *err);

/* The dataset operations of family.h. */
int pois_ds_copy(const void *ds, void **out, mc_error *err);
int pois_ds_merge(void *into, const void *from, mc_error *err);
int pois_ds_subsample(gsl_rng *r, const void *pool, uint64_t n, void **out, mc_error *err);
uint64_t pois_ds_size(const void *ds);
uint64_t pois_ds_human(const void *ds);

/* The operator's signal (family.h): the entropy in nats of the values' empirical distribution,
 * from the samples alone (0 once the model is dead: every sample is 0). */
int pois_ds_signal(const void *params, const void *ds, double *out);

/* Sums of the values of a dataset (all, and the human part), exact while below 2^53. */
void pois_ds_sums(const pois_ds *d, double *sum, double *sum_human);

#endif
