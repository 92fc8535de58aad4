/* poisson.c - the Poisson family: counts refitted by their mean (Suresh et al., "Rate of model
 * collapse in recursive training", 2024, section 3: a Poisson chain dies out).
 *
 * World: Poisson(lambda_0) (world.lambda), or a mixture of Poissons sum_j w_j Poisson(lambda_j)
 * (world.lambdas, world.weights); its mean mu = sum_j w_j lambda_j.
 * Model: lambda_g = (S + alpha) / n, the maximum-likelihood mean of the n samples of the training
 * set (their sum S) plus an optional pseudo-count alpha (model.alpha; alpha > 0 keeps the model
 * alive). Weighted fit (regime.human_weight = w): lambda = w S_h / n_h + (1 - w) S_s / n_s + alpha/n.
 * Once a generation's samples are all zeros under alpha = 0, lambda = 0 and every later sample is
 * 0: the model is dead for good under replace.
 * Generation: samples of the fitted Poisson; at temperature tau, of its pmf raised to 1/tau and
 * renormalised (sampling.temperature), as a language model's softmax temperature acts on p_k.
 * A dataset is a histogram of the values (poisson_data.c), so a generation costs O(sqrt(lambda)).
 *
 * Metrics (the P_ enum below; describe, metrics and theory index by it):
 *   lambda_ratio  lambda_g / mu
 *   alive         1 while lambda_g > 0
 *   tail_mass     P_model(X > t), t the world's metrics.tail_quantile quantile (world: 1 - F(t))
 *   p_K           P_model(X = K) for each tracked K (metrics.track)
 * Theory (docs/THEORY.md, "Poisson"): E lambda_g by the recursion of the training set's law, and
 * P(alive at g) through the Poisson probability generating function (theory() below).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "collapse/experiment.h"
#include "gworld.h"
#include "poisson.h"

enum { WORLD_SINGLE, WORLD_MIXTURE };

typedef struct pparams {
    int world_type;
    double lambda;
    const char *lambdas, *weights;
    double alpha;
    const char *track;
    double tail_quantile;
} pparams;

#define PP(f) offsetof(pparams, f)
static const mc_key poisson_keys[] = {
    {"world", "type", MC_KEY_ENUM, "single", 0, 0, 0, "single|mixture", PP(world_type),
     "the world: Poisson(lambda), or a mixture of Poissons (lambdas, weights)"},
    {"world", "lambda", MC_KEY_DOUBLE, "5", 0, 1e8, MC_KEY_MIN_OPEN, NULL, PP(lambda),
     "Poisson world: its mean lambda_0 > 0"},
    {"world", "lambdas", MC_KEY_LIST, "1, 20", 0, 0, 0, NULL, PP(lambdas),
     "mixture world: the components' means, each > 0 and at most 1e8"},
    {"world", "weights", MC_KEY_LIST, NULL, 0, 0, 0, NULL, PP(weights),
     "mixture world: the components' weights (normalised; default: equal)"},
    {"model", "alpha", MC_KEY_DOUBLE, "0", 0, 1e8, 0, NULL, PP(alpha),
     "pseudo-count added to the sum of the samples: lambda = (S + alpha) / n (0: maximum "
     "likelihood; > 0: the model never dies)"},
    {"metrics", "track", MC_KEY_LIST, "0", 0, 0, 0, NULL, PP(track),
     "values K whose model probability P(X = K) is reported as p_K ('none' for none)"},
    {"metrics", "tail_quantile", MC_KEY_DOUBLE, "0.99", 0, 1, MC_KEY_MIN_OPEN | MC_KEY_MAX_OPEN,
     NULL, PP(tail_quantile), "the tail: values above this quantile of the world"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

#define TRACK_MAX 64

typedef struct pworld {
    size_t k;           /* components */
    double *lam, *w;    /* [k]: means, weights (sum 1) */
    double mu;          /* the world's mean */
    pois_pmf pmf;       /* the world's pmf over its window */
    uint64_t tail_at;   /* t: the tail is X > t */
    double tail_world;  /* P_world(X > t) */
    uint64_t track[TRACK_MAX];
    size_t ntrack;
} pworld;

