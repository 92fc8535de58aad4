/* test_pipeline.c - the pipeline regime, regime.schedule, weighting through the engine, and the
 * categorical family's operator signal.
 *
 * Most checks here are exact: the pipeline's bookkeeping is integer arithmetic, and the
 * equivalences (constant workforce = fresh, w = human share = unweighted, a constant schedule =
 * plain h) must hold sample for sample for the same seed, so they compare outputs bit for bit
 * (or to 1e-12 where a renormalisation rounds). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static const char *const CATS =
    "[world]\ntype = weights\nweights = blue=0.90, yellow=0.09, green=0.01\n"
    "[model]\nfamily = categorical\n[sampling]\ntemperature = 0.9\n[run]\nseed = 11\n";

static const double *row_of(const mc_point *p, const double *v, long r, long g)
{
    return v + ((size_t)r * (size_t)(p->run.generations + 1) + (size_t)g) * p->metrics.n;
}

/* Constant workforce, no attrition, no layoffs, no hires: the pipeline is fresh with
 * h = W q / n, sample for sample (it draws human then synthetic samples, as fresh.c does). */
static void test_constant_workforce_equals_fresh(void **state)
{
    (void)state;
    const char *pov[] = {"regime.name=pipeline", "regime.workforce=50", "regime.q=2",
                         "regime.n=400", "run.generations=20", "run.replicates=30", NULL};
    const char *fov[] = {"regime.name=fresh", "regime.h=0.25", "regime.n=400",
                         "run.generations=20", "run.replicates=30", NULL};
    mc_experiment *ep = tu_prepare(CATS, pov), *ef = tu_prepare(CATS, fov);
    const mc_point *pp = &ep->points[0], *pf = &ef->points[0];
    assert_int_equal(pp->metrics.n - pp->nregime_metrics, pf->metrics.n);
    double *vp = tu_run_point(pp), *vf = tu_run_point(pf);
    for (long r = 0; r < 30; r++)
        for (long g = 0; g <= 20; g++) {
            const double *a = row_of(pp, vp, r, g), *b = row_of(pf, vf, r, g);
            for (size_t m = 0; m < pf->metrics.n; m++)
                assert_true(a[m] == b[m] || (isnan(a[m]) && isnan(b[m])));
            assert_true(a[tu_metric(pp, "workforce")] == 50);
        }
    /* and the runs are not trivially equal: the model moved away from generation 0 */
    size_t py = tu_metric(pf, "p_yellow");
    assert_true(row_of(pf, vf, 0, 20)[py] != row_of(pf, vf, 0, 0)[py]);
    free(vp);
    free(vf);
    mc_experiment_free(ep);
    mc_experiment_free(ef);
}

/* Hires of generation g are productive from generation g + L: with W_0 = 10 and 3 hires per
 * generation, W_g = 10 + 3 max(0, g - L) exactly, for L = 0 and 5; trainees hold
 * the hires still in training; the human share is W_g q / n. */
static void test_hires_arrive_after_lag(void **state)
{
    (void)state;
    for (long L = 0; L <= 5; L += 5) {
        char lag[32];
        snprintf(lag, sizeof lag, "regime.lag=%ld", L);
        const char *ov[] = {"regime.name=pipeline", "regime.workforce=10", "regime.q=1",
                            "regime.hire=3", lag, "regime.n=100", "run.generations=12",
                            "run.replicates=2", NULL};
        mc_experiment *e = tu_prepare(CATS, ov);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p);
        size_t W = tu_metric(p, "workforce"), T = tu_metric(p, "trainees"),
               H = tu_metric(p, "hires"), S = tu_metric(p, "human_share");
        for (long g = 0; g <= 12; g++) {
            const double *row = row_of(p, v, 1, g);
            /* hired in generations 1..g; those of generations 1..g-L are productive */
            long hired = g, productive = g - L > 0 ? g - L : 0;
            if (g == 0)
                productive = 0;
            assert_true(row[W] == (double)(10 + 3 * productive));
            assert_true(row[T] == (double)(3 * (hired - productive)));
            assert_true(row[H] == (g ? 3 : 0));
            if (g > 0)
                assert_true(fabs(row[S] - (double)(10 + 3 * productive) / 100) < 1e-15);
        }
        free(v);
        mc_experiment_free(e);
    }
}

