/* gmm_kde_bench.c - the core loops of the gmm and kde families, timed, for bench/gmm_kde.sh.
 *
 *   gmm_kde_bench gmm G        shumailov-gmm: fit a 2-component full-covariance GMM by EM to
 *                              1000 2-D points, draw 1000 from it, repeat G times
 *   gmm_kde_bench kde G n m h  fit a KDE (fixed bandwidth h) to n 2-D points, score a held-out
 *                              set of m points, draw n, repeat G times
 *
 * Both go through the family's own slots (fit, draw_model, metrics) on a point prepared from the
 * built-in presets, single-threaded. Prints one line: "seconds per generation, mean EM
 * iterations" (gmm) or "seconds per generation" (kde), in CPU time of the process (less
 * disturbed than wall time when the cores are shared). The peer is bench/gmm_kde_peer.py. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collapse.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static mc_experiment *prepare(const char *preset, const char *const *ov)
{
    mc_error err = {0};
    mc_config *c = mc_config_alloc();
    const mc_preset *p = mc_preset_lookup(preset);
    mc_experiment *e = NULL;
    int rc = c && p ? mc_config_read_string(c, p->text, preset, &err) : MC_ENOMEM;
    for (size_t i = 0; rc == MC_OK && ov[i]; i++)
        rc = mc_config_override(c, ov[i], &err);
    if (rc == MC_OK)
        rc = mc_experiment_prepare(c, &e, &err);
    else
        mc_config_free(c);
    if (rc != MC_OK) {
        fprintf(stderr, "gmm_kde_bench: %s\n", err.msg);
        exit(1);
    }
    return e;
}

/* The driver's two modes, picked by its first argument (a word of this command line, not a
 * family: the family is the preset's). `scores` says whether the held-out set is scored in the
 * timed loop (the kde mode, which also takes n, m and h). */
static const struct bench_mode {
    const char *word, *preset;
    int argc, scores;
} MODES[] = {{"gmm", "shumailov-gmm", 3, 0}, {"kde", "kde-regimes", 6, 1}};

static const struct bench_mode *mode_of(int argc, char **argv)
{
    for (size_t i = 0; argc >= 2 && i < sizeof MODES / sizeof MODES[0]; i++)
        if (strcmp(argv[1], MODES[i].word) == 0)
            return argc >= MODES[i].argc ? &MODES[i] : NULL;
    return NULL;
}

int main(int argc, char **argv)
{
    const struct bench_mode *mode = mode_of(argc, argv);
    if (!mode) {
        fprintf(stderr, "usage: gmm_kde_bench gmm G | kde G n m h\n");
        return 2;
    }
    int kde = mode->scores;
    long G = atol(argv[2]);
    char on[64], om[64], oh[80];
    mc_experiment *e;
    if (kde) {
        snprintf(on, sizeof on, "regime.n=%s", argv[3]);
        snprintf(om, sizeof om, "world.holdout=%s", argv[4]);
        snprintf(oh, sizeof oh, "model.bandwidth=%s", argv[5]);
        const char *ov[] = {on, om, oh, "model.bandwidth_rule=fixed", "regime.name=replace",
                            "metrics.samples=1", "metrics.slices=1", NULL};
        e = prepare(mode->preset, ov);
    } else {
        const char *ov[] = {NULL};
        e = prepare(mode->preset, ov);
    }
    const mc_point *p = &e->points[0];
    const mc_family_type *f = p->family;
    mc_error err = {0};
    gsl_rng *r = mc_rng_alloc(mc_stream_key(p->run.seed, 0, 0));
    void *train = NULL, *model = NULL;
    uint64_t n = mc_point_n(p, 0);
    mc_fit_opts opts = {.human_weight = -1};
    double *out = malloc(p->metrics.n * sizeof *out), iters = 0;
    long it = kde ? -1 : (long)mc_metric_find(&p->metrics, "em_iterations") - MC_ENGINE_METRICS;
    int rc = f->draw_world(r, p->params, p->world, n, &train, &err);
    if (rc == MC_OK)
        rc = f->model_alloc(p->params, p->world, &model, &err);
    double t0 = now();
    for (long g = 0; rc == MC_OK && g < G; g++) {
        rc = f->fit(model, p->params, train, &opts, &err);
        if (rc == MC_OK && kde) {
            mc_eval ev = {p, p->params, p->world, model, train, (unsigned)g};
            rc = f->metrics(r, &ev, out, &err); /* the held-out NLL (+ one draw for W2, tails) */
        }
        f->ds_free(train);
        train = NULL;
        if (rc == MC_OK)
            rc = f->draw_model(r, p->params, model, &p->sampling, n, &train, &err);
        if (rc == MC_OK && !kde && g < 50) { /* iterations from a sample of the fits */
            mc_eval ev = {p, p->params, p->world, model, train, (unsigned)g};
            double t1 = now();
            rc = f->metrics(r, &ev, out, &err);
            iters += out[it];
            t0 += now() - t1; /* metrics are not part of the timed loop */
        }
    }
    double t = now() - t0;
    if (rc != MC_OK) {
        fprintf(stderr, "gmm_kde_bench: %s\n", err.msg);
        return 1;
    }
    if (kde)
        printf("%.6g\n", t / (double)G);
    else
        printf("%.6g %.3g\n", t / (double)G, iters / (double)(G < 50 ? G : 50));
    if (train)
        f->ds_free(train);
    f->model_free(model);
    free(out);
    gsl_rng_free(r);
    mc_experiment_free(e);
    return 0;
}
