/* w2.h - 2-Wasserstein distances and tail masses for the metrics of the continuous families
 * (private to the library; src/families/w2.c): W2 between Gaussians in closed form, exact 1-D W2
 * from quantile functions on a fixed grid, sliced W2 in d-D, tail masses. */
#ifndef COLLAPSE_W2_H
#define COLLAPSE_W2_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"
#include "gauss_law.h"

/* Symmetric positive semi-definite square root: out = V diag(sqrt(max(lambda, 0))) V^T
 * (gsl_eigen_symmv). out has S's shape. */
int mc_sqrtm_psd(const gsl_matrix *S, gsl_matrix *out, mc_error *err);

/* 2-Wasserstein distance between N(m1, S1) and N(m2, S2), given R = S2^(1/2) (mc_sqrtm_psd):
 *   W2^2 = ||m1 - m2||^2 + tr S1 + tr S2 - 2 tr (R S1 R)^(1/2)
 * (Dowson & Landau 1982; Givens & Shortt 1984). Writes W2 (not squared) to *out. */
int mc_gauss_w2(const double *m1, const gsl_matrix *S1, const double *m2, const gsl_matrix *S2,
                const gsl_matrix *R, double *out, mc_error *err);

/* A quadrature grid for 1-D W2 from quantile functions:
 *   W2^2(A, B) = int_0^1 (QA(u) - QB(u))^2 du = int (QA(Phi(z)) - QB(Phi(z)))^2 phi(z) dz,
 * evaluated by the trapezoid rule on m equally spaced z in [-8.5, 8.5] (the integrand is smooth,
 * the Gaussian weight makes the rule converge fast, and the mass beyond 8.5 is below 1e-16).
 * A Gaussian's quantile at node i is simply mu + sd z[i]. */
typedef struct mc_qgrid {
    size_t m;
    double *z;  /* (m) nodes */
    double *wt; /* (m) weights phi(z_i) dz, summing to ~1 */
} mc_qgrid;

int mc_qgrid_alloc(size_t m, mc_qgrid **out, mc_error *err); /* m >= 3 */
void mc_qgrid_free(mc_qgrid *q);
/* W2 between two distributions given their quantiles qa, qb (m) at the grid's nodes. */
double mc_w2_quantiles(const mc_qgrid *q, const double *qa, const double *qb);
/* W2 between N(mu, sd^2) and a distribution with quantiles qb (m) at the nodes. */
double mc_w2_gauss_quantiles(const mc_qgrid *q, double mu, double sd, const double *qb);
/* Quantile at u = Phi(z) of the 1-D mixture sum_j w_j N(mu_j, sd_j^2), k components, solved
 * by bisection on the lower tail for z <= 0 and the upper tail for z > 0 (so that u near 1
 * keeps its precision). sd_j = 0 components are point masses. */
double mc_gmix1_quantile(size_t k, const double *w, const double *mu, const double *sd, double z);

/* Exact W2 between the empirical distributions of a (na) and b (nb), both sorted ascending:
 * the integral of the squared difference of two step quantile functions. */
double mc_w2_sorted(const double *a, size_t na, const double *b, size_t nb);

/* L unit directions (L, d), uniform on the sphere (gsl_ran_dir_nd). */
void mc_sliced_dirs(gsl_rng *r, size_t d, size_t L, double *theta);
/* Sliced W2 between a Gaussian g and a distribution whose projections on the directions theta
 * (L, d) have quantiles qb (L, m) at the grid's nodes:
 *   SW2 = ( (1/L) sum_l W2^2(theta_l . g, theta_l . B) )^(1/2),
 * the projection of N(mu, S) on theta being N(theta . mu, theta^T S theta). */
double mc_sliced_w2_gauss(const mc_qgrid *q, const mc_gauss *g, const double *theta, size_t L,
                          const double *qb);
/* The projections theta . x_i of the n points x (n, d) on the direction theta (d), sorted
 * ascending into out (n): one slice of a sliced W2 between samples. */
void mc_project_sorted(const double *theta, size_t d, const double *x, size_t n, double *out);
/* Sliced W2 between two point clouds x (nx, d) and y (ny, d) on directions theta (L, d), each
 * direction by mc_w2_sorted; work holds nx + ny doubles. */
double mc_sliced_w2_samples(const double *theta, size_t L, size_t d, const double *x, size_t nx,
                            const double *y, size_t ny, double *work);

/* P(X < lo) + P(X > hi) for X ~ N(mu, sd^2) (sd = 0: a point mass at mu). */
double mc_gauss_tail1(double mu, double sd, double lo, double hi);
/* Fraction of the points mu_g + L_g z_j, z_j the rows of zref (m, d) (fixed standard normal draws,
 * common random numbers across generations), whose squared Mahalanobis distance under the world
 * `ref` exceeds r2: the model's mass in the world's tails. work holds 2 d doubles. */
double mc_gauss_tail_maha(const mc_gauss *g, const mc_gauss *ref, double r2, const double *zref,
                          size_t m, double *work);

#endif
