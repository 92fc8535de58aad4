/* test_gen0.c - the distances to the generation-0 fit (metrics.gen0 of the gaussian and gmm
 * families) and their closed forms under replace (gauss_gen0.c), and the Lloyd k-means start of
 * EM (model.init = kmeans, gmm_em.c).
 *
 * Tolerances: closed forms are compared with independent algebra to 1e-12 relative; Monte Carlo
 * means with their expectations within 4 standard errors (SE = sd / sqrt(R)). Under MC_SANITIZE
 * the replicates shrink (the tolerance widens with the SE). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "families/gauss_gen0.h"
#include "families/gmm.h"
#include "collapse/rng.h"

static int sanitized(void) { return getenv("MC_SANITIZE") != NULL; }

static double theory_of(const mc_point *p, const char *name, unsigned g)
{
    size_t m = tu_metric(p, name);
    return p->family->theory(p, p->world, m - MC_ENGINE_METRICS, g);
}

static void check_theory(const mc_point *p, const double *v, const char *name, long g)
{
    double mean, se, th = theory_of(p, name, (unsigned)g);
    tu_mean_se(p, v, tu_metric(p, name), g, &mean, &se);
    assert_true(isfinite(th));
    print_message("  %-10s g=%-3ld sim %.5g +- %.2g  theory %.5g\n", name, g, mean, se, th);
    tu_assert_close(mean, th, se, 4.0);
}

/* 1-D: s_0 = sigma^2 chi2_(n-1) / n, s_g = s_(g-1) chi2_(n-1) / n, so with a = (n-1)/n and
 * m2 = E (chi2_(n-1)/n)^2 = (n-1)(n+1)/n^2: E (s_g - s_0)^2 = sigma^4 m2 (m2^g - 2 a^g + 1) and
 * E (mu_g - mu_0)^2 = sigma^2 a (1 - a^g) -- independent algebra for the recursions. */
static void test_closed_forms_1d(void **state)
{
    (void)state;
    double n = 7, s2 = 2.5, a = (n - 1) / n, m2 = (n - 1) * (n + 1) / (n * n);
    mc_gen0_case k = {n, s2, s2 * s2, 1.0, 0};
    for (unsigned g = 0; g <= 20; g++) {
        double cov = s2 * s2 * m2 * (pow(m2, g) - 2 * pow(a, g) + 1);
        double mean = s2 * a * (1 - pow(a, g));
        assert_true(fabs(mc_gen0_cov_theory(&k, g) - cov) <= 1e-12 * (cov + 1e-300));
        assert_true(fabs(mc_gen0_mean_theory(&k, g) - mean) <= 1e-12 * (mean + 1e-300));
    }
    /* unbiased: q = 1, s_g = s_(g-1) chi2 / (n - 1), m2 = (n + 1)/(n - 1) */
    k.unbiased = 1;
    m2 = (n + 1) / (n - 1);
    for (unsigned g = 0; g <= 20; g++) {
        double cov = s2 * s2 * m2 * (pow(m2, g) - 2 + 1);
        assert_true(fabs(mc_gen0_cov_theory(&k, g) - cov) <= 1e-12 * (cov + 1e-300));
        assert_true(fabs(mc_gen0_mean_theory(&k, g) - s2 * g / n) <= 1e-12 * (s2 * g / n));
    }
}

static const char *const GAUSS =
    "[world]\ndim = 3\ncov = 2, 0.5, 0; 0.5, 1, 0.3; 0, 0.3, 0.5\nmean = 1, -1, 0\nholdout = 200\n"
    "[model]\nfamily = gaussian\n[regime]\nname = replace\nn = 30\n[metrics]\ngen0 = true\n"
    "[run]\ngenerations = 10\nreplicates = 3000\nseed = 16\n";

/* The d-D Wishart recursion (a non-isotropic world: tr S^2 != (tr S)^2 / d) and a shrink against
 * the engine; both distances are exactly 0 at generation 0. */