/* Attrition and layoffs never make the workforce negative: the flow
 * W_g = W_{g-1} - leavers_g - layoffs_g + arrivals_g balances every generation, every count is
 * >= 0, and layoffs happen only while the previous generation's alarm was off. Deterministic and
 * stochastic, including attrition = 1 (everyone leaves). replace hiring rehires the leavers;
 * reactive hires hire_high exactly when the alarm was on. */
static void test_workforce_bookkeeping(void **state)
{
    (void)state;
    const char *variants[][4] = {
        {"regime.attrition=0.3", "regime.layoff=0.5", "regime.stochastic=false",
         "regime.hiring=fixed"},
        {"regime.attrition=0.3", "regime.layoff=0.5", "regime.stochastic=true",
         "regime.hiring=reactive"},
        {"regime.attrition=1", "regime.layoff=1", "regime.stochastic=true",
         "regime.hiring=replace"},
        {"regime.attrition=0.2", "regime.layoff=0", "regime.stochastic=false",
         "regime.hiring=replace"},
    };
    for (int k = 0; k < 4; k++) {
        const char *ov[] = {"regime.name=pipeline", "regime.workforce=40", "regime.q=5",
                            "regime.hire=2", "regime.hire_high=7", "regime.lag=3",
                            "regime.n=300", "run.generations=25", "run.replicates=20",
                            variants[k][0], variants[k][1], variants[k][2], variants[k][3], NULL};
        mc_experiment *e = tu_prepare(CATS, ov);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p);
        size_t W = tu_metric(p, "workforce"), T = tu_metric(p, "trainees"),
               H = tu_metric(p, "hires"), Lo = tu_metric(p, "layoffs"),
               Le = tu_metric(p, "leavers"), A = tu_metric(p, "alarm"), N = tu_metric(p, "n"),
               S = tu_metric(p, "human_share");
        int any_layoff = 0, any_leaver = 0;
        for (long r = 0; r < 20; r++) {
            double hires[26] = {0};
            for (long g = 1; g <= 25; g++) {
                const double *a = row_of(p, v, r, g - 1), *b = row_of(p, v, r, g);
                hires[g] = b[H];
                double arriving = g - 3 >= 1 ? hires[g - 3] : 0;
                assert_true(b[W] >= 0 && b[T] >= 0 && b[Lo] >= 0 && b[Le] >= 0);
                assert_true(b[Le] <= a[W]);
                assert_true(b[Lo] <= a[W] - b[Le]);
                assert_true(b[W] == a[W] - b[Le] - b[Lo] + arriving);
                assert_true(b[T] == a[T] + b[H] - arriving);
                if (b[Lo] > 0)
                    assert_true(!(a[A] == 1));
                if (k == 1) /* reactive */
                    assert_true(b[H] == (a[A] == 1 ? 7 : 2));
                if (k >= 2) /* replace */
                    assert_true(b[H] == b[Le]);
                double human = b[S] * b[N];
                assert_true(fabs(human - round(human)) < 1e-6 && human <= b[N]);
                any_layoff |= b[Lo] > 0;
                any_leaver |= b[Le] > 0;
            }
        }
        assert_true(any_leaver); /* the checks above were exercised */
        if (k < 2) /* (attrition = 1 leaves nobody to lay off) */
            assert_true(any_layoff);
        free(v);
        mc_experiment_free(e);
    }
}

