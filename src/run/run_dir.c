/* run_dir.c - an experiment run into its directory: the folder chosen, locked and claimed
 * (folder.h), then each finished point checkpointed (checkpoint.h), summarised, written and
 * handed to the caller (include/collapse/run.h); a resumed run restores the checkpointed points
 * instead of computing them. */
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "collapse.h"
#include "collapse/budget.h"
#include "io/atomic.h"
#include "run/checkpoint.h"
#include "run/folder.h"

typedef struct run_state {
    mc_writer *writer;
    const mc_run_dir_opts *o;
    mc_ckpt *ckpt;
} run_state;

/* The engine's per-point callback: checkpoint -> summary -> writer -> the caller's on_summary. */
static int on_point(const mc_point_result *res, void *user, mc_error *err)
{
    run_state *st = user;
    mc_summary *s = NULL;
    int r = mc_ckpt_save(st->ckpt, res, err);
    if (r == MC_OK)
        r = mc_summary_compute(res, &s, err);
    if (r == MC_OK)
        r = mc_writer_point(st->writer, res, s, err);
    if (r == MC_OK && st->o->on_summary)
        r = st->o->on_summary(s, st->o->user, err);
    mc_summary_free(s);
    return r;
}

/* The engine's restore callback: a point's values from the checkpoint (resume). */
static int restore(const mc_point *p, double *values, void *user)
{
    const run_state *st = user;
    return st->ckpt ? mc_ckpt_restore(p, values, st->ckpt) : 0;
}

/* The engine's progress callback, forwarded with the caller's user pointer. */
static void on_progress(size_t done, size_t total, const mc_point *p, void *user)
{
    const run_state *st = user;
    st->o->on_progress(done, total, p, st->o->user);
}

/* res->dir: o->dir (created with its parents if needed), or a new folder
 * results/NAME-YYYYmmdd-HHMMSS[-K]. */
static int choose_dir(const mc_experiment *e, const char *dir, mc_run_dir_result *res,
                      mc_error *err)
{
    if (dir) {
        snprintf(res->dir, sizeof res->dir, "%s", dir);
        return mc_make_dirs(dir, err);
    }
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
    return mc_folder_make_new(e->name, ts, res->dir, sizeof res->dir, err);
}

/* A new run: a folder holding the checkpoint of a run that did not finish is refused unless
 * force (which discards it); then the folder is claimed (folder.h) and a checkpoint started. */
static int start_fresh(const char *dir, const mc_experiment *e, int force, mc_ckpt **ck,
                       mc_error *err)
{
    int kept = mc_ckpt_exists(dir);
    int r = mc_folder_claim(dir, force, err);
    if (r == MC_EUSAGE && kept && err) { /* the leftovers named: say how to go on */
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, "; or `collapse run --resume %s` "
                 "continues that run from its checkpoint", dir);
    }
    if (r == MC_OK && kept && !force)
        r = mc_error_set(err, MC_EUSAGE,
                         "%s: holds a run that did not finish (its checkpoint %s/): "
                         "`collapse run --resume %s` continues it, --force starts over",
                         dir, MC_CKPT_DIR, dir);
    return r == MC_OK ? mc_ckpt_start(dir, e, ck, err) : r;
}

/* A resumed run: a folder whose run is complete needs nothing (res->complete); else its
 * checkpoint must match e, and the files of the interrupted run are removed (they are written
 * again whole). */
static int start_resume(const char *dir, const mc_experiment *e, mc_ckpt **ck,
                        mc_run_dir_result *res, mc_error *err)
{
    char path[MC_RUN_DIR_MAX + 32];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (access(path, F_OK) == 0) { /* renamed last: the run finished */
        res->complete = 1;
        return mc_ckpt_discard(dir, err);
    }
    int r = mc_ckpt_resume(dir, e, ck, err);
    return r == MC_OK ? mc_folder_claim(dir, 1, err) : r;
}

/* Chooses, creates and locks the run's folder, and makes sure it holds no other run (o->force:
 * removes it) or, o->resume, that it holds this run's checkpoint. *lock is the folder's lock (-1
 * on failure). */
