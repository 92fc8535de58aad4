/* mixworld.h - the world of the gmm and kde families: a Gaussian or a Gaussian mixture in d
 * dimensions, with a fixed held-out human set and the pieces of the metrics both families share
 * (private to src/families/gmm.c and kde.c).
 *
 * [world] keys: the gaussian family's (mc_gworld_params in gauss_common.h), so one [world] section
 * means the same world to gaussian, gmm and kde. A family embeds mc_gworld_params in its parameter
 * block as member `world` and MIXWORLD_KEYS in its key table.
 */
#ifndef COLLAPSE_MIXWORLD_H
#define COLLAPSE_MIXWORLD_H

#include <stddef.h>
#include "collapse/experiment.h"
#include "collapse/gmm.h"
#include "gauss_common.h"

/* The [world] rows of a family's key table; T is the family's parameter struct, whose member
 * `world` is an mc_gworld_params. */
#define MIXWORLD_KEYS(T)                                                                         \
    {"world", "dim", MC_KEY_INT, NULL, 1, 1024, 0, NULL, offsetof(T, world.dim),                 \
     "d, dimensions (default: implied by world.mean / world.cov / world.means, else 1)"},        \
    {"world", "mean", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.mean),                 \
     "mean mu_0 of a Gaussian world, d numbers: \"0, 0\" (default 0)"},                          \
    {"world", "sigma", MC_KEY_DOUBLE, "1", 0, 1e150, MC_KEY_MIN_OPEN, NULL,                      \
     offsetof(T, world.sigma), "standard deviation of an isotropic world, sigma^2 I (> 0)"},     \
    {"world", "cov", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.cov),                   \
     "full covariance, rows separated by ';': \"1, 0.5; 0.5, 1\" (replaces sigma)"},             \
    {"world", "means", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.means),               \
     "a Gaussian-mixture world: component means, ';' between components: \"-2, 0; 2, 0\""},      \
    {"world", "weights", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.weights),           \
     "mixture weights, one per component: \"0.3, 0.7\" (default equal; normalised)"},            \
    {"world", "sds", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.sds),                   \
     "standard deviation of each (isotropic) component: \"1, 0.5\" (default world.sigma)"},      \
    {"world", "holdout", MC_KEY_COUNT, "1000", 1, 2e5, 0, NULL, offsetof(T, world.holdout),      \
     "size of the fixed held-out human set (nll_heldout, w2_sliced)"}

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
int mixworld_create(const mc_gworld_params *p, const mc_point *pt, gsl_rng *r, mixworld **out,
                    mc_error *err);
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
