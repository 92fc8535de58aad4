/* w2.c - 2-Wasserstein distances and tail masses for the continuous families' metrics.
 *
 * Between Gaussians in closed form (Dowson & Landau 1982; Givens & Shortt 1984):
 *   W2^2 = ||m1 - m2||^2 + tr S1 + tr S2 - 2 tr (S2^(1/2) S1 S2^(1/2))^(1/2).
 * In 1-D from quantile functions, W2^2 = int_0^1 (QA(u) - QB(u))^2 du, by the trapezoid rule in
 * z = Phi^-1(u) on [-8.5, 8.5], a mixture's quantile found by bisection on its tails; exactly
 * between two sorted samples (step quantile functions). In d-D sliced (Rabin, Peyre, Delon &
 * Bernot 2011): SW2^2 = mean over fixed unit directions theta of W2^2(theta . A, theta . B).
 * Tail masses: exact 1-D Gaussian tails, and a model's mass beyond a Mahalanobis radius of the
 * world on common random numbers. Contracts in w2.h. */
#include "w2.h"
#include "dsort.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

int mc_sqrtm_psd(const gsl_matrix *S, gsl_matrix *out, mc_error *err)
{
    size_t d = S->size1;
    gsl_matrix *A = gsl_matrix_alloc(d, d), *V = gsl_matrix_alloc(d, d);
    gsl_vector *lam = gsl_vector_alloc(d);
    gsl_eigen_symmv_workspace *ws = gsl_eigen_symmv_alloc(d);
    int rc = MC_OK;
    if (!A || !V || !lam || !ws) {
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for a matrix square root");
        goto done;
    }
    gsl_matrix_memcpy(A, S);
    int st = gsl_eigen_symmv(A, lam, V, ws);
    if (st != GSL_SUCCESS) {
        rc = mc_error_set(err, MC_EINTERNAL, "gsl_eigen_symmv: %s", gsl_strerror(st));
        goto done;
    }
    /* out = V diag(sqrt(lambda)) V^T: scale V's columns, then one dgemm. */
    gsl_matrix_memcpy(A, V);
    for (size_t j = 0; j < d; j++) {
        double l = gsl_vector_get(lam, j);
        gsl_vector_view col = gsl_matrix_column(A, j);
        gsl_vector_scale(&col.vector, l > 0.0 ? sqrt(l) : 0.0);
    }
    gsl_blas_dgemm(CblasNoTrans, CblasTrans, 1.0, A, V, 0.0, out);
done:
    gsl_eigen_symmv_free(ws);
    gsl_vector_free(lam);
    gsl_matrix_free(V);
    gsl_matrix_free(A);
    return rc;
}

int mc_gauss_w2(const double *m1, const gsl_matrix *S1, const double *m2, const gsl_matrix *S2,
                const gsl_matrix *R, double *out, mc_error *err)
{
    size_t d = S1->size1;
    gsl_matrix *T = gsl_matrix_alloc(d, d), *M = gsl_matrix_alloc(d, d);
    gsl_vector *lam = gsl_vector_alloc(d);
    gsl_eigen_symm_workspace *ws = gsl_eigen_symm_alloc(d);
    int rc = MC_OK;
    if (!T || !M || !lam || !ws) {
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for a W2 distance");
        goto done;
    }
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, R, S1, 0.0, T);
    gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, T, R, 0.0, M);
    int st = gsl_eigen_symm(M, lam, ws);
    if (st != GSL_SUCCESS) {
        rc = mc_error_set(err, MC_EINTERNAL, "gsl_eigen_symm: %s", gsl_strerror(st));
        goto done;
    }
    double w2 = 0.0;
    for (size_t j = 0; j < d; j++)
        w2 += (m1[j] - m2[j]) * (m1[j] - m2[j]);
    w2 += mc_trace(S1) + mc_trace(S2);
    for (size_t j = 0; j < d; j++) {
        double l = gsl_vector_get(lam, j);
        if (l > 0.0)
            w2 -= 2.0 * sqrt(l);
    }
    *out = sqrt(w2 > 0.0 ? w2 : 0.0);
