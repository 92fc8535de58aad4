/* model.c - counting n-grams and interpolated modified Kneser-Ney estimation.
 *
 * Counting. Each sentence is padded as <s> w1 .. wm </s> into one stream of L ids. The k-grams
 * are the windows of k ids inside a sentence that end on a word or </s>. The window of order k
 * ending at position i is (window of order k-1 ending at i-1, id at i), so if id_{k-1}[i] is the
 * rank of the order-(k-1) window ending at i among the sorted distinct (k-1)-grams, sorting the
 * windows of order k by the pair (id_{k-1}[i-1], id[i]) sorts them lexicographically. Two stable
 * counting sorts (LSD radix: by word, then by prefix rank) do it in O(L + V + M_{k-1}); runs of
 * equal keys are the distinct k-grams, numbered in sorted order, which gives id_k for the next
 * order, the trie's CSR ranges (children of a (k-1)-gram are contiguous), and a position where
 * each k-gram occurs. No hashing and no allocation per n-gram.
 *
 * Smoothing (Chen & Goodman, TR-10-98, 1998, section 3; Kneser & Ney, ICASSP 1995). With c the
 * count of an n-gram at its order,
 *     p_k(w | h) = max(c(hw) - D_k(c(hw)), 0) / c(h.) + gamma(h) p_{k-1}(w | h'),
 *     gamma(h)   = (D_k1 N1(h.) + D_k2 N2(h.) + D_k3+ N3+(h.)) / c(h.)
 *                = 1 - sum_w max(c(hw) - D, 0) / c(h.)           (every D(c) <= c),
 *     p_0(w)     = 1 / V                                        (uniform over the V outcomes),
 * and p_k(w | h) = p_{k-1}(w | h') when c(h.) = 0. The highest order N uses raw counts; every
 * lower order uses continuation counts N1+(. h w) (the number of distinct words seen before hw),
 * except n-grams beginning with <s>, which cannot be extended to the left and keep their raw
 * count (as in SRILM and KenLM). Discounts per order from the counts-of-counts n1..n4 of the
 * counts used at that order:
 *     Y = n1 / (n1 + 2 n2),  D1 = 1 - 2Y n2/n1,  D2 = 2 - 3Y n3/n2,  D3+ = 3 - 4Y n4/n3.
 * When one of n1..n4 is zero (tiny or collapsed corpora) these are undefined, and on text a model
 * generated they can leave (0, j] (D3+ < 0 when n4 is large against n3: KenLM refuses to build
 * then). In both cases we use the single absolute discount D = Y for all three (Ney, Essen &
 * Kneser 1994), or D = 1/2 when there is no singleton. Every D is then > 0, so gamma(h) > 0 for
 * every seen context and no word ever has probability 0: a discount of 0 would make the
 * held-out perplexity infinite, which a smoothed model must never be.
 * Unsmoothed maximum likelihood: raw counts at every order, D = 0, so gamma = 0 wherever the
 * context was seen; an unseen context backs off to the next shorter one.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"

int mc_ngram_alloc(unsigned order, mc_ngram_smoothing smoothing, uint32_t nids,
                   mc_ngram_model **out, mc_error *err)
{
    *out = NULL;
    if (order < 1 || order > MC_NGRAM_ORDER_MAX)
        return mc_error_set(err, MC_ECONFIG, "ngram: order %u outside 1..%d", order,
                            MC_NGRAM_ORDER_MAX);
    if (nids < MC_NGRAM_FIRST_WORD || nids == UINT32_MAX)
        return mc_error_set(err, MC_ECONFIG, "ngram: %u token ids: need at least %d", nids,
                            MC_NGRAM_FIRST_WORD);
    if (smoothing != MC_NGRAM_KN && smoothing != MC_NGRAM_ML)
        return mc_error_set(err, MC_ECONFIG, "ngram: unknown smoothing %d", (int)smoothing);
    mc_ngram_model *m = calloc(1, sizeof *m);
    if (!m)
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    m->N = order;
    m->smoothing = smoothing;
    m->nids = nids;
    m->topp_full = 0.5;
    *out = m;
    return MC_OK;
}

void mc_ngram_free(mc_ngram_model *m)
{
    if (!m)
        return;
    for (unsigned k = 0; k < MC_NGRAM_ORDER_MAX; k++) {
        ngram_level *l = &m->lv[k];
        free(l->word);
        free(l->cum);
        free(l->child);
        free(l->tot);
        free(l->gamma);
        free(l->raw);
        free(l->adj);
        free(l->rep);
    }
    free(m->pad);
    free(m->pos);
    free(m->idprev);
    free(m->idcur);
    free(m->ordA);
    free(m->ordB);
    free(m->bucket);
    free(m);
}

unsigned mc_ngram_order(const mc_ngram_model *m) { return m->N; }
uint32_t mc_ngram_nids(const mc_ngram_model *m) { return m->nids; }

void mc_ngram_discounts(const mc_ngram_model *m, unsigned k, double d[3])
{
    for (int j = 0; j < 3; j++)
        d[j] = (k >= 1 && k <= m->N) ? m->lv[k - 1].D[j] : NAN;
}

uint64_t mc_ngram_entries(const mc_ngram_model *m, unsigned k)
{
    return (k >= 1 && k <= m->N) ? m->lv[k - 1].n : 0;
}

size_t mc_ngram_bytes(const mc_ngram_model *m)
{
    size_t b = sizeof *m + (size_t)m->Lcap * 6 * sizeof(uint32_t) +
               (size_t)m->bucket_cap * sizeof(uint32_t);
    for (unsigned k = 0; k < m->N; k++) {
        const ngram_level *l = &m->lv[k];
        size_t per = sizeof(double) + 3 * sizeof(uint32_t); /* cum, raw, adj, rep */
        if (k > 0)
            per += sizeof(uint32_t);
        if (k + 1 < m->N)
            per += 2 * sizeof(uint32_t) + sizeof(double);
        b += (size_t)l->cap * per;
    }
    return b;
}

