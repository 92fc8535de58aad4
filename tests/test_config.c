/* test_config.c - INI reading, overrides, key parsing, grid axes and the messages of bad input. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
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
    expect_error("[sampling]\ntemperature = 1e999\n", NULL, MC_ECONFIG,
                 "temperature: 1e999 is out of range: too large for a number");
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

/* Reads text from memory and, written to a temporary file, from that file: both give status
 * `code`; on MC_OK the configurations are returned (the caller frees them). */
static void read_both(const char *text, int code, const char *msg, mc_config **mem,
                      mc_config **file)
{
    mc_error err = {0};
    mc_config *c = mc_config_alloc();
    int r = mc_config_read_string(c, text, "m.ini", &err);
    if (r != code || (msg && !strstr(err.msg, msg)))
        fail_msg("from memory: want %d '%s', got %d '%s'", code, msg ? msg : "", r, err.msg);
    char path[] = "/tmp/test_config_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
    mc_config *d = mc_config_alloc();
    r = mc_config_read_file(d, path, &err);
    unlink(path);
    if (r != code || (msg && !strstr(err.msg, msg)))
        fail_msg("from a file: want %d '%s', got %d '%s'", code, msg ? msg : "", r, err.msg);
    if (mem)
        *mem = c;
    else
        mc_config_free(c);
    if (file)
        *file = d;
    else
        mc_config_free(d);
}

/* Issue 13, defect 1: trailing '\r's were not counted but copied into inih's 200-byte stack
 * buffer (300 of them overflowed it by 5 kB; a 197-198-character line with "\r\r\n" by 1-2). */
static void test_carriage_returns(void **state)
{
    (void)state;
    char text[1024] = "[run]\ngenerations = 5";
    memset(text + strlen(text), '\r', 300);
    strcpy(text + strlen("[run]\ngenerations = 5") + 300, "\n");
    mc_config *m, *f;
    read_both(text, MC_OK, NULL, &m, &f);
    assert_string_equal(mc_config_find(m, "run", "generations")->value, "5");
    assert_string_equal(mc_config_find(f, "run", "generations")->value, "5");
    mc_config_free(m);
    mc_config_free(f);
    /* lines of 197 and 198 characters (the limit) then "\r\r\n" are read whole */
    for (size_t len = 197; len <= 199; len++) {
        char line[512] = "[run]\nname = ";
        size_t head = strlen(line), key = strlen("name = ");
        memset(line + head, 'x', len - key);
        strcpy(line + head + len - key, "\r\r\n[run]\nseed = 3\r\n");
        if (len == 199) { /* one over: the clear message, not a split line */
            read_both(line, MC_ECONFIG, ":2: line longer than 198 characters", NULL, NULL);
            continue;
        }
        read_both(line, MC_OK, NULL, &m, &f);
        assert_int_equal(strlen(mc_config_find(m, "run", "name")->value), len - key);
        assert_int_equal(strlen(mc_config_find(f, "run", "name")->value), len - key);
        assert_string_equal(mc_config_find(f, "run", "seed")->value, "3");
        mc_config_free(m);
        mc_config_free(f);
    }
}

/* Issue 13, defect 9: an empty or comments-only file would run the default experiment. */
static void test_no_settings(void **state)
{
    (void)state;
    const char *empty[] = {"", "; only a comment\n# and another\n\n", "[run]\n[world]\n"};
    for (int i = 0; i < 3; i++) {
        mc_error err = {0};
        char path[] = "/tmp/test_config_XXXXXX";
        int fd = mkstemp(path);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, empty[i], strlen(empty[i])), (ssize_t)strlen(empty[i]));
        close(fd);
        mc_config *c = mc_config_alloc();
        assert_int_equal(mc_config_read_file(c, path, &err), MC_ECONFIG);
        assert_non_null(strstr(err.msg, path));
        assert_non_null(strstr(err.msg, ": no settings"));
        unlink(path);
        mc_config_free(c);
    }
}

/* Issue 13, defect 10: continuation lines were joined by copying the whole value each time
 * (20,000 lines took 19.6 s). The time is printed, not asserted. */
