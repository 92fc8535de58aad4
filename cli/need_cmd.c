/* need_cmd.c - `collapse need PRESET|FILE --target "..." --at G [overrides]`: argument parsing
 * and printing around mc_need_solve() (include/collapse/need.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "collapse/need.h"
#include "need_cmd.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: collapse need [PRESET|FILE.ini] --target \"METRIC OP VALUE\" --at G\n"
            "                     [section.key=value ...] [--confidence C] [--tolerance T]\n"
            "                     [--precision E] [--threads N] [--seed S] [--quiet]\n"
            "\n"
            "The smallest fraction h of fresh human data in every training set (regime fresh)\n"
            "whose replicate mean of METRIC at generation G meets the target, by bisection over h\n"
            "with common random numbers (replicate r uses the same stream at every h), with an\n"
            "interval for h at confidence C (default 0.95). Grid axes of the configuration are\n"
            "fixed at their first value; override them to choose. More replicates\n"
            "(run.replicates=N) narrow the interval.\n"
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
            "\n"
            "options:\n"
            "  --target T       the target (required)\n"
            "  --at G           the generation at which it must hold (required)\n"
            "  --confidence C   level of the interval for h, in (0,1) [0.95]\n"
            "  --tolerance T    resolution of h: the grid step is the largest 2^-D <= T [0.001]\n"
            "  --precision E    enough replicates: rerun with more (the first R kept) until the\n"
            "                   mean at h* is known to +-E at confidence C (at most 10^5)\n"
            "  --threads N      worker threads; results do not depend on it\n"
            "  --seed S         same as run.seed=S\n"
            "  --quiet          no line per evaluated h\n");
}

typedef struct ctx {
    const char *metric;
    int quiet;
} ctx;

static void on_eval(double h, double mean, double se, void *user)
{
    const ctx *c = user;
    if (c->quiet)
        return;
    char a[32], b[32];
    fprintf(stderr, "collapse need: h = %-10.6g mean %s = %s (se %s)\n", h, c->metric,
            mc_format_value(mean, a), mc_format_value(se, b));
}

static int number_arg(const char *opt, const char *v, double lo, double hi, double *out)
{
    if (mc_parse_double(v, out) != MC_OK || *out < lo || *out > hi) {
        fprintf(stderr, "collapse: need: %s %s: expected a number from %g to %g\n", opt, v, lo,
                hi);
        return 0;
    }
    return 1;
}

int mc_cli_need(int argc, char **argv)
{
    const char *source = NULL, *target = NULL, *seed = NULL;
    double at = -1, conf = 0.95, tol = 1.0 / 1024, threads = 0, precision = 0;
    int quiet = 0;
    char **ov = calloc((size_t)argc + 1, sizeof *ov);
    int nov = 0;
    if (!ov)
        return 1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            free(ov);
            return 0;
        }
        if (!strcmp(a, "--target") || !strcmp(a, "--at") || !strcmp(a, "--confidence") ||
            !strcmp(a, "--tolerance") || !strcmp(a, "--threads") || !strcmp(a, "--seed") ||
            !strcmp(a, "--precision")) {
            if (i + 1 >= argc) {
                fprintf(stderr, "collapse: need: %s needs a value\n", a);
                free(ov);
                return 2;
            }
            const char *v = argv[++i];
            int ok = 1;
            if (!strcmp(a, "--target"))
                target = v;
            else if (!strcmp(a, "--seed"))
                seed = v;
            else if (!strcmp(a, "--at"))
                ok = number_arg(a, v, 0, 1e9, &at) && at == floor(at);
            else if (!strcmp(a, "--confidence"))
                ok = number_arg(a, v, 1e-9, 1 - 1e-9, &conf);
            else if (!strcmp(a, "--tolerance"))
                ok = number_arg(a, v, 1e-9, 0.5, &tol);
            else if (!strcmp(a, "--precision"))
                ok = number_arg(a, v, 1e-12, 1e300, &precision);
            else
                ok = number_arg(a, v, 1, 4096, &threads) && threads == floor(threads);
            if (!ok) {
                if (!strcmp(a, "--at") || !strcmp(a, "--threads"))
                    fprintf(stderr, "collapse: need: %s %s: expected a whole number\n", a, v);
                free(ov);
                return 2;
            }
        } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
            quiet = 1;
        } else if (a[0] == '-') {
            fprintf(stderr, "collapse: need: unknown option '%s' (see collapse need --help)\n", a);
            free(ov);
            return 2;
        } else if (strchr(a, '=')) {
            ov[nov++] = argv[i];
        } else if (!source) {
            source = a;
        } else {
            fprintf(stderr, "collapse: need: unexpected argument '%s' (one PRESET or FILE.ini, "
                            "then section.key=value overrides)\n", a);
            free(ov);
            return 2;
        }
    }
    if (!target || at < 0) {
        fprintf(stderr, "collapse: need: %s is required (see collapse need --help)\n",
                !target ? "--target" : "--at");
        free(ov);
        return 2;
    }
    mc_error err = {0};
    mc_target t;
    if (mc_target_parse(target, &t, &err) != MC_OK) {
        free(ov);
        fprintf(stderr, "collapse: need: %s\n", err.msg);
        return mc_exit_status(err.code);
    }
    mc_config *c = NULL;
    int r = mc_cli_load(source, ov, nov, seed, &c, &err);
    free(ov);
    if (r != MC_OK) {
        fprintf(stderr, "collapse: %s\n", err.msg);
        return mc_exit_status(err.code);
    }
    ctx cx = {t.metric, quiet};
    mc_need_opts o = {.generation = (long)at, .confidence = conf, .tolerance = tol,
                      .threads = (int)threads, .on_eval = on_eval, .user = &cx,
                      .precision = precision};
    mc_need_result res;
    r = mc_need_solve(c, &t, &o, &res, &err);
    if (r != MC_OK) {
        fprintf(stderr, "collapse: need: %s\n", err.msg);
        return mc_exit_status(err.code);
    }
    char b1[32], b2[32], b3[32], b4[32];
    printf("\ncollapse need: %s, regime fresh, target %s at generation %ld, %ld replicates "
           "(common random numbers across h)\n",
           source ? source : "cats", t.text, (long)at, res.replicates);
    if (res.fixed[0])
        printf("grid axes fixed at their first value (override to choose): %s\n", res.fixed);
    if (res.dropped[0])
        printf("keys of another regime left out: %s\n", res.dropped);
    static const char *const ops[] = {">=", "<=", ">", "<"}; /* in mc_target_op order */
    if (t.relative)
        printf("gen0 = replicate mean of %s at generation 0 = %s, so the mean must be %s %s\n",
               t.metric, mc_format_value(res.reference, b1), ops[t.op],
               mc_format_value(res.threshold, b2));
    printf("\n%10s  %14s  %12s  %5s\n", "h", t.metric, "se", "meets");
    for (size_t i = 0; i < res.nevals; i++) {
        const mc_need_eval *e = &res.evals[i];
        printf("%10.6g  %14s  %12s  %5s\n", e->h, mc_format_value(e->mean, b1),
               mc_format_value(e->se, b2),
               mc_target_met(&t, e->mean, res.reference) ? "yes" : "no");
    }
    if (!res.feasible)
        printf("\nnot met even with h = 1 (every training set fully human): the target is out "
               "of reach at generation %ld\n", (long)at);
    else
        printf("\nh* = %s  (%g %% interval %s to %s; grid step %g; mean at h* known to +-%s "
               "with %ld replicates)\n",
               mc_format_value(res.h, b1), 100 * conf, mc_format_value(res.lo, b2),
               mc_format_value(res.hi, b3), res.step, mc_format_value(res.halfwidth, b4),
               res.replicates);
    mc_need_result_free(&res);
    return 0;
}
