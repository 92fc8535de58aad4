/* gmm_law.c - Gaussian mixtures: density, sampling, moments and the closed-form L2 distance.
 * The mixture type of every continuous family (the gmm family's model, and the world of gaussian,
 * gmm and kde).
 *
 * Density. p(x) = sum_j w_j N(x; mu_j, S_j). With S_j = L_j L_j^T (Cholesky) and
 * y = L_j^{-1} (x - mu_j), log N(x; mu_j, S_j) = -d/2 log 2pi - sum_l log L_j,ll - |y|^2 / 2.
 * For n points at once, Y = (X - 1 mu_j^T) L_j^{-T} is one BLAS dtrsm per component.
 *
 * L2 distance. int N(x; a, A) N(x; b, B) dx = N(a; b, A + B) (the product of two Gaussian
 * densities is a scaled Gaussian density; e.g. Petersen & Pedersen, The Matrix Cookbook, 8.1.8),
 * so for mixtures p, q
 *   ||p - q||_2^2 = sum_ij p_i p_j N(a_i; a_j, A_i + A_j) + sum_ij q_i q_j N(b_i; b_j, B_i + B_j)
 *                   - 2 sum_ij p_i q_j N(a_i; b_j, A_i + B_j).
 * Shumailov et al. (Nature 631, 2024, "AI models collapse when trained on recursively generated
 * data") track this distance for a GMM refitted on its own samples.
 *
 * Sampling. The component counts are one multinomial draw (sequential binomials); each
 * component's block is mu_j + L_j z. mc_gmm_sample leaves the rows grouped by component (BLAS
 * dtrmm); mc_gmm_draw_shuffled draws each block through the Gaussian sampler (gauss_law.c) and
 * shuffles the rows, so that any prefix is a sample of the mixture (the world's draws).
 */
#include <math.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include "collapse/randist.h"
#include "gauss_law.h"
#include "gmm.h"
#include "small_blas.h"

#define LOG_2PI 1.83787706640934548356

mc_gmm *mc_gmm_alloc(size_t k, size_t d)
{
    if (k == 0 || d == 0 || k > ((size_t)1 << 24) || d > ((size_t)1 << 12))
        return NULL;
    mc_gmm *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    /* one block: w (k), mu (k d), cov (k d d), chol (k d d), lognorm (k) */
    double *block = calloc(k * (2 + d + 2 * d * d), sizeof *block);
    if (!block) {
        free(m);
        return NULL;
    }
    m->k = k;
    m->d = d;
    m->w = block;
    m->mu = m->w + k;
    m->cov = m->mu + k * d;
    m->chol = m->cov + k * d * d;
    m->lognorm = m->chol + k * d * d;
    return m;
}

void mc_gmm_free(mc_gmm *m)
{
    if (!m)
        return;
    free(m->w);
    free(m);
}

void mc_gmm_copy(mc_gmm *b, const mc_gmm *a)
{
    memcpy(b->w, a->w, a->k * (2 + a->d + 2 * a->d * a->d) * sizeof *a->w);
}

/* Cholesky factor of component j's covariance into chol, its log-normaliser into lognorm.
 * Returns the GSL status (GSL_EDOM when not positive definite). */
int mc_gmm_factor_component(mc_gmm *m, size_t j)
{
    size_t d = m->d;
    double *L = m->chol + j * d * d;
    memcpy(L, m->cov + j * d * d, d * d * sizeof *L);
    gsl_matrix_view Lv = gsl_matrix_view_array(L, d, d);
    int st = gsl_linalg_cholesky_decomp1(&Lv.matrix);
    if (st)
        return st;
    double half_logdet = 0;
    for (size_t a = 0; a < d; a++) {
        half_logdet += log(L[a * d + a]);
        for (size_t b = a + 1; b < d; b++)
            L[a * d + b] = 0; /* keep only L */
    }
    m->lognorm[j] = log(m->w[j]) - 0.5 * (double)d * LOG_2PI - half_logdet;
    return isfinite(half_logdet) ? 0 : GSL_EDOM;
}

int mc_gmm_prepare(mc_gmm *m, mc_error *err)
{
    size_t d = m->d;
    double sum = 0;
    char name[48] = "";
    for (size_t j = 0; j < m->k; j++) {
        if (m->k > 1)
            snprintf(name, sizeof name, "component %zu: ", j + 1);
        if (!isfinite(m->w[j]) || m->w[j] < 0)
            return mc_error_set(err, MC_ECONFIG, "%sweight %g is not >= 0", name, m->w[j]);
        sum += m->w[j];
        const double *S = m->cov + j * d * d;
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < a; b++) {
                double s = fabs(S[a * d + a]) + fabs(S[b * d + b]);
                if (!(fabs(S[a * d + b] - S[b * d + a]) <= 1e-12 * s))
                    return mc_error_set(err, MC_ECONFIG,
                                        "%scovariance is not symmetric", name);
            }
        if (mc_gmm_factor_component(m, j))
            return mc_error_set(err, MC_ECONFIG,
                                "%scovariance is not positive definite", name);
    }
    if (fabs(sum - 1) > 1e-9)
        return mc_error_set(err, MC_ECONFIG, "weights sum to %.12g, not 1", sum);
    return MC_OK;
}

