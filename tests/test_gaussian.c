/* test_gaussian.c - the gaussian family and the shared continuous helpers (gdata, gauss_law,
 * gworld, w2).
 *
 * Tolerances: a Monte Carlo mean over R replicates is compared with its closed-form expectation
 * and may differ by 4 standard errors (SE = sample sd / sqrt(R)), so a correct implementation
 * fails one check with probability about 6e-5; seeds are fixed, so the suite is deterministic.
 * Deterministic quantities (W2 formulas, moment algebra) are compared to 1e-9 relative, the
 * accuracy of the linear algebra involved. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include "testutil.h"
#include "families/gauss_law.h"
#include "families/gdata.h"
#include "families/gworld.h"
#include "families/w2.h"

static double theory_of(const mc_point *p, const char *name, unsigned g)
{
    size_t m = tu_metric(p, name);
    return p->family->theory(p, p->world, m - MC_ENGINE_METRICS, g);
}

/* Checks metric `name` against the family's theory at generations gs. */
static void check_theory(const mc_point *p, const double *v, const char *name, const long *gs,
                         size_t ngs)
{
    size_t m = tu_metric(p, name);
    for (size_t i = 0; i < ngs; i++) {
        double mean, se, th = theory_of(p, name, (unsigned)gs[i]);
        tu_mean_se(p, v, m, gs[i], &mean, &se);
        if (!isfinite(th))
            fail_msg("%s: no theory at g = %ld", name, gs[i]);
        print_message("  %-12s g=%-3ld sim %.5g +- %.2g  theory %.5g\n", name, gs[i], mean, se, th);
        tu_assert_close(mean, th, se, 4.0);
    }
}

static const char *const BASE =
    "[world]\ndim = 3\ncov = 2, 0.5, 0; 0.5, 1, 0.3; 0, 0.3, 0.5\nmean = 1, -1, 0\nholdout = 200\n"
    "[model]\nfamily = gaussian\n[regime]\nname = replace\nn = 20\n"
    "[run]\ngenerations = 12\nreplicates = 3000\nseed = 11\n";

/* BASE with the overrides ov, simulated: trace_ratio and mean_error at g = 1, 4, 12 within 4 SE of
 * the closed forms. */
static void check_variant(const char *const *ov)
{
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    const long gs[] = {1, 4, 12};
    check_theory(p, v, "trace_ratio", gs, 3);
    check_theory(p, v, "mean_error", gs, 3);
    free(v);
    mc_experiment_free(e);
}

/* Replace, maximum likelihood (Shumailov et al.): E[tr ratio] = q^(g+1), q = (n-1)/n;
 * E||mu_g - mu_0||^2 = tr Sigma_0 (1 - q^(g+1)); E log-det ratio from the Wishart log-det. */
static void test_replace_mle_theory(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(BASE, NULL);
    const mc_point *p = &e->points[0];
    /* the closed forms themselves, independently of the code under test */
    double q = 19.0 / 20.0;
    assert_true(fabs(theory_of(p, "trace_ratio", 12) - pow(q, 13)) < 1e-12);
    assert_true(fabs(theory_of(p, "mean_error", 12) - 3.5 * (1 - pow(q, 13))) < 1e-12);
    double *v = tu_run_point(p);
    const long gs[] = {0, 1, 6, 12};
    check_theory(p, v, "trace_ratio", gs, 4);
    check_theory(p, v, "mean_error", gs, 4);
    check_theory(p, v, "logdet_ratio", gs, 4);
    free(v);
    mc_experiment_free(e);

    /* the same through drawn rows: a truncation at 30 sd changes nothing (its covariance factor
     * is 1 - 1e-190) but makes the model draw rows instead of sufficient statistics */
    const char *ov[] = {"sampling.truncate=30", "run.replicates=2000", NULL};
    e = tu_prepare(BASE, ov);
    p = &e->points[0];
    assert_true(fabs(theory_of(p, "trace_ratio", 12) - pow(q, 13)) < 1e-12);
    v = tu_run_point(p);
    check_theory(p, v, "trace_ratio", gs, 4);
    check_theory(p, v, "mean_error", gs, 4);
    free(v);
    mc_experiment_free(e);
}

/* Unbiased estimator: E[tr ratio] = 1 at every generation, E||mu_g - mu_0||^2 = tr Sigma_0 (g+1)/n;
 * shrink and truncate scale the sampled covariance by c = (1-lambda)^2 F_{d+2}(c^2)/F_d(c^2). */
static void test_unbiased_and_sampling_bias_theory(void **state)
{
    (void)state;
    const char *ov1[] = {"model.estimator=unbiased", NULL};
    mc_experiment *e = tu_prepare(BASE, ov1);
    const mc_point *p = &e->points[0];
    assert_true(fabs(theory_of(p, "trace_ratio", 7) - 1.0) < 1e-12);
    assert_true(fabs(theory_of(p, "mean_error", 7) - 3.5 * 8 / 20.0) < 1e-12);
    double *v = tu_run_point(p);
    const long gs[] = {1, 12};
    check_theory(p, v, "trace_ratio", gs, 2);
    check_theory(p, v, "mean_error", gs, 2);
    check_theory(p, v, "logdet_ratio", gs, 2);
    free(v);
    mc_experiment_free(e);

    const char *ov2[] = {"sampling.shrink=0.1", "sampling.truncate=1.5", NULL};
    e = tu_prepare(BASE, ov2);
    p = &e->points[0];
    double c = 0.81 * gsl_cdf_chisq_P(2.25, 5) / gsl_cdf_chisq_P(2.25, 3);
    assert_true(fabs(theory_of(p, "trace_ratio", 2) - 0.95 * pow(0.95 * c, 2)) < 1e-12);
    v = tu_run_point(p);
    const long gs2[] = {1, 3, 6};
    check_theory(p, v, "trace_ratio", gs2, 3);
    check_theory(p, v, "mean_error", gs2, 3);
    free(v);
    mc_experiment_free(e);
}

/* Accumulate (the pool keeps every generation): the scatter recursion of docs/THEORY.md with the
 * Gaussian's own draws (mean mu_g, covariance c Sigma_g). Generation 1 by hand: the pool of 2n
 * points has E tr SS_1 = (n - 1) T + (n - 1 + 1/2) c (n - 1) T / n and E||mu_1 - mu_0||^2 =
 * T/n + (1/4) c (n - 1) T / n^2 (mle, c = 1); accumulate-subsample likewise; then simulations
 * with mle, unbiased, a sampling bias and a growing n within 4 SE. */
