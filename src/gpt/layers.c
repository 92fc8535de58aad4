/* layers.c - the transformer's layers, forward and backward (layers.h).
 *
 * Matrix products go to cblas_sgemm (OpenBLAS, one thread per call: see gpt.c); the rest are
 * single loops over rows, each row's work fused in one pass where the backward allows (LayerNorm's
 * two reductions, the attention's softmax and its gradient, softmax with the cross-entropy). */
#include <cblas.h>
#include <math.h>
#include <string.h>
#include "layers.h"

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

void mc_gpt_layernorm_fwd(float *out, float *mean, float *rstd, const float *inp, const float *g,
                          const float *b, size_t N, size_t D)
{
    for (size_t n = 0; n < N; n++) {
        const float *x = inp + n * D;
        float *o = out + n * D;
        float m = 0, v = 0;
        for (size_t i = 0; i < D; i++)
            m += x[i];
        m /= (float)D;
        for (size_t i = 0; i < D; i++)
            v += (x[i] - m) * (x[i] - m);
        float s = 1.0f / sqrtf(v / (float)D + 1e-5f);
        for (size_t i = 0; i < D; i++)
            o[i] = (x[i] - m) * s * g[i] + b[i];
        mean[n] = m;
        rstd[n] = s;
    }
}

void mc_gpt_layernorm_bwd(float *dinp, float *dg, float *db, const float *dout, const float *inp,
                          const float *g, const float *mean, const float *rstd, size_t N,
                          size_t D)
{
    for (size_t n = 0; n < N; n++) {
        const float *x = inp + n * D, *d = dout + n * D;
        float *dx = dinp + n * D;
        float m = mean[n], s = rstd[n], dnorm_mean = 0, dnorm_norm_mean = 0;
        for (size_t i = 0; i < D; i++) {
            float xh = (x[i] - m) * s, dn = g[i] * d[i];
            dnorm_mean += dn;
            dnorm_norm_mean += dn * xh;
            dg[i] += xh * d[i];
            db[i] += d[i];
        }
        dnorm_mean /= (float)D;
        dnorm_norm_mean /= (float)D;
        for (size_t i = 0; i < D; i++) {
            float xh = (x[i] - m) * s, dn = g[i] * d[i];
            dx[i] += (dn - dnorm_mean - xh * dnorm_norm_mean) * s;
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
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, (int)OC, (int)IC, 1.0f, inp,
                (int)IC, W, (int)OC, beta, out, (int)OC);
}

void mc_gpt_matmul_bwd(float *dinp, float *dW, float *dbias, const float *dout, const float *inp,
                       const float *W, size_t N, size_t IC, size_t OC)
{
    if (dinp)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, (int)IC, (int)OC, 1.0f, dout,
                    (int)OC, W, (int)OC, 1.0f, dinp, (int)IC);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)IC, (int)OC, (int)N, 1.0f, inp,
                (int)IC, dout, (int)OC, 1.0f, dW, (int)OC);
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
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)N, (int)V, (int)D, 1.0f, inp, (int)D,
                E, (int)D, 0.0f, out, (int)V);
}

void mc_gpt_matmul_tied_bwd(float *dinp, float *dE, const float *dout, const float *inp,
                            const float *E, size_t N, size_t D, size_t V)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)N, (int)D, (int)V, 1.0f, dout,
                (int)V, E, (int)D, 1.0f, dinp, (int)D);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)V, (int)D, (int)N, 1.0f, dout,
                (int)V, inp, (int)D, 1.0f, dE, (int)D);
}

