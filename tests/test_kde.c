/* test_kde.c - the kernel-density family: its variance theory (closed forms and Monte Carlo
 * through the engine), the held-out likelihood against brute force, bandwidth rules, weighted
 * sampling, degenerate training sets and configuration errors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "testutil.h"
#include "testfit.h"
#include "families/kde.h"
#include "collapse/rng.h"
#include "families/gdata.h"
#include "families/gworld.h"
#include "families/mixworld.h"

extern const mc_family_type mc_family_kde;

static const char *KDE_INI = "[world]\ncov = 1, 0.5; 0.5, 2\nholdout = 50\n"
                             "[model]\nfamily = kde\n"
                             "[metrics]\nsamples = 2\nslices = 1\n"
                             "[regime]\nname = replace\nn = 10\n"
                             "[run]\ngenerations = 6\nreplicates = 1500\n";

/* The recursion against its solved forms: fixed bandwidth under replace,
 *   E tr Sigma_g = a^(g+1) T + d h^2 (1 - a^(g+1)) / (1 - a),  a = (n - 1)/n,
 *   E||xbar_g - mu_0||^2 = T/n + sum_{i<g} E tr Sigma_i / n;
 * Scott's rule under replace: E tr Sigma_g = ((n - 1)/n + f^2)^(g+1) T. */
static void test_theory_closed_forms(void **state)
{
    (void)state;
    const unsigned G = 30;
    const size_t d = 3;
    const double T = 2.5, h = 0.4;
    uint64_t n[31];
    for (unsigned g = 0; g <= G; g++)
        n[g] = 20;
    double tr[31], me[31];
    mc_kde_theory(MC_KDE_FIXED, h, d, T, 0, n, 1.0, G, tr, me);
    double a = 19.0 / 20.0, sum = 0;
    for (unsigned g = 0; g <= G; g++) {
        double v = pow(a, g + 1) * T + d * h * h * (1 - pow(a, g + 1)) / (1 - a);
        tu_assert_close(tr[g], v / T, 1e-12 * v / T, 1);
        tu_assert_close(me[g], T / 20 + sum / 20, 1e-12 * me[g], 1);
        sum += v;
    }
    mc_kde_theory(MC_KDE_SCOTT, NAN, d, T, 0, n, 1.0, G, tr, NULL);
    double f = pow(20.0, -1.0 / (d + 4));
    assert_true(fabs(mc_kde_factor(MC_KDE_SCOTT, d, 20) - f) < 1e-15);
    for (unsigned g = 0; g <= G; g++)
        tu_assert_close(tr[g], pow(a + f * f, g + 1), 1e-12 * tr[g], 1);
    /* Silverman's factor (n (d + 2) / 4)^(-1/(d+4)) */
    assert_true(fabs(mc_kde_factor(MC_KDE_SILVERMAN, d, 20) - pow(25.0, -1.0 / 7)) < 1e-15);
    /* accumulate, fixed bandwidth: bounded (the pool's variance settles), unlike replace */
    mc_kde_theory(MC_KDE_FIXED, h, d, T, 1, n, 1.0, G, tr, NULL);
    assert_true(tr[G] < 2 && tr[G] > tr[0]);
}

/* Mean trace_ratio and mean_error over R replicates against theory_mean, through the engine,
 * at every generation: within 4.5 standard errors of the replicate mean (SE = sd / sqrt(R)). */
static void check_against_theory(const char *const *ov)
{
    mc_experiment *e = tu_prepare(KDE_INI, ov);
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
            assert_false(isnan(th));
            if (fabs(mean - th) > 4.5 * se)
                fail_msg("%s %s at g = %zu: mean %g, theory %g, SE %g", ov[0], names[k], g, mean,
                         th, se);
        }
    }
    free(v);
    mc_experiment_free(e);
}

static void test_theory_monte_carlo_replace(void **state)
{
    (void)state;
    const char *fixed[] = {"model.bandwidth_rule=fixed", "model.bandwidth=0.5", NULL};
    check_against_theory(fixed);
    const char *scott[] = {"model.bandwidth_rule=scott", NULL};
    check_against_theory(scott);
    const char *trunc[] = {"model.bandwidth_rule=silverman", "sampling.truncate=1.2", NULL};
    check_against_theory(trunc);
}

static void test_theory_monte_carlo_accumulate(void **state)
{
    (void)state;
    const char *fixed[] = {"regime.name=accumulate", "model.bandwidth_rule=fixed",
                           "model.bandwidth=0.7", "sampling.shrink=0.3", NULL};
    check_against_theory(fixed);
    const char *silv[] = {"regime.name=accumulate", "model.bandwidth_rule=silverman",
                          "regime.growth=1.2", NULL};
    check_against_theory(silv);
}

