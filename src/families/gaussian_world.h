/* gaussian_world.h - the world of the gaussian family (private to gaussian.c and
 * gaussian_world.c): the shared continuous world (gworld.h) plus what the gaussian family's
 * metrics need from it in closed form: Sigma_0^(1/2) for W2, the held-out set kept as its mean
 * and covariance for the NLL, the tail boundaries, common random numbers for the d-D tail mass,
 * and for a mixture world the quantiles of its projections for W2. */
#ifndef COLLAPSE_GAUSSIAN_WORLD_H
#define COLLAPSE_GAUSSIAN_WORLD_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include "gworld.h"
#include "w2.h"

/* Quantile-grid nodes for 1-D W2 and sliced W2; and common random numbers for the d-D tail mass. */
#define QGRID_M 401
#define TAIL_REF 1000

typedef struct gauss_world {
    mc_gworld base;       /* mixture (k = 1 for a Gaussian), mu_0 and Sigma_0 summed centred
                             (mc_gmm_moments_centred); base.held is freed once summarised */
    gsl_matrix *sqrt0;    /* Sigma_0^(1/2) */
    double *ho_mean;      /* (d) mean of the held-out human set */
    gsl_matrix *ho_sqrt;  /* (d, d) square root of its (1/nheld) covariance */
    mc_qgrid *q;          /* mixture world only: */
    size_t L;             /*   directions (1 in 1-D) */
    double *theta;        /*   (L, d) */
    double *qworld;       /*   (L, m) world quantiles of each projection at the grid's nodes */
    double lo, hi;        /* 1-D tails: mu_0 -+ 3 sigma_0 */
    double r2;            /* d-D tails: the world's 99th percentile of the squared Mahalanobis */
    double iso_var;       /* sigma_0^2 when the world is N(mu_0, sigma_0^2 I), else 0 */
    double *zref;         /* (d, TAIL_REF) standard normal draws, one row per coordinate */
} gauss_world;

/* Builds the world from the [world] keys p; `directions` is metrics.directions (sliced W2 of a
 * d-D mixture world). Draws from r in a fixed order: the held-out set, the reference draws, then
 * for a mixture the tail sample and the directions. *out is owned by the caller
 * (gauss_world_free). */
int gauss_world_create(const mc_gworld_params *p, long directions, const mc_point *pt, gsl_rng *r,
                       gauss_world **out, mc_error *err);
void gauss_world_free(void *world);
/* A random world's instance: delta ~ N(0, sd^2 I_d) (world.random_mean = sd; the first d draws
 * from r when sd > 0) added to every component mean, then, when log_sd > 0
 * (world.random_scale), every covariance multiplied by exp(2 log_sd Z), Z ~ N(0, 1) the next
 * draw; the world p describes is then built from r as gauss_world_create builds it (held-out
 * set and reference draws of its own). */
int gauss_world_random(const mc_gworld_params *p, size_t d, double sd, double log_sd,
                       long directions, const mc_point *pt, gsl_rng *r, gauss_world **out,
                       mc_error *err);

#endif
