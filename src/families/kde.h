/* kde.h - the kernel-density family's bandwidth rules and its closed-form theory
 * (src/families/kde.c; the derivation is in docs/THEORY.md, section "Kernel density").
 *
 * The model fitted to n points x_i (weights w_i, summing to 1) is
 *   p(x) = sum_i w_i N(x; x_i, H),
 * with H = h^2 I for a fixed bandwidth h, and H = f^2 S_u for Scott's and Silverman's rules, S_u
 * the (unbiased) sample covariance and, with n_eff = 1 / sum_i w_i^2 (= n unweighted),
 *   Scott:     f = n_eff^(-1/(d+4)),   Silverman: f = (n_eff (d + 2) / 4)^(-1/(d+4))
 * (the conventions of scipy.stats.gaussian_kde), or H = f^2 I with f at n rows (scikit-learn's).
 * Sampling picks x_i with probability w_i and adds kernel noise (Gaussian, or uniform in H's unit
 * ellipsoid for the top-hat kernel; N(x; x_i, H) above is then that uniform density).
 */
#ifndef COLLAPSE_KDE_H
#define COLLAPSE_KDE_H

#include <stddef.h>
#include <stdint.h>

/* The bandwidth rules, in the order of model.bandwidth_rule's choices. The sklearn rules are
 * scikit-learn's KernelDensity(bandwidth = "scott" | "silverman"): H = h^2 I with h the factor f
 * of the rule at n = the number of training rows, whatever the data's scale (so it shrinks as an
 * accumulated pool grows). */
typedef enum mc_kde_rule {
    MC_KDE_SCOTT = 0,
    MC_KDE_SILVERMAN = 1,
    MC_KDE_FIXED = 2,
    MC_KDE_SKLEARN_SCOTT = 3,
    MC_KDE_SKLEARN_SILVERMAN = 4
} mc_kde_rule;

/* The kernels, in the order of model.kernel's choices: a Gaussian N(0, H), or the top-hat, uniform
 * on the ellipsoid {L u : |u| <= 1} (H = L L^T; the ball of radius h for H = h^2 I, scikit-learn's
 * "tophat"), whose covariance is H / (d + 2). */
typedef enum mc_kde_kernel { MC_KDE_GAUSSIAN = 0, MC_KDE_TOPHAT = 1 } mc_kde_kernel;

/* f for Scott's or Silverman's rule in d dimensions with n_eff points (scipy's and sklearn's are
 * the same f; 1 for MC_KDE_FIXED). */
double mc_kde_factor(mc_kde_rule rule, size_t d, double neff);
/* The covariance of the kernel over H: 1 (Gaussian) or 1 / (d + 2) (top-hat). */
double mc_kde_kernel_var(mc_kde_kernel kernel, size_t d);

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
/* The same for the kernel whose covariance is kv H (mc_kde_kernel_var): Sigma_g = S_b + kv H,
 * and from init = {E SS_0, E||xbar_0 - mu_0||^2}, generation 0's expected scatter sum and mean
 * error (a world whose draw is not an i.i.d. sample: shapeworld_draw_moments), or NULL for an
 * i.i.d. draw: {(n[0] - 1) trace_world, trace_world / n[0]}. */
void mc_kde_theory_kernel(mc_kde_rule rule, double kv, double h, size_t d, double trace_world,
                          int accumulate, const uint64_t *n, double cs, unsigned G,
                          const double *init, double *trace_ratio, double *mean_error);

#endif
