/* test_linreg.c - the linreg family against the closed forms of Gerstgrasser et al. (2024).
 *
 * Tolerances: a Monte Carlo mean over R replicates may differ from its expectation by 4 standard
 * errors (SE = sample sd / sqrt(R)); a correct implementation fails one check with probability
 * about 6e-5, and the seeds are fixed. The fit itself is compared with GSL's independent
 * least-squares solver (gsl_multifit_linear, SVD-based) to 1e-9. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit.h>
#include <gsl/gsl_randist.h>
#include "testutil.h"
#include "families/gdata.h"
#include "families/gworld.h"
#include "families/linreg.h"

static const char *const BASE = "[world]\nrows = 30\ndim = 5\nsigma = 0.7\n"
                                "[model]\nfamily = linreg\n[regime]\nname = replace, accumulate\n"
                                "[run]\ngenerations = 8\nreplicates = 4000\nseed = 17\n";

/* The theory column is the expectation given the world's design: replace (g+1) sigma^2 tr
 * (X^T X)^-1, accumulate sigma^2 tr (X^T X)^-1 sum_{i<=g+1} 1/i^2 (engine generation g is the
 * paper's g + 1); test_mse adds sigma^2. Both regimes are simulated and compared. */
static void test_replace_and_accumulate_theory(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(BASE, NULL);
    assert_int_equal(e->npoints, 2);
    for (size_t pi = 0; pi < 2; pi++) {
        const mc_point *p = &e->points[pi];
        assert_int_equal(p->regime_settings.n, 30); /* default_n = T */
        size_t m = tu_metric(p, "err"), mt = tu_metric(p, "test_mse");
        double base = p->family->theory(p, p->world, 0, 0);
        assert_true(isfinite(base) && base > 0);
        double *v = tu_run_point(p);
        for (long g = 0; g <= 8; g += 2) {
            double th = p->family->theory(p, p->world, m - MC_ENGINE_METRICS, (unsigned)g), expect;
            if (pi == 0) {
                expect = base * (double)(g + 1);
            } else {
                expect = 0;
                for (long i = 1; i <= g + 1; i++)
                    expect += base / (double)(i * i);
            }
            assert_true(fabs(th - expect) < 1e-12 * expect);
            double mean, se;
            tu_mean_se(p, v, m, g, &mean, &se);
            print_message("  %s g=%ld sim %.5g +- %.2g theory %.5g\n", p->regime->name, g, mean,
                          se, th);
            tu_assert_close(mean, th, se, 4.0);
            double tmse = p->family->theory(p, p->world, mt - MC_ENGINE_METRICS, (unsigned)g);
            assert_true(fabs(tmse - th - 0.49) < 1e-12);
            tu_mean_se(p, v, mt, g, &mean, &se);
            tu_assert_close(mean, tmse, se, 4.0);
        }
        free(v);
    }
    mc_experiment_free(e);
}

/* Over designs with rows N(0, I_d), E tr (X^T X)^-1 = d / (T - d - 1) (the inverse-Wishart mean):
 * 400 worlds from 400 seeds; SE from the sample sd of tr (X^T X)^-1. */
static void test_design_average(void **state)
{
    (void)state;
    const int K = 400;
    double s = 0, ss = 0;
    for (int k = 0; k < K; k++) {
        char seed[64];
        snprintf(seed, sizeof seed, "run.seed=%d", 1000 + k);
        const char *ov[] = {seed, "world.sigma=1", "regime.name=replace", NULL};
        mc_experiment *e = tu_prepare(BASE, ov);
        const mc_point *p = &e->points[0];
        double t = p->family->theory(p, p->world, 0, 0); /* sigma^2 tr (X^T X)^-1, sigma = 1 */
        s += t;
        ss += t * t;
        mc_experiment_free(e);
    }
    double mean = s / K, sd = sqrt((ss - K * mean * mean) / (K - 1));
    tu_assert_close(mean, 5.0 / (30 - 5 - 1), sd / sqrt((double)K), 4.0);
}

/* The fit equals GSL's least squares on the expanded rows, for a balanced pool (two full label
 * vectors: the fast path) and an unbalanced subsample (the general path); with a weighted fit the
 * solution matches gsl_multifit_wlinear with the per-row weights. */
