/* web_pool.c - the shared web's pool of published items (web.h): retention, publishing,
 * crawling, and a lineage's crawl through the detector and the selection. Only the family's
 * dataset operations touch the items, so the pool works for every family that can thin a
 * dataset (ds_thin); a categorical pool is counts per batch, never items. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "web.h"
#include "collapse/randist.h"

static void drop(const mc_unit *u, web_pool *w, size_t i)
{
    u->fam->ds_free(w->b[i].ds);
    w->b[i] = w->b[--w->n];
}

int web_pool_retain(const mc_unit *u, web_pool *w, double retention, mc_error *err)
{
    for (size_t i = w->n; i-- > 0;) {
        if (retention < 1.0 && retention > 0.0) {
            void *kept = NULL;
            int r = u->fam->ds_thin(u->rng, w->b[i].ds, retention, retention, &kept, err);
            if (r != MC_OK)
                return r;
            u->fam->ds_free(w->b[i].ds);
            w->b[i].ds = kept;
        }
        if (retention == 0.0 || u->fam->ds_size(w->b[i].ds) == 0)
            drop(u, w, i);
    }
    /* drop() moved the last batch into a hole: restore the order of publication */
    for (size_t i = 1; i < w->n; i++)
        for (size_t j = i; j > 0 && (w->b[j - 1].generation > w->b[j].generation ||
                                     (w->b[j - 1].generation == w->b[j].generation &&
                                      w->b[j - 1].source > w->b[j].source));
             j--) {
            web_batch t = w->b[j];
            w->b[j] = w->b[j - 1];
            w->b[j - 1] = t;
        }
    return MC_OK;
}

int web_pool_add(const mc_unit *u, web_pool *w, void *ds, long source, long g, int merge,
                 mc_error *err)
{
    for (size_t i = 0; merge && i < w->n; i++) { /* a uniform crawl: one batch */
            int r = u->fam->ds_merge(w->b[i].ds, ds, err);
            u->fam->ds_free(ds);
            w->b[i].generation = g;
            return r;
    }
    if (w->n == w->cap) {
        size_t cap = w->cap ? 2 * w->cap : 8;
        web_batch *b = realloc(w->b, cap * sizeof *b);
        if (!b) {
            u->fam->ds_free(ds);
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        }
        w->b = b;
        w->cap = cap;
    }
    w->b[w->n++] = (web_batch){ds, source, g};
    return MC_OK;
}

uint64_t web_pool_size(const mc_unit *u, const web_pool *w)
{
    uint64_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        n += u->fam->ds_size(w->b[i].ds);
    return n;
}

uint64_t web_pool_human(const mc_unit *u, const web_pool *w)
{
    uint64_t n = 0;
    for (size_t i = 0; i < w->n; i++)
        n += u->fam->ds_human(w->b[i].ds);
    return n;
}

/* The batches [from, to) merged into one new dataset, in publication order. */
static int merged(const mc_unit *u, const web_pool *w, size_t from, size_t to, void **out,
                  mc_error *err)
{
    int r = u->fam->ds_copy(w->b[from].ds, out, err);
    for (size_t i = from + 1; r == MC_OK && i < to; i++)
        r = u->fam->ds_merge(*out, w->b[i].ds, err);
    if (r != MC_OK && *out) {
        u->fam->ds_free(*out);
        *out = NULL;
    }
    return r;
}

/* k of pool without replacement: the family's crawl when it has one (the same law, cheaper at
 * scale), else its subsample. */
static int subsample(const mc_unit *u, const void *pool, uint64_t k, void **out, mc_error *err)
{
    if (u->fam->ds_crawl)
        return u->fam->ds_crawl(u->rng, pool, k, out, err);
    return u->fam->ds_subsample(u->rng, pool, k, out, err);
}

