/* model.c - the transformer: memory, initialisation, forward and backward passes (model.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "model.h"
#include "layers.h"

size_t mc_gpt_param_count(const mc_gpt_shape *s)
{
    size_t D = s->D;
    size_t block = 2 * D + D * 3 * D + 3 * D + D * D + D + 2 * D + D * 4 * D + 4 * D + 4 * D * D + D;
    return (size_t)s->V * D + (size_t)s->C * D + s->L * block + 2 * D;
}

/* Floats of activations and scratch for B rows of C positions. */
static double act_floats(const mc_gpt_shape *s, uint32_t B)
{
    double N = (double)B * s->C, D = s->D, att = (double)B * s->H * s->C * s->C;
    double block = N * D * 6 + N * 3 * D + N * 12 * D + N * 4 + att;
    return N * D + s->L * block + N * D + 2 * N + 2 * N * (double)s->V + N * D + N * 3 * D +
           N * 4 * D + att + 2 * N;
}

double mc_gpt_bytes(const mc_gpt_shape *s, uint32_t B)
{
    return 4.0 * (4.0 * (double)mc_gpt_param_count(s) + act_floats(s, B)) +
           (double)mc_gpt_param_count(s) + (double)s->L * sizeof(mc_gpt_acts_block) * 3;
}

/* Carves n floats from the arena at *at. */
static float *take(float **at, size_t n)
{
    float *p = *at;
    *at += (n + 15) & ~(size_t)15; /* 64-byte aligned slices */
    return p;
}

/* Points v's tensors into the flat array base; fills decay (may be NULL) for the matrices. */
static void map_params(const mc_gpt_shape *s, float *base, mc_gpt_params *v, uint8_t *decay,
                       float *origin)
{
    size_t D = s->D;
    float *at = base;
#define MAP(field, n, dec)                                                      \
    do {                                                                        \
        field = at;                                                             \
        if (decay)                                                              \
            memset(decay + (at - origin), dec, (n));                            \
        at += (n);                                                              \
    } while (0)
    MAP(v->wte, (size_t)s->V * D, 1);
    MAP(v->wpe, (size_t)s->C * D, 1);
    for (uint32_t l = 0; l < s->L; l++) {
        mc_gpt_block *b = &v->block[l];
        MAP(b->ln1_g, D, 0);
        MAP(b->ln1_b, D, 0);
        MAP(b->w_qkv, D * 3 * D, 1);
        MAP(b->b_qkv, 3 * D, 0);
        MAP(b->w_proj, D * D, 1);
        MAP(b->b_proj, D, 0);
        MAP(b->ln2_g, D, 0);
        MAP(b->ln2_b, D, 0);
        MAP(b->w_fc, D * 4 * D, 1);
        MAP(b->b_fc, 4 * D, 0);
        MAP(b->w_out, 4 * D * D, 1);
        MAP(b->b_out, D, 0);
    }
    MAP(v->lnf_g, D, 0);
    MAP(v->lnf_b, D, 0);
#undef MAP
}

static void map_acts(mc_gpt *m, float *at)
{
    const mc_gpt_shape *s = &m->s;
    size_t N = (size_t)m->max_batch * s->C, D = s->D;
    size_t att = (size_t)m->max_batch * s->H * s->C * s->C;
    m->emb = take(&at, N * D);
    for (uint32_t l = 0; l < s->L; l++) {
        mc_gpt_acts_block *a = &m->act[l];
        a->ln1 = take(&at, N * D);
        a->ln1_mean = take(&at, N);
        a->ln1_rstd = take(&at, N);
        a->qkv = take(&at, N * 3 * D);
        a->att = take(&at, att);
        a->atty = take(&at, N * D);
        a->res1 = take(&at, N * D);
        a->ln2 = take(&at, N * D);
        a->ln2_mean = take(&at, N);
        a->ln2_rstd = take(&at, N);
        a->fch = take(&at, N * 4 * D);
        a->fcg = take(&at, N * 4 * D);
        a->fct = take(&at, N * 4 * D);
        a->res2 = take(&at, N * D);
    }
    m->lnf = take(&at, N * D);
    m->lnf_mean = take(&at, N);
    m->lnf_rstd = take(&at, N);
    m->logits = take(&at, N * s->V);
    m->dlogits = take(&at, N * s->V);
    m->dres = take(&at, N * D);
    m->dbuf = take(&at, N * 3 * D);
    m->dbig = take(&at, N * 4 * D);
    m->datt = take(&at, att);
    m->loss = take(&at, N);
    m->scale = take(&at, N);
}

