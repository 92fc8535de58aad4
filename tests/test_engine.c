/* test_engine.c - the engine's parallel schedule, reproducibility and the summary statistics. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <time.h>
#include "testutil.h"
#include "collapse/budget.h"

typedef struct collected {
    double *v[16];
    size_t len[16];
    size_t n;
} collected;

static int collect(const mc_point_result *res, void *user, mc_error *err)
{
    (void)err;
    collected *c = user;
    size_t len = (size_t)res->replicates * (size_t)(res->generations + 1) * res->nmetrics;
    c->v[c->n] = malloc(len * sizeof(double));
    memcpy(c->v[c->n], res->values, len * sizeof(double));
    c->len[c->n++] = len;
    return MC_OK;
}

static const char *const GRID =
    "[world]\nweights = a=0.6, b=0.3, c=0.1\n[regime]\nname = replace, accumulate-subsample, "
    "keep-original\nh = 0.2\nn = 50\n[sampling]\ntemperature = 1, 0.8\n[run]\ngenerations = 15\n"
    "replicates = 13\nseed = 99\n";

static void run_with(int threads, collected *c, const char *seed)
{
    const char *ov[] = {seed, NULL};
    mc_experiment *e = tu_prepare(GRID, seed ? ov : NULL);
    mc_run_opts o = {threads, collect, NULL, c, NULL, NULL};
    mc_error err = {0};
    assert_int_equal(mc_experiment_run(e, &o, &err), MC_OK);
    mc_experiment_free(e);
}

static void free_collected(collected *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->v[i]);
}

/* Results are bit-identical whatever the thread count; another seed changes them. */
static void test_threads_identical(void **state)
{
    (void)state;
    collected a = {0}, b = {0}, c = {0}, d = {0};
    run_with(1, &a, NULL);
    run_with(2, &b, NULL);
    run_with(3, &c, NULL);
    run_with(2, &d, "run.seed=100");
    assert_int_equal(a.n, 6);
    assert_int_equal(b.n, 6);
    int differs = 0;
    for (size_t i = 0; i < a.n; i++) {
        assert_int_equal(a.len[i], b.len[i]);
        assert_memory_equal(a.v[i], b.v[i], a.len[i] * sizeof(double));
        assert_memory_equal(a.v[i], c.v[i], a.len[i] * sizeof(double));
        differs |= memcmp(a.v[i], d.v[i], a.len[i] * sizeof(double)) != 0;
    }
    assert_true(differs);
    free_collected(&a);
    free_collected(&b);
    free_collected(&c);
    free_collected(&d);
}

typedef struct order {
    size_t seen[16], n, fail_at;
} order;

static int record_order(const mc_point_result *res, void *user, mc_error *err)
{
    order *o = user;
    o->seen[o->n++] = res->point->index;
    if (res->point->index == o->fail_at)
        return mc_error_set(err, MC_EIO, "writing point %zu failed", res->point->index);
    return MC_OK;
}

/* Points reach on_point in point order, whatever the threads (a batch's points are handed over
 * while the next batch computes); the first failure of on_point ends the run with its status and
 * message, and no later point is handed over. */
static void test_on_point_order_and_failure(void **state)
{
    (void)state;
    for (int threads = 1; threads <= 3; threads++) {
        mc_experiment *e = tu_prepare(GRID, NULL);
        order o = {.fail_at = 99};
        mc_run_opts opts = {threads, record_order, NULL, &o, NULL, NULL};
        mc_error err = {0};
        assert_int_equal(mc_experiment_run(e, &opts, &err), MC_OK);
        assert_int_equal(o.n, 6);
        for (size_t i = 0; i < o.n; i++)
            assert_int_equal(o.seen[i], i);
        o = (order){.fail_at = 2};
        assert_int_equal(mc_experiment_run(e, &opts, &err), MC_EIO);
        assert_non_null(strstr(err.msg, "writing point 2 failed"));
        assert_int_equal(o.n, 3);
        mc_experiment_free(e);
    }
}

