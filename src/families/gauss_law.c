/* gauss_law.c - one Gaussian N(mu, Sigma) in d dimensions: fit, factor, sample, score.
 *
 * Fit: weighted mean and covariance, mu = sum_i w_i x_i, C = sum_i w_i (x_i - mu)(x_i - mu)^T,
 * from the rows (one BLAS dsyrk) or in O(d^2) from per-part moments; the unbiased variant divides
 * by 1 - sum_i w_i^2. Factor: lower Cholesky Sigma = L L^T (gsl_linalg_cholesky_decomp1); a
 * singular covariance gets a growing ridge, flagged, and a zero one becomes a point mass.
 * Sample: x = mu + (1 - lambda) L z, z standard normal (ziggurat), optionally truncated at
 * Mahalanobis radius c (rejection, or direction times a chi-square radius when rejection would be
 * slow). Score: log N(x; mu, Sigma) = -(d log 2 pi + log det Sigma + |L^-1 (x - mu)|^2) / 2.
 * Contracts in gauss_law.h. */
#include "gauss_law.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>

int mc_gauss_alloc(size_t d, mc_gauss **out, mc_error *err)
{
    *out = NULL;
    if (d == 0)
        return mc_error_set(err, MC_EINTERNAL, "gauss_law: Gaussian of dimension 0");
    mc_gauss *g = calloc(1, sizeof *g);
    if (!g)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a Gaussian");
    g->d = d;
    g->mu = calloc(d, sizeof(double));
    g->cov = gsl_matrix_calloc(d, d);
    g->chol = gsl_matrix_calloc(d, d);
    if (!g->mu || !g->cov || !g->chol) {
        mc_gauss_free(g);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a Gaussian");
    }
    gsl_matrix_set_identity(g->cov);
    gsl_matrix_set_identity(g->chol);
    g->logdet = 0.0;
    *out = g;
    return MC_OK;
}

void mc_gauss_free(mc_gauss *g)
{
    if (!g)
        return;
    free(g->mu);
    gsl_matrix_free(g->cov);
    gsl_matrix_free(g->chol);
    free(g);
}

void mc_gauss_copy(mc_gauss *dst, const mc_gauss *src)
{
    memcpy(dst->mu, src->mu, src->d * sizeof(double));
    gsl_matrix_memcpy(dst->cov, src->cov);
    gsl_matrix_memcpy(dst->chol, src->chol);
    dst->logdet = src->logdet;
    dst->ridge = src->ridge;
    dst->point_mass = src->point_mass;
}

double mc_trace(const gsl_matrix *A)
{
    double t = 0.0;
    for (size_t i = 0; i < A->size1; i++)
        t += gsl_matrix_get(A, i, i);
    return t;
}

