/* test_plot.c - reading run directories, the figures (through the series hook, not pixels),
 * the files they are written to, the report and its findings sentences, and bad run
 * directories.
 *
 * Two kinds of runs are used:
 *  - tests/data/run-cats: a hand-made run in the format of docs/OUTPUTS.md (4 grid points,
 *    8 generations, 10 replicates; tests/data/make_run_cats.py wrote it); numbers asserted below
 *    are read off its extinction.csv and summary.csv;
 *  - tiny runs written by write_run() here, whose outcome is set by hand, so the findings
 *    sentences have one right answer.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"
#include "io/textfile.h"
#include "collapse/plot.h"
#include "plot/csvtab.h"
#include "plot/figure.h"
#include "plot/report.h"
#include "plot/rundir.h"

/* ---- helpers ---- */

static char *slurp(const char *path, size_t *len)
{
    char *text;
    size_t n;
    mc_error err;
    if (mc_read_file(path, &text, &n, &err) != MC_OK)
        return NULL;
    if (len)
        *len = n;
    return text;
}

static void spill(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A fresh folder under the test's temporary folder. */
static const char *new_dir(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tu_tmpdir(), name);
    assert_true(mkdir(path, 0777) == 0 || errno == EEXIST);
    return path;
}

/* Copies the hand-made cats run (the files the plots read) into a fresh folder, so that the
 * source tree is never written. */
static const char *copy_fixture(const char *name)
{
    const char *dir = new_dir(name);
    static const char *const files[] = {"summary.json", "points.csv", "config.ini"};
    for (size_t i = 0; i < 3; i++) {
        char src[4096 + 64], dst[512 + 64];
        snprintf(src, sizeof src, "%s/tests/data/run-cats/%s", tu_source_dir(), files[i]);
        snprintf(dst, sizeof dst, "%s/%s", dir, files[i]);
        char *text = slurp(src, NULL);
        assert_non_null(text);
        spill(dst, text);
        free(text);
    }
    return dir;
}

/* What the tiny runs' regimes declare: replace nothing special, fresh uses h. */
static const char *const DECLARES[2] = {
    "\"regime_declares\":{\"uses_h\":false,\"uses_schedule\":false,\"pool_grows\":false,"
    "\"draws_whole\":true,\"draws_subsampled\":false,\"law\":\"model_only\"},",
    "\"regime_declares\":{\"uses_h\":true,\"uses_schedule\":false,\"pool_grows\":false,"
    "\"draws_whole\":true,\"draws_subsampled\":false,\"law\":\"other\"},"};

/* Writes a tiny run of two points (replace, fresh h=0.1), G = 3, R = 4, with one presence
 * metric alive_yellow whose per-generation mean (fraction alive) is given for each point, and
 * a headline metric p_yellow (role share). legacy: as an earlier collapse wrote it, without
 * metric roles and units and without regime_declares. */
static const char *write_run_as(const char *name, const double alive[2][4],
                                const double extinct[2], const double first_q50[2],
                                const char *complete, const char *version, int legacy)
{
    const char *dir = new_dir(name);
    char path[600], buf[16384];
    size_t n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "{\"tool\":\"collapse\",\"version\":\"%s\",\"generator\":\"xoshiro256**\","
                          "\"seed\":42,\"name\":\"tiny\",\"generations\":3,\"replicates\":4,"
                          "\"config\":{},\"axes\":[{\"key\":\"regime.name\",\"values\":"
                          "[\"replace\",\"fresh\"]}],\"points\":[",
                          version);
    static const char *const regimes[] = {"replace", "fresh"};
    for (int p = 0; p < 2; p++) {
        n += (size_t)snprintf(
            buf + n, sizeof buf - n,
            "%s{\"point\":%d,\"label\":\"regime.name=%s\",\"family\":\"categorical\","
            "\"regime\":\"%s\",%s\"params\":{\"regime.name\":\"%s\",\"regime.h\":\"0.1\","
            "\"world.weights\":\"blue=0.9, yellow=0.1\"},"
            "\"metrics\":[{\"name\":\"p_yellow\",\"description\":\"model probability of the "
            "category\",\"direction\":0,\"presence\":false,\"headline\":true,\"subject\":"
            "\"yellow\"%s},{\"name\":\"alive_yellow\",\"description\":\"1 if alive\","
            "\"direction\":1,\"presence\":true,\"headline\":true,\"subject\":\"yellow\"%s}],"
            "\"summary\":{",
            p ? "," : "", p, regimes[p], regimes[p], legacy ? "" : DECLARES[p], regimes[p],
            legacy ? "" : ",\"role\":\"share\",\"unit\":\"probability\"",
            legacy ? "" : ",\"role\":\"presence\",\"unit\":\"\"");
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "\"p_yellow\":{\"n\":[4,4,4,4],\"mean\":[0.1,0.05,0.02,0.01],"
                              "\"sd\":[0.01,0.01,0.01,0.01],\"q05\":[0.08,0.03,0,0],"
                              "\"q50\":[0.1,0.05,0.02,%s],\"q95\":[0.12,0.07,0.04,0.02],"
                              "\"theory_mean\":[\"nan\",\"nan\",\"nan\",\"nan\"]},",
                              p ? "0.09" : "0");
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "\"alive_yellow\":{\"n\":[4,4,4,4],\"mean\":[%g,%g,%g,%g],"
                              "\"sd\":[0,0,0,0],\"q05\":[0,0,0,0],\"q50\":[1,1,0,0],"
                              "\"q95\":[1,1,1,1],\"theory_mean\":[\"nan\",\"nan\",\"nan\",\"nan\"]}},",
                              alive[p][0], alive[p][1], alive[p][2], alive[p][3]);
        char q50[32];
        if (isnan(first_q50[p]))
            snprintf(q50, sizeof q50, "\"nan\"");
        else
            snprintf(q50, sizeof q50, "%g", first_q50[p]);
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "\"extinction\":[{\"category\":\"yellow\",\"metric\":\"alive_yellow\","
                              "\"replicates\":4,\"alive_end\":%g,\"extinct\":%g,\"first_extinct\":"
                              "{\"mean\":%s,\"q05\":%s,\"q50\":%s,\"q95\":%s}}]}",
                              alive[p][3], extinct[p], q50, q50, q50, q50);
    }
    n += (size_t)snprintf(buf + n, sizeof buf - n, "],\"complete\":%s}\n", complete);
    assert_true(n < sizeof buf);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    spill(path, buf);
    snprintf(path, sizeof path, "%s/points.csv", dir);
    spill(path, "point,label,family,regime\n0,regime.name=replace,categorical,replace\n"
                "1,regime.name=fresh,categorical,fresh\n");
    snprintf(path, sizeof path, "%s/config.ini", dir);
    spill(path, "[regime]\nname = replace, fresh\nh = 0.1\n");
    return dir;
}

