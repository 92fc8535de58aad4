/* test_gmm.c - Gaussian mixtures: EM, the closed-form L2 distance, degenerate fits, the gmm
 * family's configuration errors and its runs through the engine. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include "testutil.h"
#include "families/gmm.h"
#include "collapse/rng.h"

static void set_mixture(mc_gmm *m, const double *w, const double *mu, const double *cov)
{
    size_t k = m->k, d = m->d;
    memcpy(m->w, w, k * sizeof *w);
    memcpy(m->mu, mu, k * d * sizeof *mu);
    memcpy(m->cov, cov, k * d * d * sizeof *cov);
    mc_error err;
    assert_int_equal(mc_gmm_prepare(m, &err), MC_OK);
}

static const mc_gmm_em_opts FULL = {MC_GMM_FULL, 1e-6, 1e-6, 500, 3, MC_GMM_INIT_KMEANSPP};

static int has_nan(const mc_gmm *m)
{
    size_t n = m->k * (2 + m->d + 2 * m->d * m->d);
    for (size_t i = 0; i < n; i++)
        if (isnan(m->w[i]))
            return 1;
    return 0;
}

/* Three well-separated clusters: EM recovers weights, means and covariances. Tolerances: 4
 * standard errors of the complete-data estimates (the clusters are so far apart that the
 * responsibilities are 0/1 up to 1e-20): SE(w) = sqrt(w(1-w)/n); SE(mu_a) = sqrt(S_aa / n_j);
 * SE(S_ab) = sqrt((S_aa S_bb + S_ab^2) / n_j) for Gaussian data. */
static void test_em_recovers_separated_clusters(void **state)
{
    (void)state;
    const size_t k = 3, d = 2, n = 6000;
    double w[] = {0.2, 0.3, 0.5};
    double mu[] = {-12, 0, 0, 12, 12, 0};
    double cov[] = {1, 0.5, 0.5, 2, 0.5, 0, 0, 0.5, 2, -1, -1, 1.5};
    mc_gmm *truth = mc_gmm_alloc(k, d), *fit = mc_gmm_alloc(k, d);
    mc_gmm_em *ws = mc_gmm_em_alloc(k, d);
    gsl_rng *r = mc_rng_alloc(11);
    double *x = malloc(n * d * sizeof *x);
    set_mixture(truth, w, mu, cov);
    mc_gmm_sample(r, truth, n, x);
    mc_gmm_em_stats st;
    mc_error err;
    assert_int_equal(mc_gmm_fit(r, ws, fit, x, NULL, n, &FULL, &st, &err), MC_OK);
    assert_true(st.converged);
    assert_int_equal(st.collapsed, 0);
    for (size_t j = 0; j < k; j++) {
        /* the fitted component nearest to true component j */
        size_t best = 0;
        double bd = INFINITY;
        for (size_t i = 0; i < k; i++) {
            double dd = 0;
            for (size_t a = 0; a < d; a++)
                dd += pow(fit->mu[i * d + a] - mu[j * d + a], 2);
            if (dd < bd) {
                bd = dd;
                best = i;
            }
        }
        double nj = n * w[j];
        tu_assert_close(fit->w[best], w[j], sqrt(w[j] * (1 - w[j]) / n), 4);
        const double *S = cov + j * d * d, *F = fit->cov + best * d * d;
        for (size_t a = 0; a < d; a++) {
            tu_assert_close(fit->mu[best * d + a], mu[j * d + a], sqrt(S[a * d + a] / nj), 4);
            for (size_t b = 0; b < d; b++) {
                double se = sqrt((S[a * d + a] * S[b * d + b] + S[a * d + b] * S[a * d + b]) / nj);
                tu_assert_close(F[a * d + b], S[a * d + b], se, 4);
            }
        }
    }
    free(x);
    gsl_rng_free(r);
    mc_gmm_em_free(ws);
    mc_gmm_free(truth);
    mc_gmm_free(fit);
}