/* Deterministic production: H_g = round(W_g q), capped at round(max_human n). */
static void test_max_human_cap(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=pipeline", "regime.workforce=80", "regime.q=2.5",
                        "regime.max_human=0.4", "regime.n=400", "run.generations=3",
                        "run.replicates=1", NULL};
    mc_experiment *e = tu_prepare(CATS, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    for (long g = 1; g <= 3; g++) /* 80 x 2.5 = 200 > 0.4 x 400 = 160 */
        assert_true(fabs(row_of(p, v, 0, g)[1] - 0.4) < 1e-15);
    free(v);
    mc_experiment_free(e);
}

/* The damage, lead-time and recovery metrics follow from the rows themselves: damage_gen is the
 * first generation where p_yellow < 0.06, recovery the longest ended run of such generations
 * (start to the first generation back at >= 0.06), watch_min the running minimum,
 * lead_time = damage_gen - alarm_gen. */
static void test_damage_lead_recovery(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=pipeline", "regime.workforce=300", "regime.q=1",
                        "regime.layoff=0.3", "regime.hiring=reactive", "regime.hire_high=40",
                        "regime.lag=4", "regime.alarm=0.8", "regime.healthy=p_yellow >= 0.06",
                        "regime.n=1000", "run.generations=40", "run.replicates=40", NULL};
    mc_experiment *e = tu_prepare(CATS, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t Y = tu_metric(p, "p_yellow"), A = tu_metric(p, "alarm"),
           AG = tu_metric(p, "alarm_gen"), D = tu_metric(p, "damage"),
           DG = tu_metric(p, "damage_gen"), LT = tu_metric(p, "lead_time"),
           WM = tu_metric(p, "watch_min"), RC = tu_metric(p, "recovery");
    int damaged = 0, recovered = 0;
    for (long r = 0; r < 40; r++) {
        long alarm = -1, damage = -1, episode = -1, longest = -1;
        double mn = INFINITY;
        for (long g = 0; g <= 40; g++) {
            const double *row = row_of(p, v, r, g);
            double y = row[Y];
            if (y < mn)
                mn = y;
            if (alarm < 0 && row[A] == 1)
                alarm = g;
            if (damage < 0 && !(y >= 0.06))
                damage = g;
            if (episode < 0 && !(y >= 0.06))
                episode = g;
            if (episode >= 0 && y >= 0.06) {
                longest = g - episode > longest ? g - episode : longest;
                episode = -1;
            }
            assert_true(row[D] == !(y >= 0.06));
            assert_true(row[WM] == mn);
            assert_true(alarm < 0 ? isnan(row[AG]) : row[AG] == alarm);
            assert_true(damage < 0 ? isnan(row[DG]) : row[DG] == damage);
            assert_true(damage < 0 || alarm < 0 ? isnan(row[LT]) : row[LT] == damage - alarm);
            assert_true(longest < 0 ? isnan(row[RC]) : row[RC] == longest);
        }
        damaged += damage >= 0;
        recovered += longest >= 0;
    }
    assert_true(damaged > 0 && recovered > 0); /* the run exercised both branches */
    free(v);
    mc_experiment_free(e);
}

/* regime.human_weight = w with w equal to the human share is the unweighted fit, through the
 * engine (fresh and pipeline): every metric agrees to rounding at every generation. */
static void test_weight_equal_to_share(void **state)
{
    (void)state;
    const char *base[][3] = {{"regime.name=fresh", "regime.h=0.25", "regime.n=400"},
                             {"regime.name=pipeline", "regime.workforce=100", "regime.n=400"}};
    for (int k = 0; k < 2; k++) {
        const char *o1[] = {base[k][0], base[k][1], base[k][2], "run.generations=15",
                            "run.replicates=10", NULL};
        const char *o2[] = {base[k][0], base[k][1], base[k][2], "run.generations=15",
                            "run.replicates=10", "regime.human_weight=0.25", NULL};
        const char *o3[] = {base[k][0], base[k][1], base[k][2], "run.generations=15",
                            "run.replicates=10", "regime.human_weight=0.6", NULL};
        mc_experiment *a = tu_prepare(CATS, o1), *b = tu_prepare(CATS, o2),
                      *c = tu_prepare(CATS, o3);
        double *va = tu_run_point(&a->points[0]), *vb = tu_run_point(&b->points[0]),
               *vc = tu_run_point(&c->points[0]);
        const mc_point *p = &a->points[0];
        size_t total = (size_t)10 * 16 * p->metrics.n, differ = 0;
        for (size_t i = 0; i < total; i++) {
            assert_true(fabs(va[i] - vb[i]) <= 1e-12 * fmax(1, fabs(va[i])) ||
                        (isnan(va[i]) && isnan(vb[i])) || va[i] == vb[i]);
            differ += !(va[i] == vc[i]) && !(isnan(va[i]) && isnan(vc[i]));
        }
        assert_true(differ > 0); /* another weight does change the fit */
        free(va);
        free(vb);
        free(vc);
        mc_experiment_free(a);
        mc_experiment_free(b);
        mc_experiment_free(c);
    }
}

