/* gmm.h - Gaussian mixtures in d dimensions, the one mixture type of the continuous families
 * (private to the library): densities, sampling, moments, the closed-form L2 distance
 * (gmm_law.c) and maximum-likelihood fitting by EM (Dempster, Laird & Rubin 1977; gmm_em.c).
 * The gmm family's model is one; so is the world of the gaussian, gmm and kde families (gworld.h).
 *
 * A mixture holds k components; component j has weight w_j, mean mu_j (d) and covariance S_j
 * (d x d, row-major; a diagonal fit stores zeros off the diagonal). After mc_gmm_prepare() it also
 * holds the lower Cholesky factor L_j (S_j = L_j L_j^T) and log-normalisers, which every density
 * evaluation reuses.
 *
 * Ownership: the caller owns every mc_gmm and mc_gmm_em it allocates and frees them with the
 * matching _free (free of NULL is a no-op); array parameters are borrowed.
 */
#ifndef COLLAPSE_GMM_H
#define COLLAPSE_GMM_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"

typedef struct mc_gmm {
    size_t k, d;
    double *w;       /* (k) weights, summing to 1 */
    double *mu;      /* (k, d) means */
    double *cov;     /* (k, d, d) covariances */
    double *chol;    /* (k, d, d) lower Cholesky factors of cov (upper triangle zero) */
    double *lognorm; /* (k) log w_j - d/2 log(2 pi) - 1/2 log det S_j */
} mc_gmm;

/* A mixture of k >= 1 components in d >= 1 dimensions, all zeros; NULL when out of memory. */
mc_gmm *mc_gmm_alloc(size_t k, size_t d);
void mc_gmm_free(mc_gmm *m);
/* Copies a into b (same k and d). */
void mc_gmm_copy(mc_gmm *b, const mc_gmm *a);

/* Recomputes the Cholesky factors and log-normalisers from w and cov. Returns MC_OK, or
 * MC_ECONFIG naming the first component whose covariance is not symmetric positive definite or
 * whose weight is negative / not finite (the weights must sum to 1 within 1e-9). */
int mc_gmm_prepare(mc_gmm *m, mc_error *err);

/* log p(x) of one point x (d). Needs a prepared mixture; scratch holds d doubles. */
double mc_gmm_logpdf(const mc_gmm *m, const double *x, double *scratch);

/* Mean log p(x_i) of n points x (n, d), each of weight 1. scratch holds n * (d + 3) doubles.
 * Uses one triangular solve per component for all points (BLAS dtrsm). */
double mc_gmm_mean_logpdf(const mc_gmm *m, const double *x, size_t n, double *scratch);

/* n independent samples into x (n, d). Component counts are one multinomial draw, so the rows
 * come grouped by component (an i.i.d. sample in a fixed order of components). */
void mc_gmm_sample(gsl_rng *r, const mc_gmm *m, size_t n, double *x);

/* n samples into x (n, d) in a random order: the component counts are one multinomial draw
 * (sequential binomials), each component fills its block of rows with mc_gauss_sample_factor
 * (needs the factors of a prepared mixture), then the rows are shuffled (gsl_ran_shuffle) so that
 * any prefix is a sample of the mixture. MC_ERANGE when n does not fit an unsigned int. */
int mc_gmm_draw_shuffled(gsl_rng *r, const mc_gmm *m, uint64_t n, double *x, mc_error *err);

/* Overall mean (d) and covariance (d, d) of the mixture:
 * mean = sum_j w_j mu_j, cov = sum_j w_j (S_j + mu_j mu_j^T) - mean mean^T. */
void mc_gmm_moments(const mc_gmm *m, double *mean, double *cov);
/* The same moments with the covariance summed centred, cov = sum_j w_j (S_j + (mu_j - mean)
 * (mu_j - mean)^T): no cancellation for means far from 0; the gaussian family's world uses it. */
void mc_gmm_moments_centred(const mc_gmm *m, double *mean, double *cov);

/* Closed-form L2 distance between two mixture densities in the same d,
 *   ||p - q||_2 = sqrt( int (p - q)^2 ),
 * from int N(x; a, A) N(x; b, B) dx = N(a; b, A + B). Needs no preparation; scratch holds
 * d (d + 1) doubles. A rounding-level negative square is returned as 0. */
double mc_gmm_l2(const mc_gmm *p, const mc_gmm *q, double *scratch);

/* For gmm_em.c: the Cholesky factor and log-normaliser of component j from its w and cov (the
 * GSL status: GSL_EDOM when not positive definite); and out_i = log N(x_i; mu_j, S_j) + log w_j
 * at n points x (n, d), with stride out_stride, Y (n, d) scratch. */
int mc_gmm_factor_component(mc_gmm *m, size_t j);
void mc_gmm_component_logpdf(const mc_gmm *m, size_t j, const double *x, size_t n, double *Y,
                             double *out, size_t out_stride);

/* EM fitting. */
typedef enum mc_gmm_covtype { MC_GMM_FULL = 0, MC_GMM_DIAG = 1 } mc_gmm_covtype;
/* How a start is initialised: k-means++ seeds and one hard assignment, or Lloyd's k-means run to
 * convergence from those seeds (scikit-learn's default, init_params = "kmeans"). */
typedef enum mc_gmm_init { MC_GMM_INIT_KMEANSPP = 0, MC_GMM_INIT_KMEANS = 1 } mc_gmm_init;

typedef struct mc_gmm_em_opts {
    mc_gmm_covtype covtype;
    double reg_covar; /* >= 0, added to every covariance's diagonal (scikit-learn's reg_covar) */
    double tol;       /* > 0: stop when the mean log-likelihood changes by less */
    long max_iter;    /* >= 1 EM iterations per start */
    long restarts;    /* >= 1 starts (k-means++ seeds); the best final likelihood is kept */
    mc_gmm_init init; /* after the seeds: one hard assignment, or Lloyd's k-means */
} mc_gmm_em_opts;

/* What happened in a fit. Degenerate events are counted here, never turned into errors. */
typedef struct mc_gmm_em_stats {
    long iterations; /* of the kept start */
    int converged;   /* of the kept start */
    long reseeded;   /* components that lost all their weight and were re-seeded (all starts) */
    long collapsed;  /* components of the kept fit whose variance sits at the floor reg_covar */
    double loglik;   /* weighted mean log-likelihood of the kept fit */
} mc_gmm_em_stats;

/* Workspace for fits of up to any n (grown on demand, reused across generations). */
typedef struct mc_gmm_em mc_gmm_em;
mc_gmm_em *mc_gmm_em_alloc(size_t k, size_t d);
void mc_gmm_em_free(mc_gmm_em *ws);

/* Fits m (k, d as allocated) to n >= 1 points x (n, d) with optional weights wt (n, >= 0, not
 * all zero; NULL = equal weights) by EM from `restarts` k-means++ seeds drawn from r.
 * n < k is allowed: components then share points, are floored by reg_covar and counted as
 * collapsed. Returns MC_OK, MC_ENOMEM, MC_EDATA for a non-finite point or MC_ECONFIG for bad
 * weights. */
int mc_gmm_fit(gsl_rng *r, mc_gmm_em *ws, mc_gmm *m, const double *x, const double *wt,
               size_t n, const mc_gmm_em_opts *opts, mc_gmm_em_stats *stats, mc_error *err);

#endif