typedef struct pmodel {
    double lambda;
} pmodel;

/* ---- the world ------------------------------------------------------------------------- */

static void world_free(void *vw)
{
    pworld *w = vw;
    if (!w)
        return;
    free(w->lam);
    free(w->w);
    free(w->pmf.q);
    free(w);
}

/* A list of numbers of key section.name: *out (malloc'd), *n. */
static int number_list(const mc_point *pt, const char *name, const char *text, double **out,
                       size_t *n, mc_error *err)
{
    char where[256];
    size_t r, c;
    mc_point_where(pt, "world", name, where, sizeof where);
    int rc = mc_parse_rows(text, where, out, &r, &c, err);
    *n = r * c;
    return rc;
}

/* The components: Poisson(lambda), or the mixture's lambdas and weights, checked. */
static int world_components(pworld *w, const pparams *p, const mc_point *pt, mc_error *err)
{
    char where[256];
    if (p->world_type == WORLD_SINGLE) {
        w->k = 1;
        w->lam = malloc(sizeof *w->lam);
        w->w = malloc(sizeof *w->w);
        if (!w->lam || !w->w)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        w->lam[0] = p->lambda;
        w->w[0] = 1;
        return MC_OK;
    }
    int rc = number_list(pt, "lambdas", p->lambdas, &w->lam, &w->k, err);
    if (rc != MC_OK)
        return rc;
    for (size_t j = 0; j < w->k; j++)
        if (!(w->lam[j] > 0 && w->lam[j] <= 1e8))
            return mc_error_set(err, MC_ECONFIG, "%s: component %zu has mean %g; each must be > 0 "
                                "and at most 1e8", mc_point_where(pt, "world", "lambdas", where,
                                sizeof where), j + 1, w->lam[j]);
    size_t nw = w->k;
    if (p->weights && (rc = number_list(pt, "weights", p->weights, &w->w, &nw, err)) != MC_OK)
        return rc;
    if (!p->weights && !(w->w = malloc(sizeof *w->w * w->k)))
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    mc_point_where(pt, "world", "weights", where, sizeof where);
    if (nw != w->k)
        return mc_error_set(err, MC_ECONFIG, "%s: %zu weights for %zu components (world.lambdas)",
                            where, nw, w->k);
    double s = 0;
    for (size_t j = 0; j < w->k; j++) {
        if (!p->weights)
            w->w[j] = 1;
        if (!(w->w[j] >= 0) || !isfinite(w->w[j]))
            return mc_error_set(err, MC_ECONFIG, "%s: weight %zu is %g; weights must be >= 0",
                                where, j + 1, w->w[j]);
        s += w->w[j];
    }
    if (!(s > 0))
        return mc_error_set(err, MC_ECONFIG, "%s: the weights sum to zero", where);
    for (size_t j = 0; j < w->k; j++)
        w->w[j] /= s;
    return MC_OK;
}

/* The world's pmf over the union of its components' windows; its mean and its tail. Components
 * so far apart that the union spans more than POIS_WINDOW_MAX values are refused. */