static void test_accumulate_theory(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=accumulate", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    double T = 3.5, n = 20, SS1 = (n - 1) * T + (n - 0.5) * (n - 1) * T / n;
    assert_true(fabs(theory_of(p, "trace_ratio", 1) - SS1 / (2 * n) / T) < 1e-12);
    assert_true(fabs(theory_of(p, "mean_error", 1) - (T / n + 0.25 * (n - 1) * T / (n * n))) <
                1e-12);
    assert_true(isnan(theory_of(p, "logdet_ratio", 1)));
    mc_experiment_free(e);
    const char *const variants[][4] = {
        {"regime.name=accumulate", "model.estimator=unbiased", NULL, NULL},
        {"regime.name=accumulate", "sampling.shrink=0.2", "regime.growth=1.2", NULL},
        {"regime.name=accumulate-subsample", "sampling.shrink=0.1", "regime.growth=1.1", NULL},
    };
    /* accumulate-subsample, generation 1 by hand: the pool of 2n points gains scatter
     * (n - 1) q T + (n/2)(q T / n) (q = (n-1)/n, the draws' between-group term with D = 0), and
     * n of its 2n points are unbiased for its covariance: E tr Sigma_1 = q s_1 / (2n - 1) */
    const char *sub[] = {"regime.name=accumulate-subsample", NULL};
    e = tu_prepare(BASE, sub);
    p = &e->points[0];
    double q = (n - 1) / n, s1 = (n - 1) * T + (n - 1) * q * T + 0.5 * q * T;
    assert_true(fabs(theory_of(p, "trace_ratio", 1) - q * s1 / (2 * n - 1) / T) < 1e-12);
    mc_experiment_free(e);
    for (size_t k = 0; k < 3; k++)
        check_variant(variants[k]);
}

/* Fresh data (h = 0.4, n = 20: n_h = 8 new world samples, n_s = 12 of the model), weighted and
 * not: generation 1 by hand (mle, no bias: A = q T with q = (n-1)/n), then simulations with
 * a weight, the unbiased estimator and a sampling bias within 4 SE. */
static void test_fresh_theory(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=fresh", "regime.h=0.4", "regime.human_weight=0.7", NULL};
    mc_experiment *e = tu_prepare(BASE, ov);
    const mc_point *p = &e->points[0];
    double T = 3.5, n = 20, nh = 8, ns = 12, w = 0.7, A = (n - 1) / n * T, M = T / n;
    double tr1 = w * (nh - 1) / nh * T + (1 - w) * (ns - 1) / ns * A +
                 w * (1 - w) * (T / nh + A / ns + M);
    assert_true(fabs(theory_of(p, "trace_ratio", 1) - tr1 / T) < 1e-12);
    double M1 = w * w * T / nh + (1 - w) * (1 - w) * (A / ns + M);
    assert_true(fabs(theory_of(p, "mean_error", 1) - M1) < 1e-12);
    mc_experiment_free(e);
    const char *const variants[][5] = {
        {"regime.name=fresh", "regime.h=0.4", "regime.human_weight=0.7", NULL, NULL},
        {"regime.name=fresh", "regime.h=0.3", "model.estimator=unbiased", "sampling.shrink=0.2",
         NULL},
    };
    for (size_t k = 0; k < 2; k++)
        check_variant(variants[k]);
}

/* A 1-D Gaussian-mixture world: the trace and mean formulas only need second moments, so they
 * hold with sigma_0^2 the mixture's variance; the quantile W2 of a model fitted to 10^5 samples is
 * the W2 between the mixture and its moment-matched Gaussian, small but not 0. */
static void test_mixture_world(void **state)
{
    (void)state;
    const char *ini = "[world]\nmeans = -2; 2\nweights = 0.3, 0.7\nsds = 1, 0.5\nholdout = 200\n"
                      "[model]\nfamily = gaussian\n[regime]\nname = replace\nn = 10\n"
                      "[run]\ngenerations = 5\nreplicates = 4000\nseed = 5\n";
    mc_experiment *e = tu_prepare(ini, NULL);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    const long gs[] = {0, 5};
    check_theory(p, v, "trace_ratio", gs, 2);
    check_theory(p, v, "mean_error", gs, 2);
    free(v);
    mc_experiment_free(e);
}

/* W2 between Gaussians: the code's closed form (via matrix square roots) against
 * (a) 1-D: (m1 - m2)^2 + (s1 - s2)^2; (b) commuting (diagonal) covariances:
 * ||m1 - m2||^2 + sum (sqrt a_i - sqrt b_i)^2; (c) 2 x 2: tr sqrt(M) = sqrt(tr M + 2 sqrt(det M))
 * for M = R S1 R, an identity independent of the eigen-solver. */
static void test_w2_closed_forms(void **state)
{
    (void)state;
    mc_error err;
    double w;
    gsl_matrix *S1 = gsl_matrix_alloc(1, 1), *S2 = gsl_matrix_alloc(1, 1), *R = gsl_matrix_alloc(1, 1);
    gsl_matrix_set(S1, 0, 0, 4.0);
    gsl_matrix_set(S2, 0, 0, 0.25);
    assert_int_equal(mc_sqrtm_psd(S2, R, &err), MC_OK);
    double m1 = 1.0, m2 = -0.5;
    assert_int_equal(mc_gauss_w2(&m1, S1, &m2, S2, R, &w, &err), MC_OK);
    assert_true(fabs(w - sqrt(1.5 * 1.5 + 1.5 * 1.5)) < 1e-12);
    gsl_matrix_free(S1), gsl_matrix_free(S2), gsl_matrix_free(R);

    S1 = gsl_matrix_calloc(3, 3), S2 = gsl_matrix_calloc(3, 3), R = gsl_matrix_alloc(3, 3);
    double a[3] = {1, 2, 3}, b[3] = {0.5, 4, 3}, mu1[3] = {0, 1, 2}, mu2[3] = {1, 1, 0};
    double expect = 1 + 4;
    for (int i = 0; i < 3; i++) {
        gsl_matrix_set(S1, i, i, a[i]);
        gsl_matrix_set(S2, i, i, b[i]);
        expect += (sqrt(a[i]) - sqrt(b[i])) * (sqrt(a[i]) - sqrt(b[i]));
    }
    assert_int_equal(mc_sqrtm_psd(S2, R, &err), MC_OK);
    assert_int_equal(mc_gauss_w2(mu1, S1, mu2, S2, R, &w, &err), MC_OK);
    assert_true(fabs(w * w - expect) < 1e-10);
    /* W2 of a distribution to itself is 0 */
    assert_int_equal(mc_gauss_w2(mu2, S2, mu2, S2, R, &w, &err), MC_OK);
    assert_true(w < 1e-6);
    gsl_matrix_free(S1), gsl_matrix_free(S2), gsl_matrix_free(R);

    S1 = gsl_matrix_alloc(2, 2), S2 = gsl_matrix_alloc(2, 2), R = gsl_matrix_alloc(2, 2);
    double s1[4] = {2, 0.8, 0.8, 1}, s2[4] = {1, -0.3, -0.3, 0.5};
    memcpy(S1->data, s1, sizeof s1);
    memcpy(S2->data, s2, sizeof s2);
    assert_int_equal(mc_sqrtm_psd(S2, R, &err), MC_OK);
    /* R R = S2 */
    gsl_matrix *RR = gsl_matrix_alloc(2, 2), *T = gsl_matrix_alloc(2, 2), *M = gsl_matrix_alloc(2, 2);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, R, R, 0.0, RR);
    for (int i = 0; i < 4; i++)
        assert_true(fabs(RR->data[i] - s2[i]) < 1e-12);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, R, S1, 0.0, T);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, T, R, 0.0, M);
    double trM = M->data[0] + M->data[3], detM = M->data[0] * M->data[3] - M->data[1] * M->data[2];
    double m1v[2] = {0.5, 0}, m2v[2] = {0, 0.25};
    expect = 0.25 + 0.0625 + 3 + 1.5 - 2 * sqrt(trM + 2 * sqrt(detM));
    assert_int_equal(mc_gauss_w2(m1v, S1, m2v, S2, R, &w, &err), MC_OK);
    assert_true(fabs(w * w - expect) < 1e-10);
    gsl_matrix_free(RR), gsl_matrix_free(T), gsl_matrix_free(M);
    gsl_matrix_free(S1), gsl_matrix_free(S2), gsl_matrix_free(R);
}

