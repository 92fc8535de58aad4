/* test_categorical.c - the categorical family and the regimes against closed forms.
 *
 * Tolerances: each check compares a Monte Carlo mean over R replicates with its expectation and
 * allows 4 standard errors (SE = sd / sqrt(R), with sd the exact or sample standard deviation),
 * so a correct implementation fails a given check with probability about 6e-5; seeds are fixed,
 * so the suite is deterministic. Where the expectation is only approximate (n_0 = 10^12 instead of
 * an exactly known model), the approximation error (about 1e-6) is far below the SE. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

static const char *const WORLD4 =
    "[world]\ntype = weights\nweights = a=0.5, b=0.3, c=0.15, d=0.05\n"
    "[model]\nfamily = categorical\n[run]\nseed = 7\n";
static const double PI4[4] = {0.5, 0.3, 0.15, 0.05};
static const char *const NAMES4[4] = {"a", "b", "c", "d"};

/* Generation 0 is a multinomial draw of n from the world: E[count_i] = n pi_i,
 * P(i extinct) = (1 - pi_i)^n, E[alive] = sum_i 1 - (1 - pi_i)^n. */
static void test_world_draw_closed_forms(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=20", "run.generations=0", "run.replicates=4000", NULL};
    mc_experiment *e = tu_prepare(WORLD4, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    double n = 20, ealive = 0;
    for (int i = 0; i < 4; i++) {
        char name[32];
        double mean, se;
        snprintf(name, sizeof name, "p_%s", NAMES4[i]);
        tu_mean_se(p, v, tu_metric(p, name), 0, &mean, &se);
        /* exact SE of a share: sqrt(pi (1 - pi) / (n R)) */
        tu_assert_close(mean, PI4[i], sqrt(PI4[i] * (1 - PI4[i]) / (n * 4000)), 4);
        double pext = pow(1 - PI4[i], n);
        snprintf(name, sizeof name, "alive_%s", NAMES4[i]);
        tu_mean_se(p, v, tu_metric(p, name), 0, &mean, &se);
        tu_assert_close(1 - mean, pext, sqrt(pext * (1 - pext) / 4000) + 1e-12, 4);
        ealive += 1 - pext;
    }
    double mean, se;
    tu_mean_se(p, v, tu_metric(p, "alive"), 0, &mean, &se);
    tu_assert_close(mean, ealive, se, 4);
    /* the engine's theory slot agrees with the same closed form */
    assert_true(fabs(p->family->theory(p, p->world, tu_metric(p, "alive") - MC_ENGINE_METRICS, 0) -
                     ealive) < 1e-12);
    free(v);
    mc_experiment_free(e);
}

/* metrics.missing_mass: the world mass of the categories with model probability 0, so in every
 * row it equals sum_i pi_i (1 - alive_i) exactly (up to rounding), and at generation 0 its mean is
 * the closed form sum_i pi_i (1 - pi_i)^n of the theory slot. */
static void test_missing_mass(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=12", "run.generations=3", "run.replicates=4000",
                        "metrics.missing_mass=true", NULL};
    mc_experiment *e = tu_prepare(WORLD4, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t mm = tu_metric(p, "missing_mass"), M = p->metrics.n, alive[4];
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "alive_%s", NAMES4[i]);
        alive[i] = tu_metric(p, name);
    }
    for (size_t row = 0; row < 4000 * 4; row++) {
        double lost = 0;
        for (int i = 0; i < 4; i++)
            lost += PI4[i] * (1 - v[row * M + alive[i]]);
        assert_true(fabs(v[row * M + mm] - lost) < 1e-12);
    }
    double mean, se, th = 0;
    for (int i = 0; i < 4; i++)
        th += PI4[i] * pow(1 - PI4[i], 12);
    assert_true(fabs(p->family->theory(p, p->world, mm - MC_ENGINE_METRICS, 0) - th) < 1e-12);
    assert_true(isnan(p->family->theory(p, p->world, mm - MC_ENGINE_METRICS, 1)));
    tu_mean_se(p, v, mm, 0, &mean, &se);
    tu_assert_close(mean, th, se, 4);
    free(v);
    mc_experiment_free(e);
}

