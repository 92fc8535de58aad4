/* textbpb.h - the held-out cross-entropy in bits per byte that the language-model families share
 * (private to libcollapse; the ngram and gpt families).
 *
 * The held-out text is a byte string: each sentence's words joined by single spaces, then one
 * byte for its end. A family's model gives it a probability, and -log2 of it over its bytes is
 * the metric heldout_bpb, comparable across families, tokenizers and vocabularies.
 *
 * A word-level model (the ngram family) predicts a word outside its vocabulary only as <unk>.
 * To make its probability one of the byte string, an <unk> is spelled out by a character model
 * (mc_text_spell): an order-1 Markov chain over the 254 bytes a word can hold (every byte but
 * space and newline) and an end-of-word mark, from a start state that cannot end (words are not
 * empty), each row add-1/2 (Krichevsky-Trofimov) smoothed counts of the training text's words
 * (those with a word id), and conditioned on the word lying outside the vocabulary:
 *     p(w | <unk>) = q(w) / (1 - sum_{v in vocabulary} q(v))   for w outside it, 0 inside.
 * A byte string then has one derivation (split at spaces; each word either its id or <unk> and
 * its spelling), and the probabilities of all byte strings sum to the word model's total, 1.
 */
#ifndef MC_TEXT_TEXTBPB_H
#define MC_TEXT_TEXTBPB_H

#include <math.h>
#include <stddef.h>
#include "collapse/metric.h"
#include "ngram/ngram.h"
#include "text/textworld.h"

/* heldout_bpb's declaration (role heldout_fit, bits/byte, headline). */
extern const mc_metric_def mc_text_bpb_def;

typedef struct mc_text_spell mc_text_spell;

/* An unfitted model; NULL when out of memory. mc_text_spell_free(NULL) is a no-op. */
mc_text_spell *mc_text_spell_alloc(void);
void mc_text_spell_free(mc_text_spell *s);

/* Fits s to the words of train (word ids of w; <unk> and markers skipped) and normalises it
 * against w's vocabulary. MC_OK (no allocation). */
int mc_text_spell_fit(mc_text_spell *s, const mc_textworld *w, const mc_ngram_ds *train);

/* q(next | prev), prev a byte or MC_TEXT_SPELL_START, next a byte or MC_TEXT_SPELL_END: 0 where
 * next cannot follow prev. */
enum { MC_TEXT_SPELL_START = 256, MC_TEXT_SPELL_END = 256 };
double mc_text_spell_next(const mc_text_spell *s, int prev, int next);

/* q(word), the chain's probability of the len bytes before the vocabulary is excluded; 0 for
 * the empty word or one holding a space or newline. */
double mc_text_spell_chain(const mc_text_spell *s, const char *word, size_t len);

/* -ln p(word | <unk>) of a word outside the vocabulary it was normalised against (the caller
 * knows: the world mapped it to <unk>); +inf for one the chain cannot write. */
double mc_text_spell_nats(const mc_text_spell *s, const char *word);

/* The nats of spelling every held-out token outside the vocabulary of w. */
double mc_text_heldout_oov_nats(const mc_text_spell *s, const mc_textworld *w);

/* bits per byte of a held-out total of nats over bytes. */
static inline double mc_text_bpb(double nats, double bytes)
{
    return nats / log(2.0) / bytes;
}

#endif