double mc_gmm_logpdf(const mc_gmm *m, const double *x, double *y)
{
    size_t d = m->d;
    double mx = -INFINITY, s = 0;
    for (size_t j = 0; j < m->k; j++) {
        if (m->w[j] <= 0)
            continue;
        for (size_t a = 0; a < d; a++)
            y[a] = x[a] - m->mu[j * d + a];
        gsl_matrix_const_view L = gsl_matrix_const_view_array(m->chol + j * d * d, d, d);
        gsl_vector_view yv = gsl_vector_view_array(y, d);
        gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &L.matrix, &yv.vector);
        double q;
        gsl_blas_ddot(&yv.vector, &yv.vector, &q);
        double l = m->lognorm[j] - 0.5 * q;
        if (l > mx) {
            s = s * exp(mx - l) + 1;
            mx = l;
        } else {
            s += exp(l - mx);
        }
    }
    return mx + log(s);
}

/* Log-density of component j (without its weight) at n points: out_i = log N(x_i; mu_j, S_j)
 * + log w_j. Y (n, d) is scratch. */
void mc_gmm_component_logpdf(const mc_gmm *m, size_t j, const double *x, size_t n, double *Y,
                             double *out, size_t out_stride)
{
    size_t d = m->d;
    const double *mu = m->mu + j * d, *L = m->chol + j * d * d;
    if (d == 2) { /* the same operations in registers (Y untouched: it is scratch) */
        for (size_t i = 0; i < n; i++) {
            double y0 = (x[2 * i] - mu[0]) / L[0];
            double y1 = ((x[2 * i + 1] - mu[1]) - L[2] * y0) / L[3];
            double q = 0;
            q += y0 * y0;
            q += y1 * y1;
            out[i * out_stride] = m->lognorm[j] - 0.5 * q;
        }
        return;
    }
    for (size_t i = 0; i < n; i++) { /* y = L^-1 (x_i - mu): a row of Y L^-T (small_blas.h) */
        double *y = Y + i * d;
        for (size_t a = 0; a < d; a++)
            y[a] = x[i * d + a] - mu[a];
        mc_sb_trsm_row_rlt(d, L, y);
        double q = 0;
        for (size_t a = 0; a < d; a++)
            q += y[a] * y[a];
        out[i * out_stride] = m->lognorm[j] - 0.5 * q;
    }
}

double mc_gmm_mean_logpdf(const mc_gmm *m, const double *x, size_t n, double *scratch)
{
    double *Y = scratch, *l = Y + n * m->d, *mx = l + n, *s = mx + n;
    for (size_t i = 0; i < n; i++) {
        mx[i] = -INFINITY;
        s[i] = 0;
    }
    for (size_t j = 0; j < m->k; j++) {
        if (m->w[j] <= 0)
            continue;
        mc_gmm_component_logpdf(m, j, x, n, Y, l, 1);
        for (size_t i = 0; i < n; i++) {
            if (l[i] > mx[i]) {
                s[i] = s[i] * exp(mx[i] - l[i]) + 1;
                mx[i] = l[i];
            } else {
                s[i] += exp(l[i] - mx[i]);
            }
        }
    }
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += mx[i] + log(s[i]);
    return sum / (double)n;
}

void mc_gmm_sample(gsl_rng *r, const mc_gmm *m, size_t n, double *x)
{
    size_t d = m->d, left = n;
    double mass = 1;
    for (size_t j = 0; j < m->k && left > 0; j++) {
        /* sequential binomials = one multinomial draw of the component counts */
        size_t c = left;
        if (j + 1 < m->k) {
            double p = mass > 0 ? m->w[j] / mass : 0;
            c = p >= 1 ? left : p <= 0 ? 0 : (size_t)mc_ran_binomial(r, p, left);
        }
        mass -= m->w[j];
        left -= c;
        if (c == 0)
            continue;
        for (size_t i = 0; i < c * d; i++)
            x[i] = gsl_ran_gaussian_ziggurat(r, 1.0);
        /* rows z^T -> (L z)^T = z^T L^T */
        gsl_matrix_view X = gsl_matrix_view_array(x, c, d);
        gsl_matrix_const_view L = gsl_matrix_const_view_array(m->chol + j * d * d, d, d);
        gsl_blas_dtrmm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &L.matrix,
                       &X.matrix);
        for (size_t i = 0; i < c; i++)
            for (size_t a = 0; a < d; a++)
                x[i * d + a] += m->mu[j * d + a];
        x += c * d;
    }
}

