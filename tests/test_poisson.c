/* test_poisson.c - the Poisson family against its closed forms (docs/THEORY.md, "Poisson").
 *
 * Tolerances: a Monte Carlo mean over R replicates may differ from its expectation by 4 standard
 * errors (SE = sample sd / sqrt(R); for the 0/1 alive indicator sqrt((p (1 - p) + 1/R) / R)
 * from the closed form p, the 1/R guarding rare events); a correct implementation fails one check with probability about 6e-5, and the
 * seeds are fixed. The pgf recursion is checked against exact small cases computed another way. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "testutil.h"
#include "collapse/rng.h"
#include "families/poisson.h"

static const char *const BASE = "[world]\nlambda = 1\n[model]\nfamily = poisson\n"
                                "[regime]\nname = replace, accumulate\nn = 10\n"
                                "[metrics]\ntrack = 0, 2\n"
                                "[run]\ngenerations = 40\nreplicates = 3000\nseed = 5\n";

static int sanitized(void) { return getenv("MC_SANITIZE") != NULL; }

/* Simulated alive and lambda_ratio against theory at several generations. */
static void check_point(const mc_point *p, long step)
{
    size_t ma = tu_metric(p, "alive"), ml = tu_metric(p, "lambda_ratio");
    double *v = tu_run_point(p);
    for (long g = 0; g <= p->run.generations; g += step) {
        double pa = p->family->theory(p, p->world, ma - MC_ENGINE_METRICS, (unsigned)g);
        double el = p->family->theory(p, p->world, ml - MC_ENGINE_METRICS, (unsigned)g);
        double mean, se;
        tu_mean_se(p, v, ma, g, &mean, &se);
        print_message("  %s g=%ld alive %.4f theory %.4f\n", p->regime->name, g, mean, pa);
        /* the binomial SE, with 1/R added to the variance: near p = 0 or 1 the normal
         * approximation fails (one death in 600 replicates at P = 4.5e-5 is not a defect), and
         * the guard allows about 4 stray replicates there */
        double R = (double)p->run.replicates, se_p = sqrt((pa * (1 - pa) + 1 / R) / R);
        tu_assert_close(mean, pa, se_p, 4.0);
        tu_mean_se(p, v, ml, g, &mean, &se);
        tu_assert_close(mean, el, se, 4.0);
    }
    free(v);
}

/* Replace: the critical Galton-Watson survival of the pgf recursion; accumulate: the human data
 * keeps the model alive unless generation 0 was all zeros. E lambda_g = mu in both (alpha = 0). */
static void test_survival_replace_accumulate(void **state)
{
    (void)state;
    const char *ov[] = {sanitized() ? "run.replicates=600" : "run.replicates=3000", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    for (size_t i = 0; i < e->npoints; i++)
        check_point(&e->points[i], 8);
    mc_experiment_free(e);
}

/* Exact small cases of the recursion: P(dead at 0) = e^(-n mu); P(dead at 1) = E e^(-S_0)
 * = exp(n mu (e^-1 - 1)); with n_1 = 2 n_0 (growth 2), P(dead at 1) = exp(n mu (e^-2 - 1)); a
 * mixture world's f_0(0) = (sum_j w_j e^-lambda_j)^n. Long run: P(alive at g) ~ 2 / g (Kolmogorov,
 * offspring variance 1). */
static void test_pgf_exact(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=replace", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    size_t ma = tu_metric(p, "alive") - MC_ENGINE_METRICS;
    double a0 = p->family->theory(p, p->world, ma, 0), a1 = p->family->theory(p, p->world, ma, 1);
    assert_true(fabs(a0 - (1 - exp(-10.0))) < 1e-15);
    assert_true(fabs(a1 - (1 - exp(10.0 * (exp(-1.0) - 1)))) < 1e-14);
    mc_experiment_free(e);
    const char *big[] = {"regime.name=replace", "run.generations=4000", "world.lambda=0.1", NULL};
    e = tu_prepare(BASE, big);
    p = &e->points[0];
    double a = p->family->theory(p, p->world, ma, 4000);
    assert_true(fabs(a * 4000 / 2 - 1) < 0.01); /* 2/g up to O(log g / g^2) */
    mc_experiment_free(e);
    const char *grow[] = {"regime.name=replace", "regime.growth=2", NULL};
    e = tu_prepare(BASE, grow);
    p = &e->points[0];
    a1 = p->family->theory(p, p->world, ma, 1);
    assert_true(fabs(a1 - (1 - exp(10.0 * (exp(-2.0) - 1)))) < 1e-14);
    mc_experiment_free(e);
    const char *mix[] = {"regime.name=replace", "world.type=mixture", "world.lambdas=0.5, 2",
                         "world.weights=3, 1", NULL};
    e = tu_prepare(BASE, mix);
    p = &e->points[0];
    a0 = p->family->theory(p, p->world, ma, 0);
    double f = 0.75 * exp(-0.5) + 0.25 * exp(-2.0);
    assert_true(fabs(a0 - (1 - pow(f, 10))) < 1e-14);
    mc_experiment_free(e);
}

/* A mixture world under replace, and alpha > 0 (never dead; E lambda_g = mu + (g + 1) alpha / n
 * under replace, the pool's recursion under accumulate), both simulated. */
static void test_mixture_and_alpha(void **state)
{
    (void)state;
    const char *r = sanitized() ? "run.replicates=500" : "run.replicates=2000";
    const char *mix[] = {"world.type=mixture", "world.lambdas=0.2, 3", "world.weights=4, 1",
                         "run.generations=20", r, NULL};
    mc_experiment *e = tu_prepare(BASE, mix);
    for (size_t i = 0; i < e->npoints; i++)
        check_point(&e->points[i], 5);
    mc_experiment_free(e);
    const char *al[] = {"model.alpha=0.5", "world.lambda=0.3", "run.generations=20", r, NULL};
    e = tu_prepare(BASE, al);
    const mc_point *p = &e->points[0];
    size_t ml = tu_metric(p, "lambda_ratio") - MC_ENGINE_METRICS;
    double th = p->family->theory(p, p->world, ml, 20);
    assert_true(fabs(th - (0.3 + 21 * 0.05) / 0.3) < 1e-12);
    for (size_t i = 0; i < e->npoints; i++)
        check_point(&e->points[i], 5);
    mc_experiment_free(e);
}

/* The sampler: n = 10^6 draws of Poisson(lambda) have mean lambda and variance lambda; at
 * temperature tau the mean is that of the pmf raised to 1/tau, summed here directly. */
static void test_sampler(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc(99);
    const double lams[] = {0.05, 3.0, 250.0}, taus[] = {1.0, 0.5, 2.0};
    for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++) {
            double lam = lams[a], tau = taus[b], z = 0, m1 = 0, m2 = 0;
            for (int k = 0; k < 2000; k++) {
                double q = exp((k * log(lam) - lam - lgamma(k + 1.0)) / tau);
                z += q;
                m1 += k * q;
                m2 += (double)k * k * q;
            }
            m1 /= z;
            double var = m2 / z - m1 * m1, n = 1e6;
            pois_pmf p;
            mc_error err = {0};
            assert_int_equal(pois_pmf_window(lam, tau, &p, &err), MC_OK);
            void *vd;
            assert_int_equal(pois_ds_draw(r, &p, (uint64_t)n, 0, &vd, &err), MC_OK);
            double S, Sh;
            pois_ds_sums(vd, &S, &Sh);
            assert_true(Sh == 0 && pois_ds_size(vd) == 1000000 && pois_ds_human(vd) == 0);
            tu_assert_close(S / n, m1, sqrt(var / n), 4.0);
            pois_ds_free(vd);
            free(p.q);
        }
    gsl_rng_free(r);
}