/* 1-D W2 from quantiles: a Gaussian "mixture" of one component reproduces the closed form; the
 * mixture quantile inverts the mixture cdf; sliced W2 of two Gaussians equals the mean over
 * directions of the 1-D closed forms; the exact empirical W2 on a small case. */
static void test_w2_quantiles_and_sliced(void **state)
{
    (void)state;
    mc_error err;
    mc_qgrid *q;
    assert_int_equal(mc_qgrid_alloc(401, &q, &err), MC_OK);
    double w1 = 1, mu1 = 0.3, sd1 = 2, qb[401];
    for (size_t i = 0; i < q->m; i++)
        qb[i] = mc_gmix1_quantile(1, &w1, &mu1, &sd1, q->z[i]);
    double got = mc_w2_gauss_quantiles(q, 1.0, 1.5, qb);
    assert_true(fabs(got - sqrt(0.49 + 0.25)) < 1e-9);

    double w[2] = {0.3, 0.7}, mu[2] = {-2, 2}, sd[2] = {1, 0.5};
    for (double z = -7; z <= 7; z += 0.5) {
        double x = mc_gmix1_quantile(2, w, mu, sd, z), F = 0, S = 0;
        for (int j = 0; j < 2; j++) {
            F += w[j] * gsl_cdf_gaussian_P(x - mu[j], sd[j]);
            S += w[j] * gsl_cdf_gaussian_Q(x - mu[j], sd[j]);
        }
        if (z <= 0)
            assert_true(fabs(F - gsl_cdf_ugaussian_P(z)) <= 1e-9 * gsl_cdf_ugaussian_P(z));
        else
            assert_true(fabs(S - gsl_cdf_ugaussian_Q(z)) <= 1e-9 * gsl_cdf_ugaussian_Q(z));
    }

    /* sliced: g = N(m, S) against a Gaussian B = N(mb, Sb) given by its projected quantiles */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t d = 3, L = 16;
    mc_gauss *g, *B;
    assert_int_equal(mc_gauss_alloc(d, &g, &err), MC_OK);
    assert_int_equal(mc_gauss_alloc(d, &B, &err), MC_OK);
    double S[9] = {2, 0.5, 0, 0.5, 1, 0.3, 0, 0.3, 0.5};
    memcpy(g->cov->data, S, sizeof S);
    g->mu[0] = 1;
    B->mu[2] = -1;
    double theta[16 * 3], *qw = malloc(L * q->m * sizeof(double)), expect = 0;
    mc_sliced_dirs(r, d, L, theta);
    for (size_t l = 0; l < L; l++) {
        const double *t = theta + l * d;
        double a = 0, v = 0, ab = 0, vb = 0;
        for (size_t i = 0; i < d; i++) {
            a += t[i] * g->mu[i];
            ab += t[i] * B->mu[i];
            vb += t[i] * t[i];
            for (size_t j = 0; j < d; j++)
                v += t[i] * S[i * d + j] * t[j];
        }
        expect += (a - ab) * (a - ab) + (sqrt(v) - sqrt(vb)) * (sqrt(v) - sqrt(vb));
        for (size_t i = 0; i < q->m; i++)
            qw[l * q->m + i] = ab + sqrt(vb) * q->z[i];
    }
    got = mc_sliced_w2_gauss(q, g, theta, L, qw);
    assert_true(fabs(got * got - expect / (double)L) < 1e-9);
    free(qw);
    mc_gauss_free(g);
    mc_gauss_free(B);
    gsl_rng_free(r);
    mc_qgrid_free(q);

    /* {0, 1, 2} against {0, 2}: quantile steps differ by 1 on (1/3, 1/2] and (1/2, 2/3] */
    double xa[3] = {0, 1, 2}, xb[2] = {0, 2};
    assert_true(fabs(mc_w2_sorted(xa, 3, xb, 2) - sqrt(1.0 / 3.0)) < 1e-12);
    assert_true(mc_w2_sorted(xa, 3, xa, 3) == 0.0);
}

/* Datasets: merge keeps provenance and combines the cached moments exactly (Chan et al.); the fit
 * from moments equals the row-weighted fit; subsample keeps provenance and includes each row with
 * probability k/N (checked on the inclusion count of one row, binomial SE). */