done:
    gsl_eigen_symm_free(ws);
    gsl_vector_free(lam);
    gsl_matrix_free(M);
    gsl_matrix_free(T);
    return rc;
}

int mc_qgrid_alloc(size_t m, mc_qgrid **out, mc_error *err)
{
    *out = NULL;
    if (m < 3)
        return mc_error_set(err, MC_EINTERNAL, "w2: quantile grid of %zu nodes", m);
    mc_qgrid *q = calloc(1, sizeof *q);
    double *z = malloc(2 * m * sizeof(double));
    if (!q || !z) {
        free(q);
        free(z);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a quantile grid");
    }
    q->m = m;
    q->z = z;
    q->wt = z + m;
    const double zmax = 8.5;
    double h = 2.0 * zmax / (double)(m - 1), sum = 0.0;
    for (size_t i = 0; i < m; i++) {
        q->z[i] = -zmax + h * (double)i;
        q->wt[i] = h * gsl_ran_ugaussian_pdf(q->z[i]) * (i == 0 || i == m - 1 ? 0.5 : 1.0);
        sum += q->wt[i];
    }
    for (size_t i = 0; i < m; i++)
        q->wt[i] /= sum;
    *out = q;
    return MC_OK;
}

void mc_qgrid_free(mc_qgrid *q)
{
    if (!q)
        return;
    free(q->z);
    free(q);
}

double mc_w2_quantiles(const mc_qgrid *q, const double *qa, const double *qb)
{
    double s = 0.0;
    for (size_t i = 0; i < q->m; i++)
        s += q->wt[i] * (qa[i] - qb[i]) * (qa[i] - qb[i]);
    return sqrt(s);
}

double mc_w2_gauss_quantiles(const mc_qgrid *q, double mu, double sd, const double *qb)
{
    double s = 0.0;
    for (size_t i = 0; i < q->m; i++) {
        double e = mu + sd * q->z[i] - qb[i];
        s += q->wt[i] * e * e;
    }
    return sqrt(s);
}

/* G(y) = sum_j w_j P(sign X_j <= y), X_j ~ N(mu_j, sd_j^2): the lower-tail cdf of sign X. */
static double mix_tail(size_t k, const double *w, const double *mu, const double *sd,
                       double sign, double y)
{
    double s = 0.0;
    for (size_t j = 0; j < k; j++) {
        double m = sign * mu[j];
        if (sd[j] > 0.0)
            s += w[j] * gsl_cdf_ugaussian_P((y - m) / sd[j]);
        else
            s += y >= m ? w[j] : 0.0;
    }
    return s;
}

/* The quantile lies between the smallest and the largest component quantile (at the smallest
 * every component's cdf is <= u, at the largest >= u), so bisection on that bracket converges.
 * The upper half (z > 0) is solved as the lower tail of -X so that 1 - u keeps its precision. */
double mc_gmix1_quantile(size_t k, const double *w, const double *mu, const double *sd, double z)
{
    double sign = z > 0.0 ? -1.0 : 1.0, zl = -fabs(z);
    double t = gsl_cdf_ugaussian_P(zl);
    double lo = INFINITY, hi = -INFINITY;
    for (size_t j = 0; j < k; j++) {
        if (w[j] <= 0.0)
            continue;
        double qj = sign * mu[j] + sd[j] * zl;
        lo = qj < lo ? qj : lo;
        hi = qj > hi ? qj : hi;
    }
    if (!(lo < hi))
        return sign * lo;
    for (int it = 0; it < 200 && hi - lo > 1e-13 * (fabs(lo) + fabs(hi) + 1e-300); it++) {
        double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi)
            break;
        if (mix_tail(k, w, mu, sd, sign, mid) < t)
            lo = mid;
        else
            hi = mid;
    }
    return sign * 0.5 * (lo + hi);
}

