/* test_random_world.c - a random world per replicate (family.h, world_instance; the gaussian
 * family's world.random_mean): the law of the replicates' worlds, their independence of
 * everything but (seed, replicate), and that a unit runs entirely in its own world.
 *
 * Tolerances: a Monte Carlo mean over R worlds or replicates against its expectation, within 4
 * standard errors (SE from the stated law, or the sample sd / sqrt(R) for a run's metric). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "families/gaussian_world.h"
#include "unit_state.h"

static const char *const BASE =
    "[world]\ndim = 2\ncov = 2, 0.5; 0.5, 1\nmean = 1, -1\nholdout = 200\nrandom_mean = 2\n"
    "[model]\nfamily = gaussian\n[regime]\nname = replace\nn = 20\n"
    "[run]\ngenerations = 5\nreplicates = 2000\nseed = 11\n";

static const gauss_world *world_of(const mc_point *p, long replicate, void **own)
{
    mc_error err = {0};
    int rc = mc_unit_world(p, replicate, own, &err);
    if (rc != MC_OK || !*own)
        fail_msg("replicate %ld: no world of its own (%d: %s)", replicate, rc, err.msg);
    return *own;
}

/* mu_0 = world.mean + delta, delta ~ N(0, SD^2 I): the mean and covariance of mu_0 over R
 * replicates against the law; Sigma_0 is the shared world's, exactly. */
static void test_law_of_the_worlds(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(BASE, NULL);
    const mc_point *p = &e->points[0];
    const gauss_world *shared = p->world;
    const long R = 4000;
    const double sd = 2.0, mean0[2] = {1.0, -1.0};
    double s[2] = {0}, ss[2] = {0}, sxy = 0;
    for (long r = 0; r < R; r++) {
        void *own;
        const gauss_world *w = world_of(p, r, &own);
        const double *mu = w->base.overall->mu;
        for (int a = 0; a < 2; a++) {
            s[a] += mu[a] - mean0[a];
            ss[a] += (mu[a] - mean0[a]) * (mu[a] - mean0[a]);
        }
        sxy += (mu[0] - mean0[0]) * (mu[1] - mean0[1]);
        for (size_t i = 0; i < 4; i++)
            assert_true(w->base.overall->cov->data[i] == shared->base.overall->cov->data[i]);
        p->family->world_free(own);
    }
    double v = sd * sd;
    for (int a = 0; a < 2; a++) {
        tu_assert_close(s[a] / (double)R, 0.0, sd / sqrt((double)R), 4.0);
        tu_assert_close(ss[a] / (double)R, v, v * sqrt(2.0 / (double)R), 4.0);
    }
    tu_assert_close(sxy / (double)R, 0.0, v / sqrt((double)R), 4.0);
    mc_experiment_free(e);
}

/* world.random_scale = S: Sigma_0 times exp(2 S Z), Z ~ N(0, 1): half the log of the ratio to
 * the shared world's covariance has mean 0 and variance S^2 over R replicates (SE from the law);
 * the mean moves as before, and the whole matrix is scaled by one factor. */
