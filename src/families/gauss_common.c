/* gauss_common.c - datasets of n x d doubles, Gaussians, mixtures and Wasserstein distances shared
 * by the continuous families. The contracts are in gauss_common.h; the math is stated above each
 * function. Linear algebra is GSL's (Cholesky, BLAS, symmetric eigensolver). */
#include "gauss_common.h"

#include "collapse/config.h"
#include "collapse/rng.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>

/* ================================================================ config values */

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

/* ================================================================ the [world] section */

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

int mc_gworld_mixture(const mc_gworld_params *p, const mc_point *pt, mc_gmix **out, mc_error *err)
{
    char buf[256];
    double *mean = NULL, *cov = NULL, *means = NULL, *wts = NULL, *sds = NULL;
    size_t r_mean, c_mean, r_cov, c_cov, r_means, c_means, r_w, c_w, r_sd, c_sd;
    mc_gmix *mix = NULL;
    int rc;
    if ((rc = rows_of(pt, "mean", p->mean, &mean, &r_mean, &c_mean, err)) ||
        (rc = rows_of(pt, "cov", p->cov, &cov, &r_cov, &c_cov, err)) ||
        (rc = rows_of(pt, "means", p->means, &means, &r_means, &c_means, err)) ||
        (rc = rows_of(pt, "weights", p->weights, &wts, &r_w, &c_w, err)) ||
        (rc = rows_of(pt, "sds", p->sds, &sds, &r_sd, &c_sd, err)))
        goto done;
    size_t d = 0, k = 1;
    const char *from = "";
    if (p->dim > 0 && (rc = agree(pt, &d, &from, (size_t)p->dim, "dim", err)))
        goto done;
    if (mean) {
        if (r_mean != 1) {
            rc = mc_error_set(err, MC_ECONFIG, "%s: one row of d numbers expected ('%s')",
                              world_where(pt, "mean", buf, sizeof buf), p->mean);
            goto done;
        }
        if ((rc = agree(pt, &d, &from, c_mean, "mean", err)))
            goto done;
    }
    if (cov) {
        /* rows separated by ';', or a flat list of d^2 values */
        size_t dc = r_cov > 1 ? r_cov : (size_t)llround(sqrt((double)c_cov));
        if ((r_cov > 1 && c_cov != r_cov) || (r_cov == 1 && dc * dc != c_cov)) {
            rc = mc_error_set(err, MC_ECONFIG, "%s: a covariance must be square: %zu rows of %zu "
                              "values", world_where(pt, "cov", buf, sizeof buf), r_cov, c_cov);
            goto done;
        }
        if ((rc = agree(pt, &d, &from, dc, "cov", err)))
            goto done;
    }
    if (means) {
        if (mean) {
            rc = mc_error_set(err, MC_ECONFIG, "%s: set either world.mean (a Gaussian world) or "
                              "world.means (a mixture), not both",
                              world_where(pt, "means", buf, sizeof buf));
            goto done;
        }
        k = r_means;
        if ((rc = agree(pt, &d, &from, c_means, "means", err)))
            goto done;
    }
    if (d == 0)
        d = 1;
    if (wts && (r_w * c_w != k)) {
        rc = mc_error_set(err, MC_ECONFIG, "%s: %zu weights for %zu components",
                          world_where(pt, "weights", buf, sizeof buf), r_w * c_w, k);
        goto done;
    }
    if (sds && (r_sd * c_sd != k)) {
        rc = mc_error_set(err, MC_ECONFIG, "%s: %zu standard deviations for %zu components",
                          world_where(pt, "sds", buf, sizeof buf), r_sd * c_sd, k);
        goto done;
    }
    if (sds && cov) {
        rc = mc_error_set(err, MC_ECONFIG, "%s: set either world.cov or world.sds, not both",
                          world_where(pt, "sds", buf, sizeof buf));
        goto done;
    }
    double wsum = 0.0;
    for (size_t j = 0; wts && j < k; j++) {
        if (!(wts[j] >= 0.0)) {
            rc = mc_error_set(err, MC_ECONFIG, "%s: weight %g is negative",
                              world_where(pt, "weights", buf, sizeof buf), wts[j]);
            goto done;
        }
        wsum += wts[j];
    }
    if (wts && !(wsum > 0.0)) {
        rc = mc_error_set(err, MC_ECONFIG, "%s: the weights sum to 0",
                          world_where(pt, "weights", buf, sizeof buf));
        goto done;
    }
    for (size_t j = 0; sds && j < k; j++)
        if (!(sds[j] > 0.0)) {
            rc = mc_error_set(err, MC_ECONFIG, "%s: standard deviation %g must be > 0",
                              world_where(pt, "sds", buf, sizeof buf), sds[j]);
            goto done;
        }
    if ((rc = mc_gmix_alloc(k, d, &mix, err)))
        goto done;
    for (size_t j = 0; j < k; j++) {
        mc_gauss *c = mix->comp[j];
        mix->w[j] = wts ? wts[j] / wsum : 1.0 / (double)k;
        for (size_t a = 0; a < d; a++)
            c->mu[a] = means ? means[j * d + a] : mean ? mean[a] : 0.0;
        if (cov) {
            for (size_t a = 0; a < d; a++)
                for (size_t b = 0; b < d; b++)
                    gsl_matrix_set(c->cov, a, b, cov[a * d + b]);
            for (size_t a = 0; a < d; a++)
                for (size_t b = 0; b < a; b++)
                    if (cov[a * d + b] != cov[b * d + a]) {
                        rc = mc_error_set(err, MC_ECONFIG, "%s: not symmetric: entry (%zu,%zu) "
                                          "= %g but (%zu,%zu) = %g",
                                          world_where(pt, "cov", buf, sizeof buf), a + 1, b + 1,
                                          cov[a * d + b], b + 1, a + 1, cov[b * d + a]);
                        goto done;
                    }
        } else {
            double s = sds ? sds[j] : p->sigma;
            gsl_matrix_set_identity(c->cov);
            gsl_matrix_scale(c->cov, s * s);
        }
        char what[300];
        snprintf(what, sizeof what, "%s",
                 world_where(pt, cov ? "cov" : sds ? "sds" : "sigma", buf, sizeof buf));
        if ((rc = mc_gauss_factor(c, 0, 1, what, err)))
            goto done;
    }
done:
    free(mean);
    free(cov);
    free(means);
    free(wts);
    free(sds);
    if (rc != MC_OK) {
        mc_gmix_free(mix);
        mix = NULL;
    }
    *out = mix;
    return rc;
}