/* One replace generation from a model that is (to 1e-6) the world: n_0 = 10^12, then n_1 = 100
 * via growth = 1e-10. P(i extinct at g = 1) = (1 - p_i)^100. */
static void test_replace_one_generation(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=1e12", "regime.growth=1e-10", "run.generations=1",
                        "run.replicates=4000", NULL};
    mc_experiment *e = tu_prepare(WORLD4, ov);
    const mc_point *p = &e->points[0];
    assert_int_equal(mc_point_n(p, 1), 100);
    double *v = tu_run_point(p);
    double ealive = 0;
    for (int i = 0; i < 4; i++) {
        char name[32];
        double mean, se;
        snprintf(name, sizeof name, "alive_%s", NAMES4[i]);
        tu_mean_se(p, v, tu_metric(p, name), 1, &mean, &se);
        double pext = pow(1 - PI4[i], 100);
        tu_assert_close(1 - mean, pext, sqrt(pext * (1 - pext) / 4000) + 1e-9, 4);
        ealive += 1 - pext;
        snprintf(name, sizeof name, "p_%s", NAMES4[i]);
        tu_mean_se(p, v, tu_metric(p, name), 1, &mean, &se);
        tu_assert_close(mean, PI4[i], sqrt(PI4[i] * (1 - PI4[i]) / (100.0 * 4000)), 4);
    }
    double mean, se;
    tu_mean_se(p, v, tu_metric(p, "alive"), 1, &mean, &se);
    tu_assert_close(mean, ealive, se, 4);
    free(v);
    mc_experiment_free(e);
}

/* Temperature tau: the model samples q_i ~ p_i^(1/tau). With tau = 0.5, q = pi^2 / sum pi^2. */
static void test_temperature(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=1e12", "regime.growth=1e-9", "run.generations=1",
                        "run.replicates=1000", "sampling.temperature=0.5", NULL};
    mc_experiment *e = tu_prepare(WORLD4, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    double z = 0;
    for (int i = 0; i < 4; i++)
        z += PI4[i] * PI4[i];
    for (int i = 0; i < 4; i++) {
        char name[32];
        double mean, se, q = PI4[i] * PI4[i] / z;
        snprintf(name, sizeof name, "p_%s", NAMES4[i]);
        tu_mean_se(p, v, tu_metric(p, name), 1, &mean, &se);
        tu_assert_close(mean, q, sqrt(q * (1 - q) / (1000.0 * 1000)), 4);
    }
    free(v);
    mc_experiment_free(e);
}

/* top-k = 2 keeps a and b, renormalised: 0.5/0.8 and 0.3/0.8; top-p = 0.75 keeps the same set
 * (0.5 < 0.75 <= 0.5 + 0.3); top-p = 0.85 keeps three. (Thresholds away from the cumulative sums,
 * since the model is the world only to within 1e-6.) */
static void test_top_k_top_p(void **state)
{
    (void)state;
    const char *settings[3][2] = {{"sampling.top_k=2", "sampling.top_p=1"},
                                  {"sampling.top_k=0", "sampling.top_p=0.75"},
                                  {"sampling.top_k=0", "sampling.top_p=0.85"}};
    for (int s = 0; s < 3; s++) {
        const char *ov[] = {"regime.n=1e12", "regime.growth=1e-9", "run.generations=1",
                            "run.replicates=300", settings[s][0], settings[s][1], NULL};
        mc_experiment *e = tu_prepare(WORLD4, ov);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p);
        int kept = s == 2 ? 3 : 2;
        double z = 0;
        for (int i = 0; i < kept; i++)
            z += PI4[i];
        for (int i = 0; i < 4; i++) {
            char name[32];
            double mean, se, q = i < kept ? PI4[i] / z : 0;
            snprintf(name, sizeof name, "p_%s", NAMES4[i]);
            tu_mean_se(p, v, tu_metric(p, name), 1, &mean, &se);
            if (q == 0)
                assert_true(mean == 0); /* truncated away: extinct, exactly */
            else
                tu_assert_close(mean, q, sqrt(q * (1 - q) / (1000.0 * 300)), 4);
        }
        free(v);
        mc_experiment_free(e);
    }
}