static int open_folder(const mc_experiment *e, const mc_run_dir_opts *o, mc_run_dir_result *res,
                       int *lock, mc_ckpt **ck, mc_error *err)
{
    *lock = -1;
    *ck = NULL;
    if (o->dir && !*o->dir)
        return mc_error_set(err, MC_EUSAGE, "output directory: the name is empty");
    if (o->resume && !o->dir)
        return mc_error_set(err, MC_EUSAGE, "resume: the run folder is missing");
    if (o->dir && strlen(o->dir) >= sizeof res->dir)
        return mc_error_set(err, MC_EIO, "%.64s...: cannot create output directory: name too "
                            "long (%zu characters)", o->dir, strlen(o->dir));
    int r = choose_dir(e, o->dir, res, err);
    if (r == MC_OK)
        r = mc_folder_lock(res->dir, lock, err);
    if (r == MC_OK)
        r = o->resume ? start_resume(res->dir, e, ck, res, err)
                      : start_fresh(res->dir, e, o->force, ck, err);
    if (r != MC_OK) {
        mc_ckpt_free(*ck);
        *ck = NULL;
        mc_folder_unlock(res->dir, *lock);
        *lock = -1;
    }
    return r;
}

/* Runs e with the folder open: the writer, the engine (restoring checkpointed points), then
 * the files committed and the checkpoint removed. */
static int run_in_folder(const mc_experiment *e, const mc_run_dir_opts *o, mc_run_dir_result *res,
                         run_state *st, mc_error *err)
{
    int r = mc_writer_open(res->dir, e, &st->writer, err);
    if (r == MC_OK && o->on_start)
        o->on_start(e, res, o->user);
    mc_unit_store units;
    double seconds = o->checkpoint_seconds == 0 ? MC_UNIT_CHECKPOINT_SECONDS : o->checkpoint_seconds;
    if (st->ckpt)
        mc_ckpt_unit_store(st->ckpt, seconds, &units);
    mc_run_opts ro = {o->threads, on_point, o->on_progress ? on_progress : NULL, st,
                      o->resume ? restore : NULL, st->ckpt ? &units : NULL};
    if (r == MC_OK && (r = mc_mpi_run(e, &ro, err)) != MC_OK) /* one process without MPI */
        mc_writer_abort(st->writer);
    else if (r == MC_OK)
        r = mc_writer_close(st->writer, err);
    res->restored_points = mc_ckpt_restored(st->ckpt);
    /* complete (summary.json in place): the checkpoint goes. Failed with an error: a new run
     * leaves nothing behind, as ever (only a killed run keeps its checkpoint); a resumed run
     * keeps the checkpoint it came from, so that it can be resumed again */
    if (r != MC_OK && o->resume)
        return r; /* the caller frees st->ckpt */
    mc_error ignore;
    int rm = st->ckpt ? mc_ckpt_remove(st->ckpt, r == MC_OK ? err : &ignore) : MC_OK;
    st->ckpt = NULL;
    return r == MC_OK ? rm : r;
}

static void count_work(const mc_experiment *e, int threads, mc_run_dir_result *res)
{
    res->npoints = e->npoints;
    res->units = 0;
    for (size_t i = 0; i < e->npoints; i++)
        res->units += (size_t)e->points[i].run.replicates;
    res->threads = threads > 0 ? threads : omp_get_max_threads();
}

int mc_run_to_dir(const mc_experiment *e, const mc_run_dir_opts *o, mc_run_dir_result *res,
                  mc_error *err)
{
    static const mc_run_dir_opts defaults = {0};
    if (!o)
        o = &defaults;
    memset(res, 0, sizeof *res);
    count_work(e, o->threads, res);
    /* what depends on how it runs, refused before any folder is made: the units that run at
     * once must fit in memory together, the output in the file system */
    int r = mc_experiment_check_threads(e, res->threads, err);
    if (r == MC_OK)
        r = mc_experiment_check_output(e, o->dir && *o->dir ? o->dir : "results", res->threads,
                                       NULL, err);
    int lock;
    run_state st = {NULL, o, NULL};
    if (r == MC_OK)
        r = open_folder(e, o, res, &lock, &st.ckpt, err);
    if (r != MC_OK)
        return r;
    if (!res->complete)
        r = run_in_folder(e, o, res, &st, err);
    mc_ckpt_free(st.ckpt);
    if (r == MC_OK && o->on_finish && !res->complete)
        r = o->on_finish(res, o->user, err);
    mc_folder_unlock(res->dir, lock);
    return r;
}