int mc_gauss_factor(mc_gauss *g, int singular, int strict, const char *what, mc_error *err)
{
    size_t d = g->d;
    if (!what)
        what = "covariance";
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            if (!isfinite(gsl_matrix_get(g->cov, i, j)))
                return mc_error_set(err, strict ? MC_ECONFIG : MC_EINTERNAL,
                                    "%s has a non-finite entry", what);
    double tr = mc_trace(g->cov);
    g->ridge = 0.0;
    g->point_mass = 0;
    if (tr <= 0.0) {
        int zero = 1;
        for (size_t i = 0; i < d && zero; i++)
            for (size_t j = 0; j < d; j++)
                if (gsl_matrix_get(g->cov, i, j) != 0.0)
                    zero = 0;
        if (strict || !zero)
            return mc_error_set(err, MC_ECONFIG, "%s is not positive definite (its trace is %g)",
                                what, tr);
        gsl_matrix_set_zero(g->chol);
        g->logdet = -INFINITY;
        g->point_mass = 1;
        return MC_OK;
    }
    double scale = tr / (double)d, ridge = 0.0;
    for (int attempt = 0; attempt < 40; attempt++) {
        gsl_matrix_memcpy(g->chol, g->cov);
        for (size_t i = 0; i < d; i++)
            *gsl_matrix_ptr(g->chol, i, i) += ridge;
        int st = gsl_linalg_cholesky_decomp1(g->chol);
        int ok = st == GSL_SUCCESS;
        for (size_t i = 0; ok && i < d; i++) {
            double p = gsl_matrix_get(g->chol, i, i);
            if (!(p * p >= 1e-12 * scale))
                ok = 0;
        }
        if (ok && (!singular || ridge > 0.0))
            break;
        if (strict)
            return mc_error_set(err, MC_ECONFIG, "%s is not positive definite", what);
        ridge = ridge > 0.0 ? ridge * 10.0 : 1e-6 * scale;
        if (attempt == 39)
            return mc_error_set(err, MC_EINTERNAL, "%s could not be regularised", what);
    }
    for (size_t i = 0; i < d; i++)
        for (size_t j = i + 1; j < d; j++)
            gsl_matrix_set(g->chol, i, j, 0.0);
    if (ridge > 0.0)
        for (size_t i = 0; i < d; i++)
            *gsl_matrix_ptr(g->cov, i, i) += ridge;
    g->ridge = ridge;
    double ld = 0.0;
    for (size_t i = 0; i < d; i++)
        ld += log(gsl_matrix_get(g->chol, i, i));
    g->logdet = 2.0 * ld;
    return MC_OK;
}

/* Weighted moments: mu = sum_i w_i x_i, C = sum_i w_i (x_i - mu)(x_i - mu)^T, computed as
 * C = Y^T Y with the rows y_i = sqrt(w_i) (x_i - mu) (one BLAS dsyrk). The unbiased variant divides
 * by 1 - sum_i w_i^2, the reliability-weights correction (n / (n - 1) for equal weights). */
int mc_weighted_moments(const double *x, uint64_t n, size_t d, const double *w, double *mu,
                        gsl_matrix *C, double *scratch, mc_error *err)
{
    memset(mu, 0, d * sizeof(double));
    for (uint64_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0 / (double)n;
        const double *xi = x + (size_t)i * d;
        for (size_t j = 0; j < d; j++)
            mu[j] += wi * xi[j];
    }
    for (uint64_t i = 0; i < n; i++) {
        double s = sqrt(w ? w[i] : 1.0 / (double)n);
        const double *xi = x + (size_t)i * d;
        double *yi = scratch + (size_t)i * d;
        for (size_t j = 0; j < d; j++)
            yi[j] = s * (xi[j] - mu[j]);
    }
    gsl_matrix_const_view Y = gsl_matrix_const_view_array(scratch, (size_t)n, d);
    int st = gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &Y.matrix, 0.0, C);
    if (st != GSL_SUCCESS)
        return mc_error_set(err, MC_EINTERNAL, "gsl_blas_dsyrk: %s", gsl_strerror(st));
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < i; j++)
            gsl_matrix_set(C, j, i, gsl_matrix_get(C, i, j));
    return MC_OK;
}

int mc_gauss_fit(mc_gauss *g, const double *x, uint64_t n, const double *w, int unbiased,
                 double *scratch, mc_error *err)
{
    size_t d = g->d;
    if (n == 0)
        return mc_error_set(err, MC_EINTERNAL, "gauss_law: fit on an empty dataset");
    double sumw2 = 0.0;
    uint64_t support = 0;
    for (uint64_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0 / (double)n;
        sumw2 += wi * wi;
        support += wi > 0.0;
    }
    int rc = mc_weighted_moments(x, n, d, w, g->mu, g->cov, scratch, err);
    if (rc != MC_OK)
        return rc;
    double scale = 1.0;
    if (unbiased && 1.0 - sumw2 > 1e-300)
        scale = 1.0 / (1.0 - sumw2);
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j <= i; j++) {
            double v = gsl_matrix_get(g->cov, i, j) * scale;
            gsl_matrix_set(g->cov, i, j, v);
            gsl_matrix_set(g->cov, j, i, v);
        }
    return mc_gauss_factor(g, support <= d, 0, "fitted covariance", err);
}