static int world_pmf(pworld *w, double tail_quantile, const mc_point *pt, mc_error *err)
{
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t j = 0; j < w->k; j++) {
        pois_pmf c;
        int rc = pois_pmf_window(w->lam[j], 1.0, &c, err);
        if (rc != MC_OK)
            return rc;
        free(c.q);
        lo = c.lo < lo ? c.lo : lo;
        hi = c.lo + c.len > hi ? c.lo + c.len : hi;
        w->mu += w->w[j] * w->lam[j];
    }
    if (hi - lo > POIS_WINDOW_MAX) {
        char where[256];
        return mc_error_set(err, MC_ECONFIG, "%s: the components' values span %llu to %llu, more "
                            "than %llu values; use components closer together",
                            mc_point_where(pt, "world", "lambdas", where, sizeof where),
                            (unsigned long long)lo, (unsigned long long)hi,
                            (unsigned long long)POIS_WINDOW_MAX);
    }
    w->pmf.lo = lo;
    w->pmf.len = hi - lo;
    if (!(w->pmf.q = calloc(w->pmf.len, sizeof *w->pmf.q)))
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < w->pmf.len; i++)
        for (size_t j = 0; j < w->k; j++)
            w->pmf.q[i] += w->w[j] * exp(pois_log_pmf(w->lam[j], lo + i));
    /* t = the smallest value with F(t) >= q; the tail mass summed above it (not 1 - F) */
    double F = 0;
    uint64_t i = 0;
    while (i + 1 < w->pmf.len && (F += w->pmf.q[i]) < tail_quantile)
        i++;
    w->tail_at = lo + i;
    for (uint64_t j = i + 1; j < w->pmf.len; j++)
        w->tail_world += w->pmf.q[j];
    return MC_OK;
}

static int world_track(pworld *w, const pparams *p, const mc_point *pt, mc_error *err)
{
    char where[256];
    if (!p->track || strcmp(p->track, "none") == 0)
        return MC_OK;
    double *v;
    size_t n;
    mc_point_where(pt, "metrics", "track", where, sizeof where);
    size_t r, c;
    int rc = mc_parse_rows(p->track, where, &v, &r, &c, err);
    if (rc != MC_OK)
        return rc;
    n = r * c;
    if (n > TRACK_MAX)
        rc = mc_error_set(err, MC_ECONFIG, "%s: %zu values; at most %d", where, n, TRACK_MAX);
    for (size_t i = 0; rc == MC_OK && i < n; i++) {
        if (!(v[i] >= 0 && v[i] <= 1e15 && v[i] == floor(v[i])))
            rc = mc_error_set(err, MC_ECONFIG, "%s: '%g' is not a whole number >= 0", where, v[i]);
        for (size_t j = 0; rc == MC_OK && j < i; j++)
            if (v[j] == v[i])
                rc = mc_error_set(err, MC_ECONFIG, "%s: %g is named twice", where, v[i]);
        if (rc == MC_OK)
            w->track[w->ntrack++] = (uint64_t)v[i];
    }
    free(v);
    return rc;
}

static int world_create(const void *vp, const mc_point *pt, gsl_rng *rng, void **out,
                        mc_error *err)
{
    (void)rng;
    const pparams *p = vp;
    pworld *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int rc = world_components(w, p, pt, err);
    if (rc == MC_OK)
        rc = world_pmf(w, p->tail_quantile, pt, err);
    if (rc == MC_OK)
        rc = world_track(w, p, pt, err);
    if (rc != MC_OK) {
        world_free(w);
        return rc;
    }
    *out = w;
    return MC_OK;
}

/* ---- metrics --------------------------------------------------------------------------- */

enum { P_LAMBDA_RATIO, P_ALIVE, P_TAIL_MASS, P_NFIXED };

static const mc_metric_def METRICS[P_NFIXED] = {
    [P_LAMBDA_RATIO] = {"lambda_ratio", MC_ROLE_SPREAD, "ratio", 0, MC_METRIC_HEADLINE,
                        "lambda_g / mu: the model's mean (= its variance) over the world's mean"},
    [P_ALIVE] = {"alive", MC_ROLE_PRESENCE, "", 1, MC_METRIC_HEADLINE,
                 "1 while lambda_g > 0; 0 once a training set was all zeros (dead for good "
                 "under replace)"},
    [P_TAIL_MASS] = {"tail_mass", MC_ROLE_TAIL, "fraction", 1, MC_METRIC_HEADLINE,
                     "model probability of values above the world's metrics.tail_quantile "
                     "quantile"},
};
static const mc_metric_def PER_VALUE = {"p_%s", MC_ROLE_SHARE, "probability", 0, 0,
                                        "model probability P(X = K) of the tracked value K"};

