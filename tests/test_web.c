/* test_web.c - the shared web (docs/WEB.md):
 *  - one lineage that publishes its training need, retention 0 and h is `fresh` with that h,
 *    sample for sample; so is a web that keeps everything but crawls the newest items first;
 *  - the web's size: S_g = Binomial(S_{g-1}, r) + C with C the new content per generation, so
 *    E[S_g] = r^g S_0 + C (1 - r^g) / (1 - r), exact for r = 1; the synthetic share of a web
 *    that only grows is g M P / (n_0 + g C) exactly, and a uniform crawl's expected share is
 *    the web's;
 *  - a crawl weighted to recent items takes each generation's content at a rate ~ recency^age:
 *    exact shares;
 *  - the categorical family's crawl has ds_subsample's law (chi-square);
 *  - several lineages: the distance is 0 at generation 0 (one model), each family metric's
 *    worst across lineages is no better than its mean;
 *  - the web's humans as the pipeline's workforce: with a constant workforce W q = h n the web is
 *    fresh again, and W_g follows the pipeline's generation by generation;
 *  - text (ngram): the detector drops by provenance, the lineages' unigram JS is in [0, log 2];
 *  - bad settings are refused naming the key. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "testutil.h"

static const char *const CATS =
    "[world]\ntype = weights\nweights = blue=0.90, yellow=0.09, green=0.01\n"
    "[model]\nfamily = categorical\n[run]\nseed = 3\n";

static double at(const mc_point *p, const double *v, long r, long g, size_t m)
{
    return v[((size_t)r * (size_t)(p->run.generations + 1) + (size_t)g) * p->metrics.n + m];
}

/* The first metrics of two points (all of b's) agree bit for bit in every row. */
static void assert_same_rows(const mc_point *a, const double *va, const mc_point *b,
                             const double *vb)
{
    for (long r = 0; r < b->run.replicates; r++)
        for (long g = 0; g <= b->run.generations; g++)
            for (size_t m = 0; m < b->metrics.n; m++) {
                double x = at(a, va, r, g, m), y = at(b, vb, r, g, m);
                assert_true(x == y || (isnan(x) && isnan(y)));
            }
    size_t py = tu_metric(b, "p_yellow");
    assert_true(at(b, vb, 0, b->run.generations, py) != at(b, vb, 0, 0, py));
}

static void test_one_lineage_is_fresh(void **state)
{
    (void)state;
    const char *fresh[] = {"regime.name=fresh", "regime.h=0.2", "run.generations=15",
                           "run.replicates=8", NULL};
    const char *web0[] = {"regime.name=web", "regime.h=0.2", "regime.publish=800",
                          "regime.retention=0", "run.generations=15", "run.replicates=8", NULL};
    const char *newest[] = {"regime.name=web", "regime.h=0.2", "regime.publish=800",
                            "regime.retention=1", "regime.crawl=newest", "run.generations=15",
                            "run.replicates=8", NULL};
    const char *people[] = {"regime.name=web", "regime.humans=workforce", "regime.workforce=40",
                            "regime.q=5", "regime.publish=800", "regime.retention=0",
                            "run.generations=15", "run.replicates=8", NULL};
    const char *const *webs[] = {web0, newest, people};
    mc_experiment *ef = tu_prepare(CATS, fresh);
    const mc_point *pf = &ef->points[0];
    double *vf = tu_run_point(pf);
    for (int pass = 0; pass < 3; pass++) {
        mc_experiment *ew = tu_prepare(CATS, webs[pass]);
        const mc_point *pw = &ew->points[0];
        assert_int_equal(pw->metrics.n - pw->nregime_metrics, pf->metrics.n);
        double *vw = tu_run_point(pw);
        assert_same_rows(pw, vw, pf, vf);
        free(vw);
        mc_experiment_free(ew);
    }
    free(vf);
    mc_experiment_free(ef);
}

/* M = 2 lineages publish P = 300 each, h = 0.25: C = 600 + 200 = 800 new items a generation. */
static void test_web_size_and_share(void **state)
{
    (void)state;
    const long R = 20, G = 8;
    for (int pass = 0; pass < 2; pass++) {
        const char *ov[] = {"regime.name=web", "regime.models=2", "regime.h=0.25",
                            "regime.publish=300", pass ? "regime.retention=0.6"
                                                       : "regime.retention=1",
                            "regime.n=500", "run.generations=8", "run.replicates=20", NULL};
        mc_experiment *e = tu_prepare(CATS, ov);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p);
        size_t items = tu_metric(p, "web_items"), web = tu_metric(p, "web_synthetic_share");
        size_t crawl = tu_metric(p, "crawl_synthetic_share");
        double r = pass ? 0.6 : 1.0, expect = pass ? pow(r, G) * 500 + 800 * (1 - pow(r, G)) / (1 - r)
                                                   : 500 + 800.0 * G;
        double mean, se;
        tu_mean_se(p, v, items, G, &mean, &se);
        if (!pass) {
            assert_true(mean == expect && se == 0);
            for (long g = 1; g <= G; g++) {
                assert_true(fabs(at(p, v, 0, g, web) - 600.0 * g / (500 + 800.0 * g)) < 1e-12);
                tu_mean_se(p, v, crawl, g, &mean, &se);
                tu_assert_close(mean, 600.0 * g / (500 + 800.0 * g), se, 4);
            }
        } else {
            tu_assert_close(mean, expect, se, 4);
        }
        assert_true(R == p->run.replicates);
        free(v);
        mc_experiment_free(e);
    }
}