static const char *write_run(const char *name, const double alive[2][4], const double extinct[2],
                             const double first_q50[2], const char *complete, const char *version)
{
    return write_run_as(name, alive, extinct, first_q50, complete, version, 0);
}

/* A run of one point, G = 3, with the given metrics (name, direction, headline, role, unit),
 * each with values 1, 2, 3, 4 over the generations. */
typedef struct spec {
    const char *name;
    int direction, headline;
    const char *role, *unit;
} spec;

/* What the pipeline regime declares. */
static const char PIPELINE_DECLARES[] =
    "\"regime_declares\":{\"uses_h\":false,\"uses_schedule\":true,\"pool_grows\":false,"
    "\"draws_whole\":false,\"draws_subsampled\":false,\"law\":\"other\"},";

/* The run of one point of regime `regime`, which declares `declares` (a "regime_declares":{..},
 * member), with the settings params ("key":"value", ...). */
static const char *write_point_run(const char *name, const char *regime, const char *declares,
                                   const spec *m, size_t nm, const char *params)
{
    const char *dir = new_dir(name);
    char path[600], buf[16384];
    size_t n = 0;
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "{\"tool\":\"collapse\",\"version\":\"0.1.0\",\"generator\":\"g\",\"seed\":1,"
                          "\"name\":\"%s\",\"generations\":3,\"replicates\":2,\"config\":{},"
                          "\"axes\":[],\"points\":[{\"point\":0,\"label\":\"%s\",\"family\":"
                          "\"ngram\",\"regime\":\"%s\",%s\"params\":{%s},\"metrics\":[",
                          name, name, regime, declares, params);
    for (size_t k = 0; k < nm; k++)
        n += (size_t)snprintf(buf + n, sizeof buf - n,
                              "%s{\"name\":\"%s\",\"description\":\"d\",\"direction\":%d,"
                              "\"presence\":false,\"headline\":%s,\"subject\":\"\",\"role\":"
                              "\"%s\",\"unit\":\"%s\"}",
                              k ? "," : "", m[k].name, m[k].direction,
                              m[k].headline ? "true" : "false", m[k].role, m[k].unit);
    n += (size_t)snprintf(buf + n, sizeof buf - n, "],\"summary\":{");
    for (size_t k = 0; k < nm; k++) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"%s\":{", k ? "," : "", m[k].name);
        static const char *const cols[] = {"n", "mean", "sd", "q05", "q50", "q95", "theory_mean"};
        for (int c = 0; c < 7; c++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, "%s\"%s\":%s", c ? "," : "", cols[c],
                                  c == 2 ? "[0,0,0,0]" : "[1,2,3,4]");
        n += (size_t)snprintf(buf + n, sizeof buf - n, "}");
    }
    n += (size_t)snprintf(buf + n, sizeof buf - n, "},\"extinction\":[]}],\"complete\":true}");
    assert_true(n < sizeof buf);
    snprintf(path, sizeof path, "%s/summary.json", dir);
    spill(path, buf);
    snprintf(path, sizeof path, "%s/points.csv", dir);
    snprintf(buf, sizeof buf, "point,label,family,regime\n0,%s,ngram,%s\n", name, regime);
    spill(path, buf);
    return dir;
}

static const char *write_generic_run(const char *name, const spec *m, size_t nm,
                                     const char *params)
{
    return write_point_run(name, "pipeline", PIPELINE_DECLARES, m, nm, params);
}

static const double ALIVE_KNOWN[2][4] = {{1, 0.5, 0, 0}, {1, 1, 1, 1}};
static const double EXTINCT_KNOWN[2] = {1, 0};
static const double FIRST_KNOWN[2] = {1.5, NAN};

static size_t count_kind(const mc_plot_figure_info *f, mc_plot_series_kind kind, size_t points)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nseries; i++)
        n += f->series[i].kind == kind && f->series[i].points == points;
    return n;
}

static int has_series(const mc_plot_figure_info *f, mc_plot_series_kind kind, const char *name)
{
    for (size_t i = 0; i < f->nseries; i++)
        if (f->series[i].kind == kind && strcmp(f->series[i].name, name) == 0)
            return 1;
    return 0;
}

static int has_finding(const mc_findings *f, const char *needle)
{
    for (size_t i = 0; i < f->n; i++)
        if (strstr(f->v[i], needle))
            return 1;
    return 0;
}

static void expect_finding(const mc_findings *f, const char *needle)
{
    if (!has_finding(f, needle)) {
        for (size_t i = 0; i < f->n; i++)
            fprintf(stderr, "finding: %s\n", f->v[i]);
        fail_msg("no finding contains \"%s\"", needle);
    }
}

/* ---- the CSV reader ---- */

static void test_csv_rfc4180(void **state)
{
    (void)state;
    const char *path = tu_write_file("t.csv", "a,b,c\r\n1,\"x, y\",\"say \"\"hi\"\"\"\r\n"
                                              ",\"two\nlines\",3");
    mc_csvtab *t;
    mc_error err = {0};
    assert_int_equal(mc_csvtab_read(path, &t, &err), MC_OK);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(t->ncols, 3);
    assert_int_equal(mc_csvtab_column(t, "c"), 2);
    assert_int_equal(mc_csvtab_column(t, "d"), -1);
    assert_string_equal(mc_csvtab_get(t, 0, 1), "x, y");
    assert_string_equal(mc_csvtab_get(t, 0, 2), "say \"hi\"");
    assert_string_equal(mc_csvtab_get(t, 1, 0), "");
    assert_string_equal(mc_csvtab_get(t, 1, 1), "two\nlines");
    assert_string_equal(mc_csvtab_get(t, 1, 2), "3");
    mc_csvtab_free(t);
}

