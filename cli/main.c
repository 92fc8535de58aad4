/* main.c - the `collapse` command line: argument parsing, printing and exit codes only.
 * Everything else is a libcollapse call. Exit status: 0 ok, 1 runtime failure, 2 usage/config. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "collapse.h"
#include "collapse/budget.h"
#include "collapse/datapath.h"
#include "complete.h"
#include "config_cmd.h"
#include "cli.h"
#include "options.h"
#include "plot_cmd.h"
#include "need_cmd.h"
#include "zoo_cmd.h"
#include "collapse/plot.h"

static int fail(const mc_error *err)
{
    fprintf(stderr, "collapse: %s\n", err->msg);
    return mc_exit_status(err->code);
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
            "Runs an experiment (default: the `%s` preset) and writes config.ini, points.csv,\n"
            "metrics.csv, summary.csv, extinction.csv and summary.json into DIR.\n"
            "A value with commas (\"replace, fresh\") is a grid axis: every combination runs.\n"
            "\n",
            MC_DEFAULT_PRESET);
    mc_cli_print_options(f, MC_CMD_RUN);
    fprintf(f, "\nengine keys:\n");
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

/* ---- collapse run: progress and the closing table, through mc_run_to_dir's callbacks ------ */

typedef struct run_view {
    mc_table *table;
    int quiet, tty, plots;
    double t0;
    size_t npoints;
    double shown;        /* when progress was last shown */
    double status_shown; /* when a fit's status line was last shown */
} run_view;

/* Progress at most this often: a terminal's bar (seconds between redraws), a line elsewhere
 * (CI logs, a job scheduler, a notebook's subprocess). */
#define PROGRESS_TTY_S 0.2
#define PROGRESS_LINE_S 5.0

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void on_start(const mc_experiment *e, const mc_run_dir_result *res, void *user)
{
    run_view *v = user;
    v->npoints = res->npoints;
    if (v->quiet)
        return;
    char ranks[64] = "";
    if (mc_mpi_size() > 1)
        snprintf(ranks, sizeof ranks, " on each of %d MPI ranks (rank 0 deals too)",
                 mc_mpi_size());
    fprintf(stderr, "collapse: %s: %zu grid point%s, %zu runs (point x replicate) of %ld "
                    "generations, %d thread%s%s, seed %llu\n",
            e->name, res->npoints, res->npoints == 1 ? "" : "s", res->units,
            e->points[0].run.generations, res->threads, res->threads == 1 ? "" : "s", ranks,
            (unsigned long long)e->points[0].run.seed);
}

/* A progress bar on a terminal, redrawn at most every PROGRESS_TTY_S; elsewhere a line at most
 * every PROGRESS_LINE_S with done/total and the ETA. The last unit is always shown. */
static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER; /* progress and status lines */

static void show_progress(run_view *v, size_t done, size_t total, double t);

static void on_progress(size_t done, size_t total, const mc_point *p, void *user)
{
    (void)p;
    run_view *v = user;
    double t = now();
    if (v->quiet || (done < total && t - v->shown < (v->tty ? PROGRESS_TTY_S : PROGRESS_LINE_S)))
        return;
    pthread_mutex_lock(&stderr_lock);
    show_progress(v, done, total, t);
    pthread_mutex_unlock(&stderr_lock);
}

/* A long fit's status (collapse/status.h: the gpt family's step, loss, gradient norm and
 * tokens/s), from any worker thread: on a terminal over the bar at most every second, elsewhere
 * a line at most every PROGRESS_LINE_S. */
static void on_status(const char *line, void *user)
{
    run_view *v = user;
    pthread_mutex_lock(&stderr_lock);
    double t = now();
    if (t - v->status_shown >= (v->tty ? 1.0 : PROGRESS_LINE_S)) {
        v->status_shown = t;
        if (v->tty)
            fprintf(stderr, "\r%-79.79s", line);
        else
            fprintf(stderr, "collapse: %s\n", line);
        fflush(stderr);
    }
    pthread_mutex_unlock(&stderr_lock);
}

