/* test_zoo.c - the paper zoo's machinery: an entry's [zoo] section (syntax, refusals naming
 * the line), validation against the experiment, the verdicts computed from a summary, zoo.csv;
 * and every built-in entry loads and validates (the runs themselves: tests/cli_zoo.sh). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

#define EXPERIMENT "[world]\nlambda = 2\n[model]\nfamily = poisson\n[regime]\nname = replace\n" \
                   "n = 50\n[run]\ngenerations = 6\nreplicates = 400\nseed = 3\n"
#define META "[zoo]\npaper = P\nresult = R\nsetup = S\ncompared = C\nquick = run.replicates=50\n"

static int load_text(const char *text, mc_zoo **z, mc_error *err)
{
    mc_preset p = {"t", "", text};
    return mc_zoo_load_preset(&p, 0, NULL, 0, z, err);
}

static void expect_refused(const char *text, const char *needle, const char *needle2)
{
    mc_zoo *z = NULL;
    mc_error err = {0};
    int r = load_text(text, &z, &err);
    if (r != MC_ECONFIG || !strstr(err.msg, needle) || (needle2 && !strstr(err.msg, needle2)))
        fail_msg("expected a refusal with '%s'; got %d: '%s'", needle, r, err.msg);
    assert_null(z);
}

static void test_syntax_refused(void **state)
{
    (void)state;
    expect_refused(EXPERIMENT, "no [zoo] section", NULL);
    expect_refused(EXPERIMENT META, "has no check_1", NULL);
    expect_refused(EXPERIMENT "[zoo]\npaper = P\n", "[zoo] result is missing", NULL);
    /* line 18: check_1 (11 experiment lines, then [zoo] and 5 keys) */
    expect_refused(EXPERIMENT META "check_1 = alive at 3 | point 0 | = theory | z 4\n",
                   "zoo t:18: [zoo] check_1", "five fields");
    expect_refused(EXPERIMENT META "check_1 = alive at 3 | point 0 | ~ 3 | z 4 | s\n",
                   "check_1", "no comparison");
    expect_refused(EXPERIMENT META "check_1 = alive at 3 | point 0 | = x | z 4 | s\n",
                   "check_1", "neither 'theory' nor a number");
    expect_refused(EXPERIMENT META "check_1 = alive at 3 | point 0 | = 1 | z -1 | s\n",
                   "check_1", "tolerance");
    expect_refused(EXPERIMENT META "check_1 = alive at 3 | point 0 | = 1 | z 4, rel x | s\n",
                   "check_1", "tolerance");
    expect_refused(EXPERIMENT META "check_1 = alive | point 0 | = 1 | z 4 | s\n", "check_1",
                   "METRIC at G");
    expect_refused(EXPERIMENT META "check_1 = alive at 3 | pt 0 | = 1 | z 4 | s\n", "check_1",
                   "point N");
    expect_refused(EXPERIMENT META "check_1 = alive q99 at 3 | point 0 | = 1 | z 4 | s\n",
                   "check_1", "q05|q50|q95");
    expect_refused(EXPERIMENT META "check_1 = alive at 3 | point 0 | = 1 | z 4 | s\n"
                   "check_3 = alive at 3 | point 0 | = 1 | z 4 | s\n", "zoo t:19: [zoo] check_3",
                   "not a zoo key");
    expect_refused(EXPERIMENT META "check_1 = alive at 3 | point 0 | = 1 | z 4 | s\ncolour = 1\n",
                   "[zoo] colour", "not a zoo key");
}

/* Loads and prepares; returns the validation status. */
static int validate(const char *check, mc_zoo **zo, mc_experiment **eo, mc_error *err)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%scheck_1 = %s\n", EXPERIMENT, META, check);
    mc_zoo *z;
    assert_int_equal(load_text(text, &z, err), MC_OK);
    mc_experiment *e;
    assert_int_equal(mc_experiment_prepare(z->config, &e, err), MC_OK);
    z->config = NULL;
    int r = mc_zoo_validate(z, e, err);
    *zo = z;
    *eo = e;
    return r;
}

static void expect_invalid(const char *check, const char *needle)
{
    mc_zoo *z;
    mc_experiment *e;
    mc_error err = {0};
    int r = validate(check, &z, &e, &err);
    if (r != MC_ECONFIG || !strstr(err.msg, needle) || !strstr(err.msg, "check_1"))
        fail_msg("expected '%s'; got %d: '%s'", needle, r, err.msg);
    mc_zoo_free(z);
    mc_experiment_free(e);
}

static void test_validation(void **state)
{
    (void)state;
    expect_invalid("alive at 3 | point 1 | = 1 | z 4 | s", "1 grid points");
    expect_invalid("colour at 3 | point 0 | = 1 | z 4 | s", "no metric 'colour'");
    expect_invalid("alive at 7 | point 0 | = 1 | z 4 | s", "generation 7");
    expect_invalid("tail_mass at 3 | point 0 | = theory | z 4 | s", "no closed form");
}