static void test_datasets_and_weighted_fit(void **state)
{
    (void)state;
    mc_error err;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    size_t d = 3;
    mc_gdata *a, *b;
    assert_int_equal(mc_gdata_new(d, 40, 1, &a, &err), MC_OK);
    assert_int_equal(mc_gdata_new(d, 25, 0, &b, &err), MC_OK);
    for (size_t i = 0; i < 40 * d; i++)
        a->x[i] = gsl_ran_gaussian(r, 1.0) + 3.0;
    for (size_t i = 0; i < 25 * d; i++)
        b->x[i] = gsl_ran_gaussian(r, 2.0) - 1.0;
    assert_int_equal(mc_gdata_moments(a, &err), MC_OK);
    assert_int_equal(mc_gdata_moments(b, &err), MC_OK);
    assert_int_equal(mc_gdata_merge(a, b, &err), MC_OK);
    mc_gdata_free(b);
    assert_int_equal(mc_gdata_size(a), 65);
    assert_int_equal(mc_gdata_human(a), 40);
    assert_true(a->has_mom);
    double *cached = malloc(2 * MC_GMOM_SIZE(d) * sizeof(double));
    double *fresh = malloc(2 * MC_GMOM_SIZE(d) * sizeof(double));
    memcpy(cached, a->mom, 2 * MC_GMOM_SIZE(d) * sizeof(double));
    a->has_mom = 0;
    assert_int_equal(mc_gdata_moments_into(a, fresh, &err), MC_OK);
    for (size_t i = 0; i < 2 * MC_GMOM_SIZE(d); i++)
        assert_true(fabs(cached[i] - fresh[i]) < 1e-9 * (1 + fabs(fresh[i])));

    mc_gauss *g1, *g2;
    assert_int_equal(mc_gauss_alloc(d, &g1, &err), MC_OK);
    assert_int_equal(mc_gauss_alloc(d, &g2, &err), MC_OK);
    double *w = malloc(65 * sizeof(double)), *scratch = malloc(65 * d * sizeof(double));
    const double hws[] = {-1.0, 0.0, 0.25, 0.9, 1.0};
    for (int unb = 0; unb < 2; unb++)
        for (size_t k = 0; k < 5; k++) {
            mc_gdata_weights(a, hws[k], w);
            assert_int_equal(mc_gauss_fit(g1, a->x, 65, w, unb, scratch, &err), MC_OK);
            assert_int_equal(mc_gauss_fit_moments(g2, fresh, hws[k], unb, &err), MC_OK);
            for (size_t i = 0; i < d; i++)
                assert_true(fabs(g1->mu[i] - g2->mu[i]) < 1e-10);
            for (size_t i = 0; i < d * d; i++)
                assert_true(fabs(g1->cov->data[i] - g2->cov->data[i]) < 1e-10);
        }

    /* subsample: 20 of 65; row 0 (human) is chosen with probability 20/65 */
    long hits = 0, trials = 4000;
    for (long t = 0; t < trials; t++) {
        void *s;
        assert_int_equal(mc_gdata_subsample(r, a, 20, &s, &err), MC_OK);
        mc_gdata *ss = s;
        assert_int_equal(ss->n, 20);
        uint64_t h = 0;
        for (size_t i = 0; i < 20; i++)
            h += ss->is_human[i];
        assert_int_equal(h, ss->human);
        /* rows keep their provenance: human rows came from a (mean 3), synthetic from b */
        for (size_t i = 0; i < 20; i++)
            if (memcmp(ss->x + i * d, a->x, d * sizeof(double)) == 0) {
                hits++;
                assert_int_equal(ss->is_human[i], 1);
            }
        mc_gdata_free(s);
    }
    double p = 20.0 / 65.0;
    tu_assert_close((double)hits / trials, p, sqrt(p * (1 - p) / trials), 4.0);

    /* a pool 20 times larger than the sample takes Floyd's algorithm: rows distinct and sorted
     * (they are the pool's order), first row included with probability 20/400 */
    mc_gdata *big;
    assert_int_equal(mc_gdata_new(1, 400, 0, &big, &err), MC_OK);
    for (size_t i = 0; i < 400; i++) {
        big->x[i] = (double)i;
        big->is_human[i] = i % 3 == 0;
    }
    big->human = 134;
    hits = 0;
    for (long t = 0; t < trials; t++) {
        void *s;
        assert_int_equal(mc_gdata_subsample(r, big, 20, &s, &err), MC_OK);
        mc_gdata *ss = s;
        uint64_t h = 0;
        for (size_t i = 0; i < 20; i++) {
            if (i > 0)
                assert_true(ss->x[i] > ss->x[i - 1]);
            assert_int_equal(ss->is_human[i], ((long)ss->x[i]) % 3 == 0);
            h += ss->is_human[i];
        }
        assert_int_equal(h, ss->human);
        hits += ss->x[0] == 0.0;
        mc_gdata_free(s);
    }
    p = 20.0 / 400.0;
    tu_assert_close((double)hits / trials, p, sqrt(p * (1 - p) / trials), 4.0);
    mc_gdata_free(big);
    void *none = NULL;
    assert_int_equal(mc_gdata_subsample(r, a, 66, &none, &err), MC_EINTERNAL);
    assert_null(none);

    free(w), free(scratch), free(cached), free(fresh);
    mc_gauss_free(g1), mc_gauss_free(g2);
    mc_gdata_free(a);
    gsl_rng_free(r);
}

/* Truncation: every sample lies within c (Mahalanobis), both by rejection (c = 2.5, d = 3) and by
 * the exact radial method (c = 1, d = 10, acceptance 1.7e-4); E||z||^2 = d F_{d+2}(c^2)/F_d(c^2). */
static void test_truncate_and_shrink(void **state)
{
    (void)state;
    mc_error err;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    const size_t ds[2] = {3, 10};
    const double cs[2] = {2.5, 1.0};
    for (int k = 0; k < 2; k++) {
        size_t d = ds[k], n = 20000;
        mc_gauss *g;
        assert_int_equal(mc_gauss_alloc(d, &g, &err), MC_OK);
        for (size_t i = 0; i < d; i++) {
            gsl_matrix_set(g->cov, i, i, 1.0 + (double)i);
            g->mu[i] = (double)i;
        }
        assert_int_equal(mc_gauss_factor(g, 0, 1, "test", &err), MC_OK);
        mc_sampling s = {1, 0, 1, 0.2, cs[k]};
        double *x = malloc(n * d * sizeof(double)), *work = malloc(d * sizeof(double));
        assert_int_equal(mc_gauss_sample(r, g, &s, n, x, &err), MC_OK);
        double sum = 0, sum2 = 0;
        for (size_t i = 0; i < n; i++) {
            /* undo the shrink: Mahalanobis of the unshrunk point = m / (1 - lambda) */
            double m2 = mc_gauss_maha2(g, x + i * d, work) / (0.8 * 0.8);
            assert_true(m2 <= cs[k] * cs[k] * (1 + 1e-12));
            sum += m2;
            sum2 += m2 * m2;
        }
        double c2 = cs[k] * cs[k], mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
        double expect = (double)d * gsl_cdf_chisq_P(c2, d + 2.0) / gsl_cdf_chisq_P(c2, d);
        tu_assert_close(mean, expect, sd / sqrt((double)n), 4.0);
        assert_true(fabs(mc_sampling_cov_factor(d, &s) - 0.64 * expect / d) < 1e-12);
        free(x), free(work);
        mc_gauss_free(g);
    }
    gsl_rng_free(r);
}