static void test_fit_matches_gsl(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=replace", "run.replicates=1", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    mc_error err;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    void *a, *b, *sub, *model;
    assert_int_equal(f->draw_world(r, p->params, p->world, 30, &a, &err), MC_OK);
    assert_int_equal(f->model_alloc(p->params, p->world, &model, &err), MC_OK);
    mc_fit_opts opts = {.human_weight = -1};
    assert_int_equal(f->fit(model, p->params, a, &opts, &err), MC_OK);
    assert_int_equal(f->draw_model(r, p->params, model, &p->sampling, 30, &b, &err), MC_OK);
    assert_int_equal(f->ds_merge(a, b, &err), MC_OK);
    assert_int_equal(f->ds_subsample(r, a, 23, &sub, &err), MC_OK);

    const double *X = ((const lworld *)p->world)->X;
    const void *sets[2] = {a, sub};
    const double hws[2] = {-1.0, 0.3};
    for (int si = 0; si < 2; si++)
        for (int wi = 0; wi < 2; wi++) {
            const mc_gdata *ds = sets[si];
            size_t n = ds->n, d = 5;
            opts.human_weight = hws[wi];
            assert_int_equal(f->fit(model, p->params, ds, &opts, &err), MC_OK);
            gsl_matrix *A = gsl_matrix_alloc(n, d), *cov = gsl_matrix_alloc(d, d);
            gsl_vector *y = gsl_vector_alloc(n), *c = gsl_vector_alloc(d), *w = gsl_vector_alloc(n);
            double *wts = malloc(n * sizeof(double));
            mc_gdata_weights(ds, hws[wi], wts);
            for (size_t i = 0; i < n; i++) {
                size_t t = (size_t)ds->x[2 * i];
                for (size_t j = 0; j < d; j++)
                    gsl_matrix_set(A, i, j, X[t * d + j]);
                gsl_vector_set(y, i, ds->x[2 * i + 1]);
                gsl_vector_set(w, i, wts[i]);
            }
            gsl_multifit_linear_workspace *ws = gsl_multifit_linear_alloc(n, d);
            double chisq;
            assert_int_equal(gsl_multifit_wlinear(A, w, y, c, cov, &chisq, ws), GSL_SUCCESS);
            const double *west = ((const lmodel *)model)->w;
            for (size_t j = 0; j < d; j++)
                if (fabs(west[j] - gsl_vector_get(c, j)) > 1e-9)
                    fail_msg("set %d weight %d: w[%zu] = %.12g, gsl %.12g", si, wi, j, west[j],
                             gsl_vector_get(c, j));
            gsl_multifit_linear_free(ws);
            free(wts);
            gsl_matrix_free(A), gsl_matrix_free(cov);
            gsl_vector_free(y), gsl_vector_free(c), gsl_vector_free(w);
        }
    f->ds_free(a), f->ds_free(b), f->ds_free(sub);
    f->model_free(model);
    gsl_rng_free(r);
    mc_experiment_free(e);
}

/* Degenerate: a subsample of 3 rows for d = 5 gives singular normal equations: regularised and
 * flagged, no NaN; with sigma = 0 the labels are exact and replace keeps err = 0 (to rounding). */
static void test_degenerate(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=accumulate-subsample", "regime.n=3", "run.replicates=20",
                        NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t n = (size_t)p->run.replicates * (size_t)(p->run.generations + 1) * p->metrics.n;
    for (size_t i = 0; i < n; i++)
        assert_false(isnan(v[i]));
    double mean, se;
    tu_mean_se(p, v, tu_metric(p, "regularised"), 0, &mean, &se);
    assert_true(mean == 1.0);
    free(v);
    mc_experiment_free(e);

    const char *ov2[] = {"world.sigma=0", "regime.name=replace", "run.replicates=3", NULL};
    e = tu_prepare(BASE, ov2);
    p = &e->points[0];
    v = tu_run_point(p);
    size_t m = tu_metric(p, "err");
    for (long r = 0; r < 3; r++)
        for (long g = 0; g <= 8; g++)
            assert_true(v[((size_t)r * 9 + (size_t)g) * p->metrics.n + m] < 1e-20);
    free(v);
    mc_experiment_free(e);
}

/* A draw of n rows labels every design row once per full T and n mod T further distinct rows
 * chosen uniformly: with T = 30 and n = 65, rows 0..29 twice, then 5 distinct rows, each of which
 * is row 29 with probability 5/30 (binomial SE over 3000 draws). */
static void test_partial_draws(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(BASE, NULL);
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    mc_error err;
    long hits = 0, trials = 3000;
    for (long k = 0; k < trials; k++) {
        void *v;
        assert_int_equal(f->draw_world(r, p->params, p->world, 65, &v, &err), MC_OK);
        const mc_gdata *ds = v;
        int seen[30] = {0};
        for (size_t i = 0; i < 60; i++)
            assert_true(ds->x[2 * i] == (double)(i % 30));
        for (size_t i = 60; i < 65; i++) {
            int t = (int)ds->x[2 * i];
            assert_true(t >= 0 && t < 30 && !seen[t]);
            seen[t] = 1;
            hits += t == 29;
        }
        f->ds_free(v);
    }
    double q = 5.0 / 30.0;
    tu_assert_close((double)hits / trials, q, sqrt(q * (1 - q) / trials), 4.0);
    gsl_rng_free(r);
    mc_experiment_free(e);
}

/* Bad configuration values get one clear message naming the key. */
static void test_bad_config(void **state)
{
    (void)state;
    static const struct {
        const char *ini, *expect;
    } cases[] = {
        {"[world]\nrows = 11\ndim = 10\n[model]\nfamily = linreg\n", "T > d + 1"},
        {"[world]\nrows = 5\ndim = 10\n[model]\nfamily = linreg\n", "rows"},
        {"[world]\nsigma = -1\n[model]\nfamily = linreg\n", "sigma"},
        {"[world]\ndim = 3\nweights = 1, 2\n[model]\nfamily = linreg\n", "weights"},
        {"[model]\nfamily = linreg\nridge = -0.1\n", "ridge"},
        {"[model]\nfamily = linreg\n[sampling]\nshrink = 0.5\n", "shrink"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        tu_expect_error(cases[i].ini, NULL, MC_ECONFIG, cases[i].expect, "test.ini:");
    /* T <= d + 1 is fine with a ridge */
    mc_experiment *e = tu_prepare("[world]\nrows = 8\ndim = 10\n[model]\nfamily = linreg\n"
                                  "ridge = 0.1\n[run]\nreplicates = 2\ngenerations = 2\n", NULL);
    double *v = tu_run_point(&e->points[0]);
    free(v);
    mc_experiment_free(e);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replace_and_accumulate_theory),
        cmocka_unit_test(test_design_average),
        cmocka_unit_test(test_fit_matches_gsl),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_partial_draws),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