/* The verdicts recomputed by hand from the same summary: z = (mean - expected) / (sd/sqrt(n)). */
static void test_judge(void **state)
{
    (void)state;
    mc_zoo *z;
    mc_experiment *e;
    mc_error err = {0};
    assert_int_equal(validate("lambda_ratio at 6 | point 0 | = theory | z 4 | s", &z, &e, &err),
                     MC_OK);
    const mc_point *p = &e->points[0];
    double *v = tu_run_point(p);
    mc_point_result res = {p, p->run.replicates, p->run.generations, p->metrics.n, v};
    mc_summary *s;
    assert_int_equal(mc_summary_compute(&res, &s, &err), MC_OK);
    size_t m = tu_metric(p, "lambda_ratio");
    const mc_stat *st = &s->stats[6 * p->metrics.n + m];
    double se = st->sd / sqrt((double)st->n);
    struct { mc_zoo_op op; double value, rel; int pass; } cases[] = {
        {MC_ZOO_EQUAL, 1.0, 0, 1},                    /* the martingale: E lambda_g = mu */
        {MC_ZOO_EQUAL, st->mean + 5 * se, 0, 0},      /* 5 SE away: fails at z 4 */
        {MC_ZOO_EQUAL, st->mean + 5 * se, 0.5, 1},    /* ... unless a relative allowance */
        {MC_ZOO_AT_MOST, st->mean - 5 * se, 0, 0},    /* ours well above a bound */
        {MC_ZOO_AT_MOST, st->mean + 5 * se, 0, 1},
        {MC_ZOO_AT_LEAST, st->mean - 3 * se, 0, 1},
        {MC_ZOO_AT_LEAST, st->mean + 4.5 * se, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        mc_zoo_check *c = &z->checks[0];
        c->op = cases[i].op;
        c->theory = i == 0;
        c->value = cases[i].value;
        c->rel = cases[i].rel;
        c->judged = 0;
        mc_zoo_judge(z, s);
        assert_true(c->judged);
        double expected = i == 0 ? s->theory[6 * p->metrics.n + m] : cases[i].value;
        assert_true(fabs(c->expected - expected) < 1e-15);
        assert_true(fabs(c->z - (st->mean - expected) / se) < 1e-9);
        if (c->pass != cases[i].pass)
            fail_msg("case %zu: verdict %d, z %g", i, c->pass, c->z);
        assert_int_equal(mc_zoo_passed(z), cases[i].pass);
    }
    /* a quantile: compared as it is (no SE), within rel */
    mc_zoo_check *c = &z->checks[0];
    c->stat = MC_ZOO_Q95;
    c->theory = 0;
    c->rel = 0;
    c->op = MC_ZOO_AT_MOST;
    c->value = st->q95;
    mc_zoo_judge(z, s);
    assert_true(c->ours == st->q95 && isnan(c->se) && isnan(c->z) && c->pass);
    c->value = st->q95 * (1 - 1e-9);
    mc_zoo_judge(z, s);
    assert_false(c->pass);
    c->rel = 1e-6;
    mc_zoo_judge(z, s);
    assert_true(c->pass);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    mc_zoo_csv(z, f, 1);
    fclose(f);
    assert_non_null(strstr(buf, "entry,paper,quantity,point,generation,op,expected,source,ours"));
    assert_non_null(strstr(buf, "\nt,P,lambda_ratio q95,0,6,<=,"));
    free(buf);
    mc_summary_free(s);
    free(v);
    mc_zoo_free(z);
    mc_experiment_free(e);
}

/* Every built-in entry and its quick version load, prepare and validate. */
static void test_entries_valid(void **state)
{
    (void)state;
    assert_true(mc_zoo_npresets >= 5);
    for (size_t i = 0; i < mc_zoo_npresets; i++)
        for (int quick = 0; quick < 2; quick++) {
            mc_zoo *z;
            mc_experiment *e = NULL;
            mc_error err = {0};
            int r = mc_zoo_load(mc_zoo_presets[i].name, quick, NULL, 0, &z, &err);
            if (r == MC_OK) {
                r = mc_experiment_prepare(z->config, &e, &err);
                z->config = NULL;
                if (r == MC_OK)
                    r = mc_zoo_validate(z, e, &err);
                mc_zoo_free(z);
            }
            if (r != MC_OK)
                fail_msg("zoo entry %s: %s", mc_zoo_presets[i].name, err.msg);
            mc_experiment_free(e);
        }
    mc_zoo *z;
    mc_error err = {0};
    assert_int_equal(mc_zoo_load("suresh-poison", 0, NULL, 0, &z, &err), MC_EUSAGE);
    assert_non_null(strstr(err.msg, "did you mean 'suresh-poisson'"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_syntax_refused),
        cmocka_unit_test(test_validation),
        cmocka_unit_test(test_judge),
        cmocka_unit_test(test_entries_valid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
