/* kde.c - the kernel-density family: a Gaussian kernel on the training set.
 *
 * Model (kde.h): p(x) = sum_i w_i N(x; x_i, H), the training points x_i with
 * weights w_i (1/n, or a weighted fit's), and H = h^2 I (model.bandwidth_rule = fixed,
 * model.bandwidth = h) or f^2 S_u by Scott's or Silverman's rule (scipy.stats.gaussian_kde's
 * conventions; Scott 1992, Silverman 1986). "Fitting" keeps the training set and computes H.
 * Sampling picks x_i with probability w_i and adds kernel noise e ~ N(0, H); sampling.shrink and
 * sampling.truncate act on the noise as on the gaussian family's Gaussian (mc_gauss_sample):
 * e is scaled by 1 - lambda, or kept within c in H's Mahalanobis distance.
 *
 * Theory (docs/THEORY.md, "Kernel density"): under replace and accumulate the expected trace
 * of the model's covariance S_b + H and the expected mean error follow exact linear recursions
 * (mc_kde_theory below); the theory slot returns them for trace_ratio and mean_error.
 *
 * Metrics: mean_error, trace_ratio, logdet_ratio of the model's covariance S_b + H; w2_sliced,
 * nll_heldout and tail_mass as in the gmm family (mixworld.h); bandwidth sqrt(tr H / d);
 * degenerate = 1 when H is singular (all points identical: a point mass; n <= d: a ridge).
 * The held-out log-likelihood whitens both sets by H's Cholesky factor L and takes the squared
 * distances from one BLAS dgemm per block of held-out points:
 *   |L^-1 (y - x_i)|^2 = |y'|^2 + |x_i'|^2 - 2 y'.x_i'.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_randist.h>
#include "collapse/experiment.h"
#include "collapse/family.h"
#include "collapse/curate.h"
#include "kde.h"
#include "collapse/rng.h"
#include "gauss_law.h"
#include "gdata.h"
#include "gworld.h"
#include "mixworld.h"
#include "shapeworld.h"

#define LOG_2PI 1.83787706640934548356
#define HELD_BLOCK 64 /* held-out rows per dgemm */

/* ---- theory ---------------------------------------------------------------------------------- */

double mc_kde_factor(mc_kde_rule rule, size_t d, double neff)
{
    double e = -1.0 / ((double)d + 4.0);
    switch (rule) {
    case MC_KDE_SCOTT:
    case MC_KDE_SKLEARN_SCOTT:
        return pow(neff, e);
    case MC_KDE_SILVERMAN:
    case MC_KDE_SKLEARN_SILVERMAN:
        return pow(neff * ((double)d + 2.0) / 4.0, e);
    default:
        return 1.0;
    }
}

double mc_kde_kernel_var(mc_kde_kernel kernel, size_t d)
{
    return kernel == MC_KDE_TOPHAT ? 1.0 / ((double)d + 2.0) : 1.0;
}

static int isotropic(mc_kde_rule rule)
{
    return rule == MC_KDE_FIXED || rule == MC_KDE_SKLEARN_SCOTT || rule == MC_KDE_SKLEARN_SILVERMAN;
}

/* tr(S_b + c H) of a KDE on N points with scatter trace SS = sum_i |x_i - xbar|^2. */
static double model_trace(mc_kde_rule rule, double h, size_t d, double SS, double N, double c)
{
    if (rule == MC_KDE_FIXED)
        return SS / N + c * (double)d * h * h;
    if (isotropic(rule)) {
        double f = mc_kde_factor(rule, d, N);
        return SS / N + c * (double)d * f * f;
    }
    if (N <= 1)
        return 0; /* one point: S_u undefined, H = 0 */
    double f = mc_kde_factor(rule, d, N);
    return SS / N + c * f * f * SS / (N - 1);
}

void mc_kde_theory(mc_kde_rule rule, double h, size_t d, double trace_world, int accumulate,
                   const uint64_t *n, double cs, unsigned G, double *trace_ratio,
                   double *mean_error)
{
    mc_kde_theory_kernel(rule, 1.0, h, d, trace_world, accumulate, n, cs, G, NULL, trace_ratio,
                         mean_error);
}

