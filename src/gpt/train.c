/* train.c - AdamW training with warm-up and cosine decay, and the held-out cross-entropy
 * (train.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "train.h"
#include "collapse/error.h"
#include "collapse/rng.h"
#include "collapse/status.h"

/* The stream of a dataset: tokens, each target's weight, and where each sentence's EOS is. */
typedef struct stream {
    uint32_t *tok;   /* (len) */
    float *w;        /* (len) weight of predicting tok[j] */
    uint64_t *first; /* (nsent) position of the EOS before sentence s */
    uint64_t len, nsent;
} stream;

static void stream_free(stream *s) { free(s->tok), free(s->w), free(s->first); }

/* Sentence weights: humans share w, the rest 1 - w, scaled to mean 1 (equal without both). */
static void sentence_weights(const mc_ngram_ds *ds, double hw, double *wh, double *ws)
{
    *wh = *ws = 1;
    uint64_t nh = ds->nhuman, ns = ds->nsent - ds->nhuman;
    if (hw < 0 || nh == 0 || ns == 0)
        return;
    *wh = hw * (double)ds->nsent / (double)nh;
    *ws = (1 - hw) * (double)ds->nsent / (double)ns;
}

/* closing: 1 to end the stream with an EOS (evaluation); training wraps round to the first. */
static int stream_make(const mc_ngram_ds *ds, double hw, int closing, stream *s)
{
    memset(s, 0, sizeof *s);
    s->nsent = ds->nsent;
    s->len = ds->ntok + ds->nsent + (closing ? 1 : 0);
    s->tok = malloc((size_t)s->len * sizeof *s->tok);
    s->w = malloc((size_t)s->len * sizeof *s->w);
    s->first = malloc((size_t)(s->nsent + 1) * sizeof *s->first);
    if (!s->tok || !s->w || !s->first)
        return stream_free(s), MC_ENOMEM;
    double wh, ws;
    sentence_weights(ds, hw, &wh, &ws);
    uint64_t j = 0;
    for (uint64_t k = 0; k < ds->nsent; k++) {
        float wk = (float)(ds->human[k] ? wh : ws);
        float wprev = (float)(k ? (ds->human[k - 1] ? wh : ws)
                                : (ds->nsent ? (ds->human[ds->nsent - 1] ? wh : ws) : 1));
        s->first[k] = j;
        s->tok[j] = MC_GPT_EOS;
        s->w[j++] = wprev; /* this EOS closes the sentence before */
        for (uint64_t t = ds->start[k]; t < ds->start[k + 1]; t++) {
            s->tok[j] = ds->tok[t];
            s->w[j++] = wk;
        }
    }
    if (closing) {
        s->tok[j] = MC_GPT_EOS;
        s->w[j++] = ds->nsent ? (float)(ds->human[ds->nsent - 1] ? wh : ws) : 1;
    }
    return MC_OK;
}

/* Learning rate at step i of n: linear warm-up, then cosine decay to a tenth. */
static double lr_at(const mc_gpt_train_opts *o, uint64_t i)
{
    double n = (double)o->steps, wu = ceil(o->warmup * n);
    if ((double)i < wu)
        return o->lr * ((double)i + 1) / wu;
    double f = n > wu ? ((double)i - wu) / (n - wu) : 1;
    return o->lr * (0.1 + 0.9 * 0.5 * (1 + cos(M_PI * f)));
}

/* One AdamW update (beta1 0.9, beta2 0.95, eps 1e-8) with the gradient scaled by gscale. */
static void adamw(mc_gpt *m, double lr, double wd, float gscale)
{
    m->adam_t++;
    const float b1 = 0.9f, b2 = 0.95f;
    float c1 = (float)(1 - pow(b1, (double)m->adam_t)), c2 = (float)(1 - pow(b2, (double)m->adam_t));
    float flr = (float)lr, fwd = (float)(lr * wd);
    for (size_t i = 0; i < m->nparams; i++) {
        float g = m->grad[i] * gscale;
        float mm = m->adam_m[i] = b1 * m->adam_m[i] + (1 - b1) * g;
        float vv = m->adam_v[i] = b2 * m->adam_v[i] + (1 - b2) * g * g;
        float upd = (mm / c1) / (sqrtf(vv / c2) + 1e-8f);
        m->param[i] -= flr * upd + (m->decay[i] ? fwd * m->param[i] : 0);
    }
}

static double grad_norm(const mc_gpt *m)
{
    double s = 0;
    for (size_t i = 0; i < m->nparams; i++)
        s += (double)m->grad[i] * m->grad[i];
    return sqrt(s);
}

