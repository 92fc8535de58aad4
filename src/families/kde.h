/* kde.h - the kernel-density family's bandwidth rules and its closed-form theory
 * (src/families/kde.c; the derivation is in docs/THEORY.md, section "Kernel density").
 *
 * The model fitted to n points x_i (weights w_i, summing to 1) is
 *   p(x) = sum_i w_i N(x; x_i, H),
 * with H = h^2 I for a fixed bandwidth h, and H = f^2 S_u for Scott's and Silverman's rules, S_u
 * the (unbiased) sample covariance and, with n_eff = 1 / sum_i w_i^2 (= n unweighted),
 *   Scott:     f = n_eff^(-1/(d+4)),   Silverman: f = (n_eff (d + 2) / 4)^(-1/(d+4))
 * (the conventions of scipy.stats.gaussian_kde). Sampling picks x_i with probability w_i and
 * adds kernel noise.
 */
#ifndef COLLAPSE_KDE_H
#define COLLAPSE_KDE_H

#include <stddef.h>
#include <stdint.h>

typedef enum mc_kde_rule { MC_KDE_SCOTT = 0, MC_KDE_SILVERMAN = 1, MC_KDE_FIXED = 2 } mc_kde_rule;

/* f for Scott's or Silverman's rule in d dimensions with n_eff points (1 for MC_KDE_FIXED). */
double mc_kde_factor(mc_kde_rule rule, size_t d, double neff);

/* Expected trace ratio E[tr Sigma_g] / tr Sigma_0 and expected mean error
 * E||xbar_g - mu_0||^2 of the KDE fitted at generations g = 0..G, unweighted, where
 * generation 0 is fitted on n[0] world draws and generation g >= 1 on
 *   replace (accumulate == 0):   n[g] draws of model g-1,
 *   accumulate (accumulate != 0): all earlier training data plus n[g] draws of model g-1.
 * Sigma_g = S_b + H is the model's covariance (S_b the biased sample covariance of its training
 * set); trace_world = tr Sigma_0 of the world. h is the fixed bandwidth (unused by the rules);
 * cs scales the covariance of the kernel noise when sampling (mc_sampling_cov_factor: 1 without
 * shrink or truncation). Exact: every quantity is linear in the training set's scatter, whose
 * expectation propagates through the recursion. Writes G + 1 values to trace_ratio and
 * mean_error (either may be NULL). n[g] >= 1. */
void mc_kde_theory(mc_kde_rule rule, double h, size_t d, double trace_world, int accumulate,
                   const uint64_t *n, double cs, unsigned G, double *trace_ratio,
                   double *mean_error);

#endif