static int all_defined(const mc_point *p, const double *v)
{
    size_t n = (size_t)p->run.replicates * (size_t)(p->run.generations + 1) * p->metrics.n;
    for (size_t i = 0; i < n; i++)
        if (isnan(v[i]))
            return 0;
    return 1;
}

/* Degenerate fits are values, not crashes or NaN: n <= d (singular, regularised and flagged),
 * all samples identical (a point mass: variance 0, nll +inf, W2 = the world's spread), and a 1-D
 * chain with n = 2 whose variance collapses to exactly 0 within a few hundred generations. */
static void test_degenerate(void **state)
{
    (void)state;
    const char *ini = "[world]\nholdout = 100\n[model]\nfamily = gaussian\n[regime]\n"
                      "name = replace, accumulate-subsample\n[run]\nseed = 3\n";
    const char *ov1[] = {"world.dim=5", "regime.n=4", "run.generations=20", "run.replicates=20",
                         NULL};
    mc_experiment *e = tu_prepare(ini, ov1);
    for (size_t pi = 0; pi < e->npoints; pi++) {
        const mc_point *p = &e->points[pi];
        double *v = tu_run_point(p);
        assert_true(all_defined(p, v));
        double mean, se;
        tu_mean_se(p, v, tu_metric(p, "regularised"), 0, &mean, &se);
        assert_true(mean == 1.0);
        free(v);
    }
    mc_experiment_free(e);

    /* identical samples, through the family's own fit and metrics */
    const char *ini1 = "[world]\nmean = 0.5\nsigma = 2\nholdout = 50\n[model]\nfamily = gaussian\n"
                       "[run]\nreplicates = 1\n";
    e = tu_prepare(ini1, NULL);
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    mc_error err;
    mc_gdata *ds;
    assert_int_equal(mc_gdata_new(1, 30, 1, &ds, &err), MC_OK);
    for (size_t i = 0; i < 30; i++)
        ds->x[i] = 1.5;
    void *model;
    assert_int_equal(f->model_alloc(p->params, p->world, &model, &err), MC_OK);
    mc_fit_opts opts = {.human_weight = -1};
    assert_int_equal(f->fit(model, p->params, ds, &opts, &err), MC_OK);
    double out[16];
    mc_eval ev = {p, p->params, p->world, model, ds, 0};
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    assert_int_equal(f->metrics(r, &ev, out, &err), MC_OK);
    size_t M = p->metrics.n - MC_ENGINE_METRICS, base = MC_ENGINE_METRICS;
    for (size_t i = 0; i < M; i++)
        assert_false(isnan(out[i]));
    assert_true(out[tu_metric(p, "trace_ratio") - base] == 0.0);
    assert_true(out[tu_metric(p, "point_mass") - base] == 1.0);
    assert_true(isinf(out[tu_metric(p, "nll_heldout") - base]) && out[tu_metric(p, "nll_heldout") - base] > 0);
    assert_true(fabs(out[tu_metric(p, "w2") - base] - sqrt(1.0 + 4.0)) < 1e-12);
    assert_true(fabs(out[tu_metric(p, "mean_error") - base] - 1.0) < 1e-12);
    /* a point mass samples its mean, as rows (truncation) or as moments (sufficient statistics) */
    void *syn;
    mc_sampling trunc = p->sampling;
    trunc.truncate = 3;
    assert_int_equal(f->draw_model(r, p->params, model, &trunc, 5, &syn, &err), MC_OK);
    assert_false(((mc_gdata *)syn)->virtual_rows);
    for (size_t i = 0; i < 5; i++)
        assert_true(((mc_gdata *)syn)->x[i] == 1.5);
    f->ds_free(syn);
    assert_int_equal(f->draw_model(r, p->params, model, &p->sampling, 5, &syn, &err), MC_OK);
    assert_true(((mc_gdata *)syn)->virtual_rows);
    double mom[2 * MC_GMOM_SIZE(1)];
    assert_int_equal(mc_gdata_moments_into(syn, mom, &err), MC_OK);
    assert_true(mom[0] == 5 && mom[1] == 1.5 && mom[2] == 0.0);
    f->ds_free(syn);
    f->model_free(model);
    mc_gdata_free(ds);
    gsl_rng_free(r);
    mc_experiment_free(e);

    /* drawn rows (truncation at 30 sd forces them) become identical once the sd falls below the
     * spacing of doubles near the mean: an exact point mass */
    const char *ov2[] = {"regime.n=2", "run.generations=400", "run.replicates=4",
                         "sampling.truncate=30", NULL};
    e = tu_prepare(ini1, ov2);
    p = &e->points[0];
    double *v = tu_run_point(p);
    assert_true(all_defined(p, v));
    size_t pm = tu_metric(p, "point_mass"), vr = tu_metric(p, "trace_ratio");
    for (long rep = 0; rep < 4; rep++) {
        const double *last = v + ((size_t)rep * 401 + 400) * p->metrics.n;
        assert_true(last[pm] == 1.0 && last[vr] == 0.0);
    }
    free(v);
    mc_experiment_free(e);

    /* sufficient-statistics draws: E log of the variance falls by about 1.96 per generation, so
     * after 600 generations it has underflowed through the subnormals, without a NaN */
    const char *ov3[] = {"regime.n=2", "run.generations=600", "run.replicates=4", NULL};
    e = tu_prepare(ini1, ov3);
    p = &e->points[0];
    v = tu_run_point(p);
    assert_true(all_defined(p, v));
    for (long rep = 0; rep < 4; rep++) {
        const double *last = v + ((size_t)rep * 601 + 600) * p->metrics.n;
        assert_true(last[vr] < 1e-250);
    }
    free(v);
    mc_experiment_free(e);
}

/* The nll and tail metrics of a known model N(0, 9) (fitted to {-3, 3}) in the world N(0.5, 4):
 * E[-log N(h; 0, 9)] = log(2 pi 9)/2 + (sigma_0^2 + mu_0^2)/18 over the held-out set, whose
 * sample mean has SE sd(h^2)/18/sqrt(nho) with Var h^2 = 2 sigma_0^4 + 4 mu_0^2 sigma_0^2;
 * the 1-D tail mass is exact: Phi((mu_0 - 3 sigma_0)/3) + Q((mu_0 + 3 sigma_0)/3). */
