/* bench_continuous.c - the core loop of a continuous preset, for bench/continuous.sh.
 *
 * Prepares a built-in preset (gaussian-regimes or linreg-regimes) with run.replicates = R and
 * runs every replicate of every grid point single-threaded through the engine's unit of work
 * (mc_unit_run: draw, assemble the regime's training set, fit, all metrics, every generation),
 * which is the work bench/continuous_numpy.py repeats. Prints one line per point:
 *   point=<i> regime=<name> n=<n_0> replicates=<R> generations=<G> seconds=<CPU time>
 * usage: bench_continuous PRESET R [POINT]     (POINT: run only that grid point, for profiling)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "collapse.h"

/* CPU time of this process: the machine is shared, and a single-threaded loop's CPU time is far
 * less disturbed by other processes than its wall time (the peer measures the same way). */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fprintf(stderr, "usage: %s PRESET REPLICATES [POINT]\n", argv[0]);
        return 2;
    }
    const mc_preset *pr = mc_preset_lookup(argv[1]);
    if (!pr) {
        fprintf(stderr, "bench_continuous: no preset %s\n", argv[1]);
        return 2;
    }
    char rep[64];
    snprintf(rep, sizeof rep, "run.replicates=%s", argv[2]);
    mc_config *c = mc_config_alloc();
    mc_error err = {0};
    mc_experiment *e = NULL;
    if (!c || mc_config_read_string(c, pr->text, pr->name, &err) != MC_OK ||
        mc_config_override(c, rep, &err) != MC_OK ||
        mc_experiment_prepare(c, &e, &err) != MC_OK) {
        fprintf(stderr, "bench_continuous: %s\n", err.msg);
        return 1;
    }
    long only = argc == 4 ? atol(argv[3]) : -1;
    for (size_t i = 0; i < e->npoints; i++) {
        if (only >= 0 && (size_t)only != i)
            continue;
        const mc_point *p = &e->points[i];
        size_t rows = (size_t)(p->run.generations + 1) * p->metrics.n;
        double *v = malloc(rows * sizeof(double));
        if (!v)
            return 1;
        double t0 = now();
        for (long r = 0; r < p->run.replicates; r++)
            if (mc_unit_run(p, r, v, &err) != MC_OK) {
                fprintf(stderr, "bench_continuous: %s\n", err.msg);
                return 1;
            }
        double t = now() - t0;
        printf("point=%zu regime=%s n=%llu replicates=%ld generations=%ld seconds=%.6f\n", i,
               p->regime->name, (unsigned long long)p->regime_settings.n, p->run.replicates,
               p->run.generations, t);
        free(v);
    }
    mc_experiment_free(e);
    return 0;
}