static void test_csv_malformed(void **state)
{
    (void)state;
    mc_csvtab *t;
    mc_error err = {0};
    const char *path = tu_write_file("short.csv", "a,b\n1,2\n3\n");
    assert_int_equal(mc_csvtab_read(path, &t, &err), MC_EDATA);
    assert_non_null(strstr(err.msg, "short.csv:3:")); /* the line of the short row */
    path = tu_write_file("quote.csv", "a,b\n1,\"open\n");
    assert_int_equal(mc_csvtab_read(path, &t, &err), MC_EDATA);
    assert_non_null(strstr(err.msg, "unterminated"));
    path = tu_write_file("empty.csv", "");
    assert_int_equal(mc_csvtab_read(path, &t, &err), MC_EDATA);
    assert_int_equal(mc_csvtab_read("/nonexistent/x.csv", &t, &err), MC_EIO);
}

/* ---- reading a run ---- */

static void test_read_fixture(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/data/run-cats", tu_source_dir());
    mc_run *run;
    mc_error err = {0};
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    assert_int_equal(run->generations, 8);
    assert_int_equal(run->replicates, 10);
    assert_int_equal(run->npoints, 4);
    assert_string_equal(run->seed, "7");
    assert_non_null(run->config_ini);
    /* legends: the regime varies, so it leads; fresh's h is not an axis, so it is added */
    assert_string_equal(run->points[1].legend, "replace, temperature=0.8");
    assert_string_equal(run->points[3].legend, "fresh h=0.5, temperature=0.8");
    const mc_run_metric *m = mc_run_metric_find(&run->points[1], "p_yellow");
    assert_non_null(m);
    assert_int_equal(m->headline, 1);
    assert_string_equal(m->subject, "yellow");
    /* summary.csv: 1,8,p_yellow,10,0,0,0,0,0,nan */
    assert_true(m->q50[8] == 0 && isnan(m->theory[8]));
    m = mc_run_metric_find(&run->points[0], "kl");
    assert_true(isinf(m->mean[8]) && m->mean[8] > 0); /* "inf" in JSON */
    assert_true(isnan(m->sd[8]));
    /* extinction.csv: 1,yellow,alive_yellow,10,0,1,2.6,1,2.5,4.55 */
    assert_int_equal(run->points[1].nextinction, 3);
    const mc_run_extinction *x = &run->points[1].extinction[1];
    assert_string_equal(x->category, "yellow");
    assert_true(x->alive_end == 0 && x->extinct == 1 && x->first_q50 == 2.5);
    assert_string_equal(mc_run_point_param(&run->points[2], "regime.h"), "0.5");
    mc_run_free(run);
}

static void expect_bad(const char *dir, int code, const char *needle)
{
    mc_error err = {0};
    mc_run *run = NULL;
    assert_int_equal(mc_run_read(dir, &run, &err), code);
    assert_null(run);
    if (!strstr(err.msg, needle))
        fail_msg("message \"%s\" lacks \"%s\"", err.msg, needle);
    /* the public entry points give the same answer and write nothing */
    assert_int_equal(mc_plot_run(dir, &err), code);
    assert_int_equal(mc_report_write(dir, &err), code);
    char path[600];
    snprintf(path, sizeof path, "%s/report.html", dir);
    assert_int_not_equal(access(path, F_OK), 0);
}

static void test_bad_run_dirs(void **state)
{
    (void)state;
    char path[600];
    expect_bad("/nonexistent/run", MC_EIO, "/nonexistent/run");
    expect_bad(new_dir("empty"), MC_EDATA, "not a finished run directory");
    expect_bad(write_run("incomplete", ALIVE_KNOWN, EXTINCT_KNOWN, FIRST_KNOWN, "false", "0.1.0"),
               MC_EDATA, "incomplete");
    expect_bad(write_run("future", ALIVE_KNOWN, EXTINCT_KNOWN, FIRST_KNOWN, "true", "7.3.0"),
               MC_EDATA, "collapse 7.3.0");
    /* not written by collapse */
    const char *dir = new_dir("alien");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    spill(path, "{\"tool\":\"other\",\"complete\":true}");
    expect_bad(dir, MC_EDATA, "not written by collapse");
    /* malformed JSON, with its line */
    dir = new_dir("broken");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    spill(path, "{\n\"tool\": \"collapse\",\n\"complete\": tru\n}");
    expect_bad(dir, MC_EDATA, "summary.json:3: malformed JSON");
    /* a summary array of the wrong length */
    dir = write_run("short", ALIVE_KNOWN, EXTINCT_KNOWN, FIRST_KNOWN, "true", "0.1.0");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    char *text = slurp(path, NULL);
    char *at = strstr(text, "\"mean\":[0.1,0.05,0.02,0.01]");
    assert_non_null(at);
    memcpy(at, "\"mean\":[0.1,0.05,0.02     ]", strlen("\"mean\":[0.1,0.05,0.02     ]"));
    spill(path, text);
    free(text);
    expect_bad(dir, MC_EDATA, "4 values (generations 0..3)");
    /* points.csv that does not match */
    dir = write_run("points", ALIVE_KNOWN, EXTINCT_KNOWN, FIRST_KNOWN, "true", "0.1.0");
    snprintf(path, sizeof path, "%s/points.csv", dir);
    spill(path, "point,label,family,regime\n0,x,categorical,replace\n");
    expect_bad(dir, MC_EDATA, "points.csv");
    /* a file where the directory should be */
    expect_bad(path, MC_EDATA, "not a directory");
}

/* ---- figures through the hook ---- */