/* A diagonal fit has exactly zero off-diagonal entries and recovers the variances. */
static void test_em_diagonal(void **state)
{
    (void)state;
    const size_t k = 2, d = 3, n = 4000;
    double w[] = {0.5, 0.5}, mu[] = {-10, 0, 0, 10, 0, 0};
    double cov[18] = {0};
    for (size_t a = 0; a < d; a++) {
        cov[a * d + a] = 1.0 + (double)a;
        cov[9 + a * d + a] = 0.5;
    }
    mc_gmm *truth = mc_gmm_alloc(k, d), *fit = mc_gmm_alloc(k, d);
    mc_gmm_em *ws = mc_gmm_em_alloc(k, d);
    gsl_rng *r = mc_rng_alloc(5);
    double *x = malloc(n * d * sizeof *x);
    set_mixture(truth, w, mu, cov);
    mc_gmm_sample(r, truth, n, x);
    mc_gmm_em_opts o = FULL;
    o.covtype = MC_GMM_DIAG;
    mc_gmm_em_stats st;
    mc_error err;
    assert_int_equal(mc_gmm_fit(r, ws, fit, x, NULL, n, &o, &st, &err), MC_OK);
    for (size_t j = 0; j < k; j++) {
        size_t t = fit->mu[j * d] < 0 ? 0 : 1;
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++) {
                double v = fit->cov[j * d * d + a * d + b], s = cov[t * d * d + a * d + b];
                if (a != b)
                    assert_true(v == 0.0);
                else /* SE of a variance estimate: s sqrt(2 / n_j) */
                    tu_assert_close(v, s, s * sqrt(2.0 / (n * 0.5)), 4);
            }
    }
    free(x);
    gsl_rng_free(r);
    mc_gmm_em_free(ws);
    mc_gmm_free(truth);
    mc_gmm_free(fit);
}

/* Integer weights c_i give exactly the fit of the data set with point i repeated c_i times (the
 * repeats adjacent, so that the k-means++ draws map to the same points). */
static void test_weighted_em_equals_replicated(void **state)
{
    (void)state;
    const size_t k = 2, d = 2, n = 300;
    double *x = malloc(n * d * sizeof *x), *wt = malloc(n * sizeof *wt);
    double *rep = malloc(3 * n * d * sizeof *rep);
    gsl_rng *r = mc_rng_alloc(3);
    size_t nr = 0;
    for (size_t i = 0; i < n; i++) {
        x[i * d] = gsl_rng_uniform(r) * 6 + (i % 2 ? 3 : -3);
        x[i * d + 1] = gsl_rng_uniform(r);
        wt[i] = (double)(1 + i % 3);
        for (size_t c = 0; c < (size_t)wt[i]; c++, nr++)
            memcpy(rep + nr * d, x + i * d, d * sizeof *x);
    }
    mc_gmm *a = mc_gmm_alloc(k, d), *b = mc_gmm_alloc(k, d);
    mc_gmm_em *ws = mc_gmm_em_alloc(k, d);
    mc_gmm_em_opts o = {MC_GMM_FULL, 1e-6, 1e-12, 50, 2, MC_GMM_INIT_KMEANSPP};
    mc_gmm_em_stats sa, sb;
    mc_error err;
    mc_rng_seed(r, 99);
    assert_int_equal(mc_gmm_fit(r, ws, a, x, wt, n, &o, &sa, &err), MC_OK);
    mc_rng_seed(r, 99);
    assert_int_equal(mc_gmm_fit(r, ws, b, rep, NULL, nr, &o, &sb, &err), MC_OK);
    for (size_t i = 0; i < k * (1 + d + d * d); i++) /* w, mu, cov: rounding only */
        if (!(fabs(a->w[i] - b->w[i]) <= 1e-7 * (1 + fabs(b->w[i]))))
            fail_msg("parameter %zu: %.15g weighted, %.15g replicated", i, a->w[i], b->w[i]);
    free(x);
    free(wt);
    free(rep);
    gsl_rng_free(r);
    mc_gmm_em_free(ws);
    mc_gmm_free(a);
    mc_gmm_free(b);
}

/* The iteration cap stops EM; more starts never lower the kept likelihood (start 1 of a
 * 4-start fit is the single start drawn from the same stream). */