/* Grid: 3 regimes x 2 temperatures, the last axis varying fastest, labels say so. */
static void test_grid_points(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(GRID, NULL);
    assert_int_equal(e->npoints, 6);
    assert_int_equal(e->naxes, 2);
    assert_string_equal(e->points[1].label, "regime.name=replace; sampling.temperature=0.8");
    assert_string_equal(e->points[4].regime->name, "keep-original");
    assert_true(e->points[4].sampling.temperature == 1.0);
    assert_true(e->points[5].regime_settings.h == 0.2);
    mc_experiment_free(e);
}

/* Statistics: exact small cases (numpy's quantile, type 7), NaN skipped, inf honest. */
static void test_stats(void **state)
{
    (void)state;
    double x[] = {4, 1, 3, 2};
    mc_stat s;
    mc_stat_compute(x, 4, &s);
    assert_int_equal(s.n, 4);
    assert_true(fabs(s.mean - 2.5) < 1e-15);
    assert_true(fabs(s.sd - sqrt(5.0 / 3.0)) < 1e-15);
    assert_true(fabs(s.q05 - 1.15) < 1e-12);
    assert_true(fabs(s.q50 - 2.5) < 1e-15);
    assert_true(fabs(s.q95 - 3.85) < 1e-12);
    assert_true(fabs(s.skew) < 1e-15); /* symmetric */
    /* 0, 0, 0, 4: mean 1, m2 = 3, m3 = (27 - 3) / 4 = 6, g1 = 6 / 3^1.5, G1 = g1 sqrt(12) / 2 */
    double sk[] = {0, 4, 0, 0};
    mc_stat_compute(sk, 4, &s);
    assert_true(fabs(s.skew - 6.0 / pow(3.0, 1.5) * sqrt(12.0) / 2.0) < 1e-12);
    double y[] = {NAN, 1, NAN, 3};
    mc_stat_compute(y, 4, &s);
    assert_int_equal(s.n, 2);
    assert_true(s.mean == 2);
    double z[] = {1, INFINITY, 2};
    mc_stat_compute(z, 3, &s);
    assert_true(isinf(s.mean) && s.mean > 0);
    assert_true(isnan(s.sd) && isnan(s.skew));
    assert_true(s.q50 == 2);
    assert_true(isinf(s.q95));
    double w[] = {NAN};
    mc_stat_compute(w, 1, &s);
    assert_int_equal(s.n, 0);
    assert_true(isnan(s.mean));
    char b[32];
    assert_string_equal(mc_format_value(INFINITY, b), "inf");
    assert_string_equal(mc_format_value(NAN, b), "nan");
    assert_string_equal(mc_format_value(0.0900001234, b), "0.0900001");
    assert_string_equal(mc_format_exact(0.1, b), "0.1");
}

/* Presence summary: first extinction generation and alive at the end, on a hand-made result. */
static void test_presence(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare("[world]\nweights = a=0.5, b=0.5\n[run]\ngenerations = 3\n"
                                  "replicates = 3\n", NULL);
    const mc_point *p = &e->points[0];
    size_t M = p->metrics.n, ab = tu_metric(p, "alive_b");
    double *v = calloc(3 * 4 * M, sizeof *v);
    /* replicate 0: dies at 2; replicate 1: never; replicate 2: dies at 1, back at 3 */
    double pattern[3][4] = {{1, 1, 0, 0}, {1, 1, 1, 1}, {1, 0, 1, 1}};
    for (int r = 0; r < 3; r++)
        for (int g = 0; g < 4; g++)
            v[((size_t)r * 4 + (size_t)g) * M + ab] = pattern[r][g];
    mc_point_result res = {p, 3, 3, M, v};
    mc_summary *s = NULL;
    mc_error err = {0};
    assert_int_equal(mc_summary_compute(&res, &s, &err), MC_OK);
    const mc_presence *pr = NULL;
    for (size_t i = 0; i < s->npresence; i++)
        if (s->presence[i].metric == ab)
            pr = &s->presence[i];
    assert_non_null(pr);
    assert_int_equal(pr->extinct, 2);
    assert_int_equal(pr->alive_end, 2);
    assert_int_equal(pr->first[0], 2);
    assert_int_equal(pr->first[1], -1);
    assert_int_equal(pr->first[2], 1);
    assert_true(pr->first_extinct.mean == 1.5);
    mc_summary_free(s);
    free(v);
    mc_experiment_free(e);
}

