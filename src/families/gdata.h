/* gdata.h - the training set of the continuous families (gaussian, gmm, kde): an n x d array of
 * doubles, row-major, with a human flag per row (provenance). Private to the library.
 *
 * Its operations have exactly the signatures of mc_family_type's dataset slots, so a continuous
 * family puts them straight into its type descriptor:
 *     .ds_copy = mc_gdata_copy, .ds_merge = mc_gdata_merge, .ds_subsample = mc_gdata_subsample,
 *     .ds_size = mc_gdata_size, .ds_human = mc_gdata_human, .ds_free = mc_gdata_free
 * merge is concatenation; subsample is index sampling without replacement that keeps the order
 * and the human flags of the chosen rows.
 *
 * Three modes: plain rows (gdata.c); moments only, for draws made as sufficient statistics
 * (mc_gdata_new_virtual, gdata_moments.c); rows whose values are fixed but computed only when read
 * (mc_gdata_new_deferred, gdata_deferred.c). Files: gdata.c (rows, copy, merge), gdata_subsample.c,
 * gdata_moments.c, gdata_deferred.c. */
#ifndef COLLAPSE_GDATA_H
#define COLLAPSE_GDATA_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"
#include "gauss_law.h"

/* The law of a deferred draw (mc_gdata_new_deferred): rows of N(mu, alpha^2 L L^T), truncated at
 * Mahalanobis radius sqrt(c2) when c2 > 0 (p = P(chi2_d <= c2)). Row j of the draw is
 * mu + alpha L z with z drawn as in mc_gauss_sample from its own generator, keyed
 * mix64(key + j * golden ratio): its value is a pure function of (law, key, j), the same whenever
 * and wherever it is computed. */
typedef struct mc_gdraw {
    uint64_t key;
    uint64_t first;       /* the dataset row that is row 0 of the draw; its rows are contiguous */
    double alpha, c2, p;
    double *mu;           /* (d), followed in the same allocation by */
    double *Lt;           /* (d, d): L^T, upper triangle (row c holds column c of L) */
} mc_gdraw;

/* n x d doubles with a human flag per row. Owned by whoever holds the pointer; freed with
 * mc_gdata_free. cap >= n rows are allocated, so merges grow the arrays geometrically. */
typedef struct mc_gdata {
    size_t d;             /* columns */
    uint64_t n;           /* rows in use */
    uint64_t cap;         /* rows allocated */
    uint64_t human;       /* rows with is_human[i] == 1 */
    double *x;            /* (cap, d); row i at x + i * d */
    unsigned char *is_human; /* (cap); 1 = human-made, 0 = synthetic */
    /* Optional cache of the sufficient statistics of the rows, per provenance part (see
     * mc_gdata_moments): merge combines caches exactly, copy copies, subsample drops them. It
     * makes a fit on an accumulated pool O(d^2) instead of O(n d^2). Whoever changes x after
     * mc_gdata_moments() must set has_mom = 0. */
    double *mom;          /* (2 * MC_GMOM_SIZE(d)) or NULL */
    int has_mom;
    /* 1 when the rows were never drawn: the dataset is known by its moments only (see
     * mc_gdata_new_virtual); x and is_human hold nothing then. */
    int virtual_rows;
    /* Deferred rows (mc_gdata_new_deferred): row i with draw_of[i] = k > 0 is not in x yet; its
     * value is row (i - draws[k-1].first) of draw k-1. Every operation here treats such a row as
     * the value it stands for (moments compute it, subsample computes and stores it in x, merge
     * and copy carry the laws), so deferring changes no result, only the work: accumulate-
     * subsample's pool only ever needs the rows it picks. Code that reads x directly must be
     * given datasets without deferred rows (only the gaussian family makes them). */
    uint32_t *draw_of;    /* (cap) or NULL when no row was ever deferred */
    mc_gdraw *draws;      /* (ndraws) */
    size_t ndraws;
    uint64_t deferred;    /* rows with draw_of[i] != 0 */
} mc_gdata;

/* Moments: MC_GMOM_SIZE(d) doubles per part, two parts (gauss_law.h). */

/* A dataset of n rows of d columns, every row flagged human (human != 0) or synthetic; the values
 * are uninitialised for the caller to fill. d >= 1. *out is owned by the caller. */
int mc_gdata_new(size_t d, uint64_t n, int human, mc_gdata **out, mc_error *err);
/* A dataset of n rows known only by their per-part moments mom (2 * MC_GMOM_SIZE(d), copied),
 * for a family whose draws have sufficient statistics of a known law (a Gaussian sample's mean
 * and scatter: normal and Wishart) and whose regime never looks at single rows. merge and copy
 * keep the moments (a merge with a virtual dataset makes the result virtual); subsample refuses
 * with MC_EINTERNAL. */