static void show_progress(run_view *v, size_t done, size_t total, double t)
{
    v->shown = t;
    double el = t - v->t0;
    double eta = done ? el * (double)(total - done) / (double)done : 0;
    if (!v->tty) {
        fprintf(stderr, "collapse: %zu/%zu runs (%.0f%%), %.0fs elapsed, ETA %.0fs\n", done, total,
                100.0 * (double)done / (double)total, el, eta);
        return;
    }
    int width = 30, fill = (int)((double)width * (double)done / (double)total);
    fprintf(stderr, "\r[%.*s%.*s] %3.0f%%  %zu/%zu runs  %.0fs elapsed, ETA %.0fs ", fill,
            "##############################", width - fill, "..............................",
            100.0 * (double)done / (double)total, done, total, el, eta);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

static int on_summary(const mc_summary *s, void *user, mc_error *err)
{
    run_view *v = user;
    return mc_table_add(v->table, s, err);
}

/* The closing lines: the table, where the files are, then the plots and report unless
 * --no-plots; called by mc_run_to_dir while the folder is still locked. */
static int on_finish(const mc_run_dir_result *res, void *user, mc_error *err)
{
    const run_view *v = user;
    const char *dir = res->dir;
    mc_table_print(v->table, stdout);
    printf("\nresults: %s/ (summary.csv, metrics.csv, extinction.csv, summary.json, points.csv, "
           "config.ini)\n", dir);
    if (!v->plots)
        return MC_OK;
    printf("\ndrawing the figures and writing the report ...\n");
    fflush(stdout); /* before the work: a pipe shows it while it runs */
    int r = mc_plot_and_report(dir, err);
    if (r != MC_OK)
        return r;
    printf("report:  %s/report.html\nplots:   %s/plots/ (PNG and SVG)\n", dir, dir);
    mc_plot_release();
    return MC_OK;
}

/* --resume DIR: the configuration is the one stored in DIR (docs/OUTPUTS.md). */
static int load_resume_config(const mc_cli_args *a, char *path, size_t n, mc_config **c,
                              mc_error *err)
{
    if (a->source || a->noverrides || a->output || a->seed || a->force)
        return mc_error_set(err, MC_EUSAGE,
                            "run --resume %s: the run continues with the configuration stored in "
                            "its folder; no PRESET, key=value, -o, --seed or --force",
                            a->resume);
    int r = mc_run_resume_config(a->resume, path, n, err);
    if (r != MC_OK)
        return r;
    mc_cli_args stored = *a;
    stored.source = path;
    return mc_cli_load_config(&stored, c, err);
}

/* What a resume did, on stderr. */
static void say_resumed(const mc_cli_args *a, const mc_run_dir_result *res)
{
    if (res->complete)
        fprintf(stderr, "collapse: %s: the run is complete; nothing to resume (collapse plot %s "
                        "redraws its figures)\n", a->resume, a->resume);
    else if (!a->quiet)
        fprintf(stderr, "collapse: resumed: %zu of %zu grid points from the checkpoint, the "
                        "others computed\n", res->restored_points, res->npoints);
}

/* Runs a's experiment into its directory, printing as it goes. */
static int run_and_print(const mc_cli_args *a, mc_error *err)
{
    mc_config *c = NULL;
    mc_experiment *e = NULL;
    char stored[MC_RUN_DIR_MAX + 64];
    int r = a->resume ? load_resume_config(a, stored, sizeof stored, &c, err)
                      : mc_cli_load_config(a, &c, err);
    if (r == MC_OK) /* under MPI: the other ranks prepare the same (mc_mpi_release at the end) */
        r = mc_mpi_share_config(c, err);
    else
        mc_mpi_share_config(NULL, err);
    if (r != MC_OK || (r = mc_experiment_prepare(c, &e, err)) != MC_OK)
        return r;
    double bytes = mc_experiment_output_bytes(e);
    if (bytes > MC_OUTPUT_WARN_BYTES)
        fprintf(stderr, "collapse: warning: metrics.csv will take about %.3g GB (every replicate, "
                "generation and metric of %zu grid points)\n", bytes / 1e9, e->npoints);
    run_view v = {NULL, a->quiet, isatty(2), !a->no_plots, now(), e->npoints, 0, 0};
    mc_run_dir_opts o = {.dir = a->output, .threads = (int)a->threads, .on_start = on_start,
                         .on_summary = on_summary, .on_progress = on_progress, .user = &v,
                         .force = a->force, .on_finish = on_finish, .resume = a->resume != NULL,
                         .checkpoint_seconds = a->checkpoint_seconds < 0    ? 0
                                               : a->checkpoint_seconds == 0 ? -1
                                                                            : a->checkpoint_seconds};
    if (a->resume)
        o.dir = a->resume;
    mc_run_dir_result res;
    if (!a->quiet)
        mc_status_set_hook(on_status, &v);
    if ((r = mc_table_alloc(e, &v.table, err)) == MC_OK)
        r = mc_run_to_dir(e, &o, &res, err);
    mc_status_set_hook(NULL, NULL);
    if (r == MC_OK && a->resume)
        say_resumed(a, &res);
    mc_table_free(v.table);
    mc_experiment_free(e);
    return r;
}

/* A rank > 0 under MPI (`collapse run` and `collapse need`): rank 0's configuration, then
 * chunks of units until told to stop (include/collapse/mpi.h), with --threads N if given. It
 * prints nothing: rank 0 reports. */
static int serve_rank(int argc, char **argv)
{
    int threads = 0;
    for (int i = 2; i + 1 < argc; i++)
        if (!strcmp(argv[i], "--threads"))
            threads = atoi(argv[i + 1]);
    mc_error err = {0};
    mc_config *c = NULL;
    mc_experiment *e = NULL;
    if (mc_mpi_receive_config(&c, &err) != MC_OK || !c)
        return 0; /* nothing to run: rank 0 said why */
    if (mc_experiment_prepare(c, &e, &err) != MC_OK)
        e = NULL;
    mc_mpi_serve(e, threads, &err);
    mc_experiment_free(e);
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    static const mc_cli_command cmd = {"run", MC_CMD_RUN, "", usage_run};
    mc_cli_args a = {0};
    a.checkpoint_seconds = -1;
    int st = mc_cli_parse(&cmd, argc, argv, &a);
    if (st < 0) {
        mc_error err = {0};
        st = run_and_print(&a, &err) == MC_OK ? 0 : fail(&err);
    }
    mc_cli_args_free(&a);
    return st;
}

/* ---- collapse theory ------------------------------------------------------------------- */

static void usage_theory(FILE *f)
{
    fprintf(f, "usage: collapse theory [PRESET|FILE.ini] [section.key=value ...]\n\n"
               "Prints the closed-form expected value of every metric that has one, per grid\n"
               "point, at a few generations (runs write the same values as summary.csv's\n"
               "theory_mean column), under a header; the metrics without one are named after\n"
               "the table, not printed. See docs/THEORY.md.\n");
}

/* theory takes no options: -h/--help, overrides and one source. 2 after a message, 0 after
 * help, -1 to go on. */
static int parse_theory(int argc, char **argv, mc_cli_args *a)
{
    a->overrides = calloc((size_t)argc + 1, sizeof *a->overrides);
    if (!a->overrides)
        return 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage_theory(stdout);
            return 0;
        } else if (strchr(argv[i], '=')) {
            a->overrides[a->noverrides++] = argv[i];
        } else if (argv[i][0] == '-' || a->source) {
            const char *prev = argv[i - 1];
            int split = argv[i][0] == ',' ||
                        (i > 1 && strchr(prev, '=') && prev[strlen(prev) - 1] == ',');
            fprintf(stderr, "collapse: theory: unexpected argument '%s'%s\n", argv[i],
                    split ? " (the rest of a list the shell split at a space? quote the whole "
                            "value, e.g. 'regime.name=replace, fresh')" : "");
            return 2;
        } else {
            a->source = argv[i];
        }
    }
    return -1;
}