/* Merge adds histograms over widened windows; a subsample keeps n and splits provenance. */
static void test_merge_subsample(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc(7);
    mc_error err = {0};
    pois_pmf a, b;
    assert_int_equal(pois_pmf_window(2.0, 1.0, &a, &err), MC_OK);
    assert_int_equal(pois_pmf_window(400.0, 1.0, &b, &err), MC_OK);
    void *da, *db, *sub;
    assert_int_equal(pois_ds_draw(r, &a, 1000, 1, &da, &err), MC_OK);
    assert_int_equal(pois_ds_draw(r, &b, 3000, 0, &db, &err), MC_OK);
    double Sa, Sb, S, Sh, tmp;
    pois_ds_sums(da, &Sa, &tmp);
    pois_ds_sums(db, &Sb, &tmp);
    assert_int_equal(pois_ds_merge(da, db, &err), MC_OK);
    pois_ds_sums(da, &S, &Sh);
    assert_true(S == Sa + Sb && Sh == Sa);
    assert_true(pois_ds_size(da) == 4000 && pois_ds_human(da) == 1000);
    long humans = 0;
    for (int i = 0; i < 200; i++) {
        assert_int_equal(pois_ds_subsample(r, da, 400, &sub, &err), MC_OK);
        assert_true(pois_ds_size(sub) == 400);
        humans += (long)pois_ds_human(sub);
        pois_ds_free(sub);
    }
    /* hypergeometric: mean 100 human per subsample, sd sqrt(400 .25 .75 3600/3999) */
    tu_assert_close(humans / 200.0, 100.0, sqrt(400 * 0.25 * 0.75 * 3600.0 / 3999) / sqrt(200), 4);
    pois_ds_free(da);
    pois_ds_free(db);
    free(a.q);
    free(b.q);
    gsl_rng_free(r);
}

static void test_bad_input(void **state)
{
    (void)state;
    const char *l0[] = {"world.lambda=0", NULL};
    tu_expect_error(BASE, l0, MC_ECONFIG, "world.lambda", "out of range");
    const char *ln[] = {"world.lambda=-2", NULL};
    tu_expect_error(BASE, ln, MC_ECONFIG, "world.lambda", "out of range");
    const char *mx[] = {"world.type=mixture", "world.lambdas=1, 0", NULL};
    tu_expect_error(BASE, mx, MC_ECONFIG, "lambdas", "component 2");
    const char *mw[] = {"world.type=mixture", "world.lambdas=1, 2", "world.weights=1", NULL};
    tu_expect_error(BASE, mw, MC_ECONFIG, "weights", "1 weights for 2");
    const char *far[] = {"world.type=mixture", "world.lambdas=1, 1e8", NULL};
    tu_expect_error(BASE, far, MC_ECONFIG, "lambdas", "more than 16777216 values");
    const char *tr[] = {"metrics.track=1.5", NULL};
    tu_expect_error(BASE, tr, MC_ECONFIG, "track", "whole number");
    const char *al[] = {"model.alpha=-1", NULL};
    tu_expect_error(BASE, al, MC_ECONFIG, "model.alpha", "out of range");
    const char *tk[] = {"sampling.top_k=3", NULL};
    tu_expect_error(BASE, tk, MC_ECONFIG, "top_k", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pgf_exact),
        cmocka_unit_test(test_sampler),
        cmocka_unit_test(test_merge_subsample),
        cmocka_unit_test(test_bad_input),
        cmocka_unit_test(test_survival_replace_accumulate),
        cmocka_unit_test(test_mixture_and_alpha),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