static void test_iteration_cap_and_restarts(void **state)
{
    (void)state;
    const size_t k = 3, d = 2, n = 500;
    double *x = malloc(n * d * sizeof *x);
    gsl_rng *r = mc_rng_alloc(8);
    for (size_t i = 0; i < n * d; i++)
        x[i] = gsl_ran_gaussian(r, 1.0) + (i % 7 == 0 ? 3 : 0);
    mc_gmm *m = mc_gmm_alloc(k, d);
    mc_gmm_em *ws = mc_gmm_em_alloc(k, d);
    mc_gmm_em_opts o = {MC_GMM_FULL, 1e-6, 1e-12, 1, 1, MC_GMM_INIT_KMEANSPP};
    mc_gmm_em_stats one, many;
    mc_error err;
    assert_int_equal(mc_gmm_fit(r, ws, m, x, NULL, n, &o, &one, &err), MC_OK);
    assert_int_equal(one.iterations, 1);
    assert_false(one.converged);
    o.max_iter = 200;
    mc_rng_seed(r, 4);
    assert_int_equal(mc_gmm_fit(r, ws, m, x, NULL, n, &o, &one, &err), MC_OK);
    o.restarts = 4;
    mc_rng_seed(r, 4);
    assert_int_equal(mc_gmm_fit(r, ws, m, x, NULL, n, &o, &many, &err), MC_OK);
    assert_true(many.loglik >= one.loglik);
    /* the reported likelihood is the kept mixture's */
    double scratch[500 * 5];
    tu_assert_close(mc_gmm_mean_logpdf(m, x, n, scratch), many.loglik, 1e-9, 1);
    free(x);
    gsl_rng_free(r);
    mc_gmm_em_free(ws);
    mc_gmm_free(m);
}

/* ||p - p|| is exactly 0, for the same object and for a copy. */
static void test_l2_identical_is_zero(void **state)
{
    (void)state;
    double w[] = {0.3, 0.7}, mu[] = {-1, 0.5, 2, 1}, cov[] = {1, 0.3, 0.3, 0.5, 2, 0, 0, 1};
    mc_gmm *p = mc_gmm_alloc(2, 2), *q = mc_gmm_alloc(2, 2);
    set_mixture(p, w, mu, cov);
    mc_gmm_copy(q, p);
    double scratch[16];
    assert_true(mc_gmm_l2(p, p, scratch) == 0.0);
    assert_true(mc_gmm_l2(p, q, scratch) == 0.0);
    mc_gmm_free(p);
    mc_gmm_free(q);
}

/* The closed form against a midpoint rule on [-14, 14]^2 (the densities there are below
 * e^-30 outside, and the rule's error for these smooth integrands at h = 0.04 is O(h^2 f'') ~
 * 1e-7 relative): agreement to 1e-5 relative. */
static void test_l2_matches_numerical_integration(void **state)
{
    (void)state;
    double wp[] = {0.3, 0.7}, mp[] = {-1, 0.5, 2, 1}, cp[] = {1, 0.3, 0.3, 0.5, 2, 0, 0, 1};
    double wq[] = {0.5, 0.2, 0.3}, mq[] = {0, 0, 1, -1, -2, 2};
    double cq[] = {1, 0, 0, 1, 0.5, -0.2, -0.2, 0.8, 1.5, 0.7, 0.7, 1};
    mc_gmm *p = mc_gmm_alloc(2, 2), *q = mc_gmm_alloc(3, 2);
    set_mixture(p, wp, mp, cp);
    set_mixture(q, wq, mq, cq);
    double scratch[16], y[2], x[2];
    double closed = mc_gmm_l2(p, q, scratch);
    const double lo = -14, h = 0.04;
    const int m = 700;
    double s = 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            x[0] = lo + (i + 0.5) * h;
            x[1] = lo + (j + 0.5) * h;
            double dp = exp(mc_gmm_logpdf(p, x, y)) - exp(mc_gmm_logpdf(q, x, y));
            s += dp * dp * h * h;
        }
    assert_true(closed > 0.01);
    tu_assert_close(closed, sqrt(s), 1e-5 * sqrt(s), 1);
    /* 1-D: L2 between N(0,1) and N(m,1) is sqrt(2 (1 - exp(-m^2/4)) / (2 sqrt(pi))) */
    mc_gmm *a = mc_gmm_alloc(1, 1), *b = mc_gmm_alloc(1, 1);
    double one = 1, zero = 0, mm = 1.5;
    set_mixture(a, &one, &zero, &one);
    set_mixture(b, &one, &mm, &one);
    double expect = sqrt(2 * (1 - exp(-mm * mm / 4)) / (2 * sqrt(M_PI)));
    tu_assert_close(mc_gmm_l2(a, b, scratch), expect, 1e-12, 1);
    mc_gmm_free(a);
    mc_gmm_free(b);
    mc_gmm_free(p);
    mc_gmm_free(q);
}