/* k of the batches [from, to): all of them when they hold k, else a subsample. */
static int take_items(const mc_unit *u, const web_pool *w, size_t from, size_t to, uint64_t k,
                      void **out, mc_error *err)
{
    if (to - from == 1 && u->fam->ds_size(w->b[from].ds) != k) /* no merged copy needed */
        return subsample(u, w->b[from].ds, k, out, err);
    void *all = NULL;
    int r = merged(u, w, from, to, &all, err);
    if (r != MC_OK || u->fam->ds_size(all) == k) {
        *out = all;
        return r;
    }
    r = subsample(u, all, k, out, err);
    u->fam->ds_free(all);
    return r;
}

/* Newest first: whole generations from the newest back, the oldest one used subsampled. */
static int crawl_newest(const mc_unit *u, const web_pool *w, uint64_t k, void **out,
                        mc_error *err)
{
    size_t to = w->n;
    int r = MC_OK;
    *out = NULL;
    while (r == MC_OK && k > 0 && to > 0) {
        size_t from = to;
        while (from > 0 && w->b[from - 1].generation == w->b[to - 1].generation)
            from--;
        uint64_t have = 0;
        for (size_t i = from; i < to; i++)
            have += u->fam->ds_size(w->b[i].ds);
        void *part = NULL;
        r = take_items(u, w, from, to, have < k ? have : k, &part, err);
        k -= have < k ? have : k;
        if (r == MC_OK && !*out)
            *out = part;
        else if (r == MC_OK)
            r = u->fam->ds_merge(*out, part, err);
        if (part && part != *out)
            u->fam->ds_free(part);
        to = from;
    }
    return r;
}

/* The end of the generation group that starts at batch `from` (batches sorted by generation). */
static size_t group_end(const web_pool *w, size_t from)
{
    size_t to = from + 1;
    while (to < w->n && w->b[to].generation == w->b[from].generation)
        to++;
    return to;
}

/* How many of k items each generation group gives a recent crawl: group j of size S_j and age
 * a_j is crawled at the rate c lambda^a_j, c such that the counts add up to k; a group whose
 * share would exceed its size gives all of it and the rest is shared again (water-filling);
 * the last shares are rounded by largest remainder. take[j] for the j-th group. */
static void recent_shares(const mc_unit *u, const web_pool *w, double lambda, uint64_t k,
                          uint64_t *take, size_t ng)
{
    double *weight = (double *)(take + ng); /* scratch after take (the caller sized it) */
    size_t j = 0;
    for (size_t from = 0; from < w->n; from = group_end(w, from), j++) {
        uint64_t S = 0;
        for (size_t i = from; i < group_end(w, from); i++)
            S += u->fam->ds_size(w->b[i].ds);
        take[j] = S; /* the size, until the share is known */
        weight[j] = (double)S * pow(lambda, (double)(u->generation - w->b[from].generation));
    }
    unsigned char *full = (unsigned char *)(weight + ng);
    memset(full, 0, ng);
    uint64_t left = k;
    for (int changed = 1; changed;) { /* groups that the share would overfill give all */
        changed = 0;
        double W = 0;
        for (j = 0; j < ng; j++)
            W += full[j] ? 0 : weight[j];
        for (j = 0; j < ng && W > 0; j++)
            if (!full[j] && (double)left * weight[j] / W >= (double)take[j]) {
                full[j] = 1;
                left -= take[j];
                changed = 1;
            }
    }
    double W = 0, *rest = weight; /* reused: the fractional parts */
    for (j = 0; j < ng; j++)
        W += full[j] ? 0 : weight[j];
    uint64_t given = 0;
    for (j = 0; j < ng; j++)
        if (!full[j]) {
            double x = W > 0 ? (double)left * weight[j] / W : 0;
            take[j] = (uint64_t)floor(x);
            rest[j] = x - floor(x);
            given += take[j];
        } else {
            rest[j] = -1;
        }
    for (; given < left; given++) { /* largest remainder, ties to the newest */
        size_t best = ng;
        for (j = 0; j < ng; j++)
            if (rest[j] >= 0 && (best == ng || rest[j] >= rest[best]))
                best = j;
        take[best]++;
        rest[best] = -1;
    }
}

/* Weighted to recent items: each generation group's share by recent_shares, then a uniform
 * crawl within it. */