/* regime.schedule: h by generation; a constant schedule equals plain h sample for sample; the
 * pipeline's human share follows it as a cap. */
static void test_schedule(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=fresh", "regime.h=0.5", "regime.schedule=3:0, 6:0.25",
                        "regime.n=200", "run.generations=8", "run.replicates=3", NULL};
    mc_experiment *e = tu_prepare(CATS, ov);
    const mc_point *p = &e->points[0];
    const double want[9] = {1, 0.5, 0.5, 0, 0, 0, 0.25, 0.25, 0.25};
    double *v = tu_run_point(p);
    for (long g = 0; g <= 8; g++) {
        assert_true(row_of(p, v, 2, g)[1] == want[g]);
        if (g)
            assert_true(mc_point_h(p, (unsigned)g) == want[g]);
    }
    free(v);
    mc_experiment_free(e);
    const char *o1[] = {"regime.name=keep-original", "regime.h=0.2", "regime.n=200",
                        "run.generations=6", "run.replicates=3", NULL};
    const char *o2[] = {"regime.name=keep-original", "regime.h=0.7", "regime.schedule=0:0.2",
                        "regime.n=200", "run.generations=6", "run.replicates=3", NULL};
    mc_experiment *a = tu_prepare(CATS, o1), *b = tu_prepare(CATS, o2);
    double *va = tu_run_point(&a->points[0]), *vb = tu_run_point(&b->points[0]);
    assert_memory_equal(va, vb, sizeof(double) * 3 * 7 * a->points[0].metrics.n);
    free(va);
    free(vb);
    mc_experiment_free(a);
    mc_experiment_free(b);
    /* the pipeline: the schedule caps the human share (a workforce of 1000 makes more than n) */
    const char *op[] = {"regime.name=pipeline", "regime.workforce=1000",
                        "regime.schedule=0:0.2, 4:0, 7:0.3", "regime.n=400",
                        "regime.healthy=p_yellow >= 0.06", "run.generations=9",
                        "run.replicates=2", NULL};
    const double share[10] = {1, 0.2, 0.2, 0.2, 0, 0, 0, 0.3, 0.3, 0.3};
    e = tu_prepare(CATS, op);
    p = &e->points[0];
    v = tu_run_point(p);
    for (long g = 0; g <= 9; g++)
        assert_true(row_of(p, v, 1, g)[1] == share[g]);
    free(v);
    mc_experiment_free(e);
}

/* The family's closed forms stay with the family's metrics: the regime's metrics appended after
 * them get no theory (at temperature 1 the categorical theory has E[p_blue] = 0.9 and the tracked
 * metrics' indices must not run into the regime's). */
