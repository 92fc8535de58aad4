/* gaussian.c - the Gaussian family: fit N(mu, Sigma) to n samples in d dimensions, sample from it,
 * refit on its samples (Shumailov et al., "AI models collapse when trained on recursively
 * generated data", Nature 2024, section 3 and the supplement's Gaussian analysis).
 *
 * Fit: maximum likelihood (model.estimator = mle: Sigma = (1/n) sum (x - xbar)(x - xbar)^T) or the
 * unbiased covariance (1/(n-1)); weighted when fit_opts.human_weight >= 0. A singular covariance
 * (n <= d, or numerically singular) is regularised by a ridge and flagged; identical samples give a
 * point mass (variance 0), which is sampled and scored without NaN.
 *
 * World: a Gaussian N(mu_0, Sigma_0) (world.mean, world.cov or world.sigma) or a Gaussian mixture
 * (world.means, world.weights, world.sds), with a fixed held-out human set for the NLL metric.
 *
 * Metrics, per generation (mu_0, Sigma_0: the world's mean and covariance):
 *   mean_err      ||mu_g - mu_0||^2
 *   var_ratio     sigma_g^2 / sigma_0^2                        (d = 1)
 *   trace_ratio   tr Sigma_g / tr Sigma_0                      (d > 1)
 *   logdet_ratio  log det Sigma_g - log det Sigma_0            (d > 1)
 *   w2            2-Wasserstein distance to the world: closed form for a Gaussian world, exact
 *                 from quantile functions for a 1-D mixture, sliced (fixed random directions)
 *                 for a d-D mixture
 *   nll           mean negative log-likelihood of the held-out human samples (nats)
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
#include "collapse/continuous.h"
#include "collapse/experiment.h"
#include "collapse/rng.h"
#include "gauss_common.h"

typedef struct gparams {
    mc_gworld_params world; /* [world] */
    int estimator;         /* model.estimator: 0 mle, 1 unbiased */
    long directions;       /* metrics.directions */
    int moment_draws;      /* set by check(), not a key: the regime never looks at single rows,
                              so the model's draws may be made as sufficient statistics */
    int deferred_draws;    /* set by check(): the regime picks a few rows from a growing pool, so
                              the model's rows are computed only when picked (mc_gdraw) */
} gparams;

#define GP(f) offsetof(gparams, f)

