/* gmm_em.c - maximum-likelihood fitting of a Gaussian mixture by EM (the mixture itself:
 * gmm_law.c).
 *
 * EM (Dempster, Laird & Rubin 1977; Bishop, PRML 9.2) with per-point weights v_i (sum v = n):
 *   E: r_ij = w_j N(x_i; mu_j, S_j) / p(x_i)                     (log-sum-exp for stability)
 *   M: N_j = sum_i v_i r_ij, w_j = N_j / n, mu_j = sum_i v_i r_ij x_i / N_j,
 *      S_j = sum_i v_i r_ij (x_i - mu_j)(x_i - mu_j)^T / N_j + reg_covar I   (diag: diagonal only)
 * stopping when the weighted mean log-likelihood changes by less than tol (scikit-learn's rule),
 * or after max_iter iterations. Initialisation: k-means++ seeds (Arthur & Vassilvitskii 2007,
 * weighted by v), each point given to its nearest seed, then one M step (as scikit-learn's
 * init_params = "k-means++"); or (init = kmeans, scikit-learn's default init_params = "kmeans")
 * Lloyd's k-means from those seeds, then one M step from its hard assignment. Degenerate cases are repaired, counted and never fatal:
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
#include "gmm.h"
#include "small_blas.h"

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
    for (int tries = 0; mc_gmm_factor_component(m, j) != 0; tries++) {
        if (tries == 12) { /* give up on the estimate: use the data's covariance */
            memcpy(S, ws->datacov, d * d * sizeof *S);
            mc_gmm_factor_component(m, j);
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
        mc_sb_gemv_t(n, d, 1.0 / Nj, x, ws->u, mu); /* mu = X^T u / N_j */
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
            mc_sb_wcov_lt(n, d, 1.0 / Nj, x, ws->u, mu, ws->Y, S);
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

/* E step: responsibilities into ws->resp, log p(x_i) as logp_i + log lsum_i; returns the weighted
 * mean log-likelihood. */
static double e_step(mc_gmm_em *ws, const mc_gmm *m, const double *x, size_t n)
{
    size_t k = m->k;
    for (size_t j = 0; j < k; j++) {
        if (m->w[j] > 0) {
            mc_gmm_component_logpdf(m, j, x, n, ws->Y, ws->resp + j, k);
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

/* The label of point i: the component of its one-hot row of ws->resp. */
static size_t hard_label(const mc_gmm_em *ws, size_t i)
{
    size_t j = 0;
    while (j + 1 < ws->k && ws->resp[i * ws->k + j] == 0)
        j++;
    return j;
}

/* Lloyd's k-means from the seeds in m->mu and the hard assignment in ws->resp, as scikit-learn's
 * KMeans runs it inside GaussianMixture(init_params = "kmeans"): centres <- the (v-weighted)
 * means of their points, points <- their nearest centre, until no label changes, or the centres
 * moved by at most 1e-4 times the mean per-coordinate variance of the data (summed squared
 * shifts), or 300 iterations. A centre that loses all its points stays where it is. Leaves the
 * labels in ws->resp (consistent with the final centres) and the squared distances in ws->dist. */
static void lloyd(mc_gmm_em *ws, mc_gmm *m, const double *x, size_t n)
{
    size_t k = m->k, d = m->d;
    double tol = 0; /* from the data's covariance (its floor is negligible here) */
    for (size_t a = 0; a < d; a++)
        tol += ws->datacov[a * d + a];
    tol = 1e-4 * tol / (double)d;
    double *c = ws->Y, *cnt = ws->u; /* (k, d) new centres and (k) their weights: n >= k rows */
    int room = n >= k;
    for (int it = 0; room && it < 300; it++) {
        memset(c, 0, k * d * sizeof *c);
        memset(cnt, 0, k * sizeof *cnt);
        for (size_t i = 0; i < n; i++) {
            size_t j = hard_label(ws, i);
            cnt[j] += ws->v[i];
            for (size_t a = 0; a < d; a++)
                c[j * d + a] += ws->v[i] * x[i * d + a];
        }
        double shift = 0;
        for (size_t j = 0; j < k; j++)
            for (size_t a = 0; a < d && cnt[j] > 0; a++) {
                double nu = c[j * d + a] / cnt[j], old = m->mu[j * d + a];
                shift += (nu - old) * (nu - old);
                m->mu[j * d + a] = nu;
            }
        long changed = 0;
        for (size_t i = 0; i < n; i++) {
            size_t best = 0, was = hard_label(ws, i);
            double bd = INFINITY;
            for (size_t j = 0; j < k; j++) {
                double s = sqdist(x + i * d, m->mu + j * d, d);
                if (s < bd) {
                    bd = s;
                    best = j;
                }
            }
            ws->dist[i] = bd;
            if (best != was) {
                ws->resp[i * k + was] = 0;
                ws->resp[i * k + best] = 1;
                changed++;
            }
        }
        if (changed == 0 || shift <= tol)
            break;
    }
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
    if (o->init == MC_GMM_INIT_KMEANS)
        lloyd(ws, m, x, n);
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
    mc_sb_syrk_lt(n, d, 1.0, ws->Y, C);
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
