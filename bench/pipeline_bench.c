/* pipeline_bench.c - the pipeline regime's cost against the fresh regime doing the same work
 * (a constant workforce is fresh with h = W q / n, sample for sample: the outputs are compared),
 * and the cost of `collapse need` against one evaluation of the same point.
 *
 * usage: pipeline_bench [REPEATS]   (CPU time, the fastest of REPEATS alternating runs) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collapse.h"
#include "collapse/need.h"

static const char *const INI =
    "[world]\ntype = zipf\nzipf_k = 20000\nzipf_s = 1.1\n[model]\nfamily = categorical\n"
    "[sampling]\ntemperature = 0.9\n[regime]\nn = 1e6\n[run]\ngenerations = 100\n"
    "replicates = 8\nseed = 3\n";

static double cpu(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static mc_config *config(const char *const *ov)
{
    mc_config *c = mc_config_alloc();
    mc_error err = {0};
    if (!c || mc_config_read_string(c, INI, "bench", &err) != MC_OK)
        exit(1);
    for (size_t i = 0; ov && ov[i]; i++)
        if (mc_config_override(c, ov[i], &err) != MC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
    return c;
}

/* runs every replicate of point 0 single-threaded; returns CPU seconds, values in *out */
static double run(const char *const *ov, double **out, size_t *len)
{
    mc_experiment *e = NULL;
    mc_error err = {0};
    if (mc_experiment_prepare(config(ov), &e, &err) != MC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        exit(1);
    }
    const mc_point *p = &e->points[0];
    size_t rows = (size_t)(p->run.generations + 1) * p->metrics.n;
    size_t M = p->metrics.n - p->nregime_metrics; /* engine + family metrics */
    double *v = malloc(sizeof(double) * rows * (size_t)p->run.replicates);
    double t0 = cpu();
    for (long r = 0; r < p->run.replicates; r++)
        if (mc_unit_run(p, r, v + (size_t)r * rows, &err) != MC_OK) {
            fprintf(stderr, "%s\n", err.msg);
            exit(1);
        }
    double t = cpu() - t0;
    /* keep only the engine and family columns, for the comparison */
    *len = (size_t)p->run.replicates * (size_t)(p->run.generations + 1) * M;
    *out = malloc(sizeof(double) * *len);
    for (size_t i = 0, k = 0; i < rows * (size_t)p->run.replicates; i++)
        if (i % p->metrics.n < M)
            (*out)[k++] = v[i];
    free(v);
    mc_experiment_free(e);
    return t;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 3;
    const char *fresh[] = {"regime.name=fresh", "regime.h=0.3", NULL};
    const char *pipe[] = {"regime.name=pipeline", "regime.workforce=300000", "regime.q=1", NULL};
    double tf = 1e300, tp = 1e300;
    for (int k = 0; k < repeats; k++) {
        double *a, *b;
        size_t la, lb;
        double t1 = run(fresh, &a, &la), t2 = run(pipe, &b, &lb);
        if (la != lb || memcmp(a, b, la * sizeof *a) != 0) {
            fprintf(stderr, "pipeline and fresh differ\n");
            return 1;
        }
        tf = t1 < tf ? t1 : tf;
        tp = t2 < tp ? t2 : tp;
        free(a);
        free(b);
    }
    printf("fresh h=0.3: %.3f s, pipeline W q / n = 0.3: %.3f s, ratio %.3f (outputs identical)\n",
           tf, tp, tp / tf);
    /* need: one evaluation (the h = 0.5 run above is one) against the whole search */
    mc_target t;
    mc_error err = {0};
    mc_target_parse("tail_mass >= 0.05", &t, &err);
    mc_need_opts o = {.generation = 100, .confidence = 0.95, .tolerance = 1.0 / 1024, .threads = 1};
    mc_need_result res;
    double t0 = cpu();
    if (mc_need_solve(config(NULL), &t, &o, &res, &err) != MC_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    double tn = cpu() - t0;
    printf("need tail_mass >= 0.05 at 100: %.3f s, %zu evaluations, h* = %g; ratio to one "
           "evaluation %.1f\n", tn, res.nevals, res.h, tn / tf);
    mc_need_result_free(&res);
    return 0;
}
