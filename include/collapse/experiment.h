/* experiment.h - an experiment: a configuration resolved into grid points, run, summarised.
 *
 *   mc_config  --mc_experiment_prepare-->  mc_experiment (points, worlds, metric lists)
 *              --mc_experiment_run------>  per point: values[replicate][generation][metric]
 *              --callback--------------->  streamed to the writer (writer.h) point by point
 *
 * One unit of work is one (point, replicate): it owns the generator stream
 * mc_stream_key(seed, point, replicate), runs its generations in order and writes into a slot
 * reserved for it. Units run in parallel (OpenMP) in any order; finished points are handed to
 * the callback in point order, so outputs are identical for any thread count.
 */
#ifndef COLLAPSE_EXPERIMENT_H
#define COLLAPSE_EXPERIMENT_H

#include <stddef.h>
#include <stdint.h>
#include "config.h"
#include "family.h"
#include "regime.h"
#include "curate.h"

/* Engine settings of a point ([run], [regime] and [sampling] keys). */
typedef struct mc_run_settings {
    long generations;  /* G: models 0..G are fitted */
    long replicates;   /* R */
    uint64_t seed;
    long metrics_every; /* metrics.every = k >= 1: family and regime metrics at g % k == 0 and G */
    int metrics_none;   /* output.metrics = none: no metrics.csv */
    int gzip;           /* output.compress = gzip: the CSV files as NAME.csv.gz */
} mc_run_settings;

typedef struct mc_regime_settings {
    const char *name;  /* regime.name */
    double h;          /* human fraction, [0,1] */
    uint64_t n;        /* n_0 */
    double growth;     /* n_g = round(n_0 growth^g) */
    double human_weight; /* regime.human_weight in [0,1], or -1 when unset (unweighted) */
} mc_regime_settings;

/* An axis of the grid: a key with several alternatives. */
typedef struct mc_axis {
    char *section, *key;
    char **values;
    size_t nvalues;
    mc_origin origin;
} mc_axis;

/* One point of the grid. Everything is resolved; pointers are owned by the experiment. */
typedef struct mc_point {
    size_t index;
    size_t *choice;                 /* choice[a]: index of axis a's value */
    char *label;                    /* "regime.name=fresh; sampling.temperature=0.9" */
    const mc_family_type *family;
    void *params;                   /* family parameter block (family->params_size) */
    const mc_regime_type *regime;
    void *regime_params;            /* regime's own parameter block, or NULL */
    mc_regime_settings regime_settings;
    mc_sampling sampling;
    mc_run_settings run;
    void *world;                    /* shared with points of the same [world] */
    mc_metric_list metrics;         /* engine metrics then family metrics */
    const struct mc_experiment *exp;
    size_t nregime_metrics;         /* the regime's metrics, at the end of `metrics` */
    struct mc_schedule_step *schedule; /* regime.schedule, or NULL (see mc_point_h) */
    size_t nschedule;
    mc_curation curation;           /* regime.select, regime.detector_* (collapse/curate.h) */
    size_t ncuration_metrics;       /* their metrics, after the family's, before the regime's */
} mc_point;

/* One step of regime.schedule ("0:0.2, 10:0, 30:0.2"): from generation `generation` on, the
 * human fraction h is `h`, until the next step. Steps are strictly increasing in generation. */
typedef struct mc_schedule_step {
    long generation;
    double h;
} mc_schedule_step;

typedef struct mc_world_slot {
    char *key;                      /* family name + resolved [world] text */
    const mc_family_type *family;
    void *world;
} mc_world_slot;

typedef struct mc_experiment {
    mc_config *config;              /* owned: the layered configuration */
    mc_axis *axes;
    size_t naxes;
    mc_point *points;
    size_t npoints;
    mc_world_slot *worlds;
    size_t nworlds;
    char *name;
} mc_experiment;

/* Number of the engine's own metrics at the front of every point's list. */
#define MC_ENGINE_METRICS 2 /* n (training-set size), human_share */

/* Resolves a configuration: validates every section and key (did-you-mean), splits grid axes,
 * parses every point's settings, runs the families' checks, creates the worlds (reading data
 * files) and checks that the run fits in memory. Takes ownership of c in all cases.
 * On success *out is owned by the caller (mc_experiment_free). */
int mc_experiment_prepare(mc_config *c, mc_experiment **out, mc_error *err);
void mc_experiment_free(mc_experiment *e);

/* Physical memory of this machine in bytes (0 when unknown), for "cannot fit" checks. */
double mc_memory_bytes(void);

/* Training-set size of generation g at a point. */
uint64_t mc_point_n(const mc_point *p, unsigned g);

/* Human fraction h of generation g >= 1 at a point: regime.schedule's step that covers g, else
 * regime.h. */
double mc_point_h(const mc_point *p, unsigned g);

