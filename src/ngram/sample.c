/* sample.c - generating sentences from an n-gram model.
 *
 * Default settings (temperature 1, no top-k, no top-p) sample the interpolated distribution
 * exactly without ever touching all V outcomes. Interpolated Kneser-Ney is a mixture:
 *     p_k(w | h) = sum_w' [d(hw') / c(h.)] 1{w = w'}  +  gamma(h) p_{k-1}(w | h'),
 * where sum d / c(h.) = 1 - gamma(h). So: draw u ~ U[0, c(h.)); if u < sum d (the last running
 * sum of h's range), the word is the continuation whose running-sum interval holds u (a binary
 * search, O(log c) for c continuations); otherwise back off to h' and repeat; past order 1 the
 * word is uniform over the V outcomes. One uniform per level visited: O(N log c) per token.
 *
 * Any other setting needs the normalised full distribution: we build p(. | h) over all V
 * outcomes (O(V + continuations)), raise it to 1/T, keep the top_k largest (ties to the lower
 * id), then the smallest prefix in decreasing order whose mass reaches top_p of what remains
 * (both by quickselect, O(V) expected, no sorting), and draw from what is left. Exact, but O(V)
 * per token.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "collapse/rng.h"

/* First index j in [b, e) with cum[j] > u (cum is non-decreasing, u < cum[e-1]). */
static uint64_t upper(const double *cum, uint64_t b, uint64_t e, double u)
{
    while (b < e) {
        uint64_t mid = b + (e - b) / 2;
        if (cum[mid] > u)
            e = mid;
        else
            b = mid + 1;
    }
    return b;
}

/* One token after the context whose nodes are node[1..N-1] (see ngram_advance), default
 * settings. */
static uint32_t draw_fast(gsl_rng *r, const mc_ngram_model *m, const int64_t *node)
{
    for (unsigned j = m->N - 1; j >= 1; j--) {
        int64_t h = node[j];
        if (h < 0)
            continue;
        const ngram_level *hl = &m->lv[j - 1];
        uint32_t tot = hl->tot[h];
        if (tot == 0)
            continue;
        uint64_t b = hl->child[h], e = hl->child[h + 1];
        const ngram_level *l = &m->lv[j];
        double u = gsl_rng_uniform(r) * (double)tot;
        if (u < l->cum[e - 1])
            return l->word[upper(l->cum, b, e, u)];
    }
    if (m->tot0 > 0) {
        const ngram_level *l1 = &m->lv[0];
        double u = gsl_rng_uniform(r) * (double)m->tot0;
        if (u < l1->cum[m->nids - 1])
            return (uint32_t)upper(l1->cum, 0, m->nids, u);
    }
    return 1 + (uint32_t)mc_rng_index(r, m->nids - 1);
}

typedef struct cand {
    double q;
    uint32_t w;
} cand;

/* The order of top-k and top-p: larger q first, ties to the lower id (a strict total order). */
static int before(const cand *x, const cand *y)
{
    return x->q > y->q || (x->q == y->q && x->w < y->w);
}

/* Partitions cd[lo..hi) around its middle element: returns its final index p, with every
 * element before it in [lo, p) and the rest after; *mass = sum of q over [lo, p). */
static size_t partition(cand *cd, size_t lo, size_t hi, double *mass)
{
    cand t, pivot = cd[lo + (hi - lo) / 2];
    cd[lo + (hi - lo) / 2] = cd[hi - 1];
    cd[hi - 1] = pivot;
    size_t store = lo;
    double m = 0;
    for (size_t i = lo; i + 1 < hi; i++)
        if (before(&cd[i], &pivot)) {
            m += cd[i].q;
            t = cd[i], cd[i] = cd[store], cd[store++] = t;
        }
    t = cd[store], cd[store] = cd[hi - 1], cd[hi - 1] = t;
    *mass = m;
    return store;
}

/* Moves the k first elements (in `before` order) to cd[0..k), in any order: quickselect,
 * O(n) expected. */
static void select_top(cand *cd, size_t n, size_t k)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        double m;
        size_t p = partition(cd, lo, hi, &m);
        if (k <= p)
            hi = p;
        else if (k > p + 1)
            lo = p + 1;
        else
            return;
    }
}

/* The length of the shortest prefix, in `before` order, whose mass reaches need; that prefix is
 * moved to the front of cd (in any order). Quickselect on mass, O(n) expected. */
static size_t select_mass(cand *cd, size_t n, double need)
{
    size_t lo = 0, hi = n;
    double acc = 0; /* mass of cd[0..lo), all taken, < need */
    while (hi > lo) {
        if (hi - lo == 1)
            return lo + 1;
        double m;
        size_t p = partition(cd, lo, hi, &m);
        if (acc + m >= need)
            hi = p;
        else if (acc + m + cd[p].q >= need)
            return p + 1;
        else
            acc += m + cd[p].q, lo = p + 1;
    }
    return lo;
}

