/* linreg.c - linear regression on a fixed design, relabelled by its own estimate each generation
 * (Gerstgrasser et al., "Is model collapse inevitable? Breaking the curse of recursion by
 * accumulating real and synthetic data", 2024, section 3; Dohmatob, Feng & Kempe, "Model collapse
 * demystified: the case of regression", 2024).
 *
 * World: a design X (T, d) with rows N(0, I_d), drawn once per world; true weights w*; noise sd
 * sigma. Human labels are y = X w* + sigma eps. A model is an estimate w; its "samples" relabel the
 * same design: y = X w + sigma eps with fresh eps. The fit is ordinary least squares on every
 * (row, label) pair of the training set, or ridge with model.ridge = lambda:
 *     w = argmin sum_i c_i (y_i - x_{t_i}^T w)^2 + lambda ||w||^2,   c_i = 1/N (or the weights of
 *     a weighted fit, summing to 1),
 * i.e. (X^T C X + lambda I) w = X^T C y with C the total weight of each design row.
 *
 * A training "sample" is one (row, label) pair, so n = T is one label vector (default_n = T) and
 * accumulate pools label vectors for the same X. Stored as an mc_gdata with 2 columns: (t, y).
 *
 * Metrics: err = ||w_g - w*||^2 and test_mse = E[(x^T w_g - y)^2] on a fresh input x ~ N(0, I)
 * with fresh noise, which is exactly ||w_g - w*||^2 + sigma^2; regularised flags a singular
 * system. Theory (docs/THEORY.md): conditional on the world's design, with engine generations
 * g = 0, 1, ... (g = 0 fitted on human labels):
 *     replace:     E||w_g - w*||^2 = (g + 1) sigma^2 tr (X^T X)^-1
 *     accumulate:  E||w_g - w*||^2 = sigma^2 tr (X^T X)^-1 sum_{i=1..g+1} 1/i^2
 * and E tr (X^T X)^-1 = d / (T - d - 1) over designs (inverse Wishart mean), finite for T > d + 1.
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include "collapse/experiment.h"
#include "continuous.h"
#include "gworld.h"
#include "linreg.h"

typedef struct lparams {
    long dim;            /* world.dim: d */
    long rows;           /* world.rows: T */
    double sigma;        /* world.sigma */
    const char *weights; /* world.weights: w* */
    double ridge;        /* model.ridge: lambda */
} lparams;

#define LP(f) offsetof(lparams, f)

