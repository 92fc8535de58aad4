/* layers.h - the transformer's layers, forward and backward (private to src/gpt/ and its tests).
 *
 * Row-major single precision. N = B T positions; a backward pass adds its input gradient into
 * dinp and its parameter gradients into dW, db (+=), as a residual network needs. Each backward
 * is checked against central finite differences in tests/test_gpt.c.
 */
#ifndef MC_GPT_LAYERS_H
#define MC_GPT_LAYERS_H

#include <stddef.h>
#include <stdint.h>

/* out[b,t] = wte[tok[b,t]] + wpe[t]. */
void mc_gpt_embed_fwd(float *out, const uint32_t *tok, const float *wte, const float *wpe,
                      size_t B, size_t T, size_t D);
void mc_gpt_embed_bwd(float *dwte, float *dwpe, const float *dout, const uint32_t *tok, size_t B,
                      size_t T, size_t D);

/* LayerNorm over the last axis (eps 1e-5), keeping each row's mean and 1/sd. */
void mc_gpt_layernorm_fwd(float *out, float *mean, float *rstd, const float *inp, const float *g,
                          const float *b, size_t N, size_t D);
void mc_gpt_layernorm_bwd(float *dinp, float *dg, float *db, const float *dout, const float *inp,
                          const float *g, const float *mean, const float *rstd, size_t N,
                          size_t D);

/* out (N x OC) = inp (N x IC) W (IC x OC) + bias (OC; NULL = none). */
void mc_gpt_matmul_fwd(float *out, const float *inp, const float *W, const float *bias, size_t N,
                       size_t IC, size_t OC);
/* dinp += dout W^T (dinp NULL: skipped), dW += inp^T dout, dbias += column sums of dout. */
void mc_gpt_matmul_bwd(float *dinp, float *dW, float *dbias, const float *dout, const float *inp,
                       const float *W, size_t N, size_t IC, size_t OC);

/* The tied output: out (N x V) = inp (N x D) E^T for the embedding E (V x D). */
void mc_gpt_matmul_tied_fwd(float *out, const float *inp, const float *E, size_t N, size_t D,
                            size_t V);
/* dinp += dout E, dE += dout^T inp. */
void mc_gpt_matmul_tied_bwd(float *dinp, float *dE, const float *dout, const float *inp,
                            const float *E, size_t N, size_t D, size_t V);

/* Causal multi-head attention on qkv (N x 3D: q | k | v, head h at columns h D/H ..): att (B x
 * H x T x T) the softmax weights, out (N x D) the heads' outputs side by side. */
void mc_gpt_attention_fwd(float *out, float *att, const float *qkv, size_t B, size_t T, size_t D,
                          size_t H);
/* dqkv += the gradient through the attention (datt: B x H x T x T scratch). */
void mc_gpt_attention_bwd(float *dqkv, float *datt, const float *dout, const float *qkv,
                          const float *att, size_t B, size_t T, size_t D, size_t H);

/* GELU, GPT-2's tanh approximation; the forward keeps the tanh of each element in th (NULL: not
 * kept) for the backward, which writes dinp (it may be dout itself). */
void mc_gpt_gelu_fwd(float *out, float *th, const float *inp, size_t n);
void mc_gpt_gelu_bwd(float *dinp, const float *inp, const float *th, const float *dout, size_t n);

/* out = a + b. */
void mc_gpt_add(float *out, const float *a, const float *b, size_t n);

/* Softmax of each row of logits (N x V) in place, and the cross-entropy (nats) of target[i] in
 * loss[i] (target UINT32_MAX: no loss, 0). */
void mc_gpt_softmax_xent_fwd(float *logits, float *loss, const uint32_t *target, size_t N,
                             size_t V);
/* dlogits = scale_i (p - onehot(target_i)) from the probabilities (scale_i = 0 where no target). */
void mc_gpt_softmax_xent_bwd(float *dlogits, const float *probs, const uint32_t *target,
                             const float *scale, size_t N, size_t V);

#endif