static void test_figure_series(void **state)
{
    (void)state;
    const char *dir = copy_fixture("plot-fixture");
    mc_plot_log *log;
    mc_error err = {0};
    int st = mc_plot_run_log(dir, &log, &err);
    if (st != MC_OK)
        fail_msg("%s", err.msg);
    /* the fixture's 10 value metrics each get a figure; its 3 presence metrics are drawn in
     * "survival"; plus "shares" */
    assert_int_equal(log->nfigures, 12);
    static const char *const metrics[] = {"n", "human_share", "alive", "tail_mass", "p_blue",
                                          "p_yellow", "p_green", "entropy", "kl", "tv"};
    for (size_t i = 0; i < 10; i++) {
        char name[64];
        snprintf(name, sizeof name, "metric-%s", metrics[i]);
        const mc_plot_figure_info *f = mc_plot_log_find(log, name);
        if (!f)
            fail_msg("no figure %s", name);
        /* one median line and one band per grid point, each over generations 0..8 */
        assert_int_equal(count_kind(f, MC_PLOT_LINE, 9), 4);
        assert_int_equal(count_kind(f, MC_PLOT_BAND, 9), 4);
    }
    assert_null(mc_plot_log_find(log, "metric-alive_yellow"));

    /* theory: p_yellow has a closed form at temperature 1 only (points 0 and 2) */
    const mc_plot_figure_info *f = mc_plot_log_find(log, "metric-p_yellow");
    assert_int_equal(count_kind(f, MC_PLOT_THEORY, 9), 2);
    assert_true(has_series(f, MC_PLOT_THEORY, "replace, temperature=1: theory"));
    assert_true(has_series(f, MC_PLOT_THEORY, "fresh h=0.5, temperature=1: theory"));
    assert_true(has_series(f, MC_PLOT_LINE, "fresh h=0.5, temperature=0.8"));
    assert_int_equal(count_kind(mc_plot_log_find(log, "metric-kl"), MC_PLOT_THEORY, 9), 0);

    /* survival: blue is alive everywhere (extinction.csv: extinct 0 at every point), so only
     * yellow and green get panels, each with one line per point */
    f = mc_plot_log_find(log, "survival");
    assert_non_null(f);
    assert_int_equal(f->nseries, 8);
    assert_int_equal(count_kind(f, MC_PLOT_LINE, 9), 8);
    for (size_t i = 0; i < f->nseries; i++)
        assert_true(f->series[i].panel == 0 || f->series[i].panel == 1);

    /* shares: per point (panel) three stacked layers and two world boundaries */
    f = mc_plot_log_find(log, "shares");
    assert_non_null(f);
    assert_int_equal(count_kind(f, MC_PLOT_AREA, 9), 12);
    assert_int_equal(count_kind(f, MC_PLOT_THEORY, 9), 8);
    assert_true(has_series(f, MC_PLOT_AREA, "yellow"));
    mc_plot_log_free(log);
}

/* The figure of a metric with a closed form draws the mean with mean +- 1.96 sd / sqrt(n) and
 * the theory, and says so; one without draws the median with its 5-95 % band; y labels are the
 * description in words with the unit once. */
static const mc_figure *figure_named(mc_figure **figs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(figs[i]->name, name) == 0)
            return figs[i];
    fail_msg("no figure %s", name);
    return figs[0]; /* not reached */
}

static const mc_fig_series *series_of(const mc_figure *f, mc_plot_series_kind kind, size_t k)
{
    for (size_t i = 0; i < f->nseries; i++)
        if (f->series[i].kind == kind && k-- == 0)
            return &f->series[i];
    fail_msg("%s: too few series of kind %d", f->name, (int)kind);
    return &f->series[0]; /* not reached */
}

static void test_figure_statistic(void **state)
{
    (void)state;
    const char *dir = copy_fixture("plot-statistic");
    mc_run *run;
    mc_error err = {0};
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    mc_figure **figs;
    size_t n;
    assert_int_equal(mc_plot_figures(run, &figs, &n, &err), MC_OK);
    /* p_yellow has a closed form (points 0 and 2): the mean, +-1.96 SE, the theory */
    const mc_figure *f = figure_named(figs, n, "metric-p_yellow");
    assert_non_null(strstr(f->subtitle, "mean across replicates, +-1.96 SE band"));
    assert_non_null(strstr(f->caption, "the mean over"));
    const mc_run_metric *m = mc_run_metric_find(&run->points[0], "p_yellow");
    const mc_fig_series *band = series_of(f, MC_PLOT_BAND, 0), *line = series_of(f, MC_PLOT_LINE, 0);
    for (size_t g = 0; g < band->n; g++) {
        double se = m->sd[g] / sqrt(m->n[g]);
        assert_true(line->y[g] == m->mean[g]);
        assert_true(fabs(band->y[g] - (m->mean[g] - 1.96 * se)) <= 1e-12);
        assert_true(fabs(band->y2[g] - (m->mean[g] + 1.96 * se)) <= 1e-12);
    }
    assert_int_equal(f->nextra, 2);
    assert_string_equal(f->extra[0].name, "mean +-1.96 SE (its 95 % interval)");
    /* kl has none: the median and 5-95 % of replicates, no theory */
    f = figure_named(figs, n, "metric-kl");
    m = mc_run_metric_find(&run->points[1], "kl");
    assert_non_null(strstr(f->subtitle, "median across replicates, 5-95 % band"));
    band = series_of(f, MC_PLOT_BAND, 1);
    line = series_of(f, MC_PLOT_LINE, 1);
    for (size_t g = 0; g < band->n; g++)
        assert_true(line->y[g] == m->q50[g] && band->y[g] == m->q05[g] && band->y2[g] == m->q95[g]);
    for (size_t i = 0; i < f->nseries; i++)
        assert_int_not_equal(f->series[i].kind, MC_PLOT_THEORY);
    /* y labels: words and the unit once; a long description is cut at its first clause */
    assert_string_equal(figure_named(figs, n, "metric-entropy")->panels[0].ylabel,
                        "Shannon entropy of the model (nats)");
    assert_string_equal(figure_named(figs, n, "metric-kl")->panels[0].ylabel,
                        "KL(world || model) (nats)");
    assert_string_equal(figure_named(figs, n, "metric-tail_mass")->panels[0].ylabel,
                        "model probability of the world's tail categories (fraction)");
    assert_string_equal(figure_named(figs, n, "metric-p_blue")->panels[0].ylabel,
                        "model probability of blue");
    assert_string_equal(figure_named(figs, n, "metric-tv")->panels[0].ylabel,
                        "total variation distance to the world");
    mc_plot_figures_free(figs, n);
    mc_run_free(run);
}

/* The family- and regime-specific figures appear when metrics of their roles exist: heldout-fit
 * (two panels: the value and its ratio to generation 0), pipeline (workforce, human share and
 * the damage metric: the first headline metric with a direction) and spread (a spread ratio). */
