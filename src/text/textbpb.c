/* textbpb.c - held-out bits per byte and the character model that spells a word-level model's
 * <unk> (textbpb.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "textbpb.h"

const mc_metric_def mc_text_bpb_def = {
    "heldout_bpb", MC_ROLE_HELDOUT_FIT, "bits/byte", -1, MC_METRIC_HEADLINE,
    "held-out human text's cross-entropy in bits per byte"};

enum { START = MC_TEXT_SPELL_START, END = MC_TEXT_SPELL_END, STATES = 257 };

struct mc_text_spell {
    uint32_t count[STATES][STATES]; /* [previous byte or START][byte or END] */
    double logq[STATES][STATES];    /* ln q(next | previous), -inf where it cannot follow */
    double logz;                    /* ln(1 - q(vocabulary)) */
};

mc_text_spell *mc_text_spell_alloc(void) { return calloc(1, sizeof(mc_text_spell)); }
void mc_text_spell_free(mc_text_spell *s) { free(s); }

/* A word holds any byte but the space that separates words and the newline that ends a
 * sentence; a word cannot end before its first byte. */
static int can_follow(int prev, int next)
{
    if (next == END)
        return prev != START;
    return next != ' ' && next != '\n';
}

static void count_word(mc_text_spell *s, const char *word)
{
    int prev = START;
    for (const unsigned char *c = (const unsigned char *)word; *c; c++) {
        s->count[prev][*c]++;
        prev = *c;
    }
    if (prev != START)
        s->count[prev][END]++;
}

/* Each row: add-1/2 over the outcomes that can follow (254 bytes, and the end but at START). */
static void estimate(mc_text_spell *s)
{
    for (int prev = 0; prev < STATES; prev++) {
        double total = 0, outcomes = 0;
        for (int next = 0; next < STATES; next++)
            if (can_follow(prev, next)) {
                total += s->count[prev][next];
                outcomes += 1;
            }
        for (int next = 0; next < STATES; next++)
            s->logq[prev][next] = can_follow(prev, next)
                                      ? log((s->count[prev][next] + 0.5) / (total + 0.5 * outcomes))
                                      : -INFINITY;
    }
}

static double chain_log(const mc_text_spell *s, const char *word, size_t len)
{
    if (!len)
        return -INFINITY;
    int prev = START;
    double lq = 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)word[i];
        lq += s->logq[prev][c];
        prev = c;
    }
    return lq + s->logq[prev][END];
}

int mc_text_spell_fit(mc_text_spell *s, const mc_textworld *w, const mc_ngram_ds *train)
{
    memset(s->count, 0, sizeof s->count);
    for (uint64_t t = 0; t < train->ntok; t++)
        if (train->tok[t] >= MC_NGRAM_FIRST_WORD && train->tok[t] < w->nids)
            count_word(s, mc_textworld_word(w, train->tok[t]));
    estimate(s);
    double inside = 0;
    for (uint32_t i = MC_NGRAM_FIRST_WORD; i < w->nids; i++) {
        const char *v = mc_textworld_word(w, i);
        inside += exp(chain_log(s, v, strlen(v)));
    }
    s->logz = log1p(-inside);
    return MC_OK;
}

double mc_text_spell_next(const mc_text_spell *s, int prev, int next)
{
    return exp(s->logq[prev][next]);
}

double mc_text_spell_chain(const mc_text_spell *s, const char *word, size_t len)
{
    return exp(chain_log(s, word, len));
}

double mc_text_spell_nats(const mc_text_spell *s, const char *word)
{
    return s->logz - chain_log(s, word, strlen(word));
}

double mc_text_heldout_oov_nats(const mc_text_spell *s, const mc_textworld *w)
{
    double nats = 0;
    for (uint64_t i = 0; i < w->nheldout_oov; i++)
        nats += mc_text_spell_nats(s, mc_corpus_type(w->corpus, w->heldout_oov[i]));
    return nats;
}
