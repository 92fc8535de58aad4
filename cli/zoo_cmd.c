/* zoo_cmd.c - `collapse zoo`: the paper zoo (include/collapse/zoo.h, docs/ZOO.md). Lists the
 * entries, runs one (or --all) into run folders and prints ours beside the published values.
 * Exit status: 0 when every check passes, 1 when one fails or a run fails, 2 on bad usage or
 * a bad entry. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collapse.h"
#include "collapse/plot.h"
#include "collapse/zoo.h"
#include "zoo_cmd.h"

typedef struct zoo_args {
    const char *name, *output;
    const char **overrides;
    size_t noverrides;
    long threads;
    int all, quick, quiet, no_plots, force;
} zoo_args;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: collapse zoo                      list the entries\n"
            "       collapse zoo NAME [section.key=value ...] [options]\n"
            "       collapse zoo --all [options]\n"
            "\n"
            "Runs a published toy result of model collapse (an entry: presets/zoo/NAME.ini) and\n"
            "prints, per compared quantity, the published or closed-form value with its source,\n"
            "ours with its standard error, z, and PASS/FAIL at the stated tolerance. Writes the\n"
            "usual run folder plus zoo.csv; the report shows a \"Published results\" section.\n"
            "Exit status 0 when every check passes, 1 when one fails. See docs/ZOO.md.\n"
            "\n"
            "options:\n"
            "  --all              every entry, each into DIR/NAME/, and DIR/zoo.csv\n"
            "  --quick            the entry's quick version (fewer replicates; `make test`)\n"
            "  -o, --output DIR   run folder (default results/zoo-NAME-STAMP)\n"
            "  --threads N        worker threads (results do not depend on it)\n"
            "  --no-plots         no figures and no report.html\n"
            "  --force            replace another run's files in DIR\n"
            "  -q, --quiet        no progress lines\n");
}

/* 0 after help, 2 after a message, -1 to go on. */
static int parse(int argc, char **argv, zoo_args *a)
{
    if (!(a->overrides = calloc((size_t)argc + 1, sizeof *a->overrides)))
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "-h") || !strcmp(s, "--help")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(s, "--all")) {
            a->all = 1;
        } else if (!strcmp(s, "--quick")) {
            a->quick = 1;
        } else if (!strcmp(s, "--no-plots")) {
            a->no_plots = 1;
        } else if (!strcmp(s, "--force")) {
            a->force = 1;
        } else if (!strcmp(s, "-q") || !strcmp(s, "--quiet")) {
            a->quiet = 1;
        } else if ((!strcmp(s, "-o") || !strcmp(s, "--output") || !strcmp(s, "--threads")) &&
                   i + 1 >= argc) {
            fprintf(stderr, "collapse: zoo: %s needs a value\n", s);
            return 2;
        } else if (!strcmp(s, "-o") || !strcmp(s, "--output")) {
            a->output = argv[++i];
        } else if (!strcmp(s, "--threads")) {
            char *end;
            a->threads = strtol(argv[++i], &end, 10);
            if (*end || a->threads < 1 || a->threads > 4096) {
                fprintf(stderr, "collapse: zoo: --threads '%s': a whole number in [1, 4096]\n",
                        argv[i]);
                return 2;
            }
        } else if (strchr(s, '=') && s[0] != '-') {
            a->overrides[a->noverrides++] = s;
        } else if (s[0] == '-' || a->name) {
            fprintf(stderr, "collapse: zoo: unexpected argument '%s' (collapse zoo --help)\n", s);
            return 2;
        } else {
            a->name = s;
        }
    }
    if (a->all && (a->name || a->noverrides)) {
        fprintf(stderr, "collapse: zoo: --all takes no entry name and no overrides\n");
        return 2;
    }
    return -1;
}

static void list_entries(void)
{
    printf("the paper zoo (collapse zoo NAME runs one, --all every one; docs/ZOO.md):\n");
    for (size_t i = 0; i < mc_zoo_npresets; i++) {
        mc_zoo *z;
        mc_error err = {0};
        if (mc_zoo_load(mc_zoo_presets[i].name, 0, NULL, 0, &z, &err) != MC_OK) {
            printf("\n%s: %s\n", mc_zoo_presets[i].name, err.msg);
            continue;
        }
        printf("\n%s\n  paper:    %s\n  result:   %s\n  setup:    %s\n  compared: %s\n",
               z->name, z->paper, z->result, z->setup, z->compared);
        mc_zoo_free(z);
    }
}

typedef struct finish_ctx {
    mc_zoo *z;
    int plots;
} finish_ctx;

static int judge(const mc_summary *s, void *user, mc_error *err)
{
    (void)err;
    mc_zoo_judge(((finish_ctx *)user)->z, s);
    return MC_OK;
}