/* No closed form outside replace / unweighted accumulate. */
static void test_theory_where_it_applies(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=fresh", "regime.h=0.5", NULL};
    mc_experiment *e = tu_prepare(KDE_INI, ov);
    const mc_point *p = &e->points[0];
    assert_true(isnan(p->family->theory(p, p->world, 1, 3)));
    assert_true(isnan(p->family->theory(p, p->world, 4, 3))); /* nll: no closed form */
    mc_experiment_free(e);
}

static size_t fam_metric(const tu_fitted *f, const char *name)
{
    return tu_metric(f->p, name) - MC_ENGINE_METRICS;
}

/* Held-out NLL (whitening + dgemm) against a direct sum of kernel densities; bandwidth and
 * trace_ratio against f^2 S_u and S_b + H computed by hand. */
static void test_nll_and_bandwidth_by_hand(void **state)
{
    (void)state;
    const double x[] = {0.1, -0.3, 1.2, 0.8, -0.7, 2.1, 0.4, 0.0, -1.5, -0.2};
    const size_t n = 5;
    const char *ov[] = {"model.bandwidth_rule=fixed", "model.bandwidth=0.6", NULL};
    tu_fitted f;
    tu_fit_on(&f, KDE_INI, 2, ov, x, n, 0, -1);
    const mixworld *w = f.p->world;
    double h = 0.6, nll = 0;
    for (size_t j = 0; j < w->base.nheld; j++) {
        double s = 0;
        for (size_t i = 0; i < n; i++) {
            double dx = w->base.held[2 * j] - x[2 * i], dy = w->base.held[2 * j + 1] - x[2 * i + 1];
            s += exp(-(dx * dx + dy * dy) / (2 * h * h)) / (2 * M_PI * h * h) / n;
        }
        nll -= log(s) / w->base.nheld;
    }
    tu_assert_close(f.out[fam_metric(&f, "nll_heldout")], nll, 1e-12 * fabs(nll), 1);
    tu_assert_close(f.out[fam_metric(&f, "bandwidth")], h, 1e-15, 1);
    /* trace: tr S_b + 2 h^2 over the world's tr Sigma_0 = 3 */
    double mx = 0, my = 0, sb = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[2 * i] / n;
        my += x[2 * i + 1] / n;
    }
    for (size_t i = 0; i < n; i++)
        sb += (pow(x[2 * i] - mx, 2) + pow(x[2 * i + 1] - my, 2)) / n;
    tu_assert_close(f.out[fam_metric(&f, "trace_ratio")], (sb + 2 * h * h) / 3, 1e-12, 1);
    tu_fitted_free(&f);

    const char *sc[] = {"model.bandwidth_rule=scott", NULL};
    tu_fit_on(&f, KDE_INI, 2, sc, x, n, 0, -1);
    double fs = pow(5.0, -1.0 / 6), trH = fs * fs * sb * n / (n - 1);
    tu_assert_close(f.out[fam_metric(&f, "bandwidth")], sqrt(trH / 2), 1e-12, 1);
    assert_true(f.out[fam_metric(&f, "degenerate")] == 0);
    tu_fitted_free(&f);
}

/* human_weight = 0.8: draws come from the 2 human points with probability 0.8 (SE of a
 * frequency over N draws: sqrt(0.8 * 0.2 / N); 4 SE). */
static void test_weighted_sampling(void **state)
{
    (void)state;
    double x[24];
    for (size_t i = 0; i < 12; i++) {
        x[2 * i] = i < 2 ? 0.0 : 100.0;
        x[2 * i + 1] = i < 2 ? (double)i : 100.0 + (double)i;
    }
    const char *ov[] = {"model.bandwidth_rule=fixed", "model.bandwidth=0.01", NULL};
    tu_fitted f;
    tu_fit_on(&f, KDE_INI, 2, ov, x, 12, 2, 0.8);
    gsl_rng *r = mc_rng_alloc(3);
    void *draws;
    mc_error err;
    const size_t N = 20000;
    mc_sampling s = {1, 0, 1, 0, 0};
    assert_int_equal(mc_family_kde.draw_model(r, f.p->params, f.model, &s, N, &draws, &err), 0);
    const mc_gdata *dd = draws;
    size_t near = 0;
    for (size_t i = 0; i < N; i++)
        near += dd->x[2 * i] < 50;
    tu_assert_close((double)near / N, 0.8, sqrt(0.8 * 0.2 / N), 4);
    assert_int_equal(dd->human, 0);
    mc_gdata_free(draws);
    gsl_rng_free(r);
    tu_fitted_free(&f);
}

/* Identical points: a point mass (nll +inf, trace 0, degenerate 1) whose draws are the point
 * itself; n <= d under a rule: a ridge, flagged, finite; never NaN. */
