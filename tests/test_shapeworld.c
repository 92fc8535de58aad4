/* test_shapeworld.c - the kde family's non-mixture worlds (world.shape = moons, circles,
 * swiss_roll, as scikit-learn makes them): the exact design of a small draw, the limit moments
 * against their closed forms, the KDE's closed forms through the engine from the design's
 * generation-0 moments, the metrics that need no density, and the settings refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "collapse/rng.h"
#include "families/gdata.h"
#include "families/mixworld.h"
#include "families/shapeworld.h"

static const char *MOONS_INI = "[world]\nshape = moons\nnoise = 0.05\nholdout = 60\n"
                               "[model]\nfamily = kde\nbandwidth_rule = sklearn-scott\n"
                               "[metrics]\nsamples = 50\nslices = 2\n"
                               "[regime]\nname = replace\nn = 16\n"
                               "[run]\ngenerations = 5\nreplicates = 1500\n";

static int cmp_rows(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return x[0] != y[0] ? (x[0] < y[0] ? -1 : 1) : (x[1] < y[1] ? -1 : x[1] > y[1]);
}

/* make_moons(5, noise = None): outer t = 0, pi; inner t = 0, pi/2, pi -> (1, 0), (-1, 0),
 * (0, 0.5), (1, -0.5), (2, 0.5), in some order. make_circles(4, factor = 0.5): (+-1, 0),
 * (0, +-0.5) up to rounding of cos(pi/2). */
static void test_design(void **state)
{
    (void)state;
    gsl_rng *r = mc_rng_alloc(5);
    mc_shape_params moons = {MC_SHAPE_MOONS, 0, 0.8};
    double x[10];
    shapeworld_rows(r, &moons, 5, x);
    qsort(x, 5, 2 * sizeof *x, cmp_rows);
    const double want[] = {-1, 0, 0, 0.5, 1, -0.5, 1, 0, 2, 0.5};
    for (int i = 0; i < 10; i++)
        assert_true(fabs(x[i] - want[i]) < 1e-15);
    mc_shape_params circ = {MC_SHAPE_CIRCLES, 0, 0.5};
    shapeworld_rows(r, &circ, 4, x);
    double r2[4];
    for (int i = 0; i < 4; i++)
        r2[i] = x[2 * i] * x[2 * i] + x[2 * i + 1] * x[2 * i + 1];
    int outer = 0;
    for (int i = 0; i < 4; i++) {
        assert_true(fabs(r2[i] - 1) < 1e-15 || fabs(r2[i] - 0.25) < 1e-15);
        outer += fabs(r2[i] - 1) < 1e-15;
    }
    assert_int_equal(outer, 2);
    /* swiss roll: t in [1.5 pi, 4.5 pi], y in [0, 21], x = t cos t, z = t sin t */
    mc_shape_params roll = {MC_SHAPE_SWISS_ROLL, 0, 0.8};
    double y[300];
    shapeworld_rows(r, &roll, 100, y);
    for (int i = 0; i < 100; i++) {
        double t = hypot(y[3 * i], y[3 * i + 2]);
        assert_true(t >= 1.5 * M_PI - 1e-12 && t <= 4.5 * M_PI + 1e-12);
        assert_true(y[3 * i + 1] >= 0 && y[3 * i + 1] <= 21);
        assert_true(fabs(y[3 * i] - t * cos(t)) < 1e-9 && fabs(y[3 * i + 2] - t * sin(t)) < 1e-9);
    }
    gsl_rng_free(r);
}

/* The limit moments against their closed forms (t uniform along each curve, half the mass on
 * each part): moons mean (1/2, 1/4), var x = 3/4, var y = 9/16 - 1/pi, cov = 1/8 - 1/pi;
 * circles mean 0, var (1 + f^2)/4 each, cov 0; both plus noise^2 on the diagonal. Swiss roll:
 * E y = 10.5, var y = 21^2/12, E x = E t cos t over t uniform on [1.5 pi, 4.5 pi]. */
