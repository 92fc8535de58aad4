/* test_gpt_layers.c - every layer's backward pass of the gpt family's transformer against central
 * finite differences of a double-precision reference forward pass, and the whole model's gradient
 * against finite differences of its own loss; the BPE round trip and a hand-worked merge table. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "testutil.h"
#include "gpt/blas.h"
#include "gpt/bpe.h"
#include "gpt/layers.h"
#include "gpt/model.h"

static double urand(unsigned *s)
{
    *s = *s * 1103515245u + 12345u;
    return ((*s >> 8) & 0xffff) / 65536.0 * 2 - 1;
}

static void frand(float *x, size_t n, unsigned *s, double scale)
{
    for (size_t i = 0; i < n; i++)
        x[i] = (float)(scale * urand(s));
}

/* A layer as a function of one float array (the one being checked): out = f(x), in double. */
typedef void (*ref_fn)(const double *x, double *out, void *ctx);

/* Central differences of sum(R . f(x)) at x (float values), step h, against analytic g. */
static void check_grad(ref_fn f, void *ctx, const float *x, size_t nx, size_t nout,
                       const float *R, const float *g, const char *what)
{
    double *xd = malloc(nx * sizeof *xd), *o = malloc(nout * sizeof *o);
    for (size_t i = 0; i < nx; i++)
        xd[i] = x[i];
    double h = 1e-5, worst = 0;
    for (size_t i = 0; i < nx; i++) {
        double keep = xd[i], fp = 0, fm = 0;
        xd[i] = keep + h;
        f(xd, o, ctx);
        for (size_t j = 0; j < nout; j++)
            fp += R[j] * o[j];
        xd[i] = keep - h;
        f(xd, o, ctx);
        for (size_t j = 0; j < nout; j++)
            fm += R[j] * o[j];
        xd[i] = keep;
        double num = (fp - fm) / (2 * h), err = fabs(num - g[i]) / (1e-3 + fabs(num));
        worst = err > worst ? err : worst;
    }
    if (worst > 2e-3)
        fail_msg("%s: worst relative gradient error %g", what, worst);
    free(xd);
    free(o);
}

/* ---- LayerNorm --------------------------------------------------------------------------- */

typedef struct ln_ctx {
    size_t N, D;
    const float *x, *g, *b;
    int which; /* 0: x, 1: g, 2: b */
} ln_ctx;

static void ln_ref(const double *v, double *out, void *vc)
{
    ln_ctx *c = vc;
    for (size_t n = 0; n < c->N; n++) {
        double m = 0, var = 0, x[64];
        for (size_t i = 0; i < c->D; i++) {
            x[i] = c->which == 0 ? v[n * c->D + i] : c->x[n * c->D + i];
            m += x[i];
        }
        m /= (double)c->D;
        for (size_t i = 0; i < c->D; i++)
            var += (x[i] - m) * (x[i] - m);
        double s = 1 / sqrt(var / (double)c->D + 1e-5);
        for (size_t i = 0; i < c->D; i++) {
            double g = c->which == 1 ? v[i] : c->g[i], b = c->which == 2 ? v[i] : c->b[i];
            out[n * c->D + i] = (x[i] - m) * s * g + b;
        }
    }
}

static void test_layernorm_grad(void **state)
{
    (void)state;
    enum { N = 3, D = 7 };
    unsigned s = 1;
    float x[N * D], g[D], b[D], R[N * D], out[N * D], mean[N], rstd[N];
    float dx[N * D] = {0}, dg[D] = {0}, db[D] = {0};
    frand(x, N * D, &s, 1), frand(g, D, &s, 1), frand(b, D, &s, 1), frand(R, N * D, &s, 1);
    mc_gpt_layernorm_fwd(out, mean, rstd, x, g, b, N, D);
    mc_gpt_layernorm_bwd(dx, dg, db, R, x, g, mean, rstd, N, D);
    ln_ctx c = {N, D, x, g, b, 0};
    check_grad(ln_ref, &c, x, N * D, N * D, R, dx, "layernorm dx");
    c.which = 1;
    check_grad(ln_ref, &c, g, D, N * D, R, dg, "layernorm dg");
    c.which = 2;
    check_grad(ln_ref, &c, b, D, N * D, R, db, "layernorm db");
}