static void test_many_continuation_lines(void **state)
{
    (void)state;
    const int lines = 20000; /* of 100 characters: 2 MB, which the quadratic join copied 10^4 times */
    const char *pad = "a_rather_long_word_of_the_kind_a_big_table_holds_"
                      "and_then_some_more_to_fill_eighty_chars";
    size_t cap = (size_t)lines * 110 + 64;
    char *text = malloc(cap);
    assert_non_null(text);
    size_t len = (size_t)snprintf(text, cap, "[world]\nweights = w0%s=1,\n", pad);
    for (int i = 1; i < lines; i++)
        len += (size_t)snprintf(text + len, cap - len, "    w%d%s=1%s\n", i, pad,
                                i + 1 < lines ? "," : "");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    mc_config *c = mc_config_alloc();
    mc_error err = {0};
    assert_int_equal(mc_config_read_string(c, text, "many.ini", &err), MC_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    const mc_entry *e = mc_config_find(c, "world", "weights");
    size_t items = 1;
    for (const char *p = e->value; *p; p++) /* not strstr: ASan's makes this loop quadratic */
        items += p[0] == ',' && p[1] == ' ';
    assert_int_equal(items, lines);
    assert_int_equal(e->origin.line, 2);
    /* the text less its first 18 bytes, each line's '\n' and each continuation's 4-space
     * indent, plus the ' ' that joins a continuation */
    assert_int_equal(strlen(e->value), len - strlen("[world]\nweights = ") - (size_t)lines -
                                           3 * (size_t)(lines - 1));
    printf("# %d continuation lines parsed in %.3f s\n", lines,
           (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec));
    mc_config_free(c);
    free(text);
}

/* Issue 13, defect 9: numbers are decimal and finite, and a refused one says what is wrong. */
static void test_decimal_numbers(void **state)
{
    (void)state;
    double d;
    uint64_t u;
    const char *bad[] = {"0x10", "0X1p3", "inf", "-Infinity", "nan", "1e", "e5", ".", "+", " 1",
                         "1 ", "1,5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_not_equal(mc_parse_double(bad[i], &d), MC_OK);
        assert_int_not_equal(mc_parse_count(bad[i], &u), MC_OK);
    }
    assert_int_equal(mc_parse_double("1e-320", &d), MC_ERANGE);
    assert_int_equal(mc_parse_double("-1e999", &d), MC_ERANGE);
    const char *good[] = {"16", "-2.5", "+.5", "1.", "1e9", "2.5E-3", "0e-999"};
    const double want[] = {16, -2.5, 0.5, 1, 1e9, 2.5e-3, 0};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        assert_int_equal(mc_parse_double(good[i], &d), MC_OK);
        assert_true(d == want[i]);
    }
    expect_error("[sampling]\ntemperature = 0x10\n", NULL, MC_ECONFIG,
                 "test.ini:2: [sampling] temperature: '0x10' is not a decimal number");
    expect_error("[run]\nreplicates = 0x10\n", NULL, MC_ECONFIG, "'0x10' is not a decimal number");
    expect_error("[regime]\nn = 0x10\n", NULL, MC_ECONFIG, "'0x10' is not a decimal number");
    expect_error("[sampling]\ntemperature = inf\n", NULL, MC_ECONFIG, "'inf' is not a decimal");
    expect_error("[sampling]\ntemperature = nan\n", NULL, MC_ECONFIG, "'nan' is not a decimal");
    expect_error("[sampling]\ntemperature = 1e308\n", NULL, MC_ECONFIG,
                 "temperature: 1e308 is out of range: must be <= 1e+300");
    expect_error("[sampling]\ntemperature = 1e-320\n", NULL, MC_ECONFIG,
                 "temperature: 1e-320 is out of range: too close to zero");
    expect_error("[regime]\nn = 1e-320\n", NULL, MC_ECONFIG, "'1e-320' is not a whole number");
    expect_error("[regime]\nn = 1e999\n", NULL, MC_ECONFIG, "1e999 does not fit in 64 bits");
}