/* Streams: a function of (seed, point, replicate) only; distinct keys give distinct streams. */
static void test_streams(void **state)
{
    (void)state;
    gsl_rng *a = mc_rng_alloc(mc_stream_key(1, 2, 3)), *b = mc_rng_alloc(mc_stream_key(1, 2, 3));
    gsl_rng *c = mc_rng_alloc(mc_stream_key(1, 3, 2));
    int same = 1, diff = 0;
    for (int i = 0; i < 100; i++) {
        unsigned long x = gsl_rng_get(a), y = gsl_rng_get(b), z = gsl_rng_get(c);
        same &= x == y;
        diff |= x != z;
    }
    assert_true(same && diff);
    /* uniform on [0,1): mean 1/2 with SE sqrt(1/12 / N); index draws unbiased */
    double s = 0;
    long counts[3] = {0};
    const int N = 300000;
    for (int i = 0; i < N; i++) {
        s += gsl_rng_uniform(a);
        counts[mc_rng_index(a, 3)]++;
    }
    tu_assert_close(s / N, 0.5, sqrt(1.0 / 12 / N), 4);
    for (int k = 0; k < 3; k++)
        tu_assert_close((double)counts[k] / N, 1.0 / 3, sqrt(2.0 / 9 / N), 4);
    assert_string_equal(gsl_rng_name(a), "xoshiro256**");
    gsl_rng_free(a);
    gsl_rng_free(b);
    gsl_rng_free(c);
}

/* Measurement does not disturb the simulation: metrics that draw random numbers (the mixture
 * families' model samples for w2_sliced and tail_mass) use a stream of their own, so changing
 * metrics.samples leaves every model, hence every metric computed from the model alone, bit for
 * bit as it was, while the sampled metrics themselves do change (so the check can fail). */
static void check_metric_settings_keep_trajectory(const char *ini)
{
    static const char *const fewer[] = {"metrics.samples=300", "metrics.slices=4", NULL};
    mc_experiment *a = tu_prepare(ini, NULL), *b = tu_prepare(ini, fewer);
    const mc_point *pa = &a->points[0], *pb = &b->points[0];
    double *va = tu_run_point(pa), *vb = tu_run_point(pb);
    const char *model_only[] = {"n", "trace_ratio", "mean_error", "nll_heldout"};
    size_t rows = (size_t)pa->run.replicates * (size_t)(pa->run.generations + 1);
    size_t M = pa->metrics.n;
    for (size_t k = 0; k < sizeof model_only / sizeof *model_only; k++) {
        size_t m = tu_metric(pa, model_only[k]);
        for (size_t i = 0; i < rows; i++)
            assert_memory_equal(&va[i * M + m], &vb[i * M + m], sizeof(double));
    }
    size_t w2 = tu_metric(pa, "w2_sliced");
    int moved = 0;
    for (size_t i = 0; i < rows; i++)
        moved |= va[i * M + w2] != vb[i * M + w2];
    assert_true(moved);
    free(va);
    free(vb);
    mc_experiment_free(a);
    mc_experiment_free(b);
}

