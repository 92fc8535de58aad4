/* gauss_gen0.c - distances of a refitted Gaussian to generation 0's fit, and their expectations
 * under replace (docs/THEORY.md, "Distances to the generation-0 fit").
 *
 * Replace, n samples per generation, fit g drawn from fit g-1 (generation 0 from the world,
 * covariance S, no sampling bias). With the draws' covariance factor c (shrink: (1 - lambda)^2)
 * and q = (n - 1)/n (mle) or 1 (unbiased): given fit g-1, the sample mean moves by a
 * N(0, c Sigma_(g-1) / n) step and E[Sigma_g | Sigma_(g-1)] = c q Sigma_(g-1), so
 *   E||mu_g - mu_0||^2 = sum_{i=1..g} c E tr Sigma_(i-1) / n = (c q T / n) sum_{j<g} (c q)^j,
 * with E tr Sigma_i = q (c q)^i T (the means' steps are uncorrelated martingale increments).
 * For the covariance, Sigma_g = f W with W ~ W_d(n - 1, Sigma_(g-1)) (f = c/n, or c/(n - 1)
 * unbiased; generation 0: c = 1, Sigma_(-1) = S), and for W ~ W_d(m, A):
 *   E tr W^2 = m (m + 1) tr A^2 + m (tr A)^2,   E (tr W)^2 = 2 m tr A^2 + m^2 (tr A)^2,
 * so x_g = E tr Sigma_g^2 and y_g = E (tr Sigma_g)^2 follow a linear recursion from
 * (x, y) = (tr S^2, (tr S)^2); and E tr(Sigma_g Sigma_0) = (c q)^g x_0 (the tower rule), whence
 *   E||Sigma_g - Sigma_0||_F^2 = x_g - 2 (c q)^g x_0 + x_0.
 */
#include <math.h>
#include <gsl/gsl_matrix.h>
#include "gauss_gen0.h"

void mc_gen0_shift(const mc_gauss *g, const mc_gauss *g0, double *mean_sq, double *cov_sq)
{
    size_t d = g->d;
    double e = 0, f = 0;
    for (size_t a = 0; a < d; a++) {
        e += (g->mu[a] - g0->mu[a]) * (g->mu[a] - g0->mu[a]);
        for (size_t b = 0; b < d; b++) {
            double t = gsl_matrix_get(g->cov, a, b) - gsl_matrix_get(g0->cov, a, b);
            f += t * t;
        }
    }
    *mean_sq = e;
    *cov_sq = f;
}

static double q_of(const mc_gen0_case *k)
{
    return k->unbiased ? 1.0 : (k->n - 1.0) / k->n;
}

double mc_gen0_mean_theory(const mc_gen0_case *k, unsigned g)
{
    double r = k->c * q_of(k), s = 0, f = 1;
    for (unsigned j = 0; j < g; j++, f *= r)
        s += f;
    return k->c * q_of(k) * k->T / k->n * s;
}

/* One generation of (x, y) = (E tr Sigma^2, E (tr Sigma)^2) with Sigma = f W, W ~ W_d(m, .). */
static void wishart_step(double m, double f, double *x, double *y)
{
    double nx = f * f * (m * (m + 1.0) * *x + m * *y);
    double ny = f * f * (2.0 * m * *x + m * m * *y);
    *x = nx;
    *y = ny;
}

double mc_gen0_cov_theory(const mc_gen0_case *k, unsigned g)
{
    double m = k->n - 1.0, div = k->unbiased ? k->n - 1.0 : k->n;
    double x = k->T2, y = k->T * k->T;
    wishart_step(m, 1.0 / div, &x, &y); /* generation 0, from the world */
    double x0 = x;
    for (unsigned i = 1; i <= g; i++)
        wishart_step(m, k->c / div, &x, &y);
    return x - 2.0 * pow(k->c * q_of(k), (double)g) * x0 + x0;
}
