/* test_kde_kernels.c - the kde family's scikit-learn bandwidth rules (h = n^(-1/(d+4)) or
 * (n (d + 2) / 4)^(-1/(d+4)) at n training rows, whatever the data's scale) and its top-hat kernel
 * (uniform in the ball of radius h): closed forms of the scatter recursion, Monte Carlo through
 * the engine, the bandwidth and the held-out likelihood by hand, the law of a top-hat draw, and
 * the settings the top-hat refuses. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "testfit.h"
#include "families/kde.h"
#include "collapse/rng.h"
#include "families/gdata.h"
#include "families/mixworld.h"

extern const mc_family_type mc_family_kde;

static const char *KDE_INI = "[world]\nmeans = -2, 0; 2, 0\nsigma = 1\nholdout = 40\n"
                             "[model]\nfamily = kde\nbandwidth_rule = sklearn-scott\n"
                             "[metrics]\nsamples = 2\nslices = 1\n"
                             "[regime]\nname = replace\nn = 12\n"
                             "[run]\ngenerations = 6\nreplicates = 1500\n";

/* With an isotropic H = f(N)^2 I and a kernel of covariance kv H, the expected scatter of a
 * training set of n draws is (n - 1)/n times the model's covariance trace, so under replace
 *   s_g = a s_(g-1) + a b,   a = (n - 1)/n,  b = kv d f(n)^2,  s_0 = a T,
 *   E tr Sigma_g = s_g + b = a^(g+1) T + b (1 - a^(g+1)) / (1 - a)
 * (the fixed-bandwidth form with d h^2 replaced by kv d f(n)^2), and under accumulate the
 * bandwidth shrinks with the pool: f(N_g), N_g = (g + 1) n. */
static void test_closed_forms(void **state)
{
    (void)state;
    enum { G = 25 };
    const size_t d = 3;
    const double T = 2.5, n0 = 20;
    uint64_t n[G + 1];
    for (unsigned g = 0; g <= G; g++)
        n[g] = 20;
    double tr[G + 1], tr2[G + 1];
    double f = pow(n0, -1.0 / 7), fs = pow(n0 * 5 / 4, -1.0 / 7), a = 19.0 / 20;
    assert_true(fabs(mc_kde_factor(MC_KDE_SKLEARN_SCOTT, d, n0) - f) < 1e-15);
    assert_true(fabs(mc_kde_factor(MC_KDE_SKLEARN_SILVERMAN, d, n0) - fs) < 1e-15);
    tu_assert_close(mc_kde_kernel_var(MC_KDE_TOPHAT, d), 0.2, 1e-16, 1);
    for (int k = 0; k < 2; k++) {
        double kv = k ? 0.2 : 1.0, b = kv * (double)d * f * f;
        mc_kde_theory_kernel(MC_KDE_SKLEARN_SCOTT, kv, NAN, d, T, 0, n, 1.0, G, NULL, tr, NULL);
        for (unsigned g = 0; g <= G; g++) {
            double v = pow(a, g + 1) * T + b * (1 - pow(a, g + 1)) / (1 - a);
            tu_assert_close(tr[g], v / T, 1e-12 * v / T, 1);
        }
        /* the same as a fixed bandwidth h = f at every generation under replace */
        mc_kde_theory_kernel(MC_KDE_FIXED, kv, f, d, T, 0, n, 1.0, G, NULL, tr2, NULL);
        for (unsigned g = 0; g <= G; g++)
            tu_assert_close(tr[g], tr2[g], 1e-13, 1);
    }
    /* accumulate: the kernel term of generation g is d f((g+1) n)^2, so the trace converges to
     * the pool's; it differs from the fixed-h recursion from generation 1 on */
    mc_kde_theory_kernel(MC_KDE_SKLEARN_SCOTT, 1.0, NAN, d, T, 1, n, 1.0, G, NULL, tr, NULL);
    mc_kde_theory_kernel(MC_KDE_FIXED, 1.0, f, d, T, 1, n, 1.0, G, NULL, tr2, NULL);
    tu_assert_close(tr[0], tr2[0], 1e-13, 1);
    assert_true(tr[G] < tr2[G] && tr[G] > 1.0);
    /* the first accumulate step by hand: expected scatter sums, pool of 40 = 20 world points
     * (19 T) plus 20 draws of model 0 (covariance trace sig), the between-part term 20 x 20 / 40
     * times the squared distance of the parts' means, expected sig / 20 */
    double S0 = 19 * T, sig = S0 / 20 + d * f * f, S1 = S0 + 19 * sig + 10 * sig / 20;
    double f40 = pow(40.0, -1.0 / 7);
    tu_assert_close(tr[1], (S1 / 40 + d * f40 * f40) / T, 1e-13, 1);
}