/* All points identical: both components sit on the point with covariance reg_covar I, are
 * counted as collapsed, and nothing is NaN. */
static void test_all_points_identical(void **state)
{
    (void)state;
    const size_t n = 50, d = 2;
    double x[100];
    for (size_t i = 0; i < n * d; i++)
        x[i] = i % 2 ? 3.0 : -1.0;
    mc_gmm *m = mc_gmm_alloc(2, d);
    mc_gmm_em *ws = mc_gmm_em_alloc(2, d);
    gsl_rng *r = mc_rng_alloc(1);
    mc_gmm_em_stats st;
    mc_error err;
    assert_int_equal(mc_gmm_fit(r, ws, m, x, NULL, n, &FULL, &st, &err), MC_OK);
    assert_false(has_nan(m));
    assert_int_equal(st.collapsed, 2);
    for (size_t j = 0; j < 2; j++) {
        assert_true(fabs(m->mu[j * d] + 1.0) < 1e-12 && fabs(m->mu[j * d + 1] - 3.0) < 1e-12);
        assert_true(fabs(m->cov[j * 4] - 1e-6) < 1e-12 && fabs(m->cov[j * 4 + 1]) < 1e-12);
    }
    assert_true(isfinite(st.loglik));
    /* reg_covar = 0: the fit still factorises (jitter) and stays finite */
    mc_gmm_em_opts o = FULL;
    o.reg_covar = 0;
    assert_int_equal(mc_gmm_fit(r, ws, m, x, NULL, n, &o, &st, &err), MC_OK);
    assert_false(has_nan(m));
    assert_true(isfinite(st.loglik));
    gsl_rng_free(r);
    mc_gmm_em_free(ws);
    mc_gmm_free(m);
}

/* Fewer points than components, and a component left with no points (two distinct points, k =
 * 3: the third seed duplicates one of them and loses every tie): re-seeded, counted, no NaN. */
static void test_fewer_points_than_components(void **state)
{
    (void)state;
    const size_t d = 2;
    double two[] = {0, 0, 5, 5};
    mc_gmm *m = mc_gmm_alloc(5, d);
    mc_gmm_em *ws = mc_gmm_em_alloc(5, d);
    gsl_rng *r = mc_rng_alloc(2);
    mc_gmm_em_stats st;
    mc_error err;
    assert_int_equal(mc_gmm_fit(r, ws, m, two, NULL, 2, &FULL, &st, &err), MC_OK);
    assert_false(has_nan(m));
    assert_true(st.reseeded + st.collapsed >= 3);
    double s = 0;
    for (size_t j = 0; j < 5; j++)
        s += m->w[j];
    assert_true(fabs(s - 1) < 1e-12);

    double pairs[200];
    for (size_t i = 0; i < 100; i++) {
        pairs[2 * i] = i % 2 ? 4.0 : 0.0;
        pairs[2 * i + 1] = 1.0;
    }
    mc_gmm *m3 = mc_gmm_alloc(3, d);
    mc_gmm_em *ws3 = mc_gmm_em_alloc(3, d);
    assert_int_equal(mc_gmm_fit(r, ws3, m3, pairs, NULL, 100, &FULL, &st, &err), MC_OK);
    assert_false(has_nan(m3));
    assert_true(st.reseeded >= 1);
    assert_true(isfinite(st.loglik));
    /* one point, one component */
    mc_gmm *m1 = mc_gmm_alloc(1, d);
    mc_gmm_em *ws1 = mc_gmm_em_alloc(1, d);
    assert_int_equal(mc_gmm_fit(r, ws1, m1, two, NULL, 1, &FULL, &st, &err), MC_OK);
    assert_int_equal(st.collapsed, 1);
    assert_false(has_nan(m1));
    /* no points is an error, not a crash */
    assert_int_equal(mc_gmm_fit(r, ws1, m1, two, NULL, 0, &FULL, &st, &err), MC_ECONFIG);
    mc_gmm_free(m1);
    mc_gmm_em_free(ws1);
    mc_gmm_free(m3);
    mc_gmm_em_free(ws3);
    gsl_rng_free(r);
    mc_gmm_em_free(ws);
    mc_gmm_free(m);
}

