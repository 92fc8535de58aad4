/* regime.h - the data-regime plug-in interface.
 *
 * A data regime decides how generation g's training set is assembled from human data and the
 * previous model's samples. It is written once against the family's dataset operations, so every
 * regime works with every family. Each regime is one file of src/regimes/, exports a
 * `const mc_regime_type *`, and is listed once in src/registry.c.
 */
#ifndef COLLAPSE_REGIME_H
#define COLLAPSE_REGIME_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "family.h"

/* What a regime sees when it assembles generation g >= 1. All pointers are borrowed. */
typedef struct mc_unit {
    const struct mc_point *point;
    const mc_family_type *fam;
    const void *params;       /* family parameter block */
    const void *world;
    const mc_sampling *sampling;
    gsl_rng *rng;             /* this unit's stream */
    const void *human0;       /* generation-0 human training set (owned by the engine) */
    const void *model;        /* the model of generation g - 1 */
    unsigned generation;      /* g */
    uint64_t n;               /* target training-set size n_g */
    double h;                 /* regime.h: the human fraction */
    const void *regime_params; /* the regime's own parameter block (its keys), or NULL */
    uint64_t key;             /* the unit's stream key (a regime may derive streams from it) */
    struct mc_unit_tally *tally; /* what curation and detection did this generation
                                    (collapse/curate.h; written by mc_unit_draw_model) */
} mc_unit;

/* What a regime declares about itself (mc_regime_type.props). Whatever depends on how a regime
 * works (the memory check, a family's fast path, a closed form, a legend) reads these, never the
 * regime's name; summary.json records them for the presentation. */
enum {
    /* regime.h means something to it: the human fraction is part of what it is (legends say it) */
    MC_REGIME_USES_H = 1u << 0,
    /* regime.schedule means something to it although regime.h may not (the pipeline: the
     * schedule caps the human share by generation) */
    MC_REGIME_USES_SCHEDULE = 1u << 1,
    /* its state keeps every generation's data, so memory grows with the sum of the n_g */
    MC_REGIME_POOL_GROWS = 1u << 2,
    /* every model draw enters a training set whole and the regime never looks at single
     * samples: a family may draw a model's samples as their sufficient statistics */
    MC_REGIME_DRAWS_WHOLE = 1u << 3,
    /* it trains on subsamples of a pool of model draws, so most drawn samples are never used:
     * a family may defer computing a sample until it is picked */
    MC_REGIME_DRAWS_SUBSAMPLED = 1u << 4,
    /* regime.h is the fraction of new human data from the world in every training set, the
     * rest the previous model's samples: the regime `collapse need` searches h with */
    MC_REGIME_H_IS_FRESH = 1u << 5,
    /* it applies regime.select to data of its own choosing (the web: to its crawl) instead of
     * to the model's draws (collapse/curate.h) */
    MC_REGIME_CURATES = 1u << 6,
    /* it applies the detector itself while it assembles (the web: to every lineage's crawl),
     * so the engine does not filter its training set again */
    MC_REGIME_DETECTS = 1u << 7
};

/* The law of generation g's training set, for the families' closed forms (theory). */
typedef enum mc_train_law {
    MC_LAW_OTHER = 0,    /* none that closed forms assume */
    MC_LAW_MODEL_ONLY,   /* n_g samples of model g-1 and nothing else */
    MC_LAW_ACCUMULATE,   /* generation 0's human data plus every model's samples so far, each
                            sample weighing the same (unless regime.human_weight is set) */
    MC_LAW_ACCUMULATE_SUBSAMPLE /* n_g drawn without replacement from a pool of generation 0's
                            human data plus n_j samples of each model j < g (model g-1's added
                            just before the draw) */
} mc_train_law;

/* Names summary.json uses for a law: "other", "model_only", "accumulate",
 * "accumulate_subsample". */
const char *mc_train_law_name(mc_train_law law);

typedef struct mc_regime_type {
    const char *name;        /* value of regime.name */
    const char *description;
    unsigned props;          /* MC_REGIME_* */
    mc_train_law law;        /* for closed forms */
    const mc_key *keys;      /* optional: its own [regime] keys, parsed into a block of */
    size_t params_size;      /* params_size bytes (mc_unit.regime_params) */
    /* optional: cross-key checks after parsing, once the point's world and sizes are known */
    int (*check)(void *params, const struct mc_point *pt, mc_error *err);
    /* optional: state for one unit of work, created before generation 1 */
    int (*init)(const mc_unit *u, void **state, mc_error *err);
    /* Builds generation u->generation's training set. The regime owns *train: it stays valid
     * until the next assemble() or free() of this state. */
    int (*assemble)(const mc_unit *u, void *state, const void **train, mc_error *err);
    void (*free)(const mc_unit *u, void *state);

    /* optional: metrics of the regime's own state (a workforce, an alarm), appended after the
     * family's. pt->metrics already holds the engine's and the family's metrics when it is
     * called, so a regime can check names it refers to. */
    int (*describe)(const void *params, const struct mc_point *pt, mc_metric_list *out,
                    mc_error *err);
    /* optional (with describe): values of those metrics for generation u->generation (0 too:
     * init() then runs before generation 0 is recorded). row is the generation's row so far,
     * indexed as pt->metrics (engine metrics, then the family's); out is where the regime's
     * values go. */
    int (*metrics)(const mc_unit *u, void *state, const double *row, double *out, mc_error *err);
    /* optional, for checkpoints inside a unit (with the family's model_save .. ds_load; a regime
     * with init() but without these keeps finished points only): state_save writes what of the
     * state carries over from generation u->generation to the next (a pool, a kept part of
     * human0: with the family's ds_save), state_load makes that state again, as init() and the
     * assembles so far left it (a training set that the next assemble replaces need not be
     * kept). MC_OK, MC_EIO or MC_ENOMEM (err set by state_load). */
    int (*state_save)(const mc_unit *u, const void *state, FILE *f);
    int (*state_load)(const mc_unit *u, FILE *f, void **state, mc_error *err);
} mc_regime_type;

/* Number of human samples in a training set of n with human fraction h: round(h n). */
uint64_t mc_human_count(double h, uint64_t n);

#endif