static const mc_key gaussian_keys[] = {
    {"world", "dim", MC_KEY_INT, NULL, 1, 4096, 0, NULL, GP(world.dim),
     "d, dimensions (default: implied by world.mean / world.cov / world.means, else 1)"},
    {"world", "mean", MC_KEY_LIST, NULL, 0, 0, 0, NULL, GP(world.mean),
     "mean mu_0 of a Gaussian world, d numbers: \"0, 0\" (default 0)"},
    {"world", "sigma", MC_KEY_DOUBLE, "1", 0, 1e150, MC_KEY_MIN_OPEN, NULL, GP(world.sigma),
     "standard deviation of an isotropic world, Sigma_0 = sigma^2 I (> 0)"},
    {"world", "cov", MC_KEY_LIST, NULL, 0, 0, 0, NULL, GP(world.cov),
     "full covariance Sigma_0, rows separated by ';': \"1, 0.5; 0.5, 1\" (replaces sigma)"},
    {"world", "means", MC_KEY_LIST, NULL, 0, 0, 0, NULL, GP(world.means),
     "a Gaussian-mixture world: component means, ';' between components: \"-2, 0; 2, 0\""},
    {"world", "weights", MC_KEY_LIST, NULL, 0, 0, 0, NULL, GP(world.weights),
     "mixture weights, one per component: \"0.3, 0.7\" (default equal; normalised)"},
    {"world", "sds", MC_KEY_LIST, NULL, 0, 0, 0, NULL, GP(world.sds),
     "standard deviation of each (isotropic) component: \"1, 0.5\" (default world.sigma)"},
    {"world", "holdout", MC_KEY_COUNT, "1000", 1, 1e8, 0, NULL, GP(world.holdout),
     "size of the fixed held-out human set scored by the nll metric"},
    {"model", "estimator", MC_KEY_ENUM, "mle", 0, 0, 0, "mle|unbiased", GP(estimator),
     "covariance estimator: mle (divide by n) or unbiased (divide by n - 1)"},
    {"metrics", "directions", MC_KEY_INT, "64", 1, 100000, 0, NULL, GP(directions),
     "random directions of the sliced W2 (mixture world with d > 1)"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

/* Quantile-grid nodes for 1-D W2 and sliced W2; and common random numbers for the d-D tail mass. */
#define QGRID_M 401
#define TAIL_REF 1000

typedef struct gworld {
    size_t d;
    mc_gmix *mix;         /* the world; k = 1 for a Gaussian */
    mc_gauss *mom;        /* its overall mean mu_0 and covariance Sigma_0 (factored) */
    gsl_matrix *sqrt0;    /* Sigma_0^(1/2) */
    double tr0;
    uint64_t nho;         /* held-out human samples, kept as their mean and covariance: */
    double *ho_mean;      /*   (d) */
    gsl_matrix *ho_sqrt;  /*   (d, d) square root of their (1/nho) covariance */
    mc_qgrid *q;          /* mixture world only: */
    size_t L;             /*   directions (1 in 1-D) */
    double *theta;        /*   (L, d) */
    double *qworld;       /*   (L, m) world quantiles of each projection at the grid's nodes */
    double lo, hi;        /* 1-D tails: mu_0 -+ 3 sigma_0 */
    double r2;            /* d-D tails: the world's 99th percentile of the squared Mahalanobis */
    double iso_var;       /* sigma_0^2 when the world is N(mu_0, sigma_0^2 I), else 0 */
    double *zref;         /* (d, TAIL_REF) standard normal draws, one row per coordinate */
} gworld;

typedef struct gmodel {
    mc_gauss *g;
    double *mom;          /* (2 * MC_GMOM_SIZE(d)) moments of the training set */
} gmodel;

/* ---------------------------------------------------------------- world */

static void world_free(void *p)
{
    gworld *w = p;
    if (!w)
        return;
    mc_gmix_free(w->mix);
    mc_gauss_free(w->mom);
    gsl_matrix_free(w->sqrt0);
    free(w->ho_mean);
    gsl_matrix_free(w->ho_sqrt);
    mc_qgrid_free(w->q);
    free(w->theta);
    free(w->qworld);
    free(w->zref);
    free(w);
}

static int check(void *params, const mc_point *pt, mc_error *err)
{
    gparams *p = params;
    mc_gmix *mix;
    int rc = mc_gworld_mixture(&p->world, pt, &mix, err);
    mc_gmix_free(mix);
    /* A regime that uses model draws whole lets them be sufficient statistics; one that
     * subsamples a pool of draws picks a row of generation j of G at all with probability
     * 1 - j/(G+1), so its draws are deferred (mc_gdata_new_deferred): the same rows in law, half
     * the work. Any other regime gets real rows. */
    unsigned props = pt && pt->regime ? pt->regime->props : 0;
    p->moment_draws = (props & MC_REGIME_DRAWS_WHOLE) != 0;
    p->deferred_draws = (props & MC_REGIME_DRAWS_SUBSAMPLED) != 0;
    return rc;
}

/* The mean NLL of the held-out set needs only its mean m and covariance S (1/nho):
 *   mean_i (h_i - mu)^T Sigma^-1 (h_i - mu) = tr(Sigma^-1 S) + (m - mu)^T Sigma^-1 (m - mu),
 * so each generation costs O(d^3) whatever the held-out size. ho is centred in place. */
static int holdout_stats(gworld *w, double *ho, mc_error *err)
{
    size_t d = w->d, n = (size_t)w->nho;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            w->ho_mean[a] += ho[i * d + a] / (double)n;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            ho[i * d + a] -= w->ho_mean[a];
    gsl_matrix *S = gsl_matrix_alloc(d, d);
    if (!S)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    gsl_matrix_const_view H = gsl_matrix_const_view_array(ho, n, d);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / (double)n, &H.matrix, 0.0, S);
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < a; b++)
            gsl_matrix_set(S, b, a, gsl_matrix_get(S, a, b));
    int rc = mc_sqrtm_psd(S, w->ho_sqrt, err);
    gsl_matrix_free(S);
    return rc;
}

