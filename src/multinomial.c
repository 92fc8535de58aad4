/* multinomial.c - Multinomial(n, q) over chosen categories, exact, in O(m + sqrt(n)) (randist.h).
 *
 * Two exact methods; which one runs depends only on (n, m), so a seed always gives the same draw.
 *   - Conditional binomials: x_j ~ Bin(n - x_1 - ... - x_{j-1}, q_j / (q_j + ... + q_m)), in idx
 *     order. Each binomial waits for the one before it, and each pays BTRD's setup (randist.c).
 *   - Poissonisation, when n is large against m (below): x_j ~ Poi(n q_j / Q) independently, so
 *     that given their total S the x_j are Multinomial(S, q/Q); then the total is corrected to n
 *     exactly. If S < n, n - S further draws of one item each from q/Q are added (a sample of S
 *     items plus n - S more independent items is a sample of n). If S > n, S - n of the S items
 *     are removed uniformly without replacement (a uniform subset of independent draws is a
 *     sample of n): an item is picked uniformly among the S first drawn, t in [0, S) through the
 *     cumulative first counts, and is dropped if its offset in its category is below the
 *     category's count now (the items at higher offsets count as dropped already), so each drop
 *     is uniform among the items still there. |S - n| is about
 *     sqrt(2 n / pi), so the correction costs O(m + sqrt(n)) with small constants, and the m
 *     Poisson draws (poisson.c) are independent of one another, which the processor overlaps.
 * Both corrections find categories through a guide table (H. C. Chen and Y. Asau, "On generating
 * random variates from an empirical distribution", AIIE Transactions 6, 1974): bucket b of B
 * holds the first category whose cumulative mass passes b / B of the total, so a look-up costs
 * one bucket plus a short walk. The added items' categories come from cumulative sums of q in
 * double, exact up to their rounding like the conditional probabilities of the first method.
 * When Poissonisation pays: it costs ~30 ns a category plus ~10 ns per corrected item against
 * ~60 ns a category for the conditional binomials, which also stop once n is used up; measured
 * over m = 16 .. 74,286 and n = 10^2 .. 10^11 it is faster for m >= 16 and m / 8 <= n <= m^2
 * (docs/BENCHMARKS.md), and it is used there (and below n = 2^51, where PTRS's doubles end). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/error.h"
#include "collapse/randist.h"
#include "randist_internal.h"

static int conditional_binomials(gsl_rng *r, uint64_t n, const double *q, const uint32_t *idx,
                                 uint32_t m, uint64_t *counts)
{
    /* suffix sums, so that each conditional probability is q_j / (mass of j and after) without
     * the cancellation of a running subtraction */
    double *suffix = malloc(sizeof(double) * ((size_t)m + 1));
    if (!suffix)
        return MC_ENOMEM;
    suffix[m] = 0;
    for (uint32_t j = m; j-- > 0;)
        suffix[j] = suffix[j + 1] + q[idx[j]];
    for (uint32_t j = 0; j < m && n > 0; j++) {
        uint64_t x;
        if (j + 1 == m || suffix[j + 1] <= 0) {
            x = n;
        } else {
            double p = q[idx[j]] / suffix[j];
            x = mc_ran_binomial(r, p > 1 ? 1 : p, n);
        }
        counts[idx[j]] += x;
        n -= x;
    }
    free(suffix);
    return MC_OK;
}

/* guide[b] = the first j with cum[j] > b * step, b < m (cum nondecreasing, cum[m-1] = total) */
static void guide_double(const double *cum, uint32_t m, double step, uint32_t *guide)
{
    uint32_t j = 0;
    for (uint32_t b = 0; b < m; b++) {
        while (j + 1 < m && cum[j] <= (double)b * step)
            j++;
        guide[b] = j;
    }
}

