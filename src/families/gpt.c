/* gpt.c - the gpt family: a small GPT-2-style transformer, trained from scratch in C (or
 * fine-tuned from the previous generation) on real text, generation after generation.
 *
 * World: the corpus split of the ngram family (src/text/textworld.c: documents stratified by
 * genre into training, held-out and reserve text; the word vocabulary of the training split for
 * the word-level metrics) and a byte-level BPE (src/gpt/bpe.c) learned from the training text
 * with model.vocab tokens, fixed for the run so that every generation speaks the same alphabet. A
 * dataset is a list of sentences of BPE ids with a human flag each (src/ngram/dataset.c).
 *
 * Model: src/gpt/model.c (token and position embeddings, pre-LayerNorm blocks of causal
 * multi-head attention and a GELU MLP, tied output); fit: src/gpt/train.c (AdamW, warm-up and
 * cosine decay, gradient clipping; model.init = scratch re-initialises every generation,
 * previous fine-tunes the previous generation's weights); sampling: src/gpt/sample.c (batched,
 * key/value cache, temperature, top-k, top-p, sentences end at the end-of-sentence token).
 *
 * Metrics of generation g: the held-out human text's cross-entropy in bits per byte (every byte
 * of every sentence and one for its end: comparable across tokenizers) and its perplexity per
 * word (and </s>, as the ngram family counts), the model's own training loss and gradient norm;
 * on S generated sentences: its perplexity per word on them and the shared word-level text
 * metrics (src/text/textmetrics.c; a word the vocabulary does not know counts as a type of its
 * own, where the ngram family writes <unk>).
 */
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"
#include "gpt/blas.h"
#include "gpt/bpe.h"
#include "gpt/model.h"
#include "gpt/sample.h"
#include "gpt/train.h"
#include "gpt/words.h"
#include "gpt/world.h"
#include "text/textbpb.h"
#include "text/textds.h"
#include "text/textds_state.h"
#include "gpt_state.h"
#include "text/textmetrics.h"
#include "text/textworld.h"

typedef struct gpt_params {
    const char *corpus;
    int format, lowercase;
    double heldout, reserve;
    uint64_t split_seed;
    long vocab, layers, dim, heads, context, batch, streams;
    uint64_t steps;
    double lr, warmup, weight_decay, clip;
    int init;
    uint64_t sample, heldout_sentences;
} gpt_params;

enum { INIT_SCRATCH = 0, INIT_PREVIOUS = 1 };