void mc_kde_theory_kernel(mc_kde_rule rule, double kv, double h, size_t d, double trace_world,
                          int accumulate, const uint64_t *n, double cs, unsigned G,
                          const double *init, double *trace_ratio, double *mean_error)
{
    /* E[SS_g] (scatter of training set g), its size N, M = E||xbar_g - mu_0||^2 */
    double N = (double)n[0], SS = (N - 1) * trace_world, M = trace_world / N;
    if (init) {
        SS = init[0];
        M = init[1];
    }
    for (unsigned g = 0; g <= G; g++) {
        if (g > 0) {
            /* draws of model g-1 have mean xbar_{g-1} and covariance S_b + cs H */
            double sig = model_trace(rule, h, d, SS, N, cs * kv);
            mixworld_theory_step(accumulate, (double)n[g], sig, &SS, &M, &N);
        }
        if (trace_ratio)
            trace_ratio[g] = model_trace(rule, h, d, SS, N, kv) / trace_world;
        if (mean_error)
            mean_error[g] = M;
    }
}

/* ---- family ---------------------------------------------------------------------------------- */

typedef struct kde_params {
    mc_gworld_params world;
    int rule; /* mc_kde_rule: the order of the choices below */
    int kernel; /* mc_kde_kernel */
    mc_shape_params shape; /* world.shape, noise, factor */
    double bandwidth;
    long slices;
    uint64_t samples;
} kde_params;

static const mc_key kde_keys[] = {
    MC_GWORLD_KEYS(kde_params),
    MC_SHAPE_KEYS(kde_params),
    {"model", "bandwidth_rule", MC_KEY_ENUM, "scott", 0, 0, 0,
     "scott|silverman|fixed|sklearn-scott|sklearn-silverman", offsetof(kde_params, rule),
     "kernel covariance: f^2 x sample covariance (scott, silverman: scipy's), bandwidth^2 I "
     "(fixed), or f^2 I, f of the rule at n rows whatever the data's scale (sklearn-scott, "
     "sklearn-silverman: scikit-learn's)"},
    {"model", "kernel", MC_KEY_ENUM, "gaussian", 0, 0, 0, "gaussian|tophat",
     offsetof(kde_params, kernel),
     "kernel: gaussian N(0, H), or tophat, uniform in H's unit ellipsoid (the ball of radius h)"},
    {"model", "bandwidth", MC_KEY_DOUBLE, NULL, 0, 1e300, MC_KEY_MIN_OPEN, NULL,
     offsetof(kde_params, bandwidth), "kernel standard deviation h with bandwidth_rule = fixed"},
    MIXWORLD_METRIC_KEYS(kde_params),
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

typedef struct kde_model {
    size_t d, n, cap;
    double *x;      /* (cap, d) training points */
    double *xw;     /* (cap, d) whitened, centred training points L^-1 (x_i - xbar) */
    double *xw2;    /* (cap) |xw_i|^2 */
    double *w;      /* (cap) weights, summing to 1 */
    double *lw;     /* (cap) log w_i */
    int weighted;
    gsl_ran_discrete_t *pick; /* weighted choice of a training point */
    mc_gauss *kern; /* N(0, H): H, its factor L and log det H */
    int tophat;     /* the kernel is uniform on {L u : |u| <= 1} instead of N(0, H) */
    double *mean;   /* (d) sum_i w_i x_i */
    double *S;      /* (d, d) sum_i w_i (x_i - mean)(x_i - mean)^T */
} kde_model;

static int kde_check(void *params, const mc_point *pt, mc_error *err)
{
    kde_params *p = params;
    char where[256];
    if (p->rule == MC_KDE_FIXED && isnan(p->bandwidth))
        return mc_error_set(err, MC_ECONFIG, "%s: bandwidth_rule = fixed needs model.bandwidth",
                            mc_point_where(pt, "model", "bandwidth_rule", where, sizeof where));
    if (p->rule != MC_KDE_FIXED && !isnan(p->bandwidth))
        return mc_error_set(err, MC_ECONFIG,
                            "%s: a bandwidth is only used with model.bandwidth_rule = fixed",
                            mc_point_where(pt, "model", "bandwidth", where, sizeof where));
    if (p->shape.kind != MC_SHAPE_NONE && pt && mc_curation_active(pt))
        return mc_error_set(err, MC_ECONFIG,
                            "%s: a shape world has no density to score candidates with (curation)",
                            mc_point_where(pt, "world", "shape", where, sizeof where));
    if (p->kernel == MC_KDE_TOPHAT && pt && pt->sampling.truncate > 0)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: sampling.truncate is defined for the gaussian kernel only",
                            mc_point_where(pt, "model", "kernel", where, sizeof where));
    return MC_OK;
}

