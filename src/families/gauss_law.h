/* gauss_law.h - one Gaussian N(mu, Sigma) in d dimensions, as the continuous families use it
 * (private to the library; src/families/gauss_law.c): maximum-likelihood / unbiased / weighted fit,
 * regularisation of a singular covariance (flagged), sampling with the sampling bias of issue 3
 * (shrink, truncate), log-density, Mahalanobis distance.
 *
 * Conventions: d dimensions, n samples; arrays contiguous and row-major, shapes (rows, cols).
 * Every stochastic function takes the generator first. Functions that can fail return MC_OK or a
 * negative MC_E* code and fill err; GSL runs with its error handler off. */
#ifndef COLLAPSE_GAUSS_LAW_H
#define COLLAPSE_GAUSS_LAW_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"
#include "collapse/experiment.h"

/* N(mu, cov) in d dimensions, carved out of one allocation. After mc_gauss_factor() (or a fit)
 * chol holds the lower factor L of cov (cov = L L^T) and logdet = log det cov. */
typedef struct mc_gauss {
    size_t d;
    double *mu;       /* (d) */
    gsl_matrix *cov;  /* (d, d): the covariance the model uses (after any regularisation) */
    gsl_matrix *chol; /* (d, d): lower factor L; the zero matrix for a point mass */
    double logdet;    /* log det cov; -inf for a point mass */
    double ridge;     /* what mc_gauss_factor added to the diagonal; 0 when nothing */
    int point_mass;   /* 1 when cov == 0 (e.g. all training samples identical) */
} mc_gauss;

/* Moments of one part of a dataset: [count, mean (d), M2 (d, d)], M2 = sum (x - mean)(x - mean)^T
 * (mc_gdata_moments). A moments block holds two parts: 0 the synthetic rows, 1 the human rows. */
#define MC_GMOM_SIZE(d) (1 + (d) + (d) * (d))

/* Allocates N(0, I_d). *out is owned by the caller (mc_gauss_free; NULL is a no-op). */
int mc_gauss_alloc(size_t d, mc_gauss **out, mc_error *err);
void mc_gauss_free(mc_gauss *g);
/* Copies mean, covariance, factor and flags; both of the same d. */
void mc_gauss_copy(mc_gauss *dst, const mc_gauss *src);

/* Factors g->cov (lower Cholesky, gsl_linalg_cholesky_decomp1) and sets logdet, ridge and
 * point_mass. A covariance that is singular (singular != 0 says so in advance, e.g. n <= d
 * samples; otherwise a pivot below 1e-12 of the mean variance reveals it) gets a ridge
 * 1e-6 * trace / d added to its diagonal, grown tenfold until the factorisation succeeds; the
 * ridge is kept in g->cov and reported in g->ridge (a flag, not an error: singular fits are the
 * phenomenon under study). A zero covariance becomes a point mass (L = 0, logdet = -inf).
 * MC_ECONFIG with `what` in the message when strict != 0 and cov is not positive definite (world
 * settings), MC_EINTERNAL when cov holds a non-finite value. */
int mc_gauss_factor(mc_gauss *g, int singular, int strict, const char *what, mc_error *err);

/* Weighted mean mu (d) and biased covariance C = sum_i w_i (x_i - mu)(x_i - mu)^T (d, d, both
 * triangles) of the n >= 1 rows of x (n, d), with weights w (n, summing to 1; NULL = 1/n each).
 * scratch (n, d) is left holding the rows sqrt(w_i) (x_i - mu), so that C = scratch^T scratch. */
int mc_weighted_moments(const double *x, uint64_t n, size_t d, const double *w, double *mu,
                        gsl_matrix *C, double *scratch, mc_error *err);

