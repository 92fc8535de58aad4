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
 * Other settings are sampled exactly as well. A call of 64 sentences or more prepares per-context
 * sums and orders once (levels_init, levels_sort), after which a temperature alone costs O(N)
 * per word (draw_levels), a top_k a k-way merge of N sorted streams (draw_levels_topk) and top_p
 * alone a selection over them (draw_levels_topp). A shorter call works from the observed
 * continuations C of the seen contexts and the unigram level: a temperature alone (draw_temp), a
 * top_k with any temperature and top_p (draw_topk), top_p alone by merging C, sorted, with the
 * other words in unigram order (draw_topp) or, when C is large, from the normalised full
 * distribution (draw_full: p(. | h) over all V outcomes raised to 1/T, then the smallest prefix in
 * decreasing order whose mass reaches top_p, by quickselect). docs/THEORY.md states the math.
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

/* The last step of top-k / top-p over candidates cd[0..n) (n >= 1): keep the shortest prefix, in
 * `before` order, whose mass reaches top_p of theirs (quickselect on mass), then draw one of the
 * kept in proportion to q. */
static uint32_t draw_kept(gsl_rng *r, cand *cd, size_t n, double top_p)
{
    double total = 0;
    for (size_t x = 0; x < n; x++)
        total += cd[x].q;
    if (top_p < 1) {
        n = select_mass(cd, n, top_p * total);
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
    return draw_kept(r, cd, n, s->top_p);
}

/* Temperature alone, exactly and without O(V) work per word. Let C be the words observed after
 * the seen contexts of the current word (orders 2..N) and A the product of their gammas: a word
 * outside C has p(w) = A p1(w), so with a = 1/T
 *     Z = sum_{w in C} p(w)^a + A^a (S1 - sum_{w in C} p1(w)^a),   S1 = sum_w p1(w)^a,
 * S1 and the running sums of p1^a being computed once per call. A draw picks C with probability
 * sum_C q / Z and then a word of C in proportion to p(w)^a; otherwise a word from p1^a by binary
 * search in the running sums, redrawn while it falls in C (after 64 misses, a scan of the rest). */
typedef struct temp_state {
    double a;       /* 1 / T */
    double *cum1a;  /* (nids) running sum of p1(w)^a, p1(<s>) = 0 */
    double *p1a;    /* (nids) p1(w)^a */
    double *acc;    /* (nids) scratch, zero outside a draw */
    uint8_t *in;    /* (nids) membership in C, zero outside a draw */
    uint32_t *list; /* (nids) the words of C */
    uint32_t *order1; /* (nids - 1) the outcomes by decreasing p1, ties to the lower id (top-k) */
    uint32_t *rank1;  /* (nids) position of w in order1 (top-p) */
    double *P1;       /* (nids) P1[i] = sum of p1^a over order1[0..i) (top-p) */
    uint32_t *byrank; /* (nids) scratch: the ranks of C's words (top-p) */
} temp_state;

static double p1(const mc_ngram_model *m, uint32_t w)
{
    double u = 1.0 / (double)(m->nids - 1);
    if (w == MC_NGRAM_BOS)
        return 0;
    return m->tot0 > 0 ? ngram_d(&m->lv[0], 0, w) / (double)m->tot0 + m->gamma0 * u : u;
}

static int cmp_before(const void *x, const void *y)
{
    return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

/* Ascending w (cand used as a (value, position) pair). */
static int cmp_at(const void *x, const void *y)
{
    uint32_t a = ((const cand *)x)->w, b = ((const cand *)y)->w;
    return (a > b) - (a < b);
}

static int temp_init(const mc_ngram_model *m, double temperature, int ordered, temp_state *t)
{
    t->a = 1.0 / temperature;
    t->cum1a = malloc((size_t)m->nids * sizeof *t->cum1a);
    t->p1a = malloc((size_t)m->nids * sizeof *t->p1a);
    t->acc = calloc(m->nids, sizeof *t->acc);
    t->in = calloc(m->nids, 1);
    t->list = malloc((size_t)m->nids * sizeof *t->list);
    if (!t->cum1a || !t->p1a || !t->acc || !t->in || !t->list)
        return MC_ENOMEM;
    double run = 0;
    for (uint32_t w = 0; w < m->nids; w++) {
        double p = p1(m, w);
        t->p1a[w] = p > 0 ? pow(p, t->a) : 0;
        run += t->p1a[w];
        t->cum1a[w] = run;
    }
    if (ordered) {
        cand *c = malloc((size_t)m->nids * sizeof *c);
        if (!c || !(t->order1 = malloc((size_t)m->nids * sizeof *t->order1))) {
            free(c);
            return MC_ENOMEM;
        }
        for (uint32_t w = 1; w < m->nids; w++)
            c[w - 1] = (cand){t->p1a[w], w};
        qsort(c, m->nids - 1, sizeof *c, cmp_before);
        for (uint32_t i = 0; i + 1 < m->nids; i++)
            t->order1[i] = c[i].w;
        free(c);
        t->rank1 = malloc((size_t)m->nids * sizeof *t->rank1);
        t->P1 = malloc((size_t)m->nids * sizeof *t->P1);
        t->byrank = malloc((size_t)m->nids * sizeof *t->byrank);
        if (!t->rank1 || !t->P1 || !t->byrank)
            return MC_ENOMEM;
        t->rank1[MC_NGRAM_BOS] = m->nids - 1; /* past the end: never an outcome */
        t->P1[0] = 0;
        for (uint32_t i = 0; i + 1 < m->nids; i++) {
            t->rank1[t->order1[i]] = i;
            t->P1[i + 1] = t->P1[i] + t->p1a[t->order1[i]];
        }
    }
    return MC_OK;
}

static void temp_free(temp_state *t)
{
    free(t->cum1a);
    free(t->p1a);
    free(t->acc);
    free(t->in);
    free(t->list);
    free(t->order1);
    free(t->rank1);
    free(t->P1);
    free(t->byrank);
}

/* Gathers C, the words observed after the seen contexts of node[] (orders 2..N), into t->list
 * (with t->in set), their interpolated mass from those orders into t->acc; returns A, the product
 * of the contexts' gammas, so that p(w) = acc[w] + A p1(w) for every w (acc = 0 outside C). */
static double gather(const mc_ngram_model *m, const int64_t *node, temp_state *t, size_t *nC)
{
    double A = 1;
    size_t n = 0;
    for (unsigned j = m->N - 1; j >= 1; j--) { /* top down: weights are products of gammas */
        int64_t h = node[j];
        if (h < 0 || m->lv[j - 1].tot[h] == 0)
            continue;
        const ngram_level *hl = &m->lv[j - 1], *l = &m->lv[j];
        double wgt = A / (double)hl->tot[h];
        uint64_t b = hl->child[h], e = hl->child[h + 1];
        for (uint64_t x = b; x < e; x++) {
            uint32_t w = l->word[x];
            if (!t->in[w]) {
                t->in[w] = 1;
                t->list[n++] = w;
            }
            t->acc[w] += wgt * ngram_d(l, b, x);
        }
        A *= hl->gamma[h];
    }
    *nC = n;
    return A;
}

static void release(temp_state *t, size_t nC)
{
    for (size_t i = 0; i < nC; i++) {
        t->acc[t->list[i]] = 0;
        t->in[t->list[i]] = 0;
    }
}

static uint32_t draw_temp(gsl_rng *r, const mc_ngram_model *m, const int64_t *node, temp_state *t)
{
    size_t nC;
    double A = gather(m, node, t, &nC);
    double sumC = 0, sumC1 = 0;
    for (size_t i = 0; i < nC; i++) {
        uint32_t w = t->list[i];
        double q1 = p1(m, w), p = t->acc[w] + A * q1;
        t->acc[w] = pow(p, t->a); /* acc now holds q = p^a */
        sumC += t->acc[w];
        sumC1 += t->p1a[w];
    }
    double S1 = t->cum1a[m->nids - 1];
    double rest = A > 0 ? pow(A, t->a) * fmax(S1 - sumC1, 0) : 0;
    double u = gsl_rng_uniform(r) * (sumC + rest);
    uint32_t pick = UINT32_MAX;
    if (u < sumC || rest <= 0) {
        double run = 0;
        for (size_t i = 0; i < nC && pick == UINT32_MAX; i++) {
            run += t->acc[t->list[i]];
            if (u < run)
                pick = t->list[i];
        }
        if (pick == UINT32_MAX) /* rounding at the top end */
            pick = t->list[nC - 1];
    } else {
        for (int tries = 0; tries < 64 && pick == UINT32_MAX; tries++) {
            uint32_t w = (uint32_t)upper(t->cum1a, 0, m->nids, gsl_rng_uniform(r) * S1);
            if (w < m->nids && !t->in[w])
                pick = w;
        }
        if (pick == UINT32_MAX) { /* C holds nearly all of p1^a: scan the rest */
            double v = gsl_rng_uniform(r) * fmax(S1 - sumC1, 0), run = 0;
            uint32_t last = UINT32_MAX;
            for (uint32_t w = 1; w < m->nids && pick == UINT32_MAX; w++) {
                if (t->in[w])
                    continue;
                run += t->p1a[w];
                last = w;
                if (v < run)
                    pick = w;
            }
            if (pick == UINT32_MAX)
                pick = last != UINT32_MAX ? last : t->list[0];
        }
    }
    release(t, nC);
    return pick;
}

/* Temperature alone, in O(N) per word after an O(entries) preparation per call (levels_init).
 * Write P_j(w | h) for the interpolated probability at context order j (P_0 = p1), and h_j for
 * the current context of order j. Seen contexts are nested (a continuation of h_(j+1) is one of
 * h_j), so every word w has a deepest order L(w) whose context it continues, and
 *     p(w) = c_j P_j(w | h_j)   for L(w) = j,   c_top = 1, c_(j-1) = c_j gamma(h_j).
 * The words of order j, G_j = cont(h_j) \ cont(h_(j+1)), therefore carry the mass
 *     c_j^a (S_j(h_j) - R_(j+1)(h_(j+1))),   S_j(h) = sum_(w in cont(h)) P_j(w | h)^a,
 *                                             R_(j+1)(h') = sum_(w in cont(h')) P_j(w | suffix h')^a,
 * both fixed per context node and computed once per call. A draw picks an order j in proportion
 * to those masses, then a word of cont(h_j) in proportion to P_j^a (binary search in the running
 * sums), redrawn while it continues h_(j+1) (after 64 misses, a scan). Exact. */
typedef struct levels {
    double *cum[MC_NGRAM_ORDER_MAX + 1]; /* [k] (entries of order k): running sum of P^a within
                                            the parent's range (k >= 2) */
    double *R[MC_NGRAM_ORDER_MAX + 1];   /* [k] (context nodes of order k): R_k, k >= 1 */
    uint32_t *suf[MC_NGRAM_ORDER_MAX + 1]; /* [k] (entries of order k): the entry of order k - 1
                                              for the same word after the parent's suffix */
    /* levels_sort, for top_k and top_p (entries of order k >= 2, within each parent's range): */
    uint32_t *sorted[MC_NGRAM_ORDER_MAX + 1]; /* the entries by decreasing P, ties to the lower
                                                 word */
    double *scum[MC_NGRAM_ORDER_MAX + 1];     /* running sum of P^a in that order */
    uint32_t *pos[MC_NGRAM_ORDER_MAX + 1];    /* position of each entry in that order */
    /* excl[k] / ecum[k] (entries of order k): the parent's continuations as positions in the
     * order of the parent's suffix's continuations (order1 for k = 2), ascending, and the
     * running sum of their lower-order P^a in that order */
    uint32_t *excl[MC_NGRAM_ORDER_MAX + 1];
    double *ecum[MC_NGRAM_ORDER_MAX + 1];
    int ok;
} levels;

static void levels_free(levels *lv)
{
    for (int k = 0; k <= MC_NGRAM_ORDER_MAX; k++) {
        free(lv->cum[k]);
        free(lv->R[k]);
        free(lv->suf[k]);
        free(lv->sorted[k]);
        free(lv->scum[k]);
        free(lv->pos[k]);
        free(lv->excl[k]);
        free(lv->ecum[k]);
    }
    memset(lv, 0, sizeof *lv);
}

/* Builds lv for exponent a (p1a: p1^a per id). MC_ENOMEM, or MC_OK with lv->ok = 0 when a
 * context's suffix is missing (counts that are not nested: the caller keeps draw_temp). */
static int levels_init(const mc_ngram_model *m, const double *p1a, double a, levels *lv)
{
    memset(lv, 0, sizeof *lv);
    unsigned N = m->N;
    double *P = NULL, *Pprev = NULL; /* P at order k - 1 and k */
    lv->ok = 1;
    if (N >= 2 && !(lv->R[1] = calloc(m->nids, sizeof(double))))
        return MC_ENOMEM;
    for (unsigned k = 2; k <= N && lv->ok; k++) {
        const ngram_level *pl = &m->lv[k - 2], *l = &m->lv[k - 1];
        uint64_t np = k == 2 ? m->nids : pl->n;
        size_t ne = (size_t)(l->n ? l->n : 1);
        lv->cum[k] = malloc(ne * sizeof(double));
        lv->suf[k] = malloc(ne * sizeof(uint32_t));
        P = malloc(ne * sizeof(double));
        if (!lv->cum[k] || !lv->suf[k] || !P ||
            (k < N && !(lv->R[k] = calloc(ne, sizeof(double))))) {
            free(P);
            free(Pprev);
            levels_free(lv);
            return MC_ENOMEM;
        }
        for (uint64_t h = 0; h < np && lv->ok; h++) {
            uint32_t tot = pl->tot[h];
            uint64_t b = pl->child[h], e = pl->child[h + 1];
            double run = 0, r = 0;
            for (uint64_t x = b; x < e; x++) {
                uint32_t w = l->word[x];
                int64_t lower = w;
                double plow = p1(m, w);
                if (k > 2) {
                    lower = ngram_find_child(m, k - 2, lv->suf[k - 1][h], w);
                    if (lower < 0) { /* counts that are not nested: keep the per-word samplers */
                        lv->ok = 0;
                        break;
                    }
                    plow = Pprev[lower];
                }
                /* as mc_ngram_prob: a context without counts leaves the lower order's value */
                P[x] = tot > 0 ? ngram_d(l, b, x) / (double)tot + pl->gamma[h] * plow : plow;
                lv->suf[k][x] = (uint32_t)lower;
                run += a == 1.0 ? P[x] : pow(P[x], a);
                lv->cum[k][x] = run;
                r += k > 2 ? (a == 1.0 ? plow : pow(plow, a)) : p1a[w];
            }
            lv->R[k - 1][h] = r;
        }
        free(Pprev);
        Pprev = P;
        P = NULL;
    }
    free(Pprev);
    return MC_OK;
}

/* P^a of entry x of order k, whose parent's range starts at b (a difference of running sums). */
static double level_q(const levels *lv, unsigned k, uint64_t b, uint64_t x)
{
    return x > b ? lv->cum[k][x] - lv->cum[k][x - 1] : lv->cum[k][x];
}

/* The orders of every parent's range, for top_k and top_p, in O(entries log) once per call: the
 * entries by (P desc, word asc) (a range sorted as (q, entry) pairs in cand's `before` order: within
 * a range the lower entry is the lower word), the running sums of P^a in that order and each
 * entry's position; then, per context node, its continuations as positions in its suffix's order
 * (order1 for a context of order 1, t->rank1), ascending, with the running sums of their
 * lower-order P^a: what a stream of the lower order must leave out. */
static int levels_sort(const mc_ngram_model *m, const temp_state *t, levels *lv)
{
    cand *c = malloc((size_t)m->nids * sizeof *c); /* a range has at most nids entries */
    if (!c)
        return MC_ENOMEM;
    for (unsigned k = 2; k <= m->N; k++) {
        const ngram_level *pl = &m->lv[k - 2], *l = &m->lv[k - 1];
        uint64_t np = k == 2 ? m->nids : pl->n;
        size_t ne = (size_t)(l->n ? l->n : 1);
        lv->sorted[k] = malloc(ne * sizeof(uint32_t));
        lv->pos[k] = malloc(ne * sizeof(uint32_t));
        lv->excl[k] = malloc(ne * sizeof(uint32_t));
        lv->scum[k] = malloc(ne * sizeof(double));
        lv->ecum[k] = malloc(ne * sizeof(double));
        if (!lv->sorted[k] || !lv->pos[k] || !lv->excl[k] || !lv->scum[k] || !lv->ecum[k]) {
            free(c);
            return MC_ENOMEM;
        }
        for (uint64_t h = 0; h < np; h++) {
            uint64_t b = pl->child[h], e = pl->child[h + 1];
            for (uint64_t x = b; x < e; x++)
                c[x - b] = (cand){level_q(lv, k, b, x), (uint32_t)x};
            qsort(c, (size_t)(e - b), sizeof *c, cmp_before);
            double run = 0;
            for (uint64_t x = b; x < e; x++) {
                lv->sorted[k][x] = c[x - b].w;
                lv->pos[k][c[x - b].w] = (uint32_t)(x - b);
                run += c[x - b].q;
                lv->scum[k][x] = run;
            }
        }
        /* exclusions: needs the order of k - 1 (done above for k - 1 >= 2, or order1) */
        for (uint64_t h = 0; h < np; h++) {
            uint64_t b = pl->child[h], e = pl->child[h + 1];
            for (uint64_t x = b; x < e; x++) {
                uint32_t lower = lv->suf[k][x];
                double q;
                uint32_t at;
                if (k == 2) {
                    at = t->rank1[lower];
                    q = t->p1a[lower];
                } else {
                    uint64_t lb = m->lv[k - 3].child[lv->suf[k - 1][h]];
                    at = lv->pos[k - 1][lower];
                    q = level_q(lv, k - 1, lb, lower);
                }
                c[x - b] = (cand){q, at};
            }
            qsort(c, (size_t)(e - b), sizeof *c, cmp_at);
            double run = 0;
            for (uint64_t x = b; x < e; x++) {
                lv->excl[k][x] = c[x - b].w;
                run += c[x - b].q;
                lv->ecum[k][x] = run;
            }
        }
    }
    free(c);
    return MC_OK;
}

/* The deepest order j (1..N-1) whose context h_j was seen with continuations, or 0. */
static unsigned deepest_seen(const mc_ngram_model *m, const int64_t *node)
{
    for (unsigned j = m->N - 1; j >= 1; j--)
        if (node[j] >= 0 && m->lv[j - 1].tot[node[j]] > 0)
            return j;
    return 0;
}

/* One stream of draw_levels_topk: the words of order j in decreasing q. */
typedef struct stream {
    uint64_t pos, end, beg; /* next position, end of the range, start of the parent's range */
    double ca;              /* c_j^a */
    double q;               /* the head's q, when live */
    uint32_t w;             /* the head's word, when live */
    int live;
} stream;

/* Moves stream j to its next word (from st->pos on) that is not of a deeper order. */
static void stream_next(const mc_ngram_model *m, const int64_t *node, unsigned top,
                        const temp_state *t, const levels *lv, unsigned j, stream *st)
{
    st->live = 0;
    for (; st->pos < st->end; st->pos++) {
        uint32_t w;
        double q;
        if (j) {
            uint32_t x = lv->sorted[j + 1][st->pos];
            w = m->lv[j].word[x];
            q = st->ca * level_q(lv, j + 1, st->beg, x);
        } else {
            w = t->order1[st->pos];
            q = st->ca * t->p1a[w];
        }
        if (q <= 0 || (j < top && ngram_find_child(m, j + 1, (uint32_t)node[j + 1], w) >= 0))
            continue;
        st->q = q, st->w = w, st->live = 1;
        return;
    }
}

/* Sets up the streams of orders top..0 at their first words; returns top, the deepest seen
 * order, and their total mass Z (see draw_levels) in *Z. */
static unsigned streams_start(const mc_ngram_model *m, const int64_t *node, const temp_state *t,
                              const levels *lv, stream *st, double *Z)
{
    unsigned top = deepest_seen(m, node);
    double c = 1, z = 0;
    for (unsigned j = top; j >= 1; j--) {
        const ngram_level *hl = &m->lv[j - 1];
        st[j].ca = c;
        st[j].beg = st[j].pos = hl->child[node[j]];
        st[j].end = hl->child[node[j] + 1];
        double S = lv->cum[j + 1][st[j].end - 1], R = j < top ? lv->R[j + 1][node[j + 1]] : 0.0;
        z += c * fmax(S - R, 0.0);
        double g = hl->gamma[node[j]];
        c *= t->a == 1.0 ? g : pow(g, t->a);
    }
    st[0].ca = c;
    st[0].beg = st[0].pos = 0;
    st[0].end = m->nids - 1;
    z += c * fmax(t->cum1a[m->nids - 1] - (top ? lv->R[1][node[1]] : 0.0), 0.0);
    for (unsigned j = 0; j <= top; j++)
        stream_next(m, node, top, t, lv, j, &st[j]);
    *Z = z;
    return top;
}

/* The stream whose head comes first (larger q, ties to the lower word), or -1 when all are
 * exhausted. */
static int streams_best(const stream *st, unsigned top)
{
    int best = -1;
    for (unsigned j = 0; j <= top; j++)
        if (st[j].live && (best < 0 || st[j].q > st[best].q ||
                           (st[j].q == st[best].q && st[j].w < st[best].w)))
            best = (int)j;
    return best;
}

/* top_k > 0 (with any temperature and top_p) after levels_init and levels_sort, in
 * O(k N log c) per word: with the words of order j (see draw_levels) carrying
 * q(w) = c_j^a P_j(w | h_j)^a, the continuations of each seen context sorted by P_j and the
 * unigram order (order1) are N streams already in decreasing q; a k-way merge (larger q first,
 * ties to the lower word) takes the k first words, skipping in each stream the words that belong
 * to a deeper order (they continue h_(j+1)); then top_p and the draw as in draw_topk. */
static uint32_t draw_levels_topk(gsl_rng *r, const mc_ngram_model *m, const mc_sampling *s,
                                 const int64_t *node, const temp_state *t, const levels *lv,
                                 cand *cd)
{
    stream st[MC_NGRAM_ORDER_MAX + 1];
    double Z;
    unsigned top = streams_start(m, node, t, lv, st, &Z);
    size_t n = 0, k = (size_t)s->top_k;
    while (n < k) {
        int best = streams_best(st, top);
        if (best < 0)
            break;
        cd[n++] = (cand){st[best].q, st[best].w};
        st[best].pos++;
        stream_next(m, node, top, t, lv, (unsigned)best, &st[best]);
    }
    return draw_kept(r, cd, n, s->top_p);
}

/* A stream of order j for top_p: positions 0..n-1 of the continuations of h_j in decreasing P_j
 * (order 0: order1), less the positions ex[0..nex) (ascending) of the words of deeper orders. */
typedef struct pstream {
    unsigned j;
    uint64_t b, n;        /* the range's start (order j + 1 entries) and length */
    double ca;            /* c_j^a */
    const uint32_t *ex;   /* positions left out */
    const double *ec;     /* running sums of the left-out positions' P_j^a */
    uint64_t nex;
} pstream;

static double ps_q(const mc_ngram_model *m, const temp_state *t, const levels *lv,
                   const pstream *ps, uint64_t i, uint32_t *w)
{
    if (!ps->j) {
        *w = t->order1[i];
        return ps->ca * t->p1a[*w];
    }
    uint32_t x = lv->sorted[ps->j + 1][ps->b + i];
    *w = m->lv[ps->j].word[x];
    return ps->ca * level_q(lv, ps->j + 1, ps->b, x);
}

/* The number of left-out positions below i. */
static uint64_t ps_nex(const pstream *ps, uint64_t i)
{
    uint64_t lo = 0, hi = ps->nex;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ps->ex[mid] < i)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int ps_left_out(const pstream *ps, uint64_t i)
{
    uint64_t c = ps_nex(ps, i);
    return c < ps->nex && ps->ex[c] == i;
}

/* Sum of P^a over positions [0, i), left-out ones included, and the mass of [0, i) without them. */
static double ps_cum(const temp_state *t, const levels *lv, const pstream *ps, uint64_t i)
{
    if (!ps->j)
        return t->P1[i];
    return i ? lv->scum[ps->j + 1][ps->b + i - 1] : 0.0;
}

static double ps_mass(const temp_state *t, const levels *lv, const pstream *ps, uint64_t i)
{
    uint64_t c = ps_nex(ps, i);
    return ps->ca * fmax(ps_cum(t, lv, ps, i) - (c ? ps->ec[c - 1] : 0.0), 0.0);
}

/* The number of positions whose word comes before (q, w) (larger q, ties to the lower word). */
static uint64_t ps_before(const mc_ngram_model *m, const temp_state *t, const levels *lv,
                          const pstream *ps, double q, uint32_t w)
{
    uint64_t lo = 0, hi = ps->n;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        uint32_t v;
        double r = ps_q(m, t, lv, ps, mid, &v);
        if (r > q || (r == q && v < w))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Sets up the streams of orders top..0 for draw_levels_topp; returns their total mass Z. */
static double ps_open(const mc_ngram_model *m, const int64_t *node, const temp_state *t,
                      const levels *lv, unsigned top, pstream *ps)
{
    double c = 1, Z = 0;
    for (unsigned j = top + 1; j-- > 0;) {
        pstream *p = &ps[j];
        p->j = j;
        p->ca = c;
        if (j) {
            const ngram_level *hl = &m->lv[j - 1];
            p->b = hl->child[node[j]];
            p->n = hl->child[node[j] + 1] - p->b;
            double g = hl->gamma[node[j]];
            c *= t->a == 1.0 ? g : pow(g, t->a);
        } else {
            p->b = 0;
            p->n = m->nids - 1;
        }
        p->ex = NULL, p->ec = NULL, p->nex = 0;
        if (j < top) { /* the continuations of h_(j+1), as positions in this order */
            const ngram_level *hl = &m->lv[j];
            uint64_t b = hl->child[node[j + 1]];
            p->ex = lv->excl[j + 2] + b;
            p->ec = lv->ecum[j + 2] + b;
            p->nex = hl->child[node[j + 1] + 1] - b;
        }
        Z += ps_mass(t, lv, p, p->n);
    }
    return Z;
}

/* The selection of draw_levels_topp: cut[j] (j = 0..top) receives the number of kept positions
 * of stream j, the shortest prefix in decreasing q whose mass reaches need. */
static void ps_find_cut(const mc_ngram_model *m, const temp_state *t, const levels *lv,
                        const pstream *ps, unsigned top, double need, uint64_t *cut)
{
    uint64_t lo[MC_NGRAM_ORDER_MAX + 1], hi[MC_NGRAM_ORDER_MAX + 1];
    if (top > MC_NGRAM_ORDER_MAX) /* never: the model's order is checked; tells -O3 the bound */
        top = MC_NGRAM_ORDER_MAX;
    for (unsigned j = 0; j <= top; j++)
        lo[j] = 0, hi[j] = cut[j] = ps[j].n;
    for (;;) {
        int p = -1;
        for (unsigned j = 0; j <= top; j++)
            if (hi[j] > lo[j] && (p < 0 || hi[j] - lo[j] > hi[p] - lo[p]))
                p = (int)j;
        if (p < 0)
            return; /* the cut is past everything (rounding): keep all */
        uint64_t pm = lo[p] + (hi[p] - lo[p]) / 2;
        while (pm < hi[p] && ps_left_out(&ps[p], pm))
            pm++;
        if (pm == hi[p]) { /* every position from the middle on is left out */
            hi[p] = lo[p] + (hi[p] - lo[p]) / 2;
            continue;
        }
        uint32_t wp;
        double qp = ps_q(m, t, lv, &ps[p], pm, &wp), B = 0;
        uint64_t at[MC_NGRAM_ORDER_MAX + 1];
        for (unsigned j = 0; j <= top; j++) {
            at[j] = (int)j == p ? pm : ps_before(m, t, lv, &ps[j], qp, wp);
            B += ps_mass(t, lv, &ps[j], at[j]);
        }
        if (B >= need) {
            for (unsigned j = 0; j <= top; j++)
                hi[j] = at[j] < hi[j] ? at[j] : hi[j];
        } else if (B + qp < need) {
            for (unsigned j = 0; j <= top; j++)
                lo[j] = at[j] > lo[j] ? at[j] : lo[j];
            lo[p] = pm + 1;
        } else {
            for (unsigned j = 0; j <= top; j++)
                cut[j] = at[j];
            cut[p] = pm + 1;
            return;
        }
    }
}

/* The draw of draw_levels_topp, among the kept positions [0, cut[j]) of every stream. */
static uint32_t ps_draw(gsl_rng *r, const mc_ngram_model *m, const temp_state *t,
                        const levels *lv, const pstream *ps, unsigned top, const uint64_t *cut)
{
    double kept[MC_NGRAM_ORDER_MAX + 1], K = 0;
    for (unsigned j = 0; j <= top; j++)
        K += kept[j] = ps_mass(t, lv, &ps[j], cut[j]);
    double u = gsl_rng_uniform(r) * K;
    unsigned j = 0;
    for (unsigned i = top + 1; i-- > 0;) {
        if (kept[i] <= 0)
            continue;
        j = i;
        if (u < kept[i])
            break;
        u -= kept[i];
    }
    const pstream *q = &ps[j];
    double S = ps_cum(t, lv, q, cut[j]);
    for (int tries = 0; tries < 64; tries++) {
        double v = gsl_rng_uniform(r) * S;
        uint64_t a = 0, b = cut[j]; /* first i with ps_cum(i + 1) > v */
        while (a < b) {
            uint64_t mid = a + (b - a) / 2;
            if (ps_cum(t, lv, q, mid + 1) > v)
                b = mid;
            else
                a = mid + 1;
        }
        uint32_t w;
        if (a < cut[j] && !ps_left_out(q, a) && ps_q(m, t, lv, q, a, &w) > 0)
            return w;
    }
    double v = gsl_rng_uniform(r) * kept[j], run = 0;
    uint32_t last = MC_NGRAM_EOS;
    for (uint64_t i = 0; i < cut[j]; i++) {
        uint32_t w;
        double x = ps_q(m, t, lv, q, i, &w);
        if (x <= 0 || ps_left_out(q, i))
            continue;
        run += x;
        last = w;
        if (v < run)
            return w;
    }
    return last;
}

/* top_p alone after levels_init and levels_sort, in O(N^2 log^2 V) per word: the words of order
 * j (see draw_levels) form a stream in decreasing q, the continuations of h_j sorted by P_j (the
 * unigram order for j = 0) less the words of deeper orders, whose positions and masses
 * levels_sort listed. The mass of the first i positions of a stream is then a running sum less
 * a binary search, so the word where the mass of everything before it reaches top_p of Z is found
 * by a selection over the N streams: take a pivot in the stream with the widest range of
 * candidates, count in every stream (binary search) what comes before it and add up the masses,
 * and narrow every range to the side of the pivot that holds the cut. A draw picks a stream in
 * proportion to its kept mass, then a kept position by binary search in its running sums,
 * redrawn while it is left out (after 64 misses, a scan). */
static uint32_t draw_levels_topp(gsl_rng *r, const mc_ngram_model *m, const mc_sampling *s,
                                 const int64_t *node, const temp_state *t, const levels *lv)
{
    unsigned top = deepest_seen(m, node);
    pstream ps[MC_NGRAM_ORDER_MAX + 1];
    double Z = ps_open(m, node, t, lv, top, ps);
    uint64_t cut[MC_NGRAM_ORDER_MAX + 1];
    ps_find_cut(m, t, lv, ps, top, s->top_p * Z, cut);
    return ps_draw(r, m, t, lv, ps, top, cut);
}

static uint32_t draw_levels(gsl_rng *r, const mc_ngram_model *m, const int64_t *node,
                            const temp_state *t, const levels *lv)
{
    unsigned top = deepest_seen(m, node);
    double mass[MC_NGRAM_ORDER_MAX + 1], ca = 1, Z = 0;
    for (unsigned j = top; j >= 1; j--) {
        const ngram_level *hl = &m->lv[j - 1];
        int64_t h = node[j];
        double S = lv->cum[j + 1][hl->child[h + 1] - 1];
        double R = j < top ? lv->R[j + 1][node[j + 1]] : 0.0;
        mass[j] = ca * fmax(S - R, 0.0);
        Z += mass[j];
        double g = hl->gamma[h];
        ca *= t->a == 1.0 ? g : pow(g, t->a);
    }
    double S1 = t->cum1a[m->nids - 1];
    mass[0] = ca * fmax(S1 - (top ? lv->R[1][node[1]] : 0.0), 0.0);
    Z += mass[0];
    double u = gsl_rng_uniform(r) * Z;
    unsigned j = UINT32_MAX, last = 0; /* last: the lowest order with mass (rounding) */
    for (unsigned i = top + 1; i-- > 0;) {
        if (mass[i] <= 0)
            continue;
        last = i;
        if (u < mass[i]) {
            j = i;
            break;
        }
        u -= mass[i];
    }
    if (j == UINT32_MAX)
        j = last;
    /* a word of cont(h_j) (order 0: of all ids) by P_j^a, not continuing h_(j+1) */
    const double *cum = j ? lv->cum[j + 1] : t->cum1a;
    uint64_t b = j ? m->lv[j - 1].child[node[j]] : 0;
    uint64_t e = j ? m->lv[j - 1].child[node[j] + 1] : m->nids;
    double S = cum[e - 1];
    for (int tries = 0; tries < 64; tries++) {
        uint64_t x = upper(cum, b, e, gsl_rng_uniform(r) * S);
        if (x >= e)
            continue;
        uint32_t w = j ? m->lv[j].word[x] : (uint32_t)x;
        if (j == top || ngram_find_child(m, j + 1, (uint32_t)node[j + 1], w) < 0)
            return w;
    }
    /* the higher context holds nearly all of this order's mass: a scan of the rest */
    double v = gsl_rng_uniform(r) * fmax(S - (j < top ? lv->R[j + 1][node[j + 1]] : 0.0), 0.0);
    double run = 0;
    uint32_t kept = MC_NGRAM_EOS;
    for (uint64_t x = b; x < e; x++) {
        uint32_t w = j ? m->lv[j].word[x] : (uint32_t)x;
        double q = x > b ? cum[x] - cum[x - 1] : cum[x];
        if (q <= 0 || (j < top && ngram_find_child(m, j + 1, (uint32_t)node[j + 1], w) >= 0))
            continue;
        run += q;
        kept = w;
        if (v < run)
            return w;
    }
    return kept;
}

/* top_k > 0 (with any temperature and top_p), exactly and in O(|C| + k) per word: a word
 * outside C has q(w) = A^a p1(w)^a, so the complement's words come in the order of p1 (t->order1,
 * sorted once per call) and the k most probable words overall are among C and the first k words
 * of order1 outside C. Quickselect keeps the k first of these (larger q, then lower id: the full
 * distribution's order), then top_p keeps the shortest prefix of them reaching top_p of their
 * mass, as in draw_full. */
static uint32_t draw_topk(gsl_rng *r, const mc_ngram_model *m, const mc_sampling *s,
                          const int64_t *node, temp_state *t, cand *cd)
{
    size_t nC, n = 0, k = (size_t)s->top_k;
    double A = gather(m, node, t, &nC);
    for (size_t i = 0; i < nC; i++) {
        uint32_t w = t->list[i];
        double p = t->acc[w] + A * p1(m, w), q = t->a == 1.0 ? p : pow(p, t->a);
        if (q > 0)
            cd[n++] = (cand){q, w};
    }
    double Aa = t->a == 1.0 ? A : pow(A, t->a);
    for (uint32_t i = 0, added = 0; Aa > 0 && added < k && i + 1 < m->nids; i++) {
        uint32_t w = t->order1[i];
        if (t->in[w] || t->p1a[w] <= 0)
            continue;
        cd[n++] = (cand){Aa * t->p1a[w], w};
        added++;
    }
    release(t, nC);
    if (k < n) {
        select_top(cd, n, k);
        n = k;
    }
    return draw_kept(r, cd, n, s->top_p);
}

void mc_ngram_set_topp_full(mc_ngram_model *m, double factor) { m->topp_full = factor; }

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return (a > b) - (a < b);
}

/* First position j in [b, e) of order1 whose q = Aa p1^a is <= q (q is non-increasing along
 * order1). */
static size_t first_not_above(const temp_state *t, double Aa, size_t b, size_t e, double q)
{
    while (b < e) {
        size_t mid = b + (e - b) / 2;
        if (Aa * t->p1a[t->order1[mid]] > q)
            b = mid + 1;
        else
            e = mid;
    }
    return b;
}

/* The walk of draw_topp: C's words cd[0..n) (in decreasing q) merged with the runs of the
 * complement along order1 (q = Aa p1^a, C's words at ranks byrank[0..nC) taken out), until the
 * mass reaches need. Returns cut, the kept prefix order1[0..cut) of the complement; *kept_c
 * receives the number of C words kept and *mass_c their mass. */
static size_t topp_walk(const temp_state *t, const cand *cd, size_t n, size_t nC, size_t V1,
                        double Aa, double need, size_t *kept_c, double *mass_c)
{
    size_t c = 0, pos = 0, rk = 0, cut = 0; /* C words taken; complement walked to pos */
    double acc = 0, keptC = 0;
    for (int done = 0; !done;) {
        size_t end = Aa <= 0 ? pos : c < n ? first_not_above(t, Aa, pos, V1, cd[c].q) : V1;
        while (pos < end && !done) {
            while (rk < nC && t->byrank[rk] < pos)
                rk++;
            size_t stop = rk < nC && t->byrank[rk] < end ? t->byrank[rk] : end;
            double mass = Aa * (t->P1[stop] - t->P1[pos]);
            if (acc + mass >= need && mass > 0) { /* the cut is in [pos, stop) */
                size_t lo = pos + 1, hi = stop;
                while (lo < hi) {
                    size_t mid = lo + (hi - lo) / 2;
                    if (acc + Aa * (t->P1[mid] - t->P1[pos]) >= need)
                        hi = mid;
                    else
                        lo = mid + 1;
                }
                pos = lo;
                done = 1;
            } else {
                acc += mass;
                pos = stop < end ? stop + 1 : stop; /* past the C word at rank stop */
            }
        }
        cut = pos;
        if (done || c >= n)
            break;
        acc += cd[c].q;
        keptC += cd[c++].q;
        done = acc >= need;
    }
    *kept_c = c;
    *mass_c = keptC;
    return cut;
}

/* The draw of draw_topp: the kept C words cd[0..c) (mass keptC) or the kept complement
 * order1[0..cut) without C's words, in proportion to their masses. */
static uint32_t topp_pick(gsl_rng *r, const temp_state *t, const cand *cd, size_t c, size_t nC,
                          size_t cut, double Aa, double keptC)
{
    /* the kept complement: order1[0..cut) without C's words */
    double inC = 0;
    for (size_t i = 0; i < nC && t->byrank[i] < cut; i++)
        inC += t->p1a[t->order1[t->byrank[i]]];
    double keptR = Aa * fmax(t->P1[cut] - inC, 0);
    double u = gsl_rng_uniform(r) * (keptC + keptR);
    uint32_t pick = UINT32_MAX;
    if (u < keptC || keptR <= 0) {
        double run = 0;
        for (size_t x = 0; x < c && pick == UINT32_MAX; x++) {
            run += cd[x].q;
            if (u < run)
                pick = cd[x].w;
        }
        if (pick == UINT32_MAX) /* rounding at the top end */
            pick = c > 0 ? cd[c - 1].w : cd[0].w;
    } else {
        for (int tries = 0; tries < 64 && pick == UINT32_MAX; tries++) {
            size_t i = upper(t->P1 + 1, 0, cut, gsl_rng_uniform(r) * t->P1[cut]);
            if (i < cut && !t->in[t->order1[i]])
                pick = t->order1[i];
        }
        if (pick == UINT32_MAX) { /* C holds nearly all of the kept prefix: scan the rest */
            double v = gsl_rng_uniform(r) * (t->P1[cut] - inC), run = 0;
            for (size_t i = 0; i < cut && pick == UINT32_MAX; i++) {
                uint32_t w = t->order1[i];
                if (t->in[w])
                    continue;
                run += t->p1a[w];
                if (v < run)
                    pick = w;
            }
            for (size_t i = cut; pick == UINT32_MAX && i-- > 0;) /* rounding: the last kept */
                if (!t->in[t->order1[i]])
                    pick = t->order1[i];
        }
    }
    return pick;
}

/* top_p alone (any temperature), exactly and in O(|C| log V) per word. The outcomes in
 * decreasing q are C's words (sorted: |C| log |C|) merged with the complement's, which come in
 * the order of p1 (order1) with q = A^a p1^a. The walk adds C's words one by one and jumps over
 * each run of the complement between two of them with the prefix sums P1 (C's own words inside a
 * run, found by their ranks in order1, are taken out of its mass), until the mass reaches top_p of
 * the total; the run where it does is cut by a binary search in P1. A draw then picks the kept C
 * words or the kept complement in proportion to their masses; a complement word is drawn from
 * P1[0..cut) by binary search, redrawn while it falls in C (after 64 misses, a scan). Ties in q
 * between a C word and a complement word put the C word first (draw_full's order put the lower id
 * first; only exactly equal q differ). */
static uint32_t draw_topp(gsl_rng *r, const mc_ngram_model *m, const mc_sampling *s,
                          const int64_t *node, temp_state *t, cand *cd, const uint32_t *ctx,
                          size_t nctx, double *dist)
{
    size_t nC, n = 0;
    double A = gather(m, node, t, &nC);
    if ((double)nC * log2((double)nC + 1) > m->topp_full * (double)m->nids) {
        release(t, nC);
        return draw_full(r, m, s, ctx, nctx, dist, cd);
    }
    double Aa = A > 0 ? (t->a == 1.0 ? A : pow(A, t->a)) : 0.0, sumC = 0, sumC1 = 0;
    for (size_t i = 0; i < nC; i++) {
        uint32_t w = t->list[i];
        double p = t->acc[w] + A * p1(m, w), q = t->a == 1.0 ? p : pow(p, t->a);
        if (q > 0)
            cd[n++] = (cand){q, w};
        sumC += q;
        sumC1 += t->p1a[w];
        t->byrank[i] = t->rank1[w];
    }
    qsort(cd, n, sizeof *cd, cmp_before);
    qsort(t->byrank, nC, sizeof *t->byrank, cmp_u32);
    size_t V1 = m->nids - 1; /* positions of order1 */
    double rest = Aa * fmax(t->P1[V1] - sumC1, 0), need = s->top_p * (sumC + rest), keptC;
    size_t c, cut = topp_walk(t, cd, n, nC, V1, Aa, need, &c, &keptC);
    uint32_t pick = topp_pick(r, t, cd, c, nC, cut, Aa, keptC);
    release(t, nC);
    return pick;
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
    int plain = s->top_k == 0 && s->top_p >= 1.0;
    int fast = plain && s->temperature == 1.0, temp = plain && !fast, topk = s->top_k > 0;
    int topp = !plain && !topk;
    levels lv = {0};
    cand *cd = NULL;
    double *dist = NULL;
    temp_state ts = {0};
    uint32_t *sent = malloc((max_len + 1) * sizeof *sent);
    if (!sent)
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    if (!fast && temp_init(m, s->temperature, topk || topp, &ts)) {
        free(sent);
        temp_free(&ts);
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    }
    /* temperature alone over many sentences: the per-context sums once (O(entries)), then O(N)
     * per word; over a few sentences, draw_temp (O(|C|) per word, nothing to prepare) */
    if ((temp || topk || topp) && nsent >= 64 &&
        (levels_init(m, ts.p1a, ts.a, &lv) != MC_OK ||
         (!temp && lv.ok && levels_sort(m, &ts, &lv) != MC_OK))) {
        levels_free(&lv);
        free(sent);
        temp_free(&ts);
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    }
    if (!plain && (!(cd = malloc((size_t)m->nids * sizeof *cd)) ||
                   (topp && !(dist = malloc((size_t)m->nids * sizeof *dist))))) {
        free(sent);
        free(cd);
        temp_free(&ts);
        return mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    }
    int rc = MC_OK;
    int64_t node[MC_NGRAM_ORDER_MAX + 1];
    for (uint64_t k = 0; k < nsent && !rc; k++) {
        size_t len = 0;
        sent[0] = MC_NGRAM_BOS;
        ngram_start(m, node);
        while (len < max_len) {
            size_t nc = len + 1, keep = m->N - 1;
            uint32_t w = fast     ? draw_fast(r, m, node)
                         : temp && lv.ok ? draw_levels(r, m, node, &ts, &lv)
                         : temp   ? draw_temp(r, m, node, &ts)
                         : topk && lv.ok ? draw_levels_topk(r, m, s, node, &ts, &lv, cd)
                         : topk ? draw_topk(r, m, s, node, &ts, cd)
                         : lv.ok ? draw_levels_topp(r, m, s, node, &ts, &lv)
                                : draw_topp(r, m, s, node, &ts, cd, sent + (nc > keep ? nc - keep : 0),
                                            nc > keep ? keep : nc, dist);
            ngram_advance(m, node, w);
            if (w == MC_NGRAM_EOS)
                break;
            sent[++len] = w;
        }
        if (mc_ngram_ds_push(out, sent + 1, len, 0))
            rc = mc_error_set(err, MC_ENOMEM, "ngram: out of memory");
    }
    free(sent);
    free(cd);
    free(dist);
    levels_free(&lv);
    temp_free(&ts);
    return rc;
}