static int kde_world_create(const void *params, const mc_point *pt, gsl_rng *r, void **world,
                            mc_error *err)
{
    const kde_params *p = params;
    if (p->shape.kind != MC_SHAPE_NONE)
        return shapeworld_create(&p->shape, &p->world, pt, r, (mixworld **)world, err);
    return mixworld_create(&p->world, pt, r, (mixworld **)world, err);
}

static int kde_draw_world(gsl_rng *r, const void *params, const void *world, uint64_t n,
                          void **out, mc_error *err)
{
    const kde_params *p = params;
    if (p->shape.kind != MC_SHAPE_NONE)
        return shapeworld_draw(r, &p->shape, ((const mixworld *)world)->base.d, n, out, err);
    return mixworld_draw(r, params, world, n, out, err);
}

/* kde's metrics after the shared ones (mixworld.h), in this order. */
enum { KDE_BANDWIDTH = MIX_NSHARED, KDE_DEGENERATE, KDE_NMETRICS };
static const mc_metric_def KDE_METRICS[KDE_NMETRICS - MIX_NSHARED] = {
    {"bandwidth", MC_ROLE_DIAGNOSTIC, "", 0, 0, "kernel scale sqrt(tr H / d)"},
    {"degenerate", MC_ROLE_DIAGNOSTIC, "", -1, 0,
     "1 when the kernel covariance H is singular (point mass or ridge)"},
};

static int kde_describe(const void *params, const void *world, mc_metric_list *l, mc_error *err)
{
    (void)params;
    (void)world;
    int rc = mixworld_describe(l, 1u << MIX_TRACE_RATIO | 1u << MIX_NLL_HELDOUT);
    rc = rc ? rc : mc_metric_declare_all(l, KDE_METRICS, KDE_NMETRICS - MIX_NSHARED);
    return rc ? mc_error_set(err, MC_ENOMEM, "kde: cannot list metrics") : MC_OK;
}

static double kde_bytes_needed(const void *params, const void *world, double n)
{
    const kde_params *p = params;
    (void)world;
    double d = world ? (double)((const mixworld *)world)->base.d : 1.0;
    /* regime's datasets, the model's copies, one dgemm block, metric draws */
    return 8.0 * (4 * n * (d + 1) + n * (2 * d + 3) + HELD_BLOCK * n +
                  (double)p->samples * (d + 1) + (double)p->world.holdout * (d + MIXWORLD_DIRS));
}

/* n rows of top-hat kernel noise a L u into x (n, d), u uniform in the unit ball: a direction
 * z / |z| (z standard normal) at radius U^(1/d), d normals and then one uniform per row (the
 * law of scikit-learn's tophat sample, which takes the radius through the chi-square cdf). A
 * point mass (L = 0) gives zeros. */
static void tophat_noise(gsl_rng *r, const mc_gauss *kern, double a, uint64_t n, double *x)
{
    size_t d = kern->d;
    for (uint64_t i = 0; i < n; i++) {
        double *z = x + i * d, s = 0;
        for (size_t b = 0; b < d; b++) {
            z[b] = gsl_ran_gaussian_ziggurat(r, 1.0);
            s += z[b] * z[b];
        }
        double rad = pow(gsl_rng_uniform(r), 1.0 / (double)d);
        double f = s > 0 ? a * rad / sqrt(s) : 0;
        for (size_t b = d; b-- > 0;) { /* x = L (f z), L lower: from the last row up */
            double v = 0;
            for (size_t c = 0; c <= b; c++)
                v += gsl_matrix_get(kern->chol, b, c) * z[c];
            z[b] = f * v;
        }
    }
}

static int kde_draw_model(gsl_rng *r, const void *params, const void *model,
                          const mc_sampling *s, uint64_t n, void **out, mc_error *err)
{
    (void)params;
    const kde_model *k = model;
    mc_gdata *ds;
    int rc = mc_gdata_new(k->d, n, 0, &ds, err);
    if (rc == MC_OK && k->tophat) /* kernel noise for every row, then the picked centres */
        tophat_noise(r, k->kern, s ? 1.0 - s->shrink : 1.0, n, ds->x);
    else if (rc == MC_OK)
        rc = mc_gauss_sample(r, k->kern, s, n, ds->x, err);
    if (rc) {
        mc_gdata_free(ds);
        return rc;
    }
    for (uint64_t i = 0; i < n; i++) {
        size_t c = k->weighted ? gsl_ran_discrete(r, k->pick) : (size_t)mc_rng_index(r, k->n);
        for (size_t a = 0; a < k->d; a++)
            ds->x[i * k->d + a] += k->x[c * k->d + a];
    }
    *out = ds;
    return MC_OK;
}