/* Fits g to the n rows of x (n, d): weighted mean and covariance with weights w (n, summing to 1;
 * NULL = 1/n each), mc_weighted_moments. unbiased != 0 divides by 1 - sum w_i^2 (n - 1 for
 * equal weights) instead of 1.
 * scratch holds (n, d) doubles. Then factors as mc_gauss_factor (singular when n <= d).
 * n == 1 gives a point mass (with unbiased too). n == 0 is MC_EINTERNAL. */
int mc_gauss_fit(mc_gauss *g, const double *x, uint64_t n, const double *w, int unbiased,
                 double *scratch, mc_error *err);

/* The same fit from per-part moments mom (2 * MC_GMOM_SIZE(d), as mc_gdata_moments) in O(d^2):
 * with human_weight = h in [0,1] and both parts non-empty, mu = h mu_1 + (1 - h) mu_0 and
 *   C = h M2_1 / n_1 + (1 - h) M2_0 / n_0 + h (1 - h) (mu_1 - mu_0)(mu_1 - mu_0)^T,
 * which equals the row-weighted fit with weights mc_gdata_weights(); unbiased divides by
 * 1 - h^2 / n_1 - (1 - h)^2 / n_0. Otherwise the parts are pooled with equal row weights. */
int mc_gauss_fit_moments(mc_gauss *g, const double *mom, double human_weight, int unbiased,
                         mc_error *err);

/* Draws n samples into x (n, d) from g with the sampling bias s (NULL = none):
 *   truncate = c > 0: only samples with Mahalanobis distance ||L^-1 (x - mu)|| <= c are kept
 *     (|x - mu| <= c sd in 1-D); drawn by rejection when the acceptance F_chi2_d(c^2) >= 0.25,
 *     otherwise exactly by direction times radius sqrt(F^-1_chi2_d(U F_chi2_d(c^2))), so it
 *     never loops for long;
 *   shrink = lambda in [0,1]: x = mu + (1 - lambda) (x' - mu), a pull towards the mean.
 * x = mu + (1 - lambda) L z with z standard normal (gsl_ran_gaussian_ziggurat), row by row. */
int mc_gauss_sample(gsl_rng *r, const mc_gauss *g, const mc_sampling *s, uint64_t n, double *x,
                    mc_error *err);
/* The same draw from a mean mu (d) and a lower factor L ((d, d) row-major with row stride tda;
 * only the lower triangle is read): how a mixture's contiguous components are drawn from. */
void mc_gauss_sample_factor(gsl_rng *r, size_t d, const double *mu, const double *L, size_t tda,
                            const mc_sampling *s, uint64_t n, double *x);

/* The pieces of that draw that deferred rows (gdata_deferred.c) repeat row by row:
 * n rows of d standard normals into z (n, d), each truncated at radius^2 c2 when c2 > 0
 * (p = F_chi2_d(c2)); and the truncation radius^2 and its chi-square probability of the sampling
 * bias s (c2 = 0, p = 1 without truncation). */
void mc_std_normal_rows(gsl_rng *r, size_t d, double c2, double p, uint64_t n, double *z);
void mc_sampling_truncation(size_t d, const mc_sampling *s, double *c2, double *p);

/* Factor by which the sampling bias s scales the covariance of samples, for theory:
 * (1 - lambda)^2 * F_chi2_{d+2}(c^2) / F_chi2_d(c^2) (the second factor is 1 without truncation),
 * since E[chi2_d 1{chi2_d <= c^2}] = d F_chi2_{d+2}(c^2). */
double mc_sampling_cov_factor(size_t d, const mc_sampling *s);

/* Squared Mahalanobis distance (x - mu)^T cov^-1 (x - mu) of x (d); work holds d doubles.
 * For a point mass: 0 at mu, +inf elsewhere. */
double mc_gauss_maha2(const mc_gauss *g, const double *x, double *work);
/* log N(x; mu, cov); work holds d doubles. Point mass: +inf at mu, -inf elsewhere. */
double mc_gauss_logpdf(const mc_gauss *g, const double *x, double *work);

/* The trace of a square matrix. */
double mc_trace(const gsl_matrix *A);

#endif
