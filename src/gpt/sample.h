/* sample.h - batched sampling of sentences from the transformer with a key/value cache (private
 * to src/gpt/ and its tests).
 *
 * S streams run side by side, one row each in every matrix product. A stream starts from the EOS
 * token at position 0 and writes sentence after sentence, each ending at the next EOS (or cut at
 * C - 1 tokens), conditioned on the sentences before it in the window, as training rows are; when
 * its window is full it starts again from EOS followed by the unfinished sentence. Stream s writes
 * a fixed quota of the sentences (n / S, the first n % S streams one more), so a sentence's length
 * never decides whether it is kept. Sentences are appended in the order they end.
 */
#ifndef MC_GPT_SAMPLE_H
#define MC_GPT_SAMPLE_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/family.h"
#include "model.h"
#include "ngram/ngram.h"

typedef struct mc_gpt_sampler mc_gpt_sampler;

/* A sampler of up to S streams for m (its caches and buffers); NULL when out of memory. */
mc_gpt_sampler *mc_gpt_sampler_alloc(const mc_gpt *m, uint32_t S);
void mc_gpt_sampler_free(mc_gpt_sampler *z);
/* Bytes a sampler of S streams needs. */
double mc_gpt_sampler_bytes(const mc_gpt_shape *s, uint32_t S);

/* Appends n sentences (token ids, no EOS) sampled with the temperature, top-k and top-p of smp
 * to out, flagged synthetic. greedy: always the most probable token (smp ignored). MC_OK or
 * MC_ENOMEM. */
int mc_gpt_sample(mc_gpt_sampler *z, const mc_gpt *m, gsl_rng *r, const mc_sampling *smp,
                  int greedy, uint64_t n, mc_ngram_ds *out);

#endif
