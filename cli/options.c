/* options.c - one table of the options of `collapse run` and `collapse need`, the parser that
 * reads an argument list against it and the printer of its usage lines. */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

#define FIELD(f) offsetof(mc_cli_args, f)
#define BOTH (MC_CMD_RUN | MC_CMD_NEED)
#define ALL (BOTH | MC_CMD_CONFIG)

static const mc_cli_option options[] = {
    {"--output", "-o", "DIR", MC_OPT_TEXT, FIELD(output), 0, 0, MC_CMD_RUN,
     "output folder (default results/NAME-YYYYmmdd-HHMMSS)"},
    {"--target", NULL, "T", MC_OPT_TEXT, FIELD(target), 0, 0, MC_CMD_NEED,
     "the target (required)"},
    {"--at", NULL, "G", MC_OPT_WHOLE, FIELD(at), 0, 1e9, MC_CMD_NEED,
     "the generation at which it must hold (required)"},
    {"--over", NULL, "KEY", MC_OPT_TEXT, FIELD(over), 0, 0, MC_CMD_NEED,
     "the knob searched: regime.h (default: fresh human data), regime.detector_tpr\n"
     "(the detector's TPR) or regime.candidates (curation's K, up to the configuration's)"},
    {"--confidence", NULL, "C", MC_OPT_NUMBER, FIELD(confidence), 1e-9, 1 - 1e-9, MC_CMD_NEED,
     "level of the interval for h, in (0,1) [0.95]"},
    {"--tolerance", NULL, "T", MC_OPT_NUMBER, FIELD(tolerance), 1e-9, 0.5, MC_CMD_NEED,
     "resolution of h: the grid step is the largest 2^-D <= T [0.001]"},
    {"--precision", NULL, "E", MC_OPT_NUMBER, FIELD(precision), 1e-12, 1e300, MC_CMD_NEED,
     "enough replicates: rerun with more (the first R kept) until the\n"
     "mean at h* is known to +-E at confidence C (at most 10^5)"},
    {"--output", "-o", "DIR", MC_OPT_TEXT, FIELD(output), 0, 0, MC_CMD_NEED,
     "folder for need.csv and need.json (default results/NAME-need-YYYYmmdd-HHMMSS)"},
    {"--force", NULL, NULL, MC_OPT_FLAG, FIELD(force), 0, 0, MC_CMD_NEED,
     "replace need.csv and need.json of an earlier answer in DIR"},
    {"--threads", NULL, "N", MC_OPT_WHOLE, FIELD(threads), 1, 4096, ALL,
     "worker threads (default: all cores); results do not depend on it"},
    {"--seed", NULL, "S", MC_OPT_TEXT, FIELD(seed), 0, 0, ALL, "same as run.seed=S"},
    {"--help", "-h", NULL, MC_OPT_HELP, 0, 0, 0, MC_CMD_CONFIG, "this help"},
    {"--quiet", "-q", NULL, MC_OPT_FLAG, FIELD(quiet), 0, 0, BOTH,
     "no progress on stderr (run: no progress bar; need: no line per evaluated h)"},
    {"--no-plots", NULL, NULL, MC_OPT_FLAG, FIELD(no_plots), 0, 0, MC_CMD_RUN,
     "do not draw DIR/plots/ and DIR/report.html at the end"},
    {"--force", NULL, NULL, MC_OPT_FLAG, FIELD(force), 0, 0, MC_CMD_RUN,
     "write into a folder that holds another run: first remove that run's\n"
     "files (CSVs, summary.json, config.ini, plots/, report.html) and the\n"
     "temporary files of a run that did not finish; nothing else"},
    {"--resume", NULL, "DIR", MC_OPT_TEXT, FIELD(resume), 0, 0, MC_CMD_RUN,
     "continue the run in DIR that was killed, from its checkpoint: the\n"
     "files come out as an uninterrupted run's (no PRESET, overrides, -o)"},
    {"--checkpoint-seconds", NULL, "S", MC_OPT_NUMBER, FIELD(checkpoint_seconds), 0, 1e9,
     MC_CMD_RUN,
     "for families that can save a unit's state (docs/OUTPUTS.md): at most\n"
     "one save per unit every S seconds, after a finished generation [60];\n"
     "0: after every generation"},
    {"--help", "-h", NULL, MC_OPT_HELP, 0, 0, 0, BOTH, "this help"},
};
#define NOPTIONS (sizeof options / sizeof options[0])

static const mc_cli_option *find_option(unsigned command, const char *arg)
{
    for (size_t i = 0; i < NOPTIONS; i++)
        if ((options[i].commands & command) &&
            (!strcmp(arg, options[i].name) || (options[i].alias && !strcmp(arg, options[i].alias))))
            return &options[i];
    return NULL;
}

