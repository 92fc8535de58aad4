/* output.h - the run directory: config.ini, points.csv, metrics.csv, summary.csv,
 * extinction.csv, summary.json.
 *
 * Every file is written under a temporary name (".NAME.tmp") and renamed only when the whole
 * run has finished, so an interrupted or failed run never leaves a file that looks complete.
 * Points are streamed: metrics and summary rows are appended as each point finishes.
 */
#ifndef COLLAPSE_OUTPUT_H
#define COLLAPSE_OUTPUT_H

#include "experiment.h"
#include "summary.h"

typedef struct mc_writer mc_writer;

/* Creates dir (and its parents) if needed and opens the temporary files. */
int mc_writer_open(const char *dir, const mc_experiment *e, mc_writer **out, mc_error *err);
/* Appends one finished point (raw values and its summary). */
int mc_writer_point(mc_writer *w, const mc_point_result *res, const mc_summary *s, mc_error *err);
/* Writes the remaining files and renames everything into place; frees w. */
int mc_writer_close(mc_writer *w, mc_error *err);
/* Removes the temporary files; frees w. NULL is a no-op. */
void mc_writer_abort(mc_writer *w);

/* Writes f's content produced by fn to path atomically (temp file, fsync-free rename). */
int mc_write_atomic(const char *path, int (*fn)(FILE *f, void *user), void *user, mc_error *err);

#endif