static void test_special_figures(void **state)
{
    (void)state;
    const spec metrics[] = {{"n", 0, 0, "size", "samples"},
                            {"human_share", 1, 0, "human_share", "fraction"},
                            {"workforce", 1, 0, "workforce", "people"},
                            {"heldout_ppl", -1, 1, "heldout_fit", "perplexity"},
                            {"distinct_2", 1, 0, "diversity", "fraction"},
                            {"var_ratio", 0, 0, "spread", "ratio"},
                            {"p_a/<&>b", 0, 1, "share", "probability"}};
    const char *dir = write_generic_run("special", metrics, 7, "");
    mc_plot_log *log;
    mc_error err = {0};
    int st = mc_plot_run_log(dir, &log, &err);
    if (st != MC_OK)
        fail_msg("%s", err.msg);
    const mc_plot_figure_info *f = mc_plot_log_find(log, "heldout-fit");
    assert_non_null(f);
    assert_true(has_series(f, MC_PLOT_LINE, "pipeline"));
    size_t ratio_lines = 0;
    for (size_t i = 0; i < f->nseries; i++)
        ratio_lines += f->series[i].panel == 1 && f->series[i].kind == MC_PLOT_LINE;
    assert_int_equal(ratio_lines, 1);
    assert_int_equal(f->logy, 0); /* 1..4 spans less than two decades */
    f = mc_plot_log_find(log, "human-pipeline");
    assert_non_null(f);
    int panels[3] = {0, 0, 0};
    for (size_t i = 0; i < f->nseries; i++) {
        assert_true(f->series[i].panel >= 0 && f->series[i].panel < 3);
        panels[f->series[i].panel] += f->series[i].kind == MC_PLOT_LINE;
    }
    assert_true(panels[0] == 1 && panels[1] == 1 && panels[2] == 1);
    assert_non_null(strstr(f->title, "pipeline"));
    assert_false(has_series(f, MC_PLOT_THEORY, "healthy threshold"));
    /* no categorical figures for a run without categories */
    assert_null(mc_plot_log_find(log, "shares"));
    assert_null(mc_plot_log_find(log, "survival"));
    /* spread: the world's density and the model's at generations 0, 1, 2, 3 (G = 3) */
    f = mc_plot_log_find(log, "spread");
    assert_non_null(f);
    assert_int_equal(count_kind(f, MC_PLOT_THEORY, 201), 1);
    assert_int_equal(count_kind(f, MC_PLOT_LINE, 201), 4);
    assert_true(has_series(f, MC_PLOT_LINE, "g = 3"));
    /* a name from user data (a category) is made safe for a file name and for HTML */
    assert_non_null(mc_plot_log_find(log, "metric-p_a____b"));
    assert_int_equal(log->nfigures, 3 + 7);
    mc_plot_log_free(log);
    assert_int_equal(mc_report_write(dir, &err), MC_OK);
    char path[600];
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = slurp(path, NULL);
    assert_non_null(html);
    assert_null(strstr(html, "<&>"));
    assert_non_null(strstr(html, "p_a/&lt;&amp;&gt;b"));
    free(html);
}

/* With regime.healthy, the pipeline figure's damage panel is the metric it watches, with its
 * threshold ("alive(x)" names alive_x). */
static void test_pipeline_healthy(void **state)
{
    (void)state;
    /* the regime's bookkeeping under names the presentation has never seen: found by role */
    const spec metrics[] = {{"workforce", 1, 1, "workforce", "people"},
                            {"human_share", 1, 0, "human_share", "fraction"},
                            {"heldout_ppl", -1, 1, "heldout_fit", "perplexity"},
                            {"alive_yellow", 0, 0, "presence", ""},
                            {"lowest_so_far", 0, 0, "watched_minimum", ""},
                            {"harm_began", 0, 0, "damage_generation", "generation"},
                            {"warning", 1, 0, "lead_time", "generations"},
                            {"healed_after", -1, 0, "recovery", "generations"}};
    const char *dir = write_generic_run("healthy", metrics, 8,
                                        "\"regime.healthy\":\"alive(yellow) >= 2.5\"");
    mc_plot_log *log;
    mc_error err = {0};
    assert_int_equal(mc_plot_run_log(dir, &log, &err), MC_OK);
    const mc_plot_figure_info *f = mc_plot_log_find(log, "human-pipeline");
    assert_non_null(f);
    assert_true(has_series(f, MC_PLOT_THEORY, "healthy threshold"));
    for (size_t i = 0; i < f->nseries; i++)
        if (strcmp(f->series[i].name, "healthy threshold") == 0)
            assert_int_equal(f->series[i].panel, 2);
    mc_plot_log_free(log);
    mc_run *run;
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    /* the damage panel shows alive_yellow (values 1..4), not the headline heldout_ppl */
    mc_figure **figs;
    size_t n;
    assert_int_equal(mc_plot_figures(run, &figs, &n, &err), MC_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(figs[i]->name, "human-pipeline") == 0)
            assert_string_equal(figs[i]->panels[2].title, "alive_yellow");
    mc_plot_figures_free(figs, n);
    /* the pipeline's story in a sentence: every metric's median at G = 3 is 4 here */
    mc_findings fd;
    assert_int_equal(mc_report_findings(run, &fd), MC_OK);
    expect_finding(&fd, "Human pipeline (healthy: alive(yellow) >= 2.5), medians over replicates: "
                        "under pipeline the watched metric fell to 4 at worst, damage began at "
                        "generation 4, the alarm came 4 generations before it, and health "
                        "returned 4 generations after the damage began.");
    mc_findings_free(&fd);
    mc_run_free(run);
}

/* metrics.every = 3 over G = 7: a metric's line has the measured generations 0, 3, 6, 7 only
 * (joined), one measured at every generation (human_share) keeps all eight. */
static size_t line_points(mc_figure **figs, size_t n, const char *fig, const double **x)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(figs[i]->name, fig) == 0)
            for (size_t k = 0; k < figs[i]->nseries; k++)
                if (figs[i]->series[k].kind == MC_PLOT_LINE) {
                    *x = figs[i]->series[k].x;
                    return figs[i]->series[k].n;
                }
    fail_msg("no line in figure %s", fig);
    return 0;
}

static void test_metrics_every_joined(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare("[world]\nweights = a=0.6, b=0.3, c=0.1\n[metrics]\nevery = 3\n"
                                  "[run]\ngenerations = 7\nreplicates = 3\n", NULL);
    char dir[700];
    snprintf(dir, sizeof dir, "%s/every", tu_tmpdir());
    mc_run_dir_opts o = {.dir = dir};
    mc_run_dir_result res;
    mc_error err = {0};
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_OK);
    mc_experiment_free(e);
    mc_run *run;
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    assert_int_equal(run->metrics_every, 3);
    mc_figure **figs;
    size_t n;
    assert_int_equal(mc_plot_figures(run, &figs, &n, &err), MC_OK);
    const double *x = NULL;
    assert_int_equal(line_points(figs, n, "metric-entropy", &x), 4);
    const double want[] = {0, 3, 6, 7};
    for (int k = 0; k < 4; k++)
        assert_true(x[k] == want[k]);
    assert_int_equal(line_points(figs, n, "metric-human_share", &x), 8);
    mc_plot_figures_free(figs, n);
    mc_run_free(run);
}

/* The y scale: logarithmic exactly when every finite value is positive and they span two
 * decades; NaN points are not drawn; infinite ones are (at the edge). */