/* Stores value into the option's field; 2 after a message when it is not a valid number. */
static int store_value(const mc_cli_command *cmd, const mc_cli_option *o, const char *opt,
                       const char *v, mc_cli_args *a)
{
    char *field = (char *)a + o->offset;
    if (o->kind == MC_OPT_TEXT) {
        *(const char **)field = v;
        return -1;
    }
    double x;
    int whole = o->kind == MC_OPT_WHOLE;
    if (mc_parse_double(v, &x) != MC_OK || x < o->lo || x > o->hi || (whole && x != floor(x))) {
        fprintf(stderr, "collapse: %s%s %s: expected a %s from %g to %g\n", cmd->value_prefix,
                opt, v, whole ? "whole number" : "number", o->lo, o->hi);
        return 2;
    }
    *(double *)field = x;
    return -1;
}

/* Whether arg looks like the rest of a list the shell split: the override before it ends with
 * a comma ("regime.name=replace," "fresh"), or arg starts with one. Then a hint to quote it. */
static int split_list(const mc_cli_command *cmd, const char *prev, const char *arg)
{
    size_t lp = prev ? strlen(prev) : 0;
    int after_comma = lp && strchr(prev, '=') && prev[lp - 1] == ',';
    if (!after_comma && arg[0] != ',')
        return 0;
    fprintf(stderr, "collapse: %s: '%s' looks like the rest of a list that the shell split at a "
                    "space; quote the whole value, e.g. 'regime.name=replace, fresh'\n",
            cmd->name, arg);
    return 1;
}

/* A word that is not an option: an override, the source, or one too many. prev is the word
 * before it (NULL for the first). */
static int positional(const mc_cli_command *cmd, const char *prev, char *arg, mc_cli_args *a)
{
    if (split_list(cmd, prev, arg))
        return 2;
    if (arg[0] == '-') {
        fprintf(stderr, "collapse: %s: unknown option '%s' (see collapse %s --help)\n", cmd->name,
                arg, cmd->name);
        return 2;
    }
    if (strchr(arg, '=')) {
        a->overrides[a->noverrides++] = arg;
    } else if (!a->source) {
        a->source = arg;
    } else {
        fprintf(stderr, "collapse: %s: unexpected argument '%s' (one PRESET or FILE.ini, then "
                        "section.key=value overrides)\n", cmd->name, arg);
        return 2;
    }
    return -1;
}

int mc_cli_parse(const mc_cli_command *cmd, int argc, char **argv, mc_cli_args *a)
{
    a->overrides = calloc((size_t)argc + 1, sizeof *a->overrides);
    a->noverrides = 0;
    if (!a->overrides)
        return 1;
    int st = -1;
    for (int i = 1; st < 0 && i < argc; i++) {
        const mc_cli_option *o = find_option(cmd->bit, argv[i]);
        if (!o) {
            st = positional(cmd, i > 1 ? argv[i - 1] : NULL, argv[i], a);
        } else if (o->kind == MC_OPT_HELP) {
            cmd->usage(stdout);
            st = 0;
        } else if (o->kind == MC_OPT_FLAG) {
            *(int *)((char *)a + o->offset) = 1;
        } else if (i + 1 >= argc) {
            fprintf(stderr, "collapse: %s%s needs a value\n", cmd->value_prefix, argv[i]);
            st = 2;
        } else {
            st = store_value(cmd, o, argv[i], argv[i + 1], a);
            i++;
        }
    }
    return st;
}

void mc_cli_args_free(mc_cli_args *a)
{
    free(a->overrides);
    a->overrides = NULL;
    a->noverrides = 0;
}

void mc_cli_print_options(FILE *f, unsigned command)
{
    char heads[NOPTIONS][64];
    int width = 0;
    for (size_t i = 0; i < NOPTIONS; i++) {
        const mc_cli_option *o = &options[i];
        snprintf(heads[i], sizeof heads[i], "%s%s%s%s%s", o->alias ? o->alias : "",
                 o->alias ? ", " : "", o->name, o->metavar ? " " : "",
                 o->metavar ? o->metavar : "");
        if ((o->commands & command) && (int)strlen(heads[i]) > width)
            width = (int)strlen(heads[i]);
    }
    fprintf(f, "options:\n");
    for (size_t i = 0; i < NOPTIONS; i++) {
        if (!(options[i].commands & command))
            continue;
        const char *line = options[i].help;
        fprintf(f, "  %-*s  ", width, heads[i]);
        for (const char *nl; (nl = strchr(line, '\n')); line = nl + 1)
            fprintf(f, "%.*s\n  %-*s  ", (int)(nl - line), line, width, "");
        fprintf(f, "%s\n", line);
    }
}

static void print_warning(const char *msg, void *user)
{
    (void)user;
    fprintf(stderr, "collapse: warning: %s\n", msg);
}

int mc_cli_load_config(const mc_cli_args *a, mc_config **out, mc_error *err)
{
    mc_load_opts lo = {a->overrides, a->noverrides, a->seed, print_warning, NULL};
    return mc_config_load_named(a->source, &lo, out, err);
}