static const char *GMM_INI = "[world]\ndim = 2\n[model]\nfamily = gmm\nk = 2\n"
                             "[regime]\nname = replace\nn = 200\n"
                             "[run]\ngenerations = 4\nreplicates = 2\n";

static void expect_config_error(const char *override, const char *needle)
{
    const char *ov[] = {override, NULL};
    tu_expect_error(GMM_INI, ov, MC_ECONFIG, needle, NULL);
}

static void test_bad_config(void **state)
{
    (void)state;
    expect_config_error("model.k=0", "k");
    expect_config_error("model.reg_covar=-1", "reg_covar");
    expect_config_error("model.covariance=spherical", "covariance");
    expect_config_error("world.cov=1, 2; 2, 1", "positive definite");
    expect_config_error("world.cov=1, 0.5; 0.4, 1", "symmetric");
    expect_config_error("world.weights=0.5, 0.5", "components");
    expect_config_error("world.mean=0, 0, 0", "dimensions");
    expect_config_error("sampling.temperature=0.5", "temperature");
}

/* Through the engine: every metric is a number (never NaN), a run is reproducible, and the
 * world's own tail mass is 0.01 (the fitted model's, at generation 0, near it). */
static void test_family_runs(void **state)
{
    (void)state;
    const char *ov[] = {"sampling.truncate=2", NULL};
    for (int t = 0; t < 2; t++) {
        mc_experiment *e = tu_prepare(GMM_INI, t ? ov : NULL);
        const mc_point *p = &e->points[0];
        double *v1 = tu_run_point(p), *v2 = tu_run_point(p);
        size_t total = 2 * 5 * p->metrics.n;
        for (size_t i = 0; i < total; i++) {
            assert_false(isnan(v1[i]));
            assert_true(v1[i] == v2[i]);
        }
        size_t tr = tu_metric(p, "trace_ratio");
        if (t == 1) /* truncation at 2 sd shrinks each generation: trace_ratio falls */
            assert_true(v1[4 * p->metrics.n + tr] < 0.8 * v1[tr]);
        free(v1);
        free(v2);
        mc_experiment_free(e);
    }
}

/* Weighted EM through the engine: with regime.human_weight = 1 the synthetic half of each
 * fresh training set weighs nothing, so every generation is the maximum-likelihood Gaussian
 * (k = 1) of m = 20 fresh world draws: E trace_ratio = (m - 1)/m (+ reg_covar, 1e-6) at every g,
 * whatever the earlier generations did (the synthetic half is shrunk, sampling.shrink = 0.5, so an
 * unweighted fit would give about 0.56). 4 standard errors of the mean over R replicates. */