int mc_theory_regime(const mc_point *pt)
{
    if (!pt->regime)
        return -1;
    if (pt->regime->law == MC_LAW_MODEL_ONLY)
        return 0;
    if (pt->regime->law == MC_LAW_ACCUMULATE && pt->regime_settings.human_weight < 0)
        return 1;
    return -1;
}

/* ================================================================ datasets */

static void std_normal_rows(gsl_rng *r, size_t d, double c2, double p, uint64_t n, double *z);

/* Rows per block where rows are handled a block at a time (deferred rows, moments). */
#define BLOCK 64

/* Scratch doubles that rows_of_draw needs for d columns. */
#define DRAW_SCRATCH(d) (2 * (d) * BLOCK + (d))

/* The values of m <= BLOCK deferred rows of draw w (dataset rows rows[0..m), all of w) into
 * O (d, BLOCK) column by column: O[a * BLOCK + r] is coordinate a of row r. Each row's z comes
 * from its own generator (see mc_gdraw); then o_a = mu_a + alpha (L[a][a] z_a + L[a][a-1] z_(a-1)
 * + ... + L[a][0] z_0), each product rounded and added in that order. A few rows are computed one
 * by one; a block of rows one coordinate at a time in loops over the rows that vectorise, each
 * lane doing the same operations in the same order (no contraction: -ffp-contract=off), so a row
 * gets the same value alone or in a block. scratch holds DRAW_SCRATCH(d) doubles; O may not overlap it. */
static void rows_of_draw(const mc_gdraw *w, size_t d, const uint64_t *rows, size_t m, double *O,
                         double *scratch)
{
    double *Z = scratch, *z = scratch + d * BLOCK;
    const double *Lt = w->Lt, *mu = w->mu, alpha = w->alpha;
    for (size_t r = 0; r < m; r++) {
        mc_rng_local l;
        uint64_t j = rows[r] - w->first;
        std_normal_rows(mc_rng_local_init(&l, mc_mix64(w->key + j * 0x9e3779b97f4a7c15ULL)), d,
                        w->c2, w->p, 1, z);
        if (m < 8) {
            for (size_t a = 0; a < d; a++) {
                double v = Lt[a * d + a] * z[a];
                for (size_t c = a; c-- > 0;)
                    v += Lt[c * d + a] * z[c];
                O[a * BLOCK + r] = mu[a] + alpha * v;
            }
        } else {
            for (size_t a = 0; a < d; a++)
                Z[a * BLOCK + r] = z[a];
        }
    }
    if (m < 8)
        return;
    for (size_t a = 0; a < d; a++) {
        double *restrict o = O + a * BLOCK;
        const double *restrict za = Z + a * BLOCK;
        double laa = Lt[a * d + a];
#pragma omp simd
        for (size_t r = 0; r < m; r++)
            o[r] = laa * za[r];
        for (size_t c = a; c-- > 0;) {
            const double *restrict zc = Z + c * BLOCK;
            double lac = Lt[c * d + a];
#pragma omp simd
            for (size_t r = 0; r < m; r++)
                o[r] += lac * zc[r];
        }
        double mua = mu[a];
#pragma omp simd
        for (size_t r = 0; r < m; r++)
            o[r] = mua + alpha * o[r];
    }
}

/* Scratch doubles that row_of needs: the row (d), O (d, BLOCK), rows_of_draw's scratch. */
#define ROW_SCRATCH(d) ((d) + (d) * BLOCK + DRAW_SCRATCH(d))

