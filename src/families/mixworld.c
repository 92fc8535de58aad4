/* mixworld.c - the Gaussian / Gaussian-mixture world of the gmm and kde families and the metric
 * pieces they share. Keys and contracts are in mixworld.h.
 *
 * Tail mass. The world's tail is where its squared Mahalanobis distance
 * D^2(x) = (x - mu_0)^T Sigma_0^-1 (x - mu_0), with the world's overall mean and covariance,
 * exceeds its 99th percentile r^2: for a Gaussian world r^2 = F^-1_chi2_d(0.99); for a mixture
 * it is the empirical 99th percentile of 10^5 world draws (standard error of the level about
 * sqrt(0.01 * 0.99 / 10^5) = 3e-4). A model's tail mass is then estimated from its samples.
 *
 * Sliced W2 (Rabin, Peyre, Delon & Bernot 2011): SW2(P, Q)^2 = E_theta W2^2(theta.P, theta.Q),
 * averaged over L fixed unit directions drawn once with the world (common random numbers across
 * generations), each 1-D W2 exact between the two empirical distributions (mc_w2_sorted).
 */
#include "mixworld.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "collapse/config.h"

static const char *where_of(const mc_point *pt, const char *key, char *buf, size_t size)
{
    if (!pt) {
        snprintf(buf, size, "[world] %s", key);
        return buf;
    }
    return mc_point_where(pt, "world", key, buf, size);
}

/* An optional list key as rows of numbers; *v NULL when unset. */
static int rows_of(const mc_point *pt, const char *key, const char *text, double **v, size_t *r,
                   size_t *c, mc_error *err)
{
    char buf[256];
    *v = NULL;
    *r = *c = 0;
    if (!text)
        return MC_OK;
    return mc_parse_rows(text, where_of(pt, key, buf, sizeof buf), v, r, c, err);
}

/* The d implied by one key; a conflict with what is known already is a config error. */
static int agree(const mc_point *pt, size_t *d, const char **from, size_t dk, const char *key,
                 mc_error *err)
{
    char buf[256];
    if (*d && *d != dk)
        return mc_error_set(err, MC_ECONFIG, "%s: gives %zu dimensions but %s gives %zu",
                            where_of(pt, key, buf, sizeof buf), dk, *from, *d);
    *d = dk;
    *from = key;
    return MC_OK;
}

void mixworld_free(mixworld *w)
{
    if (!w)
        return;
    mc_gmix_free(w->mix);
    mc_gmm_free(w->gm);
    mc_gauss_free(w->overall);
    free(w->mean);
    free(w->held);
    free(w->theta);
    free(w->held_proj);
    free(w);
}