/* Full distribution p(. | c) into dist[0..nids) (dist[<s>] = 0), O(V + continuations). */
static void full_dist(const mc_ngram_model *m, const uint32_t *c, size_t nc, double *dist)
{
    /* Orders whose context was seen, with their weight in the mixture, top down. */
    int64_t node[MC_NGRAM_ORDER_MAX];
    double coef = 1.0;
    unsigned top = m->N - 1 < nc ? m->N - 1 : (unsigned)nc;
    double wgt[MC_NGRAM_ORDER_MAX];
    for (unsigned j = top; j >= 1; j--) {
        int64_t h = ngram_find(m, c + nc - j, j);
        node[j] = (h >= 0 && m->lv[j - 1].tot[h] > 0) ? h : -1;
        if (node[j] >= 0) {
            wgt[j] = coef / (double)m->lv[j - 1].tot[h];
            coef *= m->lv[j - 1].gamma[h];
        }
    }
    double w1 = 0;
    if (m->tot0 > 0) {
        w1 = coef / (double)m->tot0;
        coef *= m->gamma0;
    }
    double base = coef / (double)(m->nids - 1);
    for (uint32_t w = 0; w < m->nids; w++)
        dist[w] = base + (w1 > 0 ? w1 * ngram_d(&m->lv[0], 0, w) : 0.0);
    dist[MC_NGRAM_BOS] = 0;
    for (unsigned j = 1; j <= top; j++) {
        if (node[j] < 0)
            continue;
        const ngram_level *hl = &m->lv[j - 1], *l = &m->lv[j];
        uint64_t b = hl->child[node[j]], e = hl->child[node[j] + 1];
        for (uint64_t x = b; x < e; x++)
            dist[l->word[x]] += wgt[j] * ngram_d(l, b, x);
    }
}

/* One token with temperature / top-k / top-p, from the full distribution. */
static uint32_t draw_full(gsl_rng *r, const mc_ngram_model *m, const mc_sampling *s,
                          const uint32_t *c, size_t nc, double *dist, cand *cd)
{
    full_dist(m, c, nc, dist);
    size_t n = 0;
    double inv_t = 1.0 / s->temperature;
    for (uint32_t w = 1; w < m->nids; w++)
        if (dist[w] > 0) {
            cd[n].q = inv_t == 1.0 ? dist[w] : exp(inv_t * log(dist[w]));
            cd[n].w = w;
            n++;
        }
    if (s->top_k == 1) { /* greedy: a scan, ties to the lower id */
        size_t best = 0;
        for (size_t x = 1; x < n; x++)
            if (cd[x].q > cd[best].q)
                best = x;
        return cd[best].w;
    }
    if (s->top_k > 0 && (size_t)s->top_k < n) {
        select_top(cd, n, (size_t)s->top_k);
        n = (size_t)s->top_k;
    }
    double total = 0;
    for (size_t x = 0; x < n; x++)
        total += cd[x].q;
    if (s->top_p < 1) {
        n = select_mass(cd, n, s->top_p * total);
        total = 0;
        for (size_t x = 0; x < n; x++)
            total += cd[x].q;
    }
    double u = gsl_rng_uniform(r) * total, run = 0;
    for (size_t x = 0; x < n; x++) {
        run += cd[x].q;
        if (u < run)
            return cd[x].w;
    }
    return cd[n - 1].w;
}

int mc_ngram_generate(gsl_rng *r, const mc_ngram_model *m, const mc_sampling *s, uint64_t nsent,
                      size_t max_len, mc_ngram_ds *out, mc_error *err)
{
    static const mc_sampling dflt = {1.0, 0, 1.0, 0, 0};
    if (!s)
        s = &dflt;
    if (!(s->temperature > 0) || s->top_k < 0 || !(s->top_p > 0 && s->top_p <= 1))
        return mc_error_set(err, MC_ECONFIG,
                            "ngram: sampling needs temperature > 0, top_k >= 0, 0 < top_p <= 1");
    if (max_len == 0)
        return mc_error_set(err, MC_ECONFIG, "ngram: maximum sentence length must be >= 1");
    int fast = s->temperature == 1.0 && s->top_k == 0 && s->top_p >= 1.0;
    double *dist = NULL;
    cand *cd = NULL;
    uint32_t *sent = malloc((max_len + 1) * sizeof *sent);
    if (!sent)
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    if (!fast) {
        dist = malloc((size_t)m->nids * sizeof *dist);
        cd = malloc((size_t)m->nids * sizeof *cd);
        if (!dist || !cd) {
            free(sent);
            free(dist);
            free(cd);
            return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
        }
    }
    int rc = MC_OK;
    int64_t node[MC_NGRAM_ORDER_MAX + 1];
    for (uint64_t k = 0; k < nsent && !rc; k++) {
        size_t len = 0;
        sent[0] = MC_NGRAM_BOS;
        ngram_start(m, node);
        while (len < max_len) {
            uint32_t w;
            if (fast) {
                w = draw_fast(r, m, node);
                ngram_advance(m, node, w);
            } else {
                size_t nc = len + 1, keep = m->N - 1;
                const uint32_t *c = sent + (nc > keep ? nc - keep : 0);
                w = draw_full(r, m, s, c, nc > keep ? keep : nc, dist, cd);
            }
            if (w == MC_NGRAM_EOS)
                break;
            sent[++len] = w;
        }
        if (mc_ngram_ds_push(out, sent + 1, len, 0))
            rc = mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    }
    free(sent);
    free(dist);
    free(cd);
    return rc;
}
