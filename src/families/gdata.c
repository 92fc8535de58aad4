/* gdata.c - the training set of the continuous families: n rows of d doubles with a human flag
 * per row (provenance), and the dataset operations of mc_family_type on it (copy, merge, size,
 * human, free; subsample is in gdata_subsample.c).
 *
 * A dataset is in one of three modes (gdata.h): plain rows in x; moments only (virtual_rows: the
 * per-part count, mean and scatter of rows never drawn, for regimes that never look at a single
 * row); or plain rows some of which are deferred (gdata_deferred.c). merge is concatenation, or,
 * when either side is virtual, the exact combination of the moments (Chan, Golub & LeVeque 1979);
 * copy and merge carry the deferred rows' laws, so no mode changes a result, only the work. */
#include "gdata.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int mc_gdata_new(size_t d, uint64_t n, int human, mc_gdata **out, mc_error *err)
{
    *out = NULL;
    if (d == 0)
        return mc_error_set(err, MC_EINTERNAL, "gdata: dataset of dimension 0");
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
        return mc_error_set(err, MC_EINTERNAL, "gdata: dataset of dimension 0");
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
            rc = mc_gdata_append_draws(b, a, 0, err);
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

int mc_gdata_merge(void *into, const void *from, mc_error *err)
{
    mc_gdata *a = into;
    const mc_gdata *b = from;
    if (a->d != b->d)
        return mc_error_set(err, MC_EINTERNAL, "gdata: merging datasets of dimension %zu "
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
            mc_gmom_combine(a->mom + p * MC_GMOM_SIZE(a->d), mb + p * MC_GMOM_SIZE(a->d), a->d);
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
        int rc = mc_gdata_append_draws(a, b, a->n, err);
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
            mc_gmom_combine(a->mom + p * MC_GMOM_SIZE(a->d), b->mom + p * MC_GMOM_SIZE(a->d),
                            a->d);
    else
        a->has_mom = 0;
    return MC_OK;
}

uint64_t mc_gdata_size(const void *ds) { return ((const mc_gdata *)ds)->n; }
uint64_t mc_gdata_human(const void *ds) { return ((const mc_gdata *)ds)->human; }

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
