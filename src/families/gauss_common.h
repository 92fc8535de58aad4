/* gauss_common.h - shared pieces of the continuous families (gaussian, gmm, kde, linreg).
 *
 * 1. mc_gdata: a training set that is an n x d array of doubles, row-major, with a human flag per
 *    row (provenance). Its operations have exactly the signatures of mc_family_type's dataset
 *    slots, so a continuous family puts them straight into its type descriptor:
 *        .ds_copy = mc_gdata_copy, .ds_merge = mc_gdata_merge, .ds_subsample = mc_gdata_subsample,
 *        .ds_size = mc_gdata_size, .ds_human = mc_gdata_human, .ds_free = mc_gdata_free
 *    merge is concatenation; subsample is index sampling without replacement that keeps the order
 *    and the human flags of the chosen rows.
 * 2. mc_gauss: a d-dimensional Gaussian N(mu, Sigma) with its lower Cholesky factor L (Sigma =
 *    L L^T): maximum-likelihood / unbiased / weighted fit, regularisation of a singular covariance
 *    (flagged), sampling with the sampling bias of issue 3 (shrink, truncate), log-density,
 *    Mahalanobis distance.
 * 3. mc_gmix: a Gaussian mixture sum_j w_j N(mu_j, Sigma_j) built from mc_gauss components.
 * 4. The [world] section shared by the gaussian, gmm and kde families: its keys' values and the
 *    Gaussian or Gaussian-mixture world they describe.
 * 5. Distances: W2 between Gaussians in closed form, exact 1-D W2 from quantile functions on a
 *    fixed grid, sliced W2 in d-D, tail masses.
 *
 * Conventions: d dimensions, n samples, k mixture components. Arrays are contiguous and
 * row-major; shapes are given as (rows, cols). Nothing here allocates per sample. Every stochastic
 * function takes the generator first. Functions that can fail return MC_OK or a negative MC_E*
 * code and fill err; GSL is called with its error handler off, and its status codes are checked.
 */
#ifndef COLLAPSE_GAUSS_COMMON_H
#define COLLAPSE_GAUSS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"
#include "collapse/experiment.h"
#include "collapse/family.h"

/* ---------------------------------------------------------------- config values */

/* Parses a list of numbers "1, 0.5; 0.5, 1": values separated by ',', rows by ';' (a flat list is
 * one row). Every row must have the same number of values, and every value must be a finite
 * number. On success *vals (nrows * ncols, row-major) is malloc'd for the caller to free.
 * MC_ECONFIG with `where` ("g.ini:3: [world] cov") leading the message otherwise. */
int mc_parse_rows(const char *text, const char *where, double **vals, size_t *nrows,
                  size_t *ncols, mc_error *err);

/* ---------------------------------------------------------------- datasets */

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

/* Moments of one part of a dataset: [count, mean (d), M2 (d, d)], M2 = sum (x - mean)(x - mean)^T.
 * Part 0 holds the synthetic rows, part 1 the human rows. */
#define MC_GMOM_SIZE(d) (1 + (d) + (d) * (d))

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

/* ---------------------------------------------------------------- one Gaussian */

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
 * NULL = 1/n each), mc_weighted_moments. unbiased != 0 divides by 1 - sum w_i^2 (n - 1 for equal weights) instead of 1.
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
/* n synthetic rows of N(g->mu, alpha^2 Sigma) with the sampling bias s (shrink: alpha = 1 - shrink;
 * truncate), whose values are fixed now by key but computed only when something needs them (see
 * mc_gdraw). The same key gives the same rows. *out is owned by the caller. */
int mc_gdata_new_deferred(const mc_gauss *g, const mc_sampling *s, uint64_t n, uint64_t key,
                          mc_gdata **out, mc_error *err);

/* Factor by which the sampling bias s scales the covariance of samples, for theory:
 * (1 - lambda)^2 * F_chi2_{d+2}(c^2) / F_chi2_d(c^2) (the second factor is 1 without truncation),
 * since E[chi2_d 1{chi2_d <= c^2}] = d F_chi2_{d+2}(c^2). */
double mc_sampling_cov_factor(size_t d, const mc_sampling *s);