static void test_nll_and_tail_of_known_model(void **state)
{
    (void)state;
    const char *ini = "[world]\nmean = 0.5\nsigma = 2\nholdout = 100000\n[model]\nfamily = gaussian\n"
                      "[run]\nreplicates = 1\n";
    mc_experiment *e = tu_prepare(ini, NULL);
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    mc_error err;
    mc_gdata *ds;
    assert_int_equal(mc_gdata_new(1, 2, 1, &ds, &err), MC_OK);
    ds->x[0] = -3;
    ds->x[1] = 3;
    void *model;
    assert_int_equal(f->model_alloc(p->params, p->world, &model, &err), MC_OK);
    mc_fit_opts opts = {.human_weight = -1};
    assert_int_equal(f->fit(model, p->params, ds, &opts, &err), MC_OK);
    double out[16];
    mc_eval ev = {p, p->params, p->world, model, ds, 0};
    assert_int_equal(f->metrics(NULL, &ev, out, &err), MC_OK);
    size_t base = MC_ENGINE_METRICS;
    double expect = 0.5 * log(2 * M_PI * 9) + (4 + 0.25) / 18;
    double se = sqrt(2 * 16 + 4 * 0.25 * 4) / 18 / sqrt(100000.0);
    tu_assert_close(out[tu_metric(p, "nll_heldout") - base], expect, se, 4.0);
    double tail = gsl_cdf_ugaussian_P((0.5 - 6) / 3) + gsl_cdf_ugaussian_Q((0.5 + 6) / 3);
    assert_true(fabs(out[tu_metric(p, "tail_mass") - base] - tail) < 1e-12);
    assert_true(fabs(out[tu_metric(p, "trace_ratio") - base] - 9.0 / 4.0) < 1e-12);
    /* W2 between N(0, 9) and N(0.5, 4): 0.25 + (3 - 2)^2 */
    assert_true(fabs(out[tu_metric(p, "w2") - base] - sqrt(1.25)) < 1e-9);
    f->model_free(model);
    mc_gdata_free(ds);
    mc_experiment_free(e);
}

/* An isotropic world N(0, 4 I) in d = 3 takes the shared eigen-decomposition path for W2 and the
 * tail mass; a model equal to the world (fitted to moments n = 10, mean 0, scatter 40 I) has
 * W2 = 0 and tail mass exactly 0.01 (the reference set is calibrated on the world), and the
 * model N((1, 0, 0), 9 I) has W2^2 = 1 + 3 (3 - 2)^2 = 4, as mc_gauss_w2 says too. */
static void test_isotropic_world(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare("[world]\ndim = 3\nsigma = 2\nholdout = 100\n"
                                  "[model]\nfamily = gaussian\n", NULL);
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    mc_error err;
    double mom[2 * MC_GMOM_SIZE(3)] = {0};
    mom[0] = 10;
    for (int a = 0; a < 3; a++)
        mom[1 + 3 + a * 3 + a] = 40;
    void *model;
    mc_gdata *ds;
    assert_int_equal(mc_gdata_new_virtual(3, 10, 0, mom, &ds, &err), MC_OK);
    assert_int_equal(f->model_alloc(p->params, p->world, &model, &err), MC_OK);
    mc_fit_opts opts = {.human_weight = -1};
    assert_int_equal(f->fit(model, p->params, ds, &opts, &err), MC_OK);
    double out[16];
    mc_eval ev = {p, p->params, p->world, model, ds, 0};
    size_t base = MC_ENGINE_METRICS;
    assert_int_equal(f->metrics(NULL, &ev, out, &err), MC_OK);
    assert_true(out[tu_metric(p, "w2") - base] < 1e-6);
    assert_true(out[tu_metric(p, "tail_mass") - base] == 0.01);
    mc_gdata_free(ds);

    mom[1] = 1;
    for (int a = 0; a < 3; a++)
        mom[1 + 3 + a * 3 + a] = 90;
    assert_int_equal(mc_gdata_new_virtual(3, 10, 0, mom, &ds, &err), MC_OK);
    assert_int_equal(f->fit(model, p->params, ds, &opts, &err), MC_OK);
    ev.train = ds;
    assert_int_equal(f->metrics(NULL, &ev, out, &err), MC_OK);
    assert_true(fabs(out[tu_metric(p, "w2") - base] - 2.0) < 1e-9);
    /* wider than the world: more than the world's 1 % beyond its 99th percentile */
    assert_true(out[tu_metric(p, "tail_mass") - base] > 0.05);
    mc_gdata_free(ds);
    f->model_free(model);
    mc_experiment_free(e);
}

/* The operator signal (pipeline regime) is the total variance of the samples: rows (0,0), (2,0),
 * (0,2), (2,2) have variance 1 per coordinate, tr = 2, whether the rows are stored, split between
 * human and synthetic parts, or known by their moments only. */
static void test_signal(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare("[world]\ndim = 2\n[model]\nfamily = gaussian\n", NULL);
    const mc_family_type *f = e->points[0].family;
    mc_error err;
    mc_gdata *ds, *v;
    assert_int_equal(mc_gdata_new(2, 4, 0, &ds, &err), MC_OK);
    const double x[8] = {0, 0, 2, 0, 0, 2, 2, 2};
    memcpy(ds->x, x, sizeof x);
    double out;
    assert_int_equal(f->signal(e->points[0].params, ds, &out), MC_OK);
    assert_true(fabs(out - 2.0) < 1e-12);
    ds->is_human[1] = ds->is_human[2] = 1;
    ds->human = 2;
    assert_int_equal(f->signal(e->points[0].params, ds, &out), MC_OK);
    assert_true(fabs(out - 2.0) < 1e-12);
    double mom[2 * MC_GMOM_SIZE(2)];
    assert_int_equal(mc_gdata_moments_into(ds, mom, &err), MC_OK);
    assert_int_equal(mc_gdata_new_virtual(2, 4, 2, mom, &v, &err), MC_OK);
    assert_int_equal(f->signal(e->points[0].params, v, &out), MC_OK);
    assert_true(fabs(out - 2.0) < 1e-12);
    mc_gdata_free(ds);
    mc_gdata_free(v);
    mc_experiment_free(e);
}

/* A Gaussian N(mu, cov) for the deferred-draw tests. */
static mc_gauss *gauss_of(size_t d, const double *mu, const double *cov)
{
    mc_gauss *g;
    mc_error err;
    assert_int_equal(mc_gauss_alloc(d, &g, &err), MC_OK);
    memcpy(g->mu, mu, d * sizeof(double));
    memcpy(g->cov->data, cov, d * d * sizeof(double));
    assert_int_equal(mc_gauss_factor(g, 0, 1, NULL, &err), MC_OK);
    return g;
}

