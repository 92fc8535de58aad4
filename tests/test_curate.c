/* test_curate.c - curation (regime.select) and the detector (regime.detector_*) against closed
 * forms (docs/WEB.md):
 *  - top on a 1-D Gaussian scored by a standard-normal world keeps the 1/K candidates nearest 0,
 *    so one generation multiplies the variance by the truncated normal's 1 - 2c phi(c)/(2 Phi(c)
 *    - 1), 2 Phi(c) - 1 = 1/K (ranking by |x| is scale-free, so this holds for the fitted model);
 *  - best-of with K large keeps x with probability p(x) exp(beta r(x)) / E_p[exp(beta r)]
 *    (Ferbach et al. 2024), r = log pi;
 *  - repeated curation without human data concentrates on the highest-reward category;
 *  - a verifier tilted to rare categories (bias -2: pi^-1) doubles the rarest share under top
 *    with K = 2, and lowers the kept samples' true log-likelihood; pure noise keeps E[p];
 *  - a detector leaves a human share of h(1 - FPR) / (h(1 - FPR) + (1 - h)(1 - TPR)), refilled
 *    or not, and without refill n rho samples;
 *  - collapse need over the detector's TPR finds the closed-form T*;
 *  - bad settings are refused naming the key.
 * Tolerances are k standard errors of the replicate means. Under MC_SANITIZE the sizes shrink. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "testutil.h"
#include "collapse/need.h"

static const char *const CATS =
    "[world]\ntype = weights\nweights = blue=0.90, yellow=0.09, green=0.01\n"
    "[model]\nfamily = categorical\n[run]\nseed = 7\n";
static const char *const GAUSS =
    "[world]\nsigma = 1\n[model]\nfamily = gaussian\n[run]\nseed = 5\n";

static int small(void)
{
    return getenv("MC_SANITIZE") != NULL;
}

static double at(const mc_point *p, const double *v, long r, long g, size_t m)
{
    return v[((size_t)r * (size_t)(p->run.generations + 1) + (size_t)g) * p->metrics.n + m];
}

/* mean and standard error of x[0..n) */
static void mean_se(const double *x, long n, double *mean, double *se)
{
    double s = 0, ss = 0;
    for (long i = 0; i < n; i++)
        s += x[i];
    *mean = s / (double)n;
    for (long i = 0; i < n; i++)
        ss += (x[i] - *mean) * (x[i] - *mean);
    *se = sqrt(ss / (double)(n - 1) / (double)n);
}

static void test_top_truncated_normal(void **state)
{
    (void)state;
    const long R = small() ? 6 : 20;
    for (int K = 2; K <= 8; K *= 4) {
        char k[32];
        snprintf(k, sizeof k, "regime.candidates=%d", K);
        const char *ov[] = {"regime.name=replace", "regime.select=top", k,
                            small() ? "regime.n=4000" : "regime.n=20000", "run.generations=1",
                            small() ? "run.replicates=6" : "run.replicates=20", NULL};
        mc_experiment *e = tu_prepare(GAUSS, ov);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p), ratio[20];
        size_t tr = tu_metric(p, "trace_ratio");
        for (long r = 0; r < R; r++)
            ratio[r] = at(p, v, r, 1, tr) / at(p, v, r, 0, tr);
        double c = gsl_cdf_ugaussian_Pinv(0.5 + 0.5 / K);
        double phi = exp(-c * c / 2) / sqrt(2 * M_PI);
        double expect = 1 - 2 * c * phi / (2 * gsl_cdf_ugaussian_P(c) - 1), mean, se;
        mean_se(ratio, R, &mean, &se);
        tu_assert_close(mean, expect, se, 4);
        assert_true(fabs(at(p, v, 0, 1, tu_metric(p, "select_acceptance")) - 1.0 / K) < 1e-12);
        free(v);
        mc_experiment_free(e);
    }
}