static void test_figure_scale(void **state)
{
    (void)state;
    double x[4] = {0, 1, 2, 3};
    double wide[4] = {1e-4, 1e-3, 1e-2, 0.5}, narrow[4] = {0.1, 0.2, 0.5, 0.9};
    double zero[4] = {0, 1e-3, 1e-2, 0.5}, gaps[4] = {1, NAN, INFINITY, 2};
    const double *ys[] = {wide, narrow, zero, gaps};
    const int expect_log[] = {1, 0, 0, 0};
    const size_t expect_points[] = {4, 4, 4, 3};
    for (int c = 0; c < 4; c++) {
        mc_figure *fig = mc_fig_alloc("t", 1, 1);
        assert_non_null(fig);
        assert_int_equal(mc_fig_add(fig, 0, MC_PLOT_LINE, "s", mc_plot_point_color(0), 1, 4, x,
                                    ys[c], NULL),
                         MC_OK);
        mc_plot_figure_info info;
        assert_int_equal(mc_fig_info(fig, &info), MC_OK);
        assert_int_equal(info.logy, expect_log[c]);
        assert_int_equal(info.series[0].points, expect_points[c]);
        free(info.series);
        mc_fig_free(fig);
    }
}

/* Colours: distinct per point up to the palette's 8, and Okabe-Ito's own colour for a
 * category named after it. */
static void test_palette(void **state)
{
    (void)state;
    char a[8], b[8];
    for (size_t i = 0; i < 8; i++)
        for (size_t j = i + 1; j < 8; j++)
            assert_string_not_equal(mc_rgb_hex(mc_plot_point_color(i), a),
                                    mc_rgb_hex(mc_plot_point_color(j), b));
    assert_string_equal(mc_rgb_hex(mc_plot_category_color("yellow", 0), a), "#f0e442");
    assert_string_equal(mc_rgb_hex(mc_plot_category_color("blue", 2), a), "#0072b2");
}

/* The acceptance test for declared capabilities: metrics and regimes the presentation
 * has never heard of get the right figures from what they declare, and a familiar name with
 * another role gets nothing special. */
static void test_declared_capabilities(void **state)
{
    (void)state;
    const spec metrics[] = {{"xyz_fit", -1, 0, "heldout_fit", "bits"},
                            {"wobble", 0, 0, "spread", "ratio"},
                            {"drift", -1, 0, "location", ""},
                            {"heldout_ppl", -1, 1, "other", ""},
                            {"var_ratio", 0, 0, "spread", "nats"},
                            {"crew", 1, 0, "workforce", "people"}};
    const char *declares =
        "\"regime_declares\":{\"uses_h\":true,\"uses_schedule\":false,\"pool_grows\":false,"
        "\"draws_whole\":true,\"draws_subsampled\":false,\"law\":\"other\"},";
    const char *dir = write_point_run("declared", "zzz", declares, metrics, 6,
                                      "\"regime.h\":\"0.3\",\"world.dim\":\"1\"");
    mc_run *run;
    mc_error err = {0};
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    /* a regime named zzz that declares uses_h has h in its legend */
    assert_string_equal(run->points[0].legend, "zzz h=0.3");
    assert_int_equal(run->points[0].declares.uses_h, 1);
    assert_string_equal(run->points[0].declares.law, "other");
    mc_figure **figs;
    size_t n;
    assert_int_equal(mc_plot_figures(run, &figs, &n, &err), MC_OK);
    const mc_figure *heldout = NULL, *spread = NULL, *pipeline = NULL, *fit = NULL;
    for (size_t i = 0; i < n; i++) {
        const char *name = figs[i]->name;
        heldout = strcmp(name, "heldout-fit") == 0 ? figs[i] : heldout;
        spread = strcmp(name, "spread") == 0 ? figs[i] : spread;
        pipeline = strcmp(name, "human-pipeline") == 0 ? figs[i] : pipeline;
        fit = strcmp(name, "metric-xyz_fit") == 0 ? figs[i] : fit;
    }
    /* xyz_fit (role heldout_fit) gets the held-out figure, its unit on the y axis; heldout_ppl
     * (role other, a headline) does not */
    assert_non_null(heldout);
    assert_string_equal(heldout->panels[0].ylabel, "d (bits)"); /* its description, "d" */
    assert_non_null(strstr(heldout->title, "xyz_fit"));
    assert_null(strstr(heldout->title, "heldout_ppl"));
    assert_non_null(fit);
    assert_string_equal(fit->panels[0].ylabel, "d (bits)");
    /* the spread figure draws wobble (spread, unit ratio; not var_ratio, whose unit is nats),
     * moved by drift (location) in 1-D: var 1..4, shift sqrt(1..4) / sigma (sigma unknown here:
     * not moved) */
    assert_non_null(spread);
    assert_non_null(strstr(spread->caption, "(wobble)"));
    /* a workforce under any name makes the pipeline figure */
    assert_non_null(pipeline);
    assert_string_equal(pipeline->panels[0].title, "crew");
    assert_string_equal(pipeline->panels[0].ylabel, "d (people)");
    mc_plot_figures_free(figs, n);
    mc_run_free(run);
}

/* A run written before roles, units and regime_declares were recorded is read: presence
 * metrics keep their role, the rest are "other", the regime declares nothing (so no h in the
 * legend); the extinction story is still told. A role or declaration of the wrong type is
 * refused with the file and the key. */
