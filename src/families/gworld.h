/* gworld.h - the [world] section of the continuous families (gaussian, gmm, kde; private to the
 * library, src/families/gworld.c): its keys, read through one set of rows with one set of bounds;
 * the Gaussian or Gaussian-mixture world they describe; and the part of a world that the three
 * families build the same way (the mixture, its overall mean and covariance, the held-out human
 * set). A family embeds mc_gworld as the first member of its own world and adds what its metrics
 * need (the gaussian family: quantiles and reference draws; gmm and kde: mixworld.h).
 *
 * Also here, because it concerns every continuous family's theory slot: which closed form applies
 * at a grid point, read from the regime's declared training-set law. */
#ifndef COLLAPSE_GWORLD_H
#define COLLAPSE_GWORLD_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/config.h"
#include "collapse/error.h"
#include "collapse/experiment.h"
#include "gauss_law.h"
#include "gdata.h"
#include "gmm.h"

/* ---------------------------------------------------------------- config values */

/* Parses a list of numbers "1, 0.5; 0.5, 1": values separated by ',', rows by ';' (a flat list is
 * one row). Every row must have the same number of values, and every value must be a finite
 * number. On success *vals (nrows * ncols, row-major) is malloc'd for the caller to free.
 * MC_ECONFIG with `where` ("g.ini:3: [world] cov") leading the message otherwise. */
int mc_parse_rows(const char *text, const char *where, double **vals, size_t *nrows,
                  size_t *ncols, mc_error *err);

/* ---------------------------------------------------------------- the [world] keys */

/* The values of the [world] keys, so that one [world] section means the same world to every
 * continuous family:
 *   dim      d (0: implied by mean / cov / means, else 1)
 *   mean     a Gaussian world's mean, d numbers (NULL: 0)
 *   sigma    isotropic standard deviation, Sigma = sigma^2 I
 *   cov      full covariance, rows separated by ';' ("1, 0.5; 0.5, 1"), or d^2 numbers
 *   means    a mixture world: component means, ';' between components ("-2, 0; 2, 0")
 *   weights  mixture weights (NULL: equal; normalised)
 *   sds      per-component isotropic standard deviations (NULL: sigma); cov applies to all
 *   holdout  size of the held-out human set the family draws with its world
 * The strings are borrowed from the experiment. */
typedef struct mc_gworld_params {
    long dim;
    const char *mean, *cov, *means, *weights, *sds;
    double sigma;
    uint64_t holdout;
    const double *shift; /* not a key: (d) added to every component mean, or NULL (a random
                            world's instance: the gaussian family's world.random_mean) */
    double scale;        /* not a key: every covariance multiplied by it (0 read as 1; the
                            gaussian family's world.random_scale) */
} mc_gworld_params;

/* Largest d and held-out set a [world] section may ask for (mc_gmm_alloc's d limit is 4096). */
#define MC_GWORLD_MAX_DIM 4096
#define MC_GWORLD_MAX_HOLDOUT 1e8

/* The [world] rows of a family's key table, the same for every continuous family; T is the
 * family's parameter struct, whose member `world` is an mc_gworld_params. */
#define MC_GWORLD_KEYS(T)                                                                        \
    {"world", "dim", MC_KEY_INT, NULL, 1, MC_GWORLD_MAX_DIM, 0, NULL, offsetof(T, world.dim),    \
     "d, dimensions (default: implied by world.mean / world.cov / world.means, else 1)"},        \
    {"world", "mean", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.mean),                 \
     "mean mu_0 of a Gaussian world, d numbers: \"0, 0\" (default 0)"},                          \
    {"world", "sigma", MC_KEY_DOUBLE, "1", 0, 1e150, MC_KEY_MIN_OPEN, NULL,                      \
     offsetof(T, world.sigma),                                                                   \
     "standard deviation of an isotropic world, Sigma_0 = sigma^2 I (> 0)"},                     \
    {"world", "cov", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.cov),                   \
     "full covariance Sigma_0, rows separated by ';': \"1, 0.5; 0.5, 1\" (replaces sigma)"},     \
    {"world", "means", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.means),               \
     "a Gaussian-mixture world: component means, ';' between components: \"-2, 0; 2, 0\""},      \
    {"world", "weights", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.weights),           \
     "mixture weights, one per component: \"0.3, 0.7\" (default equal; normalised)"},            \
    {"world", "sds", MC_KEY_LIST, NULL, 0, 0, 0, NULL, offsetof(T, world.sds),                   \
     "standard deviation of each (isotropic) component: \"1, 0.5\" (default world.sigma)"},      \
    {"world", "holdout", MC_KEY_COUNT, "1000", 1, MC_GWORLD_MAX_HOLDOUT, 0, NULL,                \
     offsetof(T, world.holdout),                                                                 \
     "size of the fixed held-out human set the metrics score the model against"}