/* Row i of ds: in x, or computed into buf (ROW_SCRATCH(d) doubles) when deferred. */
static const double *row_of(const mc_gdata *ds, uint64_t i, double *buf)
{
    if (!ds->deferred || !ds->draw_of[i])
        return ds->x + (size_t)i * ds->d;
    size_t d = ds->d;
    double *O = buf + d;
    rows_of_draw(&ds->draws[ds->draw_of[i] - 1], d, &i, 1, O, O + d * BLOCK);
    for (size_t a = 0; a < d; a++)
        buf[a] = O[a * BLOCK];
    return buf;
}

/* Appends copies of the laws of `from` to `into`, their first rows shifted by `shift`. */
static int append_draws(mc_gdata *into, const mc_gdata *from, uint64_t shift, mc_error *err)
{
    size_t d = into->d, na = into->ndraws, nb = from->ndraws;
    mc_gdraw *w = realloc(into->draws, (na + nb) * sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
    into->draws = w; /* from may be into: its laws are read from here on */
    for (size_t k = 0; k < nb; k++) {
        double *law = malloc((d + d * d) * sizeof(double));
        if (!law)
            return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
        const mc_gdraw *src = from == into ? &w[k] : &from->draws[k];
        w[na + k] = *src;
        memcpy(law, src->mu, (d + d * d) * sizeof(double));
        w[na + k].mu = law;
        w[na + k].Lt = law + d;
        w[na + k].first += shift;
        into->ndraws = na + k + 1;
    }
    return MC_OK;
}

int mc_gdata_new(size_t d, uint64_t n, int human, mc_gdata **out, mc_error *err)
{
    *out = NULL;
    if (d == 0)
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: dataset of dimension 0");
    mc_gdata *ds = calloc(1, sizeof *ds);
    if (!ds)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
    ds->d = d;
    int rc = mc_gdata_reserve(ds, n > 0 ? n : 1, err);
    if (rc != MC_OK) {
        mc_gdata_free(ds);
        return rc;
    }
    ds->n = n;
    ds->human = human ? n : 0;
    memset(ds->is_human, human ? 1 : 0, (size_t)n);
    *out = ds;
    return MC_OK;
}

int mc_gdata_new_virtual(size_t d, uint64_t n, uint64_t human, const double *mom, mc_gdata **out,
                         mc_error *err)
{
    *out = NULL;
    if (d == 0)
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: dataset of dimension 0");
    mc_gdata *ds = calloc(1, sizeof *ds);
    if (!ds || !(ds->mom = malloc(2 * MC_GMOM_SIZE(d) * sizeof(double)))) {
        free(ds);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
    }
    memcpy(ds->mom, mom, 2 * MC_GMOM_SIZE(d) * sizeof(double));
    ds->d = d;
    ds->n = n;
    ds->human = human;
    ds->has_mom = 1;
    ds->virtual_rows = 1;
    *out = ds;
    return MC_OK;
}

int mc_gdata_reserve(mc_gdata *ds, uint64_t cap, mc_error *err)
{
    if (cap <= ds->cap)
        return MC_OK;
    if (cap > SIZE_MAX / sizeof(double) / ds->d)
        return mc_error_set(err, MC_ENOMEM, "a dataset of %llu x %zu values cannot fit in memory",
                            (unsigned long long)cap, ds->d);
    double *x = realloc(ds->x, (size_t)cap * ds->d * sizeof(double));
    if (!x)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset of %llu rows",
                            (unsigned long long)cap);
    ds->x = x;
    unsigned char *h = realloc(ds->is_human, (size_t)cap);
    if (!h)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset of %llu rows",
                            (unsigned long long)cap);
    ds->is_human = h;
    if (ds->draw_of) {
        uint32_t *k = realloc(ds->draw_of, (size_t)cap * sizeof *k);
        if (!k)
            return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset of %llu rows",
                                (unsigned long long)cap);
        ds->draw_of = k;
    }
    ds->cap = cap;
    return MC_OK;
}

int mc_gdata_copy(const void *src, void **out, mc_error *err)
{
    const mc_gdata *a = src;
    mc_gdata *b;
    if (a->virtual_rows) {
        int rc = mc_gdata_new_virtual(a->d, a->n, a->human, a->mom, &b, err);
        if (rc == MC_OK)
            *out = b;
        return rc;
    }
    int rc = mc_gdata_new(a->d, a->n, 0, &b, err);
    if (rc != MC_OK)
        return rc;
    if (a->deferred) {
        rc = MC_ENOMEM;
        if ((b->draw_of = malloc((size_t)b->cap * sizeof *b->draw_of)))
            rc = append_draws(b, a, 0, err);
        else
            mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
        if (rc != MC_OK) {
            mc_gdata_free(b);
            return rc;
        }
        memcpy(b->draw_of, a->draw_of, (size_t)a->n * sizeof *b->draw_of);
        b->deferred = a->deferred;
        for (uint64_t i = 0; i < a->n; i++) /* x of a deferred row holds nothing yet */
            if (!a->draw_of[i])
                memcpy(b->x + (size_t)i * a->d, a->x + (size_t)i * a->d, a->d * sizeof(double));
    } else {
        memcpy(b->x, a->x, (size_t)a->n * a->d * sizeof(double));
    }
    memcpy(b->is_human, a->is_human, (size_t)a->n);
    b->human = a->human;
    if (a->has_mom) {
        size_t sz = 2 * MC_GMOM_SIZE(a->d) * sizeof(double);
        if (!(b->mom = malloc(sz))) {
            mc_gdata_free(b);
            return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
        }
        memcpy(b->mom, a->mom, sz);
        b->has_mom = 1;
    }
    *out = b;
    return MC_OK;
}

