/* randist.c - 64-bit binomial and hypergeometric draws (see randist.h; the multinomial is in
 * multinomial.c, the Poisson in poisson.c, the shared log-pmf pieces in loader.c).
 *
 * Binomial: Bin(n, p) for any n < 2^64 in time that does not grow with n.
 *   - p > 1/2 is drawn as n - Bin(n, 1 - p) (1 - p is exact in double for p in [1/2, 1)).
 *   - mean n p < 10: inversion (Kachitvichyanukul & Schmeiser's BINV): f(0) = q^n, then
 *     f(x) = f(x-1) ((n+1) p/q / x - p/q), walked up until the uniform is used up; O(n p + 1)
 *     steps.
 *   - n p >= 10: Hormann's BTRD (W. Hormann, "The generation of binomial random variates",
 *     J. Statist. Comput. Simul. 46, 1993), transformed rejection with decomposition: O(1)
 *     expected work at every n. Below.
 *
 * BTRD. With q = 1 - p, the mode m = floor((n+1) p), npq = n p q, and the constants
 *     b = 1.15 + 2.53 sqrt(npq),  a = -0.0873 + 0.0248 b + 0.01 p,  c = n p + 1/2,
 *     alpha = (2.83 + 5.1/b) sqrt(npq),  v_r = 0.92 - 4.2/b,
 * the hat is the density of x = (2a / (1/2 - |u|) + b) u + c for u uniform on (-1/2, 1/2):
 * dx/du = b + a / (1/2 - |u|)^2, so a point (u, v alpha / (a/us^2 + b)), us = 1/2 - |u|, v
 * uniform, is uniform under alpha / (a/us^2 + b) as a function of x, and k = floor(x) is accepted
 * when that height is <= f(k) / f(m). Hormann chose a, b, alpha so that this hat dominates
 * f(k)/f(m) for all n p >= 10; accepted k are then exactly Bin(n, p).
 *   1. v = U. If v <= 0.86 v_r, the point lies in a box wholly under f: return
 *      k = floor((2a/us + b) u + c) with u uniform on [-0.43, 0.43). Hormann takes
 *      u = v/v_r - 0.43, which has that law; we take a fresh uniform, which keeps the division by
 *      v_r off the path from n to k (each conditional binomial of a multinomial waits for the
 *      previous one). P(step 1) = 0.86 v_r: 50 % at npq = 20, 65 % at 100, 79 % for large npq.
 *   2. Else if v >= v_r: u = U - 1/2; else u = v/v_r - 0.93, u = sgn(u)/2 - u, v = U v_r.
 *   3. k = floor((2a/us + b) u + c), rejected if outside [0, n]; v = v alpha / (a/us^2 + b);
 *      km = |k - m|. Accept when v <= f(k)/f(m), evaluated
 *      - for km <= 15 by the pmf ratio f(i)/f(i-1) = (n+1-i) p / (i q);
 *      - otherwise first by Hormann's squeeze |ln f(k)/f(m) - t| <= rho with
 *        t = -km^2 / (2 npq), rho = (km/npq) (((km/3 + 0.625) km + 1/6) / npq + 1/2).
 *        Checked here against lgamma for every k with km > 15, every n = 20..400 and seven
 *        more up to 10^5, 21 values of p with n p >= 10 (3.8 million points): the upper bound
 *        ln f(k)/f(m) <= t + rho held at every one, so it rejects at any km; the lower bound
 *        failed from km ~ 0.88 npq out, so it accepts only for km <= npq/2 (where it held at
 *        all 1.7 million points checked). Beyond n = 10^5 the rejection is not checked at
 *        km > npq/2, but there f(k)/f(m) < exp(-npq/8) < exp(-10^4): no draw can tell;
 *      - otherwise exactly, ln f(k) - ln f(m), with f in Loader's saddle-point form (C. Loader,
 *        "Fast and accurate computation of binomial probabilities", 2000):
 *          ln f(x) = stirlerr(n) - stirlerr(x) - stirlerr(n-x) - bd0(x, np) - bd0(n-x, nq)
 *                    + 1/2 ln(n / (2 pi x (n-x))),
 *        stirlerr(x) = ln x! - (x + 1/2) ln x + x - 1/2 ln(2 pi), bd0(x, M) = x ln(x/M) + M - x
 *        by its series in v = (x-M)/(x+M) when |x - M| < (x+M)/10.
 *
 * Precision at 64-bit n (double arithmetic throughout: x87 long double was 10x slower here).
 *   - n p and c: p = mant 2^-sh with an integer mant < 2^53, so n p = n mant / 2^sh exactly in
 *     128-bit integers; c = n p + 1/2 is kept as an integer part c_int (uint64) and a fraction.
 *     k = c_int + floor((2a/us + b) u + c_frac) never goes through a double near n p (at 1e19
 *     doubles are 2048 apart).
 *   - The hat. A 53-bit uniform resolves u to 2^-53 and dx/du >= b ~ 2.53 sqrt(npq), so the mass
 *     of each k's cell (width 1 in x) is exact to a relative ~2.8e-16 sqrt(npq): 4.5e-12 at
 *     n = 10^9, 4.5e-7 at n = 10^19, p = 1/2. (GSL's and numpy's double BTPE have the same kind
 *     of limit.) Probabilities there are ~1/(2.5 sd) = 2.5e-10, so seeing a relative error of
 *     4.5e-7 in them takes ~1/(2.5e-10 * (4.5e-7)^2) = 2e22 draws.
 *   - The acceptance test needs ln f(k)/f(m) to an absolute error well below that, ~1e-9 at
 *     n = 10^19. Hormann's own final test, h + (n+1) ln(nm/nk) + (k+1/2) ln(...), adds terms of
 *     size n |ln(1 + 1e-9)| ~ 1e10 that cancel to O(1): its error is ~n 2^-53 ~ 1e3 in double
 *     (~0.5 in x87 long double), every digit lost. Loader's form has no such cancellation once
 *     x - np is formed exactly: x - np = (x - c_int) - (c_frac - 1/2), an integer difference
 *     plus a fraction, one rounding; its terms are then O(1..100) and ln f(k) - ln f(m) is good
 *     to ~1e-14. The ratio product for km <= 15 has 15 factors each within 1e-16 relative.
 *   The mean n p and the pmf are those of p as given (a double).
 *
 * Hypergeometric. P(k) = C(n1,k) C(n2,t-k) / C(n1+n2,t) is evaluated through Loader's binomial
 * pmfs (hyper_lnpmf below), exact at any N < 2^64. Standard deviation below 100: inversion from
 * the mode (Kachitvichyanukul & Schmeiser 1985, "Computer generation of hypergeometric random
 * variates", J. Stat. Comput. Simul. 22, section on inversion): m = floor((t+1)(n1+1)/(N+2)),
 * then outward using P(k+1)/P(k) = (n1-k)(t-k) / ((k+1)(n2-t+k+1)), alternately down and up,
 * until the uniform is used up; O(sd) steps, against GSL's O(t). Above: Stadlober's ratio of
 * uniforms, O(1) (hypergeometric_hrua).
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_pow_int.h>
#include <gsl/gsl_randist.h>
#include "collapse/error.h"
#include "collapse/randist.h"
#include "collapse/rng.h"
#include "randist_internal.h"

/* ---- inversion, n p < 10 ---- */