/* A recent crawl (recency 1/2) of a web that keeps everything: generation 0's 500 human items
 * and each generation's 500 model items are crawled at rates ~ 2^-age, so generation 1's crawl
 * of 500 takes 500 (1/2) 500 / (250 + 500) = 166.7 -> 167 human items (largest remainder), and
 * generation 2's 500 (1/4) 500 / (125 + 250 + 500) = 71.4 -> 71: exact shares. */
static void test_recent_crawl(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=web", "regime.h=0", "regime.publish=500", "regime.n=500",
                        "regime.retention=1", "regime.crawl=recent", "regime.recency=0.5",
                        "run.generations=2", "run.replicates=3", NULL};
    mc_experiment *e = tu_prepare(CATS, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t hs = tu_metric(p, "human_share"), n = tu_metric(p, "n");
    for (long r = 0; r < 3; r++) {
        assert_true(at(p, v, r, 1, n) == 500 && at(p, v, r, 2, n) == 500);
        assert_true(at(p, v, r, 1, hs) == 167.0 / 500);
        assert_true(at(p, v, r, 2, hs) == 71.0 / 500);
    }
    free(v);
    mc_experiment_free(e);
}

/* The categorical family's crawl (binomial thinning and an exact correction) has
 * ds_subsample's law: the human count of a crawl of n = 17 from a pool of 30 human and 20
 * synthetic items is Hypergeometric(30, 20, 17) (chi-square over 20000 crawls, bins with an
 * expected count >= 5, against a critical value at p = 1e-6); every crawl has exactly n items. */
static void test_crawl_law(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(CATS, NULL);
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    assert_non_null(f->ds_crawl);
    mc_error err = {0};
    gsl_rng *r = mc_rng_alloc(99);
    void *pool = NULL, *synth = NULL, *model = NULL;
    assert_int_equal(f->draw_world(r, p->params, p->world, 30, &pool, &err), MC_OK);
    assert_int_equal(f->model_alloc(p->params, p->world, &model, &err), MC_OK);
    mc_fit_opts opts = {.human_weight = -1};
    assert_int_equal(f->fit(model, p->params, pool, &opts, &err), MC_OK);
    assert_int_equal(f->draw_model(r, p->params, model, &p->sampling, 20, &synth, &err), MC_OK);
    assert_int_equal(f->ds_merge(pool, synth, &err), MC_OK);
    const long T = 20000, n = 17;
    double count[18] = {0};
    for (long t = 0; t < T; t++) {
        void *c = NULL;
        assert_int_equal(f->ds_crawl(r, pool, (uint64_t)n, &c, &err), MC_OK);
        assert_true(f->ds_size(c) == (uint64_t)n);
        count[f->ds_human(c)]++;
        f->ds_free(c);
    }
    double chi2 = 0, obs = 0, exp = 0;
    for (unsigned k = 0; k <= (unsigned)n; k++) {
        obs += count[k];
        exp += T * gsl_ran_hypergeometric_pdf(k, 30, 20, (unsigned)n);
        if (exp >= 5 || k == (unsigned)n) {
            chi2 += (obs - exp) * (obs - exp) / exp;
            obs = exp = 0;
        }
    }
    assert_true(chi2 < 60); /* < 15 bins; chi-square(14) exceeds 47 with p = 1e-6 */
    f->ds_free(pool);
    f->ds_free(synth);
    f->model_free(model);
    gsl_rng_free(r);
    mc_experiment_free(e);
}

static void test_lineages(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=web", "regime.models=3", "regime.temperatures=1, 0.9, 0.8",
                        "regime.h=0.3", "regime.publish=400", "regime.retention=0.5",
                        "regime.detector_tpr=0.5", "regime.detector_fpr=0.1",
                        "regime.n=500", "run.generations=10", "run.replicates=5", NULL};
    mc_experiment *e = tu_prepare(CATS, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t d = tu_metric(p, "lineage_distance");
    size_t mean = tu_metric(p, "entropy_lineage_mean"), worst = tu_metric(p, "entropy_lineage_worst");
    for (long r = 0; r < 5; r++) {
        assert_true(at(p, v, r, 0, d) == 0);
        for (long g = 1; g <= 10; g++) {
            assert_true(at(p, v, r, g, d) > 0 && at(p, v, r, g, d) <= 1);
            assert_true(at(p, v, r, g, worst) <= at(p, v, r, g, mean) + 1e-12);
            assert_true(at(p, v, r, g, tu_metric(p, "detect_human_lost")) < 0.3);
        }
    }
    free(v);
    mc_experiment_free(e);
}

/* The web's humans can be the pipeline's workforce (the same code, workforce.c): with attrition,
 * fixed hiring and a lag, W_g is the pipeline's W_g generation by generation. */