/* Writes c and reads the text back into a new configuration. */
static mc_config *write_and_read(const mc_config *c, int *status)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    assert_non_null(f);
    *status = mc_config_write(c, f);
    assert_int_equal(fclose(f), 0);
    mc_config *d = mc_config_alloc();
    mc_error err = {0};
    if (*status == MC_OK && mc_config_read_string(d, text, "back.ini", &err) != MC_OK)
        fail_msg("written text does not read: %s\n%s", err.msg, text);
    free(text);
    return d;
}

/* Issue 13, defects 8 and 3: config.ini reproduces the run or the value is refused before the
 * run. Every value below is either refused by mc_config_check_writable() (and by the writer) or
 * written and read back unchanged. */
static void test_write_reads_back_or_refuses(void **state)
{
    (void)state;
    char longlist[1200] = "", longpath[300] = "/data/";
    for (int i = 0; i < 60; i++) /* folds: items ending in ',' or starting with '#' or ';' */
        snprintf(longlist + strlen(longlist), sizeof longlist - strlen(longlist), "%s%s%d",
                 i ? ", " : "", i % 7 == 3 ? "#c" : i % 7 == 5 ? "c," : i % 11 == 4 ? "" : "c", i);
    memset(longpath + 6, 'p', 200);
    const struct {
        const char *value;
        const char *refusal; /* NULL: must read back the same */
    } cases[] = {
        {"exp;v2", NULL},
        {"exp # 2", NULL},
        {"a\tb", NULL},
        {"", NULL},
        {longlist, NULL},
        {"exp ; v2", "has a ';' after white space"},
        {";v2", "has a ';' after white space (or first)"},
        {"exp\t;v2", "has a ';' after white space"},
        {"x\n[run]\nseed = 9", "contains a line break"},
        {"x\rseed", "contains a line break"},
        {" padded", "begins or ends with white space"},
        {longpath, "a value of 206 characters does not fit config.ini"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        mc_config *c = mc_config_alloc();
        mc_error err = {0};
        mc_origin o = {"command line", 0};
        assert_int_equal(mc_config_set(c, "run", "name", cases[i].value, o, &err), MC_OK);
        assert_int_equal(mc_config_set(c, "run", "seed", "5", o, &err), MC_OK);
        int r = mc_config_check_writable(c, &err);
        int w;
        mc_config *d = write_and_read(c, &w);
        if (cases[i].refusal) {
            if (r != MC_ECONFIG || !strstr(err.msg, "command line: run.name: ") ||
                !strstr(err.msg, cases[i].refusal))
                fail_msg("case %zu: want a refusal '%s', got %d '%s'", i, cases[i].refusal, r,
                         err.msg);
            assert_int_equal(w, MC_ERANGE);
        } else {
            if (r != MC_OK || w != MC_OK)
                fail_msg("case %zu: refused: %s", i, err.msg);
            assert_string_equal(mc_config_find(d, "run", "name")->value, cases[i].value);
            assert_string_equal(mc_config_find(d, "run", "seed")->value, "5");
            assert_int_equal(d->n, 2); /* nothing injected */
        }
        mc_config_free(c);
        mc_config_free(d);
    }
    /* through preparation: refused before anything is computed, naming the key */
    const char *semi[] = {"run.name=exp ; v2", NULL};
    expect_error("[run]\ngenerations = 1\n", semi, MC_ECONFIG,
                 "command line: run.name: the value has a ';' after white space");
    char table[320];
    snprintf(table, sizeof table, "world.table=%s", longpath);
    const char *path[] = {"model.family=categorical", table, NULL};
    expect_error("[run]\ngenerations = 1\n", path, MC_ECONFIG,
                 "command line: world.table: a value of 206 characters does not fit config.ini");
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
        cmocka_unit_test(test_did_you_mean),        cmocka_unit_test(test_carriage_returns),
        cmocka_unit_test(test_no_settings),         cmocka_unit_test(test_many_continuation_lines),
        cmocka_unit_test(test_decimal_numbers),
        cmocka_unit_test(test_write_reads_back_or_refuses),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
