/* gdata_subsample.c - the subsample slot of the continuous families: n rows of a pool drawn
 * without replacement, keeping their order and their human flags.
 *
 * Indices: Floyd's algorithm when n is small against the pool (O(n) draws whatever the pool's
 * size), otherwise selection sampling (Knuth's algorithm S, as gsl_ran_choose). A picked row that
 * is deferred (gdata_deferred.c) is computed then, a block of rows of one law at a time, and kept
 * in the pool so that a row picked again is not computed twice. */
#include "gdata.h"

#include <stdlib.h>
#include <string.h>
#include "collapse/rng.h"

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
    uint64_t rows[MC_GDATA_BLOCK], to[MC_GDATA_BLOCK];
} pending;

/* Computes the pending rows (mc_gdraw_rows) into the subsample ds and into the pool's x. The pool
 * is const to the callers of subsample because none of its values changes: a deferred row's value
 * was fixed by its draw's key, and storing it only saves computing it again if it is picked
 * again. */
static void flush_pending(const mc_gdata *pool, pending *q, mc_gdata *ds, double *O)
{
    mc_gdata *cache = (mc_gdata *)pool;
    size_t d = pool->d;
    if (!q->m)
        return;
    mc_gdraw_rows(&cache->draws[q->law - 1], d, q->rows, q->m, O, O + d * MC_GDATA_BLOCK);
    for (size_t r = 0; r < q->m; r++) {
        double *x = cache->x + (size_t)q->rows[r] * d, *y = ds->x + (size_t)q->to[r] * d;
        for (size_t a = 0; a < d; a++)
            x[a] = y[a] = O[a * MC_GDATA_BLOCK + r];
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
        return mc_error_set(err, MC_EINTERNAL, "gdata: subsample of %llu rows from a pool "
                            "of %llu", (unsigned long long)k, (unsigned long long)pool->n);
    if (pool->virtual_rows)
        return mc_error_set(err, MC_EINTERNAL, "gdata: subsample of a dataset whose rows "
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
        (!(q = malloc(sizeof *q)) ||
         !(O = malloc((d * MC_GDATA_BLOCK + MC_GDRAW_SCRATCH(d)) * sizeof *O))))
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
        if (q->m == MC_GDATA_BLOCK || (q->m && q->law != law))
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
