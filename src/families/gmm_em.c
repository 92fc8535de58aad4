/* gmm_em.c - Gaussian mixtures: density, sampling, the closed-form L2 distance, and EM.
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
 * EM (Dempster, Laird & Rubin 1977; Bishop, PRML 9.2) with per-point weights v_i (sum v = n):
 *   E: r_ij = w_j N(x_i; mu_j, S_j) / p(x_i)                     (log-sum-exp for stability)
 *   M: N_j = sum_i v_i r_ij, w_j = N_j / n, mu_j = sum_i v_i r_ij x_i / N_j,
 *      S_j = sum_i v_i r_ij (x_i - mu_j)(x_i - mu_j)^T / N_j + reg_covar I   (diag: diagonal only)
 * stopping when the weighted mean log-likelihood changes by less than tol (scikit-learn's rule),
 * or after max_iter iterations. Initialisation: k-means++ seeds (Arthur & Vassilvitskii 2007,
 * weighted by v), each point given to its nearest seed, then one M step (as scikit-learn's
 * init_params = "k-means++"). Degenerate cases are repaired, counted and never fatal:
 *   - a component whose weight vanishes (N_j < 1e-9 of a point) is re-seeded on the point the
 *     mixture explains worst, with the data's covariance;
 *   - a component whose unfloored total variance is at most d * reg_covar (it sits on one point,
 *     or all points are identical) is counted as collapsed; reg_covar keeps it positive definite,
 *     and if rounding still defeats the Cholesky factorisation a growing jitter is added.
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_randist.h>
#include "collapse/gmm.h"

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
static int factor_component(mc_gmm *m, size_t j)
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
        if (factor_component(m, j))
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
static void component_logpdf(const mc_gmm *m, size_t j, const double *x, size_t n, double *Y,
                             double *out, size_t out_stride)
{
    size_t d = m->d;
    const double *mu = m->mu + j * d;
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            Y[i * d + a] = x[i * d + a] - mu[a];
    gsl_matrix_view Yv = gsl_matrix_view_array(Y, n, d);
    gsl_matrix_const_view L = gsl_matrix_const_view_array(m->chol + j * d * d, d, d);
    gsl_blas_dtrsm(CblasRight, CblasLower, CblasTrans, CblasNonUnit, 1.0, &L.matrix, &Yv.matrix);
    for (size_t i = 0; i < n; i++) {
        double q = 0;
        for (size_t a = 0; a < d; a++)
            q += Y[i * d + a] * Y[i * d + a];
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
        component_logpdf(m, j, x, n, Y, l, 1);
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
            c = p >= 1 ? left : p <= 0 ? 0 : gsl_ran_binomial(r, p, (unsigned)left);
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

/* ---- EM ------------------------------------------------------------------------------------ */

struct mc_gmm_em {
    size_t k, d, cap;
    mc_gmm *cur;      /* the start being iterated */
    double *resp;     /* (cap, k) responsibilities; log-probabilities during the E step */
    double *Y;        /* (cap, d) centred / whitened points */
    double *v;        /* (cap) point weights, summing to n */
    double *u;        /* (cap) v_i r_ij of one component */
    double *logp;     /* (cap) log p(x_i) of the last E step is logp_i + log lsum_i */
    double *lsum;     /* (cap) sum_j exp(l_ij - logp_i), in [1, k] */
    int unweighted;   /* every v_i == 1 */
    double *dist;     /* (cap) k-means++ squared distances */
    double *datacov;  /* (d, d) weighted covariance of the data + reg, for re-seeding */
    double *mean;     /* (d) weighted mean of the data */
    double *rawtrace; /* (k) unfloored total variance of each component */
    double *bestraw;  /* (k) rawtrace of the kept start */
    char *fresh;      /* (k) re-seeded in the last M step */
};

mc_gmm_em *mc_gmm_em_alloc(size_t k, size_t d)
{
    mc_gmm_em *ws = calloc(1, sizeof *ws);
    if (!ws)
        return NULL;
    ws->k = k;
    ws->d = d;
    ws->cur = mc_gmm_alloc(k, d);
    ws->datacov = malloc((d * d + d + 2 * k) * sizeof(double));
    ws->fresh = calloc(k, 1);
    if (!ws->cur || !ws->datacov || !ws->fresh) {
        mc_gmm_em_free(ws);
        return NULL;
    }
    ws->mean = ws->datacov + d * d;
    ws->rawtrace = ws->mean + d;
    ws->bestraw = ws->rawtrace + k;
    return ws;
}