static uint64_t binomial_inversion(gsl_rng *r, double p, uint64_t n)
{
    double s = p / (1 - p), a = ((double)n + 1) * s;
    /* f0 = q^n: by squaring (2 log2 n roundings, < 1e-14 relative) while n < 2^16, where it is
     * cheaper than exp(n log1p(-p)) */
    double f0 = n < 65536 ? gsl_pow_uint(1 - p, (unsigned)n) : exp((double)n * log1p(-p));
    /* the walk stops past bound and starts again: P(X > 120) < 1e-60 for a mean below 10, so
     * this only ever catches a uniform left over by rounding */
    uint64_t bound = n < 120 ? n : 120;
    for (;;) {
        double u = mc_uniform53(r), f = f0;
        uint64_t x = 0;
        while (u > f && x <= bound) {
            u -= f;
            x++;
            f *= a / (double)x - s;
        }
        if (x <= bound)
            return x;
    }
}

/* ---- BTRD, n p >= 10, p <= 1/2 ---- */

/* Bin(n, p) as the pmf and the hat need it: n p + 1/2 = c_int + c_frac exactly (c_frac in [0, 1),
 * to 64 bits), so that x - n p is formed without rounding a double near n p. */
typedef struct {
    uint64_t n, c_int;
    double p, c_frac;
} binom_law;