static int describe(const void *vp, const void *vw, mc_metric_list *l, mc_error *err)
{
    (void)vp;
    const pworld *w = vw;
    int r = mc_metric_declare_all(l, METRICS, P_NFIXED);
    for (size_t t = 0; r == MC_OK && t < w->ntrack; t++) {
        char k[32];
        snprintf(k, sizeof k, "%llu", (unsigned long long)w->track[t]);
        r = mc_metric_declare(l, &PER_VALUE, k);
    }
    return r == MC_OK ? MC_OK : mc_error_set(err, r, "out of memory");
}

/* P(X = k) under Poisson(lambda); the point mass at 0 when lambda = 0. */
static double pmf_at(double lambda, uint64_t k)
{
    if (!(lambda > 0))
        return k == 0;
    return exp(pois_log_pmf(lambda, k));
}

static int metrics(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err)
{
    (void)r;
    (void)err;
    const pworld *w = ev->world;
    double lam = ((const pmodel *)ev->model)->lambda;
    out[P_LAMBDA_RATIO] = lam / w->mu;
    out[P_ALIVE] = lam > 0;
    /* t < 2^32: world means are at most 1e8 (the keys' bound) */
    out[P_TAIL_MASS] = lam > 0 ? gsl_cdf_poisson_Q((unsigned)w->tail_at, lam) : 0.0;
    for (size_t t = 0; t < w->ntrack; t++)
        out[P_NFIXED + t] = pmf_at(lam, w->track[t]);
    return MC_OK;
}

static double bytes_needed(const void *vp, const void *vw, double n)
{
    (void)vp;
    (void)n;
    const pworld *w = vw;
    return 64.0 * (double)w->pmf.len + 4096; /* a few histograms over about the world's window */
}

/* ---- datasets and the model ------------------------------------------------------------ */

static int draw_world(gsl_rng *r, const void *vp, const void *vw, uint64_t n, void **out,
                      mc_error *err)
{
    (void)vp;
    return pois_ds_draw(r, &((const pworld *)vw)->pmf, n, 1, out, err);
}

static int draw_model(gsl_rng *r, const void *vp, const void *vm, const mc_sampling *s,
                      uint64_t n, void **out, mc_error *err)
{
    (void)vp;
    pois_pmf q;
    int rc = pois_pmf_window(((const pmodel *)vm)->lambda, s->temperature, &q, err);
    if (rc == MC_OK)
        rc = pois_ds_draw(r, &q, n, 0, out, err);
    free(q.q);
    return rc;
}

static int model_alloc(const void *vp, const void *vw, void **out, mc_error *err)
{
    (void)vp;
    (void)vw;
    pmodel *m = calloc(1, sizeof *m);
    if (!m)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    *out = m;
    return MC_OK;
}

static void model_free(void *vm) { free(vm); }

/* lambda = (S + alpha) / n, or the weighted mean of the human and synthetic parts plus
 * alpha / n (a part that is empty leaves the other with all the weight). */
static int fit(void *vm, const void *vp, const void *vt, const mc_fit_opts *o, mc_error *err)
{
    pmodel *m = vm;
    const pparams *p = vp;
    const pois_ds *d = vt;
    if (d->n == 0)
        return mc_error_set(err, MC_EINTERNAL, "fit on an empty training set");
    double S, Sh, n = (double)d->n, nh = (double)d->nh, ns = n - nh;
    pois_ds_sums(d, &S, &Sh);
    double mean = S / n;
    if (o && o->human_weight >= 0 && nh > 0 && ns > 0)
        mean = o->human_weight * Sh / nh + (1 - o->human_weight) * (S - Sh) / ns;
    m->lambda = mean + p->alpha / n;
    return MC_OK;
}

/* ---- closed forms ---------------------------------------------------------------------- */

/* The pgf of one world sample, E z^X = sum_j w_j exp(lambda_j (z - 1)). */
static double world_pgf(const pworld *w, double z)
{
    double s = 0;
    for (size_t j = 0; j < w->k; j++)
        s += w->w[j] * exp(w->lam[j] * (z - 1));
    return s;
}