static void test_legacy_and_bad_roles(void **state)
{
    (void)state;
    const char *dir =
        write_run_as("legacy", ALIVE_KNOWN, EXTINCT_KNOWN, FIRST_KNOWN, "true", "0.1.0", 1);
    mc_run *run;
    mc_error err = {0};
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    assert_int_equal(mc_run_metric_find(&run->points[0], "alive_yellow")->role, MC_ROLE_PRESENCE);
    assert_int_equal(mc_run_metric_find(&run->points[0], "p_yellow")->role, MC_ROLE_OTHER);
    assert_string_equal(mc_run_metric_find(&run->points[0], "p_yellow")->unit, "");
    assert_int_equal(run->points[1].declares.legacy, 1);
    assert_string_equal(run->points[1].legend, "fresh");
    mc_findings f;
    assert_int_equal(mc_report_findings(run, &f), MC_OK);
    expect_finding(&f, "went extinct in 100 % of replicates by generation 2 under replace");
    mc_findings_free(&f);
    mc_run_free(run);
    mc_plot_log *log;
    assert_int_equal(mc_plot_run_log(dir, &log, &err), MC_OK);
    assert_non_null(mc_plot_log_find(log, "survival"));
    mc_plot_log_free(log);

    static const struct {
        const char *from, *to, *needle;
    } breaks[] = {
        {"\"role\":\"share\"", "\"role\":7", "\"role\" and \"unit\" must be strings"},
        {"\"unit\":\"probability\"", "\"unit\":null", "\"role\" and \"unit\" must be strings"},
        {"\"uses_h\":true", "\"uses_h\":1", "\"regime_declares\".\"uses_h\" must be true or false"},
        {"\"law\":\"other\"", "\"law\":2", "\"law\" is missing or not a string"},
    };
    for (size_t k = 0; k < sizeof breaks / sizeof breaks[0]; k++) {
        char name[32], path[600];
        snprintf(name, sizeof name, "badrole%zu", k);
        dir = write_run(name, ALIVE_KNOWN, EXTINCT_KNOWN, FIRST_KNOWN, "true", "0.1.0");
        snprintf(path, sizeof path, "%s/summary.json", dir);
        char *text = slurp(path, NULL), *at = strstr(text, breaks[k].from);
        assert_non_null(at);
        char fixed[16384];
        snprintf(fixed, sizeof fixed, "%.*s%s%s", (int)(at - text), text, breaks[k].to,
                 at + strlen(breaks[k].from));
        spill(path, fixed);
        free(text);
        expect_bad(dir, MC_EDATA, breaks[k].needle);
        expect_bad(dir, MC_EDATA, "summary.json: points[");
    }
}

/* ---- files ---- */

static void check_png(const char *path)
{
    size_t len;
    unsigned char *p = (unsigned char *)slurp(path, &len);
    if (!p)
        fail_msg("%s missing", path);
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    assert_true(len > 1000);
    assert_memory_equal(p, sig, 8);
    assert_memory_equal(p + 12, "IHDR", 4);
    unsigned w = (unsigned)p[16] << 24 | p[17] << 16 | p[18] << 8 | p[19];
    unsigned h = (unsigned)p[20] << 24 | p[21] << 16 | p[22] << 8 | p[23];
    assert_int_equal(w, 1520); /* 760 units at twice the resolution */
    assert_true(h >= 600 && h <= 4000);
    free(p);
}

static void test_plot_files(void **state)
{
    (void)state;
    const char *dir = copy_fixture("plot-files");
    mc_plot_log *log;
    mc_error err = {0};
    assert_int_equal(mc_plot_run_log(dir, &log, &err), MC_OK);
    for (size_t i = 0; i < log->nfigures; i++) {
        char path[700];
        snprintf(path, sizeof path, "%s/plots/%s.png", dir, log->figures[i].name);
        check_png(path);
        snprintf(path, sizeof path, "%s/plots/%s.svg", dir, log->figures[i].name);
        char *svg = slurp(path, NULL);
        assert_non_null(svg);
        assert_true(strncmp(svg, "<?xml", 5) == 0);
        assert_non_null(strstr(svg, "<svg"));
        assert_non_null(strstr(svg, "</svg>"));
        free(svg);
    }
    /* nothing temporary left behind (files are renamed into place) */
    char cmd[700];
    snprintf(cmd, sizeof cmd, "ls -A %s/plots | grep -q '^\\.'", dir); /* .NAME.XXXXXX */
    assert_int_not_equal(system(cmd), 0);
    mc_plot_log_free(log);
    /* drawing again replaces the files */
    assert_int_equal(mc_plot_run(dir, &err), MC_OK);
}

static void test_plot_unwritable(void **state)
{
    (void)state;
    const char *dir = copy_fixture("plot-unwritable");
    char path[600];
    snprintf(path, sizeof path, "%s/plots", dir);
    spill(path, "a file where the plots folder should be");
    mc_error err = {0};
    assert_int_equal(mc_plot_run(dir, &err), MC_EIO);
    assert_non_null(strstr(err.msg, "plots"));
}

/* ---- findings and the report ---- */

/* The tiny run: yellow dies in every replicate under replace (alive 1, 0.5, 0, 0: all dead
 * from generation 2) and never under fresh. */
static void test_findings_known(void **state)
{
    (void)state;
    const char *dir = write_run("known", ALIVE_KNOWN, EXTINCT_KNOWN, FIRST_KNOWN, "true", "0.1.0");
    mc_run *run;
    mc_error err = {0};
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    mc_findings f;
    assert_int_equal(mc_report_findings(run, &f), MC_OK);
    assert_true(f.n >= 2);
    assert_string_equal(f.v[0], "yellow (10 % of the world) went extinct in 100 % of replicates "
                                "by generation 2 under replace; and in 0 % under fresh h=0.1.");
    expect_finding(&f, "p_yellow (model probability of the category: yellow), median over "
                       "replicates: 0.1 at generation 0; at generation 3: 0 under replace and "
                       "0.09 under fresh h=0.1.");
    mc_findings_free(&f);
    mc_run_free(run);

    /* partial extinction with revival: 25 % alive at the end but 75 % ever extinct */
    const double alive[2][4] = {{1, 0.5, 0.25, 0.25}, {1, 1, 1, 0.5}};
    const double extinct[2] = {0.75, 0.5}, first[2] = {1.5, 3};
    dir = write_run("partial", alive, extinct, first, "true", "0.1.0");
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    assert_int_equal(mc_report_findings(run, &f), MC_OK);
    assert_string_equal(f.v[0], "yellow (10 % of the world) went extinct in 75 % of replicates "
                                "(median first extinction at generation 1.5) under replace; and "
                                "in 50 % of replicates (median first extinction at generation 3) "
                                "under fresh h=0.1.");
    mc_findings_free(&f);
    mc_run_free(run);
}

/* The theory check leaves out the point-generations whose replicates are too skewed for their
 * mean to be compared (Cochran's rule, n < 25 G1^2) and says how many; the others count. Metric
 * m, 100 replicates, theory 1 at generations 1..3: at g = 1 the mean is on it, at g = 2 it is 10
 * standard errors off with skewness 0.5 (compared: outside), at g = 3 as far off with skewness 3
 * (25 * 9 = 225 > 100: left out). A run directory without `skew` (older) compares everything. */
