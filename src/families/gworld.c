/* gworld.c - the [world] section of the continuous families: from the keys' text to the world.
 *
 * The world is a Gaussian mixture sum_j w_j N(mu_j, Sigma_j), k >= 1 components in d dimensions
 * (k = 1: a Gaussian). d comes from world.dim or from the lists (mean, cov, means), which must
 * agree; the weights are normalised; each Sigma_j is world.cov, or sds_j^2 I, or sigma^2 I, and
 * must be exactly symmetric and positive definite (Cholesky). The world's overall moments are
 *   mu_0 = sum_j w_j mu_j,   Sigma_0 = sum_j w_j (Sigma_j + (mu_j - mu_0)(mu_j - mu_0)^T),
 * and its held-out human set is the first draw from the world's stream, before anything a family
 * adds, so the three families agree on it. Contracts in gworld.h. */
#include "gworld.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/regime.h"

/* ---------------------------------------------------------------- config values */

int mc_parse_rows(const char *text, const char *where, double **vals, size_t *nrows,
                  size_t *ncols, mc_error *err)
{
    *vals = NULL;
    *nrows = *ncols = 0;
    size_t len = strlen(text), cap = len / 2 + 1, n = 0, rows = 0, cols = 0, in_row = 0;
    double *v = malloc(cap * sizeof(double));
    char *tok = malloc(len + 1);
    if (!v || !tok) {
        free(v);
        free(tok);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    const char *p = text;
    for (;;) {
        size_t k = strcspn(p, ",;");
        const char *a = p, *b = p + k;
        while (a < b && (*a == ' ' || *a == '	'))
            a++;
        while (b > a && (b[-1] == ' ' || b[-1] == '	'))
            b--;
        memcpy(tok, a, (size_t)(b - a));
        tok[b - a] = '\0';
        if (mc_parse_double(tok, &v[n]) != MC_OK) {
            mc_error_set(err, MC_ECONFIG, "%s: '%s' is not a number (values are separated by ',' "
                         "and rows by ';')", where, tok);
            goto fail;
        }
        n++;
        in_row++;
        char sep = p[k];
        if (sep != ',') {
            if (rows > 0 && in_row != cols) {
                mc_error_set(err, MC_ECONFIG, "%s: row %zu has %zu values but row 1 has %zu",
                             where, rows + 1, in_row, cols);
                goto fail;
            }
            cols = in_row;
            rows++;
            in_row = 0;
        }
        if (sep == '\0')
            break;
        p += k + 1;
    }
    free(tok);
    *vals = v;
    *nrows = rows;
    *ncols = cols;
    return MC_OK;
fail:
    free(tok);
    free(v);
    return MC_ECONFIG;
}

/* ---------------------------------------------------------------- the [world] keys */

static const char *world_where(const mc_point *pt, const char *key, char *buf, size_t size)
{
    if (!pt) {
        snprintf(buf, size, "[world] %s", key);
        return buf;
    }
    return mc_point_where(pt, "world", key, buf, size);
}

/* Parses an optional list key; *v NULL when unset. */
static int rows_of(const mc_point *pt, const char *key, const char *text, double **v, size_t *r,
                   size_t *c, mc_error *err)
{
    char buf[256];
    *v = NULL;
    *r = *c = 0;
    if (!text)
        return MC_OK;
    return mc_parse_rows(text, world_where(pt, key, buf, sizeof buf), v, r, c, err);
}

/* The d implied by one key; a conflict with what is known already is a config error. */
static int agree(const mc_point *pt, size_t *d, const char **from, size_t dk, const char *key,
                 mc_error *err)
{
    char buf[256];
    if (*d && *d != dk)
        return mc_error_set(err, MC_ECONFIG, "%s: gives %zu dimensions but %s gives %zu",
                            world_where(pt, key, buf, sizeof buf), dk, *from, *d);
    *d = dk;
    *from = key;
    return MC_OK;
}

/* The [world] lists, parsed (each NULL when unset, with its rows r_ and columns c_), and what they
 * imply: d, k and the sum of the weights. */
typedef struct world_lists {
    double *mean, *cov, *means, *wts, *sds;
    size_t r_mean, c_mean, r_cov, c_cov, r_means, c_means, r_w, c_w, r_sd, c_sd;
    size_t d, k;
    double wsum;
} world_lists;

static void free_lists(world_lists *l)
{
    free(l->mean);
    free(l->cov);
    free(l->means);
    free(l->wts);
    free(l->sds);
}

static int parse_lists(const mc_gworld_params *p, const mc_point *pt, world_lists *l,
                       mc_error *err)
{
    int rc;
    if ((rc = rows_of(pt, "mean", p->mean, &l->mean, &l->r_mean, &l->c_mean, err)) ||
        (rc = rows_of(pt, "cov", p->cov, &l->cov, &l->r_cov, &l->c_cov, err)) ||
        (rc = rows_of(pt, "means", p->means, &l->means, &l->r_means, &l->c_means, err)) ||
        (rc = rows_of(pt, "weights", p->weights, &l->wts, &l->r_w, &l->c_w, err)) ||
        (rc = rows_of(pt, "sds", p->sds, &l->sds, &l->r_sd, &l->c_sd, err)))
        return rc;
    return MC_OK;
}

/* d and k from dim, mean, cov and means, which must agree. */
static int world_shape(const mc_gworld_params *p, const mc_point *pt, world_lists *l,
                       mc_error *err)
{
    char buf[256];
    const char *from = "";
    int rc;
    l->d = 0;
    l->k = 1;
    if (p->dim > 0 && (rc = agree(pt, &l->d, &from, (size_t)p->dim, "dim", err)))
        return rc;
    if (l->mean) {
        if (l->r_mean != 1)
            return mc_error_set(err, MC_ECONFIG, "%s: one row of d numbers expected ('%s')",
                                world_where(pt, "mean", buf, sizeof buf), p->mean);
        if ((rc = agree(pt, &l->d, &from, l->c_mean, "mean", err)))
            return rc;
    }
    if (l->cov) {
        /* rows separated by ';', or a flat list of d^2 values */
        size_t r = l->r_cov, c = l->c_cov, dc = r > 1 ? r : (size_t)llround(sqrt((double)c));
        if ((r > 1 && c != r) || (r == 1 && dc * dc != c))
            return mc_error_set(err, MC_ECONFIG, "%s: a covariance must be square: %zu rows of "
                                "%zu values", world_where(pt, "cov", buf, sizeof buf), r, c);
        if ((rc = agree(pt, &l->d, &from, dc, "cov", err)))
            return rc;
    }
    if (l->means) {
        if (l->mean)
            return mc_error_set(err, MC_ECONFIG, "%s: set either world.mean (a Gaussian world) "
                                "or world.means (a mixture), not both",
                                world_where(pt, "means", buf, sizeof buf));
        l->k = l->r_means;
        if ((rc = agree(pt, &l->d, &from, l->c_means, "means", err)))
            return rc;
    }
    if (l->d == 0)
        l->d = 1;
    return MC_OK;
}

/* One weight and one standard deviation per component, weights >= 0 with a positive sum (kept in
 * l->wsum), standard deviations > 0, and not both cov and sds. */
static int check_components(const mc_point *pt, world_lists *l, mc_error *err)
{
    char buf[256];
    size_t k = l->k;
    if (l->wts && (l->r_w * l->c_w != k))
        return mc_error_set(err, MC_ECONFIG, "%s: %zu weights for %zu components",
                            world_where(pt, "weights", buf, sizeof buf), l->r_w * l->c_w, k);
    if (l->sds && (l->r_sd * l->c_sd != k))
        return mc_error_set(err, MC_ECONFIG, "%s: %zu standard deviations for %zu components",
                            world_where(pt, "sds", buf, sizeof buf), l->r_sd * l->c_sd, k);
    if (l->sds && l->cov)
        return mc_error_set(err, MC_ECONFIG, "%s: set either world.cov or world.sds, not both",
                            world_where(pt, "sds", buf, sizeof buf));
    l->wsum = 0.0;
    for (size_t j = 0; l->wts && j < k; j++) {
        if (!(l->wts[j] >= 0.0))
            return mc_error_set(err, MC_ECONFIG, "%s: weight %g is negative",
                                world_where(pt, "weights", buf, sizeof buf), l->wts[j]);
        l->wsum += l->wts[j];
    }
    if (l->wts && !(l->wsum > 0.0))
        return mc_error_set(err, MC_ECONFIG, "%s: the weights sum to 0",
                            world_where(pt, "weights", buf, sizeof buf));
    for (size_t j = 0; l->sds && j < k; j++)
        if (!(l->sds[j] > 0.0))
            return mc_error_set(err, MC_ECONFIG, "%s: standard deviation %g must be > 0",
                                world_where(pt, "sds", buf, sizeof buf), l->sds[j]);
    return MC_OK;
}

/* Component j's covariance into c->cov (world.cov, else sds[j]^2 I or sigma^2 I), checked to be
 * exactly symmetric and positive definite (mc_gauss_factor, strict, naming the key). */
static int component_cov(const mc_gworld_params *p, const mc_point *pt, const world_lists *l,
                         size_t j, mc_gauss *c, mc_error *err)
{
    char buf[256], what[300];
    size_t d = l->d;
    const double *cov = l->cov;
    if (cov) {
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++)
                gsl_matrix_set(c->cov, a, b, cov[a * d + b]);
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < a; b++)
                if (cov[a * d + b] != cov[b * d + a])
                    return mc_error_set(err, MC_ECONFIG, "%s: not symmetric: entry (%zu,%zu) = "
                                        "%g but (%zu,%zu) = %g",
                                        world_where(pt, "cov", buf, sizeof buf), a + 1, b + 1,
                                        cov[a * d + b], b + 1, a + 1, cov[b * d + a]);
    } else {
        double s = l->sds ? l->sds[j] : p->sigma;
        gsl_matrix_set_identity(c->cov);
        gsl_matrix_scale(c->cov, s * s);
    }
    if (p->scale > 0.0)
        gsl_matrix_scale(c->cov, p->scale);
    snprintf(what, sizeof what, "%s",
             world_where(pt, cov ? "cov" : l->sds ? "sds" : "sigma", buf, sizeof buf));
    return mc_gauss_factor(c, 0, 1, what, err);
}

