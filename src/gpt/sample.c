/* sample.c - batched sampling with a key/value cache (sample.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "sample.h"
#include "layers.h"
#include "train.h"
#include "collapse/error.h"

/* One stream: what it feeds next, its position and its unfinished sentence. */
typedef struct strm {
    uint32_t pos;      /* position of the token fed next */
    uint32_t *sent;    /* (C) the sentence so far */
    uint32_t len;      /* its tokens */
    uint32_t feed;     /* tokens of [EOS, sent...] still to feed before sampling (refill) */
    uint32_t next;     /* the token fed next */
    uint64_t quota;    /* sentences it still writes */
} strm;

struct mc_gpt_sampler {
    uint32_t S;
    float *kcache, *vcache; /* (L x S x C x D) */
    float *x, *ln, *qkv, *atty, *res, *fch, *logits, *att; /* per active row */
    uint32_t *row_stream;   /* (S) the stream of each active row */
    uint32_t *order;        /* (V) sort scratch */
    double *prob;           /* (V) */
    strm *st;
    void *arena;
};

double mc_gpt_sampler_bytes(const mc_gpt_shape *s, uint32_t S)
{
    double D = s->D;
    return 4.0 * (2.0 * s->L * S * s->C * D + S * (D * 8 + 3 * D + 4 * D + s->V) +
                  (double)(S > s->H ? S : s->H) * s->C) +
           (double)S * (s->C * 4.0 + sizeof(strm)) + 12.0 * s->V + 4.0 * S;
}

mc_gpt_sampler *mc_gpt_sampler_alloc(const mc_gpt *m, uint32_t S)
{
    const mc_gpt_shape *s = &m->s;
    mc_gpt_sampler *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->S = S;
    size_t D = s->D, cache = (size_t)s->L * S * s->C * D;
    size_t floats = 2 * cache + (size_t)S * (D * 4 + 3 * D + 4 * D + s->V) +
                    (size_t)(S > s->H ? S : s->H) * s->C; /* att: (H x C) scratch */
    z->arena = malloc(floats * sizeof(float));
    z->row_stream = malloc(S * sizeof *z->row_stream);
    z->order = malloc(s->V * sizeof *z->order);
    z->prob = malloc(s->V * sizeof *z->prob);
    z->st = calloc(S, sizeof *z->st);
    int ok = z->arena && z->row_stream && z->order && z->prob && z->st;
    for (uint32_t i = 0; ok && i < S; i++)
        ok = (z->st[i].sent = malloc(s->C * sizeof *z->st[i].sent)) != NULL;
    if (!ok) {
        mc_gpt_sampler_free(z);
        return NULL;
    }
    float *at = z->arena;
    z->kcache = at, at += cache;
    z->vcache = at, at += cache;
    z->x = at, at += S * D;
    z->ln = at, at += S * D;
    z->atty = at, at += S * D;
    z->res = at, at += S * D;
    z->qkv = at, at += S * 3 * D;
    z->fch = at, at += S * 4 * D;
    z->logits = at, at += (size_t)S * s->V;
    z->att = at;
    return z;
}

void mc_gpt_sampler_free(mc_gpt_sampler *z)
{
    if (!z)
        return;
    for (uint32_t i = 0; z->st && i < z->S; i++)
        free(z->st[i].sent);
    free(z->st), free(z->arena), free(z->row_stream), free(z->order), free(z->prob);
    free(z);
}

/* Attention of each active row's query over its stream's cached keys and values 0..pos. Each
 * cached position is read once for all the heads (its keys, then its values, are D contiguous
 * floats); every head's sums still run over i, then over u, in order. */
