/* need_cmd.c - `collapse need PRESET|FILE --target "..." --at G [overrides]`: argument parsing
 * (cli/options.c) and printing around mc_need_solve() (include/collapse/need.h). */
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "collapse/need.h"
#include "collapse/run.h"
#include "need_cmd.h"
#include "options.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: collapse need [PRESET|FILE.ini] --target \"METRIC OP VALUE\" --at G\n"
            "                     [section.key=value ...] [--confidence C] [--tolerance T]\n"
            "                     [--precision E] [--threads N] [--seed S] [--quiet] [-o DIR]\n"
            "                     [--over regime.h|regime.detector_tpr|regime.candidates]\n"
            "\n"
            "The smallest fraction h of fresh human data in every training set (regime fresh)\n"
            "whose replicate mean of METRIC at generation G meets the target, by bisection over h\n"
            "with common random numbers (replicate r uses the same stream at every h), with an\n"
            "interval for h at confidence C (default 0.95). With grid axes left in the\n"
            "configuration (a temperature, n, a family setting), the search runs at every grid\n"
            "point: one row per point. More replicates (run.replicates=N) narrow the interval.\n"
            "need.csv (one row per point) and need.json (the answer, the interval and every\n"
            "evaluation) go into DIR.\n"
            "--over regime.detector_tpr searches the smallest detector TPR instead (under the\n"
            "configuration's own regime and detector_fpr), --over regime.candidates the smallest\n"
            "curation K from 1 to the configuration's regime.candidates (docs/WEB.md).\n"
            "\n"
            "target grammar: METRIC OP VALUE\n"
            "  METRIC  a metric name (see summary.csv), or NAME(SUBJECT) for NAME_SUBJECT:\n"
            "          alive(yellow) is alive_yellow, the probability that yellow is alive\n"
            "  OP      >=  <=  >  <\n"
            "  VALUE   a number, or F * gen0 (F times the metric's mean at generation 0)\n"
            "examples:\n"
            "  collapse need cats --target \"alive(yellow) >= 0.95\" --at 50\n"
            "  collapse need brown --target \"heldout_ppl <= 1.05 * gen0\" --at 10\n"
            "  collapse need gaussian-regimes --target \"trace_ratio >= 0.9\" --at 100\n"
            "  collapse need cats --over regime.detector_tpr regime.name=fresh regime.h=0.2 \\\n"
            "      regime.detector_fpr=0.02 --target \"alive(green) >= 0.9\" --at 50\n"
            "\n");
    mc_cli_print_options(f, MC_CMD_NEED);
}

typedef struct ctx {
    const char *metric;
    const char *knob;
    int quiet;
    size_t point, npoints;
    const char *label;
} ctx;

static void on_point(size_t i, size_t n, const char *label, void *user)
{
    ctx *c = user;
    c->point = i;
    c->npoints = n;
    c->label = label;
    if (!c->quiet && n > 1)
        fprintf(stderr, "collapse need: point %zu/%zu: %s\n", i + 1, n, label);
}

static void on_eval(double h, double mean, double se, void *user)
{
    const ctx *c = user;
    if (c->quiet)
        return;
    char a[32], b[32];
    fprintf(stderr, "collapse need: %s = %-10.6g mean %s = %s (se %s)\n", c->knob, h, c->metric,
            mc_format_value(mean, a), mc_format_value(se, b));
}

/* The knob's short name: "h", "detector_tpr", "candidates". */
static const char *knob_name(const char *over)
{
    const char *dot = over ? strchr(over, '.') : NULL;
    return dot ? dot + 1 : "h";
}

/* The heading: what was searched, with what, and what the configuration had to give up. */
static void print_heading(const mc_cli_args *a, const mc_target *t, const mc_need_grid *g)
{
    char b1[32], b2[32];
    const mc_need_result *r0 = &g->points[0].result;
    const char *k = knob_name(r0->over);
    printf("\ncollapse need: %s, regime %s, target %s at generation %ld, %ld replicates "
           "(common random numbers across %s)\n",
           a->source ? a->source : MC_DEFAULT_PRESET, r0->regime, t->text, (long)a->at,
           r0->replicates, k);
    if (g->naxes) {
        printf("a search at each of %zu grid points over ", g->npoints);
        for (size_t i = 0; i < g->naxes; i++)
            printf("%s%s", i ? ", " : "", g->axes[i]);
        printf("\n");
    }
    if (g->dropped[0])
        printf("keys of another regime left out: %s\n", g->dropped);
    static const char *const ops[] = {">=", "<=", ">", "<"}; /* in mc_target_op order */
    if (t->relative && g->npoints == 1)
        printf("gen0 = replicate mean of %s at generation 0 = %s, so the mean must be %s %s\n",
               t->metric, mc_format_value(r0->reference, b1), ops[t->op],
               mc_format_value(r0->threshold, b2));
    else if (t->relative)
        printf("gen0 = replicate mean of %s at generation 0 at each point (need.json: "
               "reference)\n", t->metric);
}