void mc_gmm_em_free(mc_gmm_em *ws)
{
    if (!ws)
        return;
    mc_gmm_free(ws->cur);
    free(ws->resp);
    free(ws->datacov);
    free(ws->fresh);
    free(ws);
}

static int em_reserve(mc_gmm_em *ws, size_t n)
{
    if (n <= ws->cap)
        return MC_OK;
    size_t per = ws->k + ws->d + 5;
    if (n > SIZE_MAX / sizeof(double) / per)
        return MC_ENOMEM;
    double *p = realloc(ws->resp, n * per * sizeof *p);
    if (!p)
        return MC_ENOMEM;
    ws->resp = p;
    ws->Y = p + n * ws->k;
    ws->v = ws->Y + n * ws->d;
    ws->u = ws->v + n;
    ws->logp = ws->u + n;
    ws->dist = ws->logp + n;
    ws->lsum = ws->dist + n;
    ws->cap = n;
    return MC_OK;
}

/* An index drawn with probability c_i / sum c (c >= 0, total > 0 given). */
static size_t draw_index(gsl_rng *r, const double *c, size_t n, double total)
{
    double u = gsl_rng_uniform(r) * total, acc = 0;
    size_t last = 0;
    for (size_t i = 0; i < n; i++) {
        if (c[i] <= 0)
            continue;
        acc += c[i];
        last = i;
        if (u < acc)
            return i;
    }
    return last; /* u landed in the rounding gap at the top */
}

static double sqdist(const double *a, const double *b, size_t d)
{
    double s = 0;
    for (size_t l = 0; l < d; l++)
        s += (a[l] - b[l]) * (a[l] - b[l]);
    return s;
}

/* Sets the covariance of component j of m from the unfloored estimate S (already in place),
 * adds the floor, factorises; on a rounding failure adds a growing jitter. */
static void floor_and_factor(mc_gmm_em *ws, mc_gmm *m, size_t j, double reg)
{
    size_t d = m->d;
    double *S = m->cov + j * d * d, tr = 0;
    for (size_t a = 0; a < d; a++)
        tr += S[a * d + a];
    ws->rawtrace[j] = tr;
    for (size_t a = 0; a < d; a++)
        S[a * d + a] += reg;
    double jitter = 1e-12 * (1 + fabs(tr) / (double)d);
    for (int tries = 0; factor_component(m, j) != 0; tries++) {
        if (tries == 12) { /* give up on the estimate: use the data's covariance */
            memcpy(S, ws->datacov, d * d * sizeof *S);
            factor_component(m, j);
            break;
        }
        for (size_t a = 0; a < d; a++)
            S[a * d + a] += jitter;
        jitter *= 10;
    }
}

/* M step from ws->resp. Returns the number of re-seeded components. */
static long m_step(mc_gmm_em *ws, mc_gmm *m, const double *x, size_t n,
                   const mc_gmm_em_opts *o)
{
    size_t k = m->k, d = m->d;
    long reseeded = 0;
    gsl_matrix_const_view X = gsl_matrix_const_view_array(x, n, d);
    for (size_t j = 0; j < k; j++) {
        double Nj = 0;
        for (size_t i = 0; i < n; i++) {
            ws->u[i] = ws->v[i] * ws->resp[i * k + j];
            Nj += ws->u[i];
        }
        double *mu = m->mu + j * d, *S = m->cov + j * d * d;
        if (!(Nj >= 1e-9)) {
            /* empty: re-seed on the worst-explained point with the data's spread */
            size_t worst = 0;
            double lw = INFINITY;
            for (size_t i = 0; i < n; i++) {
                double l = ws->logp[i] + log(ws->lsum[i]);
                if (l < lw && ws->v[i] > 0) {
                    lw = l;
                    worst = i;
                }
            }
            memcpy(mu, x + worst * d, d * sizeof *mu);
            memcpy(S, ws->datacov, d * d * sizeof *S);
            for (size_t a = 0; a < d; a++)
                S[a * d + a] -= o->reg_covar; /* floor_and_factor adds it back */
            m->w[j] = ws->v[worst] / (double)n;
            ws->logp[worst] = INFINITY; /* not the seed of another empty component */
            ws->fresh[j] = 1;
            reseeded++;
            continue;
        }
        ws->fresh[j] = 0;
        m->w[j] = Nj / (double)n;
        gsl_vector_view uv = gsl_vector_view_array(ws->u, n);
        gsl_vector_view muv = gsl_vector_view_array(mu, d);
        gsl_blas_dgemv(CblasTrans, 1.0 / Nj, &X.matrix, &uv.vector, 0.0, &muv.vector);
        if (o->covtype == MC_GMM_DIAG) {
            memset(S, 0, d * d * sizeof *S);
            for (size_t i = 0; i < n; i++)
                for (size_t a = 0; a < d; a++) {
                    double c = x[i * d + a] - mu[a];
                    S[a * d + a] += ws->u[i] * c * c;
                }
            for (size_t a = 0; a < d; a++)
                S[a * d + a] /= Nj;
        } else {
            /* Z_i = sqrt(u_i) (x_i - mu); S = Z^T Z / N_j */
            for (size_t i = 0; i < n; i++) {
                double s = sqrt(ws->u[i]);
                for (size_t a = 0; a < d; a++)
                    ws->Y[i * d + a] = s * (x[i * d + a] - mu[a]);
            }
            gsl_matrix_view Z = gsl_matrix_view_array(ws->Y, n, d);
            gsl_matrix_view Sv = gsl_matrix_view_array(S, d, d);
            gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0 / Nj, &Z.matrix, 0.0, &Sv.matrix);
            for (size_t a = 0; a < d; a++)
                for (size_t b = a + 1; b < d; b++)
                    S[a * d + b] = S[b * d + a];
        }
    }
    /* re-seeding took weight from nowhere: renormalise, then refresh the normalisers */
    double sum = 0;
    for (size_t j = 0; j < k; j++)
        sum += m->w[j];
    for (size_t j = 0; j < k; j++)
        m->w[j] /= sum;
    for (size_t j = 0; j < k; j++) {
        floor_and_factor(ws, m, j, o->reg_covar);
        if (ws->fresh[j])
            ws->rawtrace[j] = INFINITY; /* a fresh seed is not a collapse */
    }
    return reseeded;
}