/* P(lambda_g = 0) under replace, alpha = 0, tau = 1. With S_g the sum of generation g's n_g
 * samples, S_g | S_{g-1} ~ Poisson(c_g S_{g-1}), c_g = n_g / n_{g-1}, so the pgf f_g(z) = E z^S_g
 * obeys f_g(z) = f_{g-1}(exp(c_g (z - 1))), and f_0(z) = (E z^X)^{n_0}. Hence
 * P(S_g = 0) = f_g(0) = f_0(u_0) with u_g = 0, u_{j-1} = exp(c_j (u_j - 1)): a Galton-Watson
 * process with Poisson(c_j) offspring (critical at c = 1, so survival decays like 2 / g). */
static double dead_replace(const mc_point *pt, const pworld *w, unsigned g)
{
    double u = 0;
    for (unsigned j = g; j >= 1; j--)
        u = exp((double)mc_point_n(pt, j) / (double)mc_point_n(pt, j - 1) * (u - 1));
    return exp((double)mc_point_n(pt, 0) * log(world_pgf(w, u)));
}

/* E lambda_g: replace E lambda_g = E lambda_{g-1} + alpha / n_g; accumulate (pool sum P_g over
 * N_g samples) E P_g = E P_{g-1} + n_g E lambda_{g-1}, E lambda_g = (E P_g + alpha) / N_g. */
static double mean_lambda(const mc_point *pt, const pworld *w, double alpha, unsigned g)
{
    double n0 = (double)mc_point_n(pt, 0), P = n0 * w->mu, N = n0, lam = (P + alpha) / N;
    for (unsigned j = 1; j <= g; j++) {
        double nj = (double)mc_point_n(pt, j);
        if (pt->regime->law == MC_LAW_MODEL_ONLY) {
            lam += alpha / nj;
        } else {
            P += nj * lam;
            N += nj;
            lam = (P + alpha) / N;
        }
    }
    return lam;
}

static double theory(const mc_point *pt, const void *vw, size_t m, unsigned g)
{
    const pworld *w = vw;
    const pparams *p = pt->params;
    mc_train_law law = pt->regime->law;
    int known = (g == 0 || law == MC_LAW_MODEL_ONLY || law == MC_LAW_ACCUMULATE) &&
                pt->sampling.temperature == 1.0 && pt->regime_settings.human_weight < 0;
    if (!known)
        return NAN;
    if (m == P_LAMBDA_RATIO)
        return mean_lambda(pt, w, p->alpha, g) / w->mu;
    if (m == P_ALIVE && p->alpha > 0)
        return 1.0;
    if (m == P_ALIVE && (g == 0 || law == MC_LAW_ACCUMULATE))
        return -expm1((double)mc_point_n(pt, 0) * log(world_pgf(w, 0)));
    if (m == P_ALIVE)
        return 1.0 - dead_replace(pt, w, g);
    return NAN;
}

const mc_family_type mc_family_poisson = {
    .name = "poisson",
    .description = "counts: Poisson(lambda) or a mixture of Poissons, refitted by the sample mean "
                   "(optional pseudo-count)",
    .keys = poisson_keys,
    .params_size = sizeof(pparams),
    .sampling = MC_SAMPLE_TEMPERATURE,
    .world_create = world_create,
    .world_free = world_free,
    .describe = describe,
    .bytes_needed = bytes_needed,
    .draw_world = draw_world,
    .draw_model = draw_model,
    .ds_copy = pois_ds_copy,
    .ds_merge = pois_ds_merge,
    .ds_subsample = pois_ds_subsample,
    .ds_size = pois_ds_size,
    .ds_human = pois_ds_human,
    .ds_free = pois_ds_free,
    .model_alloc = model_alloc,
    .fit = fit,
    .model_free = model_free,
    .metrics = metrics,
    .theory = theory,
    .signal = pois_ds_signal,
};
