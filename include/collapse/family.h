/* family.h - the model-family plug-in interface.
 *
 * A model family is a const mc_family_type: a type descriptor in the style of gsl_rng_type. Each
 * family lives in one file of src/families/, exports only its `const mc_family_type *`, and is
 * listed once in src/registry.c. The engine never switches on a family's name.
 *
 * Data is family-shaped (a count vector, an n x d array, label vectors, sentences), so the
 * engine and the regimes only hold opaque dataset handles and act on them through the family's
 * dataset operations. Every dataset knows how many of its samples are human-made (provenance).
 *
 * Lifecycle for one grid point and one replicate (see docs/ARCHITECTURE.md):
 *   world  = world_create(params)                 once per distinct [world], shared, read-only
 *   human0 = draw_world(r, world, n_0)            the generation-0 human training set
 *   model  = model_alloc(params, world); fit(model, human0)
 *   metrics(model) -> generation 0
 *   for g = 1..G: train = regime->assemble(...)   via draw_world / draw_model / merge / subsample
 *                 fit(model, train); metrics(model) -> generation g
 */
#ifndef COLLAPSE_FAMILY_H
#define COLLAPSE_FAMILY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <gsl/gsl_rng.h>
#include "config.h"
#include "error.h"
#include "metric.h"

/* Sampling settings shared by all families: how a model generates, as a deployed model would. */
typedef struct mc_sampling {
    double temperature; /* > 0; 1 = the fitted distribution */
    long top_k;         /* 0 = off; keep the k most probable outcomes */
    double top_p;       /* (0,1]; 1 = off; keep the smallest set with mass >= top_p */
    double shrink;      /* [0,1]; continuous families: pull samples towards the model mean */
    double truncate;    /* 0 = off; continuous families: reject samples beyond c sd */
} mc_sampling;

/* Which sampling settings a family honours (mc_family_type.sampling). */
enum {
    MC_SAMPLE_TEMPERATURE = 1u << 0,
    MC_SAMPLE_TOP_K = 1u << 1,
    MC_SAMPLE_TOP_P = 1u << 2,
    MC_SAMPLE_SHRINK = 1u << 3,
    MC_SAMPLE_TRUNCATE = 1u << 4
};

/* Options of a fit. */
typedef struct mc_fit_opts {
    /* Weight of the human part of the training set, in [0,1]: the human samples together carry
     * weight w and the synthetic ones 1 - w. Negative: every sample weighs the same. */
    double human_weight;
    /* Key of the fit's own random numbers (a network's initialisation, its batches): the engine
     * gives mc_stream_key(unit key, FIT_STREAM, g), so a fit depends on the unit and the
     * generation only. Families whose fit is deterministic ignore it. */
    uint64_t seed;
} mc_fit_opts;

struct mc_point;

/* What metrics() sees. All pointers borrowed. */
typedef struct mc_eval {
    const struct mc_point *point;
    const void *params;   /* the family's parameter block */
    const void *world;
    const void *model;    /* fitted model of this generation */
    const void *train;    /* the training set it was fitted on */
    unsigned generation;
} mc_eval;

