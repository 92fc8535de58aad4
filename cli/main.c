/* main.c - the `collapse` command line: argument parsing, printing and exit codes only.
 * Everything else is a libcollapse call. Exit status: 0 ok, 1 runtime failure, 2 usage/config. */
#include <errno.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "collapse.h"
#include "cli.h"
#include "plot_cmd.h"
#include "need_cmd.h"
#include "collapse/plot.h"

static void usage_main(FILE *f)
{
    fprintf(f,
            "collapse %s - a laboratory for model collapse\n"
            "\n"
            "A model is fit to data; its samples become the next generation's training data; over\n"
            "generations the rare things vanish. collapse runs such experiments: a world, a model\n"
            "family, a data regime, sampling settings, for G generations x R replicates x a grid.\n"
            "\n"
            "usage:\n"
            "  collapse run [PRESET|FILE.ini] [section.key=value ...] [-o DIR] [--threads N]\n"
            "               [--seed S] [--quiet]\n"
            "  collapse theory [PRESET|FILE.ini] [section.key=value ...]\n"
            "  collapse need [PRESET|FILE.ini] --target \"alive(yellow) >= 0.95\" --at G\n"
            "               smallest fresh human fraction h meeting the target\n"
            "  collapse plot DIR            redraw the plots of a finished run (DIR/plots/)\n"
            "  collapse report DIR          rewrite DIR/report.html\n"
            "  collapse presets [NAME]      list the built-in presets, or print one\n"
            "  collapse --help | --version\n"
            "\n"
            "Run `collapse run --help` for the configuration keys.\n",
            MC_VERSION);
}

static void print_keys(FILE *f, const mc_key *t)
{
    for (; t && t->name; t++) {
        char k[96], help[1024];
        snprintf(k, sizeof k, "%s.%s", t->section, t->name);
        fprintf(f, "  %-26s %s%s%s%s\n", k, mc_key_help(t, help, sizeof help),
                t->dflt ? " [default: " : "",
                t->dflt ? t->dflt : "", t->dflt ? "]" : "");
    }
}

static void usage_run(FILE *f)
{
    fprintf(f,
            "usage: collapse run [PRESET|FILE.ini] [section.key=value ...] [options]\n"
            "\n"
            "Runs an experiment (default: the `cats` preset) and writes config.ini, points.csv,\n"
            "metrics.csv, summary.csv, extinction.csv and summary.json into DIR.\n"
            "A value with commas (\"replace, fresh\") is a grid axis: every combination runs.\n"
            "\n"
            "options:\n"
            "  -o, --output DIR   output folder (default results/NAME-YYYYmmdd-HHMMSS)\n"
            "  --threads N        worker threads (default: all cores); results do not depend on it\n"
            "  --seed S           same as run.seed=S\n"
            "  --quiet            no progress on stderr\n"
            "  --no-plots         do not draw DIR/plots/ and DIR/report.html at the end\n"
            "\n"
            "engine keys:\n");
    print_keys(f, mc_engine_keys);
    for (size_t i = 0; mc_families[i]; i++) {
        fprintf(f, "\nmodel.family = %s: %s\n", mc_families[i]->name, mc_families[i]->description);
        print_keys(f, mc_families[i]->keys);
    }
    fprintf(f, "\nregimes (regime.name):\n");
    for (size_t i = 0; mc_regimes[i]; i++) {
        fprintf(f, "  %-22s %s\n", mc_regimes[i]->name, mc_regimes[i]->description);
        print_keys(f, mc_regimes[i]->keys);
    }
}

static int fail(const mc_error *err)
{
    fprintf(stderr, "collapse: %s\n", err->msg);
    return mc_exit_status(err->code);
}

static int regular_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* Loads PRESET|FILE (or the default preset) and the overrides into a new configuration. */
int mc_cli_load(const char *source, char **overrides, int noverrides, const char *seed,
                mc_config **out, mc_error *err)
{
    mc_config *c = mc_config_alloc();
    if (!c)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = MC_OK;
    const char *name = source ? source : "cats";
    /* a path, an .ini name or an existing regular file is a file; anything else a preset name */
    int is_file = source && (strchr(source, '/') || strstr(source, ".ini") || regular_file(source));
    if (is_file) {
        r = mc_config_read_file(c, source, err);
    } else {
        const mc_preset *p = mc_preset_lookup(name);
        if (!p) {
            const char *names[256];
            size_t n = 0;
            for (size_t i = 0; i < mc_npresets && n < 256; i++)
                names[n++] = mc_presets[i].name;
            const char *near = mc_did_you_mean(name, names, n);
            if (near)
                r = mc_error_set(err, MC_EUSAGE, "unknown preset '%s' (did you mean '%s'?; "
                                 "`collapse presets` lists them)", name, near);
            else
                r = mc_error_set(err, MC_EUSAGE, "unknown preset or file '%s' (`collapse "
                                 "presets` lists the presets)", name);
        } else {
            char origin[128];
            snprintf(origin, sizeof origin, "preset %s", p->name);
            r = mc_config_read_string(c, p->text, origin, err);
            if (r == MC_OK && !mc_config_find(c, "run", "name")) {
                mc_origin o = {"preset", 0};
                r = mc_config_set(c, "run", "name", p->name, o, err);
            }
        }
    }
    if (r == MC_OK && !mc_config_find(c, "run", "name")) {
        mc_origin o = {"default", 0};
        r = mc_config_set(c, "run", "name", c->name, o, err);
    }
    const mc_entry *v = r == MC_OK ? mc_config_find(c, "run", "version") : NULL;
    if (v && strcmp(v->value, MC_VERSION) != 0)
        fprintf(stderr, "collapse: warning: %s was written by collapse %s; this is %s, results "
                        "may differ\n", source ? source : name, v->value, MC_VERSION);
    for (int i = 0; r == MC_OK && i < noverrides; i++)
        r = mc_config_override(c, overrides[i], err);
    if (r == MC_OK && seed) {
        mc_origin o = {"command line", 0};
        r = mc_config_set(c, "run", "seed", seed, o, err);
    }
    if (r != MC_OK) {
        mc_config_free(c);
        return r;
    }
    *out = c;
    return MC_OK;
}

