/* gauss_gen0.h - how far a refitted Gaussian has moved from generation 0's fit (the fit to the
 * world's sample), and the expectations of those distances under replace (private to the
 * library; gauss_gen0.c). Shumailov et al. (Nature 631, 2024) plot the distance of every
 * generation's fit to the first one; the gaussian family reports it with metrics.gen0 = true. */
#ifndef COLLAPSE_GAUSS_GEN0_H
#define COLLAPSE_GAUSS_GEN0_H

#include <stddef.h>
#include "gauss_law.h"

/* ||mu - mu_0||^2 and ||Sigma - Sigma_0||_F^2 between a fit g and generation 0's fit g0. */
void mc_gen0_shift(const mc_gauss *g, const mc_gauss *g0, double *mean_sq, double *cov_sq);

/* What the replace closed forms need: n per generation, the estimator (q = (n-1)/n for mle, 1
 * unbiased), the draws' covariance factor c of the sampling bias, and of the world's covariance
 * S: T = tr S, T2 = tr S^2. */
typedef struct mc_gen0_case {
    double n, T, T2, c;
    int unbiased;
} mc_gen0_case;

/* E||mu_g - mu_0||^2 = (c q T / n) sum_{j < g} (c q)^j (any world with finite variance). */
double mc_gen0_mean_theory(const mc_gen0_case *k, unsigned g);

/* E||Sigma_g - Sigma_0||_F^2 for a Gaussian world, no truncation (shrink allowed): from the
 * Wishart moments E tr W^2 = m(m+1) tr S^2 + m (tr S)^2 and E (tr W)^2 = 2m tr S^2 + m^2 (tr S)^2
 * (W ~ W_d(m, S), m = n - 1), a linear recursion in (E tr Sigma^2, E (tr Sigma)^2); then
 * E||Sigma_g - Sigma_0||_F^2 = x_g - 2 (c q)^g x_0 + x_0 with x = E tr Sigma^2. */
double mc_gen0_cov_theory(const mc_gen0_case *k, unsigned g);

#endif