/* Fills a batch of B rows of T + 1 stream tokens from sentences drawn from r. */
static void fill_batch(const stream *s, gsl_rng *r, uint32_t B, uint32_t T, uint32_t *in,
                       uint32_t *tgt, float *w)
{
    for (uint32_t b = 0; b < B; b++) {
        uint64_t p = s->first[mc_rng_index(r, s->nsent)];
        for (uint32_t t = 0; t < T; t++) {
            uint64_t a = (p + t) % s->len, c = (p + t + 1) % s->len;
            in[b * T + t] = s->tok[a];
            tgt[b * T + t] = s->tok[c];
            w[b * T + t] = s->w[c];
        }
    }
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The progress display's line (collapse/status.h) after `step` of the steps: this step's loss
 * and gradient norm, and the tokens per second since the last line. */
static void report_step(const mc_gpt_train_opts *o, uint64_t step, double loss, double gn,
                        double tokens, double *t_last)
{
    if (!mc_status_wanted())
        return;
    double t = seconds_now(), dt = t - *t_last;
    *t_last = t;
    mc_status_report("gpt: step %llu/%llu, loss %.3f nats/token, gradient norm %.3g, %.0f "
                     "tokens/s", (unsigned long long)step, (unsigned long long)o->steps, loss, gn,
                     dt > 0 ? tokens / dt : 0.0);
}

int mc_gpt_train(mc_gpt *m, const mc_ngram_ds *ds, const mc_gpt_train_opts *o, gsl_rng *r,
                 mc_gpt_train_stats *st)
{
    memset(st, 0, sizeof *st);
    if (ds->nsent == 0 || o->steps == 0)
        return MC_OK;
    stream s;
    uint32_t B = o->batch, T = m->s.C;
    size_t N = (size_t)B * T;
    uint32_t *in = malloc(N * sizeof *in), *tgt = malloc(N * sizeof *tgt);
    float *w = malloc(N * sizeof *w);
    int rc = in && tgt && w ? stream_make(ds, o->human_weight, 0, &s) : MC_ENOMEM;
    if (rc)
        return free(in), free(tgt), free(w), rc;
    memset(m->adam_m, 0, m->nparams * sizeof *m->adam_m);
    memset(m->adam_v, 0, m->nparams * sizeof *m->adam_v);
    m->adam_t = 0;
    uint64_t tail = o->steps - (o->steps + 9) / 10, counted = 0, every = (o->steps + 9) / 10;
    double t_last = seconds_now();
    for (uint64_t i = 0; i < o->steps; i++) {
        fill_batch(&s, r, B, T, in, tgt, w);
        double loss = mc_gpt_forward(m, in, tgt, w, B, T);
        mc_gpt_backward(m, in, tgt, w, B, T);
        double gn = grad_norm(m);
        float scale = o->clip > 0 && gn > o->clip ? (float)(o->clip / gn) : 1.0f;
        adamw(m, lr_at(o, i), o->weight_decay, scale);
        if (i >= tail) {
            st->loss += loss;
            st->grad_norm += gn;
            counted++;
        }
        if ((i + 1) % every == 0 || i + 1 == o->steps)
            report_step(o, i + 1, loss, gn, (double)((i % every) + 1) * (double)N, &t_last);
    }
    st->loss /= (double)counted;
    st->grad_norm /= (double)counted;
    st->tokens = (double)o->steps * (double)N;
    stream_free(&s);
    free(in), free(tgt), free(w);
    return MC_OK;
}

/* The windows of an evaluation: the next window's start after one that scored up to `upto`:
 * the last sentence start at or before it (binary search), or `upto` itself when that is no later
 * than this window's start (a sentence longer than the context). */
static uint64_t next_start(const stream *s, uint64_t start, uint64_t upto)
{
    uint64_t lo = 0, hi = s->nsent; /* first sentence with first > upto */
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (s->first[mid] <= upto)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint64_t p = lo ? s->first[lo - 1] : 0;
    return p > start ? p : upto;
}

int mc_gpt_nll(mc_gpt *m, const mc_ngram_ds *ds, double *nats, uint64_t *ntok)
{
    *nats = 0;
    *ntok = 0;
    stream s;
    uint32_t B = m->max_batch, T = m->s.C;
    size_t N = (size_t)B * T;
    uint32_t *in = malloc(N * sizeof *in), *tgt = malloc(N * sizeof *tgt);
    int rc = in && tgt ? stream_make(ds, -1, 1, &s) : MC_ENOMEM;
    if (rc)
        return free(in), free(tgt), rc;
    uint64_t start = 0, scored = 0; /* stream positions 1..scored are predicted */
    while (scored + 1 < s.len) {
        uint32_t rows = 0;
        for (; rows < B && scored + 1 < s.len; rows++) {
            for (uint32_t t = 0; t < T; t++) {
                uint64_t a = start + t, c = a + 1;
                in[rows * T + t] = a < s.len ? s.tok[a] : MC_GPT_EOS;
                tgt[rows * T + t] = c < s.len && c > scored ? s.tok[c] : UINT32_MAX;
            }
            uint64_t end = start + T < s.len - 1 ? start + T : s.len - 1;
            scored = end;
            start = next_start(&s, start, scored);
        }
        mc_gpt_forward(m, in, tgt, NULL, rows, T);
        for (size_t i = 0; i < (size_t)rows * T; i++)
            if (tgt[i] != UINT32_MAX) {
                *nats += m->loss[i];
                (*ntok)++;
            }
    }
    stream_free(&s);
    free(in), free(tgt);
    return MC_OK;
}