static int crawl_recent(const mc_unit *u, const web_pool *w, double lambda, uint64_t k,
                        void **out, mc_error *err)
{
    size_t ng = 0;
    for (size_t from = 0; from < w->n; from = group_end(w, from))
        ng++;
    uint64_t *take = malloc(ng * (sizeof(uint64_t) + sizeof(double) + 1));
    if (!take)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    recent_shares(u, w, lambda, k, take, ng);
    int r = MC_OK;
    size_t j = 0;
    *out = NULL;
    for (size_t from = 0; r == MC_OK && from < w->n; from = group_end(w, from), j++) {
        void *part = NULL;
        if (!take[j])
            continue;
        r = take_items(u, w, from, group_end(w, from), take[j], &part, err);
        if (r == MC_OK && !*out)
            *out = part;
        else if (r == MC_OK)
            r = u->fam->ds_merge(*out, part, err);
        if (part && part != *out)
            u->fam->ds_free(part);
    }
    free(take);
    return r;
}

int web_pool_crawl(const mc_unit *u, const web_pool *w, const web_params *wp, uint64_t k,
                   void **out, mc_error *err)
{
    uint64_t have = web_pool_size(u, w);
    *out = NULL;
    if (have < k || w->n == 0) {
        char where[256];
        return mc_error_set(err, MC_ECONFIG, "%s: a crawl of %llu items, but the web holds %llu "
                            "at generation %u: publish more (regime.publish, regime.h) or keep "
                            "more (regime.retention), or crawl fewer (regime.n)",
                            mc_point_where(u->point, "regime", "publish", where, sizeof where),
                            (unsigned long long)k, (unsigned long long)have, u->generation);
    }
    if (wp->crawl == WEB_CRAWL_RECENT)
        return crawl_recent(u, w, wp->recency, k, out, err);
    return wp->crawl == WEB_CRAWL_NEWEST ? crawl_newest(u, w, k, out, err)
                                         : take_items(u, w, 0, w->n, k, out, err);
}

void web_pool_free(const mc_unit *u, web_pool *w)
{
    while (w->n)
        drop(u, w, w->n - 1);
    free(w->b);
    w->b = NULL;
    w->cap = 0;
}

/* The detector over a crawl; with refill, crawled again (items may repeat: another visit)
 * until n pass. */
static int detect_crawl(const mc_unit *u, const web_pool *w, const web_params *wp, uint64_t n,
                        void **set, mc_error *err)
{
    const mc_curation *c = &u->point->curation;
    const mc_family_type *f = u->fam;
    void *got = NULL;
    int r = mc_detect_thin(u, *set, &got, err);
    f->ds_free(*set);
    *set = got;
    for (long round = 0; r == MC_OK && c->refill && f->ds_size(*set) < n; round++) {
        void *more = NULL, *passed = NULL;
        if (round == 100000)
            return mc_error_set(err, MC_ERANGE, "the detector kept too little of %ld crawls to "
                                "fill a training set", round);
        r = web_pool_crawl(u, w, wp, n - f->ds_size(*set), &more, err);
        if (r == MC_OK)
            r = mc_detect_thin(u, more, &passed, err);
        if (r == MC_OK)
            r = f->ds_merge(*set, passed, err);
        if (more)
            f->ds_free(more);
        if (passed)
            f->ds_free(passed);
    }
    return r;
}

int web_crawl_for(const mc_unit *u, const web_pool *w, const web_params *wp, void **out,
                  mc_error *err)
{
    const mc_curation *c = &u->point->curation;
    const mc_family_type *f = u->fam;
    int select = c->select != MC_SELECT_NONE;
    uint64_t want = select ? u->n * c->candidates : u->n;
    void *set = NULL;
    int r = web_pool_crawl(u, w, wp, want, &set, err);
    if (r == MC_OK && c->detect)
        r = detect_crawl(u, w, wp, want, &set, err);
    if (r == MC_OK && select) {
        void *kept = NULL;
        r = mc_curate_select(u, set, f->ds_size(set) / c->candidates, &kept, err);
        f->ds_free(set);
        set = kept;
    }
    if (r != MC_OK && set) {
        f->ds_free(set);
        set = NULL;
    }
    *out = set;
    return r;
}