/* Chan, Golub & LeVeque (1979): the moments of the union of two parts,
 *   n = na + nb, delta = mean_b - mean_a, mean = mean_a + delta nb / n,
 *   M2 = M2_a + M2_b + delta delta^T na nb / n. a is updated. */
static void moments_combine(double *a, const double *b, size_t d)
{
    double na = a[0], nb = b[0], n = na + nb;
    if (nb == 0.0)
        return;
    if (na == 0.0) {
        memcpy(a, b, MC_GMOM_SIZE(d) * sizeof(double));
        return;
    }
    double *ma = a + 1, *Ma = a + 1 + d;
    const double *mb = b + 1, *Mb = b + 1 + d;
    double f = na * nb / n;
    for (size_t i = 0; i < d; i++)
        for (size_t j = 0; j < d; j++)
            Ma[i * d + j] += Mb[i * d + j] + (mb[i] - ma[i]) * (mb[j] - ma[j]) * f;
    for (size_t i = 0; i < d; i++)
        ma[i] += (mb[i] - ma[i]) * nb / n;
    a[0] = n;
}

int mc_gdata_merge(void *into, const void *from, mc_error *err)
{
    mc_gdata *a = into;
    const mc_gdata *b = from;
    if (a->d != b->d)
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: merging datasets of dimension %zu "
                            "and %zu", a->d, b->d);
    if (a->virtual_rows || b->virtual_rows) {
        /* moments only: both need them (a row dataset computes its own first) */
        if (!a->has_mom) {
            int rc = mc_gdata_moments(a, err);
            if (rc != MC_OK)
                return rc;
        }
        size_t sz = 2 * MC_GMOM_SIZE(a->d);
        double *mb = malloc(sz * sizeof(double));
        if (!mb)
            return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
        int rc = mc_gdata_moments_into(b, mb, err);
        if (rc != MC_OK) {
            free(mb);
            return rc;
        }
        for (int p = 0; p < 2; p++)
            moments_combine(a->mom + p * MC_GMOM_SIZE(a->d), mb + p * MC_GMOM_SIZE(a->d), a->d);
        free(mb);
        a->n += b->n;
        a->human += b->human;
        a->virtual_rows = 1;
        return MC_OK;
    }
    uint64_t need = a->n + b->n;
    if (need > a->cap) {
        uint64_t cap = a->cap * 2 > need ? a->cap * 2 : need;
        int rc = mc_gdata_reserve(a, cap, err);
        if (rc != MC_OK)
            return rc;
    }
    /* from may be into itself: b->n was read before a->n changes, and b->x follows the realloc. */
    if (b->deferred) {
        if (!a->draw_of) {
            if (!(a->draw_of = calloc((size_t)a->cap, sizeof *a->draw_of)))
                return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
        }
        uint32_t shift = (uint32_t)a->ndraws;
        uint64_t nb = b->n, deferred = b->deferred;
        int rc = append_draws(a, b, a->n, err);
        if (rc != MC_OK)
            return rc;
        for (uint64_t i = 0; i < nb; i++) {
            uint32_t k = b->draw_of[i];
            a->draw_of[a->n + i] = k ? k + shift : 0;
            if (!k)
                memcpy(a->x + (size_t)(a->n + i) * a->d, b->x + (size_t)i * b->d,
                       b->d * sizeof(double));
        }
        a->deferred += deferred;
    } else {
        memcpy(a->x + (size_t)a->n * a->d, b->x, (size_t)b->n * b->d * sizeof(double));
        if (a->draw_of)
            memset(a->draw_of + a->n, 0, (size_t)b->n * sizeof *a->draw_of);
    }
    memcpy(a->is_human + a->n, b->is_human, (size_t)b->n);
    a->human += b->human;
    a->n = need;
    if (a->has_mom && b->has_mom && a != b)
        for (int p = 0; p < 2; p++)
            moments_combine(a->mom + p * MC_GMOM_SIZE(a->d), b->mom + p * MC_GMOM_SIZE(a->d),
                            a->d);
    else
        a->has_mom = 0;
    return MC_OK;
}

/* k distinct indices of [0, N), in ascending order, by Floyd's algorithm (Bentley & Floyd, "A
 * sample of brilliance", CACM 1987): for j = N-k .. N-1 draw t uniform in [0, j]; take t, or j
 * when t is already taken. Every k-subset is equally likely, with k draws whatever N (an
 * accumulated pool is much larger than the n drawn from it). Membership is a bit set of N, read
 * out in order a 64-bit word at a time. */
