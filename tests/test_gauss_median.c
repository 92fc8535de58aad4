/* test_gauss_median.c - the gaussian family's median estimator (model.estimator = median) and its
 * location-only model (model.covariance = known): the variance of the normal median against exact
 * small cases and Monte Carlo, the coordinate-wise median by hand, the closed forms (replace,
 * accumulate, accumulate-subsample, fresh) through the engine, and the settings refused. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include "testutil.h"
#include "collapse/rng.h"
#include "families/gauss_median.h"
#include "families/gdata.h"

static const char *G_INI = "[world]\ndim = 2\nsigma = 1.5\nholdout = 50\n"
                           "[model]\nfamily = gaussian\nestimator = median\ncovariance = known\n"
                           "[regime]\nname = replace\nn = 11\n"
                           "[run]\ngenerations = 6\nreplicates = 2000\n";

/* Var(median of n) of N(0, 1): 1, 1/2 (the mean of two) and 1 - sqrt(3)/pi (E X_(1)^2 =
 * E X_(3)^2 = 1 + sqrt(3)/(2 pi) of three, and the squares sum to 3) exactly; n = 4, 11, 100 and
 * 101 against Monte Carlo medians (SE of a variance estimate: v sqrt(2/R), R = 5 10^4, 10^4
 * under the sanitizers; 4 SE);
 * n v(n) near pi/2 for large n. */
static void test_median_variance(void **state)
{
    (void)state;
    tu_assert_close(mc_normal_median_var(1), 1.0, 1e-15, 1);
    tu_assert_close(mc_normal_median_var(2), 0.5, 1e-9, 1);
    tu_assert_close(mc_normal_median_var(3), 1 - sqrt(3.0) / M_PI, 1e-9, 1);
    const uint64_t ns[] = {4, 11, 100, 101};
    const size_t R = getenv("MC_SANITIZE") ? 10000 : 50000;
    gsl_rng *r = mc_rng_alloc(17);
    double *x = malloc(101 * sizeof *x);
    for (int k = 0; k < 4; k++) {
        double s = 0;
        for (size_t i = 0; i < R; i++) {
            for (uint64_t j = 0; j < ns[k]; j++)
                x[j] = gsl_ran_gaussian_ziggurat(r, 1.0);
            gsl_sort(x, 1, ns[k]);
            double m = ns[k] % 2 ? x[ns[k] / 2] : 0.5 * (x[ns[k] / 2 - 1] + x[ns[k] / 2]);
            s += m * m;
        }
        double v = mc_normal_median_var(ns[k]);
        tu_assert_close(s / (double)R, v, v * sqrt(2.0 / (double)R), 4);
    }
    free(x);
    gsl_rng_free(r);
    double big = 2001 * mc_normal_median_var(2001) / (M_PI / 2);
    assert_true(big > 0.999 && big < 1.001);
}

/* The coordinate-wise median: odd and even counts, by hand. */
static void test_median_by_hand(void **state)
{
    (void)state;
    mc_error err;
    mc_gdata *ds;
    assert_int_equal(mc_gdata_new(2, 4, 1, &ds, &err), MC_OK);
    const double x[] = {3, -1, 0, 5, 10, 2, 1, 7};
    memcpy(ds->x, x, sizeof x);
    double med[2];
    assert_int_equal(mc_gdata_median(ds, med, &err), MC_OK);
    assert_true(med[0] == 2.0 && med[1] == 3.5); /* (1 + 3)/2, (2 + 5)/2 */
    ds->n = 3;
    assert_int_equal(mc_gdata_median(ds, med, &err), MC_OK);
    assert_true(med[0] == 3.0 && med[1] == 2.0);
    mc_gdata_free(ds);
}

/* Every metric with a closed form at the point against theory_mean, every generation, 4.5 SE;
 * with the covariance known, trace_ratio is exactly 1. */
static void check_against_theory(const char *const *ov)
{
    mc_experiment *e = tu_prepare(G_INI, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    tu_check_theory_every_generation(p, v, "trace_ratio", 4.5, ov[1] ? ov[1] : ov[0]);
    tu_check_theory_every_generation(p, v, "mean_error", 4.5, ov[1] ? ov[1] : ov[0]);
    free(v);
    mc_experiment_free(e);
}

static void test_closed_forms_monte_carlo(void **state)
{
    (void)state;
    const char *med_known[] = {"model.estimator=median", "model.covariance=known", NULL};
    check_against_theory(med_known);
    const char *med_fit[] = {"model.estimator=median", "model.covariance=fit",
                             "sampling.shrink=0.1", NULL};
    check_against_theory(med_fit);
    const char *even[] = {"model.estimator=median", "regime.n=10", NULL};
    check_against_theory(even);
    const char *mean_known[] = {"model.estimator=mle", "model.covariance=known", NULL};
    check_against_theory(mean_known);
    const char *acc[] = {"model.estimator=mle", "regime.name=accumulate", NULL};
    check_against_theory(acc);
    const char *sub[] = {"model.estimator=unbiased", "regime.name=accumulate-subsample", NULL};
    check_against_theory(sub);
    const char *fresh[] = {"model.estimator=mle", "regime.name=fresh", "regime.h=0.4", NULL};
    check_against_theory(fresh);
}

/* Dey & Donoho's sum, exact for the location model: E||mu_g - mu_0||^2 =
 * (tr Sigma_0 / n) sum_{i <= g+1} 1/i^2 under accumulate; the pooled median has no exact form
 * (NaN), its replace form is v(n) tr Sigma_0 (1 + g). */
static void test_theory_values(void **state)
{
    (void)state;
    const char *acc[] = {"model.estimator=mle", "regime.name=accumulate", NULL};
    mc_experiment *e = tu_prepare(G_INI, acc);
    const mc_point *p = &e->points[0];
    size_t me = tu_metric(p, "mean_error") - MC_ENGINE_METRICS;
    double s = 0;
    for (unsigned g = 0; g <= 6; g++) {
        s += 1.0 / ((g + 1.0) * (g + 1.0));
        tu_assert_close(p->family->theory(p, p->world, me, g), 4.5 / 11 * s, 1e-12, 1);
    }
    mc_experiment_free(e);
    const char *med[] = {"regime.name=accumulate", NULL};
    e = tu_prepare(G_INI, med);
    p = &e->points[0];
    assert_true(isnan(p->family->theory(p, p->world, me, 3)));
    mc_experiment_free(e);
    const char *rep[] = {NULL};
    e = tu_prepare(G_INI, rep);
    p = &e->points[0];
    tu_assert_close(p->family->theory(p, p->world, me, 4), 4.5 * mc_normal_median_var(11) * 5,
                    1e-12, 1);
    mc_experiment_free(e);
}

static void test_refused(void **state)
{
    (void)state;
    const char *hw[] = {"regime.name=fresh", "regime.h=0.5", "regime.human_weight=0.7", NULL};
    tu_expect_error(G_INI, hw, MC_ECONFIG, "estimator", NULL);
    const char *bad[] = {"model.covariance=fixed", NULL};
    tu_expect_error(G_INI, bad, MC_ECONFIG, "covariance", NULL);
    const char *est[] = {"model.estimator=trimmed", NULL};
    tu_expect_error(G_INI, est, MC_ECONFIG, "estimator", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_variance),
        cmocka_unit_test(test_median_by_hand),
        cmocka_unit_test(test_closed_forms_monte_carlo),
        cmocka_unit_test(test_theory_values),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
