/* gaussian.c - the Gaussian family: fit N(mu, Sigma) to n samples in d dimensions, sample from it,
 * refit on its samples (Shumailov et al., "AI models collapse when trained on recursively
 * generated data", Nature 2024, section 3 and the supplement's Gaussian analysis).
 *
 * Fit: maximum likelihood (model.estimator = mle: Sigma = (1/n) sum (x - xbar)(x - xbar)^T) or the
 * unbiased covariance (1/(n-1)); weighted when fit_opts.human_weight >= 0. model.estimator = median
 * takes the coordinate-wise sample median as the mean (the covariance stays mle's; gauss_median.c);
 * model.covariance = known fits the mean only and keeps the world's covariance Sigma_0 (the
 * location model of Dey & Donoho). A singular covariance
 * (n <= d, or numerically singular) is regularised by a ridge and flagged; identical samples give a
 * point mass (variance 0), which is sampled and scored without NaN.
 *
 * World: a Gaussian N(mu_0, Sigma_0) (world.mean, world.cov or world.sigma) or a Gaussian mixture
 * (world.means, world.weights, world.sds), with a fixed held-out human set for the NLL metric.
 *
 * World construction: gaussian_world.c (on the shared gworld.c).
 *
 * Metrics, per generation (mu_0, Sigma_0: the world's mean and covariance), indexed by the G_
 * enum below in describe, metrics and theory:
 *   mean_error    ||mu_g - mu_0||^2
 *   trace_ratio   tr Sigma_g / tr Sigma_0                      (1-D: the variance ratio)
 *   logdet_ratio  log det Sigma_g - log det Sigma_0
 *   w2            2-Wasserstein distance to the world: closed form for a Gaussian world, exact
 *                 from quantile functions for a 1-D mixture, sliced (fixed random directions)
 *                 for a d-D mixture
 *   nll_heldout   mean negative log-likelihood of the held-out human samples (nats)
 *   tail_mass     the model's mass in the world's tails: P(|x - mu_0| > 3 sigma_0) in 1-D (exact),
 *                 P((x - mu_0)^T Sigma_0^-1 (x - mu_0) > world's 99th percentile) in d-D (on fixed
 *                 common random numbers, so the curve is smooth across generations)
 *   regularised   1 when the fitted covariance was singular and got a ridge
 *   point_mass    1 when all training samples were identical (Sigma_g = 0)
 * Theory (replace regime): see docs/THEORY.md and gaussian_theory() below.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sf_psi.h>
#include <gsl/gsl_sort.h>
#include "collapse/experiment.h"
#include "collapse/rng.h"
#include "continuous.h"
#include "gauss_gen0.h"
#include "gauss_median.h"
#include "gaussian_world.h"
#include "mixworld.h"

typedef struct gparams {
    mc_gworld_params world; /* [world] */
    int estimator;         /* model.estimator: 0 mle, 1 unbiased, 2 median (G_EST_*) */
    int known_cov;         /* model.covariance: 0 fit, 1 known (the world's Sigma_0) */
    long directions;       /* metrics.directions */
    int gen0;              /* metrics.gen0: report the distances to generation 0's fit */
    int w2sq;              /* metrics.w2sq: report the squared W2 (after the gen0 pair) */
    double random_mean;    /* world.random_mean: SD of a random world's mean shift (0: fixed) */
    double random_scale;   /* world.random_scale: SD of log sigma_0's random factor (0: fixed) */
    int moment_draws;      /* set by check(), not a key: the regime never looks at single rows,
                              so the model's draws may be made as sufficient statistics */
    int deferred_draws;    /* set by check(): the regime picks a few rows from a growing pool, so
                              the model's rows are computed only when picked (mc_gdraw) */
} gparams;

#define GP(f) offsetof(gparams, f)