static int world_create(const void *params, const mc_point *pt, gsl_rng *r, void **out,
                        mc_error *err)
{
    const gparams *p = params;
    *out = NULL;
    gworld *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    int rc = mc_gworld_mixture(&p->world, pt, &w->mix, err);
    if (rc != MC_OK)
        goto fail;
    size_t d = w->d = w->mix->d, k = w->mix->k;
    if ((rc = mc_gauss_alloc(d, &w->mom, err)))
        goto fail;
    mc_gmix_moments(w->mix, w->mom->mu, w->mom->cov);
    w->iso_var = k == 1 ? gsl_matrix_get(w->mom->cov, 0, 0) : 0.0;
    for (size_t a = 0; a < d && w->iso_var > 0.0; a++)
        for (size_t b = 0; b < d; b++)
            if (gsl_matrix_get(w->mom->cov, a, b) != (a == b ? w->iso_var : 0.0))
                w->iso_var = 0.0;
    if ((rc = mc_gauss_factor(w->mom, 0, 1, "the world's covariance", err)))
        goto fail;
    w->sqrt0 = gsl_matrix_alloc(d, d);
    w->nho = p->world.holdout;
    double *ho = malloc((size_t)w->nho * d * sizeof(double));
    w->ho_mean = calloc(d, sizeof(double));
    w->ho_sqrt = gsl_matrix_alloc(d, d);
    w->zref = malloc((size_t)TAIL_REF * d * sizeof(double));
    if (!w->sqrt0 || !ho || !w->ho_mean || !w->ho_sqrt || !w->zref) {
        free(ho);
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world");
        goto fail;
    }
    if ((rc = mc_sqrtm_psd(w->mom->cov, w->sqrt0, err)))
        goto fail;
    w->tr0 = 0.0;
    for (size_t a = 0; a < d; a++)
        w->tr0 += gsl_matrix_get(w->mom->cov, a, a);
    rc = mc_gmix_sample(r, w->mix, w->nho, ho, err);
    if (rc == MC_OK)
        rc = holdout_stats(w, ho, err);
    free(ho);
    if (rc != MC_OK)
        goto fail;
    for (size_t i = 0; i < (size_t)TAIL_REF * d; i++)
        w->zref[i] = gsl_ran_gaussian_ziggurat(r, 1.0);

    /* tails */
    double s0 = sqrt(gsl_matrix_get(w->mom->cov, 0, 0));
    w->lo = w->mom->mu[0] - 3.0 * s0;
    w->hi = w->mom->mu[0] + 3.0 * s0;
    if (k == 1) {
        /* the world's own points are mu_0 + L_0 z, at squared distance ||z||^2: take the 99th
         * percentile of the reference set itself, so that the world scores exactly 0.01 and the
         * metric carries no offset from the finite reference set */
        double *z2 = calloc(TAIL_REF, sizeof(double));
        if (!z2) {
            rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world");
            goto fail;
        }
        for (size_t c = 0; c < d; c++)
            for (size_t j = 0; j < TAIL_REF; j++)
                z2[j] += w->zref[c * TAIL_REF + j] * w->zref[c * TAIL_REF + j];
        gsl_sort(z2, 1, TAIL_REF);
        size_t cut = TAIL_REF - TAIL_REF / 100; /* TAIL_REF / 100 points lie beyond */
        w->r2 = 0.5 * (z2[cut - 1] + z2[cut]);
        free(z2);
    } else {
        /* the world's 99th percentile of the squared Mahalanobis distance, from 10^5 draws */
        size_t m = 100000;
        double *x = malloc(m * d * sizeof(double)), *m2 = malloc(m * sizeof(double));
        double *work = malloc(d * sizeof(double));
        if (!x || !m2 || !work) {
            free(x), free(m2), free(work);
            rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world");
            goto fail;
        }
        rc = mc_gmix_sample(r, w->mix, m, x, err);
        for (size_t i = 0; rc == MC_OK && i < m; i++)
            m2[i] = mc_gauss_maha2(w->mom, x + i * d, work);
        if (rc == MC_OK) {
            gsl_sort(m2, 1, m);
            w->r2 = m2[(size_t)(0.99 * (double)(m - 1))];
        }
        free(x), free(m2), free(work);
        if (rc != MC_OK)
            goto fail;

        /* quantiles of the projections for W2: N(theta . mu_j, theta^T Sigma_j theta) */
        w->L = d == 1 ? 1 : (size_t)p->directions;
        w->theta = malloc(w->L * d * sizeof(double));
        w->qworld = malloc(w->L * QGRID_M * sizeof(double));
        double *pm = malloc(2 * k * sizeof(double));
        if (!w->theta || !w->qworld || !pm) {
            free(pm);
            rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world");
            goto fail;
        }
        if ((rc = mc_qgrid_alloc(QGRID_M, &w->q, err))) {
            free(pm);
            goto fail;
        }
        if (d == 1)
            w->theta[0] = 1.0;
        else
            mc_sliced_dirs(r, d, w->L, w->theta);
        for (size_t l = 0; l < w->L; l++) {
            const double *t = w->theta + l * d;
            for (size_t j = 0; j < k; j++) {
                const mc_gauss *c = w->mix->comp[j];
                double a = 0.0, v = 0.0;
                for (size_t i = 0; i < d; i++) {
                    a += t[i] * c->mu[i];
                    for (size_t i2 = 0; i2 < d; i2++)
                        v += t[i] * gsl_matrix_get(c->cov, i, i2) * t[i2];
                }
                pm[j] = a;
                pm[k + j] = sqrt(v);
            }
            for (size_t i = 0; i < QGRID_M; i++)
                w->qworld[l * QGRID_M + i] =
                    mc_gmix1_quantile(k, w->mix->w, pm, pm + k, w->q->z[i]);
        }
        free(pm);
    }
    *out = w;
    return MC_OK;
fail:
    world_free(w);
    return rc;
}

