/* shapeworld.h - the non-mixture worlds of the kde family (src/families/shapeworld.c): two moons,
 * two circles and the swiss roll, made as scikit-learn's datasets.make_moons, make_circles and
 * make_swiss_roll (hole = False) make them, with their noise parameter. Private to the library.
 *
 * A draw of n rows is what the scikit-learn function returns for n_samples = n:
 *   moons:   n_out = floor(n/2) points (cos t, sin t) and n_in = n - n_out points
 *            (1 - cos t, 1/2 - sin t), t on linspace(0, pi) (end points included);
 *   circles: n_out points (cos t, sin t) and n_in points factor (cos t, sin t), t on
 *            linspace(0, 2 pi) without its end point;
 *   swiss roll: t = 1.5 pi (1 + 2 U), y = 21 V, the row (t cos t, y, t sin t), U, V uniform;
 * shuffled, plus N(0, noise^2) in every coordinate. Moons and circles are a design, not an i.i.d.
 * sample (the positions along the curves are a grid), exactly as scikit-learn makes them. The
 * world's mean mu_0 and covariance Sigma_0 (for mean_error, trace_ratio, logdet_ratio and the
 * tail's Mahalanobis distance) are those of the limit n -> infinity (t uniform along the curve),
 * by quadrature. The world has no density in closed form: nothing here scores a point under it
 * (curation is refused with a shape world); its tail radius is the empirical 99th percentile of
 * 10^5 draws.
 *
 * [world] keys: world.shape, world.noise, world.factor (MC_SHAPE_KEYS), which a family adds to
 * its key table beside MC_GWORLD_KEYS; a shape world refuses world.mean, means, cov, weights and
 * sds, and a world.dim other than its own (2, or 3 for the swiss roll). */
#ifndef COLLAPSE_SHAPEWORLD_H
#define COLLAPSE_SHAPEWORLD_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"
#include "collapse/experiment.h"
#include "mixworld.h"

enum { MC_SHAPE_NONE = 0, MC_SHAPE_MOONS, MC_SHAPE_CIRCLES, MC_SHAPE_SWISS_ROLL };

typedef struct mc_shape_params {
    int kind;      /* MC_SHAPE_*: the order of world.shape's choices */
    double noise;  /* standard deviation of the Gaussian noise of every coordinate */
    double factor; /* circles: the inner circle's radius (scikit-learn's factor, [0, 1)) */
} mc_shape_params;

/* The [world] rows of the shape keys; T's member `shape` is an mc_shape_params. */
#define MC_SHAPE_KEYS(T)                                                                         \
    {"world", "shape", MC_KEY_ENUM, "none", 0, 0, MC_KEY_WORLD_IF_SET,                           \
     "none|moons|circles|swiss_roll",                                                            \
     offsetof(T, shape.kind),                                                                    \
     "a non-mixture world made as scikit-learn's make_moons, make_circles or make_swiss_roll "   \
     "(none: the Gaussian / mixture world of the other [world] keys)"},                          \
    {"world", "noise", MC_KEY_DOUBLE, "0", 0, 1e150, MC_KEY_WORLD_IF_SET, NULL,                  \
     offsetof(T, shape.noise),                                                                   \
     "standard deviation of the Gaussian noise a shape world adds to every coordinate"},         \
    {"world", "factor", MC_KEY_DOUBLE, "0.8", 0, 1, MC_KEY_MAX_OPEN | MC_KEY_WORLD_IF_SET, NULL, \
     offsetof(T, shape.factor), "world.shape = circles: the inner circle's radius, in [0, 1)"}

/* Builds the shape world s (the other [world] keys gp: holdout; the rest refused with the key
 * named, origins from pt) into a mixworld whose base.mix is NULL: mu_0, Sigma_0 (factored),
 * their trace, the held-out set of gp->holdout rows (one draw), the sliced-W2 directions and the
 * tail radius, all from r. *out is the caller's (mixworld_free). */
int shapeworld_create(const mc_shape_params *s, const mc_gworld_params *gp, const mc_point *pt,
                      gsl_rng *r, mixworld **out, mc_error *err);

/* n rows of the shape world s (d columns, 2 or 3) into x (n, d), as described above. */
void shapeworld_rows(gsl_rng *r, const mc_shape_params *s, uint64_t n, double *x);

/* A draw of n human rows as an mc_gdata (the draw_world slot's work). */
int shapeworld_draw(gsl_rng *r, const mc_shape_params *s, size_t d, uint64_t n, void **out,
                    mc_error *err);

/* The expected scatter SS = E sum_i |x_i - xbar|^2 and mean error M = E||xbar - mu_0||^2 of one
 * draw of n rows: exact for the design (the grid's own scatter and mean, plus the noise's
 * (n - 1) d noise^2 and d noise^2 / n); (n - 1) tr Sigma_0 and tr Sigma_0 / n for the swiss roll,
 * an i.i.d. sample. mu0 is the world's mean. */
void shapeworld_draw_moments(const mc_shape_params *s, size_t d, uint64_t n, const double *mu0,
                             double trace, double *SS, double *M);

/* 2 for moons and circles, 3 for the swiss roll. */
size_t shapeworld_dim(const mc_shape_params *s);

#endif
