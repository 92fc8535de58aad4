/* bench_binomial.c - mc_ran_binomial against GSL's gsl_ran_binomial, for bench/binomial.sh.
 *
 * For each (n, p) of the table below, draws R binomials with each sampler from the same
 * generator type (xoshiro256**, mc_rng_alloc) and prints one line
 *   "n=<n> p=<p> ours_ns=<ns per draw> gsl_ns=<ns per draw, or - when n >= 2^32> mean=<ours>"
 * The mean is printed so the compiler cannot drop the draws and as a sanity check against n p.
 * Then the multinomial shape of the categorical family's loop: conditional binomials over the
 * SUBTLEX-like share vector is measured by bench/categorical.sh itself.
 * usage: bench_binomial [R]
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <gsl/gsl_randist.h>
#include "collapse.h"
#include "collapse/randist.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
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
    return 0;
}