/* ---------------------------------------------------------------- datasets */

static double bytes_needed(const void *params, const void *world, double n)
{
    (void)params;
    const gworld *w = world;
    return n * ((double)w->d * sizeof(double) + 1.0);
}

static int draw_world(gsl_rng *r, const void *params, const void *world, uint64_t n, void **out,
                      mc_error *err)
{
    const gparams *p = params;
    const gworld *w = world;
    mc_gdata *ds;
    int rc = mc_gdata_new(w->d, n, 1, &ds, err);
    if (rc == MC_OK)
        rc = mc_gmix_sample(r, w->mix, n, ds->x, err);
    if (rc == MC_OK && p->moment_draws)
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
    free(m->mom);
    free(m);
}

static int model_alloc(const void *params, const void *world, void **out, mc_error *err)
{
    (void)params;
    const gworld *w = world;
    gmodel *m = calloc(1, sizeof *m);
    if (!m)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a model");
    m->mom = malloc(2 * MC_GMOM_SIZE(w->d) * sizeof(double));
    int rc = m->mom ? mc_gauss_alloc(w->d, &m->g, err)
                    : mc_error_set(err, MC_ENOMEM, "out of memory for a model");
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
    return rc != MC_OK ? rc : mc_gauss_fit_moments(m->g, m->mom, opts ? opts->human_weight : -1.0,
                                p->estimator == 1, err);
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
    G_NMETRICS
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

static int describe(const void *params, const void *world, mc_metric_list *out, mc_error *err)
{
    (void)params, (void)world;
    int rc = mc_metric_declare_all(out, METRICS, G_NMETRICS);
    return rc == MC_OK ? MC_OK : mc_error_set(err, rc, "out of memory for the metric list");
}

/* Mean NLL of the held-out set (holdout_stats): with M = L^-1 S^(1/2) and v = L^-1 (m - mu),
 *   NLL = (d log 2 pi + log det Sigma + ||M||_F^2 + ||v||^2) / 2. */
static int holdout_nll(const gworld *w, const mc_gauss *g, double *out, mc_error *err)
{
    size_t d = w->d;
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
static double tail_count(const gworld *w, const double *sv, const double *c, double *restrict s2)
{
    size_t d = w->d, m = TAIL_REF, beyond = 0, i = 0;
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
static int tail_mass(const gworld *w, const mc_gauss *g, double *out, mc_error *err)
{
    size_t d = w->d;
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
    gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0, w->mom->chol, A);
    for (size_t a = 0; a < d; a++)
        b[a] = g->mu[a] - w->mom->mu[a];
    gsl_vector_view bv = gsl_vector_view_array(b, d), cv = gsl_vector_view_array(c, d);
    gsl_vector_view svv = gsl_vector_view_array(sv, d), wv = gsl_vector_view_array(work, d);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, w->mom->chol, &bv.vector);
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
static int iso_w2_tail(const gworld *w, const mc_gauss *g, double e, double *w2, double *tail,
                       mc_error *err)
{
    size_t d = w->d;
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
        b[i] = (g->mu[i] - w->mom->mu[i]) / s0;
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
static int w2_world(const gworld *w, const mc_gauss *g, double *v, mc_error *err)
{
    if (w->mix->k == 1)
        return mc_gauss_w2(g->mu, g->cov, w->mom->mu, w->mom->cov, w->sqrt0, v, err);
    if (w->d == 1)
        *v = mc_w2_gauss_quantiles(w->q, g->mu[0], sqrt(gsl_matrix_get(g->cov, 0, 0)), w->qworld);
    else
        *v = mc_sliced_w2_gauss(w->q, g, w->theta, w->L, w->qworld);
    return MC_OK;
}

static int metrics(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err)
{
    (void)r;
    const gworld *w = ev->world;
    const gmodel *m = ev->model;
    const mc_gauss *g = m->g;
    size_t d = w->d;
    double e = 0.0, tr = 0.0;
    for (size_t a = 0; a < d; a++) {
        e += (g->mu[a] - w->mom->mu[a]) * (g->mu[a] - w->mom->mu[a]);
        tr += gsl_matrix_get(g->cov, a, a);
    }
    out[G_MEAN_ERROR] = e;
    out[G_TRACE_RATIO] = tr / w->tr0;
    out[G_LOGDET_RATIO] = g->logdet - w->mom->logdet;
    out[G_REGULARISED] = g->ridge > 0.0;
    out[G_POINT_MASS] = g->point_mass;
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
static double theory(const mc_point *pt, const void *world, size_t mi, unsigned g)
{
    const gworld *w = world;
    const gparams *p = pt->params;
    const mc_regime_settings *rs = &pt->regime_settings;
    if (!pt->regime || pt->regime->law != MC_LAW_MODEL_ONLY || rs->growth != 1.0)
        return NAN;
    size_t d = w->d;
    double n = (double)rs->n;
    if (n < 2.0)
        return NAN;
    double q = p->estimator == 1 ? 1.0 : (n - 1.0) / n;
    double c = mc_sampling_cov_factor(d, &pt->sampling);
    if (mi == G_MEAN_ERROR) {
        double s = 0.0, f = 1.0;
        for (unsigned j = 0; j <= g; j++, f *= c * q)
            s += f;
        return w->tr0 / n * s;
    }
    if (mi == G_TRACE_RATIO)
        return q * pow(c * q, (double)g);
    if (mi == G_LOGDET_RATIO) {
        if (w->mix->k != 1 || pt->sampling.truncate > 0.0 || n <= (double)d)
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

/* ---------------------------------------------------------------- the type */

const mc_family_type mc_family_gaussian = {
    .name = "gaussian",
    .description = "multivariate Gaussian fitted by maximum likelihood (or unbiased covariance)",
    .keys = gaussian_keys,
    .params_size = sizeof(gparams),
    .sampling = MC_SAMPLE_SHRINK | MC_SAMPLE_TRUNCATE,
    .check = check,
    .world_create = world_create,
    .world_free = world_free,
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
    .model_alloc = model_alloc,
    .fit = fit,
    .model_free = model_free,
    .metrics = metrics,
    .theory = theory,
    .signal = mc_gdata_signal,
};