static int floyd_indices(gsl_rng *r, uint64_t N, uint64_t k, uint64_t *out, mc_error *err)
{
    size_t words = (size_t)(N / 64 + 1);
    uint64_t *taken = calloc(words, sizeof *taken);
    if (!taken)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a subsample");
    for (uint64_t j = N - k; j < N; j++) {
        uint64_t t = mc_rng_index(r, j + 1);
        if (taken[t / 64] >> (t % 64) & 1)
            t = j; /* j is free: every earlier pick is < j */
        taken[t / 64] |= (uint64_t)1 << (t % 64);
    }
    uint64_t c = 0;
    for (size_t w = 0; w < words && c < k; w++)
        for (uint64_t bits = taken[w]; bits; bits &= bits - 1) {
#if defined(__GNUC__)
            unsigned b = (unsigned)__builtin_ctzll(bits);
#else
            unsigned b = 0;
            while (!(bits >> b & 1))
                b++;
#endif
            out[c++] = (uint64_t)w * 64 + b;
        }
    free(taken);
    return MC_OK;
}

/* A block of picked deferred rows of one draw waiting to be computed: their pool rows and the rows
 * of the subsample they go to. */
typedef struct pending {
    uint32_t law;
    size_t m;
    uint64_t rows[BLOCK], to[BLOCK];
} pending;

/* Computes the pending rows (rows_of_draw) into the subsample ds and into the pool's x. The pool
 * is const to the callers of subsample because none of its values changes: a deferred row's value
 * was fixed by its draw's key, and storing it only saves computing it again if it is picked
 * again. */
static void flush_pending(const mc_gdata *pool, pending *q, mc_gdata *ds, double *O)
{
    mc_gdata *cache = (mc_gdata *)pool;
    size_t d = pool->d;
    if (!q->m)
        return;
    rows_of_draw(&cache->draws[q->law - 1], d, q->rows, q->m, O, O + d * BLOCK);
    for (size_t r = 0; r < q->m; r++) {
        double *x = cache->x + (size_t)q->rows[r] * d, *y = ds->x + (size_t)q->to[r] * d;
        for (size_t a = 0; a < d; a++)
            x[a] = y[a] = O[a * BLOCK + r];
        cache->draw_of[q->rows[r]] = 0;
    }
    cache->deferred -= q->m;
    q->m = 0;
}

/* Index sampling without replacement keeping order and provenance. For k < N / 8, Floyd's
 * algorithm; otherwise selection sampling (Knuth, TAOCP vol. 2, 3.4.2, algorithm S; the algorithm
 * of gsl_ran_choose, applied here to the rows and their human flags together): row i of N is
 * taken with probability (k - chosen) / (N - i). */
int mc_gdata_subsample(gsl_rng *r, const void *src, uint64_t k, void **out, mc_error *err)
{
    const mc_gdata *pool = src;
    if (k > pool->n)
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: subsample of %llu rows from a pool "
                            "of %llu", (unsigned long long)k, (unsigned long long)pool->n);
    if (pool->virtual_rows)
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: subsample of a dataset whose rows "
                            "were never drawn (known by its moments only)");
    uint64_t *idx = malloc((k > 0 ? (size_t)k : 1) * sizeof *idx);
    if (!idx)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a subsample");
    int rc = MC_OK;
    if (k > 0 && k < pool->n / 8) {
        rc = floyd_indices(r, pool->n, k, idx, err);
    } else {
        for (uint64_t i = 0, c = 0; i < pool->n && c < k; i++)
            if ((double)(pool->n - i) * gsl_rng_uniform(r) < (double)(k - c))
                idx[c++] = i;
    }
    mc_gdata *ds = NULL;
    if (rc == MC_OK)
        rc = mc_gdata_new(pool->d, k, 0, &ds, err);
    size_t d = pool->d;
    pending *q = NULL;
    double *O = NULL;
    if (rc == MC_OK && pool->deferred &&
        (!(q = malloc(sizeof *q)) || !(O = malloc((d * BLOCK + DRAW_SCRATCH(d)) * sizeof *O))))
        rc = mc_error_set(err, MC_ENOMEM, "out of memory for a subsample");
    if (rc != MC_OK) {
        free(idx);
        free(q);
        mc_gdata_free(ds);
        return rc;
    }
    if (q)
        q->m = 0;
    for (uint64_t c = 0; c < k; c++) {
        uint64_t i = idx[c];
#if defined(__GNUC__)
        /* the rows are scattered over a large pool: fetch a few ahead, or each waits on memory */
        if (c + 8 < k) {
            const double *ahead = pool->x + (size_t)idx[c + 8] * d;
            __builtin_prefetch(ahead, 1);
            __builtin_prefetch(ahead + d - 1, 1);
            if (q)
                __builtin_prefetch(pool->draw_of + idx[c + 8]);
        }
#endif
        ds->is_human[c] = pool->is_human[i];
        ds->human += pool->is_human[i];
        uint32_t law = q ? pool->draw_of[i] : 0;
        if (!law) {
            memcpy(ds->x + (size_t)c * d, pool->x + (size_t)i * d, d * sizeof(double));
            continue;
        }
        if (q->m == BLOCK || (q->m && q->law != law))
            flush_pending(pool, q, ds, O);
        q->law = law;
        q->rows[q->m] = i;
        q->to[q->m++] = c;
    }
    if (q)
        flush_pending(pool, q, ds, O);
    free(q);
    free(O);
    free(idx);
    *out = ds;
    return MC_OK;
}