#define GP(f) offsetof(gpt_params, f)
static const mc_key gpt_keys[] = {
    {"world", "corpus", MC_KEY_STRING, "brown", 0, 0, 0, NULL, GP(corpus),
     "a text file, a folder of them, or 'brown' = the installed Brown corpus (make data)"},
    {"world", "format", MC_KEY_ENUM, "auto", 0, 0, 0, "auto|plain|brown", GP(format),
     "plain: words, one sentence per line; brown: word/tag tokens; auto: brown for a folder "
     "with cats.txt"},
    {"world", "lowercase", MC_KEY_BOOL, "true", 0, 1, 0, NULL, GP(lowercase),
     "fold ASCII letters to lower case"},
    {"world", "heldout", MC_KEY_DOUBLE, "0.1", 0, 1, MC_KEY_MIN_OPEN | MC_KEY_MAX_OPEN, NULL,
     GP(heldout), "fraction of each genre's documents held out for the cross-entropy"},
    {"world", "reserve", MC_KEY_DOUBLE, "0.1", 0, 1, MC_KEY_MAX_OPEN, NULL, GP(reserve),
     "fraction of each genre's documents kept unused, the fresh regime's new human text"},
    {"world", "split_seed", MC_KEY_COUNT, "1", 0, 1.8e19, MC_KEY_NO_GRID, NULL, GP(split_seed),
     "key of the deterministic document split"},
    {"model", "vocab", MC_KEY_INT, "1024", 256, 65536, MC_KEY_NO_GRID, NULL, GP(vocab),
     "BPE vocabulary: 256 bytes plus merges learned from the generation-0 training text, fixed "
     "for the run"},
    {"model", "layers", MC_KEY_INT, "4", 1, 64, 0, NULL, GP(layers), "transformer blocks"},
    {"model", "dim", MC_KEY_INT, "128", 8, 8192, 0, NULL, GP(dim),
     "width of the residual stream (a multiple of model.heads)"},
    {"model", "heads", MC_KEY_INT, "4", 1, 256, 0, NULL, GP(heads), "attention heads"},
    {"model", "context", MC_KEY_INT, "64", 2, 4096, 0, NULL, GP(context),
     "tokens a row holds; a sentence is cut at context - 1 tokens"},
    {"model", "steps", MC_KEY_COUNT, "300", 1, 1e9, 0, NULL, GP(steps),
     "AdamW steps per generation"},
    {"model", "batch", MC_KEY_INT, "16", 1, 65536, 0, NULL, GP(batch), "rows per step"},
    {"model", "lr", MC_KEY_DOUBLE, "0.003", 0, 1, MC_KEY_MIN_OPEN, NULL, GP(lr),
     "peak learning rate (linear warm-up, cosine decay to a tenth)"},
    {"model", "warmup", MC_KEY_DOUBLE, "0.05", 0, 1, 0, NULL, GP(warmup),
     "fraction of the steps spent warming up"},
    {"model", "weight_decay", MC_KEY_DOUBLE, "0.1", 0, 10, 0, NULL, GP(weight_decay),
     "AdamW's decoupled weight decay of the matrices"},
    {"model", "clip", MC_KEY_DOUBLE, "1", 0, 1e6, 0, NULL, GP(clip),
     "gradient norm clipped to this (0: no clipping)"},
    {"model", "init", MC_KEY_ENUM, "scratch", 0, 0, 0, "scratch|previous", GP(init),
     "scratch: every generation from a fresh initialisation; previous: fine-tune the previous "
     "generation's weights"},
    {"model", "streams", MC_KEY_INT, "64", 1, 4096, 0, NULL, GP(streams),
     "sentences sampled side by side (rows of the sampler's matrix products)"},
    {"metrics", "sample", MC_KEY_COUNT, "1000", 1, 1e9, 0, NULL, GP(sample),
     "sentences generated per generation for the text metrics"},
    {"metrics", "heldout", MC_KEY_COUNT, "0", 0, 1e9, 0, NULL, GP(heldout_sentences),
     "held-out sentences the cross-entropy reads (0: all; else every k-th, the same at every "
     "generation)"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

static int oom(mc_error *err) { return mc_error_set(err, MC_ENOMEM, "gpt: out of memory"); }

static mc_gpt_shape shape_of(const gpt_params *p, uint32_t V)
{
    return (mc_gpt_shape){V, (uint32_t)p->context, (uint32_t)p->dim, (uint32_t)p->layers,
                          (uint32_t)p->heads};
}

/* ---- world ------------------------------------------------------------------------------- */

static void world_free(void *vw)
{
    gpt_world *w = vw;
    if (!w)
        return;
    mc_textworld_free(w->text);
    mc_bpe_free(w->bpe);
    mc_ngram_ds_free(w->train), mc_ngram_ds_free(w->heldout), mc_ngram_ds_free(w->reserve);
    free(w);
}

/* The bytes of corpus sentence s: its words joined by single spaces, in buf (grown). */
static size_t sentence_bytes(const mc_corpus *c, uint64_t s, uint8_t **buf, size_t *cap)
{
    size_t len = 0;
    for (uint64_t t = c->sent[s]; t < c->sent[s + 1]; t++) {
        const char *wd = mc_corpus_type(c, c->tok[t]);
        size_t n = strlen(wd);
        if (len + n + 1 > *cap) {
            size_t nc = 2 * (len + n + 1) + 256;
            uint8_t *p = realloc(*buf, nc);
            if (!p)
                return SIZE_MAX;
            *buf = p, *cap = nc;
        }
        if (t > c->sent[s])
            (*buf)[len++] = ' ';
        memcpy(*buf + len, wd, n);
        len += n;
    }
    return len;
}

/* The training text as one buffer of sentences separated by newlines (for the BPE). */
static int training_text(const mc_textworld *tw, uint8_t **text, size_t *len)
{
    const mc_corpus *c = tw->corpus;
    size_t cap = 0, n = 0;
    uint8_t *buf = NULL, *out = NULL;
    size_t bcap = 0;
    for (size_t d = 0; d < c->ndocs; d++) {
        if (tw->part[d] != MC_SPLIT_TRAIN)
            continue;
        for (uint64_t s = c->doc[d]; s < c->doc[d + 1]; s++) {
            size_t k = sentence_bytes(c, s, &buf, &bcap);
            if (k != SIZE_MAX && n + k + 1 > cap) {
                uint8_t *grown = realloc(out, 2 * (n + k + 1));
                k = grown ? k : SIZE_MAX;
                out = grown ? grown : out;
                cap = grown ? 2 * (n + k + 1) : cap;
            }
            if (k == SIZE_MAX)
                return free(buf), free(out), MC_ENOMEM;
            memcpy(out + n, buf, k);
            n += k;
            out[n++] = '\n';
        }
    }
    free(buf);
    *text = out;
    *len = n;
    return MC_OK;
}

/* The sentences of one part, BPE-encoded, into ds. */
static int encode_part(const mc_textworld *tw, const mc_bpe *b, int part, mc_ngram_ds *ds)
{
    const mc_corpus *c = tw->corpus;
    uint8_t *buf = NULL;
    uint32_t *tok = NULL;
    size_t cap = 0, tcap = 0;
    int rc = MC_OK;
    for (size_t d = 0; d < c->ndocs && !rc; d++) {
        if (tw->part[d] != part)
            continue;
        for (uint64_t s = c->doc[d]; s < c->doc[d + 1] && !rc; s++) {
            size_t k = sentence_bytes(c, s, &buf, &cap);
            if (k != SIZE_MAX && k > tcap) {
                free(tok);
                tok = malloc((tcap = 2 * k) * sizeof *tok);
            }
            if (k == SIZE_MAX || (k && !tok)) {
                rc = MC_ENOMEM;
                break;
            }
            size_t n = mc_bpe_encode(b, buf, k, tok);
            rc = mc_ngram_ds_push(ds, tok, n, 1);
        }
    }
    free(buf), free(tok);
    return rc;
}

static int world_encode(gpt_world *w, uint32_t vocab)
{
    uint8_t *text;
    size_t len;
    int rc = training_text(w->text, &text, &len);
    if (rc)
        return rc;
    rc = mc_bpe_learn(text, len, vocab, &w->bpe);
    free(text);
    w->train = mc_ngram_ds_alloc(), w->heldout = mc_ngram_ds_alloc();
    w->reserve = mc_ngram_ds_alloc();
    if (!rc && (!w->train || !w->heldout || !w->reserve))
        rc = MC_ENOMEM;
    if (!rc)
        rc = encode_part(w->text, w->bpe, MC_SPLIT_TRAIN, w->train);
    if (!rc)
        rc = encode_part(w->text, w->bpe, MC_SPLIT_HELDOUT, w->heldout);
    if (!rc)
        rc = encode_part(w->text, w->bpe, MC_SPLIT_RESERVE, w->reserve);
    return rc;
}

/* Training text too short for one batch of distinct rows: refused, naming model.batch. */
static int check_batch(const gpt_params *p, const mc_point *pt, uint64_t tokens, mc_error *err)
{
    double need = (double)p->batch * (double)(p->context + 1);
    if ((double)tokens >= need)
        return MC_OK;
    char where[256];
    return mc_error_set(err, MC_ECONFIG,
                        "%s: the training text holds %llu tokens, too few for one batch of %ld "
                        "rows of context + 1 = %ld tokens; lower model.batch or model.context, "
                        "or give more text",
                        mc_point_where(pt, "model", "batch", where, sizeof where),
                        (unsigned long long)tokens, p->batch, p->context + 1);
}

static int world_create(const void *vp, const mc_point *pt, gsl_rng *r, void **out, mc_error *err)
{
    (void)r;
    const gpt_params *p = vp;
    char path[4096], where[256];
    mc_point_data_path(pt, p->corpus, path, sizeof path);
    mc_textworld_opts o = {(mc_corpus_format)p->format, p->lowercase, p->heldout, p->reserve,
                           p->split_seed};
    gpt_world *w = calloc(1, sizeof *w);
    if (!w)
        return oom(err);
    int split_failed = 0;
    int rc = mc_textworld_create(path, &o, &w->text, &split_failed, err);
    if (rc && split_failed)
        mc_error_prefix(err, "%s: ", mc_point_where(pt, "world", "heldout", where, sizeof where));
    else if (rc && rc != MC_ENOMEM)
        rc = mc_point_data_error(pt, "world", "corpus", p->corpus, rc, err);
    if (!rc && world_encode(w, (uint32_t)p->vocab))
        rc = MC_ENOMEM;
    if (rc == MC_ENOMEM)
        oom(err);
    if (!rc)
        rc = check_batch(p, pt, w->train->ntok + w->train->nsent, err);
    if (rc) {
        world_free(w);
        return rc;
    }
    *out = w;
    return MC_OK;
}

/* ---- configuration checks ----------------------------------------------------------------- */

static int check(void *vp, const mc_point *pt, mc_error *err)
{
    const gpt_params *p = vp;
    char where[256];
    if (p->heldout + p->reserve >= 1)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: heldout (%g) + reserve (%g) must leave documents for training",
                            mc_point_where(pt, "world", "reserve", where, sizeof where),
                            p->heldout, p->reserve);
    if (p->dim % p->heads)
        return mc_error_set(err, MC_ECONFIG, "%s: dim = %ld is not a multiple of heads = %ld",
                            mc_point_where(pt, "model", "dim", where, sizeof where), p->dim,
                            p->heads);
    mc_gpt_shape s = shape_of(p, (uint32_t)p->vocab);
    double params = (double)mc_gpt_param_count(&s);
    double acts = mc_gpt_bytes(&s, (uint32_t)p->batch) - 16 * params;
    double need = mc_gpt_bytes(&s, (uint32_t)p->batch) +
                  mc_gpt_sampler_bytes(&s, (uint32_t)p->streams);
    double have = mc_memory_bytes();
    /* one matrix of a step (batch x context rows of the vocabulary) must fit BLAS's int too */
    double rows = (double)p->batch * (double)p->context * (double)(p->vocab > 4 * p->dim
                                                                        ? p->vocab : 4 * p->dim);
    if ((have > 0 && need > 0.8 * have) || rows > 2147483647.0) {
        const char *key = 16 * params > acts ? "dim" : "batch";
        return mc_error_set(err, MC_ECONFIG,
                            "%s: the model (%.3g parameters) and its training buffers need "
                            "%.3g GB of memory (this machine has %.3g GB) or exceed 2^31 "
                            "elements in one matrix; lower model.%s",
                            mc_point_where(pt, "model", key, where, sizeof where), params,
                            need / 1e9, have / 1e9, key);
    }
    return MC_OK;
}

static uint64_t default_n(const void *vp, const void *vw)
{
    (void)vp;
    return ((const gpt_world *)vw)->train->nsent;
}

static double bytes_needed(const void *vp, const void *vw, double n)
{
    const gpt_params *p = vp;
    const gpt_world *w = vw;
    double len = w->train->nsent ? (double)w->train->ntok / (double)w->train->nsent : 40;
    mc_gpt_shape s = shape_of(p, w->bpe->ntok);
    double ds = n * (len * 4 + 17), stream = n * (len + 1) * 8;
    double sample = (double)p->sample * (len * 4 + 17) * 3;
    return ds + stream + sample + mc_gpt_bytes(&s, (uint32_t)p->batch) +
           mc_gpt_sampler_bytes(&s, (uint32_t)p->streams);
}

/* ---- datasets ---------------------------------------------------------------------------- */

extern const mc_family_type mc_family_gpt; /* below: its name for the messages */

static int draw_human0(gsl_rng *r, const void *vp, const void *vw, uint64_t n, void **out,
                       mc_error *err)
{
    (void)vp;
    return mc_text_draw_train(r, ((const gpt_world *)vw)->train, n, mc_family_gpt.name, out, err);
}

/* n human sentences from the reserve: without replacement while it lasts; beyond its size R,
 * floor(n / R) whole copies and a subsample of the rest. */
static int draw_world(gsl_rng *r, const void *vp, const void *vw, uint64_t n, void **out,
                      mc_error *err)
{
    (void)vp;
    return mc_text_draw_reserve(r, ((const gpt_world *)vw)->reserve, n, out, err);
}

static int draw_model(gsl_rng *r, const void *vp, const void *vm, const mc_sampling *s,
                      uint64_t n, void **out, mc_error *err)
{
    (void)vp;
    const gpt_model *m = vm;
    mc_ngram_ds *ds = mc_ngram_ds_alloc();
    if (!ds || mc_gpt_sample(m->sampler, m->net, r, s, 0, n, ds)) {
        mc_ngram_ds_free(ds);
        return oom(err);
    }
    *out = ds;
    return MC_OK;
}


/* ---- model ------------------------------------------------------------------------------- */

static void model_free(void *vm)
{
    gpt_model *m = vm;
    if (!m)
        return;
    mc_gpt_free(m->net);
    mc_gpt_sampler_free(m->sampler);
    free(m);
}

static int model_alloc(const void *vp, const void *vw, void **out, mc_error *err)
{
    const gpt_params *p = vp;
    const gpt_world *w = vw;
    if (mc_gpt_blas_open(err))
        return MC_EIO;
    gpt_model *m = calloc(1, sizeof *m);
    mc_gpt_shape s = shape_of(p, w->bpe->ntok);
    if (!m || !(m->net = mc_gpt_alloc(&s, (uint32_t)p->batch)) ||
        !(m->sampler = mc_gpt_sampler_alloc(m->net, (uint32_t)p->streams))) {
        model_free(m);
        return oom(err);
    }
    m->w = w;
    *out = m;
    return MC_OK;
}

static int fit(void *vm, const void *vp, const void *train, const mc_fit_opts *opts,
               mc_error *err)
{
    gpt_model *m = vm;
    const gpt_params *p = vp;
    mc_rng_local stream;
    gsl_rng *r = mc_rng_local_init(&stream, opts ? opts->seed : 0);
    if (!m->fitted || p->init == INIT_SCRATCH)
        mc_gpt_init(m->net, r);
    mc_gpt_train_opts o = {p->steps, (uint32_t)p->batch, p->lr, p->warmup, p->weight_decay,
                           p->clip, opts ? opts->human_weight : -1};
    if (mc_gpt_train(m->net, train, &o, r, &m->stats))
        return oom(err);
    m->fitted = 1;
    return MC_OK;
}

/* ---- metrics ----------------------------------------------------------------------------- */

enum { M_HELDOUT_PPL, M_BPB, M_SELF_PPL, M_TEXT, M_TRAIN_LOSS = M_TEXT + MC_TEXT_COUNT,
       M_GRAD_NORM, M_COUNT };

/* heldout_ppl is the first headline: the figures that pick a family's headline held-out fit
 * then show the ngram family's and this one's in one unit (perplexity per word) when a grid runs
 * both; heldout_bpb, a headline too, is shared with the ngram family (src/text/textbpb.h) and
 * compares them in bits per byte in its own figure and the closing table. */
static const mc_metric_def METRICS[M_COUNT] = {
    [M_HELDOUT_PPL] = {"heldout_ppl", MC_ROLE_HELDOUT_FIT, "perplexity", -1, MC_METRIC_HEADLINE,
                       "perplexity of the held-out human text per word (and </s>)"},
    [M_SELF_PPL] = {"self_ppl", MC_ROLE_OTHER, "perplexity", 0, 0,
                    "perplexity per word of the model on its own generated text"},
    [M_TRAIN_LOSS] = {"train_loss", MC_ROLE_DIAGNOSTIC, "nats", 0, 0,
                      "mean training loss per token over the last tenth of the fit's steps"},
    [M_GRAD_NORM] = {"grad_norm", MC_ROLE_DIAGNOSTIC, "", 0, 0,
                     "mean gradient norm (before clipping) over the last tenth of the steps"},
};

static int describe(const void *vp, const void *vw, mc_metric_list *out, mc_error *err)
{
    (void)vp, (void)vw;
    if (mc_metric_declare_all(out, METRICS, M_BPB) ||
        mc_metric_declare_all(out, &mc_text_bpb_def, 1) ||
        mc_metric_declare_all(out, METRICS + M_SELF_PPL, M_TEXT - M_SELF_PPL) ||
        mc_metric_declare_all(out, mc_text_metric_defs, MC_TEXT_COUNT) ||
        mc_metric_declare_all(out, METRICS + M_TRAIN_LOSS, M_COUNT - M_TRAIN_LOSS))
        return oom(err);
    return MC_OK;
}

/* The generated sample's metrics: self-perplexity and the shared text metrics. */
static int text_metrics(const gpt_model *m, const gpt_world *w, const mc_ngram_ds *gen,
                        const mc_ngram_ds *train, double *out)
{
    mc_words *map = mc_words_alloc(w->text);
    mc_ngram_ds *gw = mc_ngram_ds_alloc(), *tw = mc_ngram_ds_alloc();
    int rc = map && gw && tw ? MC_OK : MC_ENOMEM;
    if (!rc)
        rc = mc_words_convert(map, w->bpe, gen, gw);
    if (!rc)
        rc = mc_words_convert(map, w->bpe, train, tw);
    double nats;
    uint64_t ntok;
    if (!rc)
        rc = mc_gpt_nll(m->net, gen, &nats, &ntok);
    if (!rc) {
        double words = (double)gw->ntok + (double)gw->nsent;
        out[M_SELF_PPL] = words > 0 ? exp(nats / words) : NAN;
        const mc_textworld *t = w->text;
        mc_text_ref ref = {t->train_count, t->nids, t->nrare, t->train->ntok};
        rc = mc_text_metrics(gw, tw, &ref, out + M_TEXT);
    }
    mc_words_free(map);
    mc_ngram_ds_free(gw), mc_ngram_ds_free(tw);
    return rc;
}

/* The held-out text the cross-entropy reads: all of it, or every k-th sentence when
 * metrics.heldout = K asks for fewer (k = ceil(total / K)); its bytes (one more per sentence for
 * its end) and words (and one </s> per sentence). *sub is NULL for the whole text. */
static int heldout_part(const gpt_params *p, const gpt_world *w, mc_ngram_ds **sub,
                        double *bytes, double *words)
{
    const mc_ngram_ds *h = w->heldout, *hw = w->text->heldout;
    *sub = NULL;
    *bytes = w->text->heldout_bytes;
    *words = (double)hw->ntok + (double)hw->nsent;
    uint64_t K = p->heldout_sentences;
    if (!K || K >= h->nsent)
        return MC_OK;
    uint64_t k = (h->nsent + K - 1) / K;
    if (!(*sub = mc_ngram_ds_alloc()))
        return MC_ENOMEM;
    *bytes = *words = 0;
    for (uint64_t s = 0; s < h->nsent; s += k) {
        const uint32_t *t = h->tok + h->start[s];
        size_t n = (size_t)(h->start[s + 1] - h->start[s]);
        if (mc_ngram_ds_push(*sub, t, n, 1))
            return MC_ENOMEM;
        for (size_t i = 0; i < n; i++)
            *bytes += mc_bpe_len(w->bpe, t[i]);
        *bytes += 1;
        *words += (double)(hw->start[s + 1] - hw->start[s]) + 1;
    }
    return MC_OK;
}

static int metrics(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err)
{
    const gpt_params *p = ev->params;
    const gpt_world *w = ev->world;
    const gpt_model *m = ev->model;
    double nats, bytes, words;
    uint64_t ntok;
    mc_ngram_ds *sub = NULL;
    int rc = heldout_part(p, w, &sub, &bytes, &words);
    if (!rc)
        rc = mc_gpt_nll(m->net, sub ? sub : w->heldout, &nats, &ntok);
    mc_ngram_ds_free(sub);
    if (rc)
        return oom(err);
    out[M_BPB] = mc_text_bpb(nats, bytes);
    out[M_HELDOUT_PPL] = exp(nats / words);
    out[M_TRAIN_LOSS] = m->stats.loss;
    out[M_GRAD_NORM] = m->stats.grad_norm;
    mc_ngram_ds *gen = mc_ngram_ds_alloc();
    rc = gen ? mc_gpt_sample(m->sampler, m->net, r, &ev->point->sampling, 0, p->sample, gen)
             : MC_ENOMEM;
    if (!rc)
        rc = text_metrics(m, w, gen, ev->train, out);
    mc_ngram_ds_free(gen);
    return rc ? oom(err) : MC_OK;
}

const mc_family_type mc_family_gpt = {
    .name = "gpt",
    .description = "small GPT-2-style transformer (byte-level BPE) trained on real text, Brown by "
                   "default",
    .keys = gpt_keys,
    .params_size = sizeof(gpt_params),
    .sampling = MC_SAMPLE_TEMPERATURE | MC_SAMPLE_TOP_K | MC_SAMPLE_TOP_P,
    .check = check,
    .world_create = world_create,
    .world_free = world_free,
    .describe = describe,
    .bytes_needed = bytes_needed,
    .draw_human0 = draw_human0,
    .default_n = default_n,
    .max_n0 = default_n,
    .draw_world = draw_world,
    .draw_model = draw_model,
    .ds_copy = mc_text_ds_copy,
    .ds_merge = mc_text_ds_merge,
    .ds_subsample = mc_text_ds_subsample,
    .ds_size = mc_text_ds_size,
    .ds_human = mc_text_ds_human,
    .ds_free = mc_text_ds_free,
    .model_alloc = model_alloc,
    .fit = fit,
    .model_free = model_free,
    .metrics = metrics,
    .signal = mc_text_token_entropy,
    .model_save = mc_gpt_model_save,
    .model_load = mc_gpt_model_load,
    .ds_save = mc_text_ds_save,
    .ds_load = mc_text_ds_load,
};