/* The mixture of the checked lists l: weights normalised, means (0 by default), covariances. */
static int build_mixture(const mc_gworld_params *p, const mc_point *pt, const world_lists *l,
                         mc_gmm **out, mc_error *err)
{
    size_t k = l->k, d = l->d;
    mc_gmm *m = mc_gmm_alloc(k, d);
    mc_gauss *c = NULL;
    int rc = m ? mc_gauss_alloc(d, &c, err)
               : mc_error_set(err, MC_ENOMEM, "out of memory for a world of %zu components in "
                              "%zu dimensions", k, d);
    for (size_t j = 0; rc == MC_OK && j < k; j++) {
        m->w[j] = l->wts ? l->wts[j] / l->wsum : 1.0 / (double)k;
        for (size_t a = 0; a < d; a++)
            m->mu[j * d + a] = (l->means ? l->means[j * d + a] : l->mean ? l->mean[a] : 0.0) +
                               (p->shift ? p->shift[a] : 0.0);
        if ((rc = component_cov(p, pt, l, j, c, err)) == MC_OK)
            memcpy(m->cov + j * d * d, c->cov->data, d * d * sizeof(double));
    }
    mc_gauss_free(c);
    if (rc == MC_OK)
        rc = mc_gmm_prepare(m, err); /* mc_gauss_factor's factors again, and log-normalisers */
    if (rc != MC_OK) {
        mc_gmm_free(m);
        m = NULL;
    }
    *out = m;
    return rc;
}

