/* test_need.c - targets and `collapse need` (src/need.c).
 *
 * The closed-form check: with n = 10^12 the categorical family under fresh data follows the
 * deterministic map p' = h pi + (1 - h) T_tau(p) to within ~1e-6 per generation, so the replicate
 * mean of p_d at a late generation G is the map's fixed point p*_d(h). The smallest h with
 * p*_d(h) >= c is found here by solving the fixed point numerically (iteration, then bisection
 * on h to 1e-12); need's answer must lie within one grid step of it, plus the h-equivalent of the
 * sampling noise (1e-5 in p divided by the slope dp*_d/dh, computed here too). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"
#include "collapse/need.h"

static const char *const WORLD4 =
    "[world]\ntype = weights\nweights = a=0.5, b=0.3, c=0.15, d=0.05\n"
    "[model]\nfamily = categorical\n[sampling]\ntemperature = 0.8\n[run]\nseed = 5\n";
static const double PI4[4] = {0.5, 0.3, 0.15, 0.05};

static mc_config *config(const char *const *ov)
{
    mc_config *c = mc_config_alloc();
    mc_error err = {0};
    assert_non_null(c);
    assert_int_equal(mc_config_read_string(c, WORLD4, "test.ini", &err), MC_OK);
    for (size_t i = 0; ov && ov[i]; i++)
        assert_int_equal(mc_config_override(c, ov[i], &err), MC_OK);
    return c;
}

/* p*_d(h): the fixed point of p' = h pi + (1 - h) T_tau(p), by iteration from pi. */
static double fixed_point_d(double h, double tau)
{
    double q[4];
    memcpy(q, PI4, sizeof q);
    for (int g = 0; g < 20000; g++) {
        double t[4], z = 0, moved = 0;
        for (int i = 0; i < 4; i++)
            z += t[i] = pow(q[i], 1 / tau);
        for (int i = 0; i < 4; i++) {
            double v = h * PI4[i] + (1 - h) * t[i] / z;
            moved = fmax(moved, fabs(v - q[i]));
            q[i] = v;
        }
        if (moved < 1e-15)
            break;
    }
    return q[3];
}

static void test_target_parse(void **state)
{
    (void)state;
    mc_target t;
    mc_error err = {0};
    assert_int_equal(mc_target_parse("alive(yellow) >= 0.95", &t, &err), MC_OK);
    assert_string_equal(t.metric, "alive_yellow");
    assert_int_equal(t.op, MC_TARGET_GE);
    assert_true(t.value == 0.95 && !t.relative);
    assert_int_equal(mc_target_parse("heldout_ppl <= 1.05 * gen0", &t, &err), MC_OK);
    assert_string_equal(t.metric, "heldout_ppl");
    assert_true(t.op == MC_TARGET_LE && t.value == 1.05 && t.relative);
    assert_int_equal(mc_target_parse("  kl<gen0*2", &t, &err), MC_OK);
    assert_true(t.op == MC_TARGET_LT && t.value == 2 && t.relative);
    assert_int_equal(mc_target_parse("tv > gen0", &t, &err), MC_OK);
    assert_true(t.op == MC_TARGET_GT && t.value == 1 && t.relative);
    assert_int_equal(mc_target_parse("trace_ratio>=9e-1", &t, &err), MC_OK);
    assert_true(t.value == 0.9);
    /* met: NaN never meets; relative scales gen0 */
    assert_int_equal(mc_target_parse("x >= 0.5 * gen0", &t, &err), MC_OK);
    assert_true(mc_target_met(&t, 1, 2) && !mc_target_met(&t, 0.99, 2));
    assert_false(mc_target_met(&t, NAN, 2));
    const char *bad[] = {"", "   ", ">= 3", "p_yellow", "p_yellow >= ", "p_yellow => 3",
                         "p_yellow == 3", "alive(yellow >= 3", "alive() >= 1", "p_y >= 3 4",
                         "p_y >= 2 * gen1", "p_y >= gen0 *", "p_y >= inf", "p_y >= nan"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        memset(&err, 0, sizeof err);
        int r = mc_target_parse(bad[i], &t, &err);
        if (r != MC_EUSAGE || !strstr(err.msg, "grammar"))
            fail_msg("target '%s' gave %d '%s'", bad[i], r, err.msg);
    }
}

