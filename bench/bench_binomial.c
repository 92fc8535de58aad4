/* bench_binomial.c - mc_ran_binomial against GSL's gsl_ran_binomial, for bench/binomial.sh.
 *
 * For each (n, p) of the table below, draws R binomials with each sampler from the same
 * generator type (xoshiro256**, mc_rng_alloc) and prints one line
 *   "n=<n> p=<p> ours_ns=<ns per draw> gsl_ns=<ns per draw, or - when n >= 2^32> mean=<ours>"
 * The mean is printed so the compiler cannot drop the draws and as a sanity check against n p.
 * With a SUBTLEX JSON file, then the categorical family's multinomial over the word shares
 * (K = 74,286, n = 10^9), repeated G times three ways: mc_ran_multinomial itself (Poisson counts
 * with an exact correction there, src/multinomial.c), and the conditional binomials in the same
 * order with our binomial and with GSL's; one line
 *   "multinomial K=<K> n=<n> G=<G> ours_s=<CPU s> binom_s=<CPU s> gsl_s=<CPU s> gsl/ours=<ratio>"
 * All times are CPU time of this process (CLOCK_PROCESS_CPUTIME_ID), one thread.
 * usage: bench_binomial R [SUBTLEX_JSON G]
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_randist.h>
#include "collapse.h"
#include "collapse/randist.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The word counts of a SUBTLEX JSON array ({"word": ..., "count": N} objects), as shares. */
static double *read_shares(const char *path, uint32_t *K)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    rewind(f);
    char *text = malloc((size_t)len + 1);
    size_t got = fread(text, 1, (size_t)len, f);
    fclose(f);
    text[got] = 0;
    size_t cap = 1024, k = 0;
    double *q = malloc(cap * sizeof *q), total = 0;
    for (char *at = strstr(text, "\"count\":"); at; at = strstr(at + 1, "\"count\":")) {
        if (k == cap)
            q = realloc(q, (cap *= 2) * sizeof *q);
        q[k] = strtod(strchr(at, ':') + 1, NULL);
        total += q[k++];
    }
    for (size_t i = 0; i < k; i++)
        q[i] /= total;
    free(text);
    *K = (uint32_t)k;
    return q;
}

/* counts ~ Multinomial(n, q) by conditional binomials, as mc_ran_multinomial does */
static void multinomial(gsl_rng *r, int use_gsl, uint64_t n, const double *q, const double *suffix,
                        uint32_t K, uint64_t *counts)
{
    for (uint32_t j = 0; j < K && n > 0; j++) {
        double p = j + 1 == K ? 1 : q[j] / suffix[j];
        uint64_t x = use_gsl ? gsl_ran_binomial(r, p > 1 ? 1 : p, (unsigned)n)
                             : mc_ran_binomial(r, p > 1 ? 1 : p, n);
        counts[j] = x;
        n -= x;
    }
}

static void bench_multinomial(const char *path, int G)
{
    uint32_t K;
    double *q = read_shares(path, &K);
    if (!q || K == 0) {
        fprintf(stderr, "bench_binomial: cannot read %s\n", path);
        exit(1);
    }
    double *suffix = malloc(sizeof(double) * ((size_t)K + 1));
    uint64_t *counts = malloc(sizeof(uint64_t) * K);
    suffix[K] = 0;
    for (uint32_t j = K; j-- > 0;)
        suffix[j] = suffix[j + 1] + q[j];
    const uint64_t n = 1000000000ULL;
    uint32_t *idx = malloc(sizeof(uint32_t) * K);
    for (uint32_t j = 0; j < K; j++)
        idx[j] = j;
    double t[3];
    for (int way = 0; way < 3; way++) { /* 0 mc_ran_multinomial, 1 our binomial, 2 GSL's */
        gsl_rng *r = mc_rng_alloc(5);
        double t0 = now();
        for (int g = 0; g < G; g++) {
            if (way == 0) {
                memset(counts, 0, sizeof(uint64_t) * K);
                mc_ran_multinomial(r, n, q, idx, K, counts);
            } else {
                multinomial(r, way == 2, n, q, suffix, K, counts);
            }
        }
        t[way] = now() - t0;
        gsl_rng_free(r);
    }
    printf("multinomial K=%u n=%llu G=%d ours_s=%.4f binom_s=%.4f gsl_s=%.4f gsl/ours=%.2f\n", K,
           (unsigned long long)n, G, t[0], t[1], t[2], t[2] / t[0]);
    free(idx);
    free(q);
    free(suffix);
    free(counts);
}

int main(int argc, char **argv)
{
    long R = argc > 1 ? atol(argv[1]) : 2000000;
    static const struct {
        double n, p;
    } cases[] = {
        {20, 0.3},   {100, 0.05},  {100, 0.5},  {1e4, 0.01},    {1e6, 0.3},  {1e9, 2e-8},
        {1e9, 1e-5}, {1e9, 0.3},   {4e9, 0.5},  {1e12, 0.3},    {1e15, 0.1}, {1e18, 0.3},
        {1e19, 0.5}, {1.8e19, 0.9}, {1e19, 5e-19},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        uint64_t n = (uint64_t)cases[c].n;
        double p = cases[c].p, s = 0;
        gsl_rng *r = mc_rng_alloc(7);
        double t0 = now();
        for (long i = 0; i < R; i++)
            s += (double)mc_ran_binomial(r, p, n);
        double ours = (now() - t0) / (double)R * 1e9;
        printf("n=%.4g p=%g ours_ns=%.1f", cases[c].n, p, ours);
        if (n <= UINT_MAX) {
            double s2 = 0;
            t0 = now();
            for (long i = 0; i < R; i++)
                s2 += (double)gsl_ran_binomial(r, p, (unsigned)n);
            printf(" gsl_ns=%.1f gsl_mean_rel=%.3g", (now() - t0) / (double)R * 1e9,
                   s2 / (double)R / ((double)n * p));
        } else {
            printf(" gsl_ns=-");
        }
        printf(" mean_rel=%.6g\n", s / (double)R / ((double)n * p));
        gsl_rng_free(r);
    }
    if (argc > 3)
        bench_multinomial(argv[2], atoi(argv[3]));
    return 0;
}