mc_gpt *mc_gpt_alloc(const mc_gpt_shape *s, uint32_t max_batch)
{
    mc_gpt *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->s = *s;
    m->max_batch = max_batch;
    m->nparams = mc_gpt_param_count(s);
    size_t P = (m->nparams + 15) & ~(size_t)15;
    size_t slices = 40 + 24 * (size_t)s->L; /* alignment padding of every slice */
    size_t floats = 4 * P + (size_t)act_floats(s, max_batch) + 16 * slices;
    m->arena = aligned_alloc(64, ((floats * sizeof(float) + 63) / 64) * 64);
    m->decay = malloc(m->nparams);
    m->act = calloc(s->L, sizeof *m->act);
    m->p.block = calloc(s->L, sizeof *m->p.block);
    m->g.block = calloc(s->L, sizeof *m->g.block);
    if (!m->arena || !m->decay || !m->act || !m->p.block || !m->g.block) {
        mc_gpt_free(m);
        return NULL;
    }
    memset(m->arena, 0, floats * sizeof(float));
    m->param = m->arena;
    m->grad = m->param + P;
    m->adam_m = m->grad + P;
    m->adam_v = m->adam_m + P;
    map_params(s, m->param, &m->p, m->decay, m->param);
    map_params(s, m->grad, &m->g, NULL, m->grad);
    map_acts(m, m->adam_v + P);
    return m;
}

void mc_gpt_free(mc_gpt *m)
{
    if (!m)
        return;
    free(m->arena);
    free(m->decay);
    free(m->act);
    free(m->p.block);
    free(m->g.block);
    free(m);
}

static void fill_normal(float *x, size_t n, double sd, gsl_rng *r)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)gsl_ran_gaussian_ziggurat(r, sd);
}

static void fill(float *x, size_t n, float v)
{
    for (size_t i = 0; i < n; i++)
        x[i] = v;
}

void mc_gpt_init(mc_gpt *m, gsl_rng *r)
{
    const mc_gpt_shape *s = &m->s;
    size_t D = s->D;
    memset(m->param, 0, m->nparams * sizeof *m->param);
    double sd = 0.02, sdr = 0.02 / sqrt(2.0 * s->L);
    fill_normal(m->p.wte, (size_t)s->V * D, sd, r);
    fill_normal(m->p.wpe, (size_t)s->C * D, sd / 2, r);
    for (uint32_t l = 0; l < s->L; l++) {
        mc_gpt_block *b = &m->p.block[l];
        fill(b->ln1_g, D, 1);
        fill(b->ln2_g, D, 1);
        fill_normal(b->w_qkv, D * 3 * D, sd, r);
        fill_normal(b->w_proj, D * D, sdr, r);
        fill_normal(b->w_fc, D * 4 * D, sd, r);
        fill_normal(b->w_out, 4 * D * D, sdr, r);
    }
    fill(m->p.lnf_g, D, 1);
    memset(m->adam_m, 0, m->nparams * sizeof *m->adam_m);
    memset(m->adam_v, 0, m->nparams * sizeof *m->adam_v);
    m->adam_t = 0;
}

/* One block forward: inp (N x D) -> a->res2. */
static void block_forward(mc_gpt *m, uint32_t l, const float *inp, size_t B, size_t T)
{
    size_t N = B * T, D = m->s.D;
    const mc_gpt_block *w = &m->p.block[l];
    mc_gpt_acts_block *a = &m->act[l];
    mc_gpt_layernorm_fwd(a->ln1, a->ln1_mean, a->ln1_rstd, inp, w->ln1_g, w->ln1_b, N, D);
    mc_gpt_matmul_fwd(a->qkv, a->ln1, w->w_qkv, w->b_qkv, N, D, 3 * D);
    mc_gpt_attention_fwd(a->atty, a->att, a->qkv, B, T, D, m->s.H);
    mc_gpt_matmul_fwd(a->res1, a->atty, w->w_proj, w->b_proj, N, D, D);
    mc_gpt_add(a->res1, a->res1, inp, N * D);
    mc_gpt_layernorm_fwd(a->ln2, a->ln2_mean, a->ln2_rstd, a->res1, w->ln2_g, w->ln2_b, N, D);
    mc_gpt_matmul_fwd(a->fch, a->ln2, w->w_fc, w->b_fc, N, D, 4 * D);
    mc_gpt_gelu_fwd(a->fcg, a->fct, a->fch, N * 4 * D);
    mc_gpt_matmul_fwd(a->res2, a->fcg, w->w_out, w->b_out, N, 4 * D, D);
    mc_gpt_add(a->res2, a->res2, a->res1, N * D);
}