uint64_t mc_gdata_size(const void *ds) { return ((const mc_gdata *)ds)->n; }
uint64_t mc_gdata_human(const void *ds) { return ((const mc_gdata *)ds)->human; }

/* The moments take rows a block at a time: a block's values are stored column by column, so that
 * each entry of the scatter matrix is a dot product over the block, which the compiler
 * vectorises. */
#define MOM_BLOCK BLOCK

/* Adds the cross-products of a block Y (columns of MOM_BLOCK values, cnt used; d columns and then
 * zero columns up to a multiple of 4) to C (d, d, lower triangle). Four columns b at a time, the
 * last four reaching into the zero columns or above the diagonal (computed, not stored): four
 * independent sums keep the adder busy where one would wait on its own latency. */
static void block_sums(double *restrict C, size_t d, const double *Y, size_t cnt)
{
    for (size_t a = 0; a < d; a++) {
        const double *restrict ya = Y + a * MOM_BLOCK;
        for (size_t b = 0; b <= a; b += 4) {
            const double *restrict y0 = Y + b * MOM_BLOCK, *restrict y1 = y0 + MOM_BLOCK,
                                   *restrict y2 = y1 + MOM_BLOCK, *restrict y3 = y2 + MOM_BLOCK;
            double u0 = 0.0, u1 = 0.0, u2 = 0.0, u3 = 0.0;
#pragma omp simd reduction(+ : u0, u1, u2, u3)
            for (size_t c = 0; c < cnt; c++) {
                double t = ya[c];
                u0 += t * y0[c];
                u1 += t * y1[c];
                u2 += t * y2[c];
                u3 += t * y3[c];
            }
            const double u[4] = {u0, u1, u2, u3};
            for (size_t e = 0; e < 4 && b + e <= a; e++)
                C[a * d + b + e] += u[e];
        }
    }
}

/* One pass over the rows with a shift (Chan, Golub & LeVeque 1983, "Algorithms for computing the
 * sample variance", the shifted-data formula): with K the part's first row and y = x - K,
 *   mean = K + sum(y) / n,   M2 = sum(y y^T) - sum(y) sum(y)^T / n.
 * The shift is within a few standard deviations of the mean, so the cancellation costs a few bits
 * at most, and a part whose rows are all identical gets M2 = 0 exactly. */
int mc_gdata_moments_into(const mc_gdata *ds, double *mom, mc_error *err)
{
    size_t d = ds->d, sz = MC_GMOM_SIZE(d);
    if (ds->has_mom) {
        memcpy(mom, ds->mom, 2 * sz * sizeof(double));
        return MC_OK;
    }
    /* scratch: per part a shift (d), sums (d), a block (dp, MOM_BLOCK) whose columns from d to dp
     * (d rounded up to a multiple of 4) stay 0 for block_sums; then row_of's */
    size_t dp = (d + 3) / 4 * 4;
    size_t per = 2 * d + dp * MOM_BLOCK, total = 2 * per + (ds->deferred ? ROW_SCRATCH(d) : 0);
    double *buf = malloc(total * sizeof(double));
    if (!buf)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the moments of a dataset");
    memset(mom, 0, 2 * sz * sizeof(double));
    memset(buf, 0, 2 * per * sizeof(double));
    double *K[2], *S[2], *Y[2], *rowbuf = buf + 2 * per;
    size_t cnt[2] = {0, 0};
    for (int p = 0; p < 2; p++) {
        K[p] = buf + p * per;
        S[p] = K[p] + d;
        Y[p] = S[p] + d;
    }
    for (uint64_t i = 0; i < ds->n; i++) {
        int p = ds->is_human[i];
        const double *xi = row_of(ds, i, rowbuf);
        if (mom[p * sz] == 0.0)
            memcpy(K[p], xi, d * sizeof(double));
        mom[p * sz] += 1.0;
        double *restrict y = Y[p] + cnt[p], *restrict sum = S[p];
        const double *restrict k = K[p];
        for (size_t a = 0; a < d; a++) {
            double v = xi[a] - k[a];
            y[a * MOM_BLOCK] = v;
            sum[a] += v;
        }
        if (++cnt[p] == MOM_BLOCK) {
            block_sums(mom + p * sz + 1 + d, d, Y[p], cnt[p]);
            cnt[p] = 0;
        }
    }
    for (int p = 0; p < 2; p++) {
        double n = mom[p * sz], *mean = mom + p * sz + 1, *M = mean + d;
        if (cnt[p])
            block_sums(M, d, Y[p], cnt[p]);
        if (n == 0.0)
            continue;
        for (size_t a = 0; a < d; a++) {
            for (size_t b = 0; b <= a; b++)
                M[a * d + b] -= S[p][a] * S[p][b] / n;
            mean[a] = K[p][a] + S[p][a] / n;
        }
        for (size_t a = 0; a < d; a++) {
            M[a * d + a] = M[a * d + a] > 0.0 ? M[a * d + a] : 0.0; /* rounding can go below 0 */
            for (size_t b = 0; b < a; b++)
                M[b * d + a] = M[a * d + b];
        }
    }
    free(buf);
    return MC_OK;
}