static void test_gaussian_gen0_runs(void **state)
{
    (void)state;
    const char *small[] = {"run.replicates=600", NULL};
    const char *shrink[] = {"sampling.shrink=0.1", sanitized() ? "run.replicates=600" : NULL, NULL};
    for (int c = 0; c < 2; c++) {
        mc_experiment *e = tu_prepare(GAUSS, c ? shrink : sanitized() ? small : NULL);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p);
        double mean, se;
        tu_mean_se(p, v, tu_metric(p, "cov_gen0"), 0, &mean, &se);
        assert_true(mean == 0 && se == 0);
        check_theory(p, v, "mean_gen0", 1);
        check_theory(p, v, "mean_gen0", 10);
        check_theory(p, v, "cov_gen0", 1);
        check_theory(p, v, "cov_gen0", 10);
        free(v);
        mc_experiment_free(e);
    }
    /* off by default: the metric list is the one before metrics.gen0 existed */
    const char *off[] = {"metrics.gen0=false", NULL};
    mc_experiment *e = tu_prepare(GAUSS, off);
    for (size_t m = 0; m < e->points[0].metrics.n; m++)
        assert_null(strstr(e->points[0].metrics.items[m].name, "gen0"));
    mc_experiment_free(e);
}

static const char *const GAUSS1 =
    "[world]\ndim = 1\nsigma = 1.5\nmean = 2\nholdout = 100\n"
    "[model]\nfamily = gaussian\n[regime]\nname = replace\nn = 8\n[metrics]\nw2sq = true\n"
    "[run]\ngenerations = 12\nreplicates = 4000\nseed = 31\n";

/* metrics.w2sq: W2^2 of the fit to the 1-D world, the square of w2, against its closed form
 * (Shumailov et al.'s Theorem 3.1: it grows without bound for the unbiased fit) for the MLE and
 * the unbiased fit, with and without the gen0 pair before it; at g = 0 also against independent
 * algebra: E W2^2 = s2/n + s2 a + s2 - 2 s2 sqrt(2/m) Gamma(n/2)/Gamma((n-1)/2), a = (n-1)/m. */
static void test_w2sq(void **state)
{
    (void)state;
    const char *cases[][3] = {{"model.estimator=mle", "metrics.gen0=false", NULL},
                              {"model.estimator=unbiased", "metrics.gen0=true", NULL}};
    for (int c = 0; c < 2; c++) {
        const char *ov[4] = {cases[c][0], cases[c][1], sanitized() ? "run.replicates=800" : NULL,
                             NULL};
        mc_experiment *e = tu_prepare(GAUSS1, ov);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p);
        double n = 8, s2 = 2.25, m = c ? n - 1 : n;
        double g0 = s2 / n + s2 * (n - 1) / m + s2 -
                    2 * s2 * sqrt(2 / m) * exp(lgamma(n / 2) - lgamma((n - 1) / 2));
        assert_true(fabs(theory_of(p, "w2sq", 0) - g0) <= 1e-12 * g0);
        size_t w = tu_metric(p, "w2"), w2 = tu_metric(p, "w2sq");
        for (size_t i = 0; i < 13; i++) { /* replicate 0's row g = i: the square of w2 */
            const double *row = v + i * p->metrics.n;
            assert_true(fabs(row[w2] - row[w] * row[w]) <= 1e-12 * row[w2]);
        }
        check_theory(p, v, "w2sq", 0);
        check_theory(p, v, "w2sq", 1);
        check_theory(p, v, "w2sq", 12);
        free(v);
        mc_experiment_free(e);
    }
    /* no closed form off the 1-D Gaussian world under replace */
    const char *acc[] = {"regime.name=accumulate", NULL};
    mc_experiment *e = tu_prepare(GAUSS1, acc);
    assert_true(isnan(theory_of(&e->points[0], "w2sq", 3)));
    mc_experiment_free(e);
}

static const char *const GMM =
    "[world]\ndim = 2\nmean = 0, 0\nsigma = 1\nholdout = 200\n"
    "[model]\nfamily = gmm\nk = 2\ntol = 1e-5\nmax_iter = 2000\ninit = kmeans\n"
    "[regime]\nname = replace\nn = 400\n[metrics]\ngen0 = true\nsamples = 100\n"
    "[run]\ngenerations = 3\nreplicates = 4\nseed = 3\n";