static void cached_attention(mc_gpt_sampler *z, const mc_gpt *m, uint32_t l, uint32_t rows)
{
    size_t D = m->s.D, H = m->s.H, hd = D / H, C = m->s.C;
    float scale = 1.0f / sqrtf((float)hd);
    for (uint32_t r = 0; r < rows; r++) {
        uint32_t sid = z->row_stream[r], pos = z->st[sid].pos;
        const float *K = z->kcache + ((size_t)l * z->S + sid) * C * D;
        const float *Vc = z->vcache + ((size_t)l * z->S + sid) * C * D;
        const float *q = z->qkv + r * 3 * D;
        float *a = z->att, *o = z->atty + r * D; /* a: (H x C), head h's scores at h C */
        for (uint32_t u = 0; u <= pos; u++)
            for (size_t h = 0; h < H; h++) {
                float sc = 0;
                for (size_t i = 0; i < hd; i++)
                    sc += q[h * hd + i] * K[u * D + h * hd + i];
                a[h * C + u] = sc * scale;
            }
        for (size_t h = 0; h < H; h++) {
            float *ah = a + h * C, mx = -INFINITY, sum = 0;
            for (uint32_t u = 0; u <= pos; u++)
                mx = ah[u] > mx ? ah[u] : mx;
            for (uint32_t u = 0; u <= pos; u++)
                sum += (ah[u] = expf(ah[u] - mx));
            for (uint32_t u = 0; u <= pos; u++)
                ah[u] = ah[u] / sum;
        }
        for (size_t i = 0; i < D; i++)
            o[i] = 0;
        for (uint32_t u = 0; u <= pos; u++)
            for (size_t h = 0; h < H; h++) {
                float w = a[h * C + u];
                for (size_t i = 0; i < hd; i++)
                    o[h * hd + i] += w * Vc[u * D + h * hd + i];
            }
    }
}

/* One token through the network for each active row: z->logits (rows x V). */
static void decode_step(mc_gpt_sampler *z, const mc_gpt *m, uint32_t rows)
{
    size_t D = m->s.D, C = m->s.C;
    for (uint32_t r = 0; r < rows; r++) {
        const strm *st = &z->st[z->row_stream[r]];
        const float *e = m->p.wte + (size_t)st->next * D, *p = m->p.wpe + (size_t)st->pos * D;
        for (size_t i = 0; i < D; i++)
            z->x[r * D + i] = e[i] + p[i];
    }
    float mean[1], rstd[1];
    for (uint32_t l = 0; l < m->s.L; l++) {
        const mc_gpt_block *w = &m->p.block[l];
        for (uint32_t r = 0; r < rows; r++)
            mc_gpt_layernorm_fwd(z->ln + r * D, mean, rstd, z->x + r * D, w->ln1_g, w->ln1_b, 1, D);
        mc_gpt_matmul_fwd(z->qkv, z->ln, w->w_qkv, w->b_qkv, rows, D, 3 * D);
        for (uint32_t r = 0; r < rows; r++) {
            uint32_t sid = z->row_stream[r];
            size_t at = (((size_t)l * z->S + sid) * C + z->st[sid].pos) * D;
            memcpy(z->kcache + at, z->qkv + r * 3 * D + D, D * sizeof(float));
            memcpy(z->vcache + at, z->qkv + r * 3 * D + 2 * D, D * sizeof(float));
        }
        cached_attention(z, m, l, rows);
        mc_gpt_matmul_fwd(z->res, z->atty, w->w_proj, w->b_proj, rows, D, D);
        mc_gpt_add(z->x, z->x, z->res, rows * D);
        for (uint32_t r = 0; r < rows; r++)
            mc_gpt_layernorm_fwd(z->ln + r * D, mean, rstd, z->x + r * D, w->ln2_g, w->ln2_b, 1, D);
        mc_gpt_matmul_fwd(z->fch, z->ln, w->w_fc, w->b_fc, rows, D, 4 * D);
        mc_gpt_gelu_fwd(z->fch, NULL, z->fch, rows * 4 * D);
        mc_gpt_matmul_fwd(z->res, z->fch, w->w_out, w->b_out, rows, 4 * D, D);
        mc_gpt_add(z->x, z->x, z->res, rows * D);
    }
    for (uint32_t r = 0; r < rows; r++)
        mc_gpt_layernorm_fwd(z->ln + r * D, mean, rstd, z->x + r * D, m->p.lnf_g, m->p.lnf_b, 1, D);
    mc_gpt_matmul_tied_fwd(z->logits, z->ln, m->p.wte, rows, D, m->s.V);
}