static const mc_key linreg_keys[] = {
    {"world", "dim", MC_KEY_INT, "10", 1, 4096, 0, NULL, LP(dim), "d, number of features"},
    {"world", "rows", MC_KEY_INT, "50", 1, 1e8, 0, NULL, LP(rows),
     "T, rows of the fixed design X (rows drawn N(0, I_d) once per world)"},
    {"world", "sigma", MC_KEY_DOUBLE, "1", 0, 1e150, 0, NULL, LP(sigma),
     "noise standard deviation sigma of every label (>= 0)"},
    {"world", "weights", MC_KEY_LIST, NULL, 0, 0, 0, NULL, LP(weights),
     "true weights w*, d numbers (default: all 1/sqrt(d), so ||w*|| = 1)"},
    {"model", "ridge", MC_KEY_DOUBLE, "0", 0, 1e150, 0, NULL, LP(ridge),
     "ridge penalty lambda on the mean squared error (0 = ordinary least squares)"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

/* ---------------------------------------------------------------- world */

static void world_free(void *p)
{
    lworld *w = p;
    if (!w)
        return;
    free(w->X);
    free(w->wstar);
    free(w->Xw);
    gsl_matrix_free(w->XtX);
    free(w);
}

static int check(void *params, const mc_point *pt, mc_error *err)
{
    const lparams *p = params;
    char buf[256];
    if (p->ridge == 0.0 && p->rows <= p->dim + 1)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: T = %ld rows for d = %ld features: ordinary least squares needs "
                            "T > d + 1 (its expected error sigma^2 d / (T - d - 1) is infinite "
                            "otherwise); use more rows or set model.ridge > 0",
                            mc_point_where(pt, "world", "rows", buf, sizeof buf), p->rows,
                            p->dim);
    if (p->weights) {
        double *v;
        size_t r, c;
        int rc = mc_parse_rows(p->weights, mc_point_where(pt, "world", "weights", buf, sizeof buf),
                               &v, &r, &c, err);
        if (rc != MC_OK)
            return rc;
        free(v);
        if (r * c != (size_t)p->dim)
            return mc_error_set(err, MC_ECONFIG, "%s: %zu weights for d = %ld features", buf,
                                r * c, p->dim);
    }
    return MC_OK;
}

static int world_create(const void *params, const mc_point *pt, gsl_rng *r, void **out,
                        mc_error *err)
{
    const lparams *p = params;
    *out = NULL;
    int rc = check((void *)params, pt, err);
    if (rc != MC_OK)
        return rc;
    lworld *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    size_t d = w->d = (size_t)p->dim, T = w->T = (size_t)p->rows;
    w->sigma = p->sigma;
    w->X = malloc(T * d * sizeof(double));
    w->Xw = malloc(T * sizeof(double));
    w->XtX = gsl_matrix_alloc(d, d);
    gsl_matrix *inv = gsl_matrix_alloc(d, d);
    if (!w->X || !w->Xw || !w->XtX || !inv) {
        gsl_matrix_free(inv);
        world_free(w);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a design of %zu x %zu", T, d);
    }
    if (p->weights) {
        size_t rr, cc;
        if ((rc = mc_parse_rows(p->weights, "[world] weights", &w->wstar, &rr, &cc, err))) {
            gsl_matrix_free(inv);
            world_free(w);
            return rc;
        }
    } else {
        if (!(w->wstar = malloc(d * sizeof(double)))) {
            gsl_matrix_free(inv);
            world_free(w);
            return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
        }
        for (size_t j = 0; j < d; j++)
            w->wstar[j] = 1.0 / sqrt((double)d);
    }
    for (size_t i = 0; i < T * d; i++)
        w->X[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    gsl_matrix_const_view X = gsl_matrix_const_view_array(w->X, T, d);
    gsl_vector_const_view ws = gsl_vector_const_view_array(w->wstar, d);
    gsl_vector_view Xw = gsl_vector_view_array(w->Xw, T);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &X.matrix, &ws.vector, 0.0, &Xw.vector);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / (double)T, &X.matrix, 0.0, w->XtX);
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < a; b++)
            gsl_matrix_set(w->XtX, b, a, gsl_matrix_get(w->XtX, a, b));
    /* tr (X^T X)^-1 = tr (X^T X / T)^-1 / T */
    gsl_matrix_memcpy(inv, w->XtX);
    w->tr_inv = NAN;
    if (gsl_linalg_cholesky_decomp1(inv) == GSL_SUCCESS && gsl_linalg_cholesky_invert(inv) ==
                                                               GSL_SUCCESS) {
        double t = 0.0;
        for (size_t a = 0; a < d; a++)
            t += gsl_matrix_get(inv, a, a);
        w->tr_inv = t / (double)T;
    }
    gsl_matrix_free(inv);
    *out = w;
    return MC_OK;
}

static uint64_t default_n(const void *params, const void *world)
{
    (void)params;
    return ((const lworld *)world)->T;
}

static double bytes_needed(const void *params, const void *world, double n)
{
    (void)params;
    (void)world;
    return n * (2.0 * sizeof(double) + 1.0);
}

/* ---------------------------------------------------------------- datasets */

/* n rows (t, y) with y = Xw[t] + sigma eps: every design row once per full T (so n = T is one label
 * vector, n = k T is k of them), and the remaining n mod T rows distinct and chosen uniformly
 * (gsl_ran_choose), so that a partial draw (the fresh and keep-original regimes mix human and
 * synthetic parts) does not always label the same first rows. */