/* 2^-k for 0 <= k <= 1022, without a libm call */
static double pow2_neg(int k)
{
    uint64_t bits = (uint64_t)(1023 - k) << 52;
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* n p from the exact product n * mantissa(p): p = mant 2^-sh with mant < 2^53 an integer, so
 * n p = (n mant) / 2^sh in 117-bit integers. p normal in [2^-74, 1): 1 <= sh < 128. */
static void binom_law_set(binom_law *L, uint64_t n, double p)
{
    uint64_t bits;
    memcpy(&bits, &p, sizeof bits);
    uint64_t mant = (bits & ((UINT64_C(1) << 52) - 1)) | UINT64_C(1) << 52;
    int sh = 1075 - (int)(bits >> 52);
    unsigned __int128 c = (unsigned __int128)n * mant + ((unsigned __int128)1 << (sh - 1));
    unsigned __int128 rem = c & (((unsigned __int128)1 << sh) - 1);
    L->c_int = (uint64_t)(c >> sh);
    /* the fraction to 64 bits: rem < 2^sh */
    L->c_frac = sh > 64 ? (double)(uint64_t)(rem >> (sh - 64)) * 0x1p-64
                        : (double)(uint64_t)rem * pow2_neg(sh);
    L->n = n;
    L->p = p;
}

/* ln f(x) in Loader's form (comment at the top); x - np = (x - c_int) - (c_frac - 1/2) is exact
 * up to one rounding, and (n-x) - nq = -(x - np). */
static double binomial_lnpmf(const binom_law *L, uint64_t x)
{
    if (x == 0)
        return (double)L->n * log1p(-L->p);
    if (x == L->n)
        return (double)L->n * log(L->p);
    double d = (double)(int64_t)(x - L->c_int) - (L->c_frac - 0.5);
    double np = (double)L->c_int + (L->c_frac - 0.5), nq = (double)L->n - np;
    double xd = (double)x, nx = (double)(L->n - x);
    return mc_stirlerr(L->n) - mc_stirlerr(x) - mc_stirlerr(L->n - x) - mc_bd0(xd, np, d) - mc_bd0(nx, nq, -d) +
           0.5 * log((double)L->n / (6.283185307179586476925 * xd * nx));
}

typedef struct {
    binom_law L;
    double npq, spq, a, b;  /* spq = sqrt(npq) */
    double box;             /* 0.86 v_r b: step 1 is v b <= box, without a division */
    /* the rest is set by btrd_setup_rest, on the first draw that leaves step 1 */
    uint64_t m;             /* m = floor((n+1) p), the mode, exact */
    double alpha, vr, inv_vr; /* v_r and 1 / v_r */
    double inv_npq;
    double lnpmf_m;         /* ln f(m), or NAN until first needed */
} btrd_hat;

/* Only what step 1 needs is computed here: sqrt then two multiply-adds lie between n and the
 * first k. p <= 1/2 and n p >= 10 with n < 2^64, so p >= 2^-61. */
static void btrd_setup(btrd_hat *h, double p, uint64_t n)
{
    binom_law_set(&h->L, n, p);
    h->npq = (double)n * p * (1 - p);
    h->spq = sqrt(h->npq);
    h->b = 1.15 + 2.53 * h->spq;
    h->a = -0.0873 + 0.0248 * h->b + 0.01 * p;
    h->box = 0.86 * (0.92 * h->b - 4.2); /* v_r = 0.92 - 4.2 / b */
}

/* The mode m = floor((n+1) p) = c_int + floor(c_frac - 1/2 + p), the floor being -1 or 0 (a
 * rounding there matters only when (n+1) p is within 1e-16 of an integer, where f(m-1) = f(m) to
 * that precision), and the constants of steps 2-3: 1/b, v_r = (0.92 b - 4.2) / b, 1/v_r and 1/npq
 * from one division. */
static void btrd_setup_rest(btrd_hat *h)
{
    h->m = h->L.c_int - (h->L.c_frac - 0.5 + h->L.p < 0);
    double w = 0.92 * h->b - 4.2, bw = h->b * w, inv = 1 / (bw * h->npq);
    h->alpha = (2.83 + 5.1 * w * h->npq * inv) * h->spq;
    h->inv_vr = h->b * h->b * h->npq * inv;
    h->vr = w * w * h->npq * inv;
    h->inv_npq = bw * inv;
    h->lnpmf_m = NAN;
}

/* k = floor((2a/us + b) u + c), formed as c_int + floor((2a/us + b) u + c_frac) so that no
 * double near n p is rounded; 0 when k falls outside [0, n] (or x is not finite). Branch-free in
 * the sign of the offset, which is a coin flip. The caller passes 1/us, which depends on the
 * uniforms only and so is computed while sqrt(npq) is. */
static int hat_k(const btrd_hat *h, double u, double inv_us, uint64_t *k)
{
    double x = floor((2 * h->a * inv_us + h->b) * u + h->L.c_frac);
    if (!(fabs(x) < 0x1p62)) /* 2^30 sd out at least (sd < 2^32): f(k) = 0 in any precision */
        return 0;
    __int128 kk = (__int128)h->L.c_int + (int64_t)x;
    if (kk < 0 || kk > (__int128)h->L.n)
        return 0;
    *k = (uint64_t)kk;
    return 1;
}

/* Step 3: is v = vn / vd (the uniform scaled to the hat's height) <= f(k)/f(m)? */
static int btrd_accept(btrd_hat *h, uint64_t k, double vn, double vd)
{
    uint64_t km = k > h->m ? k - h->m : h->m - k;
    if (km <= 15) {
        /* f(k)/f(m) = prod over i of (n+1-i) p / (i q), as one quotient compared without a
         * division: 15 factors below 2^64 and the two of v stay below 2^1000 */
        double num = 1, den = 1, q = 1 - h->L.p;
        for (uint64_t i = (h->m < k ? h->m : k) + 1; i <= (h->m < k ? k : h->m); i++) {
            num *= (double)(h->L.n + 1 - i) * h->L.p;
            den *= (double)i * q;
        }
        return h->m < k ? vn * den <= num * vd : vn * num <= den * vd;
    }
    double lv = log(vn / vd), dk = (double)km;
    double rho = dk * h->inv_npq * (((dk / 3 + 0.625) * dk + 1.0 / 6) * h->inv_npq + 0.5);
    double t = -0.5 * dk * dk * h->inv_npq;
    if (lv > t + rho) /* the upper squeeze holds for every k (comment at the top) */
        return 0;
    if (lv < t - rho && dk <= h->npq / 2) /* the lower one only near the mode */
        return 1;
    if (isnan(h->lnpmf_m))
        h->lnpmf_m = binomial_lnpmf(&h->L, h->m);
    return lv <= binomial_lnpmf(&h->L, k) - h->lnpmf_m;
}

static uint64_t binomial_btrd(gsl_rng *r, double p, uint64_t n)
{
    btrd_hat h;
    btrd_setup(&h, p, n);
    int rest = 0;
    for (;;) {
        double v = mc_uniform53(r), u;
        uint64_t k;
        if (v * h.b <= h.box) { /* step 1: v <= 0.86 v_r, inside the box under f */
            /* u = v / v_r - 0.43 is uniform on [-0.43, 0.43) given step 1; a fresh uniform
             * has that law too and keeps the division by v_r off the path from n to k */
            u = 0.86 * mc_uniform53(r) - 0.43;
            if (hat_k(&h, u, 1 / (0.5 - fabs(u)), &k))
                return k;
            continue;
        }
        if (!rest) {
            btrd_setup_rest(&h);
            rest = 1;
        }
        u = v * h.inv_vr;
        if (u >= 1) { /* step 2 */
            u = mc_uniform53(r) - 0.5;
        } else {
            u -= 0.93;
            u = (u < 0 ? -0.5 : 0.5) - u;
            v = mc_uniform53(r) * h.vr;
        }
        double us = 0.5 - fabs(u);
        if (!hat_k(&h, u, 1 / us, &k)) /* step 3 */
            continue;
        double us2 = us * us; /* v alpha / (a/us^2 + b) = v alpha us^2 / (a + b us^2) */
        if (btrd_accept(&h, k, v * h.alpha * us2, h.a + h.b * us2))
            return k;
    }
}

/* Bin(n, p), p <= 1/2 */
static uint64_t binomial_lower(gsl_rng *r, double p, uint64_t n)
{
    if ((double)n * p < 10)
        return binomial_inversion(r, p, n);
    return binomial_btrd(r, p, n);
}

uint64_t mc_ran_binomial(gsl_rng *r, double p, uint64_t n)
{
    if (n == 0 || !(p > 0))
        return 0;
    if (p >= 1)
        return n;
    if (p > 0.5)
        return n - binomial_lower(r, 1 - p, n);
    return binomial_lower(r, p, n);
}

/* ---- hypergeometric ---- */

/* ln P(k) for the hypergeometric (k good among t drawn from n1 good, n2 bad) by Loader's
 * binomial pmfs: for any p, C(n1,k) C(n2,t-k) / C(N,t) = b(k; n1, p) b(t-k; n2, p) / b(t; N, p),
 * the powers of p and q cancelling; with p = t/N each factor is accurate at any N < 2^64 (where
 * log-gamma differences of numbers near 1e19 lose every digit). */
typedef struct {
    binom_law good, bad, all;
} hyper_law;

static void hyper_law_set(hyper_law *H, uint64_t n1, uint64_t n2, uint64_t t)
{
    double p = (double)t / (double)(n1 + n2); /* 0 < t < N: p in [2^-64, 1) */
    binom_law_set(&H->good, n1, p);
    binom_law_set(&H->bad, n2, p);
    binom_law_set(&H->all, n1 + n2, p);
}

static double hyper_lnpmf(const hyper_law *H, uint64_t k, uint64_t t)
{
    return binomial_lnpmf(&H->good, k) + binomial_lnpmf(&H->bad, t - k);
}

/* Hypergeometric with sd >= 100: Stadlober's ratio of uniforms (E. Stadlober, "The ratio of
 * uniforms approach for generating discrete random variates", J. Comput. Appl. Math. 31, 1990;
 * the HRUA algorithm, as numpy has it). With s = min(t, N - t) drawn, g = min(n1, n2) good,
 * mean mu = s g / N, variance var, mode m: a = mu + 1/2, c = sqrt(var + 1/2),
 * h = 2 sqrt(2/e) c + 3 - 2 sqrt(3/e). For U, V uniform, X = a + h (V - 1/2) / U and K = floor(X)
 * is accepted when U^2 <= P(K) / P(m), i.e. 2 ln U <= T = ln P(K) - ln P(m), with the squeezes
 * U (4 - U) - 3 >= 2 ln U (accept when <= T) and U - 1/U <= 2 ln U (reject when >= T) (both
 * from the derivatives of the differences, which vanish at U = 1). O(1) expected iterations
 * (about 1.5), each with two of Loader's pmfs. Unlike numpy no proposal is cut at a + 16c: the
 * hat covers the whole support and every K in it is evaluated, so the draw is exact. mu is formed
 * as the integer quotient and fraction of the 128-bit s g / N, as c is for BTRD. */
static uint64_t hypergeometric_hrua(gsl_rng *r, uint64_t n1, uint64_t n2, uint64_t t)
{
    uint64_t N = n1 + n2, s = t <= N - t ? t : N - t, g = n1 <= n2 ? n1 : n2, bad = N - g;
    uint64_t top = s < g ? s : g; /* the support is [0, top]: s <= N/2 <= bad */
    hyper_law H;
    hyper_law_set(&H, g, bad, s);
    unsigned __int128 sg = (unsigned __int128)s * g;
    uint64_t mu_int = (uint64_t)(sg / N);
    double a_frac = (double)(uint64_t)(sg % N) / (double)N + 0.5;
    double var = (double)(N - s) * (double)s * ((double)g / (double)N) *
                 ((double)bad / (double)N) / ((double)N - 1);
    double c = sqrt(var + 0.5), h = 1.7155277699214135 * c + 0.8989161620588988;
    uint64_t m = (uint64_t)((unsigned __int128)(s + 1) * (g + 1) / ((unsigned __int128)N + 2));
    double lnp_m = hyper_lnpmf(&H, m, s);
    uint64_t k;
    for (;;) {
        double U = mc_uniform53(r), V = mc_uniform53(r);
        double x = floor(a_frac + h * (V - 0.5) / U); /* U = 0 gives +-inf or NaN: rejected */
        if (!(fabs(x) < 0x1p62))
            continue;
        __int128 kk = (__int128)mu_int + (int64_t)x;
        if (kk < 0 || kk > (__int128)top)
            continue;
        k = (uint64_t)kk;
        double T = hyper_lnpmf(&H, k, s) - lnp_m;
        if (U * (4 - U) - 3 <= T)
            break;
        if (U * (U - T) >= 1)
            continue;
        if (2 * log(U) <= T)
            break;
    }
    if (n1 > n2) /* k counted the smaller group */
        k = s - k;
    return s < t ? n1 - k : k; /* s = N - t: the good left behind */
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
    double var = (double)t * ((double)n1 / (double)N) * ((double)n2 / (double)N) *
                 ((double)(N - t) / ((double)N - 1));
    if (var >= 10000) /* the walk below costs O(sd) */
        return hypergeometric_hrua(r, n1, n2, t);
    uint64_t lo = t > n2 ? t - n2 : 0, hi = t < n1 ? t : n1;
    long double m_ld = floorl(((long double)t + 1) * ((long double)n1 + 1) / ((long double)N + 2));
    uint64_t m = (uint64_t)m_ld;
    if (m < lo)
        m = lo;
    if (m > hi)
        m = hi;
    hyper_law H;
    hyper_law_set(&H, n1, n2, t);
    long double pm = expl(hyper_lnpmf(&H, m, t) - binomial_lnpmf(&H.all, t));
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