static const mc_key gaussian_keys[] = {
    MC_GWORLD_KEYS(gparams),
    {"world", "random_mean", MC_KEY_DOUBLE, "0", 0, 1e150, MC_KEY_WORLD_IF_SET, NULL,
     GP(random_mean),
     "a random world per replicate: mu_0 = world.mean + delta, delta ~ N(0, SD^2 I) drawn "
     "from (run.seed, replicate) alone (0: one fixed world)"},
    {"world", "random_scale", MC_KEY_DOUBLE, "0", 0, 10, MC_KEY_WORLD_IF_SET, NULL,
     GP(random_scale),
     "a random world scale per replicate: Sigma_0 = exp(2 S Z) times the [world]'s, Z ~ N(0, 1) "
     "drawn from (run.seed, replicate) alone (0: fixed)"},
    {"model", "estimator", MC_KEY_ENUM, "mle", 0, 0, 0, "mle|unbiased|median", GP(estimator),
     "mle (mean; covariance divided by n), unbiased (divided by n - 1), or median (the "
     "coordinate-wise median as the mean; covariance as mle)"},
    {"model", "covariance", MC_KEY_ENUM, "fit", 0, 0, 0, "fit|known", GP(known_cov),
     "fit the covariance, or keep the world's (known: a location-only model, the mean fitted)"},
    {"metrics", "directions", MC_KEY_INT, "64", 1, 100000, 0, NULL, GP(directions),
     "random directions of the sliced W2 (mixture world with d > 1)"},
    {"metrics", "gen0", MC_KEY_BOOL, "false", 0, 0, 0, NULL, GP(gen0),
     "also report mean_gen0 and cov_gen0, the distances to the generation-0 fit"},
    {"metrics", "w2sq", MC_KEY_BOOL, "false", 0, 0, 0, NULL, GP(w2sq),
     "also report w2sq, the squared 2-Wasserstein distance to the world (1-D Gaussian world "
     "under replace: its expectation in closed form)"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

enum { G_EST_MLE, G_EST_UNBIASED, G_EST_MEDIAN };

typedef struct gmodel {
    mc_gauss *g;
    const mc_gauss *known; /* the world's N(mu_0, Sigma_0), for model.covariance = known */
    double *mom;          /* (2 * MC_GMOM_SIZE(d)) moments of the training set */
    mc_gauss *ref;        /* generation 0's fit: the unit's first (metrics.gen0) */
    int fitted;           /* fits so far */
} gmodel;

/* ---------------------------------------------------------------- world */

static int check(void *params, const mc_point *pt, mc_error *err)
{
    gparams *p = params;
    mc_gmm *mix;
    int rc = mc_gworld_mixture(&p->world, pt, &mix, err);
    mc_gmm_free(mix);
    /* A regime that uses model draws whole lets them be sufficient statistics; one that
     * subsamples a pool of draws picks a row of generation j of G at all with probability
     * 1 - j/(G+1), so its draws are deferred (mc_gdata_new_deferred): the same rows in law, half
     * the work. Any other regime gets real rows. */
    unsigned props = pt && pt->regime ? pt->regime->props : 0;
    if (mc_curation_active(pt)) /* a verifier or a detector looks at single rows */
        props = 0;
    if (p->estimator == G_EST_MEDIAN) /* the median needs every row */
        props = 0;
    p->moment_draws = (props & MC_REGIME_DRAWS_WHOLE) != 0;
    p->deferred_draws = (props & MC_REGIME_DRAWS_SUBSAMPLED) != 0;
    char where[256];
    if (rc == MC_OK && p->estimator == G_EST_MEDIAN && pt && pt->regime_settings.human_weight >= 0)
        rc = mc_error_set(err, MC_ECONFIG, "%s: the median estimator takes no regime.human_weight",
                          mc_point_where(pt, "model", "estimator", where, sizeof where));
    return rc;
}

static int world_create(const void *params, const mc_point *pt, gsl_rng *r, void **out,
                        mc_error *err)
{
    const gparams *p = params;
    return gauss_world_create(&p->world, p->directions, pt, r, (gauss_world **)out, err);
}

/* A replicate's own world: the shared world's keys with mu_0 moved by delta ~ N(0, SD^2 I)
 * (world.random_mean = SD) and Sigma_0 scaled by exp(2 S Z) (world.random_scale = S), built
 * again from r (its held-out set and reference draws too); NULL for a fixed world. */
static int world_instance(const void *params, const void *world, const mc_point *pt, gsl_rng *r,
                          void **out, mc_error *err)
{
    const gparams *p = params;
    *out = NULL;
    if (p->random_mean <= 0.0 && p->random_scale <= 0.0)
        return MC_OK;
    return gauss_world_random(&p->world, ((const gauss_world *)world)->base.d, p->random_mean,
                              p->random_scale, p->directions, pt, r, (gauss_world **)out, err);
}

/* ---------------------------------------------------------------- datasets */

static double bytes_needed(const void *params, const void *world, double n)
{
    (void)params;
    const gauss_world *w = world;
    return n * ((double)w->base.d * sizeof(double) + 1.0);
}

static int draw_world(gsl_rng *r, const void *params, const void *world, uint64_t n, void **out,
                      mc_error *err)
{
    const gparams *p = params;
    const gauss_world *w = world;
    mc_gdata *ds;
    int rc = mc_gworld_draw(r, &w->base, n, &ds, err);
    if (rc != MC_OK)
        return rc;
    if (p->moment_draws)
        rc = mc_gdata_moments(ds, err);
    if (rc != MC_OK) {
        mc_gdata_free(ds);
        return rc;
    }
    *out = ds;
    return MC_OK;
}

/* n draws of N(mu, a^2 Sigma) (a = 1 - shrink) as sufficient statistics: the sample mean is
 * N(mu, a^2 Sigma / n) and, independently, the scatter sum (x - xbar)(x - xbar)^T is Wishart
 * W_d(n - 1, a^2 Sigma) (gsl_ran_wishart, Bartlett's decomposition), exactly the law of the
 * moments of n rows, at O(d^3) instead of O(n d^2). Needs n > d (a non-singular Wishart). */
static int draw_moments(gsl_rng *r, const mc_gauss *g, const mc_sampling *s, uint64_t n,
                        void **out, mc_error *err)
{
    size_t d = g->d, sz = MC_GMOM_SIZE(d);
    double a = s ? 1.0 - s->shrink : 1.0;
    double *mom = calloc(2 * sz, sizeof(double));
    gsl_matrix *W = gsl_matrix_alloc(d, d), *work = gsl_matrix_alloc(d, d);
    int rc = MC_OK;
    if (!mom || !W || !work) {
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for a draw");
        goto done;
    }
    double *mean = mom + 1, *M2 = mom + 1 + d;
    mom[0] = (double)n;
    for (size_t i = 0; i < d; i++)
        mean[i] = gsl_ran_gaussian_ziggurat(r, 1.0 / sqrt((double)n));
    gsl_vector_view mv = gsl_vector_view_array(mean, d);
    gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, g->chol, &mv.vector);
    for (size_t i = 0; i < d; i++)
        mean[i] = g->mu[i] + a * mean[i];
    int st = gsl_ran_wishart(r, (double)(n - 1), g->chol, W, work);
    if (st != GSL_SUCCESS) {
        rc = mc_error_set(err, MC_EINTERNAL, "gsl_ran_wishart: %s", gsl_strerror(st));
        goto done;
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            M2[i * d + j] = a * a * gsl_matrix_get(W, i, j);
    mc_gdata *ds;
    rc = mc_gdata_new_virtual(d, n, 0, mom, &ds, err);
    if (rc == MC_OK)
        *out = ds;
done:
    free(mom);
    gsl_matrix_free(W);
    gsl_matrix_free(work);
    return rc;
}

static int draw_model(gsl_rng *r, const void *params, const void *model, const mc_sampling *s,
                      uint64_t n, void **out, mc_error *err)
{
    const gparams *p = params;
    const gmodel *m = model;
    if (p->moment_draws && (!s || s->truncate == 0.0) && n > m->g->d)
        return draw_moments(r, m->g, s, n, out, err);
    mc_gdata *ds;
    if (p->deferred_draws && n <= UINT32_MAX) {
        int rc = mc_gdata_new_deferred(m->g, s, n, mc_rng_u64(r), &ds, err);
        if (rc == MC_OK)
            *out = ds;
        return rc;
    }
    int rc = mc_gdata_new(m->g->d, n, 0, &ds, err);
    if (rc == MC_OK)
        rc = mc_gauss_sample(r, m->g, s, n, ds->x, err);
    /* cached moments pay off when whole draws are merged and fitted (not when subsampled) */
    if (rc == MC_OK && p->moment_draws)
        rc = mc_gdata_moments(ds, err);
    if (rc != MC_OK) {
        mc_gdata_free(ds);
        return rc;
    }
    *out = ds;
    return MC_OK;
}

/* ---------------------------------------------------------------- model */

static void model_free(void *p)
{
    gmodel *m = p;
    if (!m)
        return;
    mc_gauss_free(m->g);
    mc_gauss_free(m->ref);
    free(m->mom);
    free(m);
}

static int model_alloc(const void *params, const void *world, void **out, mc_error *err)
{
    const gauss_world *w = world;
    gmodel *m = calloc(1, sizeof *m);
    if (!m)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a model");
    m->known = w->base.overall;
    m->mom = malloc(2 * MC_GMOM_SIZE(w->base.d) * sizeof(double));
    int rc = m->mom ? mc_gauss_alloc(w->base.d, &m->g, err)
                    : mc_error_set(err, MC_ENOMEM, "out of memory for a model");
    if (rc == MC_OK && ((const gparams *)params)->gen0)
        rc = mc_gauss_alloc(w->base.d, &m->ref, err);
    if (rc != MC_OK) {
        model_free(m);
        return rc;
    }
    *out = m;
    return MC_OK;
}

static int fit(void *model, const void *params, const void *train, const mc_fit_opts *opts,
               mc_error *err)
{
    const gparams *p = params;
    gmodel *m = model;
    int rc = mc_gdata_moments_into(train, m->mom, err);
    if (rc == MC_OK)
        rc = mc_gauss_fit_moments(m->g, m->mom, opts ? opts->human_weight : -1.0,
                                  p->estimator == G_EST_UNBIASED, err);
    if (rc == MC_OK && p->estimator == G_EST_MEDIAN)
        rc = mc_gdata_median(train, m->g->mu, err);
    if (rc == MC_OK && p->known_cov) { /* Sigma_0 and its factor, the fitted mean kept */
        size_t d = m->g->d;
        double *mu = m->mom; /* scratch: the moments are spent */
        memcpy(mu, m->g->mu, d * sizeof *mu);
        mc_gauss_copy(m->g, m->known);
        memcpy(m->g->mu, mu, d * sizeof *mu);
    }
    if (rc == MC_OK && m->ref && m->fitted++ == 0)
        mc_gauss_copy(m->ref, m->g); /* the engine's first fit is generation 0's */
    return rc;
}

/* ---------------------------------------------------------------- metrics */

/* The metrics, in this order (describe, metrics and theory index them by this enum). */
enum {
    G_MEAN_ERROR,
    G_TRACE_RATIO,
    G_LOGDET_RATIO,
    G_W2,
    G_NLL_HELDOUT,
    G_TAIL_MASS,
    G_REGULARISED,
    G_POINT_MASS,
    G_NMETRICS,
    G_MEAN_GEN0 = G_NMETRICS, /* with metrics.gen0 */
    G_COV_GEN0
};

static const mc_metric_def METRICS[G_NMETRICS] = {
    [G_MEAN_ERROR] = {"mean_error", MC_ROLE_LOCATION, "", -1, MC_METRIC_HEADLINE,
                      "squared error of the mean ||mu_g - mu_0||^2"},
    [G_TRACE_RATIO] = {"trace_ratio", MC_ROLE_SPREAD, "ratio", 0, MC_METRIC_HEADLINE,
                       "trace ratio tr Sigma_g / tr Sigma_0 (1-D: the variance ratio)"},
    [G_LOGDET_RATIO] = {"logdet_ratio", MC_ROLE_SPREAD, "nats", 0, 0,
                        "log det Sigma_g - log det Sigma_0"},
    [G_W2] = {"w2", MC_ROLE_DIVERGENCE, "", -1, MC_METRIC_HEADLINE,
              "2-Wasserstein distance to the world (closed form for a Gaussian world; "
              "quantiles in 1-D, sliced in d-D for a mixture world)"},
    [G_NLL_HELDOUT] = {"nll_heldout", MC_ROLE_HELDOUT_FIT, "nats", -1, 0,
                       "mean negative log-likelihood of the held-out human set"},
    [G_TAIL_MASS] = {"tail_mass", MC_ROLE_TAIL, "fraction", 1, MC_METRIC_HEADLINE,
                     "model mass in the world's tail: beyond 3 world sd in 1-D, beyond the "
                     "world's 99th Mahalanobis percentile in d-D (world: 0.01)"},
    [G_REGULARISED] = {"regularised", MC_ROLE_DIAGNOSTIC, "", 0, 0,
                       "1 when the fitted covariance was singular and regularised"},
    [G_POINT_MASS] = {"point_mass", MC_ROLE_DIAGNOSTIC, "", 0, 0,
                      "1 when all training samples were identical (variance 0)"},
};

static const mc_metric_def GEN0_METRICS[2] = {
    {"mean_gen0", MC_ROLE_OTHER, "", -1, 0,
     "squared distance ||mu_g - mu_0||^2 of the mean to generation 0's fit"},
    {"cov_gen0", MC_ROLE_OTHER, "", -1, 0,
     "squared Frobenius distance ||Sigma_g - Sigma_0||_F^2 to generation 0's fit"},
};

static const mc_metric_def W2SQ_METRIC = {
    "w2sq", MC_ROLE_DIVERGENCE, "", -1, 0,
    "squared 2-Wasserstein distance W2^2 to the world (Shumailov et al.'s Theorem 3.1)"};

/* The index of w2sq among the metrics: after the gen0 pair when that is on. */
static size_t w2sq_index(const gparams *p)
{
    return G_NMETRICS + (p->gen0 ? 2u : 0u);
}

static int is_w2sq(const gparams *p, size_t mi)
{
    return p->w2sq && mi == w2sq_index(p);
}

static int describe(const void *params, const void *world, mc_metric_list *out, mc_error *err)
{
    (void)world;
    int rc = mc_metric_declare_all(out, METRICS, G_NMETRICS);
    if (rc == MC_OK && ((const gparams *)params)->gen0)
        rc = mc_metric_declare_all(out, GEN0_METRICS, 2);
    if (rc == MC_OK && ((const gparams *)params)->w2sq)
        rc = mc_metric_declare_all(out, &W2SQ_METRIC, 1);
    return rc == MC_OK ? MC_OK : mc_error_set(err, rc, "out of memory for the metric list");
}

/* Mean NLL of the held-out set (holdout_stats): with M = L^-1 S^(1/2) and v = L^-1 (m - mu),
 *   NLL = (d log 2 pi + log det Sigma + ||M||_F^2 + ||v||^2) / 2. */
static int holdout_nll(const gauss_world *w, const mc_gauss *g, double *out, mc_error *err)
{
    size_t d = w->base.d;
    if (g->point_mass) {
        *out = INFINITY;
        return MC_OK;
    }
    gsl_matrix *M = gsl_matrix_alloc(d, d);
    double *v = malloc(d * sizeof(double));
    if (!M || !v) {
        gsl_matrix_free(M);
        free(v);
        return mc_error_set(err, MC_ENOMEM, "out of memory for the nll metric");
    }
    gsl_matrix_memcpy(M, w->ho_sqrt);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, g->chol, M);
    for (size_t a = 0; a < d; a++)
        v[a] = w->ho_mean[a] - g->mu[a];
    gsl_vector_view vv = gsl_vector_view_array(v, d);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, g->chol, &vv.vector);
    double s = 0.0;
    for (size_t a = 0; a < d; a++) {
        s += v[a] * v[a];
        for (size_t b = 0; b < d; b++)
            s += gsl_matrix_get(M, a, b) * gsl_matrix_get(M, a, b);
    }
    gsl_matrix_free(M);
    free(v);
    *out = 0.5 * ((double)d * log(2.0 * M_PI) + g->logdet + s);
    return MC_OK;
}