/* Squared Mahalanobis distance (x - mu)^T cov^-1 (x - mu) of x (d); work holds d doubles.
 * For a point mass: 0 at mu, +inf elsewhere. */
double mc_gauss_maha2(const mc_gauss *g, const double *x, double *work);
/* log N(x; mu, cov); work holds d doubles. Point mass: +inf at mu, -inf elsewhere. */
double mc_gauss_logpdf(const mc_gauss *g, const double *x, double *work);

/* ---------------------------------------------------------------- mixtures */

/* sum_j w_j N(mu_j, cov_j), k >= 1 components in d dimensions. */
typedef struct mc_gmix {
    size_t k, d;
    double *w;         /* (k), sums to 1 */
    mc_gauss **comp;   /* (k) */
} mc_gmix;

/* Allocates k standard-normal components with equal weights (mc_gmix_free). */
int mc_gmix_alloc(size_t k, size_t d, mc_gmix **out, mc_error *err);
void mc_gmix_free(mc_gmix *m);
/* n samples into x (n, d): the component counts are one multinomial draw (sequential binomials),
 * each component fills its block of rows with mc_gauss_sample, then the rows are shuffled
 * (gsl_ran_shuffle) so that any prefix is a sample of the mixture. */
int mc_gmix_sample(gsl_rng *r, const mc_gmix *m, uint64_t n, double *x, mc_error *err);
/* log density at x (d), by log-sum-exp; work holds d doubles. */
double mc_gmix_logpdf(const mc_gmix *m, const double *x, double *work);
/* Overall mean (d) and covariance (d, d) of the mixture. */
void mc_gmix_moments(const mc_gmix *m, double *mean, gsl_matrix *cov);

/* ---------------------------------------------------------------- the [world] section */

/* The values of the [world] keys, so that one [world] section means the same world to every
 * continuous family (each family declares the keys in its own table, with its own bounds):
 *   dim      d (0: implied by mean / cov / means, else 1)
 *   mean     a Gaussian world's mean, d numbers (NULL: 0)
 *   sigma    isotropic standard deviation, Sigma = sigma^2 I
 *   cov      full covariance, rows separated by ';' ("1, 0.5; 0.5, 1"), or d^2 numbers
 *   means    a mixture world: component means, ';' between components ("-2, 0; 2, 0")
 *   weights  mixture weights (NULL: equal; normalised)
 *   sds      per-component isotropic standard deviations (NULL: sigma); cov applies to all
 *   holdout  size of the held-out human set the family draws with its world
 * The strings are borrowed from the experiment. */
typedef struct mc_gworld_params {
    long dim;
    const char *mean, *cov, *means, *weights, *sds;
    double sigma;
    uint64_t holdout;
} mc_gworld_params;

/* Builds the world's distribution from p: d, the k components and their factors. pt (NULL in
 * unit tests) gives the file and line of each key for messages. On success *out is owned by the
 * caller (mc_gmix_free); on failure it is NULL. MC_ECONFIG, naming the key, for a malformed or
 * impossible world: a wrong count of numbers, conflicting dimensions, world.mean with
 * world.means or world.cov with world.sds, negative weights, a standard deviation <= 0, a
 * covariance that is not exactly symmetric or not positive definite. */
int mc_gworld_mixture(const mc_gworld_params *p, const mc_point *pt, mc_gmix **out,
                      mc_error *err);

/* Which closed form of a continuous family's theory slot applies at pt: 0 for the replace
 * regime, 1 for accumulate with an unweighted fit (regime.human_weight unset), -1 for any other
 * regime or none. */
int mc_theory_regime(const mc_point *pt);

/* ---------------------------------------------------------------- distances */

/* Symmetric positive semi-definite square root: out = V diag(sqrt(max(lambda, 0))) V^T
 * (gsl_eigen_symmv). out has S's shape. */
int mc_sqrtm_psd(const gsl_matrix *S, gsl_matrix *out, mc_error *err);

/* 2-Wasserstein distance between N(m1, S1) and N(m2, S2), given R = S2^(1/2) (mc_sqrtm_psd):
 *   W2^2 = ||m1 - m2||^2 + tr S1 + tr S2 - 2 tr (R S1 R)^(1/2)
 * (Dowson & Landau 1982; Givens & Shortt 1984). Writes W2 (not squared) to *out. */