/* need against the fixed point, with n = 10^12 (deterministic to ~1e-6). */
static void test_need_closed_form(void **state)
{
    (void)state;
    const double c = 0.03, tau = 0.8;
    /* the closed-form answer: p*_d(h) increases with h; bisection to 1e-12 */
    double lo = 0, hi = 1;
    assert_true(fixed_point_d(0, tau) < c && fixed_point_d(1, tau) > c);
    while (hi - lo > 1e-12) {
        double mid = 0.5 * (lo + hi);
        if (fixed_point_d(mid, tau) >= c)
            hi = mid;
        else
            lo = mid;
    }
    double htrue = hi;
    double slope = (fixed_point_d(htrue + 1e-4, tau) - fixed_point_d(htrue - 1e-4, tau)) / 2e-4;
    assert_true(slope > 0);
    const char *ov[] = {"regime.n=1e12", "run.replicates=2", NULL};
    mc_need_opts o = {.generation = 400, .confidence = 0.95, .tolerance = 1.0 / 1024, .threads = 1};
    mc_target t;
    mc_error err = {0};
    assert_int_equal(mc_target_parse("p_d >= 0.03", &t, &err), MC_OK);
    mc_need_result res;
    int r = mc_need_solve(config(ov), &t, &o, &res, &err);
    if (r != MC_OK)
        fail_msg("%s", err.msg);
    assert_true(res.feasible);
    double slack = res.step + 1e-5 / slope;
    print_message("h* = %.6f, closed form %.6f, interval [%.6f, %.6f]\n", res.h, htrue, res.lo,
                  res.hi);
    assert_true(res.h >= htrue - 1e-5 / slope && res.h <= htrue + slack);
    assert_true(res.lo <= htrue + 1e-5 / slope && res.hi >= htrue - 1e-5 / slope);
    assert_true(res.hi - res.lo <= 3 * slack); /* deterministic: the interval is about a step */
    /* the bracket is in the evaluations: h* meets, h* - step does not */
    int seen_at = 0, seen_below = 0;
    for (size_t i = 0; i < res.nevals; i++) {
        if (res.evals[i].h == res.h)
            seen_at = mc_target_met(&t, res.evals[i].mean, 0);
        if (fabs(res.evals[i].h - (res.h - res.step)) < 1e-15)
            seen_below = !mc_target_met(&t, res.evals[i].mean, 0);
        if (i)
            assert_true(res.evals[i].h > res.evals[i - 1].h);
    }
    assert_true(seen_at && seen_below);

    /* the same target relative to generation 0 (p_d ~ 0.05 there): 0.6 * gen0 = 0.03 up to
     * gen0's noise (1e-7), so the same h */
    mc_need_result rel;
    assert_int_equal(mc_target_parse("p_d >= 0.6 * gen0", &t, &err), MC_OK);
    assert_int_equal(mc_need_solve(config(ov), &t, &o, &rel, &err), MC_OK);
    assert_true(fabs(rel.reference - 0.05) < 1e-5);
    assert_true(fabs(rel.h - res.h) <= res.step);
    mc_need_result_free(&rel);
    mc_need_result_free(&res);
}

/* Noisy case: the interval holds the estimate, and the result does not depend on the thread
 * count (common random numbers: replicate r has its own stream whatever runs it). */
static void test_need_noisy_threads(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=300", "run.replicates=60", NULL};
    mc_target t;
    mc_error err = {0};
    assert_int_equal(mc_target_parse("alive(d) >= 0.9", &t, &err), MC_OK);
    mc_need_opts o1 = {.generation = 30, .confidence = 0.9, .tolerance = 1.0 / 256, .threads = 1};
    mc_need_opts o2 = o1;
    o2.threads = 2;
    mc_need_result a, b;
    assert_int_equal(mc_need_solve(config(ov), &t, &o1, &a, &err), MC_OK);
    assert_int_equal(mc_need_solve(config(ov), &t, &o2, &b, &err), MC_OK);
    assert_true(a.feasible);
    assert_true(a.h == b.h && a.lo == b.lo && a.hi == b.hi && a.nevals == b.nevals);
    for (size_t i = 0; i < a.nevals; i++)
        assert_true(a.evals[i].mean == b.evals[i].mean && a.evals[i].se == b.evals[i].se);
    assert_true(a.lo <= a.h && a.h <= a.hi);
    assert_true(a.h > 0); /* at tau = 0.8 the rare d dies without fresh data */
    mc_need_result_free(&a);
    mc_need_result_free(&b);
}

/* Enough replicates for a stated precision: starting from 20, the search reruns with more until
 * z se of the mean at h* is at most 0.03 (a 0/1 metric near 0.9 needs about
 * z^2 0.09 / 0.03^2 = 270 at 90 %). */
static void test_need_precision(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=300", "run.replicates=20", NULL};
    mc_target t;
    mc_error err = {0};
    assert_int_equal(mc_target_parse("alive(d) >= 0.9", &t, &err), MC_OK);
    mc_need_opts o = {.generation = 30, .confidence = 0.9, .tolerance = 1.0 / 256,
                      .threads = 2, .precision = 0.03};
    mc_need_result a;
    assert_int_equal(mc_need_solve(config(ov), &t, &o, &a, &err), MC_OK);
    assert_true(a.replicates > 20);
    assert_true(a.halfwidth <= 0.03);
    assert_true(a.lo <= a.h && a.h <= a.hi);
    mc_need_result_free(&a);
}