/* The fraction of reference draws u_j with sum_i (s_i u_ij + c_i)^2 > r2 (see tail_mass). s2
 * (TAIL_REF) holds the sums; four coordinates i per pass over it, in a loop over the draws that
 * vectorises. */
static double tail_count(const gauss_world *w, const double *sv, const double *c,
                         double *restrict s2)
{
    size_t d = w->base.d, m = TAIL_REF, beyond = 0, i = 0;
    memset(s2, 0, m * sizeof(double));
    for (; i + 4 <= d; i += 4) {
        const double *restrict u0 = w->zref + i * m, *restrict u1 = u0 + m, *restrict u2 = u1 + m,
                               *restrict u3 = u2 + m;
        double s0 = sv[i], s1 = sv[i + 1], s2_ = sv[i + 2], s3 = sv[i + 3];
        double c0 = c[i], c1 = c[i + 1], c2 = c[i + 2], c3 = c[i + 3];
#pragma omp simd
        for (size_t j = 0; j < TAIL_REF; j++) {
            double t0 = s0 * u0[j] + c0, t1 = s1 * u1[j] + c1, t2 = s2_ * u2[j] + c2,
                   t3 = s3 * u3[j] + c3;
            s2[j] += (t0 * t0 + t1 * t1) + (t2 * t2 + t3 * t3);
        }
    }
    for (; i < d; i++) {
        const double *restrict u = w->zref + i * m;
        double si = sv[i], ci = c[i];
#pragma omp simd
        for (size_t j = 0; j < TAIL_REF; j++) {
            double t = si * u[j] + ci;
            s2[j] += t * t;
        }
    }
    for (size_t j = 0; j < m; j++)
        beyond += s2[j] > w->r2;
    return (double)beyond / (double)m;
}