int mc_gauss_fit_moments(mc_gauss *g, const double *mom, double human_weight, int unbiased,
                         mc_error *err)
{
    size_t d = g->d, sz = MC_GMOM_SIZE(d);
    const double *s = mom, *h = mom + sz; /* synthetic, human */
    double ns = s[0], nh = h[0], n = ns + nh;
    if (n <= 0.0)
        return mc_error_set(err, MC_EINTERNAL, "gauss_law: fit on an empty dataset");
    double *C = g->cov->data; /* d x d, tda == d for a freshly allocated matrix */
    size_t tda = g->cov->tda;
    double denom, support;
    if (human_weight >= 0.0 && ns > 0.0 && nh > 0.0) {
        double wh = human_weight, ws = 1.0 - human_weight;
        for (size_t a = 0; a < d; a++)
            g->mu[a] = wh * h[1 + a] + ws * s[1 + a];
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++) {
                double da = h[1 + a] - s[1 + a], db = h[1 + b] - s[1 + b];
                C[a * tda + b] = wh * h[1 + d + a * d + b] / nh + ws * s[1 + d + a * d + b] / ns +
                                 wh * ws * da * db;
            }
        denom = 1.0 - wh * wh / nh - ws * ws / ns;
        support = (wh > 0.0 ? nh : 0.0) + (ws > 0.0 ? ns : 0.0);
    } else {
        double f = nh / n;
        for (size_t a = 0; a < d; a++)
            g->mu[a] = nh > 0.0 ? h[1 + a] * f + s[1 + a] * (1.0 - f) : s[1 + a];
        double c = ns * nh / n;
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++) {
                double v = (nh > 0.0 ? h[1 + d + a * d + b] : 0.0) +
                           (ns > 0.0 ? s[1 + d + a * d + b] : 0.0);
                if (ns > 0.0 && nh > 0.0)
                    v += (h[1 + a] - s[1 + a]) * (h[1 + b] - s[1 + b]) * c;
                C[a * tda + b] = v / n;
            }
        denom = 1.0 - 1.0 / n;
        support = n;
    }
    if (unbiased && denom > 1e-300)
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++)
                C[a * tda + b] /= denom;
    return mc_gauss_factor(g, support <= (double)d, 0, "fitted covariance", err);
}

double mc_sampling_cov_factor(size_t d, const mc_sampling *s)
{
    if (!s)
        return 1.0;
    double f = (1.0 - s->shrink) * (1.0 - s->shrink);
    if (s->truncate > 0.0) {
        double c2 = s->truncate * s->truncate;
        double p = gsl_cdf_chisq_P(c2, (double)d);
        f *= p > 0.0 ? gsl_cdf_chisq_P(c2, (double)d + 2.0) / p : 0.0;
    }
    return f;
}

static double norm2(const double *z, size_t d)
{
    double s = 0.0;
    for (size_t j = 0; j < d; j++)
        s += z[j] * z[j];
    return s;
}

/* n rows of d standard normals into z (n, d), each truncated at radius^2 c2 when c2 > 0
 * (p = F_chi2_d(c2)). */
