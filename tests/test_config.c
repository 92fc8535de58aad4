/* test_config.c - INI reading, overrides, key parsing, grid axes and the messages of bad input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"

static void expect_error(const char *ini, const char *const *ov, int code, const char *msg)
{
    tu_expect_error(ini, ov, code, msg, NULL);
}

static void test_ini_basics(void **state)
{
    (void)state;
    mc_config *c = mc_config_alloc();
    mc_error err = {0};
    const char *ini = "; comment\n[run]\nreplicates = 7 ; inline comment\n\n[world]\n"
                      "weights = a=1, b=2,\n    c=3\n";
    assert_int_equal(mc_config_read_string(c, ini, "x.ini", &err), MC_OK);
    const mc_entry *e = mc_config_find(c, "run", "replicates");
    assert_non_null(e);
    assert_string_equal(e->value, "7");
    assert_int_equal(e->origin.line, 3);
    assert_string_equal(e->origin.file, "x.ini");
    e = mc_config_find(c, "world", "weights");
    assert_string_equal(e->value, "a=1, b=2, c=3");
    /* an override replaces the value and its origin */
    assert_int_equal(mc_config_override(c, "run.replicates = 9", &err), MC_OK);
    e = mc_config_find(c, "run", "replicates");
    assert_string_equal(e->value, "9");
    assert_string_equal(e->origin.file, "command line");
    assert_int_equal(mc_config_override(c, "replicates=9", &err), MC_EUSAGE);
    assert_non_null(strstr(err.msg, "section.key=value"));
    mc_config_free(c);
}

static void test_ini_errors(void **state)
{
    (void)state;
    mc_error err = {0};
    mc_config *c = mc_config_alloc();
    assert_int_equal(mc_config_read_string(c, "[run]\nx = 1\ny = 2\nx = 3\n", "d.ini", &err),
                     MC_ECONFIG);
    assert_non_null(strstr(err.msg, "d.ini:4: [run] x: key given twice (first at line 2)"));
    mc_config_free(c);
    c = mc_config_alloc();
    assert_int_equal(mc_config_read_string(c, "[run]\nthis line has no equals\n", "e.ini", &err),
                     MC_ECONFIG);
    assert_non_null(strstr(err.msg, "e.ini:2:"));
    mc_config_free(c);
    c = mc_config_alloc();
    assert_int_equal(mc_config_read_string(c, "x = 1\n", "f.ini", &err), MC_ECONFIG);
    assert_non_null(strstr(err.msg, "f.ini:1: key 'x' is outside any [section]"));
    mc_config_free(c);
    /* a line over the reader's limit is refused, not split */
    char longline[400];
    memset(longline, 'a', sizeof longline);
    memcpy(longline, "[world]\nweights = ", 18);
    strcpy(longline + 350, "=1\n");
    c = mc_config_alloc();
    assert_int_equal(mc_config_read_string(c, longline, "g.ini", &err), MC_ECONFIG);
    assert_non_null(strstr(err.msg, "g.ini:2: line longer than"));
    mc_config_free(c);
    c = mc_config_alloc();
    assert_int_equal(mc_config_read_file(c, "/nonexistent/h.ini", &err), MC_EIO);
    assert_non_null(strstr(err.msg, "/nonexistent/h.ini: cannot read"));
    mc_config_free(c);
}

static void test_value_errors(void **state)
{
    (void)state;
    expect_error("[run]\nreplicates = ten\n", NULL, MC_ECONFIG,
                 "test.ini:2: [run] replicates: 'ten' is not a whole number");
    expect_error("[run]\nreplicates = 0\n", NULL, MC_ECONFIG, "out of range: must be in [1,");
    expect_error("[regime]\nn = 0\n", NULL, MC_ECONFIG, "test.ini:2: [regime] n: 0 is out of range");
    expect_error("[regime]\nn = 12.5\n", NULL, MC_ECONFIG, "not a whole number");
    expect_error("[regime]\nh = 1.5\n", NULL, MC_ECONFIG, "[regime] h: 1.5 is out of range: must be in [0, 1]");
    expect_error("[regime]\nh = -0.1\n", NULL, MC_ECONFIG, "out of range");
    expect_error("[sampling]\ntemperature = 0\n", NULL, MC_ECONFIG, "temperature: 0 is out of range: must be > 0");
    expect_error("[sampling]\ntop_p = 0\n", NULL, MC_ECONFIG, "top_p: 0 is out of range: must be in (0, 1]");
    expect_error("[sampling]\ntop_p = 1.01\n", NULL, MC_ECONFIG, "out of range");
    expect_error("[sampling]\ntemperature = 1.0, abc\n", NULL, MC_ECONFIG, "'abc' is not a number");
    expect_error("[sampling]\ntemperature = 1.0,,2\n", NULL, MC_ECONFIG, "empty value");
    expect_error("[sampling]\ntemperature = 1e999\n", NULL, MC_ECONFIG, "is not a number");
    expect_error("[run]\nseed = 1, 2\n", NULL, MC_ECONFIG, "seed");
    const char *ov[] = {"sampling.temperature=-1", NULL};
    expect_error("[run]\n", ov, MC_ECONFIG, "command line: sampling.temperature: -1 is out of range");
}

