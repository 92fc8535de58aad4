/* mixworld.h - the world of the gmm and kde families: the shared continuous world (gworld.h: a
 * Gaussian or a Gaussian mixture in d dimensions with a fixed held-out human set) plus the pieces
 * of the metrics both families share (private to src/families/gmm.c and kde.c).
 *
 * [world] keys: MC_GWORLD_KEYS (gworld.h), the same rows as the gaussian family's, so one [world]
 * section means the same world to gaussian, gmm and kde. A family embeds mc_gworld_params in its
 * parameter block as member `world` and MC_GWORLD_KEYS in its key table.
 */
#ifndef COLLAPSE_MIXWORLD_H
#define COLLAPSE_MIXWORLD_H

#include <stddef.h>
#include "collapse/experiment.h"
#include "collapse/metric.h"
#include "gmm.h"
#include "gworld.h"

/* Directions kept for the sliced W2 metric; metrics.slices uses the first L of them. */
#define MIXWORLD_DIRS 64

/* The [metrics] rows of the shared metrics (mixworld_sliced_w2, mixworld_tail_mass); T's members
 * `slices` (long) and `samples` (uint64_t) receive them. */
#define MIXWORLD_METRIC_KEYS(T)                                                                  \
    {"metrics", "slices", MC_KEY_INT, "16", 1, MIXWORLD_DIRS, 0, NULL, offsetof(T, slices),      \
     "directions of the sliced W2 metric"},                                                      \
    {"metrics", "samples", MC_KEY_COUNT, "1000", 1, 1e6, 0, NULL, offsetof(T, samples),          \
     "model draws for the w2_sliced and tail_mass metrics"}

/* The metrics gmm and kde share, first in their lists and in this order; a family's own follow
 * from MIX_NSHARED. mixworld_moment_metrics fills the first three. */
enum {
    MIX_MEAN_ERROR,
    MIX_TRACE_RATIO,
    MIX_LOGDET_RATIO,
    MIX_W2_SLICED,
    MIX_NLL_HELDOUT,
    MIX_TAIL_MASS,
    MIX_NSHARED
};
/* Their declarations; `headline` flags go to the metrics listed in it (a bit per MIX_ index). */
int mixworld_describe(mc_metric_list *l, unsigned headline);

typedef struct mixworld {
    mc_gworld base;      /* mixture, mu_0 and Sigma_0 (summed as mc_gmm_moments), held-out set */
    double tail_r2;      /* the world's 99th percentile of the squared Mahalanobis distance */
    double *theta;       /* (MIXWORLD_DIRS, d) fixed unit directions */
    double *held_proj;   /* (MIXWORLD_DIRS, nheld) sorted projections of the held-out set */
} mixworld;

/* Parses the [world] keys of p (origins from pt for messages), builds the world and draws its
 * held-out set and directions from r. *out is owned by the caller (mixworld_free). MC_ECONFIG
 * for a malformed or impossible world (wrong count of numbers, non-PD covariance). */
int mixworld_create(const mc_gworld_params *p, const mc_point *pt, gsl_rng *r, mixworld **out,
                    mc_error *err);
/* The sliced W2's fixed directions and the sorted projections of the held-out set on them, from
 * r, for a world whose base (d, held, nheld) is built (mixworld_create's; shapeworld.c's). */
int mixworld_slice_directions(mixworld *w, gsl_rng *r, mc_error *err);
/* Frees a mixworld (NULL is a no-op); the world_free slot of gmm and kde. */
void mixworld_free(void *world);

/* n human samples of the mixworld `world` as an mc_gdata; the draw_world slot of gmm and kde
 * (params is not used). */
int mixworld_draw(gsl_rng *r, const void *params, const void *world, uint64_t n, void **out,
                  mc_error *err);

/* mean_error ||mu - mu_0||^2, trace_ratio tr S / tr Sigma_0 and logdet_ratio
 * log det S - log det Sigma_0 (-inf for a singular S) of a model with mean mu (d) and
 * covariance S (d, d), into out[0..2]. work holds d * d doubles. */
void mixworld_moment_metrics(const mixworld *w, const double *mu, const double *S, double *out,
                             double *work);

/* Sliced W2 between the m points y (m, d) and the held-out set on the first L directions:
 * ((1/L) sum_l W2^2(theta_l . y, theta_l . held))^(1/2), exact between the two empirical laws.
 * work holds m doubles. */
double mixworld_sliced_w2(const mixworld *w, size_t L, const double *y, size_t m, double *work);

/* Fraction of the points y (m, d) whose squared Mahalanobis distance under N(mu_0, Sigma_0)
 * exceeds the world's 99th percentile (0.01 for the world itself). work holds d doubles. */
double mixworld_tail_mass(const mixworld *w, const double *y, size_t m, double *work);

/* One generation of the expected training-set statistics behind the gmm and kde closed forms
 * (k = 1): the next training set holds a fresh draws of a model whose covariance has trace sig,
 * alone (replace, accumulate = 0) or added to the N points so far (accumulate = 1). Updates
 * SS = E tr(scatter), M = E||xbar - mu_0||^2 and N, the set's size. */
void mixworld_theory_step(int accumulate, double a, double sig, double *SS, double *M, double *N);

#endif