/* Builds w->gm (and w->d) from the keys, with the gaussian family's rules. */
static int build_mixture(const mixworld_params *p, const mc_point *pt, mixworld *w,
                         mc_error *err)
{
    char buf[256];
    double *mean = NULL, *cov = NULL, *means = NULL, *wts = NULL, *sds = NULL;
    size_t r_mean, c_mean, r_cov, c_cov, r_means, c_means, r_w, c_w, r_sd, c_sd;
    size_t d = 0, k = 1;
    const char *from = "", *bad = NULL, *covkey = "sigma";
    int rc;
    if ((rc = rows_of(pt, "mean", p->mean, &mean, &r_mean, &c_mean, err)) ||
        (rc = rows_of(pt, "cov", p->cov, &cov, &r_cov, &c_cov, err)) ||
        (rc = rows_of(pt, "means", p->means, &means, &r_means, &c_means, err)) ||
        (rc = rows_of(pt, "weights", p->weights, &wts, &r_w, &c_w, err)) ||
        (rc = rows_of(pt, "sds", p->sds, &sds, &r_sd, &c_sd, err)))
        goto done;
    if (p->dim > 0 && (rc = agree(pt, &d, &from, (size_t)p->dim, "dim", err)))
        goto done;
    if (mean && r_mean != 1) {
        rc = mc_error_set(err, MC_ECONFIG, "%s: one row of d numbers expected",
                          where_of(pt, "mean", buf, sizeof buf));
        goto done;
    }
    if (mean && (rc = agree(pt, &d, &from, c_mean, "mean", err)))
        goto done;
    if (cov) {
        /* rows separated by ';', or a flat list of d^2 values */
        size_t dc = r_cov > 1 ? r_cov : (size_t)llround(sqrt((double)c_cov));
        if ((r_cov > 1 && c_cov != r_cov) || (r_cov == 1 && dc * dc != c_cov)) {
            rc = mc_error_set(err, MC_ECONFIG, "%s: a covariance must be square: %zu rows of %zu "
                              "values", where_of(pt, "cov", buf, sizeof buf), r_cov, c_cov);
            goto done;
        }
        if ((rc = agree(pt, &d, &from, dc, "cov", err)))
            goto done;
        covkey = "cov";
    }
    if (means) {
        if (mean) {
            rc = mc_error_set(err, MC_ECONFIG, "%s: set either world.mean (a Gaussian world) or "
                              "world.means (a mixture), not both",
                              where_of(pt, "means", buf, sizeof buf));
            goto done;
        }
        k = r_means;
        if ((rc = agree(pt, &d, &from, c_means, "means", err)))
            goto done;
    }
    if (d == 0)
        d = 1;
    if (wts && r_w * c_w != k)
        bad = "weights";
    if (sds && r_sd * c_sd != k)
        bad = "sds";
    if (bad) {
        rc = mc_error_set(err, MC_ECONFIG, "%s: %zu values for %zu components",
                          where_of(pt, bad, buf, sizeof buf),
                          bad[0] == 'w' ? r_w * c_w : r_sd * c_sd, k);
        goto done;
    }
    if (sds && cov) {
        rc = mc_error_set(err, MC_ECONFIG, "%s: set either world.cov or world.sds, not both",
                          where_of(pt, "sds", buf, sizeof buf));
        goto done;
    }
    if (sds)
        covkey = "sds";
    double wsum = 0.0;
    for (size_t j = 0; wts && j < k; j++) {
        if (!(wts[j] >= 0.0)) {
            rc = mc_error_set(err, MC_ECONFIG, "%s: weight %g is negative",
                              where_of(pt, "weights", buf, sizeof buf), wts[j]);
            goto done;
        }
        wsum += wts[j];
    }
    if (wts && !(wsum > 0.0)) {
        rc = mc_error_set(err, MC_ECONFIG, "%s: the weights sum to 0",
                          where_of(pt, "weights", buf, sizeof buf));
        goto done;
    }
    w->d = d;
    if (!(w->gm = mc_gmm_alloc(k, d))) {
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world");
        goto done;
    }
    for (size_t j = 0; j < k; j++) {
        w->gm->w[j] = wts ? wts[j] / wsum : 1.0 / (double)k;
        double *S = w->gm->cov + j * d * d;
        for (size_t a = 0; a < d; a++) {
            w->gm->mu[j * d + a] = means ? means[j * d + a] : mean ? mean[a] : 0.0;
            for (size_t b = 0; b < d; b++) {
                double s = sds ? sds[j] : p->sigma;
                S[a * d + b] = cov ? cov[a * d + b] : a == b ? s * s : 0.0;
            }
        }
    }
    /* symmetric, positive definite (with a message naming the key) */
    if (mc_gmm_prepare(w->gm, err) != MC_OK)
        rc = mc_error_prefix(err, "%s: ", where_of(pt, covkey, buf, sizeof buf));
done:
    free(mean);
    free(cov);
    free(means);
    free(wts);
    free(sds);
    return rc;
}