/* d-D tail mass on common random numbers. A model point is x = mu_g + L_g z, z ~ N(0, I); its
 * squared Mahalanobis distance under the world is ||A z + b||^2 with A = L_0^-1 L_g and
 * b = L_0^-1 (mu_g - mu_0). With the SVD A = U S V^T (gsl_linalg_SV_decomp) and u = V^T z, again
 * N(0, I) since V is orthogonal,
 *     ||A z + b||^2 = sum_i (s_i u_i + (U^T b)_i)^2,
 * so the fixed reference draws u_j (d, TAIL_REF) serve every model at O(d) per draw instead of
 * O(d^2): one SVD of a d x d matrix and a vectorisable pass per coordinate. */
static int tail_mass(const gauss_world *w, const mc_gauss *g, double *out, mc_error *err)
{
    size_t d = w->base.d;
    gsl_matrix *A = gsl_matrix_alloc(d, d), *V = gsl_matrix_alloc(d, d);
    double *buf = malloc((4 * d + TAIL_REF) * sizeof(double));
    if (!A || !V || !buf) {
        gsl_matrix_free(A);
        gsl_matrix_free(V);
        free(buf);
        return mc_error_set(err, MC_ENOMEM, "out of memory for the tail metric");
    }
    double *b = buf, *c = buf + d, *sv = buf + 2 * d, *work = buf + 3 * d, *s2 = buf + 4 * d;
    gsl_matrix_memcpy(A, g->chol);
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, w->base.overall->chol, A);
    for (size_t a = 0; a < d; a++)
        b[a] = g->mu[a] - w->base.overall->mu[a];
    gsl_vector_view bv = gsl_vector_view_array(b, d), cv = gsl_vector_view_array(c, d);
    gsl_vector_view svv = gsl_vector_view_array(sv, d), wv = gsl_vector_view_array(work, d);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, w->base.overall->chol, &bv.vector);
    int st = gsl_linalg_SV_decomp(A, V, &svv.vector, &wv.vector); /* A becomes U */
    if (st == GSL_SUCCESS)
        gsl_blas_dgemv(CblasTrans, 1.0, A, &bv.vector, 0.0, &cv.vector); /* c = U^T b */
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    if (st != GSL_SUCCESS) {
        free(buf);
        return mc_error_set(err, MC_EINTERNAL, "gsl_linalg_SV_decomp: %s", gsl_strerror(st));
    }
    *out = tail_count(w, sv, c, s2);
    free(buf);
    return MC_OK;
}