static int relabel(gsl_rng *r, size_t T, double sigma, const double *Xw, uint64_t n, int human,
                   void **out, mc_error *err)
{
    mc_gdata *ds;
    int rc = mc_gdata_new(2, n, human, &ds, err);
    if (rc != MC_OK)
        return rc;
    uint64_t full = n - n % T, rem = n % T, i = 0;
    for (; i < full; i++) {
        size_t t = (size_t)(i % T);
        ds->x[2 * i] = (double)t;
        ds->x[2 * i + 1] = Xw[t] + gsl_ran_gaussian_ziggurat(r, sigma);
    }
    if (rem > 0) {
        size_t *all = malloc(T * sizeof(size_t)), *pick = malloc((size_t)rem * sizeof(size_t));
        if (!all || !pick) {
            free(all);
            free(pick);
            mc_gdata_free(ds);
            return mc_error_set(err, MC_ENOMEM, "out of memory for labels");
        }
        for (size_t t = 0; t < T; t++)
            all[t] = t;
        gsl_ran_choose(r, pick, (size_t)rem, all, T, sizeof(size_t));
        for (uint64_t j = 0; j < rem; j++, i++) {
            size_t t = pick[j];
            ds->x[2 * i] = (double)t;
            ds->x[2 * i + 1] = Xw[t] + gsl_ran_gaussian_ziggurat(r, sigma);
        }
        free(all);
        free(pick);
    }
    *out = ds;
    return MC_OK;
}

static int draw_world(gsl_rng *r, const void *params, const void *world, uint64_t n, void **out,
                      mc_error *err)
{
    (void)params;
    const lworld *w = world;
    return relabel(r, w->T, w->sigma, w->Xw, n, 1, out, err);
}

static int draw_model(gsl_rng *r, const void *params, const void *model, const mc_sampling *s,
                      uint64_t n, void **out, mc_error *err)
{
    (void)params;
    (void)s;
    const lmodel *m = model;
    return relabel(r, m->T, m->sigma, m->Xw, n, 0, out, err);
}

/* ---------------------------------------------------------------- model */

static void model_free(void *p)
{
    lmodel *m = p;
    if (!m)
        return;
    free(m->w);
    gsl_matrix_free(m->cholb);
    gsl_matrix_free(m->chol);
    gsl_matrix_free(m->G);
    free(m);
}

static int model_alloc(const void *params, const void *world, void **out, mc_error *err)
{
    const lparams *p = params;
    const lworld *w = world;
    size_t d = w->d, T = w->T;
    lmodel *m = calloc(1, sizeof *m);
    if (!m)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a model");
    m->d = d;
    m->T = T;
    m->sigma = w->sigma;
    m->X = w->X;
    /* one block: w (d), b (d), Xw (T), c (T), s (T), Y (T, d) */
    m->w = malloc((2 * d + 3 * T + T * d) * sizeof(double));
    m->cholb = gsl_matrix_alloc(d, d);
    m->chol = gsl_matrix_alloc(d, d);
    m->G = gsl_matrix_alloc(d, d);
    if (!m->w || !m->cholb || !m->chol || !m->G) {
        model_free(m);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a model");
    }
    m->b = m->w + d;
    m->Xw = m->b + d;
    m->c = m->Xw + T;
    m->s = m->c + T;
    m->Y = m->s + T;
    gsl_matrix_memcpy(m->cholb, w->XtX);
    for (size_t a = 0; a < d; a++)
        *gsl_matrix_ptr(m->cholb, a, a) += p->ridge;
    m->cholb_ok = gsl_linalg_cholesky_decomp1(m->cholb) == GSL_SUCCESS;
    *out = m;
    return MC_OK;
}

/* Solves G w = b for a symmetric G that may be singular (too few distinct rows): Cholesky, with a
 * ridge of 1e-10 tr G / d, grown tenfold, when it fails; m->ridge records it. With fewer
 * distinct rows than d (`singular`), G is singular in exact arithmetic, and rounding must not
 * decide whether the plain Cholesky happens to succeed: the ridge is applied from the start. */