void mc_gmm_moments(const mc_gmm *m, double *mean, double *cov)
{
    size_t d = m->d;
    memset(mean, 0, d * sizeof *mean);
    memset(cov, 0, d * d * sizeof *cov);
    for (size_t j = 0; j < m->k; j++) {
        const double *mu = m->mu + j * d, *S = m->cov + j * d * d;
        for (size_t a = 0; a < d; a++) {
            mean[a] += m->w[j] * mu[a];
            for (size_t b = 0; b < d; b++)
                cov[a * d + b] += m->w[j] * (S[a * d + b] + mu[a] * mu[b]);
        }
    }
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            cov[a * d + b] -= mean[a] * mean[b];
}

/* N(a; b, A + B) for d-vectors a, b and d x d covariances A, B. scratch: d (d + 1). */
static double gauss_overlap(const double *a, const double *A, const double *b, const double *B,
                            size_t d, double *scratch)
{
    double *C = scratch, *y = C + d * d;
    for (size_t i = 0; i < d * d; i++)
        C[i] = A[i] + B[i];
    for (size_t i = 0; i < d; i++)
        y[i] = a[i] - b[i];
    gsl_matrix_view Cv = gsl_matrix_view_array(C, d, d);
    if (gsl_linalg_cholesky_decomp1(&Cv.matrix))
        return NAN;
    gsl_vector_view yv = gsl_vector_view_array(y, d);
    gsl_blas_dtrsv(CblasLower, CblasNoTrans, CblasNonUnit, &Cv.matrix, &yv.vector);
    double q = 0, half_logdet = 0;
    for (size_t i = 0; i < d; i++) {
        q += y[i] * y[i];
        half_logdet += log(C[i * d + i]);
    }
    return exp(-0.5 * (double)d * LOG_2PI - half_logdet - 0.5 * q);
}

/* sum_ij p_i q_j N(mu_pi; mu_qj, S_pi + S_qj) */
static double cross_term(const mc_gmm *p, const mc_gmm *q, double *scratch)
{
    size_t d = p->d;
    double s = 0;
    for (size_t i = 0; i < p->k; i++)
        for (size_t j = 0; j < q->k; j++)
            s += p->w[i] * q->w[j] *
                 gauss_overlap(p->mu + i * d, p->cov + i * d * d, q->mu + j * d,
                               q->cov + j * d * d, d, scratch);
    return s;
}

double mc_gmm_l2(const mc_gmm *p, const mc_gmm *q, double *scratch)
{
    double pp = cross_term(p, p, scratch), qq = cross_term(q, q, scratch);
    double pq = cross_term(p, q, scratch);
    double sq = pp + qq - 2 * pq;
    if (isnan(sq))
        return NAN;
    /* the three terms cancel for equal mixtures; a negative square is rounding */
    return sq > 0 ? sqrt(sq) : 0;
}

int mc_gmm_draw_shuffled(gsl_rng *r, const mc_gmm *m, uint64_t n, double *x, mc_error *err)
{
    if (n > UINT_MAX)
        return mc_error_set(err, MC_ERANGE, "a mixture sample of %llu rows is too large",
                            (unsigned long long)n);
    size_t d = m->d;
    uint64_t left = n, row = 0;
    double wleft = 1.0;
    for (size_t j = 0; j < m->k && left > 0; j++) {
        uint64_t c;
        if (j + 1 == m->k || m->w[j] >= wleft)
            c = left;
        else
            c = mc_ran_binomial(r, m->w[j] / wleft, left);
        mc_gauss_sample_factor(r, d, m->mu + j * d, m->chol + j * d * d, d, NULL, c,
                               x + (size_t)row * d);
        row += c;
        left -= c;
        wleft -= m->w[j];
    }
    if (m->k > 1 && n > 1) /* gsl_ran_shuffle counts down from n - 1: n = 0 would wrap */
        gsl_ran_shuffle(r, x, (size_t)n, d * sizeof(double));
    return MC_OK;
}

void mc_gmm_moments_centred(const mc_gmm *m, double *mean, double *cov)
{
    size_t d = m->d;
    memset(mean, 0, d * sizeof(double));
    for (size_t j = 0; j < m->k; j++)
        for (size_t a = 0; a < d; a++)
            mean[a] += m->w[j] * m->mu[j * d + a];
    memset(cov, 0, d * d * sizeof(double));
    /* cov = sum_j w_j (cov_j + (mu_j - mean)(mu_j - mean)^T) */
    for (size_t j = 0; j < m->k; j++) {
        const double *mu = m->mu + j * d, *S = m->cov + j * d * d;
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++)
                cov[a * d + b] += m->w[j] * (S[a * d + b] + (mu[a] - mean[a]) * (mu[b] - mean[b]));
    }
}
