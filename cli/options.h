/* options.h - the options of `collapse run` and `collapse need`: one table (cli/options.c) that
 * says which command takes which option, one parser and one usage printer. */
#ifndef COLLAPSE_CLI_OPTIONS_H
#define COLLAPSE_CLI_OPTIONS_H

#include <stdio.h>
#include "collapse.h"

/* Which commands take an option (bits of mc_cli_option.commands). */
enum { MC_CMD_RUN = 1u << 0, MC_CMD_NEED = 1u << 1, MC_CMD_CONFIG = 1u << 2 };

/* Everything an option or argument can set. A command sets its defaults before parsing. */
typedef struct mc_cli_args {
    const char *source;           /* PRESET|FILE.ini, or NULL (the default preset) */
    const char **overrides;       /* section.key=value arguments, in order (mc_cli_args_free) */
    size_t noverrides;
    const char *output, *seed, *target, *over, *resume;
    double threads, at, confidence, tolerance, precision;
    double checkpoint_seconds; /* run: -1 when not given */
    int quiet, no_plots, force;
} mc_cli_args;

typedef enum mc_cli_kind {
    MC_OPT_FLAG,   /* sets an int to 1 */
    MC_OPT_TEXT,   /* keeps the value (borrowed from argv) */
    MC_OPT_NUMBER, /* a number in [lo, hi] */
    MC_OPT_WHOLE,  /* a whole number in [lo, hi] */
    MC_OPT_HELP    /* prints the command's usage; exit 0 */
} mc_cli_kind;

typedef struct mc_cli_option {
    const char *name;    /* "--threads" */
    const char *alias;   /* "-o", or NULL */
    const char *metavar; /* "N" for an option that takes a value, NULL for a flag */
    mc_cli_kind kind;
    size_t offset;       /* the field of mc_cli_args it sets */
    double lo, hi;       /* bounds of MC_OPT_NUMBER and MC_OPT_WHOLE */
    unsigned commands;   /* MC_CMD_* bits: the commands that take it */
    const char *help;    /* one line, or lines separated by '\n' */
} mc_cli_option;

typedef struct mc_cli_command {
    const char *name;         /* "run": in "collapse: run: unknown option ..." */
    unsigned bit;             /* its MC_CMD_* bit */
    const char *value_prefix; /* before "--opt needs a value" and bad-number messages */
    void (*usage)(FILE *f);   /* prints the command's whole help */
} mc_cli_command;

/* Parses argv[1..argc) for cmd into a: options of the table, section.key=value overrides, one
 * PRESET|FILE.ini. Returns -1 when the command should go on; otherwise the exit status: 0 after
 * --help (usage printed on stdout), 1 out of memory, 2 after a message on stderr. Free a with
 * mc_cli_args_free in every case. */
int mc_cli_parse(const mc_cli_command *cmd, int argc, char **argv, mc_cli_args *a);
void mc_cli_args_free(mc_cli_args *a);

/* Prints "options:" and one line per option that command takes (MC_CMD_* bit). */
void mc_cli_print_options(FILE *f, unsigned command);

/* Loads a's PRESET|FILE, overrides and --seed (mc_config_load_named), printing a version
 * warning on stderr as "collapse: warning: ...". */
int mc_cli_load_config(const mc_cli_args *a, mc_config **out, mc_error *err);

#endif