/* An isotropic world N(mu_0, sigma_0^2 I) lets W2 and the d-D tail mass share one symmetric
 * eigen-decomposition Sigma_g = V diag(lambda) V^T (gsl_eigen_symmv):
 *   W2^2 = ||mu_g - mu_0||^2 + tr Sigma_g + d sigma_0^2 - 2 sigma_0 sum_i sqrt(lambda_i),
 * and A = L_0^-1 L_g = L_g / sigma_0 has singular values sqrt(lambda_i) / sigma_0 and left
 * singular vectors V, so the tail mass is tail_count with s_i = sqrt(lambda_i) / sigma_0 and
 * c = V^T (mu_g - mu_0) / sigma_0. */
static int iso_w2_tail(const gauss_world *w, const mc_gauss *g, double e, double *w2, double *tail,
                       mc_error *err)
{
    size_t d = w->base.d;
    gsl_matrix *A = gsl_matrix_alloc(d, d), *V = gsl_matrix_alloc(d, d);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(d);
    double *buf = malloc((4 * d + TAIL_REF) * sizeof(double));
    int rc = MC_OK;
    if (!A || !V || !ws || !buf) {
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for the metrics");
        goto done;
    }
    double *lam = buf, *sv = buf + d, *c = buf + 2 * d, *b = buf + 3 * d, *s2 = buf + 4 * d;
    gsl_matrix_memcpy(A, g->cov);
    gsl_vector_view lv = gsl_vector_view_array(lam, d);
    int st = gsl_eigen_symmv(A, &lv.vector, V, ws);
    if (st != GSL_SUCCESS) {
        rc = mc_error_set(err, MC_EINTERNAL, "gsl_eigen_symmv: %s", gsl_strerror(st));
        goto done;
    }
    double s0 = sqrt(w->iso_var), tr = 0.0, root = 0.0;
    for (size_t i = 0; i < d; i++) {
        double l = lam[i] > 0.0 ? lam[i] : 0.0;
        tr += gsl_matrix_get(g->cov, i, i);
        root += sqrt(l);
        sv[i] = sqrt(l) / s0;
        b[i] = (g->mu[i] - w->base.overall->mu[i]) / s0;
    }
    double v2 = e + tr + (double)d * w->iso_var - 2.0 * s0 * root;
    *w2 = sqrt(v2 > 0.0 ? v2 : 0.0);
    gsl_vector_view bv = gsl_vector_view_array(b, d), cv = gsl_vector_view_array(c, d);
    gsl_blas_dgemv(CblasTrans, 1.0, V, &bv.vector, 0.0, &cv.vector);
    *tail = tail_count(w, sv, c, s2);
done:
    gsl_matrix_free(A);
    gsl_matrix_free(V);
    gsl_eigen_symmv_free(ws);
    free(buf);
    return rc;
}

/* The distance to the world: closed form against a Gaussian world, else through the world's
 * quantiles (1-D) or sliced (d-D). */
static int w2_world(const gauss_world *w, const mc_gauss *g, double *v, mc_error *err)
{
    if (w->base.mix->k == 1)
        return mc_gauss_w2(g->mu, g->cov, w->base.overall->mu, w->base.overall->cov, w->sqrt0, v, err);
    if (w->base.d == 1)
        *v = mc_w2_gauss_quantiles(w->q, g->mu[0], sqrt(gsl_matrix_get(g->cov, 0, 0)), w->qworld);
    else
        *v = mc_sliced_w2_gauss(w->q, g, w->theta, w->L, w->qworld);
    return MC_OK;
}

static int metrics(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err)
{
    (void)r;
    const gauss_world *w = ev->world;
    const gmodel *m = ev->model;
    const mc_gauss *g = m->g;
    size_t d = w->base.d;
    double e = 0.0, tr = 0.0;
    for (size_t a = 0; a < d; a++) {
        e += (g->mu[a] - w->base.overall->mu[a]) * (g->mu[a] - w->base.overall->mu[a]);
        tr += gsl_matrix_get(g->cov, a, a);
    }
    out[G_MEAN_ERROR] = e;
    out[G_TRACE_RATIO] = tr / w->base.trace;
    out[G_LOGDET_RATIO] = g->logdet - w->base.overall->logdet;
    out[G_REGULARISED] = g->ridge > 0.0;
    out[G_POINT_MASS] = g->point_mass;
    if (m->ref)
        mc_gen0_shift(g, m->ref, &out[G_MEAN_GEN0], &out[G_COV_GEN0]);
    int rc;
    if (d > 1 && w->iso_var > 0.0)
        rc = iso_w2_tail(w, g, e, &out[G_W2], &out[G_TAIL_MASS], err);
    else if ((rc = w2_world(w, g, &out[G_W2], err)) == MC_OK) {
        if (d == 1)
            out[G_TAIL_MASS] =
                mc_gauss_tail1(g->mu[0], sqrt(gsl_matrix_get(g->cov, 0, 0)), w->lo, w->hi);
        else
            rc = tail_mass(w, g, &out[G_TAIL_MASS], err);
    }
    const gparams *p = ev->params;
    if (rc == MC_OK && p->w2sq)
        out[w2sq_index(p)] = out[G_W2] * out[G_W2];
    return rc != MC_OK ? rc : holdout_nll(w, g, &out[G_NLL_HELDOUT], err);
}