/* best-of K = 100, beta = 0.5: E[p_1(x) | p_0] = p_0(x) pi(x)^beta / sum_y p_0(y) pi(y)^beta. */
static void test_best_of_tilts_by_reward(void **state)
{
    (void)state;
    const long R = small() ? 4 : 12;
    const char *ov[] = {"regime.name=replace", "regime.select=best-of", "regime.candidates=100",
                        "regime.beta=0.5", small() ? "regime.n=2000" : "regime.n=10000",
                        "run.generations=1", small() ? "run.replicates=4" : "run.replicates=12",
                        NULL};
    mc_experiment *e = tu_prepare(CATS, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    const char *names[3] = {"p_blue", "p_yellow", "p_green"};
    const double pi[3] = {0.90, 0.09, 0.01};
    for (int c = 1; c < 3; c++) {
        double d[12];
        for (long r = 0; r < R; r++) {
            double z = 0, p0[3];
            for (int j = 0; j < 3; j++) {
                p0[j] = at(p, v, r, 0, tu_metric(p, names[j]));
                z += p0[j] * sqrt(pi[j]);
            }
            d[r] = at(p, v, r, 1, tu_metric(p, names[c])) - p0[c] * sqrt(pi[c]) / z;
        }
        double mean, se;
        mean_se(d, R, &mean, &se);
        tu_assert_close(mean, 0.0, se, 4);
    }
    free(v);
    mc_experiment_free(e);
}

/* Without human data, best-of with beta = 1 drives every replicate to the top category, while
 * plain replace keeps yellow alive in most. */
static void test_repeated_curation_concentrates(void **state)
{
    (void)state;
    const char *cur[] = {"regime.name=replace", "regime.select=best-of", "regime.candidates=4",
                         "regime.n=1000", "run.generations=40", "run.replicates=10", NULL};
    const char *raw[] = {"regime.name=replace", "regime.n=1000", "run.generations=40",
                         "run.replicates=10", NULL};
    mc_experiment *ec = tu_prepare(CATS, cur), *er = tu_prepare(CATS, raw);
    const mc_point *pc = &ec->points[0], *pr = &er->points[0];
    double *vc = tu_run_point(pc), *vr = tu_run_point(pr);
    long alive_raw = 0;
    for (long r = 0; r < 10; r++) {
        assert_true(at(pc, vc, r, 40, tu_metric(pc, "p_blue")) == 1.0);
        alive_raw += at(pr, vr, r, 40, tu_metric(pr, "alive_yellow")) == 1.0;
        /* the kept samples score at least as well as the candidates (up to rounding once
         * only blue is left) */
        for (long g = 1; g <= 40; g++)
            assert_true(at(pc, vc, r, g, tu_metric(pc, "select_loglik_after")) >=
                        at(pc, vc, r, g, tu_metric(pc, "select_loglik_before")) - 1e-9);
    }
    assert_true(alive_raw >= 8);
    free(vc);
    free(vr);
    mc_experiment_free(ec);
    mc_experiment_free(er);
}

/* top, K = 2, a verifier tilted to pi^-1 (bias -2): of 2n candidates every green and yellow one
 * is kept (fewer than n), so E[p_1(green)] = 2 p_0(green), and the kept samples' true
 * log-likelihood falls below the candidates'. A verifier of pure noise keeps E[p_1] = p_0. */
static void test_biased_and_noisy_verifier(void **state)
{
    (void)state;
    const long R = 30;
    const char *biased[] = {"regime.name=replace", "regime.select=top", "regime.candidates=2",
                            "regime.verifier_bias=-2", "regime.n=2000", "run.generations=1",
                            "run.replicates=30", NULL};
    const char *noisy[] = {"regime.name=replace", "regime.select=top", "regime.candidates=2",
                           "regime.verifier_noise=1e9", "regime.n=2000", "run.generations=1",
                           "run.replicates=30", NULL};
    for (int pass = 0; pass < 2; pass++) {
        mc_experiment *e = tu_prepare(CATS, pass ? noisy : biased);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p), d[30], mean, se;
        size_t pg = tu_metric(p, "p_green"), py = tu_metric(p, "p_yellow");
        for (long r = 0; r < R; r++)
            d[r] = pass ? at(p, v, r, 1, py) - at(p, v, r, 0, py)
                        : at(p, v, r, 1, pg) - 2 * at(p, v, r, 0, pg);
        mean_se(d, R, &mean, &se);
        tu_assert_close(mean, 0.0, se, 4);
        if (!pass)
            assert_true(at(p, v, 0, 1, tu_metric(p, "select_loglik_after")) <
                        at(p, v, 0, 1, tu_metric(p, "select_loglik_before")));
        free(v);
        mc_experiment_free(e);
    }
}