double mc_gpt_forward(mc_gpt *m, const uint32_t *tok, const uint32_t *target, const float *weight,
                      uint32_t B, uint32_t T)
{
    size_t N = (size_t)B * T, D = m->s.D;
    mc_gpt_embed_fwd(m->emb, tok, m->p.wte, m->p.wpe, B, T, D);
    const float *x = m->emb;
    for (uint32_t l = 0; l < m->s.L; l++) {
        block_forward(m, l, x, B, T);
        x = m->act[l].res2;
    }
    mc_gpt_layernorm_fwd(m->lnf, m->lnf_mean, m->lnf_rstd, x, m->p.lnf_g, m->p.lnf_b, N, D);
    mc_gpt_matmul_tied_fwd(m->logits, m->lnf, m->p.wte, N, D, m->s.V);
    if (!target)
        return 0;
    mc_gpt_softmax_xent_fwd(m->logits, m->loss, target, N, m->s.V);
    double num = 0, den = 0;
    for (size_t i = 0; i < N; i++)
        if (target[i] != UINT32_MAX) {
            double w = weight ? weight[i] : 1.0;
            num += w * m->loss[i];
            den += w;
        }
    return den > 0 ? num / den : 0;
}

/* One block backward: m->dres holds d(res2); on return it holds d(inp). */
static void block_backward(mc_gpt *m, uint32_t l, const float *inp, size_t B, size_t T)
{
    size_t N = B * T, D = m->s.D;
    const mc_gpt_block *w = &m->p.block[l];
    mc_gpt_block *g = &m->g.block[l];
    const mc_gpt_acts_block *a = &m->act[l];
    float *dres = m->dres, *dbuf = m->dbuf, *dbig = m->dbig;
    /* MLP: res2 = res1 + W_out gelu(W_fc ln2(res1) + b_fc) + b_out */
    memset(dbig, 0, N * 4 * D * sizeof *dbig);
    mc_gpt_matmul_bwd(dbig, g->w_out, g->b_out, dres, a->fcg, w->w_out, N, 4 * D, D);
    mc_gpt_gelu_bwd(dbig, a->fch, a->fct, dbig, N * 4 * D);
    memset(dbuf, 0, N * D * sizeof *dbuf);
    mc_gpt_matmul_bwd(dbuf, g->w_fc, g->b_fc, dbig, a->ln2, w->w_fc, N, D, 4 * D);
    mc_gpt_layernorm_bwd(dres, g->ln2_g, g->ln2_b, dbuf, a->res1, w->ln2_g, a->ln2_mean,
                         a->ln2_rstd, N, D);
    /* attention: res1 = inp + W_proj attention(W_qkv ln1(inp) + b_qkv) + b_proj */
    memset(dbig, 0, N * D * sizeof *dbig);
    mc_gpt_matmul_bwd(dbig, g->w_proj, g->b_proj, dres, a->atty, w->w_proj, N, D, D);
    memset(dbuf, 0, N * 3 * D * sizeof *dbuf);
    mc_gpt_attention_bwd(dbuf, m->datt, dbig, a->qkv, a->att, B, T, D, m->s.H);
    memset(dbig, 0, N * D * sizeof *dbig);
    mc_gpt_matmul_bwd(dbig, g->w_qkv, g->b_qkv, dbuf, a->ln1, w->w_qkv, N, D, 3 * D);
    mc_gpt_layernorm_bwd(dres, g->ln1_g, g->ln1_b, dbig, inp, w->ln1_g, a->ln1_mean,
                         a->ln1_rstd, N, D);
}

void mc_gpt_backward(mc_gpt *m, const uint32_t *tok, const uint32_t *target, const float *weight,
                     uint32_t B, uint32_t T)
{
    size_t N = (size_t)B * T, D = m->s.D, V = m->s.V;
    memset(m->grad, 0, m->nparams * sizeof *m->grad);
    double den = 0;
    for (size_t i = 0; i < N; i++)
        den += target[i] != UINT32_MAX ? (weight ? weight[i] : 1.0) : 0.0;
    for (size_t i = 0; i < N; i++)
        m->scale[i] = den > 0 && target[i] != UINT32_MAX
                          ? (float)((weight ? weight[i] : 1.0) / den)
                          : 0.0f;
    mc_gpt_softmax_xent_bwd(m->dlogits, m->logits, target, m->scale, N, V);
    memset(m->dbig, 0, N * D * sizeof *m->dbig);
    mc_gpt_matmul_tied_bwd(m->dbig, m->g.wte, m->dlogits, m->lnf, m->p.wte, N, D, V);
    const float *x = m->s.L ? m->act[m->s.L - 1].res2 : m->emb;
    memset(m->dres, 0, N * D * sizeof *m->dres);
    mc_gpt_layernorm_bwd(m->dres, m->g.lnf_g, m->g.lnf_b, m->dbig, x, m->p.lnf_g, m->lnf_mean,
                         m->lnf_rstd, N, D);
    for (uint32_t l = m->s.L; l-- > 0;)
        block_backward(m, l, l ? m->act[l - 1].res2 : m->emb, B, T);
    mc_gpt_embed_bwd(m->g.wte, m->g.wpe, m->dres, tok, B, T, D);
}