static void test_theory_skips_regime_metrics(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=pipeline", "regime.workforce=100", "regime.n=200",
                        "sampling.temperature=1", "regime.healthy=p_yellow >= 0.01",
                        "run.generations=3", "run.replicates=4", NULL};
    mc_experiment *e = tu_prepare(CATS, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    mc_point_result res = {p, 4, 3, p->metrics.n, v};
    mc_summary *s = NULL;
    mc_error err = {0};
    assert_int_equal(mc_summary_compute(&res, &s, &err), MC_OK);
    assert_true(p->nregime_metrics == 13);
    for (size_t g = 0; g <= 3; g++) {
        assert_true(s->theory[g * p->metrics.n + tu_metric(p, "p_blue")] == 0.9);
        for (size_t m = p->metrics.n - p->nregime_metrics; m < p->metrics.n; m++)
            assert_true(isnan(s->theory[g * p->metrics.n + m]));
    }
    mc_summary_free(s);
    free(v);
    mc_experiment_free(e);
}

/* The categorical signal is the entropy of the dataset's empirical distribution. */
static void test_categorical_signal(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(CATS, NULL);
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    assert_non_null(f->signal);
    gsl_rng *r = mc_rng_alloc(3);
    mc_error err = {0};
    void *ds = NULL, *small = NULL;
    assert_int_equal(f->draw_world(r, p->params, p->world, 10000, &ds, &err), MC_OK);
    double H, H2;
    assert_int_equal(f->signal(p->params, ds, &H), MC_OK);
    /* the plug-in entropy of 10^4 draws is within a few 1e-3 of the world's 0.3576 nats */
    double Hw = -(0.9 * log(0.9) + 0.09 * log(0.09) + 0.01 * log(0.01));
    assert_true(fabs(H - Hw) < 0.02);
    /* a one-category dataset has entropy 0, an empty one NaN */
    assert_int_equal(f->ds_subsample(r, ds, 1, &small, &err), MC_OK);
    assert_int_equal(f->signal(p->params, small, &H2), MC_OK);
    assert_true(H2 == 0);
    f->ds_free(small);
    assert_int_equal(f->ds_subsample(r, ds, 0, &small, &err), MC_OK);
    f->signal(p->params, small, &H2);
    assert_true(isnan(H2));
    f->ds_free(small);
    f->ds_free(ds);
    gsl_rng_free(r);
    mc_experiment_free(e);
}