static void test_family_weighted_fit(void **state)
{
    (void)state;
    const char *ov[] = {"model.k=1", "regime.name=fresh", "regime.h=0.5", "regime.n=40",
                        "regime.human_weight=1", "run.replicates=400", "world.holdout=20",
                        "metrics.samples=10", "sampling.shrink=0.5", NULL};
    mc_experiment *e = tu_prepare(GMM_INI, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    const size_t tr = tu_metric(p, "trace_ratio");
    for (long g = 1; g <= 4; g++) {
        double mean, se;
        tu_mean_se(p, v, tr, g, &mean, &se);
        tu_assert_close(mean, 19.0 / 20.0 + 1e-6, se, 4);
    }
    free(v);
    mc_experiment_free(e);
}

/* Mean trace_ratio and mean_error over R replicates against the theory slot, within 4.5
 * standard errors of the replicate mean (SE = sd / sqrt(R)). */
static void check_k1_theory(const char *const *ov)
{
    mc_experiment *e = tu_prepare(GMM_INI, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    const size_t G = (size_t)p->run.generations;
    const char *names[] = {"trace_ratio", "mean_error"};
    for (int k = 0; k < 2; k++) {
        size_t m = tu_metric(p, names[k]);
        for (size_t g = 0; g <= G; g++) {
            double mean, se;
            tu_mean_se(p, v, m, (long)g, &mean, &se);
            double th = p->family->theory(p, p->world, m - MC_ENGINE_METRICS, (unsigned)g);
            if (!(fabs(mean - th) <= 4.5 * se))
                fail_msg("%s %s at g = %zu: mean %g, theory %g, SE %g", ov[2], names[k], g,
                         mean, th, se);
        }
    }
    free(v);
    mc_experiment_free(e);
}

static void test_k1_theory(void **state)
{
    (void)state;
    const char *rep[] = {"model.k=1", "regime.n=10", "sampling.truncate=1.5",
                         "world.cov=1, 0.5; 0.5, 2", "run.replicates=1500", "world.holdout=10",
                         "metrics.samples=2", "run.generations=6", NULL};
    check_k1_theory(rep);
    const char *acc[] = {"model.k=1", "regime.n=10", "regime.name=accumulate",
                         "sampling.shrink=0.4", "regime.growth=1.3", "run.replicates=1500",
                         "world.holdout=10", "metrics.samples=2", "run.generations=6", NULL};
    check_k1_theory(acc);
    /* k = 2, 3: every M step keeps the training set's first two moments, so the k = 1 recursion
     * holds without sampling bias (replace, and accumulate with a diagonal covariance) */
    const char *k2[] = {"model.k=2", "regime.n=40", "world.means=-2, 0; 2, 0", "world.sigma=1",
                        "run.replicates=600", "world.holdout=10", "metrics.samples=2",
                        "run.generations=5", NULL};
    check_k1_theory(k2);
    const char *k3[] = {"model.k=3", "regime.n=40", "regime.name=accumulate",
                        "model.covariance=diag", "run.replicates=300", "world.holdout=10",
                        "metrics.samples=2", "run.generations=4", NULL};
    check_k1_theory(k3);
    /* no closed form for k > 1 with a sampling bias (it acts within each component) */
    const char *bias[] = {"sampling.shrink=0.1", NULL};
    mc_experiment *e = tu_prepare(GMM_INI, bias);
    assert_true(isnan(e->points[0].family->theory(&e->points[0], e->points[0].world, 1, 2)));
    mc_experiment_free(e);
}

/* Degenerate training sets through the family: identical points and n < k. */
static void test_family_degenerate(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=1", "model.k=3", NULL};
    mc_experiment *e = tu_prepare(GMM_INI, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t deg = tu_metric(p, "degenerate"), M = p->metrics.n;
    for (size_t i = 0; i < 2 * 5 * M; i++)
        assert_false(isnan(v[i]));
    assert_true(v[deg] >= 2); /* n = 1 < k = 3 */
    free(v);
    mc_experiment_free(e);
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_em_recovers_separated_clusters),
        cmocka_unit_test(test_em_diagonal),
        cmocka_unit_test(test_weighted_em_equals_replicated),
        cmocka_unit_test(test_iteration_cap_and_restarts),
        cmocka_unit_test(test_l2_identical_is_zero),
        cmocka_unit_test(test_l2_matches_numerical_integration),
        cmocka_unit_test(test_all_points_identical),
        cmocka_unit_test(test_fewer_points_than_components),
        cmocka_unit_test(test_bad_config),
        cmocka_unit_test(test_family_runs),
        cmocka_unit_test(test_family_weighted_fit),
        cmocka_unit_test(test_k1_theory),
        cmocka_unit_test(test_family_degenerate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