/* Both quantile functions are steps, constant on ((i-1)/na, i/na] and ((j-1)/nb, j/nb]; walking
 * the merged breakpoints integrates (QA - QB)^2 exactly. Breakpoints are compared in integers. */
double mc_w2_sorted(const double *a, size_t na, const double *b, size_t nb)
{
    if (na == 0 || nb == 0)
        return NAN;
    size_t i = 0, j = 0;
    double u = 0.0, s = 0.0, N = (double)na * (double)nb;
    while (i < na && j < nb) {
        uint64_t ea = (uint64_t)(i + 1) * nb, eb = (uint64_t)(j + 1) * na; /* ends, times na nb */
        uint64_t e = ea < eb ? ea : eb;
        double next = (double)e / N, diff = a[i] - b[j];
        s += (next - u) * diff * diff;
        u = next;
        if (ea == e)
            i++;
        if (eb == e)
            j++;
    }
    return sqrt(s);
}

void mc_sliced_dirs(gsl_rng *r, size_t d, size_t L, double *theta)
{
    for (size_t l = 0; l < L; l++)
        gsl_ran_dir_nd(r, d, theta + l * d);
}

double mc_sliced_w2_gauss(const mc_qgrid *q, const mc_gauss *g, const double *theta, size_t L,
                          const double *qb)
{
    size_t d = g->d;
    double s = 0.0;
    for (size_t l = 0; l < L; l++) {
        const double *t = theta + l * d;
        double a = 0.0, v = 0.0;
        for (size_t i = 0; i < d; i++) {
            a += t[i] * g->mu[i];
            double row = 0.0;
            for (size_t j = 0; j < d; j++)
                row += gsl_matrix_get(g->cov, i, j) * t[j];
            v += t[i] * row;
        }
        double w = mc_w2_gauss_quantiles(q, a, sqrt(v > 0.0 ? v : 0.0), qb + l * q->m);
        s += w * w;
    }
    return sqrt(s / (double)L);
}

void mc_project_sorted(const double *theta, size_t d, const double *x, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        double p = 0.0;
        for (size_t j = 0; j < d; j++)
            p += theta[j] * x[i * d + j];
        out[i] = p;
    }
    mc_sort_doubles(out, n);
}

double mc_sliced_w2_samples(const double *theta, size_t L, size_t d, const double *x, size_t nx,
                            const double *y, size_t ny, double *work)
{
    double *px = work, *py = work + nx, s = 0.0;
    for (size_t l = 0; l < L; l++) {
        mc_project_sorted(theta + l * d, d, x, nx, px);
        mc_project_sorted(theta + l * d, d, y, ny, py);
        double w = mc_w2_sorted(px, nx, py, ny);
        s += w * w;
    }
    return sqrt(s / (double)L);
}

double mc_gauss_tail1(double mu, double sd, double lo, double hi)
{
    if (!(sd > 0.0))
        return mu < lo || mu > hi ? 1.0 : 0.0;
    return gsl_cdf_ugaussian_P((lo - mu) / sd) + gsl_cdf_ugaussian_Q((hi - mu) / sd);
}

double mc_gauss_tail_maha(const mc_gauss *g, const mc_gauss *ref, double r2, const double *zref,
                          size_t m, double *work)
{
    size_t d = g->d, beyond = 0;
    double *xv = work, *w2 = work + d;
    gsl_vector_view xvv = gsl_vector_view_array(xv, d);
    for (size_t i = 0; i < m; i++) {
        memcpy(xv, zref + i * d, d * sizeof(double));
        gsl_blas_dtrmv(CblasLower, CblasNoTrans, CblasNonUnit, g->chol, &xvv.vector);
        for (size_t j = 0; j < d; j++)
            xv[j] += g->mu[j];
        if (mc_gauss_maha2(ref, xv, w2) > r2)
            beyond++;
    }
    return (double)beyond / (double)m;
}