static void test_unknown_names(void **state)
{
    (void)state;
    expect_error("[worlds]\nweights = a=1\n", NULL, MC_ECONFIG,
                 "unknown section [worlds] (did you mean [world]?)");
    expect_error("[run]\nreplicate = 3\n", NULL, MC_ECONFIG,
                 "test.ini:2: [run] replicate: unknown key (did you mean 'replicates'?)");
    expect_error("[sampling]\ntemprature = 0.9\n", NULL, MC_ECONFIG, "did you mean 'temperature'?");
    expect_error("[regime]\nname = replce\n", NULL, MC_ECONFIG,
                 "unknown regime 'replce' (did you mean 'replace'?)");
    expect_error("[model]\nfamily = categorial\n", NULL, MC_ECONFIG,
                 "unknown family 'categorial' (did you mean 'categorical'?)");
    expect_error("[world]\ntype = zipff\n", NULL, MC_ECONFIG, "did you mean 'zipf'?");
    expect_error("[run]\nzzzz = 1\n", NULL, MC_ECONFIG, "unknown key (keys of [run]:");
}

static void test_grid_and_resolution(void **state)
{
    (void)state;
    const char *ini = "[world]\nweights = a=1, b=1 | a=1, b=3\n[regime]\nname = replace, fresh\n"
                      "n = 10, 20, 30\n[run]\ngenerations = 2\nreplicates = 2\n";
    mc_experiment *e = tu_prepare(ini, NULL);
    assert_int_equal(e->npoints, 12);
    assert_int_equal(e->nworlds, 2); /* points share the world of the same [world] text */
    assert_true(e->points[0].world == e->points[1].world);
    assert_true(e->points[0].world != e->points[6].world);
    assert_int_equal(e->points[2].regime_settings.n, 30);
    /* defaults were added to the configuration, so config.ini is complete */
    assert_non_null(mc_config_find(e->config, "sampling", "top_p"));
    assert_non_null(mc_config_find(e->config, "run", "seed"));
    mc_experiment_free(e);
}

/* Writing a configuration and reading it back gives the same entries, long values included. */
static void test_write_roundtrip(void **state)
{
    (void)state;
    mc_config *c = mc_config_alloc();
    mc_error err = {0};
    char ini[4096] = "[world]\nweights = ";
    for (int i = 0; i < 60; i++) {
        char item[32];
        snprintf(item, sizeof item, "%scat%02d=%d", i ? ", " : "", i, i + 1);
        strcat(ini, item);
        if (i % 10 == 9 && i < 59)
            strcat(ini, ",\n  ");
    }
    strcat(ini, "\n[run]\nseed = 5\n");
    assert_int_equal(mc_config_read_string(c, ini, "w.ini", &err), MC_OK);
    FILE *f = tmpfile();
    assert_int_equal(mc_config_write(c, f), MC_OK);
    rewind(f);
    char back[8192];
    size_t n = fread(back, 1, sizeof back - 1, f);
    back[n] = '\0';
    fclose(f);
    mc_config *d = mc_config_alloc();
    assert_int_equal(mc_config_read_string(d, back, "back.ini", &err), MC_OK);
    assert_string_equal(mc_config_find(c, "world", "weights")->value,
                        mc_config_find(d, "world", "weights")->value);
    assert_string_equal(mc_config_find(d, "run", "seed")->value, "5");
    mc_config_free(c);
    mc_config_free(d);
}

static void test_did_you_mean(void **state)
{
    (void)state;
    const char *c[] = {"replace", "accumulate", "accumulate-subsample", "fresh", "keep-original"};
    assert_string_equal(mc_did_you_mean("acumulate", c, 5), "accumulate");
    assert_string_equal(mc_did_you_mean("keep_original", c, 5), "keep-original");
    assert_null(mc_did_you_mean("banana", c, 5));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ini_basics),          cmocka_unit_test(test_ini_errors),
        cmocka_unit_test(test_value_errors),        cmocka_unit_test(test_unknown_names),
        cmocka_unit_test(test_grid_and_resolution), cmocka_unit_test(test_write_roundtrip),
        cmocka_unit_test(test_did_you_mean),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
