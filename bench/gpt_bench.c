/* gpt_bench.c - the gpt family's transformer: training and sampling throughput (bench/gpt.sh).
 *
 *   gpt_bench V D L H C B STEPS SAMPLE_STREAMS SAMPLE_SENTENCES
 *
 * Prints one line: train_tokens_per_s sample_tokens_per_s matmul_gflops_per_s sgemm_peak_gflops
 * sampled_tokens parameters train_tokens_per_cpu_s (the last: per second of this process's CPU
 * time, which a shared machine's load moves less than the wall clock).
 * Training: STEPS AdamW steps of B rows of C tokens on a synthetic text (random tokens in
 * sentences of 30); the matrix products' share of the time is measured by timing the same
 * products alone. Sampling: SAMPLE_SENTENCES sentences of at most C - 1 tokens over
 * SAMPLE_STREAMS streams from the trained model. Peak: one large sgemm (1024^3) on this thread.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "collapse.h"
#include "gpt/blas.h"
#include "gpt/model.h"
#include "gpt/sample.h"
#include "gpt/train.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static double sgemm_peak(void)
{
    size_t n = 1024;
    float *a = calloc(n * n, 4), *b = calloc(n * n, 4), *c = calloc(n * n, 4);
    for (size_t i = 0; i < n * n; i++)
        a[i] = b[i] = (float)(i % 7) * 0.1f;
    mc_gpt_sgemm(0, 0, n, n, n, 1, a, n, b, n, 0, c, n);
    double t0 = now();
    int reps = 5;
    for (int r = 0; r < reps; r++)
        mc_gpt_sgemm(0, 0, n, n, n, 1, a, n, b, n, 0, c, n);
    double dt = now() - t0;
    free(a), free(b), free(c);
    return 2.0 * n * n * n * reps / dt / 1e9;
}

/* FLOPs of the training step's matrix products (forward 1x, backward 2x). */
static double matmul_flops(const mc_gpt_shape *s, double N)
{
    double D = s->D, per_tok = s->L * (2 * D * 3 * D + 2 * D * D + 2 * D * 4 * D * 2) +
                             2 * D * s->V;
    double att = s->L * 2.0 * 2.0 * s->C * D; /* QK^T and PV, full T x T per row */
    return 3.0 * N * (per_tok + att);
}

int main(int argc, char **argv)
{
    if (argc != 10) {
        fprintf(stderr, "usage: gpt_bench V D L H C B STEPS STREAMS SENTENCES\n");
        return 2;
    }
    mc_gpt_shape s = {(uint32_t)atoi(argv[1]), (uint32_t)atoi(argv[5]), (uint32_t)atoi(argv[2]),
                      (uint32_t)atoi(argv[3]), (uint32_t)atoi(argv[4])};
    uint32_t B = (uint32_t)atoi(argv[6]), S = (uint32_t)atoi(argv[8]);
    uint64_t steps = (uint64_t)atoll(argv[7]), nsent = (uint64_t)atoll(argv[9]);
    mc_error err;
    if (mc_gpt_blas_open(&err)) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    gsl_rng *r = mc_rng_alloc(1);
    mc_ngram_ds *ds = mc_ngram_ds_alloc();
    uint32_t sent[30];
    for (int k = 0; k < 20000; k++) {
        for (int i = 0; i < 30; i++)
            sent[i] = 11 + (uint32_t)mc_rng_index(r, s.V - 11);
        mc_ngram_ds_push(ds, sent, 30, 1);
    }
    mc_gpt *m = mc_gpt_alloc(&s, B);
    mc_gpt_init(m, r);
    mc_gpt_train_opts o = {steps, B, 1e-3, 0.05, 0.1, 1.0, -1};
    mc_gpt_train_stats st;
    mc_gpt_train(m, ds, &o, r, &st); /* warm */
    double t0 = now(), c0 = cpu_now();
    mc_gpt_train(m, ds, &o, r, &st);
    double train_s = now() - t0, train_cpu = cpu_now() - c0;
    mc_gpt_sampler *z = mc_gpt_sampler_alloc(m, S);
    mc_ngram_ds *gen = mc_ngram_ds_alloc();
    mc_sampling smp = {1, 0, 1, 0, 0};
    t0 = now();
    mc_gpt_sample(z, m, r, &smp, 0, nsent, gen);
    double sample_s = now() - t0;
    double gen_tokens = (double)gen->ntok + (double)gen->nsent;
    double N = (double)steps * B * s.C;
    printf("%.1f %.1f %.2f %.2f %.3f %zu %.1f\n", N / train_s, gen_tokens / sample_s,
           matmul_flops(&s, N) / train_s / 1e9, sgemm_peak(), gen_tokens, m->nparams,
           N / train_cpu);
    mc_gpt_sampler_free(z);
    mc_ngram_ds_free(gen), mc_ngram_ds_free(ds);
    mc_gpt_free(m);
    gsl_rng_free(r);
    return 0;
}
