/* cli.h - pieces of the command line shared between its files. */
#ifndef COLLAPSE_CLI_H
#define COLLAPSE_CLI_H

#include <stdio.h>
#include "collapse.h"

/* The closing table (cli/table.c): per grid point, the replicate mean of each headline metric
 * at a few generations, printed with exactly the text summary.csv holds. `collapse run` feeds
 * it from mc_run_to_dir's on_summary (run.h). */
typedef struct mc_table mc_table;
int mc_table_alloc(const mc_experiment *e, mc_table **out, mc_error *err);
int mc_table_add(mc_table *t, const mc_summary *s, mc_error *err);
void mc_table_print(const mc_table *t, FILE *f);
void mc_table_free(mc_table *t);

/* Prints the closed-form curves of an experiment; returns how many curves it printed. */
int mc_theory_print(const mc_experiment *e, FILE *f);

#endif