static void kde_model_free(void *model)
{
    kde_model *k = model;
    if (!k)
        return;
    free(k->x);
    if (k->pick)
        gsl_ran_discrete_free(k->pick);
    mc_gauss_free(k->kern);
    free(k->mean);
    free(k);
}

static int kde_model_alloc(const void *params, const void *world, void **model, mc_error *err)
{
    (void)params;
    kde_model *k = calloc(1, sizeof *k);
    if (!k)
        return mc_error_set(err, MC_ENOMEM, "kde: out of memory for the model");
    k->d = ((const mixworld *)world)->base.d;
    k->mean = malloc(k->d * (k->d + 1) * sizeof *k->mean);
    int rc = k->mean ? mc_gauss_alloc(k->d, &k->kern, err)
                     : mc_error_set(err, MC_ENOMEM, "kde: out of memory for the model");
    if (rc) {
        kde_model_free(k);
        return rc;
    }
    k->S = k->mean + k->d;
    *model = k;
    return MC_OK;
}

static int reserve(kde_model *k, size_t n, mc_error *err)
{
    if (n <= k->cap)
        return MC_OK;
    size_t cap = n > 2 * k->cap ? n : 2 * k->cap, d = k->d;
    double *p = realloc(k->x, cap * (2 * d + 3) * sizeof *p);
    if (!p)
        return mc_error_set(err, MC_ENOMEM, "kde: out of memory for %zu training points", n);
    k->x = p;
    k->cap = cap;
    k->xw = p + cap * d;
    k->xw2 = k->xw + cap * d;
    k->w = k->xw2 + cap;
    k->lw = k->w + cap;
    return MC_OK;
}

static int kde_fit(void *model, const void *params, const void *train, const mc_fit_opts *opts,
                   mc_error *err)
{
    kde_model *k = model;
    const kde_params *p = params;
    const mc_gdata *ds = train;
    size_t n = (size_t)ds->n, d = k->d;
    if (n == 0)
        return mc_error_set(err, MC_ECONFIG, "kde: cannot fit a density to 0 points");
    int rc = reserve(k, n, err);
    if (rc)
        return rc;
    k->n = n;
    memcpy(k->x, ds->x, n * d * sizeof *k->x);
    mc_gdata_weights(ds, opts ? opts->human_weight : -1, k->w);
    k->weighted = 0;
    double sw2 = 0;
    for (size_t i = 0; i < n; i++) {
        k->weighted |= k->w[i] != k->w[0];
        k->lw[i] = log(k->w[i]);
        sw2 += k->w[i] * k->w[i];
    }

    /* weighted mean and biased covariance S_b (xw is scratch here) */
    gsl_matrix_view Y = gsl_matrix_view_array(k->xw, n, d);
    gsl_matrix_view S = gsl_matrix_view_array(k->S, d, d);
    if ((rc = mc_weighted_moments(k->x, n, d, k->w, k->mean, &S.matrix, k->xw, err)))
        return rc;

    /* H: h^2 I, or f^2 S_u with S_u = S_b / (1 - sum w_i^2) (= n/(n-1) S_b unweighted) */
    gsl_matrix *H = k->kern->cov;
    memset(k->kern->mu, 0, d * sizeof *k->kern->mu);
    if (isotropic((mc_kde_rule)p->rule)) { /* h^2 I; sklearn's h ignores the weights */
        double h = p->rule == MC_KDE_FIXED ? p->bandwidth
                                           : mc_kde_factor((mc_kde_rule)p->rule, d, (double)n);
        gsl_matrix_set_identity(H);
        gsl_matrix_scale(H, h * h);
    } else {
        double f = mc_kde_factor((mc_kde_rule)p->rule, d, 1.0 / sw2);
        double c = sw2 < 1 ? f * f / (1 - sw2) : 0;
        gsl_matrix_memcpy(H, &S.matrix);
        gsl_matrix_scale(H, c);
    }
    int singular = !isotropic((mc_kde_rule)p->rule) && 1.0 / sw2 <= (double)d;
    k->tophat = p->kernel == MC_KDE_TOPHAT;
    rc = mc_gauss_factor(k->kern, singular, 0, "kde kernel covariance", err);
    if (rc)
        return rc;

    if (!k->kern->point_mass) {
        for (size_t i = 0; i < n; i++)
            for (size_t a = 0; a < d; a++)
                k->xw[i * d + a] = k->x[i * d + a] - k->mean[a];
        gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, k->kern->chol,
                       &Y.matrix);
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t a = 0; a < d; a++)
                s += k->xw[i * d + a] * k->xw[i * d + a];
            k->xw2[i] = s;
        }
    }
    if (k->pick) {
        gsl_ran_discrete_free(k->pick);
        k->pick = NULL;
    }
    if (k->weighted && !(k->pick = gsl_ran_discrete_preproc(n, k->w)))
        return mc_error_set(err, MC_ENOMEM, "kde: out of memory for the sampling table");
    return MC_OK;
}