static void test_limit_moments(void **state)
{
    (void)state;
    const char *ov[] = {NULL};
    mc_experiment *e = tu_prepare(MOONS_INI, ov);
    const mixworld *w = e->points[0].world;
    const mc_gauss *g = w->base.overall;
    double s2 = 0.05 * 0.05;
    assert_true(fabs(g->mu[0] - 0.5) < 1e-9 && fabs(g->mu[1] - 0.25) < 1e-9);
    assert_true(fabs(gsl_matrix_get(g->cov, 0, 0) - 0.75 - s2) < 1e-9);
    assert_true(fabs(gsl_matrix_get(g->cov, 1, 1) - (0.5625 - 1 / M_PI) - s2) < 1e-9);
    assert_true(fabs(gsl_matrix_get(g->cov, 0, 1) - (0.125 - 1 / M_PI)) < 1e-9);
    assert_int_equal(w->base.nheld, 60);
    mc_experiment_free(e);

    const char *circ[] = {"world.shape=circles", "world.factor=0.5", NULL};
    e = tu_prepare(MOONS_INI, circ);
    g = ((const mixworld *)e->points[0].world)->base.overall;
    assert_true(fabs(g->mu[0]) < 1e-9 && fabs(g->mu[1]) < 1e-9);
    assert_true(fabs(gsl_matrix_get(g->cov, 0, 0) - 1.25 / 4 - s2) < 1e-9);
    assert_true(fabs(gsl_matrix_get(g->cov, 0, 1)) < 1e-9);
    mc_experiment_free(e);

    const char *roll[] = {"world.shape=swiss_roll", NULL};
    e = tu_prepare(MOONS_INI, roll);
    w = e->points[0].world;
    g = w->base.overall;
    /* int t cos t dt = cos t + t sin t: over [a, b] / (b - a) */
    double a = 1.5 * M_PI, b = 4.5 * M_PI;
    double ex = (cos(b) + b * sin(b) - cos(a) - a * sin(a)) / (b - a);
    assert_int_equal(w->base.d, 3);
    assert_true(fabs(g->mu[0] - ex) < 1e-8 && fabs(g->mu[1] - 10.5) < 1e-12);
    assert_true(fabs(gsl_matrix_get(g->cov, 1, 1) - 36.75 - s2) < 1e-9);
    mc_experiment_free(e);
}

/* trace_ratio and mean_error against theory_mean through the engine, every generation, 4.5 SE:
 * generation 0 trains on the design (its exact scatter and mean), later ones on model draws. */
static void check_against_theory(const char *const *ov)
{
    mc_experiment *e = tu_prepare(MOONS_INI, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    tu_check_theory_every_generation(p, v, "trace_ratio", 4.5, ov[0]);
    tu_check_theory_every_generation(p, v, "mean_error", 4.5, ov[0]);
    /* the metrics that need no density of the world: never NaN (the top-hat's NLL may be +inf) */
    size_t nll = tu_metric(p, "nll_heldout"), w2 = tu_metric(p, "w2_sliced");
    double mean, se;
    tu_mean_se(p, v, nll, 1, &mean, &se);
    assert_false(isnan(mean));
    tu_mean_se(p, v, w2, 1, &mean, &se);
    assert_true(isfinite(mean) && mean > 0);
    free(v);
    mc_experiment_free(e);
}

static void test_theory_monte_carlo(void **state)
{
    (void)state;
    const char *moons[] = {"model.bandwidth_rule=fixed", "model.bandwidth=0.1", NULL};
    check_against_theory(moons);
    const char *circ[] = {"world.shape=circles", "regime.name=accumulate", "regime.n=15", NULL};
    check_against_theory(circ);
    const char *roll[] = {"world.shape=swiss_roll", "world.noise=0.5", "model.kernel=tophat",
                          "model.bandwidth_rule=fixed", "model.bandwidth=2", NULL};
    check_against_theory(roll);
}

/* A shape world's draw of the world is human data; the mixture keys, a wrong dim, curation and
 * the other families' use of world.shape are refused with the key named. */
static void test_refused(void **state)
{
    (void)state;
    const char *m[] = {"world.means=0, 0; 1, 1", NULL};
    tu_expect_error(MOONS_INI, m, MC_ECONFIG, "world.means", NULL);
    const char *c[] = {"world.cov=1, 0; 0, 1", NULL};
    tu_expect_error(MOONS_INI, c, MC_ECONFIG, "world.cov", NULL);
    const char *d[] = {"world.dim=3", NULL};
    tu_expect_error(MOONS_INI, d, MC_ECONFIG, "dim", NULL);
    const char *f[] = {"world.factor=1", NULL};
    tu_expect_error(MOONS_INI, f, MC_ECONFIG, "factor", NULL);
    const char *n[] = {"world.noise=-0.1", NULL};
    tu_expect_error(MOONS_INI, n, MC_ECONFIG, "noise", NULL);
    const char *s[] = {"world.shape=spiral", NULL};
    tu_expect_error(MOONS_INI, s, MC_ECONFIG, "shape", NULL);
    const char *cur[] = {"regime.select=top", "regime.candidates=2", NULL};
    tu_expect_error(MOONS_INI, cur, MC_ECONFIG, "[world] shape", NULL);
    const char *gm[] = {"model.family=gmm", NULL};
    tu_expect_error("[world]\nshape = moons\n[model]\nfamily = gmm\n[regime]\nname = replace\n"
                    "n = 10\n[run]\ngenerations = 1\nreplicates = 1\n",
                    gm, MC_ECONFIG, "shape", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_design),
        cmocka_unit_test(test_limit_moments),
        cmocka_unit_test(test_theory_monte_carlo),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