static int solve_regularised(lmodel *m, gsl_vector *b, gsl_vector *wv, int singular,
                             mc_error *err)
{
    size_t d = m->d;
    double tr = 0.0, ridge = 0.0;
    for (size_t a = 0; a < d; a++)
        tr += gsl_matrix_get(m->G, a, a);
    if (!(tr > 0.0)) {
        gsl_vector_set_zero(wv); /* no information at all: the minimum-norm solution */
        m->ridge = 1.0;
        return MC_OK;
    }
    if (singular)
        ridge = 1e-10 * tr / (double)d;
    for (int attempt = 0; attempt < 40; attempt++) {
        gsl_matrix_memcpy(m->chol, m->G);
        for (size_t a = 0; a < d; a++)
            *gsl_matrix_ptr(m->chol, a, a) += ridge;
        if (gsl_linalg_cholesky_decomp1(m->chol) == GSL_SUCCESS &&
            gsl_linalg_cholesky_solve(m->chol, b, wv) == GSL_SUCCESS) {
            m->ridge = ridge;
            return MC_OK;
        }
        ridge = ridge > 0.0 ? 10.0 * ridge : 1e-10 * tr / (double)d;
    }
    return mc_error_set(err, MC_EINTERNAL, "linreg: the normal equations could not be solved");
}

static int fit(void *model, const void *params, const void *train, const mc_fit_opts *opts,
               mc_error *err)
{
    const lparams *p = params;
    lmodel *m = model;
    const mc_gdata *ds = train;
    size_t d = m->d, T = m->T;
    uint64_t n = ds->n, H = ds->human, S = n - H;
    if (n == 0)
        return mc_error_set(err, MC_EINTERNAL, "linreg: fit on an empty dataset");
    double hw = opts ? opts->human_weight : -1.0;
    double wh = 1.0 / (double)n, wsyn = wh;
    if (hw >= 0.0 && H > 0 && S > 0) {
        wh = hw / (double)H;
        wsyn = (1.0 - hw) / (double)S;
    }
    memset(m->c, 0, 2 * T * sizeof(double)); /* c and s */
    for (uint64_t i = 0; i < n; i++) {
        size_t t = (size_t)ds->x[2 * i];
        double wi = ds->is_human[i] ? wh : wsyn;
        m->c[t] += wi;
        m->s[t] += wi * ds->x[2 * i + 1];
    }
    int balanced = m->cholb_ok;
    for (size_t t = 1; t < T && balanced; t++)
        if (fabs(m->c[t] - m->c[0]) > 1e-12 * m->c[0])
            balanced = 0;
    gsl_matrix_const_view X = gsl_matrix_const_view_array(m->X, T, d);
    gsl_vector_view wv = gsl_vector_view_array(m->w, d);
    gsl_vector_view bv = gsl_vector_view_array(m->b, d);
    gsl_vector *b = &bv.vector;
    gsl_vector_const_view sv = gsl_vector_const_view_array(m->s, T);
    gsl_blas_dgemv(CblasTrans, 1.0, &X.matrix, &sv.vector, 0.0, b); /* b = X^T s */
    int rc = MC_OK;
    m->ridge = 0.0;
    if (balanced) {
        /* every row carries weight 1/T: X^T C X = X^T X / T, factored once in model_alloc */
        gsl_vector_scale(b, 1.0 / (m->c[0] * (double)T));
        if (gsl_linalg_cholesky_solve(m->cholb, b, &wv.vector) != GSL_SUCCESS)
            rc = mc_error_set(err, MC_EINTERNAL, "linreg: gsl_linalg_cholesky_solve failed");
    } else {
        for (size_t t = 0; t < T; t++) {
            double sc = sqrt(m->c[t]);
            for (size_t a = 0; a < d; a++)
                m->Y[t * d + a] = sc * m->X[t * d + a];
        }
        gsl_matrix_const_view Y = gsl_matrix_const_view_array(m->Y, T, d);
        gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &Y.matrix, 0.0, m->G);
        for (size_t a = 0; a < d; a++) {
            *gsl_matrix_ptr(m->G, a, a) += p->ridge;
            for (size_t c = 0; c < a; c++)
                gsl_matrix_set(m->G, c, a, gsl_matrix_get(m->G, a, c));
        }
        size_t rows = 0;
        for (size_t t = 0; t < T; t++)
            rows += m->c[t] > 0;
        rc = solve_regularised(m, b, &wv.vector, rows < d && p->ridge == 0.0, err);
    }
    if (rc != MC_OK)
        return rc;
    gsl_vector_view Xw = gsl_vector_view_array(m->Xw, T);
    gsl_blas_dgemv(CblasNoTrans, 1.0, &X.matrix, &wv.vector, 0.0, &Xw.vector);
    return MC_OK;
}