/* The human share after the detector, averaged over generations 1..G of each replicate. */
static void check_detector(const char *ini, const char *refill, double h, double tpr,
                           double fpr)
{
    char hs[32], ts[48], fs[48];
    snprintf(hs, sizeof hs, "regime.h=%g", h);
    snprintf(ts, sizeof ts, "regime.detector_tpr=%g", tpr);
    snprintf(fs, sizeof fs, "regime.detector_fpr=%g", fpr);
    const long R = 10, G = 10;
    const char *ov[] = {"regime.name=fresh", hs, ts, fs, refill, "regime.n=2000",
                        "run.generations=10", "run.replicates=10", NULL};
    mc_experiment *e = tu_prepare(ini, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p), share[10], size[10], lost[10], mean, se;
    double rho = h * (1 - fpr) + (1 - h) * (1 - tpr);
    for (long r = 0; r < R; r++) {
        share[r] = size[r] = lost[r] = 0;
        for (long g = 1; g <= G; g++) {
            share[r] += at(p, v, r, g, tu_metric(p, "human_share")) / (double)G;
            size[r] += at(p, v, r, g, tu_metric(p, "n")) / (double)G;
            lost[r] += at(p, v, r, g, tu_metric(p, "detect_human_lost")) / (double)G;
        }
    }
    mean_se(share, R, &mean, &se);
    tu_assert_close(mean, h * (1 - fpr) / rho, se, 4);
    mean_se(lost, R, &mean, &se);
    tu_assert_close(mean, fpr, se, 4);
    mean_se(size, R, &mean, &se);
    if (strstr(refill, "true"))
        assert_true(mean == 2000.0);
    else
        tu_assert_close(mean, 2000 * rho, se, 4);
    free(v);
    mc_experiment_free(e);
}

static void test_detector_human_share(void **state)
{
    (void)state;
    check_detector(CATS, "regime.detector_refill=true", 0.3, 0.8, 0.1);
    check_detector(CATS, "regime.detector_refill=false", 0.5, 0.9, 0.05);
    check_detector(GAUSS, "regime.detector_refill=true", 0.2, 0.95, 0.2);
}

static void test_bad_settings(void **state)
{
    (void)state;
    const char *k0[] = {"regime.select=top", "regime.candidates=0", NULL};
    tu_expect_error(CATS, k0, MC_ECONFIG, "regime.candidates", "out of range");
    const char *tpr[] = {"regime.detector_tpr=1.5", NULL};
    tu_expect_error(CATS, tpr, MC_ECONFIG, "regime.detector_tpr", "out of range");
    const char *unused[] = {"regime.candidates=4", NULL};
    tu_expect_error(CATS, unused, MC_ECONFIG, "regime.candidates", "no effect");
    const char *beta[] = {"regime.select=top", "regime.candidates=4", "regime.beta=2", NULL};
    tu_expect_error(CATS, beta, MC_ECONFIG, "regime.beta", "best-of");
    const char *lin[] = {"model.family=linreg", "regime.select=top", "regime.candidates=2",
                         NULL};
    tu_expect_error("", lin, MC_ECONFIG, "regime.select", "score");
    const char *lind[] = {"model.family=linreg", "regime.detector_fpr=0.1", NULL};
    tu_expect_error("", lind, MC_ECONFIG, "regime.detector_fpr", "ds_thin");
    const char *fill[] = {"regime.name=replace", "regime.detector_tpr=1", NULL};
    tu_expect_error(CATS, fill, MC_ECONFIG, "regime.detector_tpr", "cannot fill");
    const char *big[] = {"regime.select=top", "regime.candidates=1e6", "regime.n=1e6", NULL};
    tu_expect_error(CATS, big, MC_ECONFIG, "regime.candidates", "at most");
}

/* collapse need over the detector's TPR: the human share after the detector is h / (h + (1 - h)
 * (1 - T)) (FPR 0), so the smallest TPR giving a share of 1/2 with h = 0.2 is T* = 0.75; n is
 * large, so the share is nearly exact and the answer is within two grid steps. */
static void test_need_over_tpr(void **state)
{
    (void)state;
    mc_config *c = mc_config_alloc();
    mc_error err = {0};
    assert_non_null(c);
    assert_int_equal(mc_config_read_string(c, CATS, "test.ini", &err), MC_OK);
    const char *ov[] = {"regime.name=fresh", "regime.h=0.2", "regime.n=100000",
                        "run.replicates=10", NULL};
    for (size_t i = 0; ov[i]; i++)
        assert_int_equal(mc_config_override(c, ov[i], &err), MC_OK);
    mc_target t;
    assert_int_equal(mc_target_parse("human_share >= 0.5", &t, &err), MC_OK);
    mc_need_opts o = {.generation = 1, .tolerance = 1.0 / 256, .threads = 1,
                      .over = "regime.detector_tpr"};
    mc_need_result res;
    if (mc_need_solve(c, &t, &o, &res, &err) != MC_OK)
        fail_msg("%s", err.msg);
    assert_true(res.feasible);
    assert_true(fabs(res.h - 0.75) <= 2.0 / 256);
    assert_string_equal(res.over, "regime.detector_tpr");
    mc_need_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_truncated_normal),
        cmocka_unit_test(test_best_of_tilts_by_reward),
        cmocka_unit_test(test_repeated_curation_concentrates),
        cmocka_unit_test(test_biased_and_noisy_verifier),
        cmocka_unit_test(test_detector_human_share),
        cmocka_unit_test(test_bad_settings),
        cmocka_unit_test(test_need_over_tpr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
