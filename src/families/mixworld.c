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
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "collapse/config.h"

/* Parses the numbers of text[0..len) (comma or space separated) into out (at most max); sets
 * *count. */
static int parse_numbers(const char *text, size_t len, double *out, size_t max, size_t *count,
                         const char *where, mc_error *err)
{
    char *buf = malloc(len + 1);
    if (!buf)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    memcpy(buf, text, len);
    buf[len] = 0;
    size_t c = 0;
    int status = MC_OK;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
        double v;
        if (mc_parse_double(tok, &v) != 0) {
            status = mc_error_set(err, MC_ECONFIG, "%s: '%s' is not a number", where, tok);
            break;
        }
        if (c < max)
            out[c] = v;
        c++;
    }
    free(buf);
    if (status == MC_OK && c == 0)
        status = mc_error_set(err, MC_ECONFIG, "%s: expected numbers, got '%.*s'", where,
                              (int)len, text);
    *count = c;
    return status;
}

/* Splits text on '/' into at most max groups: starts and lengths. Returns the group count. */
static size_t split_groups(const char *text, const char **start, size_t *len, size_t max)
{
    size_t g = 0;
    const char *s = text;
    for (;;) {
        const char *e = strchr(s, '/');
        size_t l = e ? (size_t)(e - s) : strlen(s);
        if (g < max) {
            start[g] = s;
            len[g] = l;
        }
        g++;
        if (!e)
            return g;
        s = e + 1;
    }
}

static int parse_mean(const char *text, size_t len, size_t d, double *mu, const char *where,
                      mc_error *err)
{
    size_t c;
    int rc = parse_numbers(text, len, mu, d, &c, where, err);
    if (rc)
        return rc;
    if (c == 1)
        for (size_t a = 1; a < d; a++)
            mu[a] = mu[0];
    else if (c != d)
        return mc_error_set(err, MC_ECONFIG, "%s: expected 1 or d = %zu numbers, got %zu", where,
                            d, c);
    return MC_OK;
}

/* s (s I), d numbers (diagonal) or d*d (row-major) into S (d, d); tmp holds d*d doubles. */
static int parse_cov(const char *text, size_t len, size_t d, double *S, const char *where,
                     mc_error *err)
{
    size_t c;
    double *v = malloc(d * d * sizeof *v);
    if (!v)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int rc = parse_numbers(text, len, v, d * d, &c, where, err);
    if (rc == MC_OK) {
        memset(S, 0, d * d * sizeof *S);
        if (c == d * d)
            memcpy(S, v, d * d * sizeof *S);
        else if (c == 1 || c == d)
            for (size_t a = 0; a < d; a++)
                S[a * d + a] = v[c == 1 ? 0 : a];
        else
            rc = mc_error_set(err, MC_ECONFIG,
                              "%s: expected 1, d = %zu or d*d = %zu numbers, got %zu", where, d,
                              d * d, c);
    }
    free(v);
    return rc;
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

/* Builds w->gm from the keys. */
static int build_mixture(const mixworld_params *p, const mc_point *pt, mixworld *w,
                         mc_error *err)
{
    size_t d = w->d, k = 1;
    char where[256];
    double *wt = NULL;
    int rc = MC_OK;
    if (p->weights) {
        mc_point_where(pt, "world", "weights", where, sizeof where);
        size_t c;
        rc = parse_numbers(p->weights, strlen(p->weights), NULL, 0, &c, where, err);
        if (rc)
            return rc;
        k = c;
        wt = malloc(k * sizeof *wt);
        if (!wt)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        parse_numbers(p->weights, strlen(p->weights), wt, k, &c, where, err);
        double sum = 0;
        for (size_t j = 0; j < k; j++) {
            if (!(wt[j] >= 0)) {
                free(wt);
                return mc_error_set(err, MC_ECONFIG, "%s: weight %g is negative", where, wt[j]);
            }
            sum += wt[j];
        }
        if (!(sum > 0)) {
            free(wt);
            return mc_error_set(err, MC_ECONFIG, "%s: the weights sum to 0", where);
        }
        for (size_t j = 0; j < k; j++)
            wt[j] /= sum;
        const char *why = NULL;
        if (!p->means)
            why = "world.weights makes a mixture world: give its world.means";
        else if (mc_point_value(pt, "world", "mean") || mc_point_value(pt, "world", "cov"))
            why = "world.mean and world.cov describe a single Gaussian: with world.weights use "
                  "world.means and world.covs";
        if (why) {
            free(wt);
            return mc_error_set(err, MC_ECONFIG, "%s: %s", where, why);
        }
    } else if (p->means || p->covs) {
        mc_point_where(pt, "world", p->means ? "means" : "covs", where, sizeof where);
        return mc_error_set(err, MC_ECONFIG,
                            "%s: describes a mixture world, which needs world.weights", where);
    }
    w->gm = mc_gmm_alloc(k, d);
    if (!w->gm) {
        free(wt);
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    }
    if (!wt) {
        w->gm->w[0] = 1;
        mc_point_where(pt, "world", "mean", where, sizeof where);
        rc = parse_mean(p->mean, strlen(p->mean), d, w->gm->mu, where, err);
        mc_point_where(pt, "world", "cov", where, sizeof where);
        if (rc == MC_OK)
            rc = parse_cov(p->cov, strlen(p->cov), d, w->gm->cov, where, err);
    } else {
        memcpy(w->gm->w, wt, k * sizeof *wt);
        free(wt);
        const char **start = malloc(k * sizeof *start);
        size_t *len = malloc(k * sizeof *len);
        if (!start || !len) {
            free(start);
            free(len);
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        }
        mc_point_where(pt, "world", "means", where, sizeof where);
        size_t g = split_groups(p->means, start, len, k);
        if (g != k)
            rc = mc_error_set(err, MC_ECONFIG,
                              "%s: %zu means separated by '/' for %zu weights", where, g, k);
        for (size_t j = 0; rc == MC_OK && j < k; j++)
            rc = parse_mean(start[j], len[j], d, w->gm->mu + j * d, where, err);
        const char *covs = p->covs ? p->covs : "1";
        mc_point_where(pt, "world", "covs", where, sizeof where);
        if (rc == MC_OK) {
            g = split_groups(covs, start, len, k);
            if (g != 1 && g != k)
                rc = mc_error_set(err, MC_ECONFIG,
                                  "%s: %zu covariances separated by '/': give 1 or k = %zu",
                                  where, g, k);
        }
        for (size_t j = 0; rc == MC_OK && j < k; j++)
            rc = parse_cov(start[g == 1 ? 0 : j], len[g == 1 ? 0 : j], d,
                           w->gm->cov + j * d * d, where, err);
        free(start);
        free(len);
    }
    if (rc == MC_OK && mc_gmm_prepare(w->gm, err) != MC_OK)
        rc = mc_error_prefix(err, "%s: ", where);
    return rc;
}

int mixworld_create(const mixworld_params *p, const mc_point *pt, gsl_rng *r, mixworld **out,
                    mc_error *err)
{
    *out = NULL;
    mixworld *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    size_t d = (size_t)p->d;
    w->d = d;
    int rc = build_mixture(p, pt, w, err);
    size_t k = w->gm ? w->gm->k : 0;
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
    w->nheld = (size_t)p->heldout;
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
