/* writer.h - the run directory: config.ini, points.csv, metrics.csv, summary.csv,
 * extinction.csv, summary.json (format: docs/OUTPUTS.md; src/run/writer.c).
 *
 * Every file is written under a unique temporary name (".NAME.XXXXXX", created exclusively) and,
 * only when the whole run has finished, fsync'ed and renamed, summary.json last after an fsync of
 * the folder, so an interrupted or failed run never leaves a file that looks complete and a
 * complete one is on disk. A failed write, fsync or rename is reported with the file's name and
 * the system's reason. The writer takes no lock and does not check what the folder holds:
 * mc_run_to_dir (run.h) does both. Points are streamed: metrics and summary rows are appended as each point
 * finishes. mc_run_to_dir() (run.h) drives a writer for a whole experiment; use these calls
 * directly only when you run the experiment yourself (mc_experiment_run with your own on_point).
 */
#ifndef COLLAPSE_WRITER_H
#define COLLAPSE_WRITER_H

#include "experiment.h"
#include "summary.h"

typedef struct mc_writer mc_writer;

/* Creates dir (and its parents) if needed (an empty name is MC_EIO) and opens the temporary
 * files. e is borrowed and must
 * outlive the writer. On success *out is owned by the caller until mc_writer_close or
 * mc_writer_abort. Returns MC_OK, MC_EIO (dir cannot be created or written; nothing is left but
 * the directories made) or MC_ENOMEM. */
int mc_writer_open(const char *dir, const mc_experiment *e, mc_writer **out, mc_error *err);
/* Appends one finished point (raw values and its summary; both borrowed), in point order.
 * Returns MC_OK, MC_EIO or MC_ENOMEM; after a failure call mc_writer_abort. */
int mc_writer_point(mc_writer *w, const mc_point_result *res, const mc_summary *s, mc_error *err);
/* Writes the remaining files and renames everything into place; frees w in all cases (on
 * failure the temporary files are removed and summary.json is not renamed). */
int mc_writer_close(mc_writer *w, mc_error *err);
/* Removes the temporary files; frees w. NULL is a no-op. */
void mc_writer_abort(mc_writer *w);

#endif
