/* bench_categorical.c - the categorical core loop on the SUBTLEX table, for bench/categorical.sh.
 *
 * Work, identical to bench/categorical_numpy.py: p_0 = the SUBTLEX word shares (K = 74,286);
 * for g in 1..100: draw n samples from the model (multinomial), refit p = counts / n (replace).
 * Prints one line per n: "n=<n> core_s=<seconds for 100 generations> engine_s=<seconds for one
 * full engine unit of 100 generations, metrics included> alive=<K alive at the end>".
 * usage: bench_categorical SUBTLEX_JSON N [N ...]
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "collapse.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s SUBTLEX_JSON N [N ...]\n", argv[0]);
        return 2;
    }
    for (int a = 2; a < argc; a++) {
        char ini[4096];
        snprintf(ini, sizeof ini,
                 "[world]\ntype = table\ntable = %s\n[metrics]\ntrack = none\n[regime]\n"
                 "name = replace\nn = %s\n[run]\ngenerations = 100\nreplicates = 1\n",
                 argv[1], argv[a]);
        mc_config *c = mc_config_alloc();
        mc_error err = {0};
        mc_experiment *e = NULL;
        if (mc_config_read_string(c, ini, "bench", &err) != MC_OK ||
            mc_experiment_prepare(c, &e, &err) != MC_OK) {
            fprintf(stderr, "bench: %s\n", err.msg);
            return 1;
        }
        const mc_point *p = &e->points[0];
        const mc_family_type *f = p->family;
        uint64_t n = p->regime_settings.n;
        gsl_rng *r = mc_rng_alloc(1);
        void *model = NULL, *ds = NULL;
        mc_fit_opts o = {.human_weight = -1};
        /* generation 0: the model is the world itself (a fit on a huge draw), as numpy's p_0 */
        f->model_alloc(p->params, p->world, &model, &err);
        f->draw_world(r, p->params, p->world, 1000000000000ULL, &ds, &err);
        f->fit(model, p->params, ds, &o, &err);
        f->ds_free(ds);
        double t0 = now();
        for (int g = 1; g <= 100; g++) {
            f->draw_model(r, p->params, model, &p->sampling, n, &ds, &err);
            f->fit(model, p->params, ds, &o, &err);
            f->ds_free(ds);
        }
        double core = now() - t0;
        double *values = malloc(sizeof(double) * 101 * p->metrics.n);
        t0 = now();
        mc_unit_run(p, 0, values, &err);
        double engine = now() - t0;
        printf("n=%s core_s=%.6f engine_s=%.6f alive=%.0f\n", argv[a], core, engine,
               values[100 * p->metrics.n + mc_metric_find(&p->metrics, "alive")]);
        free(values);
        f->model_free(model);
        gsl_rng_free(r);
        mc_experiment_free(e);
    }
    return 0;
}