/* ---------------------------------------------------------------- theory */

/* Replace regime (every generation fitted on n fresh samples of the previous model; regime.h = 0,
 * regime.growth = 1, no weighting), engine generations g = 0, 1, ... (g = 0: fitted on the world).
 * With q = (n - 1)/n for mle (1 for unbiased) and c the covariance factor of the sampling bias
 * ((1 - lambda)^2 times the truncation factor, mc_sampling_cov_factor):
 *   E[tr Sigma_g] / tr Sigma_0   = q (c q)^g
 *   E||mu_g - mu_0||^2          = (tr Sigma_0 / n) sum_{j=0..g} (c q)^j
 *                                (= tr Sigma_0 (1 - q^(g+1)) for mle without bias)
 *   E[log det Sigma_g / Sigma_0] = (g + 1) (sum_{i=1..d} psi((n - i)/2) + d log(2/m))
 *                                  + g d log (1 - lambda)^2     (Gaussian world, n > d, no
 *                                 truncation; m = n for mle, n - 1 for unbiased: Wishart log-det)
 * The first two hold for any world with finite second moments. */
/* Accumulate (unweighted; any regime.growth): the pool's expected scatter s_g = E tr SS_g and
 * M_g = E||mu_g - mu_0||^2 follow the recursion of docs/THEORY.md ("Kernel density": a model's
 * draws have mean mu_g and covariance c Sigma_g, with Sigma_g = SS_g / N_g for mle and
 * SS_g / (N_g - 1) unbiased), which is linear in s_g and so exact in expectation:
 *   E tr Sigma_g / tr Sigma_0 = s_g / (m_g tr Sigma_0),   E||mu_g - mu_0||^2 = M_g. */
static double theory_accumulate(const mc_point *pt, const gauss_world *w, int unbiased,
                                int known, size_t mi, unsigned g)
{
    double c = mc_sampling_cov_factor(w->base.d, &pt->sampling), T = w->base.trace;
    double N = (double)mc_point_n(pt, 0), SS = (N - 1.0) * T, M = T / N;
    if (N < 2.0)
        return NAN;
    for (unsigned j = 1; j <= g; j++)
        mixworld_theory_step(1, (double)mc_point_n(pt, j),
                             c * (known ? T : SS / (unbiased ? N - 1.0 : N)), &SS, &M, &N);
    if (mi == G_TRACE_RATIO)
        return SS / (unbiased ? N - 1.0 : N) / T;
    return mi == G_MEAN_ERROR ? M : NAN;
}

/* Accumulate-subsample (unweighted): the pool (N points, expected scatter s, M = E||pool mean -
 * mu_0||^2) grows as under accumulate, and generation g trains on n of it without replacement,
 * which is unbiased for the pool's unbiased covariance and puts the training mean at
 * E||mean - pool mean||^2 = D = s (N - n) / ((N - 1) N n) (the finite-population correction).
 * Adding n draws of model g-1 (mean: its training mean; covariance c Sigma_(g-1), E tr Sigma =
 * (n - 1)/n s / (N - 1) for mle) gives, with the between-group term's expectation
 * c tr Sigma / n + D:  s += (n - 1) c tr Sigma + N n / (N + n) (c tr Sigma / n + D) and
 * M += (n / (N + n))^2 (c tr Sigma / n + D); a training set's mean error is M + D. All linear in
 * s, so exact in expectation. */
static double theory_subsample(const mc_point *pt, const gauss_world *w, int unbiased, int known,
                               size_t mi, unsigned g)
{
    double c = mc_sampling_cov_factor(w->base.d, &pt->sampling), T = w->base.trace;
    double N = (double)mc_point_n(pt, 0), s = (N - 1.0) * T, M = T / N, n = N, D = 0.0;
    if (N < 2.0)
        return NAN;
    for (unsigned j = 1; j <= g; j++) {
        double tr = known ? T : (unbiased ? 1.0 : (n - 1.0) / n) * s / (N - 1.0); /* model j-1 */
        double a = (double)mc_point_n(pt, j), between = c * tr / a + D;
        s += (a - 1.0) * c * tr + N * a / (N + a) * between;
        M += (a / (N + a)) * (a / (N + a)) * between;
        N += a;
        n = a < N ? a : N;
        D = s * (N - n) / ((N - 1.0) * N * n);
    }
    if (mi == G_TRACE_RATIO)
        return (unbiased ? 1.0 : (n - 1.0) / n) * s / (N - 1.0) / T;
    return mi == G_MEAN_ERROR ? M + D : NAN;
}