static void test_metric_stream_apart(void **state)
{
    (void)state;
    check_metric_settings_keep_trajectory(
        "[world]\ndim = 2\n[model]\nfamily = gmm\nk = 2\n[regime]\nn = 200\n"
        "[run]\ngenerations = 6\nreplicates = 3\n");
    check_metric_settings_keep_trajectory(
        "[world]\nmeans = -2, 0; 2, 0\nholdout = 200\n[model]\nfamily = kde\n[regime]\n"
        "name = accumulate\nn = 100\n[run]\ngenerations = 6\nreplicates = 3\n");
}

/* The sizes n_g are found in closed form: run.generations = 1e9 is refused at once (it took
 * 29 s), blaming run.generations (the result rows do not fit), not regime.n; with growth, the
 * first generation beyond 64-bit counts is the same g as the generation-by-generation loop's. */
static void test_sizes_closed_form(void **state)
{
    (void)state;
    const char *ini = "[world]\nweights = a=0.6, b=0.4\n[regime]\nn = 1000\n";
    const char *big[] = {"run.generations=1e9", NULL};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    tu_expect_error(ini, big, MC_ENOMEM, "run.generations", "one replicate's results");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    if (s > 2)
        fail_msg("refusing run.generations = 1e9 took %.1f s", s);
    const char *g10[] = {"regime.growth=10", "run.generations=30", NULL};
    tu_expect_error(ini, g10, MC_ECONFIG, "reaches 1e+20 at generation 17", "beyond 64-bit");
    const char *g2[] = {"regime.growth=2", "run.generations=100", NULL};
    tu_expect_error(ini, g2, MC_ECONFIG, "at generation 54", NULL); /* 1000 2^54 = 1.8e19 */
    const char *ok[] = {"regime.growth=2", "run.generations=53", NULL};
    mc_experiment_free(tu_prepare(ini, ok));
    /* growth < 1 and a huge G stay fast and fine: n_g floors at 1 */
    const char *down[] = {"regime.growth=0.5", "run.generations=1e6", "run.replicates=1", NULL};
    mc_experiment *e = tu_prepare(ini, down);
    assert_true(mc_point_n(&e->points[0], 1000000) == 1);
    mc_experiment_free(e);
}

/* One replicate's need, with the threads that run at once: n is chosen so that one unit takes
 * 0.3 of this machine's memory, so 2 threads fit (0.6) and 4 (1.2) do not; the message names
 * regime.n and a thread count that fits. */
static void test_memory_with_threads(void **state)
{
    (void)state;
    double have = mc_memory_bytes();
    if (!(have > 0))
        skip();
    char ini[512];
    /* the gaussian family needs 3 x (8 d + 1) bytes a sample: 27 with d = 1 */
    snprintf(ini, sizeof ini, "[model]\nfamily = gaussian\n[regime]\nn = %.0f\n[run]\n"
             "generations = 2\nreplicates = 8\n", floor(0.3 * have / 27));
    mc_experiment *e = tu_prepare(ini, NULL);
    double one = mc_point_unit_bytes(&e->points[0]);
    assert_true(one > 0.29 * have && one < 0.31 * have);
    mc_error err = {0};
    assert_int_equal(mc_experiment_check_threads(e, 1, &err), MC_OK);
    assert_int_equal(mc_experiment_check_threads(e, 2, &err), MC_OK);
    assert_int_equal(mc_experiment_check_threads(e, 4, &err), MC_ENOMEM);
    assert_non_null(strstr(err.msg, "regime.n") ? err.msg : strstr(err.msg, "[regime] n"));
    assert_non_null(strstr(err.msg, "4 replicates running at once on 4 threads"));
    assert_non_null(strstr(err.msg, "--threads 2 or fewer"));
    mc_experiment_free(e);
    /* with 2 replicates only 2 units ever run at once, whatever the threads */
    const char *two[] = {"run.replicates=2", NULL};
    e = tu_prepare(ini, two);
    assert_int_equal(mc_experiment_check_threads(e, 64, &err), MC_OK);
    mc_experiment_free(e);
}

