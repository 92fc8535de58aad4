/* ngram.h - an n-gram language model (interpolated modified Kneser-Ney) and its datasets of
 * sentences (private to libcollapse: the n-gram family's engine, src/ngram/).
 *
 * Model (src/ngram/model.c, sample.c): counts of orders 1..N kept in a sorted-array trie (one
 * block per order, no allocation per n-gram), interpolated modified Kneser-Ney smoothing with
 * three discounts per order (Chen & Goodman, "An empirical study of smoothing techniques for
 * language modeling", TR-10-98, 1998) or unsmoothed maximum likelihood; perplexity;
 * sentence-by-sentence sampling from <s> to </s> whose cost per token does not grow with the
 * vocabulary in the default case. Datasets: src/ngram/dataset.c. The corpus the sentences come
 * from: corpus.h.
 *
 * Token ids: 0 = <s> (context only, never predicted), 1 = </s>, 2 = <unk>, 3.. = word types.
 * The predicted vocabulary has V = nids - 1 outcomes (every id except <s>).
 */
#ifndef MC_NGRAM_NGRAM_H
#define MC_NGRAM_NGRAM_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"
#include "collapse/family.h"

/* ---------------------------------------------------------------------------------------- */
/* Datasets: sentences of token ids, each flagged human or synthetic                         */

enum { MC_NGRAM_BOS = 0, MC_NGRAM_EOS = 1, MC_NGRAM_UNK = 2, MC_NGRAM_FIRST_WORD = 3 };

/* Sentences hold word ids only (>= MC_NGRAM_EOS + 1); the markers are implied. */
typedef struct mc_ngram_ds {
    uint32_t *tok;      /* (ntok) */
    uint64_t ntok, tok_cap;
    uint64_t *start;    /* (nsent + 1) first token of each sentence */
    uint8_t *human;     /* (nsent) 1 = human-made */
    uint64_t nsent, sent_cap;
    uint64_t nhuman;
} mc_ngram_ds;

/* Empty dataset; NULL when out of memory. Free with mc_ngram_ds_free (NULL is a no-op). */
mc_ngram_ds *mc_ngram_ds_alloc(void);
void mc_ngram_ds_free(mc_ngram_ds *ds);
/* Appends one sentence of len word ids (copied). Returns MC_OK or MC_ENOMEM. */
int mc_ngram_ds_push(mc_ngram_ds *ds, const uint32_t *w, size_t len, int human);
/* into += from (sentences and flags appended). */
int mc_ngram_ds_merge(mc_ngram_ds *into, const mc_ngram_ds *from);
/* A copy of n sentences of pool drawn uniformly without replacement (flags kept), in pool order.
 * n > pool->nsent is MC_EINTERNAL. *out owned by the caller. */
int mc_ngram_ds_subsample(gsl_rng *r, const mc_ngram_ds *pool, uint64_t n, mc_ngram_ds **out,
                          mc_error *err);

/* ---------------------------------------------------------------------------------------- */
/* Model                                                                                    */

typedef enum mc_ngram_smoothing {
    MC_NGRAM_KN = 0, /* interpolated modified Kneser-Ney */
    MC_NGRAM_ML = 1  /* unsmoothed maximum likelihood (backs off only from unseen contexts) */
} mc_ngram_smoothing;

#define MC_NGRAM_ORDER_MAX 5

typedef struct mc_ngram_model mc_ngram_model;

/* A model of order N (1..5) over nids token ids (>= 3: the markers and <unk>). Holds no counts
 * until fitted. *out owned by the caller (mc_ngram_free). */
int mc_ngram_alloc(unsigned order, mc_ngram_smoothing smoothing, uint32_t nids,
                   mc_ngram_model **out, mc_error *err);
void mc_ngram_free(mc_ngram_model *m);

/* Counts the n-grams of ds (each sentence padded as <s> w1 .. wm </s>) and estimates the
 * model, replacing any previous fit; the count arrays and scratch are reused across fits.
 * Word ids must be < nids (MC_EDATA otherwise). Fewer than 2^32 - 1 padded tokens. */
int mc_ngram_fit(mc_ngram_model *m, const mc_ngram_ds *ds, mc_error *err);

unsigned mc_ngram_order(const mc_ngram_model *m);
uint32_t mc_ngram_nids(const mc_ngram_model *m);
/* The three discounts D1, D2, D3+ of order k (1..N) after a fit (zeros for ML). */
void mc_ngram_discounts(const mc_ngram_model *m, unsigned k, double d[3]);
/* Entries of order k in the count structure (k = 1: nids). */
uint64_t mc_ngram_entries(const mc_ngram_model *m, unsigned k);
/* Bytes held by the model (counts and scratch). */
size_t mc_ngram_bytes(const mc_ngram_model *m);

/* p(w | ctx), ctx = the nctx preceding ids, oldest first (only the last N - 1 matter; ctx[0]
 * may be <s>). w in 1..nids-1. */
double mc_ngram_prob(const mc_ngram_model *m, const uint32_t *ctx, size_t nctx, uint32_t w);

/* Perplexity of ds: exp(-(1/T) sum log p), over every word and each sentence's </s> (T tokens),
 * ids >= nids counted as <unk>. Writes +inf when some token has probability 0 (ML), NaN for an
 * empty dataset. *tokens (optional) receives T. */
double mc_ngram_perplexity(const mc_ngram_model *m, const mc_ngram_ds *ds, uint64_t *tokens);
/* The same sum, sum ln p over the T tokens (in *tokens): 0 for an empty dataset. */
double mc_ngram_logprob(const mc_ngram_model *m, const mc_ngram_ds *ds, uint64_t *tokens);

/* Appends nsent sentences sampled from <s> to </s> to out (flagged synthetic). A sentence that
 * reaches max_len words without </s> is cut there (a </s> is implied). Sampling settings:
 * temperature 1, top_k 0, top_p 1 (the defaults) use the count structure, O(N log c) per token
 * for contexts with c continuations. Any other settings are sampled exactly too: with nsent >= 64
 * after an O(entries log) preparation per call (per-context sums and orders), then O(N) per token
 * for a temperature alone, O(k N log c) for a top_k, O(N^2 log^2 V) for top_p alone (~2, ~15 and
 * ~15 us per word on Brown); with fewer sentences from the continuations C of the seen contexts,
 * O(|C|) per token for a temperature, O(|C| + k) for a top_k, and for top_p alone a merge of C
 * with the unigram order or the full distribution (see mc_ngram_set_topp_full in internal.h).
 * docs/THEORY.md gives the algorithms. */
int mc_ngram_generate(gsl_rng *r, const mc_ngram_model *m, const mc_sampling *s, uint64_t nsent,
                      size_t max_len, mc_ngram_ds *out, mc_error *err);

#endif