static void test_degenerate_training_sets(void **state)
{
    (void)state;
    double same[] = {1, 2, 1, 2, 1, 2, 1, 2};
    const char *sc[] = {"model.bandwidth_rule=scott", NULL};
    tu_fitted f;
    tu_fit_on(&f, KDE_INI, 2, sc, same, 4, 0, -1);
    assert_true(isinf(f.out[fam_metric(&f, "nll_heldout")]));
    assert_true(f.out[fam_metric(&f, "trace_ratio")] == 0);
    assert_true(f.out[fam_metric(&f, "degenerate")] == 1);
    for (size_t m = 0; m < 8; m++)
        assert_false(isnan(f.out[m]));
    gsl_rng *r = mc_rng_alloc(1);
    void *draws;
    mc_error err;
    assert_int_equal(mc_family_kde.draw_model(r, f.p->params, f.model, NULL, 10, &draws, &err),
                     0);
    for (size_t i = 0; i < 10; i++)
        assert_true(((mc_gdata *)draws)->x[2 * i] == 1 && ((mc_gdata *)draws)->x[2 * i + 1] == 2);
    mc_gdata_free(draws);
    gsl_rng_free(r);
    tu_fitted_free(&f);

    double two[] = {0, 0, 1, 1};
    tu_fit_on(&f, KDE_INI, 2, sc, two, 2, 0, -1);
    assert_true(f.out[fam_metric(&f, "degenerate")] == 1);
    assert_true(isfinite(f.out[fam_metric(&f, "nll_heldout")]));
    for (size_t m = 0; m < 8; m++)
        assert_false(isnan(f.out[m]));
    tu_fitted_free(&f);

    tu_fit_on(&f, KDE_INI, 2, sc, two, 1, 0, -1); /* one point */
    assert_true(f.out[fam_metric(&f, "degenerate")] == 1);
    tu_fitted_free(&f);

    /* a whole run on n = 1: every generation a point mass, no NaN anywhere */
    const char *one[] = {"regime.n=1", "run.replicates=2", NULL};
    mc_experiment *e = tu_prepare(KDE_INI, one);
    double *v = tu_run_point(&e->points[0]);
    for (size_t i = 0; i < 2 * 7 * e->points[0].metrics.n; i++)
        assert_false(isnan(v[i]));
    free(v);
    mc_experiment_free(e);
}

static void expect_config_error(const char *a, const char *b, const char *needle)
{
    const char *ov[] = {a, b, NULL};
    tu_expect_error(KDE_INI, ov, MC_ECONFIG, needle, NULL);
}

static void test_bad_config(void **state)
{
    (void)state;
    expect_config_error("model.bandwidth_rule=fixed", "model.bandwidth=-0.5", "bandwidth");
    expect_config_error("model.bandwidth_rule=fixed", "model.bandwidth=0", "bandwidth");
    expect_config_error("model.bandwidth_rule=fixed", NULL, "needs model.bandwidth");
    expect_config_error("model.bandwidth=0.5", NULL, "only used");
    expect_config_error("model.bandwidth_rule=scot", NULL, "bandwidth_rule");
    expect_config_error("world.cov=1, 2; 2, 1", NULL, "positive definite");
    expect_config_error("world.sigma=-1", NULL, "sigma");
    expect_config_error("sampling.top_k=3", NULL, "top_k");
}

/* A draw of zero rows from a mixture world (the fresh regime with h = 0 asks the world for no
 * human data each generation) is an empty dataset: it once shuffled 0 rows, which GSL's
 * gsl_ran_shuffle counts down from n - 1 and crashed on. Both families with a mixture world. */
static void test_empty_world_draw(void **state)
{
    (void)state;
    const char *fams[] = {"kde", "gmm"};
    for (int f = 0; f < 2; f++) {
        char ini[512];
        snprintf(ini, sizeof ini,
                 "[world]\nmeans = -2, 0; 2, 0\nholdout = 20\n[model]\nfamily = %s\n"
                 "[regime]\nname = fresh\nh = 0\nn = 30\n"
                 "[run]\ngenerations = 3\nreplicates = 2\n", fams[f]);
        mc_experiment *e = tu_prepare(ini, NULL);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p);
        size_t hs = tu_metric(p, "human_share"), G = 3, M = p->metrics.n;
        for (long r = 0; r < 2; r++)
            for (size_t g = 1; g <= G; g++)
                assert_true(v[((size_t)r * (G + 1) + g) * M + hs] == 0.0);
        free(v);
        mc_experiment_free(e);
    }
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_theory_closed_forms),
        cmocka_unit_test(test_theory_monte_carlo_replace),
        cmocka_unit_test(test_theory_monte_carlo_accumulate),
        cmocka_unit_test(test_theory_where_it_applies),
        cmocka_unit_test(test_nll_and_bandwidth_by_hand),
        cmocka_unit_test(test_weighted_sampling),
        cmocka_unit_test(test_degenerate_training_sets),
        cmocka_unit_test(test_empty_world_draw),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
