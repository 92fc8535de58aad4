/* mixworld.h - the world of the gmm and kde families: a Gaussian or a Gaussian mixture in d
 * dimensions, with a fixed held-out human set and the pieces of the metrics both families share
 * (private to src/families/gmm.c and kde.c).
 *
 * [world] keys (a family embeds mixworld_params in its parameter block and MIXWORLD_KEYS in its
 * key table):
 *   d        dimension (default 2)
 *   mean     a Gaussian world's mean: d numbers, or one number for every coordinate (default 0)
 *   cov      its covariance: s (s I), d numbers (diagonal) or d*d numbers (row-major) (default 1)
 *   weights  a mixture world: k weights (normalised to sum 1); then means (and covs) describe it
 *   means    k means separated by '/', each as `mean`   ("-2, 0 / 2, 0")
 *   covs     one covariance for every component, or k separated by '/', each as `cov`
 *   heldout  size of the held-out human set drawn once when the world is created (default 1000)
 */
#ifndef COLLAPSE_MIXWORLD_H
#define COLLAPSE_MIXWORLD_H

#include <stddef.h>
#include "collapse/experiment.h"
#include "collapse/gmm.h"
#include "gauss_common.h"

typedef struct mixworld_params {
    long d;
    const char *mean, *cov, *weights, *means, *covs;
    uint64_t heldout;
} mixworld_params;

/* The [world] rows of a family's key table; T is the family's parameter struct, whose member
 * `world` is a mixworld_params. */
#define MIXWORLD_KEYS(T)                                                                         \
    {"world", "d", MC_KEY_INT, "2", 1, 1024, 0, NULL, offsetof(T, world.d),                     \
     "dimension d of the world"},                                                                \
    {"world", "mean", MC_KEY_LIST, "0", 0, 0, 0, NULL, offsetof(T, world.mean),                  \
     "mean of a Gaussian world: d numbers, or one for every coordinate"},                        \
    {"world", "cov", MC_KEY_LIST, "1", 0, 0, 0, NULL, offsetof(T, world.cov),                    \
     "covariance of a Gaussian world: s (s I), d numbers (diagonal) or d*d (row-major)"},        \
    {"world", "weights", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.weights),           \
     "a mixture world: k component weights (normalised); needs world.means"},                    \
    {"world", "means", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.means),               \
     "mixture world: k means separated by '/', each as world.mean"},                             \
    {"world", "covs", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.covs),                 \
     "mixture world: one covariance, or k separated by '/', each as world.cov (default 1)"},     \
    {"world", "heldout", MC_KEY_COUNT, "1000", 1, 2e5, 0, NULL, offsetof(T, world.heldout),      \
     "size of the fixed held-out human set (nll_heldout, w2_sliced)"}

/* Directions kept for the sliced W2 metric; metrics.slices uses the first L of them. */
#define MIXWORLD_DIRS 64

typedef struct mixworld {
    size_t d;
    mc_gmix *mix;        /* the world, for draws (k = 1 for a Gaussian) */
    mc_gmm *gm;          /* the same mixture, contiguous and prepared (L2, log-densities) */
    double *mean;        /* (d) overall mean mu_0 */
    mc_gauss *overall;   /* N(mu_0, Sigma_0): Mahalanobis distance for the tail mass */
    double trace;        /* tr Sigma_0 */
    double logdet;       /* log det Sigma_0 */
    double tail_r2;      /* the world's 99th percentile of the squared Mahalanobis distance */
    size_t nheld;
    double *held;        /* (nheld, d) the held-out human set */
    double *theta;       /* (MIXWORLD_DIRS, d) fixed unit directions */
    double *held_proj;   /* (MIXWORLD_DIRS, nheld) sorted projections of the held-out set */
} mixworld;

/* Parses the [world] keys of p (origins from pt for messages), builds the world and draws its
 * held-out set and directions from r. *out is owned by the caller (mixworld_free). MC_ECONFIG
 * for a malformed or impossible world (wrong count of numbers, non-PD covariance). */
int mixworld_create(const mixworld_params *p, const mc_point *pt, gsl_rng *r, mixworld **out,
                    mc_error *err);
void mixworld_free(mixworld *w);

/* n human samples as an mc_gdata (the family's draw_world slot). */
int mixworld_draw(gsl_rng *r, const mixworld *w, uint64_t n, void **out, mc_error *err);

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

#endif
