/* textmetrics.c - word-level metrics of generated text against the human training text
 * (textmetrics.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "textmetrics.h"
#include "collapse/rng.h"

const mc_metric_def mc_text_metric_defs[MC_TEXT_COUNT] = {
    [MC_TEXT_GEN_TYPES] = {"gen_types", MC_ROLE_DIVERSITY, "types", 1, 0,
                           "distinct word types in the generated text"},
    [MC_TEXT_TYPE_COVERAGE] = {"type_coverage", MC_ROLE_DIVERSITY, "fraction", 1, 0,
                               "fraction of the human training word types used in the generated "
                               "text"},
    [MC_TEXT_RARE_COVERAGE] = {"rare_coverage", MC_ROLE_TAIL, "fraction", 1, 0,
                               "fraction of the rare human training word types (count <= 5) used "
                               "in the generated text"},
    [MC_TEXT_DISTINCT1] = {"distinct_1", MC_ROLE_DIVERSITY, "fraction", 1, 0,
                           "distinct words / words in the generated text"},
    [MC_TEXT_DISTINCT2] = {"distinct_2", MC_ROLE_DIVERSITY, "fraction", 1, 0,
                           "distinct bigrams / bigrams within generated sentences"},
    [MC_TEXT_DISTINCT3] = {"distinct_3", MC_ROLE_DIVERSITY, "fraction", 1, 0,
                           "distinct trigrams / trigrams within generated sentences"},
    [MC_TEXT_UNIGRAM_KL] = {"unigram_kl", MC_ROLE_DIVERGENCE, "nats", -1, 0,
                            "KL(human training unigrams || generated unigrams, add-1/2 smoothed)"},
    [MC_TEXT_MEAN_LENGTH] = {"mean_length", MC_ROLE_OTHER, "words", 0, 0,
                             "mean generated sentence length in words"},
    [MC_TEXT_COPY_SHARE] = {"copy_share", MC_ROLE_OTHER, "fraction", -1, 0,
                            "share of generated sentences that copy a sentence of the training "
                            "set"},
};

/* An open-addressing set of up to three ids (a bigram uses c = 0); a = UINT32_MAX marks an
 * empty slot (no id reaches it). Load factor at most 3/4: 16 to 32 bytes per distinct n-gram. */
typedef struct triple {
    uint32_t a, b, c;
} triple;

static uint64_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
    return mc_mix64(((uint64_t)a << 32 | b) ^ mc_mix64((uint64_t)c + 0x9e3779b97f4a7c15ull));
}

/* Distinct n-grams of order n (2 or 3) within the sentences of ds; total in *total. */
static int count_distinct(const mc_ngram_ds *ds, unsigned n, uint64_t *distinct, uint64_t *total)
{
    uint64_t tot = 0;
    for (uint64_t s = 0; s < ds->nsent; s++) {
        uint64_t len = ds->start[s + 1] - ds->start[s];
        tot += len >= n ? len - n + 1 : 0;
    }
    uint64_t cap = 16;
    while (3 * cap < 4 * tot)
        cap *= 2;
    triple *t = malloc((size_t)cap * sizeof *t);
    if (!t)
        return MC_ENOMEM;
    memset(t, 0xff, (size_t)cap * sizeof *t);
    uint64_t d = 0;
    for (uint64_t s = 0; s < ds->nsent; s++)
        for (uint64_t i = ds->start[s]; i + n <= ds->start[s + 1]; i++) {
            uint32_t a = ds->tok[i], b = ds->tok[i + 1], c = n == 3 ? ds->tok[i + 2] : 0;
            uint64_t h = hash3(a, b, c) & (cap - 1);
            while (t[h].a != UINT32_MAX && !(t[h].a == a && t[h].b == b && t[h].c == c))
                h = (h + 1) & (cap - 1);
            if (t[h].a == UINT32_MAX) {
                t[h] = (triple){a, b, c};
                d++;
            }
        }
    free(t);
    *distinct = d;
    *total = tot;
    return MC_OK;
}

static uint64_t hash_sentence(const uint32_t *w, uint64_t len)
{
    uint64_t h = mc_mix64(len + 1);
    for (uint64_t i = 0; i < len; i++)
        h = mc_mix64(h ^ w[i]);
    return h;
}

/* Whether sentence o of train equals w[0..len) (an empty sentence has no tokens to compare:
 * tok may even be NULL). */
static int same_sentence(const mc_ngram_ds *train, uint64_t o, const uint32_t *w, uint64_t len)
{
    uint64_t olen = train->start[o + 1] - train->start[o];
    return olen == len &&
           (len == 0 || memcmp(train->tok + train->start[o], w, len * sizeof *w) == 0);
}

