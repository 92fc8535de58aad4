/* internal.h - the n-gram model's count structure (private to src/ngram/, its tests and bench).
 *
 * A sorted-array trie, one block per order k = 1..N:
 *   order 1 is dense: entry w is the unigram w (w < nids);
 *   order k >= 2 holds the distinct k-grams sorted lexicographically; entry e stores its last
 *   word word[e]; the k-grams that extend the (k-1)-gram p are entries child[p] .. child[p+1]-1
 *   of order k, sorted by word (so a lookup is a binary search in that range).
 * Each entry e of order k stores cum[e], the running sum of the discounted counts
 * d = max(c - D(c), 0) over its parent's range up to e (order 1: over all ids), so that d is a
 * difference of neighbours and sampling among observed continuations is a binary search.
 * A context node p of order k < N (the (k)-gram used as the context of order k + 1) stores
 * tot[p] = sum of its continuations' counts and gamma[p] = the interpolation weight of the lower
 * order, 1 - sum(d) / tot. The root (the empty context of order 1) stores tot0 and gamma0.
 */
#ifndef COLLAPSE_NGRAM_INTERNAL_H
#define COLLAPSE_NGRAM_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include "ngram.h"

typedef struct ngram_level {
    uint64_t n;       /* entries */
    uint32_t *word;   /* (n) last word; order 1: NULL (dense) */
    double *cum;      /* (n) running discounted count within the parent's range */
    uint32_t *child;  /* (n + 1) CSR into order k + 1; NULL at order N */
    uint32_t *tot;    /* (n) sum of continuation counts; NULL at order N */
    double *gamma;    /* (n) lower-order weight; NULL at order N */
    double D[3];      /* discounts D1, D2, D3+ */
    uint64_t cap;     /* allocated entries of word/cum/tot/gamma; child has cap + 1 */
    /* fit scratch: raw count, adjusted (continuation) count, a position where it occurs */
    uint32_t *raw, *adj, *rep;
} ngram_level;

struct mc_ngram_model {
    unsigned N;
    mc_ngram_smoothing smoothing;
    uint32_t nids;
    ngram_level lv[MC_NGRAM_ORDER_MAX]; /* lv[k - 1] is order k */
    uint64_t tot0;
    double gamma0;
    /* fit scratch, reused across fits: the padded stream and its sort buffers, all (L) */
    uint32_t *pad, *pos, *idprev, *idcur, *ordA, *ordB, *bucket;
    uint64_t L, Lcap, bucket_cap;
    /* sampling scratch for the full-distribution path is allocated per call */
    double topp_full; /* see mc_ngram_set_topp_full */
};

/* In a call of fewer than 64 sentences (see mc_ngram_generate), where top_p alone switches from
 * the merge over C to the full distribution: when |C| log2(|C| + 1) > factor * V (default 0.5,
 * measured on Brown). Both ways are exact and draw from the same law; 0 forces the full
 * distribution, INFINITY the merge. A test hook (the tests run both ways), hence declared here
 * rather than in ngram.h. */
void mc_ngram_set_topp_full(mc_ngram_model *m, double factor);

/* Entry of order k + 1 extending context node p of order k with word w, or -1. */
static inline int64_t ngram_find_child(const struct mc_ngram_model *m, unsigned k, uint32_t p,
                                       uint32_t w)
{
    const ngram_level *a = &m->lv[k - 1], *b = &m->lv[k];
    uint32_t lo = a->child[p], hi = a->child[p + 1];
    const uint32_t *word = b->word;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (word[mid] < w)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (lo < a->child[p + 1] && word[lo] == w) ? (int64_t)lo : -1;
}

/* Node of order j for the context c[0..j) (oldest first), or -1 when never seen. */
static inline int64_t ngram_find(const struct mc_ngram_model *m, const uint32_t *c, unsigned j)
{
    int64_t e = c[0];
    for (unsigned t = 1; t < j && e >= 0; t++)
        e = ngram_find_child(m, t, (uint32_t)e, c[t]);
    return e;
}

/* Context nodes carried along a sentence: node[j] (j = 1..N-1) is the entry of order j holding
 * the last j ids, or -1 when that j-gram was never seen; at a sentence start node[1] = <s> and
 * the rest -1. After the word w the node of order j + 1 is w's entry among node[j]'s children,
 * so moving on costs one binary search per order instead of a walk from the root. */
static inline void ngram_start(const struct mc_ngram_model *m, int64_t *node)
{
    node[1] = MC_NGRAM_BOS;
    for (unsigned j = 2; j < m->N; j++)
        node[j] = -1;
}

static inline void ngram_advance(const struct mc_ngram_model *m, int64_t *node, uint32_t w)
{
    for (unsigned j = m->N - 1; j >= 2; j--) {
        int64_t h = node[j - 1];
        node[j] = (h >= 0 && m->lv[j - 2].tot[h] > 0) ? ngram_find_child(m, j - 1, (uint32_t)h, w)
                                                      : -1;
    }
    if (m->N > 1)
        node[1] = w;
}

/* Discounted count of entry e of order k whose parent's range starts at b. */
static inline double ngram_d(const ngram_level *l, uint64_t b, uint64_t e)
{
    return e > b ? l->cum[e] - l->cum[e - 1] : l->cum[e];
}

#endif
