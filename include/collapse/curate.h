/* curate.h - what happens to data between its source and a training set, for every family and
 * regime: curation of the model's samples by a verifier (regime.select) and a detector that
 * drops machine-made samples (regime.detector_*). docs/WEB.md explains both with their sources.
 *
 * Curation (src/curate/select.c). A regime asks for k synthetic samples through
 * mc_unit_draw_model; with regime.select = top or best-of it draws K k candidates
 * (K = regime.candidates) and keeps k of them by their score:
 *   top       the k best scores (ties broken at random);
 *   best-of   the candidates in random groups of K, one kept from each with probability
 *             exp(beta s_i) / sum_j exp(beta s_j) (a Bradley-Terry choice, Ferbach et al. 2024).
 * The score is the family's `score` slot: a sample's log-likelihood under the world, or under
 * the world shifted / tilted by regime.verifier_bias (a biased verifier), plus N(0, noise^2)
 * with noise = regime.verifier_noise (an imperfect verifier). select = none draws the k samples
 * directly, the same random numbers as before curation existed.
 *
 * Detection (src/curate/detect.c). After the regime assembles a training set, each synthetic
 * sample is dropped with probability TPR and each human one with probability FPR (the family's
 * `ds_thin` slot); with regime.detector_refill the set is topped back up to n_g from the same
 * mix (human share of the assembled set), each top-up passing the detector too.
 */
#ifndef COLLAPSE_CURATE_H
#define COLLAPSE_CURATE_H

#include <stdint.h>
#include "regime.h"

/* regime.select */
typedef enum mc_select_kind { MC_SELECT_NONE = 0, MC_SELECT_TOP, MC_SELECT_BEST_OF } mc_select_kind;

/* A point's curation and detection settings ([regime] keys, parsed with the engine's). */
typedef struct mc_curation {
    int select;            /* mc_select_kind */
    uint64_t candidates;   /* K >= 1 */
    double beta;           /* best-of: the Bradley-Terry inverse temperature */
    double noise;          /* verifier noise sd >= 0 */
    double bias;           /* verifier bias (family-defined shift or tilt of the world) */
    int detect;            /* 1 when a detector is set (detector_tpr or detector_fpr given) */
    double tpr, fpr;       /* drop probabilities of a synthetic / a human sample */
    int refill;            /* top the set back up after the detector */
} mc_curation;

/* What the curation and detection steps did in one generation (the engine resets it before each
 * assemble and records it as the generation's metrics). */
typedef struct mc_unit_tally {
    double drawn, kept;               /* candidates drawn, samples kept by the selection */
    double score_before, score_after; /* sums of the world log-likelihood of those */
    double human_in, human_kept;      /* samples the detector saw and let through, by provenance */
    double synth_in, synth_kept;
} mc_unit_tally;

struct mc_point;

/* k synthetic samples of the unit's previous model into *out (owned by the caller), through the
 * point's selection step when regime.select is set. Regimes call this instead of the family's
 * draw_model. */
int mc_unit_draw_model(const mc_unit *u, uint64_t k, void **out, mc_error *err);

/* The selection step alone: k of the candidate dataset cands (borrowed) into *out by the
 * point's regime.select, scored as above (K is implied: the candidates given). A regime that
 * curates data of its own (the web's crawl: MC_REGIME_CURATES) calls this. */
int mc_curate_select(const mc_unit *u, const void *cands, uint64_t k, void **out,
                     mc_error *err);

/* The detector over an assembled training set: *out (owned by the caller) is what passes it,
 * topped up to u->n when regime.detector_refill. Only called when the point has a detector. */
int mc_detect_filter(const mc_unit *u, const void *train, void **out, mc_error *err);

/* The detector alone over a dataset (no refill): *out (owned by the caller) is what passes. */
int mc_detect_thin(const mc_unit *u, const void *ds, void **out, mc_error *err);

/* Cross-checks of the point's curation and detection settings once its family, regime and sizes
 * are known: the family's slots exist, K n_g candidates fit, a refilled set can be filled.
 * MC_ECONFIG naming the key otherwise. */
int mc_curation_check(const struct mc_point *p, mc_error *err);

/* Whether a point curates or detects: a family that may draw sufficient statistics instead of
 * samples must draw samples then (the steps look at single samples). */
int mc_curation_active(const struct mc_point *p);

/* Appends the metrics of the steps the point uses (none when it uses neither). */
int mc_curation_describe(const struct mc_point *p, mc_metric_list *out, mc_error *err);
/* Their values for a generation, from its tally. */
void mc_curation_record(const struct mc_point *p, const mc_unit_tally *t, double *out);

#endif