/* Sentences of gen that are exact copies of a sentence of train. */
static int count_copies(const mc_ngram_ds *train, const mc_ngram_ds *gen, uint64_t *copies)
{
    uint64_t cap = 16;
    while (cap < 2 * train->nsent)
        cap *= 2;
    uint64_t *t = malloc((size_t)cap * sizeof *t);
    if (!t)
        return MC_ENOMEM;
    for (uint64_t i = 0; i < cap; i++)
        t[i] = UINT64_MAX;
    for (uint64_t s = 0; s < train->nsent; s++) {
        const uint32_t *w = train->tok + train->start[s];
        uint64_t len = train->start[s + 1] - train->start[s];
        uint64_t h = hash_sentence(w, len) & (cap - 1);
        int dup = 0;
        for (; t[h] != UINT64_MAX; h = (h + 1) & (cap - 1))
            if (same_sentence(train, t[h], w, len)) {
                dup = 1;
                break;
            }
        if (!dup)
            t[h] = s;
    }
    uint64_t n = 0;
    for (uint64_t s = 0; s < gen->nsent; s++) {
        const uint32_t *w = gen->tok + gen->start[s];
        uint64_t len = gen->start[s + 1] - gen->start[s];
        for (uint64_t h = hash_sentence(w, len) & (cap - 1); t[h] != UINT64_MAX;
             h = (h + 1) & (cap - 1))
            if (same_sentence(train, t[h], w, len)) {
                n++;
                break;
            }
    }
    free(t);
    *copies = n;
    return MC_OK;
}

/* The vocabulary metrics from the generated counts cnt (ntop ids, >= nids). */
static void vocabulary_metrics(const mc_ngram_ds *gen, const mc_text_ref *ref, const uint32_t *cnt,
                               uint64_t ntop, double *out)
{
    uint64_t types = 0, kept = 0, rare = 0, vocab = ref->nids - MC_NGRAM_FIRST_WORD;
    for (uint32_t i = MC_NGRAM_FIRST_WORD; i < ref->nids; i++) {
        types += cnt[i] > 0;
        kept += cnt[i] > 0 && ref->train_count[i] > 0;
        rare += cnt[i] > 0 && ref->train_count[i] > 0 && ref->train_count[i] <= 5;
    }
    for (uint64_t i = ref->nids; i < ntop; i++) /* words outside the vocabulary */
        types += cnt[i] > 0;
    out[MC_TEXT_GEN_TYPES] = (double)(types + (cnt[MC_NGRAM_UNK] > 0));
    out[MC_TEXT_TYPE_COVERAGE] = vocab ? (double)kept / (double)vocab : NAN;
    out[MC_TEXT_RARE_COVERAGE] = ref->nrare ? (double)rare / (double)ref->nrare : NAN;
    out[MC_TEXT_DISTINCT1] = gen->ntok ? out[MC_TEXT_GEN_TYPES] / (double)gen->ntok : NAN;
    /* KL(p_h || q), q(w) = (c(w) + 1/2) / (N + (V-1)/2) over the word ids 2..nids-1. */
    double kl = 0, htot = (double)ref->train_ntok;
    double qden = (double)gen->ntok + 0.5 * (double)(ref->nids - 2);
    for (uint32_t i = MC_NGRAM_FIRST_WORD; i < ref->nids; i++)
        if (ref->train_count[i] > 0) {
            double ph = (double)ref->train_count[i] / htot, q = ((double)cnt[i] + 0.5) / qden;
            kl += ph * log(ph / q);
        }
    out[MC_TEXT_UNIGRAM_KL] = kl;
    out[MC_TEXT_MEAN_LENGTH] = gen->nsent ? (double)gen->ntok / (double)gen->nsent : NAN;
}

int mc_text_metrics(const mc_ngram_ds *gen, const mc_ngram_ds *train, const mc_text_ref *ref,
                    double *out)
{
    uint64_t ntop = ref->nids;
    for (uint64_t t = 0; t < gen->ntok; t++)
        ntop = gen->tok[t] >= ntop ? (uint64_t)gen->tok[t] + 1 : ntop;
    uint32_t *cnt = calloc((size_t)ntop, sizeof *cnt);
    if (!cnt)
        return MC_ENOMEM;
    for (uint64_t t = 0; t < gen->ntok; t++)
        cnt[gen->tok[t]]++;
    vocabulary_metrics(gen, ref, cnt, ntop, out);
    free(cnt);
    for (unsigned n = 2; n <= 3; n++) {
        uint64_t d, tot;
        if (count_distinct(gen, n, &d, &tot))
            return MC_ENOMEM;
        out[n == 2 ? MC_TEXT_DISTINCT2 : MC_TEXT_DISTINCT3] = tot ? (double)d / (double)tot : NAN;
    }
    uint64_t copies;
    if (count_copies(train, gen, &copies))
        return MC_ENOMEM;
    out[MC_TEXT_COPY_SHARE] = gen->nsent ? (double)copies / (double)gen->nsent : NAN;
    return MC_OK;
}

/* The operator's signal: the entropy (nats) of the word distribution of the dataset's tokens,
 * from the text alone (a collapsing model's text uses fewer words, less evenly). Empty: NaN. */
int mc_text_token_entropy(const void *vp, const void *vd, double *out)
{
    (void)vp;
    const mc_ngram_ds *ds = vd;
    uint32_t top = 0;
    for (uint64_t i = 0; i < ds->ntok; i++)
        top = ds->tok[i] > top ? ds->tok[i] : top;
    uint64_t *c = ds->ntok ? calloc((size_t)top + 1, sizeof *c) : NULL;
    if (ds->ntok && !c)
        return MC_ENOMEM;
    for (uint64_t i = 0; i < ds->ntok; i++)
        c[ds->tok[i]]++;
    double H = 0.0, n = (double)ds->ntok;
    for (uint64_t w = 0; ds->ntok && w <= top; w++)
        if (c[w]) {
            double f = (double)c[w] / n;
            H -= f * log(f);
        }
    free(c);
    *out = ds->ntok ? H : NAN;
    return MC_OK;
}
