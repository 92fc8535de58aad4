/* model.h - a GPT-2-style decoder-only transformer in single precision (private to libcollapse;
 * the gpt family, src/gpt/).
 *
 * Token and position embeddings, L pre-LayerNorm blocks (causal multi-head self-attention, then
 * a GELU MLP of width 4D, each added to the residual stream), a final LayerNorm and the output
 * projection tied to the token embedding (Radford et al. 2019). Forward and backward passes of a
 * batch of B rows of T <= C tokens (model.c, layers.c); matrix products through cblas_sgemm.
 * Every buffer is allocated once, when the model is made, for the largest batch it will see.
 */
#ifndef MC_GPT_MODEL_H
#define MC_GPT_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_rng.h>

typedef struct mc_gpt_shape {
    uint32_t V; /* vocabulary */
    uint32_t C; /* context: the longest row */
    uint32_t D; /* width of the residual stream */
    uint32_t L; /* blocks */
    uint32_t H; /* attention heads (D % H == 0) */
} mc_gpt_shape;

/* The parameters of one block, pointers into the flat parameter (or gradient) array. */
typedef struct mc_gpt_block {
    float *ln1_g, *ln1_b;   /* (D) */
    float *w_qkv, *b_qkv;   /* (D x 3D), (3D): x W gives q | k | v */
    float *w_proj, *b_proj; /* (D x D), (D) */
    float *ln2_g, *ln2_b;   /* (D) */
    float *w_fc, *b_fc;     /* (D x 4D), (4D) */
    float *w_out, *b_out;   /* (4D x D), (D) */
} mc_gpt_block;

typedef struct mc_gpt_params {
    float *wte;   /* (V x D) token embedding, also the output projection */
    float *wpe;   /* (C x D) position embedding */
    mc_gpt_block *block; /* (L) */
    float *lnf_g, *lnf_b;
} mc_gpt_params;

/* Activations of one block for a batch of N = B T positions, kept for the backward pass. */
typedef struct mc_gpt_acts_block {
    float *ln1, *ln1_mean, *ln1_rstd; /* (N x D), (N), (N) */
    float *qkv;                       /* (N x 3D) */
    float *att;                       /* (B x H x T x T) softmax weights */
    float *atty;                      /* (N x D) attention output before the projection */
    float *res1;                      /* (N x D) residual after the attention */
    float *ln2, *ln2_mean, *ln2_rstd;
    float *fch, *fcg, *fct;           /* (N x 4D) before and after the GELU, its tanh */
    float *res2;                      /* (N x D) residual after the MLP (next block's input) */
} mc_gpt_acts_block;

typedef struct mc_gpt {
    mc_gpt_shape s;
    uint32_t max_batch;     /* rows the activation buffers hold */
    size_t nparams;
    float *param, *grad;    /* (nparams) each */
    float *adam_m, *adam_v; /* (nparams) AdamW moments */
    uint8_t *decay;         /* (nparams) 1 where weight decay applies (matrices) */
    mc_gpt_params p, g;     /* views of param and grad */
    uint64_t adam_t;        /* AdamW steps taken (bias correction) */
    /* activations (max_batch x C positions) */
    float *emb;             /* (N x D) embeddings = block 0's input */
    mc_gpt_acts_block *act; /* (L) */
    float *lnf, *lnf_mean, *lnf_rstd;
    float *logits;          /* (N x V): logits, then probabilities */
    float *dres, *dbuf, *dbig, *datt; /* backward scratch: (N x D), (N x 3D), (N x 4D), (B x H x T x T) */
    float *dlogits;         /* (N x V) */
    float *loss;            /* (N) per position */
    float *scale;           /* (N) each position's share of the weighted mean loss */
    void *arena;            /* one allocation holds every float array above */
} mc_gpt;

/* Parameters of a model of shape s. */
size_t mc_gpt_param_count(const mc_gpt_shape *s);
/* Bytes mc_gpt_alloc needs for shape s and batches of up to B rows (parameters, gradients,
 * AdamW moments, activations, backward scratch). */
double mc_gpt_bytes(const mc_gpt_shape *s, uint32_t B);

/* A model with every buffer; parameters zero. NULL when out of memory. */
mc_gpt *mc_gpt_alloc(const mc_gpt_shape *s, uint32_t max_batch);
void mc_gpt_free(mc_gpt *m);

/* GPT-2's initialisation: weights N(0, 0.02) (the residual projections N(0, 0.02 / sqrt(2L))),
 * biases 0, LayerNorm gains 1; AdamW moments and step count reset. */
void mc_gpt_init(mc_gpt *m, gsl_rng *r);

/* Forward pass of B rows of T tokens tok[B x T] (T <= C, B <= max_batch). With targets (B x T,
 * or NULL), per-position cross-entropies (nats) go to m->loss and the return value is their
 * weighted mean: sum_i w_i loss_i / sum_i w_i over positions whose target is not UINT32_MAX, with
 * w = weight (B x T, NULL = 1). Without targets only m->logits is filled (returns 0). */
double mc_gpt_forward(mc_gpt *m, const uint32_t *tok, const uint32_t *target, const float *weight,
                      uint32_t B, uint32_t T);
/* Backward pass of the last forward (which had targets): m->grad = the gradient of its weighted
 * mean loss. */
void mc_gpt_backward(mc_gpt *m, const uint32_t *tok, const uint32_t *target, const float *weight,
                     uint32_t B, uint32_t T);

#endif
