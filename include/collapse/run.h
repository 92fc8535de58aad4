/* run.h - an experiment run into a directory: the whole of `collapse run` but the printing.
 *
 *   mc_config *c;  mc_config_load_named("cats", NULL, &c, &err);      (presets.h)
 *   mc_experiment *e;  mc_experiment_prepare(c, &e, &err);            (experiment.h)
 *   mc_run_dir_opts o = {.dir = "out"};  mc_run_dir_result res;
 *   mc_run_to_dir(e, &o, &res, &err);         res.dir holds config.ini, summary.json, ...
 *   mc_experiment_free(e);
 *
 * mc_run_to_dir runs every grid point, summarises each finished point (summary.h), streams it to
 * the run directory's writer (writer.h) and hands the summary to the caller's on_summary (the
 * CLI's closing table is built there). It draws no plots and writes no report: call
 * mc_plot_run(res.dir) and mc_report_write(res.dir) (plot.h) afterwards if you want them, or in
 * on_finish while the folder is still locked, as `collapse run` does unless --no-plots. It
 * prints nothing; progress and results reach the caller through the callbacks and the result.
 * See examples/run_preset.c.
 *
 * The folder is the run's alone while it runs: it is locked (flock on DIR/.collapse.lock, which
 * holds the pid), and a second run into it is refused at once (MC_EIO, naming the folder and the
 * other run's pid). A folder that holds another run's files (config.ini, the CSVs, summary.json,
 * report.html, plots/) or the temporary files of a run that died is refused (MC_EUSAGE, naming
 * them) unless o->force, which removes those files first and nothing else. The default folder is
 * created new (results/NAME-STAMP, or NAME-STAMP-2, -3, ... when two runs start in one second).
 */
#ifndef COLLAPSE_RUN_H
#define COLLAPSE_RUN_H

#include <stddef.h>
#include "experiment.h"
#include "summary.h"

#define MC_RUN_DIR_MAX 4096

typedef struct mc_run_dir_result {
    char dir[MC_RUN_DIR_MAX]; /* the directory written (o->dir, or the default name) */
    size_t npoints;           /* grid points */
    size_t units;             /* (point, replicate) pairs run */
    int threads;              /* worker threads used (o->threads, or OpenMP's default) */
    size_t restored_points;   /* o->resume: points taken from the checkpoint, not computed */
    int complete;             /* o->resume: the folder already held the complete run (nothing
                                 was run, on_finish not called) */
} mc_run_dir_result;

/* Called once the directory is open, before the first unit runs; res holds everything but the
 * outcome. */
typedef void (*mc_run_start_fn)(const mc_experiment *e, const mc_run_dir_result *res,
                                void *user);
/* Called for each finished point, in point order, after its rows were written; s is borrowed
 * for the call. Returning a status other than MC_OK (with err filled) stops the run: no file
 * of the directory is renamed into place and mc_run_to_dir returns that status. */
typedef int (*mc_summary_fn)(const mc_summary *s, void *user, mc_error *err);
/* Called once the directory is complete (summary.json in place), while it is still locked; a
 * status other than MC_OK (with err filled) is returned by mc_run_to_dir (the data files stay). */
typedef int (*mc_run_finish_fn)(const mc_run_dir_result *res, void *user, mc_error *err);

typedef struct mc_run_dir_opts {
    const char *dir;   /* output folder, created with its parents; NULL: the default,
                          results/NAME-YYYYmmdd-HHMMSS (local time) under the working folder */
    int threads;       /* 0: OpenMP's default; results do not depend on it */
    mc_run_start_fn on_start;     /* optional */
    mc_summary_fn on_summary;     /* optional */
    mc_progress_fn on_progress;   /* optional: after each finished unit (experiment.h) */
    void *user;                   /* passed to every callback */
    int force;                    /* replace another run's files in dir (see above) */
    mc_run_finish_fn on_finish;   /* optional */
    int resume;                   /* continue the interrupted run in dir (required): see below */
    /* checkpoints inside units (families with model_save .. ds_load, docs/OUTPUTS.md): at
     * least this many seconds between two saves of a unit's state; 0: the default, 60; < 0:
     * after every generation */
    double checkpoint_seconds;
} mc_run_dir_opts;

/* Checkpoint and resume (docs/OUTPUTS.md). While a run goes, every finished point's values are
 * kept in dir/.collapse.ckpt/ (written atomically, fsync'ed; removed when the run is complete).
 * A new run into a folder holding such a checkpoint is refused (MC_EUSAGE) unless o->force. With
 * o->resume, the run continues from the checkpoint: e must be the same configuration as stored
 * there by the same version (else MC_EUSAGE naming the first difference), the checkpointed
 * points are restored, the rest computed, and every file written again whole: the folder is
 * byte for byte what an uninterrupted run writes. A folder whose summary.json is in place holds a
 * complete run: nothing is done (res->complete). mc_run_resume_config gives the configuration
 * to prepare e from. */
int mc_run_resume_config(const char *dir, char *path, size_t n, mc_error *err);

/* Runs experiment e (borrowed; the caller frees it) into a run directory (writer.h), with the
 * options o (NULL: all defaults). res is filled in all cases as far as known (res->dir as soon
 * as the name is chosen). Returns MC_OK when the directory is complete (every file synced to
 * disk, summary.json renamed into place last, with "complete":true) and on_finish succeeded;
 * otherwise MC_EUSAGE (an empty folder name; a folder holding another run without force),
 * MC_EIO (the folder is locked by another run, or cannot be created or written: the message
 * names the file and the system's reason) or the first error of a unit of work, of a summary
 * (MC_ENOMEM), of on_summary or of on_finish, with err filled, and no temporary file left
 * behind. */
int mc_run_to_dir(const mc_experiment *e, const mc_run_dir_opts *o, mc_run_dir_result *res,
                  mc_error *err);

/* The run folder's lock (DIR/.collapse.lock, flock), for a program that rewrites files of a
 * finished run (its figures, its report) while no run may write there: MC_OK and *fd holds the
 * lock until mc_run_unlock(dir, *fd); another live run holding it: MC_EIO at once, naming its
 * pid. mc_run_to_dir takes it itself for the whole run. */
int mc_run_lock(const char *dir, int *fd, mc_error *err);
void mc_run_unlock(const char *dir, int fd);

#endif