void mc_gpt_attention_fwd(float *out, float *att, const float *qkv, size_t B, size_t T, size_t D,
                          size_t H)
{
    size_t hd = D / H, C3 = 3 * D;
    float scale = 1.0f / sqrtf((float)hd);
    for (size_t b = 0; b < B; b++)
        for (size_t h = 0; h < H; h++)
            for (size_t t = 0; t < T; t++) {
                const float *q = qkv + (b * T + t) * C3 + h * hd;
                float *a = att + ((b * H + h) * T + t) * T;
                float mx = -INFINITY, sum = 0;
                for (size_t u = 0; u <= t; u++) {
                    const float *k = qkv + (b * T + u) * C3 + D + h * hd;
                    float s = 0;
                    for (size_t i = 0; i < hd; i++)
                        s += q[i] * k[i];
                    a[u] = s * scale;
                    mx = a[u] > mx ? a[u] : mx;
                }
                for (size_t u = 0; u <= t; u++) {
                    a[u] = expf(a[u] - mx);
                    sum += a[u];
                }
                float inv = 1.0f / sum;
                float *o = out + (b * T + t) * D + h * hd;
                for (size_t i = 0; i < hd; i++)
                    o[i] = 0;
                for (size_t u = 0; u <= t; u++) {
                    a[u] *= inv;
                    const float *v = qkv + (b * T + u) * C3 + 2 * D + h * hd;
                    for (size_t i = 0; i < hd; i++)
                        o[i] += a[u] * v[i];
                }
                for (size_t u = t + 1; u < T; u++)
                    a[u] = 0;
            }
}

void mc_gpt_attention_bwd(float *dqkv, float *datt, const float *dout, const float *qkv,
                          const float *att, size_t B, size_t T, size_t D, size_t H)
{
    size_t hd = D / H, C3 = 3 * D;
    float scale = 1.0f / sqrtf((float)hd);
    for (size_t b = 0; b < B; b++)
        for (size_t h = 0; h < H; h++)
            for (size_t t = 0; t < T; t++) {
                const float *a = att + ((b * H + h) * T + t) * T;
                float *da = datt + ((b * H + h) * T + t) * T;
                const float *d = dout + (b * T + t) * D + h * hd;
                const float *q = qkv + (b * T + t) * C3 + h * hd;
                float *dq = dqkv + (b * T + t) * C3 + h * hd;
                float dot = 0;
                for (size_t u = 0; u <= t; u++) {
                    const float *v = qkv + (b * T + u) * C3 + 2 * D + h * hd;
                    float *dv = dqkv + (b * T + u) * C3 + 2 * D + h * hd;
                    float s = 0;
                    for (size_t i = 0; i < hd; i++) {
                        s += d[i] * v[i];
                        dv[i] += a[u] * d[i];
                    }
                    da[u] = s;
                    dot += a[u] * s;
                }
                for (size_t u = 0; u <= t; u++) {
                    float ds = a[u] * (da[u] - dot) * scale;
                    const float *k = qkv + (b * T + u) * C3 + D + h * hd;
                    float *dk = dqkv + (b * T + u) * C3 + D + h * hd;
                    for (size_t i = 0; i < hd; i++) {
                        dq[i] += ds * k[i];
                        dk[i] += ds * q[i];
                    }
                }
            }
}

#define GELU_C 0.7978845608028654f /* sqrt(2 / pi) */

void mc_gpt_gelu_fwd(float *out, const float *inp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i];
        out[i] = 0.5f * x * (1.0f + tanhf(GELU_C * (x + 0.044715f * x * x * x)));
    }
}

void mc_gpt_gelu_bwd(float *dinp, const float *inp, const float *dout, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        float x = inp[i], u = GELU_C * (x + 0.044715f * x * x * x);
        float th = tanhf(u), sech2 = 1.0f - th * th;
        float du = GELU_C * (1.0f + 3.0f * 0.044715f * x * x);
        dinp[i] = dout[i] * (0.5f * (1.0f + th) + 0.5f * x * sech2 * du);
    }
}

void mc_gpt_add(float *out, const float *a, const float *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        out[i] = a[i] + b[i];
}

void mc_gpt_softmax_xent_fwd(float *logits, float *loss, const uint32_t *target, size_t N,
                             size_t V)
{
    for (size_t n = 0; n < N; n++) {
        float *z = logits + n * V, mx = -INFINITY;
        int has = loss && target && target[n] != UINT32_MAX;
        float zt = has ? z[target[n]] : 0;
        for (size_t v = 0; v < V; v++)
            mx = z[v] > mx ? z[v] : mx;
        double sum = 0;
        for (size_t v = 0; v < V; v++) {
            z[v] = expf(z[v] - mx);
            sum += z[v];
        }
        float inv = (float)(1.0 / sum);
        for (size_t v = 0; v < V; v++)
            z[v] *= inv;
        if (loss) /* log-sum-exp minus the target's logit: exact where p is near 1 */
            loss[n] = has ? (float)((double)mx + log(sum) - (double)zt) : 0;
    }
}

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