/* ---- matmul ------------------------------------------------------------------------------ */

typedef struct mm_ctx {
    size_t N, IC, OC;
    const float *x, *W, *bias;
    int which;
} mm_ctx;

static void mm_ref(const double *v, double *out, void *vc)
{
    mm_ctx *c = vc;
    for (size_t n = 0; n < c->N; n++)
        for (size_t o = 0; o < c->OC; o++) {
            double s = c->which == 2 ? v[o] : c->bias[o];
            for (size_t i = 0; i < c->IC; i++) {
                double x = c->which == 0 ? v[n * c->IC + i] : c->x[n * c->IC + i];
                double w = c->which == 1 ? v[i * c->OC + o] : c->W[i * c->OC + o];
                s += x * w;
            }
            out[n * c->OC + o] = s;
        }
}

static void test_matmul_grad(void **state)
{
    (void)state;
    enum { N = 4, IC = 5, OC = 6 };
    unsigned s = 2;
    float x[N * IC], W[IC * OC], bias[OC], R[N * OC], out[N * OC];
    float dx[N * IC] = {0}, dW[IC * OC] = {0}, db[OC] = {0};
    frand(x, N * IC, &s, 1), frand(W, IC * OC, &s, 1), frand(bias, OC, &s, 1);
    frand(R, N * OC, &s, 1);
    mc_gpt_matmul_fwd(out, x, W, bias, N, IC, OC);
    mc_gpt_matmul_bwd(dx, dW, db, R, x, W, N, IC, OC);
    mm_ctx c = {N, IC, OC, x, W, bias, 0};
    check_grad(mm_ref, &c, x, N * IC, N * OC, R, dx, "matmul dx");
    c.which = 1;
    check_grad(mm_ref, &c, W, IC * OC, N * OC, R, dW, "matmul dW");
    c.which = 2;
    check_grad(mm_ref, &c, bias, OC, N * OC, R, db, "matmul db");
}

/* ---- tied output ------------------------------------------------------------------------- */

typedef struct tied_ctx {
    size_t N, D, V;
    const float *x, *E;
    int which;
} tied_ctx;

static void tied_ref(const double *v, double *out, void *vc)
{
    tied_ctx *c = vc;
    for (size_t n = 0; n < c->N; n++)
        for (size_t k = 0; k < c->V; k++) {
            double s = 0;
            for (size_t i = 0; i < c->D; i++)
                s += (c->which == 0 ? v[n * c->D + i] : c->x[n * c->D + i]) *
                     (c->which == 1 ? v[k * c->D + i] : c->E[k * c->D + i]);
            out[n * c->V + k] = s;
        }
}

static void test_tied_grad(void **state)
{
    (void)state;
    enum { N = 3, D = 4, V = 5 };
    unsigned s = 3;
    float x[N * D], E[V * D], R[N * V], out[N * V], dx[N * D] = {0}, dE[V * D] = {0};
    frand(x, N * D, &s, 1), frand(E, V * D, &s, 1), frand(R, N * V, &s, 1);
    mc_gpt_matmul_tied_fwd(out, x, E, N, D, V);
    mc_gpt_matmul_tied_bwd(dx, dE, R, x, E, N, D, V);
    tied_ctx c = {N, D, V, x, E, 0};
    check_grad(tied_ref, &c, x, N * D, N * V, R, dx, "tied dx");
    c.which = 1;
    check_grad(tied_ref, &c, E, V * D, N * V, R, dE, "tied dE");
}

/* ---- attention --------------------------------------------------------------------------- */

typedef struct att_ctx {
    size_t B, T, D, H;
} att_ctx;

