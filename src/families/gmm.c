/* gmm.c - the Gaussian-mixture family: k components in d dimensions fitted by EM.
 *
 * The setting of Shumailov et al. (Nature 631, 2024), who refit a GMM on its own samples and
 * watch it lose its tails. World: a Gaussian or a Gaussian mixture (mixworld.h). Model: k
 * components, full or diagonal covariances, fitted by weighted EM from k-means++ starts with
 * scikit-learn's covariance floor reg_covar (gmm_em.c, gmm.h).
 *
 * fit() receives no generator, so the k-means++ starts draw from a stream keyed by a hash of the
 * training set: the same data always gives the same fit, whatever thread runs it.
 *
 * Sampling bias (sampling.shrink, sampling.truncate) acts on each component as on the gaussian
 * family's single Gaussian (mc_gauss_sample): a sample of component j is pulled towards mu_j, or
 * kept only within c of mu_j in component j's Mahalanobis distance. The rows are then shuffled so
 * that any prefix is a sample of the mixture.
 *
 * Metrics per generation (world: mean mu_0, covariance Sigma_0, held-out set H):
 *   mean_error    ||mu_g - mu_0||^2 of the mixture's overall mean
 *   trace_ratio   tr Sigma_g / tr Sigma_0 of the overall covariances
 *   logdet_ratio  log det Sigma_g - log det Sigma_0
 *   w2_sliced     sliced W2 between metrics.samples model draws and H (mixworld.c)
 *   nll_heldout   -(1/|H|) sum_{x in H} log p_g(x)
 *   tail_mass     model mass beyond the world's 99th Mahalanobis percentile (world: 0.01)
 *   l2_world      ||p_g - p_world||_2, closed form (gmm_em.c)
 *   degenerate    components re-seeded or collapsed onto the covariance floor in this fit
 *   em_iterations EM iterations of the kept start
 *   l2sq_gen0     with metrics.gen0: ||p_g - p_0||_2^2, the squared L2 distance between the
 *                 densities of this generation's fit and generation 0's (the fit to the world's
 *                 sample), closed form (gmm_law.c): what Shumailov et al. plot for their GMM
 *
 * model.init = kmeans runs Lloyd's k-means from the k-means++ seeds before EM, as scikit-learn's
 * GaussianMixture does by default (their code's setting); kmeans++ (the default) assigns once.
 *
 * Theory (k = 1 only): one component is the maximum-likelihood Gaussian plus the floor, Sigma_g =
 * S_b + reg_covar I, drawn from with covariance c_s Sigma_g (c_s = mc_sampling_cov_factor). As for
 * the kde family (docs/THEORY.md), the expected scatter of the training sets then follows a linear
 * recursion under replace and unweighted accumulate, which gives E trace_ratio and E mean_error
 * exactly; with a = (n-1)/n, replace and no floor, E tr Sigma_g = a (a c_s)^g tr Sigma_0.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "collapse/randist.h"
#include "collapse/experiment.h"
#include "collapse/family.h"
#include "gmm.h"
#include "collapse/rng.h"
#include "gauss_law.h"
#include "gdata.h"
#include "gworld.h"
#include "mixworld.h"

typedef struct gmm_params {
    mc_gworld_params world;
    long k;
    int covtype; /* MC_GMM_FULL | MC_GMM_DIAG, the order of the choices below */
    double reg_covar, tol;
    long max_iter, restarts;
    int init; /* MC_GMM_INIT_*, the order of the choices below */
    int gen0; /* metrics.gen0: report l2sq_gen0 */
    long slices;
    uint64_t samples;
} gmm_params;