int mixworld_create(const mixworld_params *p, const mc_point *pt, gsl_rng *r, mixworld **out,
                    mc_error *err)
{
    *out = NULL;
    mixworld *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    int rc = build_mixture(p, pt, w, err);
    size_t k = w->gm ? w->gm->k : 0, d = w->d ? w->d : 1;
    if (rc == MC_OK)
        rc = mc_gmix_alloc(k, d, &w->mix, err);
    for (size_t j = 0; rc == MC_OK && j < k; j++) {
        mc_gauss *c = w->mix->comp[j];
        w->mix->w[j] = w->gm->w[j];
        memcpy(c->mu, w->gm->mu + j * d, d * sizeof *c->mu);
        gsl_matrix_view S = gsl_matrix_view_array(w->gm->cov + j * d * d, d, d);
        gsl_matrix_memcpy(c->cov, &S.matrix);
        rc = mc_gauss_factor(c, 0, 1, "world covariance", err);
    }
    if (rc == MC_OK)
        rc = mc_gauss_alloc(d, &w->overall, err);
    w->mean = malloc(d * sizeof *w->mean);
    w->nheld = (size_t)p->holdout;
    w->held = malloc(w->nheld * d * sizeof *w->held);
    w->theta = malloc(MIXWORLD_DIRS * d * sizeof *w->theta);
    w->held_proj = malloc(MIXWORLD_DIRS * w->nheld * sizeof *w->held_proj);
    double *S = malloc(d * d * sizeof *S);
    if (rc == MC_OK && (!w->mean || !w->held || !w->theta || !w->held_proj || !S))
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world's held-out set");
    if (rc == MC_OK) {
        mc_gmm_moments(w->gm, w->mean, S);
        memcpy(w->overall->mu, w->mean, d * sizeof *w->mean);
        gsl_matrix_view Sv = gsl_matrix_view_array(S, d, d);
        gsl_matrix_memcpy(w->overall->cov, &Sv.matrix);
        rc = mc_gauss_factor(w->overall, 0, 1, "the world's overall covariance", err);
    }
    free(S);
    if (rc == MC_OK) {
        w->trace = 0;
        for (size_t a = 0; a < d; a++)
            w->trace += gsl_matrix_get(w->overall->cov, a, a);
        w->logdet = w->overall->logdet;
        rc = mc_gmix_sample(r, w->mix, w->nheld, w->held, err);
    }
    if (rc == MC_OK) {
        mc_sliced_dirs(r, d, MIXWORLD_DIRS, w->theta);
        for (size_t l = 0; l < MIXWORLD_DIRS; l++) {
            double *pr = w->held_proj + l * w->nheld;
            for (size_t i = 0; i < w->nheld; i++) {
                double s = 0;
                for (size_t a = 0; a < d; a++)
                    s += w->theta[l * d + a] * w->held[i * d + a];
                pr[i] = s;
            }
            gsl_sort(pr, 1, w->nheld);
        }
    }
    if (rc == MC_OK && k == 1) {
        w->tail_r2 = gsl_cdf_chisq_Pinv(0.99, (double)d);
    } else if (rc == MC_OK) {
        enum { N = 100000, CHUNK = 4096 };
        double *d2 = malloc(N * sizeof *d2), *x = malloc(CHUNK * d * sizeof *x);
        double *work = malloc(d * sizeof *work);
        if (!d2 || !x || !work)
            rc = mc_error_set(err, MC_ENOMEM, "out of memory for the world's tail");
        for (size_t done = 0; rc == MC_OK && done < N; done += CHUNK) {
            size_t c = N - done < CHUNK ? N - done : CHUNK;
            rc = mc_gmix_sample(r, w->mix, c, x, err);
            for (size_t i = 0; rc == MC_OK && i < c; i++)
                d2[done + i] = mc_gauss_maha2(w->overall, x + i * d, work);
        }
        if (rc == MC_OK) {
            gsl_sort(d2, 1, N);
            w->tail_r2 = gsl_stats_quantile_from_sorted_data(d2, 1, N, 0.99);
        }
        free(d2);
        free(x);
        free(work);
    }
    if (rc != MC_OK) {
        mixworld_free(w);
        return rc;
    }
    *out = w;
    return MC_OK;
}

int mixworld_draw(gsl_rng *r, const mixworld *w, uint64_t n, void **out, mc_error *err)
{
    mc_gdata *ds;
    int rc = mc_gdata_new(w->d, n, 1, &ds, err);
    if (rc)
        return rc;
    rc = mc_gmix_sample(r, w->mix, n, ds->x, err);
    if (rc) {
        mc_gdata_free(ds);
        return rc;
    }
    *out = ds;
    return MC_OK;
}

void mixworld_moment_metrics(const mixworld *w, const double *mu, const double *S, double *out,
                             double *work)
{
    size_t d = w->d;
    double e = 0, tr = 0;
    for (size_t a = 0; a < d; a++) {
        e += (mu[a] - w->mean[a]) * (mu[a] - w->mean[a]);
        tr += S[a * d + a];
    }
    out[0] = e;
    out[1] = tr / w->trace;
    memcpy(work, S, d * d * sizeof *work);
    gsl_matrix_view L = gsl_matrix_view_array(work, d, d);
    double logdet = -INFINITY;
    if (gsl_linalg_cholesky_decomp1(&L.matrix) == 0) {
        logdet = 0;
        for (size_t a = 0; a < d; a++)
            logdet += 2 * log(work[a * d + a]);
    }
    out[2] = isnan(logdet) ? -INFINITY : logdet - w->logdet;
}

double mixworld_sliced_w2(const mixworld *w, size_t L, const double *y, size_t m, double *work)
{
    size_t d = w->d;
    double s = 0;
    for (size_t l = 0; l < L; l++) {
        const double *t = w->theta + l * d;
        for (size_t i = 0; i < m; i++) {
            double p = 0;
            for (size_t a = 0; a < d; a++)
                p += t[a] * y[i * d + a];
            work[i] = p;
        }
        gsl_sort(work, 1, m);
        double w2 = mc_w2_sorted(work, m, w->held_proj + l * w->nheld, w->nheld);
        s += w2 * w2;
    }
    return sqrt(s / (double)L);
}

double mixworld_tail_mass(const mixworld *w, const double *y, size_t m, double *work)
{
    size_t c = 0;
    for (size_t i = 0; i < m; i++)
        if (mc_gauss_maha2(w->overall, y + i * w->d, work) > w->tail_r2)
            c++;
    return (double)c / (double)m;
}
