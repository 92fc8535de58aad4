/* ngram_bench.c - one generation of the n-gram family on a corpus, timed step by step.
 *
 * usage: ngram_bench CORPUS OUTDIR [ORDER] [SEED]
 *
 * Reads CORPUS (the Brown folder by default in bench/ngram.sh), lower-cases it, splits it by
 * document (10 % held out, stratified by genre, split key 1, no reserve), fixes the vocabulary
 * from the training split, then times: read, count + estimate (mc_ngram_fit), generate as many
 * sentences as the whole corpus has (about 1.16 M words for Brown), evaluate (held-out
 * perplexity and the perplexity of the generated text). Writes the training and held-out text
 * (one sentence per line; held-out words outside the vocabulary as <unk>) to OUTDIR for the
 * peers (IRSTLM, NLTK), and prints `key value` lines, peak memory included. Times are CPU
 * seconds of this single-threaded process, as for the peers, so that other work on a shared
 * machine does not enter the ratios.
 *
 * Cross-check with IRSTLM (tlm -lm=msb, its improved = modified Kneser-Ney): IRSTLM gives the
 * whole order-1 leftover mass gamma_0 to <unk> where we spread it uniformly over the V outcomes
 * (p_0 = 1/V). On in-vocabulary text the two differ only by that uniform term, which reaches a
 * token with weight gamma_0 times the gammas of the contexts on its path; heldout_iv_ppl_irstlm
 * removes it, giving the perplexity our counts and discounts imply under IRSTLM's convention.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "collapse.h"
#include "ngram/corpus.h"
#include "ngram/ngram.h"
#include "ngram/internal.h" /* for the IRSTLM-convention perplexity below */

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t); /* CPU time: the machine is shared */
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static int write_text(const char *path, const mc_ngram_ds *ds, const mc_corpus *c,
                      const uint32_t *id_type)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    for (uint64_t s = 0; s < ds->nsent; s++) {
        for (uint64_t t = ds->start[s]; t < ds->start[s + 1]; t++) {
            uint32_t w = ds->tok[t];
            fputs(w >= MC_NGRAM_FIRST_WORD ? mc_corpus_type(c, id_type[w]) : "<unk>", f);
            fputc(t + 1 < ds->start[s + 1] ? ' ' : '\n', f);
        }
        if (ds->start[s + 1] == ds->start[s])
            fputc('\n', f);
    }
    return fclose(f);
}

/* The corpus split and turned into datasets of word ids: training, held-out, and held_iv, the
 * held-out sentences with no word outside the vocabulary, where the peers' conventions for
 * unknown words (IRSTLM's dictionary upper bound) play no part. */
typedef struct bench_data {
    mc_corpus *c;
    uint8_t *part;               /* (ndocs) MC_SPLIT_* */
    uint32_t *type_id, *id_type; /* corpus type -> word id, and back */
    uint32_t nids;
    mc_ngram_ds *train, *held, *held_iv;
    uint32_t *buf;               /* a sentence of up to 65536 words and its <s> */
} bench_data;

static void fail(const mc_error *err)
{
    fprintf(stderr, "%s\n", err->msg);
    exit(1);
}

/* Vocabulary from the training split, in order of first occurrence, as the n-gram family. */
static void vocabulary(bench_data *bd)
{
    const mc_corpus *c = bd->c;
    bd->type_id = malloc(c->ntypes * sizeof *bd->type_id);
    bd->nids = MC_NGRAM_FIRST_WORD;
    for (size_t t = 0; t < c->ntypes; t++)
        bd->type_id[t] = MC_NGRAM_UNK;
    for (size_t d = 0; d < c->ndocs; d++)
        if (bd->part[d] == MC_SPLIT_TRAIN)
            for (uint64_t t = c->sent[c->doc[d]]; t < c->sent[c->doc[d + 1]]; t++)
                if (bd->type_id[c->tok[t]] == MC_NGRAM_UNK)
                    bd->type_id[c->tok[t]] = bd->nids++;
    bd->id_type = malloc(bd->nids * sizeof *bd->id_type);
    for (size_t t = 0; t < c->ntypes; t++)
        if (bd->type_id[t] != MC_NGRAM_UNK)
            bd->id_type[bd->type_id[t]] = (uint32_t)t;
}

/* Reads and splits the corpus (10 % held out, key 1, no reserve) and fills bd. */
static void load(const char *path, bench_data *bd, mc_error *err)
{
    mc_corpus_opts o = {MC_CORPUS_AUTO, 1, 0};
    if (mc_corpus_read(path, &o, &bd->c, err))
        fail(err);
    const mc_corpus *c = bd->c;
    bd->part = malloc(c->ndocs);
    if (mc_corpus_split(c, 0.1, 0.0, 1, bd->part, err))
        fail(err);
    vocabulary(bd);
    bd->train = mc_ngram_ds_alloc(), bd->held = mc_ngram_ds_alloc();
    bd->held_iv = mc_ngram_ds_alloc();
    uint32_t *buf = bd->buf = malloc(sizeof *buf * 65538);
    for (size_t d = 0; d < c->ndocs; d++)
        for (uint64_t s = c->doc[d]; s < c->doc[d + 1]; s++) {
            size_t len = (size_t)(c->sent[s + 1] - c->sent[s]);
            if (len > 65536)
                len = 65536;
            for (size_t i = 0; i < len; i++)
                buf[i] = bd->type_id[c->tok[c->sent[s] + i]];
            mc_ngram_ds_push(bd->part[d] == MC_SPLIT_TRAIN ? bd->train : bd->held, buf, len, 1);
            int iv = 1;
            for (size_t i = 0; i < len; i++)
                iv &= buf[i] != MC_NGRAM_UNK;
            if (bd->part[d] != MC_SPLIT_TRAIN && iv)
                mc_ngram_ds_push(bd->held_iv, buf, len, 1);
        }
}

