/* layers.c - the transformer's layers, forward and backward (layers.h).
 *
 * Matrix products go to OpenBLAS's sgemm (blas.h: opened privately, one thread per call). The
 * rest are
 * single loops over rows, each row's work fused in one pass where the backward allows (LayerNorm's
 * two reductions, the attention's softmax and its gradient, softmax with the cross-entropy). */
#include <math.h>
#include <string.h>
#include "layers.h"
#include "blas.h"
#include "vexp.h"

/* Reductions over a row in LANES interleaved partial sums (lane j takes elements j, j + LANES,
 * ...) added up in a fixed order at the end: the compiler vectorises them (one lane per vector
 * element), and the sum is the same on any machine. */
#define LANES 8

/* The row loops are compiled twice, for the x86-64 baseline (SSE2) and for AVX2, the one the
 * processor can run picked when the program starts (GCC's target_clones): the same operations in
 * wider vectors, so the same values (no fused multiply-add: -ffp-contract=off; MC_GPT_NO_CLONES
 * builds the baseline alone, to check). */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__) && \
    !defined(MC_GPT_NO_CLONES)
#define ROWS_CLONED __attribute__((target_clones("avx2", "default")))
#else
#define ROWS_CLONED
#endif

static inline float lanes_total(const float *acc)
{
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

static inline float row_sum(const float *x, size_t n)
{
    float acc[LANES] = {0};
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (size_t j = 0; j < LANES; j++)
            acc[j] += x[i + j];
    for (size_t j = 0; i < n; i++, j++)
        acc[j] += x[i];
    return lanes_total(acc);
}

static inline float row_max(const float *x, size_t n)
{
    float acc[LANES];
    for (size_t j = 0; j < LANES; j++)
        acc[j] = -INFINITY;
    size_t i = 0;
    for (; i + LANES <= n; i += LANES)
        for (size_t j = 0; j < LANES; j++)
            acc[j] = x[i + j] > acc[j] ? x[i + j] : acc[j];
    for (size_t j = 0; i < n; i++, j++)
        acc[j] = x[i] > acc[j] ? x[i] : acc[j];
    float m = acc[0];
    for (size_t j = 1; j < LANES; j++)
        m = acc[j] > m ? acc[j] : m;
    return m;
}

#define sgemm_rm mc_gpt_sgemm

void mc_gpt_embed_fwd(float *out, const uint32_t *tok, const float *wte, const float *wpe,
                      size_t B, size_t T, size_t D)
{
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < T; t++) {
            float *o = out + (b * T + t) * D;
            const float *e = wte + (size_t)tok[b * T + t] * D, *p = wpe + t * D;
            for (size_t i = 0; i < D; i++)
                o[i] = e[i] + p[i];
        }
}

void mc_gpt_embed_bwd(float *dwte, float *dwpe, const float *dout, const uint32_t *tok, size_t B,
                      size_t T, size_t D)
{
    for (size_t b = 0; b < B; b++)
        for (size_t t = 0; t < T; t++) {
            const float *d = dout + (b * T + t) * D;
            float *e = dwte + (size_t)tok[b * T + t] * D, *p = dwpe + t * D;
            for (size_t i = 0; i < D; i++) {
                e[i] += d[i];
                p[i] += d[i];
            }
        }
}

ROWS_CLONED
void mc_gpt_layernorm_fwd(float *out, float *mean, float *rstd, const float *inp, const float *g,
                          const float *b, size_t N, size_t D)
{
    for (size_t n = 0; n < N; n++) {
        const float *x = inp + n * D;
        float *o = out + n * D;
        float m = row_sum(x, D) / (float)D;
        for (size_t i = 0; i < D; i++) /* o holds the squared deviations first */
            o[i] = (x[i] - m) * (x[i] - m);
        float s = 1.0f / sqrtf(row_sum(o, D) / (float)D + 1e-5f);
        for (size_t i = 0; i < D; i++)
            o[i] = (x[i] - m) * s * g[i] + b[i];
        mean[n] = m;
        rstd[n] = s;
    }
}

/* Element k of a LayerNorm backward row: the gain and bias gradients, and lane j's sums of
 * g d and g d xh. */
static inline void layernorm_bwd_elem(size_t k, size_t j, const float *x, const float *d,
                                      const float *g, float m, float s, float *dg, float *db,
                                      float *sum_dn, float *sum_dnxh)
{
    float xh = (x[k] - m) * s, dn = g[k] * d[k];
    sum_dn[j] += dn;
    sum_dnxh[j] += dn * xh;
    dg[k] += xh * d[k];
    db[k] += d[k];
}