/* Edge answers and errors: met at h = 0, out of reach at h = 1, an unknown metric (with a
 * did-you-mean), a schedule. */
static void test_need_edges_and_errors(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=500", "run.replicates=4", NULL};
    mc_need_opts o = {.generation = 10, .confidence = 0.95, .tolerance = 1.0 / 64, .threads = 1};
    mc_target t;
    mc_error err = {0};
    mc_need_result res;
    assert_int_equal(mc_target_parse("p_d >= 0", &t, &err), MC_OK);
    assert_int_equal(mc_need_solve(config(ov), &t, &o, &res, &err), MC_OK);
    assert_true(res.feasible && res.h == 0 && res.lo == 0);
    mc_need_result_free(&res);
    assert_int_equal(mc_target_parse("p_d >= 0.5", &t, &err), MC_OK);
    assert_int_equal(mc_need_solve(config(ov), &t, &o, &res, &err), MC_OK);
    assert_false(res.feasible);
    assert_true(res.evals[res.nevals - 1].h == 1);
    mc_need_result_free(&res);
    assert_int_equal(mc_target_parse("alive(purple) >= 0.5", &t, &err), MC_OK);
    assert_int_equal(mc_need_solve(config(ov), &t, &o, &res, &err), MC_ECONFIG);
    assert_non_null(strstr(err.msg, "alive_purple"));
    assert_int_equal(mc_target_parse("alive_dd >= 0.5", &t, &err), MC_OK);
    assert_int_equal(mc_need_solve(config(ov), &t, &o, &res, &err), MC_ECONFIG);
    assert_non_null(strstr(err.msg, "did you mean 'alive_d'"));
    const char *ovs[] = {"regime.n=500", "regime.name=fresh", "regime.schedule=0:0.1", NULL};
    assert_int_equal(mc_target_parse("p_d >= 0.01", &t, &err), MC_OK);
    assert_int_equal(mc_need_solve(config(ovs), &t, &o, &res, &err), MC_ECONFIG);
    assert_non_null(strstr(err.msg, "schedule"));
    /* a pipeline configuration: its own keys are left out, and said so */
    const char *ovp[] = {"regime.n=500", "regime.name=pipeline", "regime.workforce=100",
                         "regime.lag=2, 5", "run.replicates=4", NULL};
    assert_int_equal(mc_need_solve(config(ovp), &t, &o, &res, &err), MC_OK);
    assert_non_null(strstr(res.dropped, "regime.workforce"));
    assert_non_null(strstr(res.dropped, "regime.lag"));
    assert_true(res.fixed[0] == '\0'); /* the lag axis went with the pipeline's keys */
    mc_need_result_free(&res);
    /* grid axes are fixed at their first value and reported */
    const char *ovg[] = {"regime.n=500", "sampling.temperature=0.8, 1.0", "run.replicates=4",
                         NULL};
    assert_int_equal(mc_target_parse("p_d >= 0", &t, &err), MC_OK);
    assert_int_equal(mc_need_solve(config(ovg), &t, &o, &res, &err), MC_OK);
    assert_non_null(strstr(res.fixed, "sampling.temperature=0.8"));
    mc_need_result_free(&res);
}

/* A target that no value of its metric can meet is refused before any search: presence, share
 * and human_share lie in [0, 1]. Targets inside the range, and metrics without a known range,
 * are accepted as before. */
static void test_need_impossible_target(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=500", "run.replicates=4", NULL};
    mc_need_opts o = {.generation = 10, .confidence = 0.95, .tolerance = 1.0 / 16, .threads = 1};
    const char *never[] = {"alive(d) >= 1.5", "alive(d) > 1", "p_d < 0", "p_d <= -0.1",
                           "human_share >= 2"};
    for (size_t i = 0; i < sizeof never / sizeof *never; i++) {
        mc_target t;
        mc_error err = {0};
        mc_need_result res;
        assert_int_equal(mc_target_parse(never[i], &t, &err), MC_OK);
        assert_int_equal(mc_need_solve(config(ov), &t, &o, &res, &err), MC_ECONFIG);
        if (!strstr(err.msg, "lies in [0, 1]; no value of it can meet the target"))
            fail_msg("'%s': message '%s'", never[i], err.msg);
    }
    const char *fine[] = {"alive(d) >= 1", "p_d <= 0", "entropy >= 100"};
    for (size_t i = 0; i < sizeof fine / sizeof *fine; i++) {
        mc_target t;
        mc_error err = {0};
        mc_need_result res;
        assert_int_equal(mc_target_parse(fine[i], &t, &err), MC_OK);
        int r = mc_need_solve(config(ov), &t, &o, &res, &err);
        if (r != MC_OK)
            fail_msg("'%s': %s", fine[i], err.msg);
        mc_need_result_free(&res);
    }
}