/* ---------------------------------------------------------------- metrics and theory */

/* The metrics, in this order (describe, metrics and theory index them by this enum). */
enum { L_ERR, L_TEST_MSE, L_REGULARISED, L_NMETRICS };
static const mc_metric_def METRICS[L_NMETRICS] = {
    [L_ERR] = {"err", MC_ROLE_ERROR, "", -1, MC_METRIC_HEADLINE,
               "squared error of the weights ||w_g - w*||^2"},
    [L_TEST_MSE] = {"test_mse", MC_ROLE_HELDOUT_FIT, "", -1, MC_METRIC_HEADLINE,
                    "test MSE on a fresh input x ~ N(0, I) with fresh noise (= err + sigma^2)"},
    [L_REGULARISED] = {"regularised", MC_ROLE_DIAGNOSTIC, "", 0, 0,
                       "1 when the normal equations were singular and regularised"},
};

static int describe(const void *params, const void *world, mc_metric_list *out, mc_error *err)
{
    (void)params, (void)world;
    int rc = mc_metric_declare_all(out, METRICS, L_NMETRICS);
    return rc == MC_OK ? MC_OK : mc_error_set(err, rc, "out of memory for the metric list");
}

static int metrics(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err)
{
    (void)r;
    (void)err;
    const lworld *w = ev->world;
    const lmodel *m = ev->model;
    double e = 0.0;
    for (size_t a = 0; a < w->d; a++)
        e += (m->w[a] - w->wstar[a]) * (m->w[a] - w->wstar[a]);
    out[L_ERR] = e;
    out[L_TEST_MSE] = e + w->sigma * w->sigma;
    out[L_REGULARISED] = m->ridge > 0.0;
    return MC_OK;
}

/* Closed forms given the world's design (see the file comment); NAN outside their conditions:
 * OLS (ridge 0), n = T (one label vector per generation), growth 1, and for accumulate an
 * unweighted fit. */
static double theory(const mc_point *pt, const void *world, size_t mi, unsigned g)
{
    const lworld *w = world;
    const lparams *p = pt->params;
    const mc_regime_settings *rs = &pt->regime_settings;
    if ((mi != L_ERR && mi != L_TEST_MSE) || p->ridge != 0.0 || rs->n != w->T ||
        rs->growth != 1.0 || isnan(w->tr_inv))
        return NAN;
    double base = w->sigma * w->sigma * w->tr_inv, e;
    mc_theory_case tc = mc_theory_case_of(pt);
    if (tc == MC_THEORY_REPLACE) {
        e = (double)(g + 1) * base;
    } else if (tc == MC_THEORY_ACCUMULATE) {
        double s = 0.0;
        for (unsigned i = 1; i <= g + 1; i++)
            s += 1.0 / ((double)i * (double)i);
        e = base * s;
    } else {
        return NAN;
    }
    return mi == L_ERR ? e : e + w->sigma * w->sigma;
}

/* The operator's signal for the pipeline regime: the variance of the labels in the dataset (its
 * spread of outputs), from the dataset alone. */
static int signal(const void *params, const void *vd, double *out)
{
    (void)params;
    const mc_gdata *ds = vd;
    double mean = 0.0, ss = 0.0;
    for (uint64_t i = 0; i < ds->n; i++)
        mean += ds->x[2 * i + 1];
    mean /= (double)ds->n;
    for (uint64_t i = 0; i < ds->n; i++)
        ss += (ds->x[2 * i + 1] - mean) * (ds->x[2 * i + 1] - mean);
    *out = ds->n > 0 ? ss / (double)ds->n : NAN;
    return MC_OK;
}

const mc_family_type mc_family_linreg = {
    .name = "linreg",
    .description = "linear regression on a fixed Gaussian design, relabelled by its own estimate",
    .keys = linreg_keys,
    .params_size = sizeof(lparams),
    .sampling = 0,
    .check = check,
    .world_create = world_create,
    .world_free = world_free,
    .describe = describe,
    .bytes_needed = bytes_needed,
    .default_n = default_n,
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
    .signal = signal,
};