static void data_free(bench_data *bd)
{
    mc_ngram_ds_free(bd->train);
    mc_ngram_ds_free(bd->held);
    mc_ngram_ds_free(bd->held_iv);
    free(bd->buf);
    free(bd->type_id);
    free(bd->id_type);
    free(bd->part);
    mc_corpus_free(bd->c);
}

/* Log-probability of held_iv under IRSTLM's convention (see the top of this file): our
 * probability less the uniform term gamma_0 (prod gamma) / V of each token. */
static double irstlm_logprob(const mc_ngram_model *m, const bench_data *bd, unsigned order)
{
    const mc_ngram_ds *held_iv = bd->held_iv;
    uint32_t *buf = bd->buf;
    double lp_irst = 0;
    for (uint64_t s = 0; s < held_iv->nsent; s++) {
        /* buf holds <s> and the sentence so far: the context is its last order - 1 ids */
        uint64_t b = held_iv->start[s], e = held_iv->start[s + 1];
        buf[0] = MC_NGRAM_BOS;
        for (uint64_t t = b; t <= e; t++) {
            uint32_t w = t < e ? held_iv->tok[t] : MC_NGRAM_EOS;
            size_t nh = (size_t)(t - b) + 1, nc = order - 1 < nh ? order - 1 : nh;
            const uint32_t *cx = buf + nh - nc;
            double coef = m->gamma0;
            for (unsigned j = 1; j <= nc; j++) {
                int64_t x = ngram_find(m, cx + nc - j, j);
                if (x < 0)
                    break;
                if (m->lv[j - 1].tot[x] > 0)
                    coef *= m->lv[j - 1].gamma[x];
            }
            lp_irst += log(mc_ngram_prob(m, cx, nc, w) - coef / (double)(bd->nids - 1));
            if (t < e)
                buf[nh] = w;
        }
    }
    return lp_irst;
}

/* The other samplers: per-word cost with a temperature, top-k, top-p (docs/THEORY.md), over
 * one call of 5000 sentences (temperature) and 1000 (top-k, top-p), the per-call preparation
 * of per-context sums and orders included. */
static const mc_sampling OTHER[3] = {{0.9, 0, 1.0, 0, 0}, {1.0, 40, 1.0, 0, 0},
                                     {1.0, 0, 0.9, 0, 0}};
static const char *const OTHER_NAME[3] = {"temperature_0.9", "top_k_40", "top_p_0.9"};
static const uint64_t OTHER_N[3] = {5000, 1000, 1000};

static void time_other_samplers(gsl_rng *r, const mc_ngram_model *m, double us[3], mc_error *err)
{
    for (int k = 0; k < 3; k++) {
        mc_ngram_ds *o2 = mc_ngram_ds_alloc();
        double t1 = now();
        if (mc_ngram_generate(r, m, &OTHER[k], OTHER_N[k], 400, o2, err))
            fail(err);
        us[k] = 1e6 * (now() - t1) / (double)(o2->ntok + o2->nsent);
        mc_ngram_ds_free(o2);
    }
}

/* The training and held-out texts for the peers, one sentence per line. */
static void write_peer_texts(const char *outdir, const bench_data *bd)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/train.txt", outdir);
    int wr = write_text(path, bd->train, bd->c, bd->id_type);
    snprintf(path, sizeof path, "%s/heldout.txt", outdir);
    wr |= write_text(path, bd->held, bd->c, bd->id_type);
    snprintf(path, sizeof path, "%s/heldout_iv.txt", outdir);
    wr |= write_text(path, bd->held_iv, bd->c, bd->id_type);
    if (wr) {
        fprintf(stderr, "cannot write into %s\n", outdir);
        exit(1);
    }
}