/* zoo.csv first, so that the report finds it; then figures and report. */
static int finish(const mc_run_dir_result *res, void *user, mc_error *err)
{
    const finish_ctx *f = user;
    char path[MC_RUN_DIR_MAX + 16];
    snprintf(path, sizeof path, "%s/zoo.csv", res->dir);
    const mc_zoo *one = f->z;
    int r = mc_zoo_write(&one, 1, path, err);
    if (r != MC_OK || !f->plots)
        return r;
    r = mc_plot_and_report(res->dir, err);
    mc_plot_release();
    return r;
}

/* Runs entry name into dir (NULL: the default folder); *out holds the judged entry. */
static int run_entry(const zoo_args *a, const char *name, const char *dir, mc_zoo **out,
                     mc_error *err)
{
    mc_zoo *z;
    mc_experiment *e = NULL;
    int r = mc_zoo_load(name, a->quick, a->overrides, a->noverrides, &z, err);
    if (r != MC_OK)
        return r;
    mc_config *c = z->config;
    z->config = NULL;
    if ((r = mc_experiment_prepare(c, &e, err)) == MC_OK)
        r = mc_zoo_validate(z, e, err);
    if (r == MC_OK) {
        if (!a->quiet)
            fprintf(stderr, "collapse: zoo %s: %zu grid points x %ld replicates, %ld "
                    "generations\n", name, e->npoints, e->points[0].run.replicates,
                    e->points[0].run.generations);
        finish_ctx f = {z, !a->no_plots};
        mc_run_dir_opts o = {.dir = dir, .threads = (int)a->threads, .on_summary = judge,
                             .user = &f, .force = a->force, .on_finish = finish};
        mc_run_dir_result res;
        r = mc_run_to_dir(e, &o, &res, err);
        if (r == MC_OK && !a->quiet)
            fprintf(stderr, "collapse: zoo %s: results in %s/ (zoo.csv, summary.csv, ...)\n",
                    name, res.dir);
    }
    mc_experiment_free(e);
    if (r != MC_OK) {
        mc_zoo_free(z);
        return r;
    }
    *out = z;
    return MC_OK;
}

static int fail(const mc_error *err)
{
    fprintf(stderr, "collapse: %s\n", err->msg);
    return mc_exit_status(err->code);
}

static int one(const zoo_args *a)
{
    mc_zoo *z;
    mc_error err = {0};
    if (run_entry(a, a->name, a->output, &z, &err) != MC_OK)
        return fail(&err);
    mc_zoo_print(z, stdout);
    int st = mc_zoo_passed(z) ? 0 : 1;
    printf("\n%s: %s\n", z->name, st ? "FAIL" : "PASS");
    mc_zoo_free(z);
    return st;
}

/* Every entry into ROOT/NAME (ROOT: -o, else results/zoo-all-STAMP), then ROOT/zoo.csv and the
 * table of verdicts. */
static int all(const zoo_args *a)
{
    char root[MC_RUN_DIR_MAX], stamp[32], dir[MC_RUN_DIR_MAX + 128];
    time_t t = time(NULL);
    strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", localtime(&t));
    snprintf(root, sizeof root, "%s", a->output ? a->output : "results/zoo-all-");
    if (!a->output)
        strncat(root, stamp, sizeof root - strlen(root) - 1);
    mc_zoo **zs = calloc(mc_zoo_npresets, sizeof *zs);
    if (!zs)
        return 1;
    mc_error err = {0};
    int st = 0;
    size_t n = 0;
    for (size_t i = 0; i < mc_zoo_npresets; i++) {
        snprintf(dir, sizeof dir, "%s/%s", root, mc_zoo_presets[i].name);
        if (run_entry(a, mc_zoo_presets[i].name, dir, &zs[n], &err) != MC_OK) {
            st = fail(&err);
            break;
        }
        mc_zoo_print(zs[n++], stdout);
        printf("\n");
    }
    snprintf(dir, sizeof dir, "%s/zoo.csv", root);
    if (st == 0 && mc_zoo_write((const mc_zoo *const *)zs, n, dir, &err) != MC_OK)
        st = fail(&err);
    size_t passed = 0;
    printf("%-28s %-8s %s\n", "entry", "checks", "verdict");
    for (size_t i = 0; i < n; i++) {
        size_t ok = 0;
        for (size_t k = 0; k < zs[i]->nchecks; k++)
            ok += zs[i]->checks[k].pass;
        passed += mc_zoo_passed(zs[i]);
        printf("%-28s %zu/%-6zu %s\n", zs[i]->name, ok, zs[i]->nchecks,
               mc_zoo_passed(zs[i]) ? "PASS" : "FAIL");
        mc_zoo_free(zs[i]);
    }
    free(zs);
    printf("\nzoo: %zu of %zu entries passed; %s\n", passed, mc_zoo_npresets, dir);
    return st ? st : passed == mc_zoo_npresets ? 0 : 1;
}

int mc_cli_zoo(int argc, char **argv)
{
    zoo_args a = {0};
    int st = parse(argc, argv, &a);
    if (st < 0) {
        if (a.all)
            st = all(&a);
        else if (a.name)
            st = one(&a);
        else {
            list_entries();
            st = 0;
        }
    }
    free(a.overrides);
    return st;
}