static _Thread_local const double *cmp_prob; /* qsort has no context: set by pick() */

static int by_prob(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    if (cmp_prob[i] != cmp_prob[j])
        return cmp_prob[i] > cmp_prob[j] ? -1 : 1;
    return i < j ? -1 : 1;
}

/* A token from logits z (V) with temperature, top-k and top-p. */
static uint32_t pick(mc_gpt_sampler *zs, const float *z, uint32_t V, gsl_rng *r,
                     const mc_sampling *s, int greedy)
{
    uint32_t best = 0;
    for (uint32_t v = 1; v < V; v++)
        best = z[v] > z[best] ? v : best;
    if (greedy)
        return best;
    double *p = zs->prob, sum = 0, T = s->temperature;
    for (uint32_t v = 0; v < V; v++)
        sum += (p[v] = exp(((double)z[v] - z[best]) / T));
    uint32_t keep = V, *ord = zs->order;
    if (s->top_k > 0 || s->top_p < 1) {
        for (uint32_t v = 0; v < V; v++)
            ord[v] = v;
        cmp_prob = p;
        qsort(ord, V, sizeof *ord, by_prob); /* a total order: ties by id */
        keep = s->top_k > 0 && (uint64_t)s->top_k < V ? (uint32_t)s->top_k : V;
        double c = 0;
        for (uint32_t i = 0; i < keep && s->top_p < 1; i++)
            if ((c += p[ord[i]] / sum) >= s->top_p) {
                keep = i + 1;
                break;
            }
        sum = 0;
        for (uint32_t i = 0; i < keep; i++)
            sum += p[ord[i]];
    }
    double u = gsl_rng_uniform(r) * sum, c = 0;
    for (uint32_t i = 0; i < keep; i++) {
        uint32_t v = keep < V ? ord[i] : i;
        if ((c += p[v]) > u)
            return v;
    }
    return keep < V ? ord[keep - 1] : V - 1;
}

/* After token y was sampled for stream st: end or extend its sentence, refill a full window. */
static int advance(strm *st, uint32_t y, uint32_t C, mc_ngram_ds *out)
{
    int ends = y == MC_GPT_EOS || st->len + 1 >= C;
    if (!ends) {
        st->sent[st->len++] = y;
        st->next = y;
    } else {
        if (y != MC_GPT_EOS)
            st->sent[st->len++] = y; /* cut at C - 1 tokens */
        if (mc_ngram_ds_push(out, st->sent, st->len, 0))
            return MC_ENOMEM;
        st->len = 0;
        st->quota--;
        st->next = MC_GPT_EOS;
    }
    if (++st->pos == C) { /* full window: again from EOS and the unfinished sentence */
        st->pos = 0;
        st->next = MC_GPT_EOS;
        st->feed = st->len;
    }
    return MC_OK;
}

int mc_gpt_sample(mc_gpt_sampler *z, const mc_gpt *m, gsl_rng *r, const mc_sampling *smp,
                  int greedy, uint64_t n, mc_ngram_ds *out)
{
    uint32_t C = m->s.C, V = m->s.V;
    for (uint32_t i = 0; i < z->S; i++) {
        strm *st = &z->st[i];
        st->pos = st->len = st->feed = 0;
        st->next = MC_GPT_EOS;
        st->quota = n / z->S + (i < n % z->S);
    }
    for (;;) {
        uint32_t rows = 0;
        for (uint32_t i = 0; i < z->S; i++)
            if (z->st[i].quota)
                z->row_stream[rows++] = i;
        if (!rows)
            return MC_OK;
        decode_step(z, m, rows);
        for (uint32_t k = 0; k < rows; k++) {
            strm *st = &z->st[z->row_stream[k]];
            if (st->feed) { /* refilling: feed the unfinished sentence, sample nothing */
                st->next = st->sent[st->len - st->feed--];
                st->pos++;
                continue;
            }
            uint32_t y = pick(z, z->logits + (size_t)k * V, V, r, smp, greedy);
            if (advance(st, y, C, out))
                return MC_ENOMEM;
        }
    }
}
