/* train.h - training and evaluating the transformer on a text of sentences (private to
 * src/gpt/ and its tests).
 *
 * A text is a dataset of sentences of token ids (src/ngram/ngram.h); the model reads it as one
 * stream, every sentence preceded by the end-of-sentence token: EOS s1 EOS s2 EOS ... . A training
 * row is the C + 1 tokens of the stream from the EOS before a sentence drawn uniformly (wrapping
 * round at the end), so position 0 always holds an EOS and a row begins where generation begins.
 * Each predicted token carries the weight of the sentence it belongs to (an EOS belongs to the
 * sentence it ends): the per-sequence weights of regime.human_weight.
 */
#ifndef MC_GPT_TRAIN_H
#define MC_GPT_TRAIN_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "model.h"
#include "ngram/ngram.h"

#define MC_GPT_EOS 10u /* the newline byte */

typedef struct mc_gpt_train_opts {
    uint64_t steps;
    uint32_t batch;
    double lr;            /* peak learning rate */
    double warmup;        /* fraction of the steps with a linear warm-up */
    double weight_decay;  /* AdamW's decoupled decay of the matrices */
    double clip;          /* gradient norm clipped to this (0: off) */
    double human_weight;  /* < 0: every sentence weighs the same */
} mc_gpt_train_opts;

typedef struct mc_gpt_train_stats {
    double loss;      /* mean training loss (nats per token) over the last tenth of the steps */
    double grad_norm; /* mean gradient norm (before clipping) over the same steps */
    double tokens;    /* tokens processed */
} mc_gpt_train_stats;

/* Trains m on ds for opts->steps AdamW steps from its current parameters (warm-up then cosine
 * decay to a tenth of the peak rate; moments reset). Batches drawn from r. MC_OK or MC_ENOMEM. */
int mc_gpt_train(mc_gpt *m, const mc_ngram_ds *ds, const mc_gpt_train_opts *opts, gsl_rng *r,
                 mc_gpt_train_stats *stats);

/* Total cross-entropy (nats) of every token of ds read as a stream, each sentence's tokens and
 * its closing EOS predicted once from the sentences before it in its window (windows start at a
 * sentence's EOS; a sentence longer than the context continues in a window of its own). *ntok
 * receives the number of predictions. MC_OK or MC_ENOMEM. */
int mc_gpt_nll(mc_gpt *m, const mc_ngram_ds *ds, double *nats, uint64_t *ntok);

#endif