/* -(1/m) sum_j log p(y_j) of the m points y (m, d); work holds HELD_BLOCK (n + d + 1) doubles. */
static double kde_nll(const kde_model *k, const double *y, size_t m, double *work)
{
    size_t d = k->d, n = k->n;
    if (k->kern->point_mass)
        return INFINITY;
    double lognorm = -0.5 * (double)d * LOG_2PI - 0.5 * k->kern->logdet, sum = 0;
    if (k->tophat) /* 1 / vol{L u : |u| <= 1} = Gamma(d/2 + 1) / (pi^(d/2) det L) */
        lognorm = lgamma(0.5 * (double)d + 1) - 0.5 * (double)d * log(M_PI) -
                  0.5 * k->kern->logdet;
    double *G = work, *Yw = G + HELD_BLOCK * n, *yw2 = Yw + HELD_BLOCK * d;
    gsl_matrix_const_view X = gsl_matrix_const_view_array(k->xw, n, d);
    for (size_t j0 = 0; j0 < m; j0 += HELD_BLOCK) {
        size_t B = m - j0 < HELD_BLOCK ? m - j0 : HELD_BLOCK;
        for (size_t j = 0; j < B; j++)
            for (size_t a = 0; a < d; a++)
                Yw[j * d + a] = y[(j0 + j) * d + a] - k->mean[a];
        gsl_matrix_view Yv = gsl_matrix_view_array(Yw, B, d);
        gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, k->kern->chol,
                       &Yv.matrix);
        for (size_t j = 0; j < B; j++) {
            double s = 0;
            for (size_t a = 0; a < d; a++)
                s += Yw[j * d + a] * Yw[j * d + a];
            yw2[j] = s;
        }
        gsl_matrix_view Gv = gsl_matrix_view_array(G, B, n);
        gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, &Yv.matrix, &X.matrix, 0.0, &Gv.matrix);
        for (size_t j = 0; j < B; j++) {
            double *g = G + j * n, mx = -INFINITY;
            for (size_t i = 0; i < n; i++) {
                double q = yw2[j] + k->xw2[i] - 2 * g[i];
                g[i] = k->lw[i] - 0.5 * (q > 0 ? q : 0);
                mx = g[i] > mx ? g[i] : mx;
            }
            if (k->tophat) { /* the weight of the centres within the unit ellipsoid */
                double in = 0;
                for (size_t i = 0; i < n; i++)
                    in += g[i] > k->lw[i] - 0.5 ? exp(k->lw[i]) : 0;
                sum += log(in) + lognorm;
                continue;
            }
            double s = 0;
            for (size_t i = 0; i < n; i++)
                s += exp(g[i] - mx);
            sum += mx + log(s) + lognorm;
        }
    }
    return -sum / (double)m;
}