/* ---- collapse run ---------------------------------------------------------------------- */

typedef struct run_ctx {
    mc_writer *writer;
    mc_table *table;
    int quiet, tty;
    double t0;
    size_t npoints;
} run_ctx;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void on_progress(size_t done, size_t total, const mc_point *p, void *user)
{
    (void)p;
    run_ctx *rc = user;
    if (rc->quiet || !rc->tty)
        return;
    double el = now() - rc->t0;
    double eta = done ? el * (double)(total - done) / (double)done : 0;
    int width = 30, fill = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\r[%.*s%.*s] %3.0f%%  %zu/%zu runs  %.0fs elapsed, ETA %.0fs ", fill,
            "##############################", width - fill, "..............................",
            100.0 * (double)done / (double)total, done, total, el, eta);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int on_point(const mc_point_result *res, void *user, mc_error *err)
{
    run_ctx *rc = user;
    mc_summary *s = NULL;
    int r = mc_summary_compute(res, &s, err);
    if (r == MC_OK)
        r = mc_writer_point(rc->writer, res, s, err);
    if (r == MC_OK)
        r = mc_table_add(rc->table, s, err);
    if (r == MC_OK && !rc->quiet && !rc->tty)
        fprintf(stderr, "collapse: point %zu/%zu done (%s), %.1fs\n", res->point->index + 1,
                rc->npoints, res->point->label, now() - rc->t0);
    mc_summary_free(s);
    return r;
}

static int cmd_run(int argc, char **argv)
{
    const char *source = NULL, *outdir = NULL, *seed = NULL;
    int threads = 0, quiet = 0, plots = 1;
    char **ov = calloc((size_t)argc + 1, sizeof *ov);
    int nov = 0;
    mc_error err = {0};
    if (!ov)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage_run(stdout);
            free(ov);
            return 0;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output") || !strcmp(a, "--threads") ||
                   !strcmp(a, "--seed")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "collapse: %s needs a value\n", a);
                free(ov);
                return 2;
            }
            const char *v = argv[++i];
            if (a[1] == 'o' || a[2] == 'o')
                outdir = v;
            else if (!strcmp(a, "--seed"))
                seed = v;
            else {
                char *end;
                long t = strtol(v, &end, 10);
                if (*end || t < 1 || t > 4096) {
                    fprintf(stderr, "collapse: --threads %s: expected a whole number from 1 to 4096\n", v);
                    free(ov);
                    return 2;
                }
                threads = (int)t;
            }
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (!strcmp(a, "--no-plots")) {
            plots = 0;
        } else if (a[0] == '-') {
            fprintf(stderr, "collapse: run: unknown option '%s' (see collapse run --help)\n", a);
            free(ov);
            return 2;
        } else if (strchr(a, '=')) {
            ov[nov++] = argv[i];
        } else if (!source) {
            source = a;
        } else {
            fprintf(stderr, "collapse: run: unexpected argument '%s' (one PRESET or FILE.ini, then "
                            "section.key=value overrides)\n", a);
            free(ov);
            return 2;
        }
    }
    mc_config *c = NULL;
    int r = mc_cli_load(source, ov, nov, seed, &c, &err);
    free(ov);
    if (r != MC_OK)
        return fail(&err);
    mc_experiment *e = NULL;
    if ((r = mc_experiment_prepare(c, &e, &err)) != MC_OK)
        return fail(&err);
    char dirbuf[4096];
    if (!outdir) {
        time_t t = time(NULL);
        struct tm tm;
        localtime_r(&t, &tm);
        char ts[32];
        strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
        snprintf(dirbuf, sizeof dirbuf, "results/%s-%s", e->name, ts);
        outdir = dirbuf;
    }
    run_ctx rc = {0};
    rc.quiet = quiet;
    rc.tty = isatty(2);
    rc.t0 = now();
    rc.npoints = e->npoints;
    if ((r = mc_table_alloc(e, &rc.table, &err)) != MC_OK ||
        (r = mc_writer_open(outdir, e, &rc.writer, &err)) != MC_OK) {
        mc_table_free(rc.table);
        mc_experiment_free(e);
        return fail(&err);
    }
    if (!quiet) {
        size_t units = 0;
        for (size_t i = 0; i < e->npoints; i++)
            units += (size_t)e->points[i].run.replicates;
        fprintf(stderr, "collapse: %s: %zu grid point%s, %zu runs (point x replicate) of %ld "
                        "generations, %d thread%s, seed %llu\n",
                e->name, e->npoints, e->npoints == 1 ? "" : "s", units,
                e->points[0].run.generations, threads ? threads : omp_get_max_threads(),
                (threads ? threads : omp_get_max_threads()) == 1 ? "" : "s",
                (unsigned long long)e->points[0].run.seed);
    }
    mc_run_opts opts = {threads, on_point, on_progress, &rc};
    r = mc_experiment_run(e, &opts, &err);
    if (r == MC_OK)
        r = mc_writer_close(rc.writer, &err);
    else
        mc_writer_abort(rc.writer);
    if (r != MC_OK) {
        mc_table_free(rc.table);
        mc_experiment_free(e);
        return fail(&err);
    }
    mc_table_print(rc.table, stdout);
    printf("\nresults: %s/ (summary.csv, metrics.csv, extinction.csv, summary.json, points.csv, "
           "config.ini)\n", outdir);
    if (plots) {
        if ((r = mc_plot_run(outdir, &err)) != MC_OK ||
            (r = mc_report_write(outdir, &err)) != MC_OK) {
            mc_table_free(rc.table);
            mc_experiment_free(e);
            return fail(&err);
        }
        printf("report:  %s/report.html\nplots:   %s/plots/ (PNG and SVG)\n", outdir, outdir);
        mc_plot_release();
    }
    mc_table_free(rc.table);
    mc_experiment_free(e);
    return 0;
}

