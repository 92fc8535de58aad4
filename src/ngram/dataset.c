/* dataset.c - n-gram training sets: sentences of token ids, each flagged human or synthetic.
 *
 * One block of tokens and one of sentence offsets, grown geometrically; no allocation per
 * sentence. Provenance is kept per sentence (the human flag), so a subsample or a merge knows how
 * much of it is human-made.
 */
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "ngram.h"
#include "collapse/rng.h"

static int reserve_tok(mc_ngram_ds *ds, uint64_t need)
{
    if (need <= ds->tok_cap)
        return MC_OK;
    uint64_t cap = ds->tok_cap ? ds->tok_cap : 1024;
    while (cap < need)
        cap *= 2;
    if (cap > SIZE_MAX / sizeof *ds->tok)
        return MC_ENOMEM;
    uint32_t *t = realloc(ds->tok, (size_t)cap * sizeof *t);
    if (!t)
        return MC_ENOMEM;
    ds->tok = t;
    ds->tok_cap = cap;
    return MC_OK;
}

static int reserve_sent(mc_ngram_ds *ds, uint64_t need)
{
    if (need <= ds->sent_cap)
        return MC_OK;
    uint64_t cap = ds->sent_cap ? ds->sent_cap : 256;
    while (cap < need)
        cap *= 2;
    if (cap > SIZE_MAX / sizeof *ds->start)
        return MC_ENOMEM;
    uint64_t *s = realloc(ds->start, (size_t)(cap + 1) * sizeof *s);
    if (!s)
        return MC_ENOMEM;
    ds->start = s;
    uint8_t *h = realloc(ds->human, (size_t)cap);
    if (!h)
        return MC_ENOMEM;
    ds->human = h;
    ds->sent_cap = cap;
    return MC_OK;
}

mc_ngram_ds *mc_ngram_ds_alloc(void)
{
    mc_ngram_ds *ds = calloc(1, sizeof *ds);
    if (!ds)
        return NULL;
    if (reserve_sent(ds, 1)) {
        mc_ngram_ds_free(ds);
        return NULL;
    }
    ds->start[0] = 0;
    return ds;
}

void mc_ngram_ds_free(mc_ngram_ds *ds)
{
    if (!ds)
        return;
    free(ds->tok);
    free(ds->start);
    free(ds->human);
    free(ds);
}

int mc_ngram_ds_push(mc_ngram_ds *ds, const uint32_t *w, size_t len, int human)
{
    if (reserve_tok(ds, ds->ntok + len) || reserve_sent(ds, ds->nsent + 1))
        return MC_ENOMEM;
    if (len)
        memcpy(ds->tok + ds->ntok, w, len * sizeof *w);
    ds->ntok += len;
    ds->human[ds->nsent] = human ? 1 : 0;
    ds->nhuman += human ? 1 : 0;
    ds->nsent++;
    ds->start[ds->nsent] = ds->ntok;
    return MC_OK;
}

int mc_ngram_ds_merge(mc_ngram_ds *into, const mc_ngram_ds *from)
{
    if (reserve_tok(into, into->ntok + from->ntok) ||
        reserve_sent(into, into->nsent + from->nsent))
        return MC_ENOMEM;
    if (from->ntok)
        memcpy(into->tok + into->ntok, from->tok, (size_t)from->ntok * sizeof *from->tok);
    if (from->nsent)
        memcpy(into->human + into->nsent, from->human, (size_t)from->nsent);
    for (uint64_t s = 1; s <= from->nsent; s++)
        into->start[into->nsent + s] = into->ntok + from->start[s];
    into->ntok += from->ntok;
    into->nsent += from->nsent;
    into->nhuman += from->nhuman;
    return MC_OK;
}

/* Selection sampling (Knuth, TAOCP vol. 2, 3.4.2, algorithm S): one pass over the pool keeps
 * sentence i with probability (still needed) / (still left), which draws a uniformly random
 * n-subset and keeps the pool's order. */
int mc_ngram_ds_subsample(gsl_rng *r, const mc_ngram_ds *pool, uint64_t n, mc_ngram_ds **out,
                          mc_error *err)
{
    *out = NULL;
    if (n > pool->nsent)
        return mc_error_set(err, MC_EINTERNAL,
                            "ngram: cannot subsample %llu sentences from %llu without replacement",
                            (unsigned long long)n, (unsigned long long)pool->nsent);
    mc_ngram_ds *ds = mc_ngram_ds_alloc();
    if (!ds)
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    uint64_t need = n;
    for (uint64_t i = 0; i < pool->nsent && need > 0; i++) {
        uint64_t left = pool->nsent - i;
        if (mc_rng_index(r, left) < need) {
            uint64_t b = pool->start[i], e = pool->start[i + 1];
            if (mc_ngram_ds_push(ds, pool->tok + b, (size_t)(e - b), pool->human[i])) {
                mc_ngram_ds_free(ds);
                return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
            }
            need--;
        }
    }
    *out = ds;
    return MC_OK;
}
