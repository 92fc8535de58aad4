/* textmetrics.h - the word-level metrics of generated text that the language-model families
 * share (private to libcollapse; the ngram and gpt families).
 *
 * Generated text is a dataset of sentences of word ids (src/ngram/ngram.h): ids below the world's
 * nids are the training split's vocabulary (and <unk>); a family whose model writes words outside
 * it (the gpt family's byte-level model) gives each new word its own id from nids on. Against the
 * human training text they give: distinct word types in the text, the fraction of the training
 * word types (and of its rare types, count <= 5) still used, distinct-1/2/3 (distinct n-grams over
 * n-grams within sentences, Li et al. 2016), unigram KL(human || generated) in nats with the
 * generated unigram distribution smoothed by add-1/2 (Krichevsky-Trofimov) over the nids - 2 word
 * outcomes of the vocabulary, mean sentence length in words, and the share of sentences that copy
 * a sentence of the model's own training set exactly.
 */
#ifndef MC_TEXT_TEXTMETRICS_H
#define MC_TEXT_TEXTMETRICS_H

#include <stdint.h>
#include "collapse/metric.h"
#include "ngram/ngram.h"

enum {
    MC_TEXT_GEN_TYPES, MC_TEXT_TYPE_COVERAGE, MC_TEXT_RARE_COVERAGE, MC_TEXT_DISTINCT1,
    MC_TEXT_DISTINCT2, MC_TEXT_DISTINCT3, MC_TEXT_UNIGRAM_KL, MC_TEXT_MEAN_LENGTH,
    MC_TEXT_COPY_SHARE, MC_TEXT_COUNT
};

/* Their declarations (name, role, unit, ...), indexed by the enum above. */
extern const mc_metric_def mc_text_metric_defs[MC_TEXT_COUNT];

/* The human training text the generated text is measured against. */
typedef struct mc_text_ref {
    const uint32_t *train_count; /* (nids) occurrences of each word id in the training split */
    uint32_t nids;               /* vocabulary size including the three markers */
    uint64_t nrare;              /* word types with 1..5 occurrences */
    uint64_t train_ntok;         /* words of the training split */
} mc_text_ref;

/* Fills out[MC_TEXT_*] for the generated text gen, whose model was trained on train (both in
 * word ids). MC_OK or MC_ENOMEM. */
int mc_text_metrics(const mc_ngram_ds *gen, const mc_ngram_ds *train, const mc_text_ref *ref,
                    double *out);

/* The family slot signal of the text families: the entropy (nats) of the distribution of the
 * dataset's tokens (an mc_ngram_ds), NaN when it is empty. MC_OK or MC_ENOMEM. */
int mc_text_token_entropy(const void *params, const void *ds, double *out);

#endif