int mc_gdata_new_virtual(size_t d, uint64_t n, uint64_t human, const double *mom, mc_gdata **out,
                         mc_error *err);
/* Makes room for cap rows (never shrinks). */
int mc_gdata_reserve(mc_gdata *ds, uint64_t cap, mc_error *err);

/* The dataset slots of mc_family_type (void * is an mc_gdata *). */
int mc_gdata_copy(const void *ds, void **out, mc_error *err);
int mc_gdata_merge(void *into, const void *from, mc_error *err);       /* same d required */
int mc_gdata_subsample(gsl_rng *r, const void *pool, uint64_t n, void **out,
                       mc_error *err);                                 /* n <= size(pool) */
uint64_t mc_gdata_size(const void *ds);
uint64_t mc_gdata_human(const void *ds);
void mc_gdata_free(void *ds);

/* Computes ds->mom from the rows (two passes per part, stable) and sets has_mom. */
int mc_gdata_moments(mc_gdata *ds, mc_error *err);
/* Writes the per-part moments of ds into mom (2 * MC_GMOM_SIZE(d) doubles) without caching:
 * a copy of the cache when there is one, otherwise computed from the rows (deferred rows
 * included). MC_ENOMEM when its scratch cannot be allocated. */
int mc_gdata_moments_into(const mc_gdata *ds, double *mom, mc_error *err);

/* The operator's signal of the pipeline regime for the families whose datasets are n x d rows
 * (gaussian, gmm, kde; the family slot's signature): the total variance tr S of the rows, S their
 * 1/n covariance, from the dataset alone. A collapsing model's samples lose spread, and the regime
 * compares this with the first synthetic batch's. */
int mc_gdata_signal(const void *params, const void *ds, double *out);

/* Per-row weights of a weighted fit, written to w (n): with human_weight = h in [0,1] the human
 * rows share total weight h and the synthetic rows 1 - h (each part equally); when one part is
 * empty the other carries all the weight. With human_weight < 0 every row weighs 1/n. The
 * weights sum to 1. */
void mc_gdata_weights(const mc_gdata *ds, double human_weight, double *w);

/* ---------------------------------------------------------------- deferred rows */

/* n synthetic rows of N(g->mu, alpha^2 Sigma) with the sampling bias s (shrink: alpha = 1 - shrink;
 * truncate), whose values are fixed now by key but computed only when something needs them (see
 * mc_gdraw). The same key gives the same rows. *out is owned by the caller. */
int mc_gdata_new_deferred(const mc_gauss *g, const mc_sampling *s, uint64_t n, uint64_t key,
                          mc_gdata **out, mc_error *err);

/* Rows per block where rows are handled a block at a time (deferred rows, moments). */
#define MC_GDATA_BLOCK 64
/* Scratch doubles that mc_gdraw_rows needs for d columns. */
#define MC_GDRAW_SCRATCH(d) (2 * (d) * MC_GDATA_BLOCK + (d))
/* Scratch doubles that mc_gdata_row needs: the row (d), O (d, BLOCK), mc_gdraw_rows' scratch. */
#define MC_GDATA_ROW_SCRATCH(d) ((d) + (d) * MC_GDATA_BLOCK + MC_GDRAW_SCRATCH(d))

/* The values of m <= MC_GDATA_BLOCK deferred rows of draw w (dataset rows rows[0..m), all of w)
 * into O (d, MC_GDATA_BLOCK) column by column: O[a * MC_GDATA_BLOCK + r] is coordinate a of row
 * r. Each row's z comes from its own generator (see mc_gdraw); then o_a = mu_a + alpha (L[a][a]
 * z_a + L[a][a-1] z_(a-1) + ... + L[a][0] z_0), each product rounded and added in that order, so
 * a row gets the same value alone or in a block. scratch holds MC_GDRAW_SCRATCH(d) doubles; O may
 * not overlap it. */
void mc_gdraw_rows(const mc_gdraw *w, size_t d, const uint64_t *rows, size_t m, double *O,
                   double *scratch);
/* Row i of ds: in x, or computed into buf (MC_GDATA_ROW_SCRATCH(d) doubles) when deferred. */
const double *mc_gdata_row(const mc_gdata *ds, uint64_t i, double *buf);
/* Appends copies of the laws of `from` to `into`, their first rows shifted by `shift` (from may
 * be into). */
int mc_gdata_append_draws(mc_gdata *into, const mc_gdata *from, uint64_t shift, mc_error *err);

/* Chan, Golub & LeVeque (1979): replaces the moments a (MC_GMOM_SIZE(d), one part) by those of
 * the union of a and b. */
void mc_gmom_combine(double *a, const double *b, size_t d);

#endif