/* ---- allocation helpers ------------------------------------------------------------------ */

static int grow_u32(uint32_t **p, uint64_t n)
{
    uint32_t *q = realloc(*p, (size_t)(n ? n : 1) * sizeof *q);
    if (!q)
        return MC_ENOMEM;
    *p = q;
    return MC_OK;
}

static int grow_f64(double **p, uint64_t n)
{
    double *q = realloc(*p, (size_t)(n ? n : 1) * sizeof *q);
    if (!q)
        return MC_ENOMEM;
    *p = q;
    return MC_OK;
}

/* Makes room for n entries at order k (1-based). */
static int level_reserve(mc_ngram_model *m, unsigned k, uint64_t n)
{
    ngram_level *l = &m->lv[k - 1];
    if (n <= l->cap && l->cum)
        return MC_OK;
    uint64_t cap = n + n / 4 + 16;
    int rc = grow_f64(&l->cum, cap) || grow_u32(&l->raw, cap) || grow_u32(&l->adj, cap) ||
             grow_u32(&l->rep, cap);
    if (!rc && k > 1)
        rc = grow_u32(&l->word, cap);
    if (!rc && k < m->N)
        rc = grow_u32(&l->child, cap + 1) || grow_u32(&l->tot, cap) || grow_f64(&l->gamma, cap);
    if (rc)
        return MC_ENOMEM;
    l->cap = cap;
    return MC_OK;
}

static int scratch_reserve(mc_ngram_model *m, uint64_t L)
{
    if (L > m->Lcap || !m->pad) {
        uint64_t cap = L + L / 4 + 16;
        if (grow_u32(&m->pad, cap) || grow_u32(&m->pos, cap) || grow_u32(&m->idprev, cap) ||
            grow_u32(&m->idcur, cap) || grow_u32(&m->ordA, cap) || grow_u32(&m->ordB, cap))
            return MC_ENOMEM;
        m->Lcap = cap;
    }
    return MC_OK;
}

static int bucket_reserve(mc_ngram_model *m, uint64_t n)
{
    if (n + 1 > m->bucket_cap) {
        if (grow_u32(&m->bucket, n + 1))
            return MC_ENOMEM;
        m->bucket_cap = n + 1;
    }
    return MC_OK;
}

/* Stable counting sort of the positions in[0..cnt) by key(pos) in [0, nkeys) into out. */
static void counting_sort(uint32_t *bucket, uint64_t nkeys, const uint32_t *in, uint64_t cnt,
                          uint32_t *out, const uint32_t *keyarr, int64_t shift)
{
    memset(bucket, 0, (size_t)(nkeys + 1) * sizeof *bucket);
    for (uint64_t t = 0; t < cnt; t++)
        bucket[keyarr[(int64_t)in[t] + shift] + 1]++;
    for (uint64_t j = 1; j <= nkeys; j++)
        bucket[j] += bucket[j - 1];
    for (uint64_t t = 0; t < cnt; t++)
        out[bucket[keyarr[(int64_t)in[t] + shift]]++] = in[t];
}