/* E step: responsibilities into ws->resp, log p(x_i) as logp_i + log lsum_i; returns the weighted mean
 * log-likelihood. */
static double e_step(mc_gmm_em *ws, const mc_gmm *m, const double *x, size_t n)
{
    size_t k = m->k;
    for (size_t j = 0; j < k; j++) {
        if (m->w[j] > 0) {
            component_logpdf(m, j, x, n, ws->Y, ws->resp + j, k);
        } else {
            for (size_t i = 0; i < n; i++)
                ws->resp[i * k + j] = -INFINITY;
        }
    }
    /* log p(x_i) = mx_i + log s_i with s_i in [1, k]. Unweighted, sum_i log s_i is taken as the
     * log of a running product (s_i >= 1 never underflows; flushed before it could overflow),
     * which saves n - 1 logarithms per iteration; the term l_ij = mx_i needs no exp. */
    double ll = 0, prod = 1;
    for (size_t i = 0; i < n; i++) {
        double *l = ws->resp + i * k, mx = l[0];
        for (size_t j = 1; j < k; j++)
            mx = l[j] > mx ? l[j] : mx;
        double s = 0;
        for (size_t j = 0; j < k; j++) {
            l[j] = l[j] == mx ? 1.0 : exp(l[j] - mx);
            s += l[j];
        }
        double inv = 1.0 / s;
        for (size_t j = 0; j < k; j++)
            l[j] *= inv;
        ws->logp[i] = mx;
        ws->lsum[i] = s;
        if (ws->unweighted) {
            ll += mx;
            prod *= s;
            if (prod > 1e250) {
                ll += log(prod);
                prod = 1;
            }
        } else {
            ll += ws->v[i] * (mx + log(s));
        }
    }
    return (ll + log(prod)) / (double)n;
}

/* k-means++ seeds, hard assignment to the nearest seed, one M step. */
static long init_kmeanspp(gsl_rng *r, mc_gmm_em *ws, mc_gmm *m, const double *x, size_t n,
                          const mc_gmm_em_opts *o)
{
    size_t k = m->k, d = m->d;
    size_t c = draw_index(r, ws->v, n, (double)n);
    memcpy(m->mu, x + c * d, d * sizeof *m->mu);
    for (size_t i = 0; i < n; i++)
        ws->dist[i] = sqdist(x + i * d, m->mu, d);
    memset(ws->resp, 0, n * k * sizeof *ws->resp);
    for (size_t i = 0; i < n; i++)
        ws->resp[i * k] = 1;
    for (size_t j = 1; j < k; j++) {
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += ws->v[i] * ws->dist[i];
        /* D^2 weighting; when every point already is a seed (n < k, identical points), by v */
        if (total > 0) {
            for (size_t i = 0; i < n; i++)
                ws->u[i] = ws->v[i] * ws->dist[i];
            c = draw_index(r, ws->u, n, total);
        } else {
            c = draw_index(r, ws->v, n, (double)n);
        }
        double *mu = m->mu + j * d;
        memcpy(mu, x + c * d, d * sizeof *mu);
        for (size_t i = 0; i < n; i++) {
            double s = sqdist(x + i * d, mu, d);
            if (s < ws->dist[i]) {
                ws->dist[i] = s;
                memset(ws->resp + i * k, 0, k * sizeof *ws->resp);
                ws->resp[i * k + j] = 1;
            }
        }
    }
    for (size_t i = 0; i < n; i++) {
        ws->logp[i] = -ws->dist[i]; /* re-seed an empty component on the farthest point */
        ws->lsum[i] = 1;
    }
    return m_step(ws, m, x, n, o);
}