static void test_workforce_is_the_pipelines(void **state)
{
    (void)state;
    const char *wf[] = {"regime.workforce=60", "regime.q=3", "regime.attrition=0.1",
                        "regime.hire=4", "regime.lag=3", "run.generations=20", "run.replicates=2",
                        NULL};
    const char *web[] = {"regime.name=web", "regime.humans=workforce", "regime.publish=900",
                         "regime.retention=0.5", wf[0], wf[1], wf[2], wf[3], wf[4], wf[5], wf[6],
                         NULL};
    const char *pipe[] = {"regime.name=pipeline", wf[0], wf[1], wf[2], wf[3], wf[4], wf[5],
                          wf[6], NULL};
    mc_experiment *ew = tu_prepare(CATS, web), *ep = tu_prepare(CATS, pipe);
    const mc_point *pw = &ew->points[0], *pp = &ep->points[0];
    double *vw = tu_run_point(pw), *vp = tu_run_point(pp);
    size_t a = tu_metric(pw, "workforce"), b = tu_metric(pp, "workforce");
    for (long g = 0; g <= 20; g++)
        assert_true(at(pw, vw, 1, g, a) == at(pp, vp, 1, g, b));
    assert_true(at(pw, vw, 1, 20, a) != 60);
    free(vw);
    free(vp);
    mc_experiment_free(ew);
    mc_experiment_free(ep);
}

/* Text: the ngram family's detector (ds_thin) and distance (unigram JS). A detector with TPR 1,
 * FPR 0 and no refill leaves every crawl fully human; the lineages' distance is a JS divergence,
 * in [0, log 2], 0 at generation 0 (one model). */
static void test_text_web(void **state)
{
    (void)state;
    char ini[1024];
    snprintf(ini, sizeof ini,
             "[world]\ncorpus = %s\nheldout = 0.2\nreserve = 0.34\n"
             "[model]\nfamily = ngram\norder = 2\n[metrics]\nsample = 40\n"
             "[regime]\nname = web\nmodels = 2\nh = 0.3\npublish = 40\nretention = 0.5\n"
             "n = 40\ndetector_tpr = 1\ndetector_fpr = 0\ndetector_refill = false\n"
             "[run]\ngenerations = 3\nreplicates = 2\n",
             tu_data_path("ngram/brownlike"));
    mc_experiment *e = tu_prepare(ini, NULL);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t d = tu_metric(p, "lineage_distance"), c = tu_metric(p, "crawl_synthetic_share");
    for (long r = 0; r < 2; r++) {
        assert_true(at(p, v, r, 0, d) == 0);
        for (long g = 1; g <= 3; g++) {
            assert_true(at(p, v, r, g, c) == 0);
            assert_true(at(p, v, r, g, tu_metric(p, "human_share")) == 1);
            assert_true(at(p, v, r, g, d) > 0 && at(p, v, r, g, d) <= log(2));
            assert_true(at(p, v, r, g, tu_metric(p, "web_synthetic_share")) > 0);
        }
    }
    free(v);
    mc_experiment_free(e);
}

static void test_bad_web(void **state)
{
    (void)state;
    const char *temps[] = {"regime.name=web", "regime.models=3", "regime.temperatures=1, 0.9",
                           NULL};
    tu_expect_error(CATS, temps, MC_ECONFIG, "regime.temperatures", "2 temperatures");
    const char *h1[] = {"regime.name=web", "regime.h=1", NULL};
    tu_expect_error(CATS, h1, MC_ECONFIG, "regime.h", "h < 1");
    const char *fill[] = {"regime.name=web", "regime.retention=0", "regime.publish=10", NULL};
    tu_expect_error(CATS, fill, MC_ECONFIG, "regime.publish", "a crawl needs");
    const char *dist[] = {"model.family=gmm", "regime.name=web", "regime.models=2", NULL};
    tu_expect_error("", dist, MC_ECONFIG, "regime.models", "distance");
    const char *thin[] = {"model.family=linreg", "regime.name=web", "regime.retention=0.5",
                          NULL};
    tu_expect_error("", thin, MC_ECONFIG, "regime.retention", "ds_thin");
    /* a web that empties faster than it is filled: refused when the crawl comes */
    const char *drain[] = {"regime.name=web", "regime.retention=0.5", "regime.publish=10",
                           "run.replicates=1", "run.generations=3", NULL};
    mc_experiment *e = tu_prepare(CATS, drain);
    double *values = malloc(sizeof *values * 4 * e->points[0].metrics.n);
    mc_error err = {0};
    assert_int_equal(mc_unit_run(&e->points[0], 0, values, &err), MC_ECONFIG);
    assert_non_null(strstr(err.msg, "regime.publish"));
    free(values);
    mc_experiment_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_lineage_is_fresh),
        cmocka_unit_test(test_web_size_and_share),
        cmocka_unit_test(test_recent_crawl),
        cmocka_unit_test(test_crawl_law),
        cmocka_unit_test(test_lineages),
        cmocka_unit_test(test_workforce_is_the_pipelines),
        cmocka_unit_test(test_text_web),
        cmocka_unit_test(test_bad_web),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