static void att_ref(const double *qkv, double *out, void *vc)
{
    att_ctx *c = vc;
    size_t hd = c->D / c->H, C3 = 3 * c->D;
    for (size_t b = 0; b < c->B; b++)
        for (size_t h = 0; h < c->H; h++)
            for (size_t t = 0; t < c->T; t++) {
                double a[16], mx = -INFINITY, sum = 0;
                for (size_t u = 0; u <= t; u++) {
                    double s = 0;
                    for (size_t i = 0; i < hd; i++)
                        s += qkv[(b * c->T + t) * C3 + h * hd + i] *
                             qkv[(b * c->T + u) * C3 + c->D + h * hd + i];
                    a[u] = s / sqrt((double)hd);
                    mx = a[u] > mx ? a[u] : mx;
                }
                for (size_t u = 0; u <= t; u++)
                    sum += (a[u] = exp(a[u] - mx));
                for (size_t i = 0; i < hd; i++) {
                    double o = 0;
                    for (size_t u = 0; u <= t; u++)
                        o += a[u] / sum * qkv[(b * c->T + u) * C3 + 2 * c->D + h * hd + i];
                    out[(b * c->T + t) * c->D + h * hd + i] = o;
                }
            }
}

static void test_attention_grad(void **state)
{
    (void)state;
    enum { B = 2, T = 4, D = 6, H = 2 };
    unsigned s = 4;
    float qkv[B * T * 3 * D], R[B * T * D], out[B * T * D], att[B * H * T * T];
    float datt[B * H * T * T], dqkv[B * T * 3 * D] = {0};
    frand(qkv, B * T * 3 * D, &s, 1), frand(R, B * T * D, &s, 1);
    mc_gpt_attention_fwd(out, att, qkv, B, T, D, H);
    mc_gpt_attention_bwd(dqkv, datt, R, qkv, att, B, T, D, H);
    att_ctx c = {B, T, D, H};
    check_grad(att_ref, &c, qkv, B * T * 3 * D, B * T * D, R, dqkv, "attention dqkv");
}

/* ---- GELU, softmax with cross-entropy, embeddings ---------------------------------------- */

static void gelu_ref(const double *x, double *out, void *vc)
{
    size_t n = *(size_t *)vc;
    for (size_t i = 0; i < n; i++)
        out[i] = 0.5 * x[i] *
                 (1 + tanh(sqrt(2 / M_PI) * (x[i] + 0.044715 * x[i] * x[i] * x[i])));
}

static void test_gelu_grad(void **state)
{
    (void)state;
    enum { N = 20 };
    unsigned s = 5;
    float x[N], R[N], out[N], th[N], dx[N];
    frand(x, N, &s, 3), frand(R, N, &s, 1);
    mc_gpt_gelu_fwd(out, th, x, N);
    mc_gpt_gelu_bwd(dx, x, th, R, N);
    size_t n = N;
    check_grad(gelu_ref, &n, x, N, N, R, dx, "gelu dx");
}

typedef struct xent_ctx {
    size_t N, V;
    const uint32_t *target;
} xent_ctx;

static void xent_ref(const double *z, double *out, void *vc)
{
    xent_ctx *c = vc;
    for (size_t n = 0; n < c->N; n++) {
        double mx = -INFINITY, sum = 0;
        for (size_t v = 0; v < c->V; v++)
            mx = z[n * c->V + v] > mx ? z[n * c->V + v] : mx;
        for (size_t v = 0; v < c->V; v++)
            sum += exp(z[n * c->V + v] - mx);
        out[n] = c->target[n] == UINT32_MAX ? 0 : mx + log(sum) - z[n * c->V + c->target[n]];
    }
}

static void test_xent_grad(void **state)
{
    (void)state;
    enum { N = 4, V = 6 };
    unsigned s = 6;
    float z[N * V], p[N * V], loss[N], scale[N], dz[N * V];
    uint32_t target[N] = {1, 5, UINT32_MAX, 0};
    frand(z, N * V, &s, 2), frand(scale, N, &s, 1);
    memcpy(p, z, sizeof z);
    mc_gpt_softmax_xent_fwd(p, loss, target, N, V);
    mc_gpt_softmax_xent_bwd(dz, p, target, scale, N, V);
    xent_ctx c = {N, V, target};
    double ref[N];
    xent_ref((double[N * V]){0}, ref, &c); /* shape only */
    double zd[N * V];
    for (size_t i = 0; i < N * V; i++)
        zd[i] = z[i];
    xent_ref(zd, ref, &c);
    for (size_t n = 0; n < N; n++)
        assert_true(fabs(ref[n] - loss[n]) < 1e-5);
    check_grad(xent_ref, &c, z, N * V, N, scale, dz, "softmax-xent dz");
}