int mc_gmm_fit(gsl_rng *r, mc_gmm_em *ws, mc_gmm *m, const double *x, const double *wt,
               size_t n, const mc_gmm_em_opts *o, mc_gmm_em_stats *stats, mc_error *err)
{
    size_t d = m->d;
    if (n == 0)
        return mc_error_set(err, MC_ECONFIG, "gmm: cannot fit a mixture to 0 points");
    if (m->k != ws->k || d != ws->d)
        return mc_error_set(err, MC_EINTERNAL, "gmm: workspace shape differs from the model");
    if (em_reserve(ws, n))
        return mc_error_set(err, MC_ENOMEM, "gmm: no memory for EM on %zu points", n);
    for (size_t i = 0; i < n * d; i++)
        if (!isfinite(x[i]))
            return mc_error_set(err, MC_EDATA, "gmm: point %zu has a non-finite coordinate",
                                i / d + 1);
    double W = 0;
    for (size_t i = 0; i < n; i++) {
        double v = wt ? wt[i] : 1;
        if (!(v >= 0) || !isfinite(v))
            return mc_error_set(err, MC_ECONFIG, "gmm: weight of point %zu is %g", i + 1, v);
        W += v;
    }
    if (!(W > 0))
        return mc_error_set(err, MC_ECONFIG, "gmm: the point weights sum to 0");
    ws->unweighted = 1;
    for (size_t i = 0; i < n; i++) {
        ws->v[i] = (wt ? wt[i] : 1) * (double)n / W;
        ws->unweighted &= ws->v[i] == 1.0;
    }

    /* the data's weighted covariance (diagonal for a diagonal fit) + floor, for re-seeding */
    double *C = ws->datacov, *mean = ws->mean;
    memset(mean, 0, d * sizeof *mean);
    for (size_t i = 0; i < n; i++)
        for (size_t a = 0; a < d; a++)
            mean[a] += ws->v[i] * x[i * d + a] / (double)n;
    for (size_t i = 0; i < n; i++) { /* Z_i = sqrt(v_i / n)(x_i - mean); C = Z^T Z */
        double sv = sqrt(ws->v[i] / (double)n);
        for (size_t a = 0; a < d; a++)
            ws->Y[i * d + a] = sv * (x[i * d + a] - mean[a]);
    }
    gsl_matrix_view Z = gsl_matrix_view_array(ws->Y, n, d);
    gsl_matrix_view Cv = gsl_matrix_view_array(C, d, d);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &Z.matrix, 0.0, &Cv.matrix);
    if (o->covtype == MC_GMM_DIAG)
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < a; b++)
                C[a * d + b] = 0;
    for (size_t a = 0; a < d; a++) {
        C[a * d + a] += o->reg_covar > 0 ? o->reg_covar : 1e-12;
        for (size_t b = a + 1; b < d; b++)
            C[a * d + b] = C[b * d + a];
    }

    mc_gmm_em_stats best = {.loglik = -INFINITY};
    long reseeded = 0;
    for (long s = 0; s < o->restarts; s++) {
        mc_gmm *cur = ws->cur;
        reseeded += init_kmeanspp(r, ws, cur, x, n, o);
        double ll = e_step(ws, cur, x, n);
        long it = 0;
        int converged = 0;
        while (it < o->max_iter && !converged) {
            reseeded += m_step(ws, cur, x, n, o);
            double next = e_step(ws, cur, x, n);
            converged = fabs(next - ll) < o->tol;
            ll = next;
            it++;
        }
        if (s == 0 || ll > best.loglik) {
            mc_gmm_copy(m, cur);
            memcpy(ws->bestraw, ws->rawtrace, m->k * sizeof *ws->bestraw);
            best.loglik = ll;
            best.iterations = it;
            best.converged = converged;
        }
    }
    best.reseeded = reseeded;
    best.collapsed = 0;
    for (size_t j = 0; j < m->k; j++)
        if (ws->bestraw[j] <= (double)d * o->reg_covar)
            best.collapsed++;
    if (stats)
        *stats = best;
    return MC_OK;
}
