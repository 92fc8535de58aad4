/* gauss_median.c - the coordinate-wise median of a training set and the variance of the median
 * of n standard normals (contracts in gauss_median.h).
 *
 * Order statistics of n standard normals (Phi, phi, Q = 1 - Phi): X_(k) has the density
 *   n! / ((k-1)! (n-k)!) Phi(x)^(k-1) Q(x)^(n-k) phi(x),
 * and (X_(k), X_(k+1)) the joint density, for x < y,
 *   n! / ((k-1)! (n-k-1)!) Phi(x)^(k-1) phi(x) phi(y) Q(y)^(n-k-1).
 * Odd n = 2k + 1: the median is X_(k+1), mean 0, and its variance is E X_(k+1)^2. Even n = 2k:
 * the median is (X_(k) + X_(k+1)) / 2, and by symmetry E X_(k)^2 = E X_(k+1)^2, so
 *   Var = E X_(k)^2 / 2 + E[X_(k) X_(k+1)] / 2.
 * The densities are evaluated in logs (the factorials by lgamma), and integrated with GSL's QAGS
 * on [-A, A], A = min(10, 20 / sqrt(n)) + 1: about 16 standard deviations of the median. QAGS
 * may report that roundoff keeps it from the requested 1e-10; its estimate is then still far
 * within 1e-8, so GSL's error handler is off here, as the library keeps it
 * (mc_experiment_prepare).
 */
#include "gauss_median.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#define WORK 1000

int mc_gdata_median(const mc_gdata *ds, double *med, mc_error *err)
{
    size_t d = ds->d, n = (size_t)ds->n;
    if (n == 0 || ds->virtual_rows)
        return mc_error_set(err, MC_EINTERNAL, "median of an empty or moments-only dataset");
    double *col = malloc((n + MC_GDATA_ROW_SCRATCH(d)) * sizeof *col);
    if (!col)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a median of %zu rows", n);
    double *buf = col + n;
    for (size_t a = 0; a < d; a++) {
        for (size_t i = 0; i < n; i++)
            col[i] = mc_gdata_row(ds, i, buf)[a];
        gsl_sort(col, 1, n);
        med[a] = gsl_stats_median_from_sorted_data(col, 1, n);
    }
    free(col);
    return MC_OK;
}

static double log_phi(double x)
{
    return -0.5 * x * x - 0.5 * log(2.0 * M_PI);
}

/* x^p * density of X_(k) of n at x: exp(lc + (k-1) log Phi + (n-k) log Q + log phi). */
typedef struct order_stat {
    double lc, a, b; /* log coefficient, powers of Phi and Q */
    int p;           /* power of x */
    double x;        /* the outer variable of the joint density */
} order_stat;

static double single(double x, void *vp)
{
    const order_stat *o = vp;
    double l = o->lc + o->a * log(gsl_cdf_ugaussian_P(x)) + o->b * log(gsl_cdf_ugaussian_Q(x)) +
               log_phi(x);
    return pow(x, o->p) * exp(l);
}

static double integrate(gsl_function *f, double lo, double hi, gsl_integration_workspace *w)
{
    double v = 0, e = 0;
    gsl_integration_qags(f, lo, hi, 0, 1e-10, WORK, w, &v, &e);
    return v;
}

/* inner integral of the joint density over y in (x, A): y phi(y) Q(y)^b */
static double inner(double y, void *vp)
{
    const order_stat *o = vp;
    return y * exp(o->b * log(gsl_cdf_ugaussian_Q(y)) + log_phi(y));
}

typedef struct joint {
    order_stat in;
    double lc, a, A;
    gsl_integration_workspace *w;
} joint;

static double outer(double x, void *vp)
{
    joint *j = vp;
    gsl_function f = {inner, &j->in};
    double iy = integrate(&f, x, j->A, j->w);
    return x * exp(j->lc + j->a * log(gsl_cdf_ugaussian_P(x)) + log_phi(x)) * iy;
}

double mc_normal_median_var(uint64_t n)
{
    if (n <= 1)
        return 1.0;
    double N = (double)n, A = fmin(10.0, 20.0 / sqrt(N)) + 1.0;
    gsl_integration_workspace *w1 = gsl_integration_workspace_alloc(WORK);
    gsl_integration_workspace *w2 = gsl_integration_workspace_alloc(WORK);
    if (!w1 || !w2) {
        gsl_integration_workspace_free(w1);
        gsl_integration_workspace_free(w2);
        return NAN;
    }
    gsl_set_error_handler_off();
    double k = floor(N / 2), v;
    if (n % 2) { /* X_(k+1) */
        order_stat o = {lgamma(N + 1) - 2 * lgamma(k + 1), k, k, 2, 0};
        gsl_function f = {single, &o};
        v = integrate(&f, -A, A, w1);
    } else { /* X_(k) and the pair (X_(k), X_(k+1)) */
        order_stat o = {lgamma(N + 1) - lgamma(k) - lgamma(k + 1), k - 1, k, 2, 0};
        gsl_function f = {single, &o};
        double ex2 = integrate(&f, -A, A, w1);
        joint j = {{0, 0, k - 1, 0, 0}, lgamma(N + 1) - 2 * lgamma(k), k - 1, A, w2};
        gsl_function g = {outer, &j};
        v = 0.5 * ex2 + 0.5 * integrate(&g, -A, A, w1);
    }
    gsl_integration_workspace_free(w1);
    gsl_integration_workspace_free(w2);
    return v;
}