typedef struct emb_ctx {
    size_t B, T, D, V;
    const uint32_t *tok;
    const float *wte, *wpe;
    int which;
} emb_ctx;

static void emb_ref(const double *v, double *out, void *vc)
{
    emb_ctx *c = vc;
    for (size_t b = 0; b < c->B; b++)
        for (size_t t = 0; t < c->T; t++)
            for (size_t i = 0; i < c->D; i++) {
                size_t e = c->tok[b * c->T + t] * c->D + i, p = t * c->D + i;
                out[(b * c->T + t) * c->D + i] = (c->which == 0 ? v[e] : c->wte[e]) +
                                                 (c->which == 1 ? v[p] : c->wpe[p]);
            }
}

static void test_embed_grad(void **state)
{
    (void)state;
    enum { B = 2, T = 3, D = 4, V = 5 };
    unsigned s = 7;
    uint32_t tok[B * T] = {1, 4, 1, 0, 2, 4};
    float wte[V * D], wpe[T * D], R[B * T * D], out[B * T * D], dte[V * D] = {0}, dpe[T * D] = {0};
    frand(wte, V * D, &s, 1), frand(wpe, T * D, &s, 1), frand(R, B * T * D, &s, 1);
    mc_gpt_embed_fwd(out, tok, wte, wpe, B, T, D);
    mc_gpt_embed_bwd(dte, dpe, R, tok, B, T, D);
    emb_ctx c = {B, T, D, V, tok, wte, wpe, 0};
    check_grad(emb_ref, &c, wte, V * D, B * T * D, R, dte, "embedding dwte");
    c.which = 1;
    check_grad(emb_ref, &c, wpe, T * D, B * T * D, R, dpe, "embedding dwpe");
}

/* ---- the whole model ----------------------------------------------------------------------- */

/* The model's gradient against central differences of its own (float) loss at a few hundred
 * parameters spread over every tensor; float loss differences limit this to ~1e-2. */
static void test_model_grad(void **state)
{
    (void)state;
    mc_gpt_shape sh = {11, 5, 8, 2, 2};
    mc_gpt *m = mc_gpt_alloc(&sh, 2);
    gsl_rng *r = mc_rng_alloc(9);
    mc_gpt_init(m, r);
    for (size_t i = 0; i < m->nparams; i++) /* larger weights: gradients well above noise */
        m->param[i] += (float)(0.3 * (gsl_rng_uniform(r) - 0.5));
    uint32_t tok[10] = {1, 2, 3, 4, 5, 10, 9, 8, 7, 6}, tgt[10] = {2, 3, 4, 5, 6, 9, 8, UINT32_MAX, 6, 5};
    float w[10] = {1, 1, 1, 1, 1, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f};
    mc_gpt_forward(m, tok, tgt, w, 2, 5);
    mc_gpt_backward(m, tok, tgt, w, 2, 5);
    float *g = malloc(m->nparams * sizeof *g);
    memcpy(g, m->grad, m->nparams * sizeof *g);
    double worst = 0;
    for (size_t i = 0; i < m->nparams; i += 7) {
        float keep = m->param[i], h = 1e-2f;
        m->param[i] = keep + h;
        double fp = mc_gpt_forward(m, tok, tgt, w, 2, 5);
        m->param[i] = keep - h;
        double fm = mc_gpt_forward(m, tok, tgt, w, 2, 5);
        m->param[i] = keep;
        double num = (fp - fm) / (2.0 * h), err = fabs(num - g[i]) / (2e-3 + fabs(num));
        worst = err > worst ? err : worst;
    }
    if (worst > 5e-2)
        fail_msg("model gradient: worst relative error %g", worst);
    free(g);
    gsl_rng_free(r);
    mc_gpt_free(m);
}

/* ---- BPE ---------------------------------------------------------------------------------- */

/* The example of Wikipedia's "Byte pair encoding" article: aaabdaaabac -> Z = aa, Y = ab,
 * X = ZY (Z a ties with a b at two; the smaller pair of ids, (a, b), goes first); then no pair
 * occurs twice. With spaces: merges never cross a chunk (" ab" is one). */