int mc_gauss_w2(const double *m1, const gsl_matrix *S1, const double *m2, const gsl_matrix *S2,
                const gsl_matrix *R, double *out, mc_error *err);

/* A quadrature grid for 1-D W2 from quantile functions:
 *   W2^2(A, B) = int_0^1 (QA(u) - QB(u))^2 du = int (QA(Phi(z)) - QB(Phi(z)))^2 phi(z) dz,
 * evaluated by the trapezoid rule on m equally spaced z in [-8.5, 8.5] (the integrand is smooth,
 * the Gaussian weight makes the rule converge fast, and the mass beyond 8.5 is below 1e-16).
 * A Gaussian's quantile at node i is simply mu + sd z[i]. */
typedef struct mc_qgrid {
    size_t m;
    double *z;  /* (m) nodes */
    double *wt; /* (m) weights phi(z_i) dz, summing to ~1 */
} mc_qgrid;

int mc_qgrid_alloc(size_t m, mc_qgrid **out, mc_error *err); /* m >= 3 */
void mc_qgrid_free(mc_qgrid *q);
/* W2 between two distributions given their quantiles qa, qb (m) at the grid's nodes. */
double mc_w2_quantiles(const mc_qgrid *q, const double *qa, const double *qb);
/* W2 between N(mu, sd^2) and a distribution with quantiles qb (m) at the nodes. */
double mc_w2_gauss_quantiles(const mc_qgrid *q, double mu, double sd, const double *qb);
/* Quantile at u = Phi(z) of the 1-D mixture sum_j w_j N(mu_j, sd_j^2), k components, solved
 * by bisection on the lower tail for z <= 0 and the upper tail for z > 0 (so that u near 1
 * keeps its precision). sd_j = 0 components are point masses. */
double mc_gmix1_quantile(size_t k, const double *w, const double *mu, const double *sd, double z);

/* Exact W2 between the empirical distributions of a (na) and b (nb), both sorted ascending:
 * the integral of the squared difference of two step quantile functions. */
double mc_w2_sorted(const double *a, size_t na, const double *b, size_t nb);

/* L unit directions (L, d), uniform on the sphere (gsl_ran_dir_nd). */
void mc_sliced_dirs(gsl_rng *r, size_t d, size_t L, double *theta);
/* Sliced W2 between a Gaussian g and a distribution whose projections on the directions theta
 * (L, d) have quantiles qb (L, m) at the grid's nodes:
 *   SW2 = ( (1/L) sum_l W2^2(theta_l . g, theta_l . B) )^(1/2),
 * the projection of N(mu, S) on theta being N(theta . mu, theta^T S theta). */
double mc_sliced_w2_gauss(const mc_qgrid *q, const mc_gauss *g, const double *theta, size_t L,
                          const double *qb);
/* The projections theta . x_i of the n points x (n, d) on the direction theta (d), sorted
 * ascending into out (n): one slice of a sliced W2 between samples. */
void mc_project_sorted(const double *theta, size_t d, const double *x, size_t n, double *out);
/* Sliced W2 between two point clouds x (nx, d) and y (ny, d) on directions theta (L, d), each
 * direction by mc_w2_sorted; work holds nx + ny doubles. */
double mc_sliced_w2_samples(const double *theta, size_t L, size_t d, const double *x, size_t nx,
                            const double *y, size_t ny, double *work);

/* P(X < lo) + P(X > hi) for X ~ N(mu, sd^2) (sd = 0: a point mass at mu). */
double mc_gauss_tail1(double mu, double sd, double lo, double hi);
/* Fraction of the points mu_g + L_g z_j, z_j the rows of zref (m, d) (fixed standard normal draws,
 * common random numbers across generations), whose squared Mahalanobis distance under the world
 * `ref` exceeds r2: the model's mass in the world's tails. work holds 2 d doubles. */
double mc_gauss_tail_maha(const mc_gauss *g, const mc_gauss *ref, double r2, const double *zref,
                          size_t m, double *work);

#endif
