/* small_blas.h - three BLAS operations on tall, narrow matrices (n x d, d small), as the gmm
 * family's EM uses them, written out (private to src/families/).
 *
 * Each performs the same floating-point operations in the same order as GSL's reference CBLAS
 * (libgslcblas: cblas/source_gemv_r.h, source_syrk_r.h, source_trsm_r.h, row-major), so the
 * results are the same bits; only the call, the generic strides and the checks are gone, which
 * for d = 2 cost more than the arithmetic (bench/run_metrics.sh). The build never contracts a
 * multiply and an add (-ffp-contract=off), nor does Debian's libgslcblas (baseline x86-64). */
#ifndef MC_SMALL_BLAS_H
#define MC_SMALL_BLAS_H

#include <math.h>
#include <stddef.h>

/* y (d) = alpha X^T u for X (n x d): gsl_blas_dgemv(CblasTrans, alpha, X, u, 0, y). */
static inline void mc_sb_gemv_t(size_t n, size_t d, double alpha, const double *X,
                                const double *u, double *y)
{
    if (d == 2) { /* the sums in registers, not in y (which the compiler must assume aliases) */
        double y0 = 0.0, y1 = 0.0;
        for (size_t j = 0; j < n; j++) {
            const double t = alpha * u[j];
            if (t != 0.0) {
                y0 += t * X[2 * j];
                y1 += t * X[2 * j + 1];
            }
        }
        y[0] = y0;
        y[1] = y1;
        return;
    }
    for (size_t a = 0; a < d; a++)
        y[a] = 0.0;
    for (size_t j = 0; j < n; j++) {
        const double t = alpha * u[j];
        if (t != 0.0)
            for (size_t a = 0; a < d; a++)
                y[a] += t * X[j * d + a];
    }
}

/* The lower triangle of C (d x d) = alpha Z^T Z for Z (n x d): gsl_blas_dsyrk(CblasLower,
 * CblasTrans, alpha, Z, 0, C). */
static inline void mc_sb_syrk_lt(size_t n, size_t d, double alpha, const double *Z, double *C)
{
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++) {
            double t = 0.0;
            for (size_t k = 0; k < n; k++)
                t += Z[k * d + i] * Z[k * d + j];
            C[i * d + j] = 0.0;
            C[i * d + j] += alpha * t;
        }
}

/* The lower triangle of C = alpha Z^T Z for Z_k = sqrt(u_k) (x_k - mu) (x: n x d): building Z
 * in Y (n x d scratch) and mc_sb_syrk_lt, the same bits; for d <= 4 in one pass over the rows
 * without Y (each of the d (d + 1) / 2 sums still adds its terms in row order). */
static inline void mc_sb_wcov_lt(size_t n, size_t d, double alpha, const double *x,
                                 const double *u, const double *mu, double *Y, double *C)
{
    if (d > 4) {
        for (size_t k = 0; k < n; k++) {
            double s = sqrt(u[k]);
            for (size_t a = 0; a < d; a++)
                Y[k * d + a] = s * (x[k * d + a] - mu[a]);
        }
        mc_sb_syrk_lt(n, d, alpha, Y, C);
        return;
    }
    if (d == 2) { /* the three sums in registers */
        double t0 = 0.0, t1 = 0.0, t2 = 0.0;
        for (size_t k = 0; k < n; k++) {
            double s = sqrt(u[k]), z0 = s * (x[2 * k] - mu[0]), z1 = s * (x[2 * k + 1] - mu[1]);
            t0 += z0 * z0;
            t1 += z1 * z0;
            t2 += z1 * z1;
        }
        C[0] = 0.0;
        C[0] += alpha * t0;
        C[2] = 0.0;
        C[2] += alpha * t1;
        C[3] = 0.0;
        C[3] += alpha * t2;
        return;
    }
    double t[10] = {0.0}, z[4];
    for (size_t k = 0; k < n; k++) {
        double s = sqrt(u[k]);
        for (size_t a = 0; a < d; a++)
            z[a] = s * (x[k * d + a] - mu[a]);
        for (size_t i = 0, p = 0; i < d; i++)
            for (size_t j = 0; j <= i; j++, p++)
                t[p] += z[i] * z[j];
    }
    for (size_t i = 0, p = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++, p++) {
            C[i * d + j] = 0.0;
            C[i * d + j] += alpha * t[p];
        }
}

/* One row y (d) := y L^-T for a lower triangular L (d x d) with a non-unit diagonal: a row of
 * gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1, L, Y). */
static inline void mc_sb_trsm_row_rlt(size_t d, const double *L, double *y)
{
    for (size_t j = 0; j < d; j++) {
        y[j] /= L[j * d + j];
        const double b = y[j];
        for (size_t k = j + 1; k < d; k++)
            y[k] -= L[k * d + j] * b;
    }
}

#endif