/* The peers' task exactly: from the training text file to an estimated model; CPU seconds. */
static double time_text_to_model(const char *outdir, unsigned order, uint32_t *buf, mc_error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/train.txt", outdir);
    double t0 = now();
    mc_corpus *tc;
    mc_corpus_opts po = {MC_CORPUS_PLAIN, 0, 0};
    mc_ngram_model *m2;
    mc_ngram_ds *tds = mc_ngram_ds_alloc();
    if (mc_corpus_read(path, &po, &tc, err) ||
        mc_ngram_alloc(order, MC_NGRAM_KN, (uint32_t)tc->ntypes + MC_NGRAM_FIRST_WORD, &m2, err))
        fail(err);
    for (uint64_t s = 0; s < tc->nsent; s++) {
        size_t len = (size_t)(tc->sent[s + 1] - tc->sent[s]);
        for (size_t i = 0; i < len && i < 65536; i++)
            buf[i] = MC_NGRAM_FIRST_WORD + tc->tok[tc->sent[s] + i];
        mc_ngram_ds_push(tds, buf, len < 65536 ? len : 65536, 1);
    }
    if (mc_ngram_fit(m2, tds, err))
        fail(err);
    double t = now() - t0;
    mc_ngram_free(m2);
    mc_ngram_ds_free(tds);
    mc_corpus_free(tc);
    return t;
}

/* What one generation measured (times in CPU seconds). */
typedef struct bench_result {
    double t_read, t_fit, t_gen, t_eval_held, t_eval;
    uint64_t T_held, T_iv;
    double ppl, self, ppl_iv, lp_irst, other_us[3];
} bench_result;

static void print_results(const bench_data *bd, const mc_ngram_model *m, unsigned order,
                          const mc_ngram_ds *gen, const bench_result *b)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("corpus_tokens %llu\ntrain_sentences %llu\ntrain_tokens %llu\nheldout_tokens %llu\n",
           (unsigned long long)bd->c->ntok, (unsigned long long)bd->train->nsent,
           (unsigned long long)bd->train->ntok, (unsigned long long)b->T_held);
    printf("vocabulary %u\norder %u\n", bd->nids - 1, order);
    for (unsigned k = 1; k <= order; k++) {
        double D[3];
        mc_ngram_discounts(m, k, D);
        printf("entries_%u %llu\ndiscounts_%u %.6f %.6f %.6f\n", k,
               (unsigned long long)mc_ngram_entries(m, k), k, D[0], D[1], D[2]);
    }
    printf("generated_sentences %llu\ngenerated_tokens %llu\n", (unsigned long long)gen->nsent,
           (unsigned long long)gen->ntok);
    printf("heldout_ppl %.4f\nself_ppl %.4f\n", b->ppl, b->self);
    printf("heldout_iv_sentences %llu\nheldout_iv_tokens %llu\nheldout_iv_ppl %.4f\n",
           (unsigned long long)bd->held_iv->nsent, (unsigned long long)b->T_iv, b->ppl_iv);
    printf("heldout_iv_ppl_irstlm_convention %.4f\n", exp(-b->lp_irst / (double)b->T_iv));
    printf("time_read %.4f\ntime_fit %.4f\ntime_generate %.4f\ntime_eval_heldout %.4f\n"
           "time_eval %.4f\n",
           b->t_read, b->t_fit, b->t_gen, b->t_eval_held, b->t_eval);
    printf("time_generation %.4f\n", b->t_fit + b->t_gen + b->t_eval);
    printf("us_per_word_default %.3f\n", 1e6 * b->t_gen / (double)(gen->ntok + gen->nsent));
    for (int k = 0; k < 3; k++)
        printf("us_per_word_%s %.1f\n", OTHER_NAME[k], b->other_us[k]);
    printf("model_bytes %zu\npeak_rss_kb %ld\n", mc_ngram_bytes(m), ru.ru_maxrss);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s CORPUS OUTDIR [ORDER] [SEED]\n", argv[0]);
        return 2;
    }
    unsigned order = argc > 3 ? (unsigned)atoi(argv[3]) : 3;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    mc_error err = {0};
    bench_data bd = {0};
    bench_result b = {0};
    double t0 = now();
    load(argv[1], &bd, &err);
    b.t_read = now() - t0;

    mc_ngram_model *m;
    if (mc_ngram_alloc(order, MC_NGRAM_KN, bd.nids, &m, &err))
        fail(&err);
    t0 = now();
    if (mc_ngram_fit(m, bd.train, &err))
        fail(&err);
    b.t_fit = now() - t0;
    gsl_rng *r = mc_rng_alloc(seed);
    mc_ngram_ds *gen = mc_ngram_ds_alloc();
    t0 = now();
    if (mc_ngram_generate(r, m, NULL, bd.c->nsent, 400, gen, &err))
        fail(&err);
    b.t_gen = now() - t0;
    t0 = now();
    uint64_t T_gen;
    b.ppl = mc_ngram_perplexity(m, bd.held, &b.T_held);
    b.t_eval_held = now() - t0;
    b.self = mc_ngram_perplexity(m, gen, &T_gen);
    b.t_eval = now() - t0; /* held-out and generated text */
    b.ppl_iv = mc_ngram_perplexity(m, bd.held_iv, &b.T_iv);
    b.lp_irst = irstlm_logprob(m, &bd, order);
    time_other_samplers(r, m, b.other_us, &err);
    print_results(&bd, m, order, gen, &b);

    write_peer_texts(argv[2], &bd);
    printf("time_text_to_model %.4f\n", time_text_to_model(argv[2], order, bd.buf, &err));
    gsl_rng_free(r);
    mc_ngram_ds_free(gen);
    mc_ngram_free(m);
    data_free(&bd);
    return 0;
}