int mc_gworld_mixture(const mc_gworld_params *p, const mc_point *pt, mc_gmm **out,
                      mc_error *err)
{
    world_lists l = {0};
    *out = NULL;
    int rc = parse_lists(p, pt, &l, err);
    if (rc == MC_OK)
        rc = world_shape(p, pt, &l, err);
    if (rc == MC_OK)
        rc = check_components(pt, &l, err);
    if (rc == MC_OK)
        rc = build_mixture(p, pt, &l, out, err);
    free_lists(&l);
    return rc;
}

/* ---------------------------------------------------------------- the shared world */

int mc_gworld_init(mc_gworld *w, const mc_gworld_params *p, const mc_point *pt, gsl_rng *r,
                   mc_gworld_moments_fn moments, mc_error *err)
{
    int rc = mc_gworld_mixture(p, pt, &w->mix, err);
    if (rc != MC_OK)
        return rc;
    size_t d = w->d = w->mix->d;
    if ((rc = mc_gauss_alloc(d, &w->overall, err)))
        return rc;
    moments(w->mix, w->overall->mu, w->overall->cov->data);
    if ((rc = mc_gauss_factor(w->overall, 0, 1, "the world's overall covariance", err)))
        return rc;
    w->trace = mc_trace(w->overall->cov);
    w->nheld = (size_t)p->holdout;
    if (!(w->held = malloc(w->nheld * d * sizeof(double))))
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world's held-out set");
    return mc_gmm_draw_shuffled(r, w->mix, w->nheld, w->held, err);
}

void mc_gworld_release(mc_gworld *w)
{
    mc_gmm_free(w->mix);
    mc_gauss_free(w->overall);
    free(w->held);
    w->mix = NULL;
    w->overall = NULL;
    w->held = NULL;
}

int mc_gworld_draw(gsl_rng *r, const mc_gworld *w, uint64_t n, mc_gdata **out, mc_error *err)
{
    mc_gdata *ds;
    int rc = mc_gdata_new(w->d, n, 1, &ds, err);
    if (rc == MC_OK && (rc = mc_gmm_draw_shuffled(r, w->mix, n, ds->x, err)) != MC_OK)
        mc_gdata_free(ds);
    *out = rc == MC_OK ? ds : NULL;
    return rc;
}

/* ---------------------------------------------------------------- closed forms */

mc_theory_case mc_theory_case_of(const mc_point *pt)
{
    if (!pt->regime)
        return MC_THEORY_NONE;
    if (pt->regime->law == MC_LAW_MODEL_ONLY)
        return MC_THEORY_REPLACE;
    if (pt->regime->law == MC_LAW_ACCUMULATE && pt->regime_settings.human_weight < 0)
        return MC_THEORY_ACCUMULATE;
    return MC_THEORY_NONE;
}
