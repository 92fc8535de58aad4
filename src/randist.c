/* randist.c - 64-bit binomial, hypergeometric and multinomial draws (see randist.h).
 *
 * Hypergeometric by inversion from the mode (Kachitvichyanukul & Schmeiser 1985, "Computer
 * generation of hypergeometric random variates", J. Stat. Comput. Simul. 22, section on
 * inversion): with P(k) = C(n1,k) C(n2,t-k) / C(n1+n2,t), the mode m = floor((t+1)(n1+1)/(N+2));
 * P(m) is computed from log-gammas (long double), and the search moves outward from the mode
 * using P(k+1)/P(k) = (n1-k)(t-k) / ((k+1)(n2-t+k+1)), alternately down and up, until the uniform
 * is used up. The expected number of steps is O(sd), against GSL's O(t).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "collapse/error.h"
#include "collapse/randist.h"

uint64_t mc_ran_binomial(gsl_rng *r, double p, uint64_t n)
{
    if (n == 0 || p <= 0)
        return 0;
    if (p >= 1)
        return n;
    uint64_t x = 0;
    while (n > UINT_MAX) {
        x += gsl_ran_binomial(r, p, UINT_MAX);
        n -= UINT_MAX;
    }
    return x + gsl_ran_binomial(r, p, (unsigned int)n);
}

static long double lnchoose(uint64_t n, uint64_t k)
{
    return lgammal((long double)n + 1) - lgammal((long double)k + 1) -
           lgammal((long double)(n - k) + 1);
}

uint64_t mc_ran_hypergeometric(gsl_rng *r, uint64_t n1, uint64_t n2, uint64_t t)
{
    uint64_t N = n1 + n2;
    if (t >= N)
        return n1;
    if (t == 0 || n1 == 0)
        return 0;
    if (n2 == 0)
        return t;
    if (t <= 64 && N <= UINT_MAX) /* GSL's sequential method is cheapest here */
        return gsl_ran_hypergeometric(r, (unsigned int)n1, (unsigned int)n2, (unsigned int)t);
    uint64_t lo = t > n2 ? t - n2 : 0, hi = t < n1 ? t : n1;
    long double m_ld = floorl(((long double)t + 1) * ((long double)n1 + 1) / ((long double)N + 2));
    uint64_t m = (uint64_t)m_ld;
    if (m < lo)
        m = lo;
    if (m > hi)
        m = hi;
    long double pm = expl(lnchoose(n1, m) + lnchoose(n2, t - m) - lnchoose(N, t));
    long double u = (long double)gsl_rng_uniform(r);
    u -= pm;
    if (u <= 0)
        return m;
    /* walk outward: pd = P(kd) for kd going down, pu = P(ku) going up */
    long double pd = pm, pu = pm;
    uint64_t kd = m, ku = m;
    for (;;) {
        int moved = 0;
        if (kd > lo) {
            /* P(k-1) = P(k) * k (n2-t+k) / ((n1-k+1)(t-k+1)) */
            long double k = (long double)kd;
            pd *= k * ((long double)n2 - (long double)t + k) /
                  (((long double)n1 - k + 1) * ((long double)t - k + 1));
            kd--;
            u -= pd;
            if (u <= 0)
                return kd;
            moved = 1;
        }
        if (ku < hi) {
            long double k = (long double)ku;
            pu *= ((long double)n1 - k) * ((long double)t - k) /
                  ((k + 1) * ((long double)n2 - (long double)t + k + 1));
            ku++;
            u -= pu;
            if (u <= 0)
                return ku;
            moved = 1;
        }
        if (!moved) /* rounding left a sliver of u: return the mode */
            return m;
    }
}

int mc_ran_multinomial(gsl_rng *r, uint64_t n, const double *q, const uint32_t *idx, uint32_t m,
                       uint64_t *counts)
{
    if (m == 0 || n == 0)
        return MC_OK;
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