/* metrics.csv's size is estimated before the run: points x replicates x (G + 1) x metrics rows
 * of MC_OUTPUT_ROW_BYTES (a small cats run writes about 27 bytes a row); an estimate beyond
 * the free space of the output folder's file system is refused. */
static void test_output_estimate(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare(GRID, NULL);
    double rows = 0;
    for (size_t i = 0; i < e->npoints; i++)
        rows += 13.0 * 16 * (double)e->points[i].metrics.n;
    assert_true(mc_experiment_output_bytes(e) == rows * MC_OUTPUT_ROW_BYTES);
    mc_error err = {0};
    double bytes = 0;
    char dir[4200];
    snprintf(dir, sizeof dir, "%s/not/yet/made", tu_tmpdir());
    assert_int_equal(mc_experiment_check_output(e, dir, 0, &bytes, &err), MC_OK);
    assert_true(mc_experiment_checkpoint_bytes(e) == rows * MC_CHECKPOINT_VALUE_BYTES);
    /* the grid's categorical units save their states: two files of a unit's need per thread */
    double units = 0, one = 0;
    for (size_t i = 0; i < e->npoints; i++) {
        units += (double)e->points[i].run.replicates;
        one = fmax(one, mc_point_unit_bytes(&e->points[i]));
    }
    double states = 2.0 * one * fmin(units, (double)omp_get_max_threads());
    assert_true(mc_unit_resumable(&e->points[0]) && states > 0);
    assert_true(mc_experiment_unit_state_bytes(e, omp_get_max_threads()) == states);
    assert_true(mc_experiment_unit_state_bytes(e, 1) == 2.0 * one);
    assert_true(bytes == rows * (MC_OUTPUT_ROW_BYTES + MC_CHECKPOINT_VALUE_BYTES) + states);
    mc_experiment_free(e);
    /* beyond the free space: enough points of ~0.05 of memory's worth of rows each */
    struct statvfs vfs;
    double have = mc_memory_bytes();
    if (statvfs(tu_tmpdir(), &vfs) != 0 || !(have > 0))
        skip();
    double space = (double)vfs.f_bavail * (double)vfs.f_frsize;
    double reps = floor(0.05 * have / (8.0 * 101 * 8)); /* about 8 metrics, G = 100 */
    double per_point = reps * 101 * 8 * MC_OUTPUT_ROW_BYTES;
    size_t points = (size_t)(space / per_point) + 2;
    if (points > 2000)
        skip(); /* a huge disk beside a small memory */
    size_t cap = 64 + 8 * points, len = 0;
    char *ini = malloc(cap + 256);
    assert_non_null(ini);
    len += (size_t)snprintf(ini, cap, "[world]\nweights = a=0.6, b=0.3, c=0.1\n[regime]\nn = ");
    for (size_t i = 0; i < points; i++)
        len += (size_t)snprintf(ini + len, cap - len, "%s%zu", i ? "," : "", i + 10);
    snprintf(ini + len, 256, "\n[run]\ngenerations = 100\nreplicates = %.0f\n", reps);
    e = tu_prepare(ini, NULL);
    free(ini);
    assert_int_equal(mc_experiment_check_output(e, tu_tmpdir(), 0, &bytes, &err), MC_EIO);
    assert_true(bytes > space);
    assert_non_null(strstr(err.msg, "metrics.csv would take about"));
    assert_non_null(strstr(err.msg, "free"));
    mc_experiment_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads_identical), cmocka_unit_test(test_grid_points),
        cmocka_unit_test(test_stats),             cmocka_unit_test(test_presence),
        cmocka_unit_test(test_streams),           cmocka_unit_test(test_metric_stream_apart),
        cmocka_unit_test(test_on_point_order_and_failure),
        cmocka_unit_test(test_sizes_closed_form),
        cmocka_unit_test(test_memory_with_threads),
        cmocka_unit_test(test_output_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