/* The closed-form h*(tau) of c = 0.03: bisection on the fixed point to 1e-12. */
static double closed_form_h(double c, double tau)
{
    double lo = 0, hi = 1;
    while (hi - lo > 1e-12) {
        double mid = 0.5 * (lo + hi);
        if (fixed_point_d(mid, tau) >= c)
            hi = mid;
        else
            lo = mid;
    }
    return hi;
}

/* need over a grid of temperatures: one search per point, each against its own closed form;
 * point 0 is the single-point answer (the same streams: point index 0); need.csv and need.json
 * hold one row per point; a second answer into the folder is refused unless forced. */
static void test_need_grid(void **state)
{
    (void)state;
    const char *ov[] = {"regime.n=1e12", "run.replicates=2", "sampling.temperature=0.8, 0.9", NULL};
    const char *ov1[] = {"regime.n=1e12", "run.replicates=2", NULL}; /* WORLD4: 0.8 */
    mc_need_opts o = {.generation = 400, .confidence = 0.95, .tolerance = 1.0 / 1024, .threads = 1};
    mc_target t;
    mc_error err = {0};
    assert_int_equal(mc_target_parse("p_d >= 0.03", &t, &err), MC_OK);
    mc_need_grid g;
    if (mc_need_solve_grid(config(ov), &t, &o, &g, &err) != MC_OK)
        fail_msg("%s", err.msg);
    assert_int_equal(g.npoints, 2);
    assert_int_equal(g.naxes, 1);
    assert_string_equal(g.axes[0], "sampling.temperature");
    const double tau[2] = {0.8, 0.9};
    for (size_t i = 0; i < 2; i++) {
        const mc_need_result *r = &g.points[i].result;
        double htrue = closed_form_h(0.03, tau[i]);
        double slope = (fixed_point_d(htrue + 1e-4, tau[i]) - fixed_point_d(htrue - 1e-4, tau[i])) / 2e-4;
        print_message("tau %.1f: h* = %.6f, closed form %.6f\n", tau[i], r->h, htrue);
        assert_true(r->feasible && r->fixed[0] == '\0');
        assert_true(r->h >= htrue - 1e-5 / slope && r->h <= htrue + r->step + 1e-5 / slope);
        assert_true(strtod(g.points[i].values[0], NULL) == tau[i]);
    }
    assert_true(g.points[1].result.h < g.points[0].result.h); /* a hotter model needs less */
    mc_need_result one;
    assert_int_equal(mc_need_solve(config(ov1), &t, &o, &one, &err), MC_OK);
    assert_true(one.h == g.points[0].result.h && one.nevals == g.points[0].result.nevals);
    for (size_t k = 0; k < one.nevals; k++)
        assert_true(one.evals[k].mean == g.points[0].result.evals[k].mean);
    mc_need_result_free(&one);

    char dir[512], written[512], path[600], line[256];
    snprintf(dir, sizeof dir, "%s/need-grid-%ld", tu_tmpdir(), (long)getpid());
    assert_int_equal(mc_need_write(dir, 0, "test.ini", &t, &o, &g, written, sizeof written, &err),
                     MC_OK);
    assert_string_equal(written, dir);
    snprintf(path, sizeof path, "%s/need.csv", dir);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t rows = 0;
    assert_non_null(fgets(line, sizeof line, f));
    assert_string_equal(line, "point,sampling.temperature,h,lo,hi,feasible,mean,se,replicates,"
                              "evaluations\n");
    while (fgets(line, sizeof line, f))
        rows++;
    fclose(f);
    assert_int_equal(rows, 2);
    assert_int_equal(mc_need_write(dir, 0, "test.ini", &t, &o, &g, written, sizeof written, &err),
                     MC_EUSAGE);
    assert_non_null(strstr(err.msg, "--force"));
    assert_int_equal(mc_need_write(dir, 1, "test.ini", &t, &o, &g, written, sizeof written, &err),
                     MC_OK);
    snprintf(path, sizeof path, "%s/need.json", dir);
    assert_int_equal(remove(path), 0);
    snprintf(path, sizeof path, "%s/need.csv", dir);
    assert_int_equal(remove(path), 0);
    assert_int_equal(rmdir(dir), 0); /* nothing else left: no lock, no temporary file */
    mc_need_grid_free(&g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_parse),
        cmocka_unit_test(test_need_impossible_target),
        cmocka_unit_test(test_need_closed_form),
        cmocka_unit_test(test_need_grid),
        cmocka_unit_test(test_need_noisy_threads),
        cmocka_unit_test(test_need_precision),
        cmocka_unit_test(test_need_edges_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