/* ---- discounts --------------------------------------------------------------------------- */

static void set_discounts(ngram_level *l, mc_ngram_smoothing sm, const uint64_t nn[5])
{
    if (sm == MC_NGRAM_ML) {
        l->D[0] = l->D[1] = l->D[2] = 0;
        return;
    }
    double n1 = (double)nn[1], n2 = (double)nn[2], n3 = (double)nn[3], n4 = (double)nn[4];
    double Y = n1 > 0 ? n1 / (n1 + 2 * n2) : 0.5;
    int ok = n1 > 0 && n2 > 0 && n3 > 0 && n4 > 0;
    if (ok) {
        l->D[0] = 1 - 2 * Y * n2 / n1;
        l->D[1] = 2 - 3 * Y * n3 / n2;
        l->D[2] = 3 - 4 * Y * n4 / n3;
        for (int j = 0; j < 3; j++)
            ok &= l->D[j] > 0 && l->D[j] <= j + 1;
    }
    if (!ok)
        l->D[0] = l->D[1] = l->D[2] = Y;
}

static double discount(const ngram_level *l, uint32_t c)
{
    return c >= 3 ? l->D[2] : c == 2 ? l->D[1] : c == 1 ? l->D[0] : 0.0;
}

/* ---- fit --------------------------------------------------------------------------------- */

/* The count an entry uses at its order: raw at the top order, for ML, and for n-grams starting
 * with <s>; the continuation count otherwise. */
static uint32_t used_count(const mc_ngram_model *m, unsigned k, uint64_t e)
{
    const ngram_level *l = &m->lv[k - 1];
    if (k == m->N || m->smoothing == MC_NGRAM_ML)
        return l->raw[e];
    if (k == 1)
        return e == MC_NGRAM_BOS ? 0 : l->adj[e];
    return m->pos[l->rep[e]] == k - 1 ? l->raw[e] : l->adj[e];
}

/* Estimates order k from its counts: discounts, cum, and its parents' tot and gamma. */
static void estimate(mc_ngram_model *m, unsigned k)
{
    ngram_level *l = &m->lv[k - 1];
    uint64_t nn[5] = {0};
    for (uint64_t e = 0; e < l->n; e++) {
        uint32_t c = used_count(m, k, e);
        if (c >= 1 && c <= 4)
            nn[c]++;
    }
    set_discounts(l, m->smoothing, nn);
    /* Parents: the root for order 1, the entries of order k-1 otherwise. */
    uint64_t np = k == 1 ? 1 : m->lv[k - 2].n;
    for (uint64_t p = 0; p < np; p++) {
        uint64_t b = k == 1 ? 0 : m->lv[k - 2].child[p];
        uint64_t e_end = k == 1 ? l->n : m->lv[k - 2].child[p + 1];
        uint64_t tot = 0;
        double run = 0;
        for (uint64_t e = b; e < e_end; e++) {
            uint32_t c = used_count(m, k, e);
            tot += c;
            if (c > 0)
                run += fmax((double)c - discount(l, c), 0.0);
            l->cum[e] = run;
        }
        double gamma = tot > 0 ? fmax(1.0 - run / (double)tot, 0.0) : 0.0;
        if (k == 1) {
            m->tot0 = tot;
            m->gamma0 = gamma;
        } else {
            m->lv[k - 2].tot[p] = (uint32_t)tot;
            m->lv[k - 2].gamma[p] = gamma;
        }
    }
}

/* The padded stream <s> w1 .. wm </s> of every sentence in m->pad, and each position's offset
 * in its sentence in m->pos (both (L)). A word id outside 2..nids-1 is MC_EDATA. */
static int pad_stream(mc_ngram_model *m, const mc_ngram_ds *ds, mc_error *err)
{
    uint64_t i = 0;
    for (uint64_t s = 0; s < ds->nsent; s++) {
        m->pad[i] = MC_NGRAM_BOS;
        m->pos[i++] = 0;
        uint32_t p = 1;
        for (uint64_t t = ds->start[s]; t < ds->start[s + 1]; t++) {
            uint32_t w = ds->tok[t];
            if (w <= MC_NGRAM_EOS || w >= m->nids)
                return mc_error_set(err, MC_EDATA, "ngram: token id %u outside %d..%u", w,
                                    MC_NGRAM_EOS + 1, m->nids - 1);
            m->pad[i] = w;
            m->pos[i++] = p++;
        }
        m->pad[i] = MC_NGRAM_EOS;
        m->pos[i++] = p;
    }
    return MC_OK;
}