ROWS_CLONED
void mc_gpt_layernorm_bwd(float *dinp, float *dg, float *db, const float *dout, const float *inp,
                          const float *g, const float *mean, const float *rstd, size_t N,
                          size_t D)
{
    for (size_t n = 0; n < N; n++) {
        const float *x = inp + n * D, *d = dout + n * D;
        float *dx = dinp + n * D;
        float m = mean[n], s = rstd[n], sum_dn[LANES] = {0}, sum_dnxh[LANES] = {0};
        size_t i = 0;
        for (; i + LANES <= D; i += LANES)
            for (size_t j = 0; j < LANES; j++)
                layernorm_bwd_elem(i + j, j, x, d, g, m, s, dg, db, sum_dn, sum_dnxh);
        for (size_t j = 0; i < D; i++, j++)
            layernorm_bwd_elem(i, j, x, d, g, m, s, dg, db, sum_dn, sum_dnxh);
        float dnorm_mean = lanes_total(sum_dn) / (float)D;
        float dnorm_norm_mean = lanes_total(sum_dnxh) / (float)D;
        for (size_t k = 0; k < D; k++) {
            float xh = (x[k] - m) * s, dn = g[k] * d[k];
            dx[k] += (dn - dnorm_mean - xh * dnorm_norm_mean) * s;
        }
    }
}

void mc_gpt_matmul_fwd(float *out, const float *inp, const float *W, const float *bias, size_t N,
                       size_t IC, size_t OC)
{
    float beta = 0;
    if (bias) {
        for (size_t n = 0; n < N; n++)
            memcpy(out + n * OC, bias, OC * sizeof *out);
        beta = 1;
    }
    sgemm_rm(0, 0, N, OC, IC, 1.0f, inp, IC, W, OC, beta, out, OC);
}

void mc_gpt_matmul_bwd(float *dinp, float *dW, float *dbias, const float *dout, const float *inp,
                       const float *W, size_t N, size_t IC, size_t OC)
{
    if (dinp)
        sgemm_rm(0, 1, N, IC, OC, 1.0f, dout, OC, W, OC, 1.0f, dinp, IC);
    sgemm_rm(1, 0, IC, OC, N, 1.0f, inp, IC, dout, OC, 1.0f, dW, OC);
    if (dbias)
        for (size_t n = 0; n < N; n++) {
            const float *d = dout + n * OC;
            for (size_t o = 0; o < OC; o++)
                dbias[o] += d[o];
        }
}

void mc_gpt_matmul_tied_fwd(float *out, const float *inp, const float *E, size_t N, size_t D,
                            size_t V)
{
    sgemm_rm(0, 1, N, V, D, 1.0f, inp, D, E, D, 0.0f, out, V);
}

void mc_gpt_matmul_tied_bwd(float *dinp, float *dE, const float *dout, const float *inp,
                            const float *E, size_t N, size_t D, size_t V)
{
    sgemm_rm(0, 0, N, D, V, 1.0f, dout, V, E, D, 1.0f, dinp, D);
    sgemm_rm(1, 0, V, D, N, 1.0f, dout, V, inp, D, 1.0f, dE, D);
}

/* Row t of a (T) after the scores: softmax over u <= t, zeros after. */
/* always inlined: into the attention's clones */
static inline __attribute__((always_inline)) void causal_softmax_row(float *a, size_t t,
                                                                     size_t T)
{
    float mx = row_max(a, t + 1);
    for (size_t u = 0; u <= t; u++)
        a[u] = mc_gpt_expf(a[u] - mx);
    float inv = 1.0f / row_sum(a, t + 1);
    for (size_t u = 0; u <= t; u++)
        a[u] *= inv;
    for (size_t u = t + 1; u < T; u++)
        a[u] = 0;
}

/* Per row and head: scores S = Q K^T / sqrt(hd) (one product), causal softmax, out = P V. */
ROWS_CLONED
void mc_gpt_attention_fwd(float *out, float *att, const float *qkv, size_t B, size_t T, size_t D,
                          size_t H)
{
    size_t hd = D / H, C3 = 3 * D;
    float scale = 1.0f / sqrtf((float)hd);
    for (size_t b = 0; b < B; b++)
        for (size_t h = 0; h < H; h++) {
            const float *q = qkv + b * T * C3 + h * hd, *k = q + D, *v = q + 2 * D;
            float *a = att + (b * H + h) * T * T;
            sgemm_rm(0, 1, T, T, hd, scale, q, C3, k, C3, 0.0f, a, T);
            for (size_t t = 0; t < T; t++)
                causal_softmax_row(a + t * T, t, T);
            sgemm_rm(0, 0, T, hd, T, 1.0f, a, T, v, C3, 0.0f, out + b * T * D + h * hd, D);
        }
}

