/* plot_cmd.c - `collapse plot DIR` and `collapse report DIR`: argument parsing and messages;
 * the work is mc_plot_run() and mc_report_write() (include/collapse/plot.h). */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "collapse.h"
#include "collapse/plot.h"
#include "plot_cmd.h"

typedef int (*dir_fn)(const char *dir, mc_error *err);

/* fn on a run folder, holding the folder's lock so that no run writes there meanwhile (a folder
 * without summary.json is no run: fn says so, and no lock file is made there). */
static int with_lock(dir_fn fn, const char *dir, mc_error *err)
{
    char summary[4096];
    snprintf(summary, sizeof summary, "%s/summary.json", dir);
    int fd = -1, st = MC_OK;
    if (access(summary, F_OK) == 0)
        st = mc_run_lock(dir, &fd, err);
    if (st == MC_OK)
        st = fn(dir, err);
    mc_run_unlock(dir, fd);
    return st;
}

/* mc_plot_run, saying what it drew. */
static int plot_and_list(const char *dir, mc_error *err)
{
    mc_plot_log *log;
    int st = mc_plot_run_log(dir, &log, err);
    if (st != MC_OK)
        return st;
    printf("plots: %s/plots/ (%zu figures as PNG and SVG:", dir, log->nfigures);
    for (size_t i = 0; i < log->nfigures; i++)
        printf(" %s", log->figures[i].name);
    printf(")\n");
    mc_plot_log_free(log);
    return MC_OK;
}

static void usage(FILE *f, const char *cmd)
{
    if (strcmp(cmd, "plot") == 0)
        fprintf(f, "usage: collapse plot DIR\n\n"
                   "Draws every figure of the finished run in DIR from its summary into DIR/plots/,\n"
                   "as PNG and SVG: each metric against generation (median, 5-95 %% band, theory\n"
                   "dashed), and where the run's metrics declare them the category shares, survival\n"
                   "curves, held-out fit, spread and pipeline figures.\n");
    else
        fprintf(f, "usage: collapse report DIR\n\n"
                   "Writes DIR/report.html, one self-contained file: what was run, the key findings\n"
                   "in sentences, a condensed summary table and every figure inline (SVG).\n");
}

static int dir_command(int argc, char **argv, dir_fn fn, const char *what)
{
    const char *cmd = argc > 0 ? argv[0] : "plot";
    const char *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout, cmd);
            return 0;
        }
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "collapse: %s: unknown option '%s' (see collapse %s --help)\n", cmd, a,
                    cmd);
            return 2;
        }
        if (dir) {
            fprintf(stderr, "collapse: %s: unexpected argument '%s' (one run directory)\n", cmd, a);
            return 2;
        }
        dir = a;
    }
    if (!dir) {
        fprintf(stderr, "collapse: %s: missing the run directory (usage: collapse %s DIR)\n", cmd,
                cmd);
        return 2;
    }
    mc_error err = {0};
    printf("%s %s ...\n", what ? "writing the report of" : "drawing the figures of", dir);
    fflush(stdout); /* before the work: a pipe shows it while it runs */
    int st = with_lock(fn, dir, &err);
    mc_plot_release();
    if (st != MC_OK) {
        fprintf(stderr, "collapse: %s\n", err.msg[0] ? err.msg : mc_strerror(st));
        return mc_exit_status(st);
    }
    if (what)
        printf("%s: %s/report.html\n", what, dir);
    return 0;
}

int mc_cli_plot(int argc, char **argv)
{
    return dir_command(argc, argv, plot_and_list, NULL);
}

int mc_cli_report(int argc, char **argv)
{
    return dir_command(argc, argv, mc_report_write, "report");
}