void mc_counts_add_draws(gsl_rng *r, uint64_t n_add, const double *q, const uint32_t *idx, uint32_t m,
                      uint64_t *x, double *cum, uint32_t *guide)
{
    double total = 0;
    for (uint32_t j = 0; j < m; j++)
        cum[j] = total += q[idx[j]];
    double step = total / m, per_step = m / total;
    guide_double(cum, m, step, guide);
    while (n_add-- > 0) {
        double u = mc_uniform53(r) * total;
        uint32_t b = (uint32_t)(u * per_step);
        if (b >= m)
            b = m - 1;
        while (b > 0 && (double)b * step > u) /* the product may round up a bucket */
            b--;
        uint32_t j = guide[b];
        while (j + 1 < m && cum[j] <= u)
            j++;
        x[j]++;
    }
}

void mc_counts_drop_uniform(gsl_rng *r, uint64_t n_drop, uint64_t S, uint32_t m, uint64_t *x,
                       uint64_t *first, uint64_t *cum, uint32_t *guide)
{
    uint64_t total = 0;
    for (uint32_t j = 0; j < m; j++) {
        first[j] = x[j];
        cum[j] = total += x[j];
    }
    int shift = 0; /* buckets of 2^shift items, at most m of them */
    while (((S - 1) >> shift) >= m)
        shift++;
    uint32_t j = 0;
    for (uint64_t b = 0; b <= ((S - 1) >> shift); b++) {
        while (cum[j] <= (b << shift))
            j++;
        guide[b] = j;
    }
    while (n_drop > 0) {
        uint64_t t = mc_uniform_below(r, S);
        uint32_t k = guide[t >> shift];
        while (cum[k] <= t)
            k++;
        /* t's offset in its category is uniform on [0, first[k]): the items at offsets from
         * x[k] up are the ones already dropped */
        if (t - (cum[k] - first[k]) < x[k]) {
            x[k]--;
            n_drop--;
        }
    }
}

static int poissonised(gsl_rng *r, uint64_t n, const double *q, const uint32_t *idx, uint32_t m,
                       uint64_t *counts)
{
    /* three arrays of m words: x; the cumulative masses of mc_counts_add_draws or the first
     * counts of mc_counts_drop_uniform; its cumulative counts */
    uint64_t *x = malloc(sizeof(uint64_t) * m * 3);
    uint32_t *guide = malloc(sizeof(uint32_t) * m);
    if (!x || !guide) {
        free(x);
        free(guide);
        return MC_ENOMEM;
    }
    double part[4] = {0, 0, 0, 0}; /* the total in four sums, which the processor overlaps */
    uint32_t j = 0;
    for (; j + 4 <= m; j += 4)
        for (int i = 0; i < 4; i++)
            part[i] += q[idx[j + i]];
    for (; j < m; j++)
        part[0] += q[idx[j]];
    double total = (part[0] + part[1]) + (part[2] + part[3]);
    if (!(total > 0 && total < HUGE_VAL)) { /* no mass to scale by: the first method's rules */
        free(x);
        free(guide);
        return conditional_binomials(r, n, q, idx, m, counts);
    }
    double scale = (double)n / total;
    uint64_t S = mc_poisson_counts(r, q, idx, m, scale, x);
    if (S < n)
        mc_counts_add_draws(r, n - S, q, idx, m, x, (double *)(x + m), guide);
    else if (S > n)
        mc_counts_drop_uniform(r, S - n, S, m, x, x + m, x + 2 * (size_t)m, guide);
    for (uint32_t j = 0; j < m; j++)
        counts[idx[j]] += x[j];
    free(x);
    free(guide);
    return MC_OK;
}

/* Poissonisation pays when the categories outnumber the correction (comment at the top) */
static int poissonisation_pays(uint64_t n, uint32_t m)
{
    return m >= 16 && n >= m / 8 && n <= (uint64_t)m * m && n < ((uint64_t)1 << 51);
}

int mc_ran_multinomial(gsl_rng *r, uint64_t n, const double *q, const uint32_t *idx, uint32_t m,
                       uint64_t *counts)
{
    if (m == 0 || n == 0)
        return MC_OK;
    if (poissonisation_pays(n, m))
        return poissonised(r, n, q, idx, m, counts);
    return conditional_binomials(r, n, q, idx, m, counts);
}
