/* run_dir.c - an experiment run into its directory: the folder chosen, locked and claimed
 * (folder.h), then each finished point summarised, written and handed to the caller
 * (include/collapse/run.h). */
#include <omp.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "collapse.h"
#include "collapse/budget.h"
#include "io/atomic.h"
#include "run/folder.h"

typedef struct run_state {
    mc_writer *writer;
    const mc_run_dir_opts *o;
} run_state;

/* The engine's per-point callback: summary -> writer -> the caller's on_summary. */
static int on_point(const mc_point_result *res, void *user, mc_error *err)
{
    run_state *st = user;
    mc_summary *s = NULL;
    int r = mc_summary_compute(res, &s, err);
    if (r == MC_OK)
        r = mc_writer_point(st->writer, res, s, err);
    if (r == MC_OK && st->o->on_summary)
        r = st->o->on_summary(s, st->o->user, err);
    mc_summary_free(s);
    return r;
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

/* Chooses, creates and locks the run's folder, and makes sure it holds no other run (o->force:
 * removes it). *lock is the folder's lock (-1 on failure). */
static int open_folder(const mc_experiment *e, const mc_run_dir_opts *o, mc_run_dir_result *res,
                       int *lock, mc_error *err)
{
    *lock = -1;
    if (o->dir && !*o->dir)
        return mc_error_set(err, MC_EUSAGE, "output directory: the name is empty");
    if (o->dir && strlen(o->dir) >= sizeof res->dir)
        return mc_error_set(err, MC_EIO, "%.64s...: cannot create output directory: name too "
                            "long (%zu characters)", o->dir, strlen(o->dir));
    int r = choose_dir(e, o->dir, res, err);
    if (r == MC_OK)
        r = mc_folder_lock(res->dir, lock, err);
    if (r == MC_OK)
        r = mc_folder_claim(res->dir, o->force, err);
    if (r != MC_OK) {
        mc_folder_unlock(res->dir, *lock);
        *lock = -1;
    }
    return r;
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
        r = mc_experiment_check_output(e, o->dir && *o->dir ? o->dir : "results", NULL, err);
    int lock;
    if (r == MC_OK)
        r = open_folder(e, o, res, &lock, err);
    if (r != MC_OK)
        return r;
    run_state st = {NULL, o};
    r = mc_writer_open(res->dir, e, &st.writer, err);
    if (r == MC_OK && o->on_start)
        o->on_start(e, res, o->user);
    mc_run_opts ro = {o->threads, on_point, o->on_progress ? on_progress : NULL, &st};
    if (r == MC_OK && (r = mc_experiment_run(e, &ro, err)) != MC_OK)
        mc_writer_abort(st.writer);
    else if (r == MC_OK)
        r = mc_writer_close(st.writer, err);
    if (r == MC_OK && o->on_finish)
        r = o->on_finish(res, o->user, err);
    mc_folder_unlock(res->dir, lock);
    return r;
}