static int kde_metrics(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err)
{
    const kde_params *p = ev->params;
    const kde_model *k = ev->model;
    const mixworld *w = ev->world;
    size_t d = k->d, m = (size_t)p->samples;
    size_t nwork = HELD_BLOCK * (k->n + d + 1) + m + d * (d + 1);
    double *buf = malloc(nwork * sizeof *buf);
    if (!buf)
        return mc_error_set(err, MC_ENOMEM, "kde: out of memory for metrics");
    double *cov = buf, *work = cov + d * d, tr = 0;
    gsl_matrix_view C = gsl_matrix_view_array(cov, d, d);
    gsl_matrix_const_view S = gsl_matrix_const_view_array(k->S, d, d);
    gsl_matrix_memcpy(&C.matrix, &S.matrix);
    double kv = k->tophat ? mc_kde_kernel_var(MC_KDE_TOPHAT, d) : 1.0;
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            cov[a * d + b] += kv * gsl_matrix_get(k->kern->cov, a, b);
    for (size_t a = 0; a < d; a++)
        tr += gsl_matrix_get(k->kern->cov, a, a);
    mixworld_moment_metrics(w, k->mean, cov, out, work);
    out[MIX_NLL_HELDOUT] = kde_nll(k, w->base.held, w->base.nheld, work);
    void *draws = NULL;
    int rc = kde_draw_model(r, p, k, NULL, m, &draws, err);
    if (rc) {
        free(buf);
        return rc;
    }
    const double *y = ((const mc_gdata *)draws)->x;
    out[MIX_W2_SLICED] = mixworld_sliced_w2(w, (size_t)p->slices, y, m, work);
    out[MIX_TAIL_MASS] = mixworld_tail_mass(w, y, m, work);
    out[KDE_BANDWIDTH] = sqrt(tr / (double)d);
    out[KDE_DEGENERATE] = k->kern->point_mass || k->kern->ridge > 0;
    mc_gdata_free(draws);
    free(buf);
    return MC_OK;
}

static double kde_theory(const mc_point *pt, const void *world, size_t m, unsigned g)
{
    const kde_params *p = pt->params;
    const mixworld *w = world;
    mc_theory_case tc = mc_theory_case_of(pt);
    if ((m != MIX_TRACE_RATIO && m != MIX_MEAN_ERROR) || tc == MC_THEORY_NONE)
        return NAN;
    int acc = tc == MC_THEORY_ACCUMULATE;
    uint64_t *n = malloc((g + 1) * sizeof *n);
    double *v = malloc((g + 1) * sizeof *v);
    double res = NAN;
    if (n && v) {
        for (unsigned i = 0; i <= g; i++)
            n[i] = mc_point_n(pt, i);
        double cs = mc_sampling_cov_factor(w->base.d, &pt->sampling);
        double kv = mc_kde_kernel_var((mc_kde_kernel)p->kernel, w->base.d);
        double init[2];
        if (p->shape.kind != MC_SHAPE_NONE) /* generation 0 trains on the world's design */
            shapeworld_draw_moments(&p->shape, w->base.d, n[0], w->base.overall->mu,
                                    w->base.trace, &init[0], &init[1]);
        mc_kde_theory_kernel((mc_kde_rule)p->rule, kv, p->bandwidth, w->base.d, w->base.trace,
                             acc, n, cs, g, p->shape.kind != MC_SHAPE_NONE ? init : NULL,
                             m == MIX_TRACE_RATIO ? v : NULL, m == MIX_MEAN_ERROR ? v : NULL);
        res = v[g];
    }
    free(n);
    free(v);
    return res;
}

const mc_family_type mc_family_kde = {
    .name = "kde",
    .description = "kernel density estimate (Gaussian or top-hat kernel; Scott, Silverman, "
                   "scikit-learn's or fixed bandwidth)",
    .keys = kde_keys,
    .params_size = sizeof(kde_params),
    .sampling = MC_SAMPLE_SHRINK | MC_SAMPLE_TRUNCATE,
    .check = kde_check,
    .world_create = kde_world_create,
    .world_free = mixworld_free,
    .describe = kde_describe,
    .bytes_needed = kde_bytes_needed,
    .draw_world = kde_draw_world,
    .draw_model = kde_draw_model,
    .ds_copy = mc_gdata_copy,
    .ds_merge = mc_gdata_merge,
    .ds_subsample = mc_gdata_subsample,
    .ds_size = mc_gdata_size,
    .ds_human = mc_gdata_human,
    .ds_free = mc_gdata_free,
    .score = mc_gworld_score,
    .ds_pick = mc_gdata_pick,
    .ds_thin = mc_gdata_thin,
    .model_alloc = kde_model_alloc,
    .fit = kde_fit,
    .model_free = kde_model_free,
    .metrics = kde_metrics,
    .theory = kde_theory,
    .signal = mc_gdata_signal,
};