typedef struct mc_family_type {
    const char *name;        /* value of model.family */
    const char *description; /* one line for `collapse presets` / help */
    const mc_key *keys;      /* its [world], [model] and [metrics] keys; parsed into params */
    size_t params_size;      /* size of the parameter block the keys write into */
    unsigned sampling;       /* MC_SAMPLE_* it honours; others set away from default = error */

    /* optional: cross-key checks after parsing (the point gives origins for messages). */
    int (*check)(void *params, const struct mc_point *pt, mc_error *err);

    /* The world: the real, human-made distribution. Created once per distinct [world] section
     * with its own generator r (for held-out sets), read-only afterwards, shared by threads. */
    int (*world_create)(const void *params, const struct mc_point *pt, gsl_rng *r, void **world,
                        mc_error *err);
    void (*world_free)(void *world);

    /* Metrics this family reports for this world (appended after the engine's own). */
    int (*describe)(const void *params, const void *world, mc_metric_list *out, mc_error *err);

    /* Bytes one unit of work needs for a training set of n samples (for the memory check). */
    double (*bytes_needed)(const void *params, const void *world, double n);

    /* optional: generation 0's human training set of n samples (default: draw_world). A family
     * whose world holds a fixed human training split (a corpus) returns that split here, while
     * draw_world keeps serving fresh human data from a reserve. */
    int (*draw_human0)(gsl_rng *r, const void *params, const void *world, uint64_t n, void **out,
                       mc_error *err);

    /* optional: n_0 when regime.n is not set (e.g. the corpus's training-set size, the rows T of
     * a fixed design). Without it the engine's default (1000) applies. */
    uint64_t (*default_n)(const void *params, const void *world);

    /* optional: the largest n_0 generation 0 can be given (a world whose human training data is
     * a fixed split: a corpus's training sentences); a larger regime.n is refused when the
     * configuration is prepared, naming the key. */
    uint64_t (*max_n0)(const void *params, const void *world);

    /* Dataset operations. A dataset is opaque; it records how many samples are human-made.
     * Every returned dataset is owned by the caller and freed with ds_free. */
    int (*draw_world)(gsl_rng *r, const void *params, const void *world, uint64_t n, void **out,
                      mc_error *err); /* n human samples */
    int (*draw_model)(gsl_rng *r, const void *params, const void *model, const mc_sampling *s,
                      uint64_t n, void **out, mc_error *err); /* n synthetic samples */
    int (*ds_copy)(const void *ds, void **out, mc_error *err);
    int (*ds_merge)(void *into, const void *from, mc_error *err); /* into += from */
    int (*ds_subsample)(gsl_rng *r, const void *pool, uint64_t n, void **out,
                        mc_error *err); /* n without replacement, provenance kept */
    uint64_t (*ds_size)(const void *ds);
    uint64_t (*ds_human)(const void *ds);
    void (*ds_free)(void *ds);

    /* The model. */
    int (*model_alloc)(const void *params, const void *world, void **model, mc_error *err);
    int (*fit)(void *model, const void *params, const void *train, const mc_fit_opts *opts,
               mc_error *err);
    void (*model_free)(void *model);

    /* Metric values of a fitted model, in the order describe() gave; r for any Monte Carlo. */
    int (*metrics)(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err);

    /* optional: closed-form expected value of metric m (index into describe()'s list) at
     * generation g for this point, or NAN where no closed form exists. */
    double (*theory)(const struct mc_point *pt, const void *world, size_t m, unsigned g);

    /* optional: the operator's signal, a diversity of a dataset computed from its samples alone
     * (never the world), higher = more diverse: e.g. the entropy of the empirical distribution.
     * The pipeline regime compares it across generations on the model's own samples. */
    int (*signal)(const void *params, const void *ds, double *out);

    /* optional, for curation (collapse/curate.h; without them regime.select is refused):
     * score: out[i] = the verifier's score of sample i of ds, i in [0, ds_size(ds)) in the
     * dataset's own order: its log-likelihood under the world, or with bias != 0 under the world
     * moved by bias (the family documents how: a shift, a tilt).
     * ds_pick: a new dataset of the samples of ds at idx[0..m) (strictly increasing, in the order
     * of score), provenance kept. */
    int (*score)(const void *params, const void *world, double bias, const void *ds, double *out,
                 mc_error *err);
    int (*ds_pick)(const void *ds, const uint64_t *idx, uint64_t m, void **out, mc_error *err);
    /* optional, for a detector (without it regime.detector_* is refused): a new dataset keeping
     * each human sample of ds with probability keep_human and each synthetic one with
     * keep_synth, independently. */
    int (*ds_thin)(gsl_rng *r, const void *ds, double keep_human, double keep_synth, void **out,
                   mc_error *err);
    /* optional, for the web's lineages (without it a web of several lineages is refused): a
     * distance between two fitted models of this family, 0 for equal models (categorical: total
     * variation; gaussian: 2-Wasserstein; ngram: Jensen-Shannon of the unigram level). */
    int (*distance)(const void *params, const void *model_a, const void *model_b, double *out,
                    mc_error *err);
    /* optional, for the web's crawls (without it the web uses ds_subsample): n of pool without
     * replacement, uniformly, provenance kept: ds_subsample's law by another algorithm, cheaper
     * when n and the pool are huge (categorical: binomial thinning and an exact correction). */
    int (*ds_crawl)(gsl_rng *r, const void *pool, uint64_t n, void **out, mc_error *err);
    /* optional, for checkpoints inside a unit (docs/OUTPUTS.md "Checkpoint and resume"; without
     * all four a run keeps finished points only): a fitted model and a dataset written to f and
     * read back. model_load fills a model from model_alloc so that it is the saved one: every
     * later draw, fit and metric gives the same bits (what fit leaves behind that the next
     * generation reads: weights, optimiser state, flags). ds_load returns a dataset equal to the
     * saved one, provenance included. The bytes are read back only by the same version on a
     * machine of the same byte order (the checkpoint's header checks the run and version); a
     * load checks what it can (sizes against params and world) and refuses the rest. Saves
     * return MC_OK or MC_EIO (a write failed); loads MC_OK, MC_ENOMEM, or MC_EIO with err
     * saying what does not fit. */
    int (*model_save)(const void *params, const void *model, FILE *f);
    int (*model_load)(const void *params, void *model, FILE *f, mc_error *err);
    int (*ds_save)(const void *ds, FILE *f);
    int (*ds_load)(const void *params, const void *world, FILE *f, void **out, mc_error *err);
} mc_family_type;

#endif