/* Every h evaluated at the one point, then the answer. */
static void print_evals(const mc_cli_args *a, const mc_target *t, const mc_need_result *res)
{
    char b1[32], b2[32], b3[32], b4[32];
    const char *k = knob_name(res->over);
    printf("\n%10s  %14s  %12s  %5s\n", k, t->metric, "se", "meets");
    for (size_t i = 0; i < res->nevals; i++) {
        const mc_need_eval *e = &res->evals[i];
        printf("%10.6g  %14s  %12s  %5s\n", e->h, mc_format_value(e->mean, b1),
               mc_format_value(e->se, b2),
               mc_target_met(t, e->mean, res->reference) ? "yes" : "no");
    }
    if (!res->feasible && !strcmp(k, "h"))
        printf("\nnot met even with h = 1 (every training set fully human): the target is out "
               "of reach at generation %ld\n", (long)a->at);
    else if (!res->feasible)
        printf("\nnot met even with %s = %g: the target is out of reach at generation %ld\n",
               k, res->hi, (long)a->at);
    else
        printf("\n%s* = %s  (%g %% interval %s to %s; grid step %g; mean at h* known to +-%s "
               "with %ld replicates)\n",
               k, mc_format_value(res->h, b1), 100 * a->confidence, mc_format_value(res->lo, b2),
               mc_format_value(res->hi, b3), res->step, mc_format_value(res->halfwidth, b4),
               res->replicates);
}

/* One row per grid point: its setting, h* and the interval. */
static void print_rows(const mc_cli_args *a, const mc_need_grid *g)
{
    char b1[32], b2[32], b3[32];
    printf("\n%-5s", "point");
    for (size_t i = 0; i < g->naxes; i++)
        printf("  %-*s", (int)strlen(g->axes[i]) > 8 ? (int)strlen(g->axes[i]) : 8, g->axes[i]);
    const char *k = knob_name(g->points[0].result.over);
    char head[48];
    snprintf(head, sizeof head, "%s*", k);
    printf("  %11s  %-24s  %s\n", head, "interval", "replicates");
    for (size_t p = 0; p < g->npoints; p++) {
        const mc_need_result *r = &g->points[p].result;
        char iv[80];
        snprintf(iv, sizeof iv, "%s to %s", mc_format_value(r->lo, b2),
                 mc_format_value(r->hi, b3));
        printf("%-5zu", p);
        for (size_t i = 0; i < g->naxes; i++)
            printf("  %-*s", (int)strlen(g->axes[i]) > 8 ? (int)strlen(g->axes[i]) : 8,
                   g->points[p].values[i]);
        printf("  %11s  %-24s  %ld\n", r->feasible ? mc_format_value(r->h, b1) : "not met",
               iv, r->replicates);
    }
    if (!strcmp(k, "h"))
        printf("\nh*: the smallest fresh fraction meeting the target at generation %ld; "
               "interval at %g %%; not met: not even with h = 1\n", (long)a->at,
               100 * a->confidence);
    else
        printf("\n%s*: the smallest %s meeting the target at generation %ld; interval at %g %%"
               "\n", k, k, (long)a->at, 100 * a->confidence);
}

/* Parses the target, loads the configuration and solves; prints the answer. Returns the exit
 * status. */
static int solve_and_print(const mc_cli_args *a)
{
    mc_error err = {0};
    mc_target t;
    if (mc_target_parse(a->target, &t, &err) != MC_OK) {
        fprintf(stderr, "collapse: need: %s\n", err.msg);
        return mc_exit_status(err.code);
    }
    mc_config *c = NULL;
    if (mc_cli_load_config(a, &c, &err) != MC_OK) {
        fprintf(stderr, "collapse: %s\n", err.msg);
        return mc_exit_status(err.code);
    }
    ctx cx = {t.metric, knob_name(a->over), a->quiet, 0, 0, ""};
    mc_need_opts o = {.generation = (long)a->at, .confidence = a->confidence,
                      .tolerance = a->tolerance, .threads = (int)a->threads, .on_eval = on_eval,
                      .user = &cx, .precision = a->precision, .on_point = on_point,
                      .over = a->over};
    mc_need_grid g;
    char dir[MC_RUN_DIR_MAX];
    int r = mc_need_solve_grid(c, &t, &o, &g, &err);
    if (r == MC_OK)
        r = mc_need_write(a->output, a->force, a->source, &t, &o, &g, dir, sizeof dir, &err);
    if (r != MC_OK) {
        fprintf(stderr, "collapse: need: %s\n", err.msg);
        mc_need_grid_free(&g);
        return mc_exit_status(err.code);
    }
    print_heading(a, &t, &g);
    if (g.npoints == 1)
        print_evals(a, &t, &g.points[0].result);
    else
        print_rows(a, &g);
    printf("\nanswer: %s/need.csv (one row per point), %s/need.json (every evaluation)\n", dir,
           dir);
    mc_need_grid_free(&g);
    return 0;
}

int mc_cli_need(int argc, char **argv)
{
    static const mc_cli_command cmd = {"need", MC_CMD_NEED, "need: ", usage};
    mc_cli_args a = {.at = -1, .confidence = 0.95, .tolerance = 1.0 / 1024};
    int st = mc_cli_parse(&cmd, argc, argv, &a);
    if (st < 0 && (!a.target || a.at < 0)) {
        fprintf(stderr, "collapse: need: %s is required (see collapse need --help)\n",
                !a.target ? "--target" : "--at");
        st = 2;
    }
    if (st < 0)
        st = solve_and_print(&a);
    mc_cli_args_free(&a);
    return st;
}