int mc_gdata_moments(mc_gdata *ds, mc_error *err)
{
    if (ds->virtual_rows)
        return MC_OK; /* its moments are all there is */
    if (!ds->mom && !(ds->mom = malloc(2 * MC_GMOM_SIZE(ds->d) * sizeof(double))))
        return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
    ds->has_mom = 0;
    int rc = mc_gdata_moments_into(ds, ds->mom, err);
    ds->has_mom = rc == MC_OK;
    return rc;
}

/* tr S of all the rows (S their 1/n covariance), from the per-part moments: the parts' scatter
 * traces plus the between-part term n0 n1 / n ||mean1 - mean0||^2. */
int mc_gdata_signal(const void *params, const void *vd, double *out)
{
    (void)params;
    const mc_gdata *ds = vd;
    size_t d = ds->d, sz = MC_GMOM_SIZE(d);
    double *mom = malloc(2 * sz * sizeof(double));
    mc_error err;
    if (!mom || mc_gdata_moments_into(ds, mom, &err) != MC_OK) {
        free(mom);
        return MC_ENOMEM;
    }
    double n0 = mom[0], n1 = mom[sz], n = n0 + n1, tr = 0.0, between = 0.0;
    for (size_t a = 0; a < d; a++) {
        tr += mom[1 + d + a * d + a] + mom[sz + 1 + d + a * d + a];
        double diff = mom[sz + 1 + a] - mom[1 + a];
        between += diff * diff;
    }
    if (n0 > 0.0 && n1 > 0.0)
        tr += between * n0 * n1 / n;
    free(mom);
    *out = n > 0.0 ? tr / n : NAN;
    return MC_OK;
}

void mc_gdata_free(void *p)
{
    mc_gdata *ds = p;
    if (!ds)
        return;
    free(ds->mom);
    free(ds->x);
    free(ds->is_human);
    free(ds->draw_of);
    for (size_t k = 0; k < ds->ndraws; k++)
        free(ds->draws[k].mu);
    free(ds->draws);
    free(ds);
}

void mc_gdata_weights(const mc_gdata *ds, double human_weight, double *w)
{
    uint64_t n = ds->n, H = ds->human, S = n - H;
    if (human_weight < 0 || H == 0 || S == 0) {
        for (uint64_t i = 0; i < n; i++)
            w[i] = 1.0 / (double)n;
        return;
    }
    double wh = human_weight / (double)H, ws = (1.0 - human_weight) / (double)S;
    for (uint64_t i = 0; i < n; i++)
        w[i] = ds->is_human[i] ? wh : ws;
}

/* ================================================================ one Gaussian */

