/* budget.c - what an experiment will cost before it runs (see budget.h): the memory of the units
 * that run at once, and the size of metrics.csv against the free space where it goes. */
#include <errno.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include "collapse.h"
#include "collapse/budget.h"

typedef struct unit_cost {
    double bytes;  /* one unit's need */
    size_t point;
} unit_cost;

static int by_bytes_desc(const void *a, const void *b)
{
    const unit_cost *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes < y->bytes ? 1 : -1;
    return (x->point > y->point) - (x->point < y->point);
}

/* Sum of the `threads` largest unit needs: each point offers run.replicates units of its need. */
int mc_experiment_check_threads(const mc_experiment *e, int threads, mc_error *err)
{
    if (threads <= 0)
        threads = omp_get_max_threads();
    double have = mc_memory_bytes();
    if (!(have > 0) || e->npoints == 0)
        return MC_OK;
    unit_cost *u = malloc(e->npoints * sizeof *u);
    if (!u)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (size_t i = 0; i < e->npoints; i++)
        u[i] = (unit_cost){mc_point_unit_bytes(&e->points[i]), i};
    qsort(u, e->npoints, sizeof *u, by_bytes_desc);
    double sum = 0;
    long left = threads;
    for (size_t i = 0; i < e->npoints && left > 0; i++) {
        long k = e->points[u[i].point].run.replicates < left ? e->points[u[i].point].run.replicates
                                                             : left;
        sum += (double)k * u[i].bytes;
        left -= k;
    }
    const mc_point *p = &e->points[u[0].point];
    double one = u[0].bytes;
    free(u);
    if (sum <= 0.8 * have)
        return MC_OK;
    long fit = (long)(0.8 * have / one);
    char where[256];
    return mc_error_set(err, MC_ENOMEM,
                        "%s: %ld replicates running at once on %d threads would need %.3g GB of "
                        "memory (up to %.3g GB each) but this machine has %.3g GB; run with "
                        "--threads %ld or fewer",
                        mc_point_where(p, "regime", "n", where, sizeof where),
                        (long)threads - left, threads, sum / 1e9, one / 1e9, have / 1e9,
                        fit > 1 ? fit : 1);
}

double mc_experiment_output_bytes(const mc_experiment *e)
{
    double rows = 0;
    const mc_run_settings *run = &e->points[0].run; /* output.* keys are not grid axes */
    if (run->metrics_none)
        return 0;
    for (size_t i = 0; i < e->npoints; i++) {
        const mc_point *p = &e->points[i];
        rows += (double)p->run.replicates * (double)(p->run.generations + 1) *
                (double)p->metrics.n;
    }
    /* gzip (level 1) keeps about a quarter of the text (the cats demo: 15.4 MB in 3.6 MB) */
    return rows * MC_OUTPUT_ROW_BYTES * (run->gzip ? 0.25 : 1.0);
}

/* Free bytes of the file system that holds path, or of its nearest existing parent; -1 when
 * unknown. */
static double free_bytes(const char *path)
{
    char buf[4096];
    snprintf(buf, sizeof buf, "%s", path && *path ? path : ".");
    struct statvfs vfs;
    while (statvfs(buf, &vfs) != 0) {
        if ((errno != ENOENT && errno != ENOTDIR) || strcmp(buf, ".") == 0 ||
            strcmp(buf, "/") == 0)
            return -1;
        size_t len = strlen(buf);
        while (len > 1 && buf[len - 1] == '/')
            buf[--len] = '\0';
        char *slash = strrchr(buf, '/');
        if (!slash)
            snprintf(buf, sizeof buf, ".");
        else if (slash == buf)
            buf[1] = '\0';
        else
            *slash = '\0';
    }
    return (double)vfs.f_bavail * (double)vfs.f_frsize;
}

double mc_experiment_checkpoint_bytes(const mc_experiment *e)
{
    double values = 0;
    for (size_t i = 0; i < e->npoints; i++) {
        const mc_point *p = &e->points[i];
        values += (double)p->run.replicates * (double)(p->run.generations + 1) *
                  (double)p->metrics.n;
    }
    return values * MC_CHECKPOINT_VALUE_BYTES;
}

double mc_experiment_unit_state_bytes(const mc_experiment *e, int in_flight)
{
    double one = 0, units = 0;
    for (size_t i = 0; i < e->npoints; i++) {
        const mc_point *p = &e->points[i];
        if (!mc_unit_resumable(p))
            continue;
        units += (double)p->run.replicates;
        double b = mc_point_unit_bytes(p);
        one = b > one ? b : one;
    }
    double at_once = units < (double)in_flight ? units : (double)in_flight;
    return 2.0 * one * at_once;
}

int mc_experiment_check_output(const mc_experiment *e, const char *dir, int threads,
                               double *bytes, mc_error *err)
{
    double csv = mc_experiment_output_bytes(e), ckpt = mc_experiment_checkpoint_bytes(e);
    ckpt += mc_experiment_unit_state_bytes(e, threads > 0 ? threads : omp_get_max_threads());
    double need = csv + ckpt;
    if (bytes)
        *bytes = need;
    double have = free_bytes(dir);
    if (have >= 0 && need > have)
        return mc_error_set(err, MC_EIO,
                            "%s: metrics.csv would take about %.3g GB (%zu points x replicates x "
                            "generations x metrics rows of about %g bytes) and the run's "
                            "checkpoint %.3g GB while it runs, but the disk has %.3g GB free; "
                            "fewer points, replicates or generations",
                            dir && *dir ? dir : ".", csv / 1e9, e->npoints, MC_OUTPUT_ROW_BYTES,
                            ckpt / 1e9, have / 1e9);
    return MC_OK;
}