/* The family's closed-form expected value of metric m (an index into p->metrics) at generation
 * g, or NAN: for metrics that are not the family's, when the family has none, and when the
 * point curates or detects (the closed forms assume the training set's law without them). */
double mc_point_theory(const mc_point *p, size_t m, unsigned g);

/* Origin of section.key for a point, formatted for messages ("cats.ini:3: [world] weights"). */
const char *mc_point_where(const mc_point *p, const char *section, const char *key, char *buf,
                           size_t size);

/* Resolves a data path given at a point (mc_data_resolve, relative to the configuration file's
 * folder) into buf; returns buf. */
const char *mc_point_data_path(const mc_point *p, const char *value, char *buf, size_t size);

/* Prefixes err's message after a failed data read of section.key = value at p: "FILE:LINE:
 * [section] key: ", and for a data-registry name that is not installed, what to run. Returns
 * the status to return (MC_EIO stays MC_EIO). */
int mc_point_data_error(const mc_point *p, const char *section, const char *key,
                        const char *value, int status, mc_error *err);

/* The value text of section.key at a point (the chosen alternative), or NULL when unset. */
const char *mc_point_value(const mc_point *p, const char *section, const char *key);

/* Results of one finished point: values[(r * (G + 1) + g) * M + m]. Borrowed by the callback. */
typedef struct mc_point_result {
    const mc_point *point;
    long replicates, generations; /* R, G (so G + 1 rows per replicate) */
    size_t nmetrics;              /* M */
    const double *values;
} mc_point_result;

/* Called for each finished point, in point order, from the calling thread. It may keep nothing
 * of res after it returns. */
typedef int (*mc_point_fn)(const mc_point_result *res, void *user, mc_error *err);
/* Called after each finished unit, serialised (never two at once): done of total units. */
typedef void (*mc_progress_fn)(size_t done, size_t total, const mc_point *p, void *user);

/* Optional: fills values[R * (G + 1) * M] of point p with results kept from an earlier run of
 * the same experiment (a checkpoint) and returns 1, or returns 0 and the point is computed. */
typedef int (*mc_restore_fn)(const mc_point *p, double *values, void *user);

/* Optional: where the state of a unit goes after a finished generation, and where it comes back
 * from (checkpoints inside a unit, docs/OUTPUTS.md; src/run/checkpoint.c keeps them in the run
 * folder). Used for a point whose family has model_save .. ds_load and whose regime has no
 * state or state_save and state_load (mc_unit_resumable). The engine serialises the unit (its
 * generator, its rows so far, the model, the regime's state) into bytes; the store keeps them. */
typedef struct mc_unit_store {
    double seconds; /* at least this long between two saves of one unit (<= 0: every generation) */
    /* keeps bytes[0..n) as unit (p, replicate)'s state, durably (replacing the one before) */
    int (*save)(const mc_point *p, long replicate, const void *bytes, size_t n, void *user,
                mc_error *err);
    /* the state kept for unit (p, replicate): MC_OK with *bytes (malloc'ed, the caller frees)
     * and *n, or *bytes NULL when there is none; else an error (a state of another run) */
    int (*load)(const mc_point *p, long replicate, void **bytes, size_t *n, void *user,
                mc_error *err);
    void *user;
    const char *dir; /* the run folder it keeps them in (MPI ranks open the same), or NULL */
} mc_unit_store;

typedef struct mc_run_opts {
    int threads;                  /* 0 = OpenMP's default */
    mc_point_fn on_point;
    mc_progress_fn on_progress;
    void *user;
    mc_restore_fn restore;        /* optional: points already done (resume) */
    const mc_unit_store *units;   /* optional: checkpoints inside units */
} mc_run_opts;

/* Runs every point; points are processed in batches so that at most two batches' replicates are
 * in memory (on_point gets one batch's points while the next batch computes, on the thread that
 * called this function or a worker: on_point calls never overlap and come in point order).
 * Returns MC_OK or the first error (in point/replicate order). */
int mc_experiment_run(const mc_experiment *e, const mc_run_opts *opts, mc_error *err);

/* Runs one unit of work (point p, replicate r) into values[(G + 1) * M], row g's metrics in the
 * order of p->metrics: one chain of models, e.g. to follow a single replicate. */
int mc_unit_run(const mc_point *p, long replicate, double *values, mc_error *err);
/* mc_unit_run continuing from the state store kept (if any) and saving its state there after
 * finished generations (store NULL, or a point that is not resumable: mc_unit_run). The values
 * are the same bits either way. */
int mc_unit_run_stored(const mc_point *p, long replicate, double *values,
                       const mc_unit_store *store, mc_error *err);
/* Whether units of p can be saved and continued inside (the family's model_save .. ds_load,
 * and a regime without state or with state_save and state_load). */
int mc_unit_resumable(const mc_point *p);

#endif