/* l2sq_gen0 is 0 at generation 0, positive after, and the square of the closed-form L2 distance
 * (which mc_gmm_l2's own tests check against numerical integration). */
static void test_gmm_gen0_metric(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(GMM, NULL);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t m = tu_metric(p, "l2sq_gen0"), M = p->metrics.n, G = 4;
    for (size_t r = 0; r < 4; r++) {
        assert_true(v[(r * G + 0) * M + m] == 0);
        for (size_t g = 1; g < G; g++)
            assert_true(v[(r * G + g) * M + m] > 0 && v[(r * G + g) * M + m] < 0.1);
    }
    free(v);
    mc_experiment_free(e);
}

/* Lloyd's start: from the same data and seeds, EM after k-means needs fewer iterations than after
 * one k-means++ assignment on overlapping clusters (means +-1.2 apart, unit variances), where
 * the single assignment leaves the components far from a stationary point. Paired over D data
 * sets; the mean difference must exceed 4 of its standard errors. */
static void test_kmeans_start_saves_iterations(void **state)
{
    (void)state;
    const size_t k = 2, d = 2, n = 1000, D = sanitized() ? 12 : 40;
    double w[] = {0.5, 0.5}, mu[] = {-1.2, 0, 1.2, 0}, cov[] = {1, 0, 0, 1, 1, 0, 0, 1};
    mc_gmm *truth = mc_gmm_alloc(k, d), *fit = mc_gmm_alloc(k, d);
    mc_gmm_em *ws = mc_gmm_em_alloc(k, d);
    gsl_rng *r = mc_rng_alloc(17), *s = mc_rng_alloc(0);
    double *x = malloc(n * d * sizeof *x), sum = 0, sum2 = 0, ipp = 0, ikm = 0;
    memcpy(truth->w, w, sizeof w);
    memcpy(truth->mu, mu, sizeof mu);
    memcpy(truth->cov, cov, sizeof cov);
    mc_error err;
    assert_int_equal(mc_gmm_prepare(truth, &err), MC_OK);
    for (size_t t = 0; t < D; t++) {
        mc_gmm_sample(r, truth, n, x);
        double it[2];
        for (int init = 0; init < 2; init++) {
            mc_gmm_em_opts o = {MC_GMM_FULL, 1e-6, 1e-5, 2000, 1, (mc_gmm_init)init};
            mc_gmm_em_stats st;
            mc_rng_seed(s, 100 + t); /* the same k-means++ seeds for both */
            assert_int_equal(mc_gmm_fit(s, ws, fit, x, NULL, n, &o, &st, &err), MC_OK);
            assert_true(st.converged);
            it[init] = (double)st.iterations;
        }
        ipp += it[0];
        ikm += it[1];
        sum += it[0] - it[1];
        sum2 += (it[0] - it[1]) * (it[0] - it[1]);
    }
    double mean = sum / (double)D, sd = sqrt((sum2 - sum * mean) / (double)(D - 1));
    print_message("  EM iterations: k-means++ %.1f, Lloyd %.1f (difference %.1f +- %.1f)\n",
                  ipp / (double)D, ikm / (double)D, mean, sd / sqrt((double)D));
    assert_true(mean > 4 * sd / sqrt((double)D));
    free(x);
    gsl_rng_free(r);
    gsl_rng_free(s);
    mc_gmm_em_free(ws);
    mc_gmm_free(truth);
    mc_gmm_free(fit);
}

/* model.init and metrics.gen0 are checked keys. */
static void test_bad_keys(void **state)
{
    (void)state;
    const char *bad_init[] = {"model.init=lloyd", NULL};
    tu_expect_error(GMM, bad_init, MC_ECONFIG, "init", "kmeans");
    const char *bad_gen0[] = {"metrics.gen0=maybe", NULL};
    tu_expect_error(GAUSS, bad_gen0, MC_ECONFIG, "gen0", NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_closed_forms_1d),
        cmocka_unit_test(test_gaussian_gen0_runs),
        cmocka_unit_test(test_w2sq),
        cmocka_unit_test(test_gmm_gen0_metric),
        cmocka_unit_test(test_kmeans_start_saves_iterations),
        cmocka_unit_test(test_bad_keys),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