static const mc_key gmm_keys[] = {
    MC_GWORLD_KEYS(gmm_params),
    {"model", "k", MC_KEY_INT, "2", 1, 10000, 0, NULL, offsetof(gmm_params, k),
     "number of mixture components k (>= 1)"},
    {"model", "covariance", MC_KEY_ENUM, "full", 0, 0, 0, "full|diag",
     offsetof(gmm_params, covtype), "covariance of each component: full, or diag (diagonal)"},
    {"model", "reg_covar", MC_KEY_DOUBLE, "1e-6", 0, 1e300, 0, NULL,
     offsetof(gmm_params, reg_covar),
     "floor added to every covariance's diagonal (scikit-learn's reg_covar)"},
    {"model", "tol", MC_KEY_DOUBLE, "1e-3", 0, 1e300, MC_KEY_MIN_OPEN, NULL,
     offsetof(gmm_params, tol), "EM stops when the mean log-likelihood changes by less"},
    {"model", "max_iter", MC_KEY_INT, "100", 1, 1e6, 0, NULL, offsetof(gmm_params, max_iter),
     "EM iterations at most, per start"},
    {"model", "restarts", MC_KEY_INT, "1", 1, 1000, 0, NULL, offsetof(gmm_params, restarts),
     "k-means++ starts per fit; the best likelihood is kept"},
    {"model", "init", MC_KEY_ENUM, "kmeans++", 0, 0, 0, "kmeans++|kmeans",
     offsetof(gmm_params, init),
     "EM start: k-means++ seeds and one assignment, or Lloyd's k-means from them (scikit-learn's "
     "default)"},
    {"metrics", "gen0", MC_KEY_BOOL, "false", 0, 0, 0, NULL, offsetof(gmm_params, gen0),
     "also report l2sq_gen0, the squared L2 distance to the generation-0 fit"},
    MIXWORLD_METRIC_KEYS(gmm_params),
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

typedef struct gmm_model {
    size_t k, d;
    mc_gmm *m;           /* the fitted mixture */
    mc_gmm *ref;         /* generation 0's fit (the first fit of the unit) */
    int fitted;          /* fits so far */
    mc_gauss **comp;     /* (k) the same components as factored Gaussians, for biased sampling
                            (mc_gauss_factor's ridge for a singular one, as the gaussian family) */
    mc_gmm_em *ws;       /* EM workspace, reused across generations */
    gsl_rng *r;          /* the k-means++ stream, re-keyed from each training set */
    double *wt;          /* (wcap) per-point weights of a weighted fit */
    size_t wcap;
    mc_gmm_em_stats stats;
} gmm_model;

static int gmm_world_create(const void *params, const mc_point *pt, gsl_rng *r, void **world,
                            mc_error *err)
{
    return mixworld_create(&((const gmm_params *)params)->world, pt, r, (mixworld **)world, err);
}

/* gmm's metrics after the shared ones (mixworld.h), in this order. */
enum { GMM_L2_WORLD = MIX_NSHARED, GMM_DEGENERATE, GMM_EM_ITERATIONS, GMM_NMETRICS, GMM_L2SQ_GEN0 =
       GMM_NMETRICS };
static const mc_metric_def GMM_GEN0_METRIC = {
    "l2sq_gen0", MC_ROLE_OTHER, "", -1, 0,
    "squared L2 distance ||p_g - p_0||^2 to the generation-0 fit (Shumailov et al.'s Fig.)"};
static const mc_metric_def GMM_METRICS[GMM_NMETRICS - MIX_NSHARED] = {
    {"l2_world", MC_ROLE_DIVERGENCE, "", -1, MC_METRIC_HEADLINE,
     "closed-form L2 distance between the model and world densities"},
    {"degenerate", MC_ROLE_DIAGNOSTIC, "components", -1, 0,
     "components re-seeded or collapsed onto the covariance floor"},
    {"em_iterations", MC_ROLE_DIAGNOSTIC, "iterations", 0, 0, "EM iterations of the kept start"},
};

static int gmm_describe(const void *params, const void *world, mc_metric_list *l, mc_error *err)
{
    (void)world;
    int rc = mixworld_describe(l, 1u << MIX_TRACE_RATIO);
    rc = rc ? rc : mc_metric_declare_all(l, GMM_METRICS, GMM_NMETRICS - MIX_NSHARED);
    if (rc == MC_OK && ((const gmm_params *)params)->gen0)
        rc = mc_metric_declare_all(l, &GMM_GEN0_METRIC, 1);
    return rc ? mc_error_set(err, MC_ENOMEM, "gmm: cannot list metrics") : MC_OK;
}

static double gmm_bytes_needed(const void *params, const void *world, double n)
{
    const gmm_params *p = params;
    (void)world;
    double d = world ? (double)((const mixworld *)world)->base.d : 1.0, k = (double)p->k;
    /* regime's datasets (a few copies of n x d), EM workspace, metric draws, the held-out set
     * and its projections */
    return 8.0 * (4 * n * (d + 1) + n * (k + d + 5) + (double)p->samples * (d + 1) +
                  (double)p->world.holdout * (d + 3 + MIXWORLD_DIRS));
}

static int gmm_draw_model(gsl_rng *r, const void *params, const void *model,
                          const mc_sampling *s, uint64_t n, void **out, mc_error *err)
{
    (void)params;
    const gmm_model *g = model;
    mc_gdata *ds;
    int rc = mc_gdata_new(g->d, n, 0, &ds, err);
    if (rc)
        return rc;
    if (n > 0xffffffffu) {
        mc_gdata_free(ds);
        return mc_error_set(err, MC_ERANGE, "gmm: a sample of %llu rows is too large",
                            (unsigned long long)n);
    }
    uint64_t left = n, row = 0;
    double mass = 1;
    for (size_t j = 0; j < g->k && left > 0 && rc == MC_OK; j++) {
        uint64_t c = left; /* sequential binomials: one multinomial draw of the counts */
        if (j + 1 < g->k) {
            double p = mass > 0 ? g->m->w[j] / mass : 0;
            c = p >= 1 ? left : p <= 0 ? 0 : mc_ran_binomial(r, p, left);
        }
        rc = mc_gauss_sample(r, g->comp[j], s, c, ds->x + row * g->d, err);
        row += c;
        left -= c;
        mass -= g->m->w[j];
    }
    if (rc == MC_OK && g->k > 1 && n > 1) /* gsl_ran_shuffle with n = 0 would wrap */
        gsl_ran_shuffle(r, ds->x, (size_t)n, g->d * sizeof(double));
    if (rc) {
        mc_gdata_free(ds);
        return rc;
    }
    *out = ds;
    return MC_OK;
}

static void gmm_model_free(void *model)
{
    gmm_model *g = model;
    if (!g)
        return;
    mc_gmm_free(g->m);
    mc_gmm_free(g->ref);
    for (size_t j = 0; g->comp && j < g->k; j++)
        mc_gauss_free(g->comp[j]);
    free(g->comp);
    mc_gmm_em_free(g->ws);
    if (g->r)
        gsl_rng_free(g->r);
    free(g->wt);
    free(g);
}

static int gmm_model_alloc(const void *params, const void *world, void **model, mc_error *err)
{
    const gmm_params *p = params;
    gmm_model *g = calloc(1, sizeof *g);
    if (!g)
        return mc_error_set(err, MC_ENOMEM, "gmm: out of memory for the model");
    g->k = (size_t)p->k;
    g->d = ((const mixworld *)world)->base.d;
    g->m = mc_gmm_alloc(g->k, g->d);
    g->ref = mc_gmm_alloc(g->k, g->d);
    g->ws = mc_gmm_em_alloc(g->k, g->d);
    g->r = mc_rng_alloc(0);
    g->comp = calloc(g->k, sizeof *g->comp);
    int rc = g->m && g->ref && g->ws && g->r && g->comp ? MC_OK
                                              : mc_error_set(err, MC_ENOMEM, "gmm: out of memory");
    for (size_t j = 0; rc == MC_OK && j < g->k; j++)
        rc = mc_gauss_alloc(g->d, &g->comp[j], err);
    if (rc) {
        gmm_model_free(g);
        return rc;
    }
    *model = g;
    return MC_OK;
}

/* A 64-bit key of the training set: the k-means++ stream of its fit. */
static uint64_t data_key(const mc_gdata *ds)
{
    uint64_t h = mc_mix64(ds->n ^ ((uint64_t)ds->d << 40));
    size_t total = (size_t)ds->n * ds->d;
    for (size_t i = 0; i < total; i++) {
        uint64_t b;
        memcpy(&b, ds->x + i, sizeof b);
        h = mc_mix64(h ^ b);
    }
    return h;
}

static int gmm_fit(void *model, const void *params, const void *train, const mc_fit_opts *opts,
                   mc_error *err)
{
    gmm_model *g = model;
    const gmm_params *p = params;
    const mc_gdata *ds = train;
    const double *wt = NULL;
    if (opts && opts->human_weight >= 0) {
        if (ds->n > g->wcap) {
            double *w = realloc(g->wt, (size_t)ds->n * sizeof *w);
            if (!w)
                return mc_error_set(err, MC_ENOMEM, "gmm: out of memory for weights");
            g->wt = w;
            g->wcap = (size_t)ds->n;
        }
        mc_gdata_weights(ds, opts->human_weight, g->wt);
        wt = g->wt;
    }
    mc_rng_seed(g->r, data_key(ds));
    mc_gmm_em_opts o = {p->covtype == 1 ? MC_GMM_DIAG : MC_GMM_FULL, p->reg_covar, p->tol,
                        p->max_iter, p->restarts, (mc_gmm_init)p->init};
    int rc = mc_gmm_fit(g->r, g->ws, g->m, ds->x, wt, (size_t)ds->n, &o, &g->stats, err);
    if (rc == MC_OK && g->fitted++ == 0)
        mc_gmm_copy(g->ref, g->m); /* the engine's first fit is generation 0's */
    for (size_t j = 0; rc == MC_OK && j < g->k; j++) {
        mc_gauss *c = g->comp[j];
        memcpy(c->mu, g->m->mu + j * g->d, g->d * sizeof *c->mu);
        gsl_matrix_view S = gsl_matrix_view_array(g->m->cov + j * g->d * g->d, g->d, g->d);
        gsl_matrix_memcpy(c->cov, &S.matrix);
        rc = mc_gauss_factor(c, 0, 0, "gmm component covariance", err);
    }
    return rc;
}

static int gmm_metrics(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err)
{
    const gmm_params *p = ev->params;
    const gmm_model *g = ev->model;
    const mixworld *w = ev->world;
    size_t d = g->d, m = (size_t)p->samples, nh = w->base.nheld;
    /* y (m, d) model draws; work for the largest of the helpers; mean (d); cov (d, d) */
    size_t nwork = nh * (d + 3) + m + d * (d + 1);
    double *buf = malloc((m * d + nwork + d + d * d) * sizeof *buf);
    if (!buf)
        return mc_error_set(err, MC_ENOMEM, "gmm: out of memory for metrics");
    double *y = buf, *work = y + m * d, *mean = work + nwork, *cov = mean + d;
    mc_gmm_moments(g->m, mean, cov);
    mixworld_moment_metrics(w, mean, cov, out, work);
    mc_gmm_sample(r, g->m, m, y);
    out[MIX_W2_SLICED] = mixworld_sliced_w2(w, (size_t)p->slices, y, m, work);
    out[MIX_NLL_HELDOUT] = -mc_gmm_mean_logpdf(g->m, w->base.held, nh, work);
    out[MIX_TAIL_MASS] = mixworld_tail_mass(w, y, m, work);
    out[GMM_L2_WORLD] = mc_gmm_l2(g->m, w->base.mix, work);
    out[GMM_DEGENERATE] = (double)(g->stats.collapsed + g->stats.reseeded);
    out[GMM_EM_ITERATIONS] = (double)g->stats.iterations;
    if (p->gen0) {
        double l2 = mc_gmm_l2(g->m, g->ref, work);
        out[GMM_L2SQ_GEN0] = l2 * l2;
    }
    free(buf);
    return MC_OK;
}

/* E trace_ratio or E mean_error at generation g (see the top). For k >= 2 too, without sampling
 * bias: every M step sets w_j = N_j / n, mu_j and S_j to the responsibility-weighted moments, so
 * sum_j w_j mu_j = xbar and sum_j w_j (S_j + mu_j mu_j^T) = mean of x x^T + reg_covar I: the
 * fitted mixture has the training set's mean and biased covariance plus the floor, whatever the
 * responsibilities (diag keeps the trace), and its draws have that mean and covariance. The k = 1
 * recursion then applies unchanged. Shrink and truncation act within each component, which breaks
 * this for k >= 2; a component re-seeded in the last M step (counted by `degenerate`) does too. */
static double gmm_theory(const mc_point *pt, const void *world, size_t m, unsigned g)
{
    const gmm_params *p = pt->params;
    const mixworld *w = world;
    mc_theory_case tc = mc_theory_case_of(pt);
    int biased = pt->sampling.shrink != 0 || pt->sampling.truncate != 0;
    if ((p->k != 1 && biased) || (m != MIX_TRACE_RATIO && m != MIX_MEAN_ERROR) ||
        tc == MC_THEORY_NONE)
        return NAN;
    int acc = tc == MC_THEORY_ACCUMULATE;
    double cs = mc_sampling_cov_factor(w->base.d, &pt->sampling), T = w->base.trace;
    double floor = (double)w->base.d * p->reg_covar;
    /* SS = E tr(scatter) of training set g, N its size, M = E||xbar_g - mu_0||^2 */
    double N = (double)mc_point_n(pt, 0), SS = (N - 1) * T, M = T / N;
    for (unsigned i = 1; i <= g; i++) {
        double sig = cs * (SS / N + floor);
        mixworld_theory_step(acc, (double)mc_point_n(pt, i), sig, &SS, &M, &N);
    }
    return m == MIX_TRACE_RATIO ? (SS / N + floor) / T : M;
}

const mc_family_type mc_family_gmm = {
    .name = "gmm",
    .description = "Gaussian mixture (k components, full/diag covariance) fitted by EM",
    .keys = gmm_keys,
    .params_size = sizeof(gmm_params),
    .sampling = MC_SAMPLE_SHRINK | MC_SAMPLE_TRUNCATE,
    .check = NULL,
    .world_create = gmm_world_create,
    .world_free = mixworld_free,
    .describe = gmm_describe,
    .bytes_needed = gmm_bytes_needed,
    .draw_world = mixworld_draw,
    .draw_model = gmm_draw_model,
    .ds_copy = mc_gdata_copy,
    .ds_merge = mc_gdata_merge,
    .ds_subsample = mc_gdata_subsample,
    .ds_size = mc_gdata_size,
    .ds_human = mc_gdata_human,
    .ds_free = mc_gdata_free,
    .score = mc_gworld_score,
    .ds_pick = mc_gdata_pick,
    .ds_thin = mc_gdata_thin,
    .model_alloc = gmm_model_alloc,
    .fit = gmm_fit,
    .model_free = gmm_model_free,
    .metrics = gmm_metrics,
    .theory = gmm_theory,
    .signal = mc_gdata_signal,
};