/* A fresh regime (MC_REGIME_H_IS_FRESH: n_h = round(h n) new world samples, n_s = n - n_h of
 * model g-1), weighted by w = regime.human_weight or unweighted (w = n_h / n, the same formula).
 * The fit is Sigma = w S_h + (1 - w) S_s + w (1 - w) (xbar_h - xbar_s)(...)^T (gauss_law.c; S the
 * parts' mle covariances), divided by 1 - w^2/n_h - (1 - w)^2/n_s when unbiased, and
 * mu = w xbar_h + (1 - w) xbar_s. With A = c E tr Sigma_(g-1) (the draws' covariance) and
 * M = E||mu_(g-1) - mu_0||^2:
 *   E tr Sigma_g = w (n_h - 1)/n_h T + (1 - w)(n_s - 1)/n_s A + w (1 - w)(T/n_h + A/n_s + M)
 *   E||mu_g - mu_0||^2 = w^2 T / n_h + (1 - w)^2 (A / n_s + M),
 * linear in (A, M), so exact in expectation (He, Xu & Cheng 2025 minimise the stationary M
 * over w). NaN when a part is empty (h n rounds to 0 or n). */
static double theory_fresh(const mc_point *pt, const gauss_world *w, int unbiased, int known,
                           size_t mi, unsigned g)
{
    double c = mc_sampling_cov_factor(w->base.d, &pt->sampling), T = w->base.trace;
    double n = (double)mc_point_n(pt, 0), tr = (unbiased ? 1.0 : (n - 1.0) / n) * T, M = T / n;
    if (n < 2.0)
        return NAN;
    for (unsigned j = 1; j <= g; j++) {
        n = (double)mc_point_n(pt, j);
        double nh = (double)mc_human_count(mc_point_h(pt, j), (uint64_t)n), ns = n - nh;
        if (nh < 1.0 || ns < 1.0)
            return NAN;
        double wh = pt->regime_settings.human_weight >= 0 ? pt->regime_settings.human_weight
                                                          : nh / n;
        double A = c * tr, ws = 1.0 - wh;
        tr = wh * (nh - 1.0) / nh * T + ws * (ns - 1.0) / ns * A + wh * ws * (T / nh + A / ns + M);
        if (unbiased)
            tr /= 1.0 - wh * wh / nh - ws * ws / ns;
        if (known)
            tr = T;
        M = wh * wh * T / nh + ws * ws * (A / ns + M);
    }
    if (mi == G_TRACE_RATIO)
        return tr / T;
    return mi == G_MEAN_ERROR ? M : NAN;
}

/* The distances to generation 0's fit under replace (gauss_gen0.c); the covariance's needs a
 * Gaussian world, no truncation and n > d (no ridge); the moment fit only (not the median, not a
 * known covariance). */
static double theory_gen0(const mc_point *pt, const gauss_world *w, size_t mi, unsigned g)
{
    const gparams *p = pt->params;
    size_t d = w->base.d;
    mc_gen0_case k = {(double)pt->regime_settings.n, w->base.trace, 0.0,
                      mc_sampling_cov_factor(d, &pt->sampling), p->estimator == G_EST_UNBIASED};
    if (p->estimator == G_EST_MEDIAN || p->known_cov)
        return NAN; /* the forms are the moment fit's */
    if (mi == G_MEAN_GEN0)
        return mc_gen0_mean_theory(&k, g);
    if (w->base.mix->k != 1 || pt->sampling.truncate > 0.0 || k.n <= (double)d)
        return NAN;
    const gsl_matrix *S = w->base.overall->cov;
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            k.T2 += gsl_matrix_get(S, a, b) * gsl_matrix_get(S, b, a);
    return mc_gen0_cov_theory(&k, g);
}

/* E W2^2 under replace, 1-D Gaussian world N(mu_0, s^2), moment fit (docs/THEORY.md, "The
 * squared W2"): W2^2 = (mu_g - mu_0)^2 + (sigma_g - s)^2, so
 *   E W2^2 = E (mu_g - mu_0)^2 + E sigma_g^2 + s^2 - 2 s E sigma_g,
 * with sigma_g^2 = s^2 c^g prod_{j <= g} chi2_{n-1, j} / m (m = n, or n - 1 unbiased; c the
 * sampling's variance factor) and E sqrt(chi2_{n-1}) = sqrt 2 Gamma(n/2) / Gamma((n-1)/2). */
static double theory_w2sq(const mc_point *pt, const gauss_world *w, unsigned g, double mean_th,
                          double ratio_th)
{
    const gparams *p = pt->params;
    double n = (double)pt->regime_settings.n, s2 = w->base.trace;
    if (w->base.d != 1 || w->base.mix->k != 1 || pt->sampling.truncate > 0.0 ||
        p->estimator == G_EST_MEDIAN || !(n >= 2.0))
        return NAN;
    if (p->known_cov) /* sigma_g = s: the mean's distance alone */
        return mean_th;
    double m = p->estimator == G_EST_UNBIASED ? n - 1.0 : n;
    double c = mc_sampling_cov_factor(1, &pt->sampling);
    double r = sqrt(2.0 / m) * exp(lgamma(n / 2.0) - lgamma((n - 1.0) / 2.0));
    double e_sigma = sqrt(s2) * pow(r, (double)g + 1.0) * pow(c, (double)g / 2.0);
    return mean_th + s2 * ratio_th + s2 - 2.0 * sqrt(s2) * e_sigma;
}