/* Builds the world's distribution from p: d, the k components, prepared (factors and
 * log-normalisers). pt (NULL in unit tests) gives the file and line of each key for messages. On
 * success *out is owned by the caller (mc_gmm_free); on failure it is NULL. MC_ECONFIG, naming
 * the key, for a malformed or impossible world: a wrong count of numbers, conflicting
 * dimensions, world.mean with world.means or world.cov with world.sds, negative weights, a
 * standard deviation <= 0, a covariance that is not exactly symmetric or not positive definite. */
int mc_gworld_mixture(const mc_gworld_params *p, const mc_point *pt, mc_gmm **out,
                      mc_error *err);

/* ---------------------------------------------------------------- the shared world */

/* What every continuous family's world holds. */
typedef struct mc_gworld {
    size_t d;
    mc_gmm *mix;       /* the world, prepared; k = 1 for a Gaussian */
    mc_gauss *overall; /* N(mu_0, Sigma_0): its overall mean and covariance, factored */
    double trace;      /* tr Sigma_0 */
    size_t nheld;
    double *held;      /* (nheld, d) the held-out human set; a family may free it (NULL) once it
                          has kept what it needs */
} mc_gworld;

/* How a family sums a mixture's overall moments (mc_gmm_moments or mc_gmm_moments_centred): the
 * world's mu_0 and Sigma_0 are computed the way the family computes its models', so that a model
 * equal to the world scores exactly 0. */
typedef void (*mc_gworld_moments_fn)(const mc_gmm *m, double *mean, double *cov);

/* Fills w (zeroed by the caller) from the [world] keys p: the mixture (mc_gworld_mixture), its
 * overall moments by `moments`, factored, their trace, and the held-out set of p->holdout rows,
 * the first draws from r. On failure the caller still frees w with mc_gworld_release. */
int mc_gworld_init(mc_gworld *w, const mc_gworld_params *p, const mc_point *pt, gsl_rng *r,
                   mc_gworld_moments_fn moments, mc_error *err);
/* Frees what w holds (not w itself). */
void mc_gworld_release(mc_gworld *w);
/* n human rows of the world (mc_gmm_draw_shuffled) as a new mc_gdata owned by the caller. */
int mc_gworld_draw(gsl_rng *r, const mc_gworld *w, uint64_t n, mc_gdata **out, mc_error *err);

/* ---------------------------------------------------------------- curation and detection */

/* The family slots score, ds_pick and ds_thin (family.h) of every continuous family
 * (gdata_curate.c): the score of a row is the world's log-density there; with bias b, that of
 * the world shifted by b in every coordinate. world is the family's world, whose first member
 * is an mc_gworld. */
int mc_gworld_score(const void *params, const void *world, double bias, const void *ds,
                    double *out, mc_error *err);
int mc_gdata_pick(const void *ds, const uint64_t *idx, uint64_t m, void **out, mc_error *err);
int mc_gdata_thin(gsl_rng *r, const void *ds, double keep_human, double keep_synth, void **out,
                  mc_error *err);

/* ---------------------------------------------------------------- closed forms */

/* Which closed form of a continuous family's theory slot applies at a grid point, from the
 * regime's declared training-set law (never its name). */
typedef enum mc_theory_case {
    MC_THEORY_NONE = -1,      /* no regime, or a law without a closed form here */
    MC_THEORY_REPLACE = 0,    /* every training set is the previous model's draws only */
    MC_THEORY_ACCUMULATE = 1, /* all data so far plus the new draws, fitted unweighted
                                 (regime.human_weight unset) */
} mc_theory_case;

mc_theory_case mc_theory_case_of(const mc_point *pt);

#endif