static void test_findings_theory_skew(void **state)
{
    (void)state;
    for (int with_skew = 1; with_skew >= 0; with_skew--) {
        const char *dir = new_dir(with_skew ? "skewed" : "noskew");
        char path[600], buf[4096];
        snprintf(buf, sizeof buf,
                 "{\"tool\":\"collapse\",\"version\":\"0.1.0\",\"generator\":\"g\",\"seed\":1,"
                 "\"name\":\"t\",\"generations\":3,\"replicates\":100,\"config\":{},\"axes\":[],"
                 "\"points\":[{\"point\":0,\"label\":\"t\",\"family\":\"gaussian\",\"regime\":"
                 "\"replace\",\"params\":{},\"metrics\":[{\"name\":\"m\",\"description\":\"d\","
                 "\"direction\":0,\"presence\":false,\"headline\":false,\"subject\":\"\"}],"
                 "\"summary\":{\"m\":{\"n\":[100,100,100,100],\"mean\":[1,1,2,2],"
                 "\"sd\":[1,1,1,1],\"q05\":[0,0,0,0],\"q50\":[1,1,2,2],\"q95\":[3,3,4,4],"
                 "\"theory_mean\":[\"nan\",1,1,1]%s}},\"extinction\":[]}],\"complete\":true}",
                 with_skew ? ",\"skew\":[0.5,0.5,0.5,3]" : "");
        snprintf(path, sizeof path, "%s/summary.json", dir);
        spill(path, buf);
        snprintf(path, sizeof path, "%s/points.csv", dir);
        spill(path, "point,label,family,regime\n0,t,gaussian,replace\n");
        mc_run *run;
        mc_error err = {0};
        assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
        mc_findings f;
        assert_int_equal(mc_report_findings(run, &f), MC_OK);
        if (with_skew) {
            expect_finding(&f, "closed-form expectation at m 1 of 2 (point-generations");
            expect_finding(&f, "1 point-generation with a closed form was left out");
        } else {
            expect_finding(&f, "closed-form expectation at m 1 of 3 (point-generations");
            assert_false(has_finding(&f, "left out"));
        }
        mc_findings_free(&f);
        mc_run_free(run);
    }
}

/* The hand-made cats run: numbers from its extinction.csv (point 1: yellow extinct 1, and its
 * alive_yellow mean in summary.csv is 0 from generation 5 on; point 3: extinct 0.5, alive_end
 * 0.9, first extinction median 7). */
static void test_findings_fixture(void **state)
{
    (void)state;
    char dir[512];
    snprintf(dir, sizeof dir, "%s/tests/data/run-cats", tu_source_dir());
    mc_run *run;
    mc_error err = {0};
    assert_int_equal(mc_run_read(dir, &run, &err), MC_OK);
    mc_findings f;
    assert_int_equal(mc_report_findings(run, &f), MC_OK);
    expect_finding(&f, "yellow (9 % of the world) went extinct in 100 % of replicates by "
                       "generation 5 under replace, temperature=0.8;");
    expect_finding(&f, "in 50 % of replicates (median first extinction at generation 7) under "
                       "fresh h=0.5, temperature=0.8, and was alive again at generation 8 in 90 %");
    expect_finding(&f, "blue (90 % of the world) was never extinct");
    /* the closed form of p_* (the world's share at temperature 1) holds at every generation */
    expect_finding(&f, "p_yellow 18 of 18");
    mc_findings_free(&f);
    mc_run_free(run);
}

static void test_report(void **state)
{
    (void)state;
    const char *dir = copy_fixture("report");
    mc_error err = {0};
    int st = mc_report_write(dir, &err);
    if (st != MC_OK)
        fail_msg("%s", err.msg);
    char path[600];
    snprintf(path, sizeof path, "%s/report.html", dir);
    char *html = slurp(path, NULL);
    assert_non_null(html);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(html, "</html>"));
    /* self-contained: no scripts, no external resources */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<link"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "url(http"));
    assert_null(strstr(html, "href=\"http"));
    /* one inline SVG per figure, ids prefixed per figure, no XML prolog inside HTML */
    size_t nsvg = 0;
    for (const char *p = html; (p = strstr(p, "<svg ")); p++)
        nsvg++;
    assert_int_equal(nsvg, 12);
    assert_null(strstr(html, "<?xml"));
    assert_null(strstr(html, "id=\"glyph"));
    assert_non_null(strstr(html, "id=\"f0-glyph"));
    assert_non_null(strstr(html, "href=\"#f11-glyph"));
    /* what was run, the findings, the table, print CSS */
    assert_non_null(strstr(html, "seed 7"));
    assert_non_null(strstr(html, "weights = blue=0.9, yellow=0.09, green=0.01"));
    assert_non_null(strstr(html, "went extinct in 100 % of replicates by generation 5 under "
                                 "replace, temperature=0.8"));
    assert_non_null(strstr(html, "<th>g = 8</th>"));
    assert_non_null(strstr(html, "@media print{@page{size:A4"));
    /* no links to figure files that were never drawn ... */
    assert_null(strstr(html, "href=\"plots/"));
    free(html);
    /* ... and links once they are */
    assert_int_equal(mc_plot_run(dir, &err), MC_OK);
    assert_int_equal(mc_report_write(dir, &err), MC_OK);
    html = slurp(path, NULL);
    assert_non_null(strstr(html, "<a href=\"plots/metric-kl.png\">PNG</a>"));
    free(html);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_rfc4180),      cmocka_unit_test(test_csv_malformed),
        cmocka_unit_test(test_read_fixture),     cmocka_unit_test(test_bad_run_dirs),
        cmocka_unit_test(test_figure_series),    cmocka_unit_test(test_figure_statistic),    cmocka_unit_test(test_figure_scale),
        cmocka_unit_test(test_palette),          cmocka_unit_test(test_special_figures),
        cmocka_unit_test(test_pipeline_healthy),          cmocka_unit_test(test_plot_files),
        cmocka_unit_test(test_plot_unwritable),  cmocka_unit_test(test_findings_known),
        cmocka_unit_test(test_findings_fixture), cmocka_unit_test(test_findings_theory_skew),
        cmocka_unit_test(test_report),           cmocka_unit_test(test_declared_capabilities),
        cmocka_unit_test(test_legacy_and_bad_roles), cmocka_unit_test(test_metrics_every_joined),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    mc_plot_release(); /* cairo's and fontconfig's caches, for the leak checker */
    if (!failed) { /* keep the files of a failed run for a look */
        char cmd[600];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", tu_tmpdir());
        if (system(cmd) != 0)
            fprintf(stderr, "test_plot: could not remove %s\n", tu_tmpdir());
    }
    return failed;
}