/* Order 1 (dense): raw counts of every id but <s>, a position of each; and the rank of the
 * 1-gram ending at each position (its id) in m->idprev, for order 2. */
static void count_order1(mc_ngram_model *m)
{
    uint64_t L = m->L;
    ngram_level *l1 = &m->lv[0];
    l1->n = m->nids;
    memset(l1->raw, 0, (size_t)m->nids * sizeof *l1->raw);
    memset(l1->adj, 0, (size_t)m->nids * sizeof *l1->adj);
    for (uint64_t t = 0; t < L; t++) {
        l1->raw[m->pad[t]]++;
        l1->rep[m->pad[t]] = (uint32_t)t;
    }
    l1->raw[MC_NGRAM_BOS] = 0;
    memcpy(m->idprev, m->pad, (size_t)L * sizeof *m->pad);
}

/* Order k >= 2 from order k - 1: the windows ending at each position that fit in the sentence,
 * sorted by (rank of their (k-1)-gram prefix, last word) with two counting sorts, O(L + V);
 * runs of equal keys are the distinct k-grams, in lexicographic order. Fills order k's words,
 * raw counts and positions, order k-1's children (CSR) and continuation counts, and the rank of
 * the k-gram ending at each position (m->idprev, for order k + 1). */
static int count_order(mc_ngram_model *m, unsigned k, mc_error *err)
{
    uint64_t L = m->L;
    ngram_level *pl = &m->lv[k - 2];
    /* Valid windows: those that fit in the sentence. */
    uint64_t cnt = 0;
    for (uint64_t t = 0; t < L; t++)
        if (m->pos[t] >= k - 1)
            m->ordB[cnt++] = (uint32_t)t;
    if (bucket_reserve(m, pl->n > m->nids ? pl->n : m->nids))
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    counting_sort(m->bucket, m->nids, m->ordB, cnt, m->ordA, m->pad, 0);
    counting_sort(m->bucket, pl->n, m->ordA, cnt, m->ordB, m->idprev, -1);
    /* Distinct k-grams: runs of equal (prefix rank, word). */
    uint64_t groups = 0;
    uint32_t pk = UINT32_MAX, pw = UINT32_MAX; /* the previous key (no id is UINT32_MAX) */
    for (uint64_t t = 0; t < cnt; t++) {
        uint32_t a = m->ordB[t], k1 = m->idprev[a - 1], w = m->pad[a];
        groups += k1 != pk || w != pw;
        pk = k1, pw = w;
    }
    if (level_reserve(m, k, groups))
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    ngram_level *l = &m->lv[k - 1];
    l->n = groups;
    memset(pl->child, 0, (size_t)(pl->n + 1) * sizeof *pl->child);
    int64_t g = -1;
    pk = pw = UINT32_MAX;
    for (uint64_t t = 0; t < cnt; t++) {
        uint32_t a = m->ordB[t], k1 = m->idprev[a - 1], w = m->pad[a];
        if (k1 != pk || w != pw) {
            g++;
            l->word[g] = w;
            l->raw[g] = 0;
            l->adj[g] = 0;
            l->rep[g] = a;
            pl->child[k1 + 1]++;
            pk = k1, pw = w;
        }
        l->raw[g]++;
        m->idcur[a] = (uint32_t)g;
    }
    for (uint64_t p = 1; p <= pl->n; p++)
        pl->child[p] += pl->child[p - 1];
    /* Continuation counts of order k-1: one per distinct k-gram, credited to its suffix. */
    for (uint64_t e = 0; e < groups; e++)
        pl->adj[m->idprev[l->rep[e]]]++;
    uint32_t *tmp = m->idprev;
    m->idprev = m->idcur;
    m->idcur = tmp;
    return MC_OK;
}