int mc_gauss_alloc(size_t d, mc_gauss **out, mc_error *err)
{
    *out = NULL;
    if (d == 0)
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: Gaussian of dimension 0");
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

static double trace(const gsl_matrix *A)
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
    double tr = trace(g->cov);
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
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: fit on an empty dataset");
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
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: fit on an empty dataset");
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
static void std_normal_rows(gsl_rng *r, size_t d, double c2, double p, uint64_t n, double *z)
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
    std_normal_rows(r, d, c2, p, n, x);
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

/* the truncation radius^2 and its chi-square probability of the sampling bias s */
static void truncation(size_t d, const mc_sampling *s, double *c2, double *p)
{
    double c = s ? s->truncate : 0.0;
    *c2 = c > 0.0 ? c * c : 0.0;
    *p = c > 0.0 ? gsl_cdf_chisq_P(*c2, (double)d) : 1.0;
}

int mc_gauss_sample(gsl_rng *r, const mc_gauss *g, const mc_sampling *s, uint64_t n, double *x,
                    mc_error *err)
{
    (void)err; /* nothing here can fail any more; the parameter stays for the contract */
    double c2, p;
    truncation(g->d, s, &c2, &p);
    if (n > 0)
        sample_rows(r, g->d, g->mu, g->chol->data, g->chol->tda, s ? 1.0 - s->shrink : 1.0, c2, p,
                    n, x);
    return MC_OK;
}

int mc_gdata_new_deferred(const mc_gauss *g, const mc_sampling *s, uint64_t n, uint64_t key,
                          mc_gdata **out, mc_error *err)
{
    size_t d = g->d;
    if (n > UINT32_MAX)
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: deferred draw of %llu rows",
                            (unsigned long long)n);
    mc_gdata *ds;
    int rc = mc_gdata_new(d, n, 0, &ds, err);
    if (rc != MC_OK)
        return rc;
    ds->draw_of = malloc((size_t)ds->cap * sizeof *ds->draw_of);
    ds->draws = malloc(sizeof *ds->draws);
    double *law = malloc((d + d * d) * sizeof(double));
    if (!ds->draw_of || !ds->draws || !law) {
        free(law);
        mc_gdata_free(ds);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a draw");
    }
    mc_gdraw *w = ds->draws;
    ds->ndraws = 1;
    w->key = key;
    w->first = 0;
    w->alpha = s ? 1.0 - s->shrink : 1.0;
    truncation(d, s, &w->c2, &w->p);
    w->mu = law;
    w->Lt = law + d;
    memcpy(w->mu, g->mu, d * sizeof(double));
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            w->Lt[b * d + a] = b <= a ? gsl_matrix_get(g->chol, a, b) : 0.0;
    for (uint64_t i = 0; i < n; i++)
        ds->draw_of[i] = 1;
    ds->deferred = n;
    *out = ds;
    return MC_OK;
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

/* ================================================================ mixtures */

int mc_gmix_alloc(size_t k, size_t d, mc_gmix **out, mc_error *err)
{
    *out = NULL;
    if (k == 0 || d == 0)
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: mixture of %zu components in %zu "
                            "dimensions", k, d);
    mc_gmix *m = calloc(1, sizeof *m);
    if (!m)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a mixture");
    m->k = k;
    m->d = d;
    m->w = calloc(k, sizeof(double));
    m->comp = calloc(k, sizeof(mc_gauss *));
    if (!m->w || !m->comp) {
        mc_gmix_free(m);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a mixture");
    }
    for (size_t j = 0; j < k; j++) {
        m->w[j] = 1.0 / (double)k;
        int rc = mc_gauss_alloc(d, &m->comp[j], err);
        if (rc != MC_OK) {
            mc_gmix_free(m);
            return rc;
        }
    }
    *out = m;
    return MC_OK;
}

void mc_gmix_free(mc_gmix *m)
{
    if (!m)
        return;
    if (m->comp)
        for (size_t j = 0; j < m->k; j++)
            mc_gauss_free(m->comp[j]);
    free(m->comp);
    free(m->w);
    free(m);
}

int mc_gmix_sample(gsl_rng *r, const mc_gmix *m, uint64_t n, double *x, mc_error *err)
{
    if (n > UINT_MAX)
        return mc_error_set(err, MC_ERANGE, "a mixture sample of %llu rows is too large",
                            (unsigned long long)n);
    uint64_t left = n, row = 0;
    double wleft = 1.0;
    for (size_t j = 0; j < m->k && left > 0; j++) {
        uint64_t c;
        if (j + 1 == m->k || m->w[j] >= wleft)
            c = left;
        else
            c = gsl_ran_binomial(r, m->w[j] / wleft, (unsigned)left);
        int rc = mc_gauss_sample(r, m->comp[j], NULL, c, x + (size_t)row * m->d, err);
        if (rc != MC_OK)
            return rc;
        row += c;
        left -= c;
        wleft -= m->w[j];
    }
    if (m->k > 1 && n > 1) /* gsl_ran_shuffle counts down from n - 1: n = 0 would wrap */
        gsl_ran_shuffle(r, x, (size_t)n, m->d * sizeof(double));
    return MC_OK;
}

double mc_gmix_logpdf(const mc_gmix *m, const double *x, double *work)
{
    double best = -INFINITY;
    for (size_t j = 0; j < m->k; j++) {
        double l = log(m->w[j]) + mc_gauss_logpdf(m->comp[j], x, work);
        if (l > best)
            best = l;
    }
    if (!isfinite(best))
        return best;
    double s = 0.0;
    for (size_t j = 0; j < m->k; j++)
        s += exp(log(m->w[j]) + mc_gauss_logpdf(m->comp[j], x, work) - best);
    return best + log(s);
}

void mc_gmix_moments(const mc_gmix *m, double *mean, gsl_matrix *cov)
{
    size_t d = m->d;
    memset(mean, 0, d * sizeof(double));
    for (size_t j = 0; j < m->k; j++)
        for (size_t a = 0; a < d; a++)
            mean[a] += m->w[j] * m->comp[j]->mu[a];
    gsl_matrix_set_zero(cov);
    /* cov = sum_j w_j (cov_j + (mu_j - mean)(mu_j - mean)^T) */
    for (size_t j = 0; j < m->k; j++) {
        const mc_gauss *c = m->comp[j];
        for (size_t a = 0; a < d; a++)
            for (size_t b = 0; b < d; b++)
                *gsl_matrix_ptr(cov, a, b) +=
                    m->w[j] * (gsl_matrix_get(c->cov, a, b) +
                               (c->mu[a] - mean[a]) * (c->mu[b] - mean[b]));
    }
}

/* ================================================================ distances */

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
    w2 += trace(S1) + trace(S2);
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
        return mc_error_set(err, MC_EINTERNAL, "gauss_common: quantile grid of %zu nodes", m);
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
    gsl_sort(out, 1, n);
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