static int cmd_theory(int argc, char **argv)
{
    mc_cli_args a = {0};
    int st = parse_theory(argc, argv, &a);
    if (st >= 0) {
        mc_cli_args_free(&a);
        return st;
    }
    mc_error err = {0};
    mc_config *c = NULL;
    mc_experiment *e = NULL;
    int r = mc_cli_load_config(&a, &c, &err);
    mc_cli_args_free(&a);
    if (r != MC_OK || (r = mc_experiment_prepare(c, &e, &err)) != MC_OK)
        return fail(&err);
    if (!mc_theory_print(e, stdout))
        printf("no closed form applies to any metric of this configuration (see "
               "docs/THEORY.md)\n");
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

/* ---- the subcommands ------------------------------------------------------------------- */

typedef struct subcommand {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the name; returns the exit status */
    const char *synopsis;
    const char *help;                  /* one line for `collapse --help` */
} subcommand;

static const subcommand commands[] = {
    {"run", cmd_run, "collapse run [PRESET|FILE.ini] [section.key=value ...] [options]",
     "run an experiment into DIR (collapse run --help: options and keys)"},
    {"config", mc_cli_config, "collapse config [PRESET|FILE.ini] [section.key=value ...]",
     "the plan of a run: resolved configuration, grid, memory, time estimate"},
    {"theory", cmd_theory, "collapse theory [PRESET|FILE.ini] [section.key=value ...]",
     "the closed-form expected value of each metric that has one"},
    {"need", mc_cli_need, "collapse need [PRESET|FILE.ini] --target \"alive(yellow) >= 0.95\" --at G",
     "smallest fresh human fraction h meeting the target"},
    {"plot", mc_cli_plot, "collapse plot DIR", "redraw the plots of a finished run (DIR/plots/)"},
    {"report", mc_cli_report, "collapse report DIR", "rewrite DIR/report.html"},
    {"presets", cmd_presets, "collapse presets [NAME]", "list the built-in presets, or print one"},
    {"zoo", mc_cli_zoo, "collapse zoo [NAME|--all] [--quick]",
     "published toy results reproduced, ours beside theirs (docs/ZOO.md)"},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage_main(FILE *f)
{
    fprintf(f,
            "collapse %s - a laboratory for model collapse\n"
            "\n"
            "A model is fit to data; its samples become the next generation's training data; over\n"
            "generations the rare things vanish. collapse runs such experiments: a world, a model\n"
            "family, a data regime, sampling settings, for G generations x R replicates x a grid.\n"
            "\n"
            "usage:\n",
            MC_VERSION);
    for (size_t i = 0; i < NCOMMANDS; i++) {
        if (strlen(commands[i].synopsis) <= 28)
            fprintf(f, "  %-28s %s\n", commands[i].synopsis, commands[i].help);
        else
            fprintf(f, "  %s\n  %-28s %s\n", commands[i].synopsis, "", commands[i].help);
    }
    fprintf(f, "  collapse --help | --version\n"
               "\n"
               "Run `collapse run --help` for the configuration keys.\n"
               "\n"
               "environment:\n"
               "  MC_DATA_DIR   the data folder (the Brown corpus, SUBTLEX: `make data`); unset,\n"
               "                the first of these that exists:\n");
    const char *dirs[4];
    for (size_t i = 0, n = mc_data_dirs(dirs, 4); i < n; i++)
        fprintf(f, "                %s\n", dirs[i]);
}

/* `collapse --complete WHAT`: the subcommands' names (and with `summaries`, their one-line
 * help, for the man pages' NAME lines), or what cli/complete.c knows. */
static int complete(int argc, char **argv)
{
    const char *names[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    if (argc > 1 && !strcmp(argv[1], "summaries")) {
        for (size_t i = 0; i < NCOMMANDS; i++)
            printf("%s\t%s\n", commands[i].name, commands[i].help);
        return 0;
    }
    return mc_cli_complete(argc, argv, names, NCOMMANDS);
}

static int unknown_command(const char *cmd)
{
    const char *names[NCOMMANDS];
    for (size_t i = 0; i < NCOMMANDS; i++)
        names[i] = commands[i].name;
    const char *near = mc_did_you_mean(cmd, names, NCOMMANDS);
    if (near)
        fprintf(stderr, "collapse: unknown command '%s' (did you mean '%s'?)\n", cmd, near);
    else
        fprintf(stderr, "collapse: unknown command '%s' (see collapse --help)\n", cmd);
    return 2;
}

static int dispatch(int argc, char **argv);

/* Under an MPI launcher `collapse run` and `collapse need` spread their units over the ranks;
 * every other command runs on rank 0 alone. */
int main(int argc, char **argv)
{
    mc_mpi_init(&argc, &argv);
    int spread = argc >= 2 && (!strcmp(argv[1], "run") || !strcmp(argv[1], "need"));
    int st;
    if (mc_mpi_rank() > 0) {
        st = spread ? serve_rank(argc, argv) : 0;
    } else {
        st = dispatch(argc, argv);
        if (spread)
            mc_mpi_release(); /* every rank still waiting is told to stop */
    }
    mc_mpi_finalize();
    return st;
}

static int dispatch(int argc, char **argv)
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
    if (!strcmp(cmd, "--complete")) /* for completion/collapse.bash and the man pages */
        return complete(argc - 1, argv + 1);
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (!strcmp(cmd, commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    return unknown_command(cmd);
}