static void test_law_of_the_scales(void **state)
{
    (void)state;
    const char *ov[] = {"world.random_scale=0.5", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    const gauss_world *shared = p->world;
    const double *c0 = shared->base.overall->cov->data;
    const long R = 4000;
    const double S = 0.5;
    double s = 0, ss = 0, sm = 0;
    for (long r = 0; r < R; r++) {
        void *own;
        const gauss_world *w = world_of(p, r, &own);
        const double *c = w->base.overall->cov->data;
        double z = 0.5 * log(c[0] / c0[0]);
        s += z;
        ss += z * z;
        sm += w->base.overall->mu[1] + 1.0;
        for (size_t i = 1; i < 4; i++)
            assert_true(fabs(c[i] / c0[i] - c[0] / c0[0]) <= 1e-12 * c[0] / c0[0]);
        p->family->world_free(own);
    }
    tu_assert_close(s / (double)R, 0.0, S / sqrt((double)R), 4.0);
    tu_assert_close(ss / (double)R, S * S, S * S * sqrt(2.0 / (double)R), 4.0);
    tu_assert_close(sm / (double)R, 0.0, 2.0 / sqrt((double)R), 4.0);
    mc_experiment_free(e);
}

/* Over a random scale the closed forms are the expectations over its law: the ratios stay, the
 * mean's squared error gains E exp(2 S Z) = exp(2 S^2). */
static void test_theory_over_random_scales(void **state)
{
    (void)state;
    const char *ov[] = {"world.random_scale=0.4", "world.random_mean=0", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    size_t me = tu_metric(p, "mean_error"), tr = tu_metric(p, "trace_ratio");
    double fixed_tr = pow(19.0 / 20.0, 6.0), fixed_me = 3.0 * (1.0 - pow(19.0 / 20.0, 6.0));
    assert_true(fabs(p->family->theory(p, p->world, tr - MC_ENGINE_METRICS, 5) - fixed_tr) < 1e-12);
    assert_true(fabs(p->family->theory(p, p->world, me - MC_ENGINE_METRICS, 5) -
                     fixed_me * exp(2.0 * 0.16)) < 1e-12);
    double *v = tu_run_point(p);
    double mean, se;
    tu_mean_se(p, v, me, 5, &mean, &se);
    print_message("  mean_error g=5 sim %.5g +- %.2g  theory %.5g\n", mean, se,
                  fixed_me * exp(0.32));
    tu_assert_close(mean, fixed_me * exp(0.32), se, 4.0);
    tu_mean_se(p, v, tr, 5, &mean, &se);
    tu_assert_close(mean, fixed_tr, se, 4.0);
    free(v);
    mc_experiment_free(e);
}

/* A replicate's world depends on (seed, replicate) alone: again the same bits, at another grid
 * point the same world, and another replicate or seed another world, with its own held-out set. */
static void test_world_keyed_by_seed_and_replicate(void **state)
{
    (void)state;
    const char *grid[] = {"regime.n=20,40", NULL};
    mc_experiment *e = tu_prepare(BASE, grid);
    assert_int_equal(e->npoints, 2);
    void *a, *b, *c;
    const gauss_world *wa = world_of(&e->points[0], 7, &a), *wb = world_of(&e->points[1], 7, &b);
    const gauss_world *wc = world_of(&e->points[0], 8, &c);
    assert_memory_equal(wa->base.overall->mu, wb->base.overall->mu, 2 * sizeof(double));
    assert_memory_equal(wa->ho_mean, wb->ho_mean, 2 * sizeof(double));
    assert_true(wa->base.overall->mu[0] != wc->base.overall->mu[0]);
    assert_true(wa->ho_mean[0] != ((const gauss_world *)e->points[0].world)->ho_mean[0]);
    const char *other[] = {"run.seed=12", NULL};
    mc_experiment *e2 = tu_prepare(BASE, other);
    void *d;
    const gauss_world *wd = world_of(&e2->points[0], 7, &d);
    assert_true(wa->base.overall->mu[0] != wd->base.overall->mu[0]);
    e->points[0].family->world_free(a);
    e->points[0].family->world_free(b);
    e->points[0].family->world_free(c);
    e2->points[0].family->world_free(d);
    mc_experiment_free(e2);
    mc_experiment_free(e);
}

/* A fixed world (random_mean = 0) gives the units no world of their own. */
static void test_fixed_world_is_shared(void **state)
{
    (void)state;
    const char *ov[] = {"world.random_mean=0", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    void *own = (void *)1;
    mc_error err = {0};
    assert_int_equal(mc_unit_world(&e->points[0], 3, &own, &err), MC_OK);
    assert_null(own);
    mc_experiment_free(e);
}

/* The unit draws, fits and measures in its own world: with mu_0 moved by SD = 10 per
 * coordinate, E||mu_g - mu_0||^2 and the variance ratio still follow the fixed world's closed
 * forms (the family's metrics are translation invariant, so the theory over the law is the
 * fixed world's), which they would miss by ~ 2 SD^2 were any step done in the shared world. */
static void test_units_run_in_their_world(void **state)
{
    (void)state;
    const char *ov[] = {"world.random_mean=10", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    const char *names[] = {"mean_error", "trace_ratio", "nll_heldout"};
    for (size_t i = 0; i < 3; i++) {
        size_t m = tu_metric(p, names[i]);
        for (long g = 0; g <= 5; g += 5) {
            double mean, se, th = p->family->theory(p, p->world, m - MC_ENGINE_METRICS, (unsigned)g);
            tu_mean_se(p, v, m, g, &mean, &se);
            print_message("  %-12s g=%ld sim %.5g +- %.2g  theory %.5g\n", names[i], g, mean, se,
                          th);
            if (isfinite(th))
                tu_assert_close(mean, th, se, 4.0);
            else
                assert_true(mean < 10.0); /* nll: 2 SD^2 / 2 nats away in the shared world */
        }
    }
    free(v);
    mc_experiment_free(e);
}

/* Bad values are refused naming the key; a family without random worlds knows no such key. */
static void test_bad_keys(void **state)
{
    (void)state;
    const char *neg[] = {"world.random_mean=-1", NULL};
    tu_expect_error(BASE, neg, MC_ECONFIG, "random_mean", NULL);
    const char *nan_[] = {"world.random_mean=abc", NULL};
    tu_expect_error(BASE, nan_, MC_ECONFIG, "random_mean", NULL);
    const char *gmm[] = {"model.family=gmm", NULL};
    tu_expect_error(BASE, gmm, MC_ECONFIG, "random_mean", NULL);
    const char *big[] = {"world.random_scale=11", NULL};
    tu_expect_error(BASE, big, MC_ECONFIG, "random_scale", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_law_of_the_worlds),
        cmocka_unit_test(test_law_of_the_scales),
        cmocka_unit_test(test_theory_over_random_scales),
        cmocka_unit_test(test_world_keyed_by_seed_and_replicate),
        cmocka_unit_test(test_fixed_world_is_shared),
        cmocka_unit_test(test_units_run_in_their_world),
        cmocka_unit_test(test_bad_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