/* dP = dO V^T, dV += P^T dO, dS = P (dP - rowsum(P dP)) / sqrt(hd), dQ += dS K, dK += dS^T Q. */
ROWS_CLONED
void mc_gpt_attention_bwd(float *dqkv, float *datt, const float *dout, const float *qkv,
                          const float *att, size_t B, size_t T, size_t D, size_t H)
{
    size_t hd = D / H, C3 = 3 * D;
    float scale = 1.0f / sqrtf((float)hd);
    for (size_t b = 0; b < B; b++)
        for (size_t h = 0; h < H; h++) {
            const float *q = qkv + b * T * C3 + h * hd, *k = q + D, *v = q + 2 * D;
            float *dq = dqkv + b * T * C3 + h * hd, *dk = dq + D, *dv = dq + 2 * D;
            const float *a = att + (b * H + h) * T * T, *d = dout + b * T * D + h * hd;
            float *da = datt + (b * H + h) * T * T;
            sgemm_rm(0, 1, T, T, hd, 1.0f, d, D, v, C3, 0.0f, da, T);
            sgemm_rm(1, 0, T, hd, T, 1.0f, a, T, d, D, 1.0f, dv, C3);
            for (size_t t = 0; t < T; t++) {
                const float *ar = a + t * T;
                float *dr = da + t * T, dot = 0;
                for (size_t u = 0; u <= t; u++)
                    dot += ar[u] * dr[u];
                for (size_t u = 0; u <= t; u++)
                    dr[u] = ar[u] * (dr[u] - dot) * scale;
                for (size_t u = t + 1; u < T; u++)
                    dr[u] = 0;
            }
            sgemm_rm(0, 0, T, hd, T, 1.0f, da, T, k, C3, 1.0f, dq, C3);
            sgemm_rm(1, 0, T, hd, T, 1.0f, da, T, q, C3, 1.0f, dk, C3);
        }
}

#define GELU_C 0.7978845608028654f /* sqrt(2 / pi) */

/* tanh(u) = 1 - 2 / (exp(2u) + 1): one exp (vexp.h, vectorised), exact to a few ulps, +-1 at
 * the ends. */
static inline float tanh_exp(float u)
{
    return 1.0f - 2.0f / (mc_gpt_expf(2.0f * u) + 1.0f);
}

ROWS_CLONED
void mc_gpt_gelu_fwd(float *out, float *th, const float *inp, size_t n)
{
    if (!th) {
        for (size_t i = 0; i < n; i++) {
            float x = inp[i];
            out[i] = 0.5f * x * (1.0f + tanh_exp(GELU_C * (x + 0.044715f * x * x * x)));
        }
        return;
    }
    for (size_t i = 0; i < n; i++) {
        float x = inp[i], t = tanh_exp(GELU_C * (x + 0.044715f * x * x * x));
        out[i] = 0.5f * x * (1.0f + t);
        th[i] = t;
    }
}

ROWS_CLONED
void mc_gpt_gelu_bwd(float *dinp, const float *inp, const float *th, const float *dout, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i], t = th[i], sech2 = 1.0f - t * t;
        float du = GELU_C * (1.0f + 3.0f * 0.044715f * x * x);
        dinp[i] = dout[i] * (0.5f * (1.0f + t) + 0.5f * x * sech2 * du);
    }
}

ROWS_CLONED
void mc_gpt_add(float *out, const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}

ROWS_CLONED
void mc_gpt_softmax_xent_fwd(float *logits, float *loss, const uint32_t *target, size_t N,
                             size_t V)
{
    for (size_t n = 0; n < N; n++) {
        float *z = logits + n * V;
        int has = loss && target && target[n] != UINT32_MAX;
        float zt = has ? z[target[n]] : 0;
        float mx = row_max(z, V);
        for (size_t v = 0; v < V; v++)
            z[v] = mc_gpt_expf(z[v] - mx);
        double sum = 0;
        for (size_t v = 0; v < V; v++)
            sum += z[v];
        float inv = (float)(1.0 / sum);
        for (size_t v = 0; v < V; v++)
            z[v] *= inv;
        if (loss) /* log-sum-exp minus the target's logit: exact where p is near 1 */
            loss[n] = has ? (float)((double)mx + log(sum) - (double)zt) : 0;
    }
}

ROWS_CLONED
void mc_gpt_softmax_xent_bwd(float *dlogits, const float *probs, const uint32_t *target,
                             const float *scale, size_t N, size_t V)
{
    for (size_t n = 0; n < N; n++) {
        float *d = dlogits + n * V, s = scale[n];
        const float *p = probs + n * V;
        if (target[n] == UINT32_MAX || s == 0) {
            memset(d, 0, V * sizeof *d);
            continue;
        }
        for (size_t v = 0; v < V; v++)
            d[v] = s * p[v];
        d[target[n]] -= s;
    }
}