/* Every bad value gets a clear MC_ECONFIG error naming its key. */
static void test_bad_values(void **state)
{
    (void)state;
    const struct {
        const char *regime, *set, *needle;
    } cases[] = {
        {"pipeline", "regime.lag=-1", "regime.lag"},
        {"pipeline", "regime.attrition=1.5", "regime.attrition"},
        {"pipeline", "regime.layoff=-0.1", "regime.layoff"},
        {"pipeline", "regime.max_human=2", "regime.max_human"},
        {"pipeline", "regime.alarm=0", "regime.alarm"},
        {"pipeline", "regime.q=0", "regime.q"},
        {"pipeline", "regime.q=-2", "regime.q"},
        {"pipeline", "regime.hiring=sometimes", "regime.hiring"},
        {"pipeline", "regime.healthy=p_yellow >> 3", "regime.healthy"},
        {"pipeline", "regime.healthy=p_purple >= 0.1", "p_purple"},
        {"pipeline", "regime.healthy=p_yellow >= 1.5", "lies in [0, 1]"},
        {"fresh", "regime.schedule=5:0.1, 3:0.2", "strictly increasing"},
        {"fresh", "regime.schedule=5:0.1, 5:0.2", "strictly increasing"},
        {"fresh", "regime.schedule=0:1.5", "regime.schedule"},
        {"fresh", "regime.schedule=x:0.5", "regime.schedule"},
        {"fresh", "regime.schedule=-1:0.5", "regime.schedule"},
        {"fresh", "regime.schedule=3", "generation:h"},
        {"replace", "regime.schedule=3:0.1", "does not use"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char reg[64];
        snprintf(reg, sizeof reg, "regime.name=%s", cases[i].regime);
        const char *ov[] = {reg, cases[i].set, "run.replicates=1", NULL};
        tu_expect_error(CATS, ov, MC_ECONFIG, cases[i].needle, NULL);
    }
    /* every family has an operator signal; one without (a family added later) cannot lay off or
     * hire reactively: the regime's check refuses it, naming the key */
    for (size_t i = 0; mc_families[i]; i++)
        assert_non_null(mc_families[i]->signal);
    mc_experiment *e = tu_prepare("[model]\nfamily = categorical\n[regime]\nname = pipeline\n"
                                  "layoff = 0.1\n", NULL);
    mc_point pt = e->points[0];
    mc_family_type mute = *pt.family;
    mute.signal = NULL;
    pt.family = &mute;
    mc_error err = {0};
    assert_int_equal(pt.regime->check(pt.regime_params, &pt, &err), MC_ECONFIG);
    assert_non_null(strstr(err.msg, "no operator signal"));
    assert_non_null(strstr(err.msg, "test.ini:5"));
    mc_experiment_free(e);
}

/* The continuous families' signal (the total variance of the model's samples, mc_gdata_signal)
 * drives the pipeline too: a GMM fitted to 20 of its own samples per generation (no human data at
 * first) loses variance ((n-1)/n a generation in expectation), the alarm fires and the operator
 * hires; KDE's samples gain variance (kernel noise), so its signal rises. */
static void test_continuous_signal(void **state)
{
    (void)state;
    const char *gmm = "[world]\ndim = 2\n[model]\nfamily = gmm\nk = 1\n"
                      "[regime]\nname = pipeline\nn = 20\nworkforce = 0\nhiring = reactive\n"
                      "hire_high = 5\nalarm = 0.8\n[run]\ngenerations = 40\nreplicates = 60\n"
                      "seed = 3\n";
    mc_experiment *e = tu_prepare(gmm, NULL);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t ms = tu_metric(p, "signal"), ma = tu_metric(p, "alarm"), mw = tu_metric(p, "workforce");
    long alarmed = 0, hired = 0;
    for (long r = 0; r < 60; r++) {
        assert_true(row_of(p, v, r, 1)[ms] == 1.0); /* the first batch is the baseline */
        assert_true(row_of(p, v, r, 1)[ma] == 0.0);
        int ever = 0;
        for (long g = 1; g <= 40; g++) {
            double sig = row_of(p, v, r, g)[ms];
            assert_true(isfinite(sig) && sig >= 0.0);
            ever |= row_of(p, v, r, g)[ma] == 1.0;
        }
        alarmed += ever;
        hired += row_of(p, v, r, 40)[mw] > 0;
    }
    /* E tr Sigma_g / tr Sigma_1 = (19/20)^(g-1): below 0.8 after 5 generations on average */
    assert_true(alarmed >= 55);
    assert_true(hired >= 55);
    free(v);
    mc_experiment_free(e);

    const char *kde = "[world]\ndim = 2\n[model]\nfamily = kde\n"
                      "[regime]\nname = pipeline\nn = 50\nworkforce = 10\nlayoff = 0.5\n"
                      "alarm = 0.8\n[run]\ngenerations = 10\nreplicates = 20\nseed = 3\n";
    e = tu_prepare(kde, NULL);
    p = &e->points[0];
    v = tu_run_point(p);
    double mean, se;
    tu_mean_se(p, v, tu_metric(p, "signal"), 10, &mean, &se);
    print_message("  kde signal at g = 10: %.3f +- %.3f\n", mean, se);
    assert_true(mean - 4 * se > 1.0);
    free(v);
    mc_experiment_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_constant_workforce_equals_fresh),
        cmocka_unit_test(test_hires_arrive_after_lag),
        cmocka_unit_test(test_workforce_bookkeeping),
        cmocka_unit_test(test_max_human_cap),
        cmocka_unit_test(test_damage_lead_recovery),
        cmocka_unit_test(test_weight_equal_to_share),
        cmocka_unit_test(test_schedule),
        cmocka_unit_test(test_theory_skips_regime_metrics),
        cmocka_unit_test(test_categorical_signal),
        cmocka_unit_test(test_continuous_signal),
        cmocka_unit_test(test_bad_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