/* ---- collapse theory ------------------------------------------------------------------- */

static int cmd_theory(int argc, char **argv)
{
    const char *source = NULL;
    char **ov = calloc((size_t)argc + 1, sizeof *ov);
    int nov = 0;
    if (!ov)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            printf("usage: collapse theory [PRESET|FILE.ini] [section.key=value ...]\n\n"
                   "Prints the closed-form expected value of every metric that has one, per grid\n"
                   "point, at a few generations (runs write the same values as summary.csv's\n"
                   "theory_mean column). See docs/THEORY.md.\n");
            free(ov);
            return 0;
        } else if (strchr(argv[i], '=')) {
            ov[nov++] = argv[i];
        } else if (argv[i][0] == '-' || source) {
            fprintf(stderr, "collapse: theory: unexpected argument '%s'\n", argv[i]);
            free(ov);
            return 2;
        } else {
            source = argv[i];
        }
    }
    mc_error err = {0};
    mc_config *c = NULL;
    int r = mc_cli_load(source, ov, nov, NULL, &c, &err);
    free(ov);
    mc_experiment *e = NULL;
    if (r != MC_OK || (r = mc_experiment_prepare(c, &e, &err)) != MC_OK)
        return fail(&err);
    int any = mc_theory_print(e, stdout);
    if (!any)
        printf("no closed form applies to any metric of this configuration (see docs/THEORY.md)\n");
    mc_experiment_free(e);
    return 0;
}

/* ---- collapse presets ------------------------------------------------------------------ */

static int cmd_presets(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
        printf("usage: collapse presets [NAME]\n");
        return 0;
    }
    if (argc > 1) {
        const mc_preset *p = mc_preset_lookup(argv[1]);
        if (!p) {
            fprintf(stderr, "collapse: unknown preset '%s'\n", argv[1]);
            return 2;
        }
        fputs(p->text, stdout);
        return 0;
    }
    printf("built-in presets (collapse run NAME; collapse presets NAME prints one):\n");
    for (size_t i = 0; i < mc_npresets; i++)
        printf("  %-22s %s\n", mc_presets[i].name, mc_presets[i].description);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage_main(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage_main(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("collapse %s (generator %s)\n", MC_VERSION, MC_RNG_NAME);
        return 0;
    }
    if (!strcmp(cmd, "run"))
        return cmd_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "theory"))
        return cmd_theory(argc - 1, argv + 1);
    if (!strcmp(cmd, "presets"))
        return cmd_presets(argc - 1, argv + 1);
    if (!strcmp(cmd, "need"))
        return mc_cli_need(argc - 1, argv + 1);
    if (!strcmp(cmd, "plot"))
        return mc_cli_plot(argc - 1, argv + 1);
    if (!strcmp(cmd, "report"))
        return mc_cli_report(argc - 1, argv + 1);
    static const char *const cmds[] = {"run", "theory", "presets", "plot", "report", "need"};
    const char *near = mc_did_you_mean(cmd, cmds, 6);
    if (near)
        fprintf(stderr, "collapse: unknown command '%s' (did you mean '%s'?)\n", cmd, near);
    else
        fprintf(stderr, "collapse: unknown command '%s' (see collapse --help)\n", cmd);
    return 2;
}