static double theory_fixed(const mc_point *pt, const void *world, size_t mi, unsigned g)
{
    const gauss_world *w = world;
    const gparams *p = pt->params;
    const mc_regime_settings *rs = &pt->regime_settings;
    if (is_w2sq(p, mi)) {
        if (mc_theory_case_of(pt) != MC_THEORY_REPLACE || rs->growth != 1.0)
            return NAN;
        return theory_w2sq(pt, w, g, theory_fixed(pt, world, G_MEAN_ERROR, g),
                           theory_fixed(pt, world, G_TRACE_RATIO, g));
    }
    int unb = p->estimator == G_EST_UNBIASED, known = p->known_cov;
    if (known && (mi == G_TRACE_RATIO || mi == G_LOGDET_RATIO)) /* Sigma_g = Sigma_0, always */
        return mi == G_TRACE_RATIO ? 1.0 : 0.0;
    int median = p->estimator == G_EST_MEDIAN;
    if (median && mi == G_MEAN_ERROR && mc_theory_case_of(pt) != MC_THEORY_REPLACE)
        return NAN; /* the pooled median has no exact form (docs/THEORY.md: Dey & Donoho's limit) */
    if (mc_theory_case_of(pt) == MC_THEORY_ACCUMULATE)
        return theory_accumulate(pt, w, unb, known, mi, g);
    if (pt->regime && pt->regime->law == MC_LAW_ACCUMULATE_SUBSAMPLE && rs->human_weight < 0)
        return theory_subsample(pt, w, unb, known, mi, g);
    if (pt->regime && (pt->regime->props & MC_REGIME_H_IS_FRESH))
        return theory_fresh(pt, w, unb, known, mi, g);
    if (mc_theory_case_of(pt) != MC_THEORY_REPLACE || rs->growth != 1.0)
        return NAN;
    size_t d = w->base.d;
    double n = (double)rs->n;
    if (n < 2.0)
        return NAN;
    double q = unb ? 1.0 : (n - 1.0) / n;
    double c = mc_sampling_cov_factor(d, &pt->sampling);
    if (mi == G_MEAN_GEN0 || mi == G_COV_GEN0)
        return theory_gen0(pt, w, mi, g);
    if (mi == G_MEAN_ERROR) {
        /* the location's variance per unit of the sampled covariance: 1/n for the mean, the
         * median's v(n) (exact for a Gaussian, so generation 0 needs a Gaussian world) */
        if (median && (w->base.mix->k != 1 || pt->sampling.truncate > 0.0))
            return NAN;
        double v = median ? mc_normal_median_var(rs->n) : 1.0 / n;
        if (known)
            return w->base.trace * v * (1.0 + (double)g * c);
        double s = 0.0, f = 1.0;
        for (unsigned j = 0; j <= g; j++, f *= c * q)
            s += f;
        return w->base.trace * v * s;
    }
    if (mi == G_TRACE_RATIO)
        return q * pow(c * q, (double)g);
    if (mi == G_LOGDET_RATIO) {
        if (w->base.mix->k != 1 || pt->sampling.truncate > 0.0 || n <= (double)d)
            return NAN;
        double m = p->estimator == 1 ? n - 1.0 : n, kappa = (double)d * log(2.0 / m);
        for (size_t i = 1; i <= d; i++)
            kappa += gsl_sf_psi((n - (double)i) / 2.0);
        double shrink = 1.0 - pt->sampling.shrink;
        double bias = shrink > 0.0 ? 2.0 * (double)d * log(shrink) : -INFINITY;
        return (double)(g + 1) * kappa + (g ? (double)g * bias : 0.0);
    }
    return NAN;
}

/* Over a random world (world.random_mean, world.random_scale) the expectation over its law:
 * every closed form is translation invariant; under Sigma_0 -> L Sigma_0, L = exp(2 S Z), the
 * ratios stay, the squared mean distances scale by L (E L = exp(2 S^2)) and cov_gen0 by L^2
 * (E L^2 = exp(8 S^2)); docs/THEORY.md, "A random world per replicate". */
static double theory(const mc_point *pt, const void *world, size_t mi, unsigned g)
{
    const gparams *p = pt->params;
    double th = theory_fixed(pt, world, mi, g), s2 = p->random_scale * p->random_scale;
    if (s2 == 0.0 || mi == G_TRACE_RATIO || mi == G_LOGDET_RATIO)
        return th;
    if (mi == G_MEAN_ERROR || mi == G_MEAN_GEN0 || is_w2sq(p, mi))
        return th * exp(2.0 * s2); /* W2^2 scales with the world's variance too */
    return mi == G_COV_GEN0 ? th * exp(8.0 * s2) : NAN;
}

/* The web's distance between two models: the 2-Wasserstein distance of the two Gaussians. */
static int distance(const void *params, const void *va, const void *vb, double *out,
                    mc_error *err)
{
    (void)params;
    const mc_gauss *a = ((const gmodel *)va)->g, *b = ((const gmodel *)vb)->g;
    gsl_matrix *R = gsl_matrix_alloc(b->d, b->d);
    if (!R)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int rc = mc_sqrtm_psd(b->cov, R, err);
    if (rc == MC_OK)
        rc = mc_gauss_w2(a->mu, a->cov, b->mu, b->cov, R, out, err);
    gsl_matrix_free(R);
    return rc;
}

/* ---------------------------------------------------------------- the type */

const mc_family_type mc_family_gaussian = {
    .name = "gaussian",
    .description = "multivariate Gaussian fitted by maximum likelihood (or unbiased covariance)",
    .keys = gaussian_keys,
    .params_size = sizeof(gparams),
    .sampling = MC_SAMPLE_SHRINK | MC_SAMPLE_TRUNCATE,
    .check = check,
    .world_create = world_create,
    .world_free = gauss_world_free,
    .world_instance = world_instance,
    .describe = describe,
    .bytes_needed = bytes_needed,
    .draw_world = draw_world,
    .draw_model = draw_model,
    .ds_copy = mc_gdata_copy,
    .ds_merge = mc_gdata_merge,
    .ds_subsample = mc_gdata_subsample,
    .ds_size = mc_gdata_size,
    .ds_human = mc_gdata_human,
    .ds_free = mc_gdata_free,
    .score = mc_gworld_score,
    .ds_pick = mc_gdata_pick,
    .ds_thin = mc_gdata_thin,
    .distance = distance,
    .model_alloc = model_alloc,
    .fit = fit,
    .model_free = model_free,
    .metrics = metrics,
    .theory = theory,
    .signal = mc_gdata_signal,
};