static void test_bpe_hand(void **state)
{
    (void)state;
    const char *t = "aaabdaaabac";
    mc_bpe *b;
    assert_int_equal(mc_bpe_learn((const uint8_t *)t, strlen(t), 1000, &b), MC_OK);
    assert_int_equal(b->ntok, 259);
    assert_int_equal(b->merge[0][0], 'a');
    assert_int_equal(b->merge[0][1], 'a');
    assert_int_equal(b->merge[1][0], 'a');
    assert_int_equal(b->merge[1][1], 'b');
    assert_int_equal(b->merge[2][0], 256);
    assert_int_equal(b->merge[2][1], 257);
    uint32_t out[16];
    size_t n = mc_bpe_encode(b, (const uint8_t *)t, strlen(t), out);
    uint32_t want[] = {258, 'd', 258, 'a', 'c'};
    assert_int_equal(n, 5);
    assert_memory_equal(out, want, sizeof want);
    mc_bpe_free(b);
    const char *u = "ab ab ab\nab";
    assert_int_equal(mc_bpe_learn((const uint8_t *)u, strlen(u), 1000, &b), MC_OK);
    assert_int_equal(b->ntok, 258); /* (a,b) x4, then (' ', ab) x2 */
    assert_int_equal(b->merge[1][0], ' ');
    assert_int_equal(b->merge[1][1], 256);
    n = mc_bpe_encode(b, (const uint8_t *)u, strlen(u), out);
    uint32_t want2[] = {256, 257, 257, '\n', 256};
    assert_int_equal(n, 5);
    assert_memory_equal(out, want2, sizeof want2);
    mc_bpe_free(b);
    /* vocab 256: bytes only */
    assert_int_equal(mc_bpe_learn((const uint8_t *)t, strlen(t), 256, &b), MC_OK);
    assert_int_equal(b->ntok, 256);
    mc_bpe_free(b);
}

/* Arbitrary bytes (NUL, invalid UTF-8, lone continuation bytes, newlines) round-trip. */
static void test_bpe_roundtrip(void **state)
{
    (void)state;
    enum { LEN = 5000 };
    uint8_t *text = malloc(LEN), *back = malloc(LEN);
    uint32_t *tok = malloc(LEN * sizeof *tok);
    unsigned s = 11;
    for (size_t i = 0; i < LEN; i++) { /* skewed: many repeats to merge, every byte value */
        double u = (urand(&s) + 1) / 2;
        text[i] = u < 0.5 ? (uint8_t)"the cat  \xc3\xa9\xff\x80 sat\n"[(i * 7) % 18]
                          : (uint8_t)(u * 1000);
    }
    mc_bpe *b;
    assert_int_equal(mc_bpe_learn(text, LEN, 400, &b), MC_OK);
    assert_true(b->ntok > 300);
    for (size_t trial = 0; trial < 20; trial++) {
        size_t a = (size_t)((urand(&s) + 1) / 2 * LEN), n = (size_t)((urand(&s) + 1) / 2 * 300);
        if (a + n > LEN)
            n = LEN - a;
        size_t k = mc_bpe_encode(b, text + a, n, tok);
        assert_true(k <= n);
        for (size_t i = 0; i < k; i++)
            assert_true(tok[i] < b->ntok);
        assert_int_equal(mc_bpe_decode(b, tok, k, back), n);
        assert_memory_equal(back, text + a, n);
    }
    mc_bpe_free(b);
    free(text), free(back), free(tok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layernorm_grad), cmocka_unit_test(test_matmul_grad),
        cmocka_unit_test(test_tied_grad),      cmocka_unit_test(test_attention_grad),
        cmocka_unit_test(test_gelu_grad),      cmocka_unit_test(test_xent_grad),
        cmocka_unit_test(test_embed_grad),     cmocka_unit_test(test_model_grad),
        cmocka_unit_test(test_bpe_hand),       cmocka_unit_test(test_bpe_roundtrip),
    };
    mc_error err;
    if (mc_gpt_blas_open(&err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