/* trace_ratio and mean_error, replicate means against theory_mean at every generation (4.5 SE). */
static void check_against_theory(const char *const *ov)
{
    mc_experiment *e = tu_prepare(KDE_INI, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    tu_check_theory_every_generation(p, v, "trace_ratio", 4.5, ov[0]);
    tu_check_theory_every_generation(p, v, "mean_error", 4.5, ov[0]);
    free(v);
    mc_experiment_free(e);
}

static void test_monte_carlo(void **state)
{
    (void)state;
    const char *scott[] = {"model.kernel=gaussian", NULL};
    check_against_theory(scott);
    const char *tophat[] = {"model.kernel=tophat", "model.bandwidth_rule=sklearn-silverman", NULL};
    check_against_theory(tophat);
    const char *acc[] = {"regime.name=accumulate", "model.kernel=tophat", "sampling.shrink=0.2",
                         NULL};
    check_against_theory(acc);
    const char *fixed[] = {"regime.name=accumulate", "model.kernel=tophat",
                           "model.bandwidth_rule=fixed", "model.bandwidth=0.8", NULL};
    check_against_theory(fixed);
}

static double metric(const tu_fitted *f, const char *name)
{
    return f->out[tu_metric(f->p, name) - MC_ENGINE_METRICS];
}

/* sklearn's h ignores the data's scale and the weights: 5 points, d = 2, h = 5^(-1/6) for
 * points spread over 100 units as for points 0.01 apart, weighted or not. The top-hat's held-out
 * NLL by hand: p(y) = sum of the weights of the centres within h, over the disc's area pi h^2. */
static void test_bandwidth_and_nll_by_hand(void **state)
{
    (void)state;
    const double x[] = {0.1, -0.3, 1.2, 0.8, -0.7, 2.1, 0.4, 0.0, -1.5, -0.2};
    double wide[10];
    for (int i = 0; i < 10; i++)
        wide[i] = 100 * x[i];
    const double h = pow(5.0, -1.0 / 6);
    const char *sc[] = {"model.bandwidth_rule=sklearn-scott", NULL};
    tu_fitted f;
    tu_fit_on(&f, KDE_INI, 2, sc, wide, 5, 2, 0.9);
    tu_assert_close(metric(&f, "bandwidth"), h, 1e-15, 1);
    tu_fitted_free(&f);
    const char *sv[] = {"model.bandwidth_rule=sklearn-silverman", NULL};
    tu_fit_on(&f, KDE_INI, 2, sv, x, 5, 0, -1);
    tu_assert_close(metric(&f, "bandwidth"), pow(5.0, -1.0 / 6), 1e-15, 1); /* (n (2+2)/4) = n */
    tu_fitted_free(&f);

    const char *th[] = {"model.kernel=tophat", "model.bandwidth_rule=fixed",
                        "model.bandwidth=1.5", NULL};
    tu_fit_on(&f, KDE_INI, 2, th, x, 5, 0, -1);
    const mixworld *w = f.p->world;
    double nll = 0;
    for (size_t j = 0; j < w->base.nheld; j++) {
        double in = 0;
        for (size_t i = 0; i < 5; i++) {
            double dx = w->base.held[2 * j] - x[2 * i], dy = w->base.held[2 * j + 1] - x[2 * i + 1];
            in += dx * dx + dy * dy < 1.5 * 1.5 ? 0.2 : 0;
        }
        nll -= log(in / (M_PI * 1.5 * 1.5)) / (double)w->base.nheld;
    }
    double got = metric(&f, "nll_heldout");
    if (isinf(nll))
        assert_true(isinf(got) && got > 0);
    else
        tu_assert_close(got, nll, 1e-12 * fabs(nll), 1);
    /* trace: tr S_b + tr H / (d + 2) = tr S_b + 2 h^2 / 4 over tr Sigma_0 = 2 + 4 (modes at +-2) */
    double mx = 0, my = 0, sb = 0;
    for (size_t i = 0; i < 5; i++) {
        mx += x[2 * i] / 5;
        my += x[2 * i + 1] / 5;
    }
    for (size_t i = 0; i < 5; i++)
        sb += (pow(x[2 * i] - mx, 2) + pow(x[2 * i + 1] - my, 2)) / 5;
    tu_assert_close(metric(&f, "trace_ratio"), (sb + 2 * 1.5 * 1.5 / 4) / 6, 1e-12, 1);
    tu_fitted_free(&f);
}

/* Top-hat draws around one point: every draw within h of it, and P(|e| <= h r) = r^d for the
 * uniform law on the ball (r = 1/2, d = 2: 1/4; SE sqrt(p (1 - p) / N), 4 SE); with
 * sampling.shrink = lambda every draw within (1 - lambda) h. */
static void test_tophat_draws(void **state)
{
    (void)state;
    const double x[] = {3, -1};
    const char *th[] = {"model.kernel=tophat", "model.bandwidth_rule=fixed",
                        "model.bandwidth=0.5", NULL};
    tu_fitted f;
    tu_fit_on(&f, KDE_INI, 2, th, x, 1, 0, -1);
    gsl_rng *r = mc_rng_alloc(11);
    mc_error err;
    void *draws;
    const size_t N = 40000;
    assert_int_equal(mc_family_kde.draw_model(r, f.p->params, f.model, NULL, N, &draws, &err), 0);
    const double *y = ((const mc_gdata *)draws)->x;
    size_t inner = 0;
    double mean0 = 0;
    for (size_t i = 0; i < N; i++) {
        double r2 = pow(y[2 * i] - 3, 2) + pow(y[2 * i + 1] + 1, 2);
        assert_true(r2 <= 0.25 * (1 + 1e-12));
        inner += r2 <= 0.0625;
        mean0 += (y[2 * i] - 3) / (double)N;
    }
    tu_assert_close((double)inner / N, 0.25, sqrt(0.25 * 0.75 / N), 4);
    tu_assert_close(mean0, 0, sqrt(0.25 / 4 / N), 4); /* coordinate variance h^2 / (d + 2) */
    mc_gdata_free(draws);
    mc_sampling s = {.temperature = 1, .top_p = 1, .shrink = 0.4};
    assert_int_equal(mc_family_kde.draw_model(r, f.p->params, f.model, &s, 1000, &draws, &err), 0);
    y = ((const mc_gdata *)draws)->x;
    for (size_t i = 0; i < 1000; i++)
        assert_true(pow(y[2 * i] - 3, 2) + pow(y[2 * i + 1] + 1, 2) <= 0.09 * (1 + 1e-12));
    mc_gdata_free(draws);
    gsl_rng_free(r);
    tu_fitted_free(&f);
}

static void test_bad_config(void **state)
{
    (void)state;
    const char *tr[] = {"model.kernel=tophat", "sampling.truncate=1.5", NULL};
    tu_expect_error(KDE_INI, tr, MC_ECONFIG, "kernel", NULL);
    const char *bad[] = {"model.kernel=epanechnikov", NULL};
    tu_expect_error(KDE_INI, bad, MC_ECONFIG, "kernel", NULL);
    const char *bw[] = {"model.bandwidth_rule=sklearn-scott", "model.bandwidth=0.3", NULL};
    tu_expect_error(KDE_INI, bw, MC_ECONFIG, "only used", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms),
        cmocka_unit_test(test_monte_carlo),
        cmocka_unit_test(test_bandwidth_and_nll_by_hand),
        cmocka_unit_test(test_tophat_draws),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