/* Deferred draws (mc_gdata_new_deferred): rows whose values are fixed by a key and computed when
 * needed. Their law is N(mu, alpha^2 Sigma) (and truncated with truncate); a row has one value
 * whether it is computed alone (moments) or in a block (subsample), before or after a copy or a
 * merge; and the same key gives the same rows. */
static void test_deferred_draws(void **state)
{
    (void)state;
    mc_error err;
    const size_t d = 3;
    const double mu[3] = {1, -2, 0.5}, cov[9] = {2, 0.6, 0, 0.6, 1, -0.3, 0, -0.3, 0.5};
    mc_gauss *g = gauss_of(d, mu, cov);
    mc_sampling smp = {0};
    smp.shrink = 0.2;
    const uint64_t n = 40000;
    mc_gdata *a, *b;
    assert_int_equal(mc_gdata_new_deferred(g, &smp, n, 77, &a, &err), MC_OK);
    assert_int_equal(mc_gdata_new_deferred(g, &smp, n, 77, &b, &err), MC_OK);
    assert_true(a->deferred == n && mc_gdata_size(a) == n && mc_gdata_human(a) == 0);
    size_t sz = MC_GMOM_SIZE(d);
    double *m1 = malloc(4 * sz * sizeof(double)), *m2 = m1 + 2 * sz;
    assert_int_equal(mc_gdata_moments_into(a, m1, &err), MC_OK);
    /* the law: mean mu (SE sqrt(a^2 Sigma_aa / n)), covariance 0.64 Sigma (SE of a sample
     * covariance entry: a^2 sqrt((Sigma_aa Sigma_bb + Sigma_ab^2) / n)) */
    double a2 = 0.8 * 0.8;
    assert_true(m1[0] == (double)n);
    for (size_t i = 0; i < d; i++) {
        tu_assert_close(m1[1 + i], mu[i], sqrt(a2 * cov[i * d + i] / (double)n), 4.0);
        for (size_t j = 0; j < d; j++) {
            double c = m1[1 + d + i * d + j] / (double)n;
            double se = a2 * sqrt((cov[i * d + i] * cov[j * d + j] + cov[i * d + j] * cov[i * d + j]) /
                                  (double)n);
            tu_assert_close(c, a2 * cov[i * d + j], se, 4.0);
        }
    }
    /* the same key, the same rows: identical moments, bit for bit */
    assert_int_equal(mc_gdata_moments_into(b, m2, &err), MC_OK);
    assert_memory_equal(m1, m2, 2 * sz * sizeof(double));
    /* picking rows computes them in blocks and stores them; the dataset's values do not change */
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    void *sub;
    assert_int_equal(mc_gdata_subsample(r, a, 3000, &sub, &err), MC_OK);
    assert_true(a->deferred == n - 3000);
    assert_int_equal(mc_gdata_moments_into(a, m2, &err), MC_OK);
    assert_memory_equal(m1, m2, 2 * sz * sizeof(double));
    mc_gdata_free(sub);
    /* a pool: human rows, then two draws; a copy and the pool give the same subsamples */
    mc_gdata *pool, *copy, *d2;
    assert_int_equal(mc_gdata_new(d, 500, 1, &pool, &err), MC_OK);
    for (size_t i = 0; i < 500 * d; i++)
        pool->x[i] = gsl_ran_gaussian(r, 1.0);
    assert_int_equal(mc_gdata_new_deferred(g, NULL, 700, 5, &d2, &err), MC_OK);
    assert_int_equal(mc_gdata_merge(pool, d2, &err), MC_OK);
    assert_int_equal(mc_gdata_merge(pool, b, &err), MC_OK);
    assert_true(mc_gdata_size(pool) == 500 + 700 + n && mc_gdata_human(pool) == 500);
    assert_true(pool->deferred == 700 + n);
    assert_int_equal(mc_gdata_copy(pool, (void **)&copy, &err), MC_OK);
    gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937), *r2 = gsl_rng_alloc(gsl_rng_mt19937);
    for (int round = 0; round < 3; round++) {
        void *s1, *s2;
        uint64_t k = round == 2 ? mc_gdata_size(pool) / 2 : 900; /* Floyd, then selection */
        assert_int_equal(mc_gdata_subsample(r1, pool, k, &s1, &err), MC_OK);
        assert_int_equal(mc_gdata_subsample(r2, copy, k, &s2, &err), MC_OK);
        const mc_gdata *x1 = s1, *x2 = s2;
        assert_true(x1->deferred == 0 && x1->human == x2->human);
        assert_memory_equal(x1->x, x2->x, (size_t)k * d * sizeof(double));
        mc_gdata_free(s1);
        mc_gdata_free(s2);
    }
    /* the merged draw's rows are those it had alone (b's rows at offset 1200 of the pool) */
    double *mp = malloc(2 * sz * sizeof(double));
    mc_gdata *tail;
    assert_int_equal(mc_gdata_new_deferred(g, &smp, n, 77, &tail, &err), MC_OK);
    assert_int_equal(mc_gdata_subsample(r, pool, mc_gdata_size(pool), &sub, &err), MC_OK);
    const mc_gdata *all = sub;
    mc_gdata *last;
    assert_int_equal(mc_gdata_new(d, n, 0, &last, &err), MC_OK);
    memcpy(last->x, all->x + 1200 * d, (size_t)n * d * sizeof(double));
    assert_int_equal(mc_gdata_moments_into(last, mp, &err), MC_OK);
    assert_int_equal(mc_gdata_moments_into(tail, m2, &err), MC_OK);
    assert_memory_equal(mp, m2, 2 * sz * sizeof(double));
    mc_gdata_free(last);
    mc_gdata_free(tail);
    mc_gdata_free(sub);
    free(mp);
    /* truncation: every row within Mahalanobis radius c (of the covariance alpha^2 Sigma) */
    mc_sampling tr = {0};
    tr.truncate = 0.5; /* P(chi2_3 <= 0.25) = 0.031: the direction-times-radius branch */
    mc_gdata *t;
    assert_int_equal(mc_gdata_new_deferred(g, &tr, 2000, 9, &t, &err), MC_OK);
    assert_int_equal(mc_gdata_subsample(r, t, 2000, &sub, &err), MC_OK);
    double work[6];
    for (size_t i = 0; i < 2000; i++)
        assert_true(mc_gauss_maha2(g, ((mc_gdata *)sub)->x + i * d, work) <= 0.25 * (1 + 1e-12));
    mc_gdata_free(sub);
    mc_gdata_free(t);
    mc_gdata_free(pool);
    mc_gdata_free(copy);
    mc_gdata_free(d2);
    mc_gdata_free(a);
    mc_gdata_free(b);
    free(m1);
    mc_gauss_free(g);
    gsl_rng_free(r);
    gsl_rng_free(r1);
    gsl_rng_free(r2);
}