/* The fresh regime in the infinite-sample limit: p_{g+1} = h pi + (1 - h) T(p_g) converges to
 * its fixed point. With n = 10^12 the sampling noise is ~1e-6 per generation. */
static void test_fresh_fixed_point(void **state)
{
    (void)state;
    const char *ov[] = {"regime.name=fresh", "regime.h=0.1", "regime.n=1e12",
                        "sampling.temperature=0.8", "run.generations=200", "run.replicates=2",
                        NULL};
    mc_experiment *e = tu_prepare(WORLD4, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    double q[4], h = 0.1, tau = 0.8;
    memcpy(q, PI4, sizeof q);
    for (int g = 0; g < 2000; g++) { /* iterate the deterministic map to its fixed point */
        double t[4], z = 0;
        for (int i = 0; i < 4; i++)
            z += t[i] = pow(q[i], 1 / tau);
        for (int i = 0; i < 4; i++)
            q[i] = h * PI4[i] + (1 - h) * t[i] / z;
    }
    size_t M = p->metrics.n, G = (size_t)p->run.generations;
    for (int r = 0; r < 2; r++)
        for (int i = 0; i < 4; i++) {
            char name[32];
            snprintf(name, sizeof name, "p_%s", NAMES4[i]);
            double got = v[((size_t)r * (G + 1) + G) * M + tu_metric(p, name)];
            tu_assert_close(got, q[i], 1e-5, 1);
        }
    /* and the fixed point is a real one: green-like d survives at a positive share */
    assert_true(q[3] > 0.005);
    free(v);
    mc_experiment_free(e);
}

/* Replace at temperature 1: E[1 - sum p_g^2] = (1 - sum pi^2)(1 - 1/n)^(g+1) (Wright-Fisher). */
static void test_gini_simpson_decay(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=20", "run.generations=10", "run.replicates=4000", NULL};
    mc_experiment *e = tu_prepare(WORLD4, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t m = tu_metric(p, "gini_simpson");
    for (long g = 0; g <= 10; g += 5) {
        double mean, se;
        tu_mean_se(p, v, m, g, &mean, &se);
        double th = p->family->theory(p, p->world, m - MC_ENGINE_METRICS, (unsigned)g);
        double sq = 0;
        for (int i = 0; i < 4; i++)
            sq += PI4[i] * PI4[i];
        assert_true(fabs(th - (1 - sq) * pow(1 - 1 / 20.0, (double)g + 1)) < 1e-12);
        tu_assert_close(mean, th, se, 4);
    }
    free(v);
    mc_experiment_free(e);
}

/* Provenance through every regime: sizes and human shares that are exact, or expectations. */
static void test_regime_provenance(void **state)
{
    (void)state;
    const char *names[] = {"replace", "fresh", "keep-original", "accumulate",
                           "accumulate-subsample"};
    for (int k = 0; k < 5; k++) {
        char reg[64];
        snprintf(reg, sizeof reg, "regime.name=%s", names[k]);
        const char *ov[] = {reg, "regime.h=0.25", "regime.n=200", "run.generations=4",
                            "run.replicates=400", NULL};
        mc_experiment *e = tu_prepare(WORLD4, ov);
        const mc_point *p = &e->points[0];
        double *v = tu_run_point(p);
        size_t M = p->metrics.n;
        for (long r = 0; r < p->run.replicates; r++)
            for (long g = 0; g <= 4; g++) {
                const double *row = v + ((size_t)r * 5 + (size_t)g) * M;
                double n = row[0], share = row[1];
                if (g == 0) {
                    assert_true(n == 200 && share == 1);
                    continue;
                }
                switch (k) {
                case 0: assert_true(n == 200 && share == 0); break;
                case 1:
                case 2: assert_true(n == 200 && share == 0.25); break;
                case 3: assert_true(n == 200.0 * (double)(g + 1) && share == 1.0 / (double)(g + 1)); break;
                default: assert_true(n == 200); break;
                }
            }
        if (k == 4) { /* a uniform subsample of the pool: E[share] = 200 / (200 (g + 1)) */
            for (long g = 1; g <= 4; g++) {
                double mean, se;
                tu_mean_se(p, v, 1, g, &mean, &se);
                tu_assert_close(mean, 1.0 / (double)(g + 1), se, 4);
            }
        }
        free(v);
        mc_experiment_free(e);
    }
}

/* Weighted fit: w equal to the human share gives the unweighted fit; w = 1 fits the human part
 * alone; w = 0 the synthetic part alone. */
static void test_weighted_fit(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(WORLD4, NULL);
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    gsl_rng *r = mc_rng_alloc(42);
    mc_error err = {0};
    void *human = NULL, *model = NULL, *synth = NULL, *m2 = NULL;
    assert_int_equal(f->draw_world(r, p->params, p->world, 300, &human, &err), MC_OK);
    assert_int_equal(f->model_alloc(p->params, p->world, &model, &err), MC_OK);
    assert_int_equal(f->model_alloc(p->params, p->world, &m2, &err), MC_OK);
    mc_fit_opts plain = {.human_weight = -1};
    assert_int_equal(f->fit(model, p->params, human, &plain, &err), MC_OK);
    mc_sampling s = {0.5, 0, 1, 0, 0};
    assert_int_equal(f->draw_model(r, p->params, model, &s, 700, &synth, &err), MC_OK);
    void *train = NULL;
    assert_int_equal(f->ds_copy(human, &train, &err), MC_OK);
    assert_int_equal(f->ds_merge(train, synth, &err), MC_OK);
    assert_int_equal(f->ds_human(train), 300);
    double a[16], b[16];
    mc_eval ev = {p, p->params, p->world, model, train, 0};
    mc_eval ev2 = {p, p->params, p->world, m2, train, 0};
    mc_fit_opts w = {.human_weight = 0.3};
    assert_int_equal(f->fit(model, p->params, train, &plain, &err), MC_OK);
    assert_int_equal(f->fit(m2, p->params, train, &w, &err), MC_OK);
    f->metrics(r, &ev, a, &err);
    f->metrics(r, &ev2, b, &err);
    for (size_t m = 0; m < p->metrics.n - MC_ENGINE_METRICS; m++)
        assert_true(fabs(a[m] - b[m]) < 1e-12);
    /* w = 1: the human part alone */
    mc_fit_opts w1 = {.human_weight = 1};
    assert_int_equal(f->fit(m2, p->params, train, &w1, &err), MC_OK);
    assert_int_equal(f->fit(model, p->params, human, &plain, &err), MC_OK);
    f->metrics(r, &ev, a, &err);
    f->metrics(r, &ev2, b, &err);
    for (size_t m = 0; m < p->metrics.n - MC_ENGINE_METRICS; m++)
        assert_true(fabs(a[m] - b[m]) < 1e-12);
    f->ds_free(train);
    f->ds_free(synth);
    f->ds_free(human);
    f->model_free(model);
    f->model_free(m2);
    gsl_rng_free(r);
    mc_experiment_free(e);
}

/* KL is +inf once a category with world mass is extinct; the smoothed variant stays finite;
 * tail mass: with tail_mass = 0.2 the tail is {c, d} (0.05 + 0.15 <= 0.2). */
static void test_kl_and_tail(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=5", "run.generations=30", "run.replicates=50",
                        "metrics.tail_mass=0.2", NULL};
    mc_experiment *e = tu_prepare(WORLD4, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t M = p->metrics.n, kl = tu_metric(p, "kl"), kls = tu_metric(p, "kl_smoothed");
    size_t tail = tu_metric(p, "tail_mass"), pc = tu_metric(p, "p_c"), pd = tu_metric(p, "p_d");
    size_t alive = tu_metric(p, "alive");
    int saw_inf = 0;
    for (long r = 0; r < 50; r++)
        for (long g = 0; g <= 30; g++) {
            const double *row = v + ((size_t)r * 31 + (size_t)g) * M;
            if (row[alive] < 4) {
                assert_true(isinf(row[kl]) && row[kl] > 0);
                saw_inf = 1;
            } else {
                assert_true(isfinite(row[kl]));
            }
            assert_true(isfinite(row[kls]));
            assert_true(fabs(row[tail] - (row[pc] + row[pd])) < 1e-12);
            /* every metric against a direct computation from the four shares (the family sums
             * over alive categories only and adds the dead ones in closed form) */
            double H = 0, sq = 0, ks = 0, tv = 0, lam = 1e-6;
            for (int i = 0; i < 4; i++) {
                char name[16];
                snprintf(name, sizeof name, "p_%s", NAMES4[i]);
                double q = row[tu_metric(p, name)];
                if (q > 0)
                    H -= q * log(q);
                sq += q * q;
                ks += PI4[i] * log(PI4[i] / ((1 - lam) * q + lam / 4));
                tv += 0.5 * fabs(PI4[i] - q);
            }
            assert_true(fabs(row[tu_metric(p, "entropy")] - H) < 1e-12);
            assert_true(fabs(row[tu_metric(p, "gini_simpson")] - (1 - sq)) < 1e-12);
            assert_true(fabs(row[kls] - ks) < 1e-9);
            assert_true(fabs(row[tu_metric(p, "tv")] - tv) < 1e-12);
        }
    assert_true(saw_inf); /* with n = 5, something dies within 30 generations */
    free(v);
    mc_experiment_free(e);
}

/* Extinction is permanent under replace with maximum likelihood, and smoothing (alpha > 0) keeps
 * every category alive. */
static void test_extinction_absorbing(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=10", "run.generations=40", "run.replicates=100", NULL};
    mc_experiment *e = tu_prepare(WORLD4, ov);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    size_t M = p->metrics.n, a = tu_metric(p, "alive_d");
    for (long r = 0; r < 100; r++)
        for (long g = 1; g <= 40; g++)
            if (v[((size_t)r * 41 + (size_t)g - 1) * M + a] == 0)
                assert_true(v[((size_t)r * 41 + (size_t)g) * M + a] == 0);
    free(v);
    mc_experiment_free(e);
    const char *ov2[] = {"regime.n=10", "run.generations=40", "run.replicates=20",
                         "model.alpha=0.5", NULL};
    e = tu_prepare(WORLD4, ov2);
    p = &e->points[0];
    v = tu_run_point(p);
    M = p->metrics.n;
    size_t al = tu_metric(p, "alive");
    for (size_t i = 0; i < 20 * 41; i++)
        assert_true(v[i * M + al] == 4);
    free(v);
    mc_experiment_free(e);
}

/* Zipf world: pi_i ~ i^-s; generation 0 with huge n reproduces it. */
static void test_zipf_world(void **state)
{
    (void)state;
    const char *ini = "[world]\ntype = zipf\nzipf_k = 50\nzipf_s = 1.0\n[metrics]\ntrack = c1, c50\n"
                      "[regime]\nn = 1e12\n[run]\ngenerations = 0\nreplicates = 3\n";
    mc_experiment *e = tu_prepare(ini, NULL);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    double H = 0;
    for (int i = 1; i <= 50; i++)
        H += 1.0 / i;
    tu_assert_close(v[tu_metric(p, "p_c1")], 1 / H, 1e-6, 1);
    tu_assert_close(v[tu_metric(p, "p_c50")], 1 / (50 * H), 1e-6, 1);
    free(v);
    mc_experiment_free(e);
}

/* A frequency table file (CSV with a header, TSV, and the subtlex JSON shape). */
static void test_table_world(void **state)
{
    (void)state;
    const char *csv = tu_write_file("t.csv", "word,count\ncat,60\ndog,30\nemu,10\n");
    char ini[1024];
    snprintf(ini, sizeof ini,
             "[world]\ntype = table\ntable = %s\n[metrics]\ntrack = emu\n[regime]\nn = 1e12\n"
             "[run]\ngenerations = 0\nreplicates = 2\n", csv);
    mc_experiment *e = tu_prepare(ini, NULL);
    double *v = tu_run_point(&e->points[0]);
    tu_assert_close(v[tu_metric(&e->points[0], "p_emu")], 0.1, 1e-6, 1);
    free(v);
    mc_experiment_free(e);
    const char *json = tu_write_file("t.json", "[{\"word\": \"you\", \"count\": 3},\n"
                                               " {\"word\": \"I\", \"count\": 1}]\n");
    snprintf(ini, sizeof ini, "[world]\ntype = table\ntable = %s\n[metrics]\ntrack = I\n"
                              "[regime]\nn = 1e12\n[run]\ngenerations = 0\nreplicates = 2\n", json);
    e = tu_prepare(ini, NULL);
    v = tu_run_point(&e->points[0]);
    tu_assert_close(v[tu_metric(&e->points[0], "p_I")], 0.25, 1e-6, 1);
    free(v);
    mc_experiment_free(e);
}

/* A table file whose read must fail with code and a message holding needle. */
static void expect_table_error(const char *name, const char *text, int code, const char *needle)
{
    char ini[4300];
    snprintf(ini, sizeof ini, "[world]\ntype = table\ntable = %s\n", tu_write_file(name, text));
    tu_expect_error(ini, NULL, code, needle, NULL);
}

/* A first row whose count does not parse is an error on line 1, never a header swallowed: the
 * header rule takes line 1 only when its count field is a word that no number spells. */
static void test_table_header_cannot_swallow_a_row(void **state)
{
    (void)state;
    expect_table_error("h1.csv", "cat,1O\ndog,5\n", MC_EDATA,
                       "h1.csv:1: count '1O' is not a number");
    expect_table_error("h2.csv", "cat,nan\ndog,5\n", MC_EDATA,
                       "h2.csv:1: count 'nan' is not a number");
    expect_table_error("h3.csv", "cat,inf\ndog,5\n", MC_EDATA,
                       "h3.csv:1: count 'inf' is not a number");
    expect_table_error("h4.csv", "cat,1e-320\ndog,5\n", MC_EDATA,
                       "h4.csv:1: count 1e-320 is out of range");
    expect_table_error("h5.csv", "cat,1e400\ndog,5\n", MC_EDATA,
                       "h5.csv:1: count 1e400 is out of range");
    expect_table_error("h6.csv", "cat,0x10\ndog,5\n", MC_EDATA,
                       "h6.csv:1: count '0x10' is not a number");
    expect_table_error("h7.csv", "word,count\ncat,1O\n", MC_EDATA,
                       "h7.csv:2: count '1O' is not a number");
    expect_table_error("h8.csv", "cat,1\nword,count\n", MC_EDATA,
                       "h8.csv:2: count 'count' is not a number");
    expect_table_error("h9.json", "[{\"word\": \"a\", \"count\": 1e400}]", MC_EDATA,
                       "h9.json: entry 1 (\"a\"): count out of range");
    /* a real header (after a comment) is still one; every data row is kept: K = 3 */
    const char *csv =
        tu_write_file("hh.csv", "# counts\nWord\tFREQcount\ncat\t2\ndog\t1\nemu\t1\n");
    char ini[4300];
    snprintf(ini, sizeof ini, "[world]\ntype = table\ntable = %s\n[metrics]\ntrack = cat\n"
             "[regime]\nn = 1e12\n[run]\ngenerations = 0\nreplicates = 2\n", csv);
    mc_experiment *e = tu_prepare(ini, NULL);
    double *v = tu_run_point(&e->points[0]);
    tu_assert_close(v[tu_metric(&e->points[0], "p_cat")], 0.5, 1e-5, 1);
    free(v);
    mc_experiment_free(e);
}

/* Words must be printable UTF-8 (they go into summary.json and to the terminal as they are):
 * invalid UTF-8 and control characters are refused with file:line or the JSON entry. */
static void test_table_words_printable(void **state)
{
    (void)state;
    expect_table_error("w1.csv", "dog,5\n\xff\xfe,3\n", MC_EDATA,
                       "w1.csv:2: invalid UTF-8 at byte 1");
    expect_table_error("w2.csv", "c\x1b[31mat,3\n", MC_EDATA,
                       "w2.csv:1: a control character at byte 2");
    expect_table_error("w3.csv", "ca\xc2\x9bt,3\n", MC_EDATA, "w3.csv:1: a control character");
    expect_table_error("w4.json", "[{\"word\": \"\\u001b[2J\", \"count\": 1}]", MC_EDATA,
                       "w4.json: entry 1: the word has a control character at its byte 1");
    expect_table_error("w5.json",
                       "[{\"word\": \"ok\", \"count\": 1}, {\"word\": \"\xff\", \"count\": 1}]",
                       MC_EDATA, "w5.json: entry 2: the word has invalid UTF-8");
    /* printable UTF-8 passes */
    const char *csv = tu_write_file("w6.csv", "caf\xc3\xa9,1\n\xe7\x8c\xab,3\n");
    char ini[4300];
    snprintf(ini, sizeof ini,
             "[world]\ntype = table\ntable = %s\n[metrics]\ntrack = caf\xc3\xa9\n", csv);
    mc_experiment_free(tu_prepare(ini, NULL));
}

/* A FIFO as the table is refused before it is opened (opening it would block for ever). */
static void test_table_fifo(void **state)
{
    (void)state;
    char path[4200], ini[4400];
    snprintf(path, sizeof path, "%s/table.fifo", tu_tmpdir());
    unlink(path);
    assert_int_equal(mkfifo(path, 0600), 0);
    alarm(20); /* a regression blocks: fail by SIGALRM instead */
    snprintf(ini, sizeof ini, "[world]\ntype = table\ntable = %s\n", path);
    tu_expect_error(ini, NULL, MC_EIO, "not a regular file", NULL);
    alarm(0);
    unlink(path);
}

/* Bad worlds get one clear message naming the key. */
static void test_bad_worlds(void **state)
{
    (void)state;
    struct {
        const char *ini, *expect;
    } cases[] = {
        {"[world]\nweights = a=0.5, b=-0.1\n", "weight of 'b' is negative"},
        {"[world]\nweights = a=0, b=0\n", "sum to zero"},
        {"[world]\nweights = a=1, a=2\n", "named twice"},
        {"[world]\nweights = a=x\n", "is not a number"},
        {"[world]\ntype = table\ntable = /nonexistent/t.csv\n", "cannot read"},
        {"[metrics]\ntrack = purple\n", "no category named 'purple'"},
        {"[world]\nweights = a=1, b=2\n[metrics]\ntrack = b, b\n",
         "category 'b' is named twice"},
        {"[world]\nweights = a\x1b[2J=1, b=2\n", "the name has a control character"},
        {"[world]\ntype = zipf\nzipf_k = 3e9\n", "categories would need"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mc_experiment *e = NULL;
        mc_error err = {0};
        int r = tu_prepare_status(cases[i].ini, NULL, &e, &err);
        assert_int_not_equal(r, MC_OK);
        if (!strstr(err.msg, cases[i].expect))
            fail_msg("case %zu: message '%s' lacks '%s'", i, err.msg, cases[i].expect);
        assert_non_null(strstr(err.msg, "test.ini:") ? err.msg : (i >= 4 ? err.msg : NULL));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_world_draw_closed_forms),
        cmocka_unit_test(test_missing_mass),
        cmocka_unit_test(test_replace_one_generation),
        cmocka_unit_test(test_temperature),
        cmocka_unit_test(test_top_k_top_p),
        cmocka_unit_test(test_fresh_fixed_point),
        cmocka_unit_test(test_gini_simpson_decay),
        cmocka_unit_test(test_regime_provenance),
        cmocka_unit_test(test_weighted_fit),
        cmocka_unit_test(test_kl_and_tail),
        cmocka_unit_test(test_extinction_absorbing),
        cmocka_unit_test(test_zipf_world),
        cmocka_unit_test(test_table_world),
        cmocka_unit_test(test_table_header_cannot_swallow_a_row),
        cmocka_unit_test(test_table_words_printable),
        cmocka_unit_test(test_table_fifo),
        cmocka_unit_test(test_bad_worlds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