void mc_std_normal_rows(gsl_rng *r, size_t d, double c2, double p, uint64_t n, double *z)
{
    size_t total = (size_t)n * d;
    for (size_t i = 0; i < total; i++)
        z[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
    if (c2 <= 0.0)
        return;
    for (uint64_t i = 0; i < n; i++, z += d) {
        if (p >= 0.25) {
            while (norm2(z, d) > c2)
                for (size_t j = 0; j < d; j++)
                    z[j] = gsl_ran_gaussian_ziggurat(r, 1.0);
        } else {
            /* Spherical symmetry: z = |z| u with u uniform on the sphere and |z|^2 ~ chi2_d
             * independent of u, so the truncated law is u times the truncated radius. */
            double z2;
            while ((z2 = norm2(z, d)) == 0.0)
                for (size_t j = 0; j < d; j++)
                    z[j] = gsl_ran_gaussian_ziggurat(r, 1.0);
            double rad2 = p > 0.0 ? gsl_cdf_chisq_Pinv(gsl_rng_uniform_pos(r) * p, (double)d)
                                  : 0.0;
            if (!isfinite(rad2) || rad2 < 0.0)
                rad2 = 0.0;
            if (rad2 > c2)
                rad2 = c2;
            double f = sqrt(rad2 / z2);
            for (size_t j = 0; j < d; j++)
                z[j] *= f;
        }
    }
}

/* n rows of N(mu, alpha^2 L L^T) into x (n, d), truncated at Mahalanobis radius^2 c2 when c2 > 0
 * (p = F_chi2_d(c2)); L has row stride tda. The arithmetic of mc_gauss_sample. */
static void sample_rows(gsl_rng *r, size_t d, const double *mu, const double *L, size_t tda,
                        double alpha, double c2, double p, uint64_t n, double *x)
{
    mc_std_normal_rows(r, d, c2, p, n, x);
    /* x_i = mu + alpha L z_i, row by row in place: coordinate a needs z_0..z_a only, so going
     * from a = d-1 down overwrites nothing still needed. This is dtrmm's arithmetic fused with the
     * shift, without the generic BLAS call's indexing; it was 3x faster than gslcblas here. */
    for (uint64_t i = 0; i < n; i++) {
        double *restrict z = x + (size_t)i * d;
        for (size_t a = d; a-- > 0;) {
            const double *restrict La = L + a * tda;
            double v = 0.0;
#pragma omp simd reduction(+ : v)
            for (size_t c = 0; c <= a; c++)
                v += La[c] * z[c];
            z[a] = mu[a] + alpha * v;
        }
    }
}

void mc_sampling_truncation(size_t d, const mc_sampling *s, double *c2, double *p)
{
    double c = s ? s->truncate : 0.0;
    *c2 = c > 0.0 ? c * c : 0.0;
    *p = c > 0.0 ? gsl_cdf_chisq_P(*c2, (double)d) : 1.0;
}

int mc_gauss_sample(gsl_rng *r, const mc_gauss *g, const mc_sampling *s, uint64_t n, double *x,
                    mc_error *err)
{
    (void)err; /* nothing here can fail any more; the parameter stays for the contract */
    mc_gauss_sample_factor(r, g->d, g->mu, g->chol->data, g->chol->tda, s, n, x);
    return MC_OK;
}

void mc_gauss_sample_factor(gsl_rng *r, size_t d, const double *mu, const double *L, size_t tda,
                            const mc_sampling *s, uint64_t n, double *x)
{
    double c2, p;
    mc_sampling_truncation(d, s, &c2, &p);
    if (n > 0)
        sample_rows(r, d, mu, L, tda, s ? 1.0 - s->shrink : 1.0, c2, p, n, x);
}

double mc_gauss_maha2(const mc_gauss *g, const double *x, double *work)
{
    size_t d = g->d;
    if (g->point_mass) {
        for (size_t j = 0; j < d; j++)
            if (x[j] != g->mu[j])
                return INFINITY;
        return 0.0;
    }
    for (size_t j = 0; j < d; j++)
        work[j] = x[j] - g->mu[j];
    gsl_vector_view y = gsl_vector_view_array(work, d);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, g->chol, &y.vector);
    return norm2(work, d);
}

double mc_gauss_logpdf(const mc_gauss *g, const double *x, double *work)
{
    double m2 = mc_gauss_maha2(g, x, work);
    if (g->point_mass)
        return m2 == 0.0 ? INFINITY : -INFINITY;
    return -0.5 * ((double)g->d * log(2.0 * M_PI) + g->logdet + m2);
}