/* Mean and standard error of column g of x (R rows of G + 1). */
static void column_mean_se(const double *x, long R, long G, long g, double *mean, double *se)
{
    double s = 0, s2 = 0;
    for (long rep = 0; rep < R; rep++) {
        double v = x[rep * (G + 1) + g];
        s += v;
        s2 += v * v;
    }
    *mean = s / (double)R;
    *se = sqrt(fmax(s2 / (double)R - *mean * *mean, 0.0) / (double)(R - 1));
}

/* accumulate-subsample, whose model draws are deferred, against the same chain written here with
 * every row drawn at once (gsl_ran_gaussian, gsl_ran_choose): the mean trace ratio, log-determinant
 * ratio and squared mean error agree at every checked generation within 4 standard errors of
 * the difference. The reference runs 5x the replicates (it costs little), so its own error is
 * the smaller part. */
static void test_accumulate_subsample_reference(void **state)
{
    (void)state;
    const char *ini = "[world]\ndim = 2\nholdout = 10\n[model]\nfamily = gaussian\n"
                      "[regime]\nname = accumulate-subsample\nn = 8\n"
                      "[run]\ngenerations = 12\nreplicates = 4000\nseed = 21\n";
    mc_experiment *e = tu_prepare(ini, NULL);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    enum { D = 2, N = 8, G = 12, R = 20000, K = 3 };
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2024);
    static double pool[(G + 1) * N * D], train[N * D];
    double *ref = calloc((size_t)K * R * (G + 1), sizeof(double));
    double *tr = ref, *ld = ref + R * (G + 1), *me = ref + 2 * R * (G + 1);
    for (long rep = 0; rep < R; rep++) {
        size_t np = N;
        for (size_t i = 0; i < N * D; i++)
            pool[i] = train[i] = gsl_ran_gaussian(r, 1.0);
        for (int gen = 0;; gen++) {
            double m[D] = {0}, c[D][D] = {{0}};
            for (size_t i = 0; i < N; i++)
                for (size_t a = 0; a < D; a++)
                    m[a] += train[i * D + a] / N;
            for (size_t i = 0; i < N; i++)
                for (size_t a = 0; a < D; a++)
                    for (size_t b = 0; b < D; b++)
                        c[a][b] += (train[i * D + a] - m[a]) * (train[i * D + b] - m[b]) / N;
            tr[rep * (G + 1) + gen] = (c[0][0] + c[1][1]) / 2.0;
            ld[rep * (G + 1) + gen] = log(c[0][0] * c[1][1] - c[0][1] * c[1][0]);
            me[rep * (G + 1) + gen] = m[0] * m[0] + m[1] * m[1];
            if (gen == G)
                break;
            /* N rows of N(m, c) by the Cholesky factor of c, appended to the pool */
            double l00 = sqrt(c[0][0]), l10 = l00 > 0 ? c[1][0] / l00 : 0.0;
            double l11 = sqrt(fmax(c[1][1] - l10 * l10, 0.0));
            for (size_t i = 0; i < N; i++) {
                double z0 = gsl_ran_gaussian(r, 1.0), z1 = gsl_ran_gaussian(r, 1.0);
                pool[(np + i) * D] = m[0] + l00 * z0;
                pool[(np + i) * D + 1] = m[1] + l10 * z0 + l11 * z1;
            }
            np += N;
            gsl_ran_choose(r, train, N, pool, np, D * sizeof(double));
        }
    }
    const char *names[K] = {"trace_ratio", "logdet_ratio", "mean_error"};
    const long gs[] = {1, 4, 12};
    for (size_t k = 0; k < K; k++)
        for (size_t gi = 0; gi < 3; gi++) {
            double sim, se_sim, mref, se_ref;
            tu_mean_se(p, v, tu_metric(p, names[k]), gs[gi], &sim, &se_sim);
            column_mean_se(ref + k * R * (G + 1), R, G, gs[gi], &mref, &se_ref);
            print_message("  %-12s g=%-3ld collapse %.5f +- %.4f  reference %.5f +- %.4f\n",
                          names[k], gs[gi], sim, se_sim, mref, se_ref);
            tu_assert_close(sim, mref, sqrt(se_sim * se_sim + se_ref * se_ref), 4.0);
        }
    free(ref);
    free(v);
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
        {"[world]\nsigma = -1\n[model]\nfamily = gaussian\n", "sigma"},
        {"[world]\ncov = 1, 2; 2, 1\n[model]\nfamily = gaussian\n", "not positive definite"},
        {"[world]\ncov = 1, 0.5; 0.2, 1\n[model]\nfamily = gaussian\n", "not symmetric"},
        {"[world]\ncov = 1, 0; 0, -1\n[model]\nfamily = gaussian\n", "cov"},
        {"[world]\ncov = 1, 0, 0\n[model]\nfamily = gaussian\n", "square"},
        {"[world]\nmean = 0, 0\ncov = 1\n[model]\nfamily = gaussian\n", "dimensions"},
        {"[world]\nmeans = 0; 1\nweights = 1, 2, 3\n[model]\nfamily = gaussian\n", "weights"},
        {"[world]\nmeans = 0; 1\nsds = 1, -1\n[model]\nfamily = gaussian\n", "sds"},
        {"[world]\nmean = 0, x\n[model]\nfamily = gaussian\n", "not a number"},
        {"[model]\nfamily = gaussian\n[sampling]\ntop_k = 3\n", "top_k"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        tu_expect_error(cases[i].ini, NULL, MC_ECONFIG, cases[i].expect, "test.ini:");
}

int main(void)
{
    gsl_set_error_handler_off();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_w2_closed_forms),
        cmocka_unit_test(test_w2_quantiles_and_sliced),
        cmocka_unit_test(test_datasets_and_weighted_fit),
        cmocka_unit_test(test_truncate_and_shrink),
        cmocka_unit_test(test_replace_mle_theory),
        cmocka_unit_test(test_unbiased_and_sampling_bias_theory),
        cmocka_unit_test(test_accumulate_theory),
        cmocka_unit_test(test_fresh_theory),
        cmocka_unit_test(test_mixture_world),
        cmocka_unit_test(test_degenerate),
        cmocka_unit_test(test_nll_and_tail_of_known_model),
        cmocka_unit_test(test_signal),
        cmocka_unit_test(test_isotropic_world),
        cmocka_unit_test(test_deferred_draws),
        cmocka_unit_test(test_accumulate_subsample_reference),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