int mc_ngram_fit(mc_ngram_model *m, const mc_ngram_ds *ds, mc_error *err)
{
    uint64_t L = ds->ntok + 2 * ds->nsent;
    if (L >= UINT32_MAX)
        return mc_error_set(err, MC_ERANGE, "ngram: %llu padded tokens; at most 2^32 - 2",
                            (unsigned long long)L);
    if (scratch_reserve(m, L) || level_reserve(m, 1, m->nids) ||
        bucket_reserve(m, m->nids))
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory for %llu tokens",
                            (unsigned long long)L);
    int rc = pad_stream(m, ds, err);
    if (rc)
        return rc;
    m->L = L;
    count_order1(m);
    for (unsigned k = 2; k <= m->N; k++)
        if ((rc = count_order(m, k, err)))
            return rc;
    for (unsigned k = 1; k <= m->N; k++)
        estimate(m, k);
    return MC_OK;
}

/* ---- probabilities ----------------------------------------------------------------------- */

/* p(w | c[0..nc)), context oldest first; the workhorse of prob and perplexity. */
static double prob(const mc_ngram_model *m, const uint32_t *c, size_t nc, uint32_t w)
{
    double p = 1.0 / (double)(m->nids - 1);
    if (m->tot0 > 0)
        p = ngram_d(&m->lv[0], 0, w) / (double)m->tot0 + m->gamma0 * p;
    for (unsigned k = 2; k <= m->N; k++) {
        unsigned j = k - 1; /* context length */
        if (nc < j)
            break;
        int64_t h = ngram_find(m, c + nc - j, j);
        if (h < 0)
            break;
        const ngram_level *hl = &m->lv[j - 1];
        uint32_t tot = hl->tot[h];
        if (tot == 0)
            continue;
        double d = 0;
        int64_t e = ngram_find_child(m, j, (uint32_t)h, w);
        if (e >= 0)
            d = ngram_d(&m->lv[k - 1], hl->child[h], (uint64_t)e);
        p = d / (double)tot + hl->gamma[h] * p;
    }
    return p;
}

double mc_ngram_prob(const mc_ngram_model *m, const uint32_t *ctx, size_t nctx, uint32_t w)
{
    if (w == MC_NGRAM_BOS || w >= m->nids)
        return 0.0;
    return prob(m, ctx, nctx, w);
}

/* p(w | the context of node[]), and node[] moved on past w (see ngram_advance): the search for
 * w among a context's continuations gives both the count and the next context. */
static double step(const mc_ngram_model *m, int64_t *node, uint32_t w)
{
    double p = 1.0 / (double)(m->nids - 1);
    if (m->tot0 > 0)
        p = ngram_d(&m->lv[0], 0, w) / (double)m->tot0 + m->gamma0 * p;
    int64_t next[MC_NGRAM_ORDER_MAX + 1];
    for (unsigned k = 2; k <= m->N; k++) {
        int64_t h = node[k - 1], e = -1;
        if (h >= 0) {
            const ngram_level *hl = &m->lv[k - 2];
            uint32_t tot = hl->tot[h];
            if (tot > 0) {
                e = ngram_find_child(m, k - 1, (uint32_t)h, w);
                double d = e >= 0 ? ngram_d(&m->lv[k - 1], hl->child[h], (uint64_t)e) : 0.0;
                p = d / (double)tot + hl->gamma[h] * p;
            }
        }
        next[k] = e;
    }
    for (unsigned k = 2; k < m->N; k++)
        node[k] = next[k];
    if (m->N > 1)
        node[1] = w;
    return p;
}

double mc_ngram_logprob(const mc_ngram_model *m, const mc_ngram_ds *ds, uint64_t *tokens)
{
    int64_t node[MC_NGRAM_ORDER_MAX + 1];
    double logp = 0;
    uint64_t T = 0;
    for (uint64_t s = 0; s < ds->nsent; s++) {
        ngram_start(m, node);
        uint64_t b = ds->start[s], e = ds->start[s + 1];
        for (uint64_t t = b; t <= e; t++) {
            uint32_t w = t < e ? ds->tok[t] : MC_NGRAM_EOS;
            if (w >= m->nids || w == MC_NGRAM_BOS)
                w = MC_NGRAM_UNK;
            logp += log(step(m, node, w));
            T++;
        }
    }
    *tokens = T;
    return logp;
}

double mc_ngram_perplexity(const mc_ngram_model *m, const mc_ngram_ds *ds, uint64_t *tokens)
{
    uint64_t T;
    double logp = mc_ngram_logprob(m, ds, &T);
    if (tokens)
        *tokens = T;
    if (T == 0)
        return NAN;
    return exp(-logp / (double)T);
}
