/* poisson_data.c - histograms of non-negative integers: the Poisson family's datasets, and n
 * samples of a pmf over a window of integers.
 *
 * Drawing n iid samples of a pmf q over the values v_0 .. v_{L-1} gives a histogram that is
 * Multinomial(n, q): mc_ran_multinomial draws it by conditional binomials in O(L), exactly at
 * any n < 2^64. The window of a Poisson(lambda) pmf raised to 1/tau holds every value whose log q
 * is within 80 of the mode's (beyond, a value's expected count is below n e^-80 < 2e-17 at
 * n = 2^64); its width is about 2 sqrt(160 lambda tau) + O(tau), so a generation costs
 * O(sqrt(lambda)) at tau = 1.
 *
 * Subsampling n of a pool without replacement is a multivariate hypergeometric draw over the
 * values (sequential conditionals, as the categorical family's counts), with a hypergeometric
 * split of each value's draws into human and synthetic.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/randist.h"
#include "count_subsample.h"
#include "poisson.h"

double pois_log_pmf(double lambda, uint64_t k)
{
    double x = (double)k;
    return x * log(lambda) - lambda - lgamma(x + 1.0);
}

/* Extends from the mode m while log q stays within POIS_LOG_CUT of log q(m). */
int pois_pmf_window(double lambda, double tau, pois_pmf *out, mc_error *err)
{
    out->q = NULL;
    if (!(lambda > 0)) { /* the point mass at 0: a dead model */
        out->lo = 0;
        out->len = 1;
        if (!(out->q = malloc(sizeof *out->q)))
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        out->q[0] = 1.0;
        return MC_OK;
    }
    uint64_t m = (uint64_t)floor(lambda), lo = m, hi = m;
    double top = pois_log_pmf(lambda, m) / tau;
    while (lo > 0 && top - pois_log_pmf(lambda, lo - 1) / tau < POIS_LOG_CUT &&
           hi - lo < POIS_WINDOW_MAX)
        lo--;
    while (top - pois_log_pmf(lambda, hi + 1) / tau < POIS_LOG_CUT && hi - lo < POIS_WINDOW_MAX)
        hi++;
    if (hi - lo >= POIS_WINDOW_MAX)
        return mc_error_set(err, MC_ERANGE, "[sampling] temperature: the sampling distribution "
                            "of lambda = %g at temperature %g spans more than %llu values", lambda,
                            tau, (unsigned long long)POIS_WINDOW_MAX);
    out->lo = lo;
    out->len = hi - lo + 1;
    if (!(out->q = malloc(sizeof *out->q * out->len)))
        return mc_error_set(err, MC_ENOMEM, "out of memory for a pmf of %llu values",
                            (unsigned long long)out->len);
    for (uint64_t i = 0; i < out->len; i++)
        out->q[i] = exp(pois_log_pmf(lambda, lo + i) / tau - top);
    return MC_OK;
}

pois_ds *pois_ds_alloc(uint64_t lo, uint64_t len)
{
    pois_ds *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->lo = lo;
    d->len = len;
    d->c = calloc(len ? len : 1, sizeof *d->c);
    d->ch = calloc(len ? len : 1, sizeof *d->ch);
    if (!d->c || !d->ch) {
        pois_ds_free(d);
        return NULL;
    }
    return d;
}

void pois_ds_free(void *vd)
{
    pois_ds *d = vd;
    if (!d)
        return;
    free(d->c);
    free(d->ch);
    free(d);
}

int pois_ds_draw(gsl_rng *r, const pois_pmf *p, uint64_t n, int human, void **out, mc_error *err)
{
    pois_ds *d = pois_ds_alloc(p->lo, p->len);
    uint32_t *idx = d ? malloc(sizeof *idx * p->len) : NULL;
    if (!idx) {
        pois_ds_free(d);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    for (uint64_t i = 0; i < p->len; i++)
        idx[i] = (uint32_t)i;
    int rc = mc_ran_multinomial(r, n, p->q, idx, (uint32_t)p->len, d->c);
    free(idx);
    if (rc != MC_OK) {
        pois_ds_free(d);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    d->n = n;
    if (human) {
        memcpy(d->ch, d->c, sizeof *d->c * d->len);
        d->nh = n;
    }
    *out = d;
    return MC_OK;
}

int pois_ds_copy(const void *vs, void **out, mc_error *err)
{
    const pois_ds *s = vs;
    pois_ds *d = pois_ds_alloc(s->lo, s->len);
    if (!d)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    memcpy(d->c, s->c, sizeof *d->c * s->len);
    memcpy(d->ch, s->ch, sizeof *d->ch * s->len);
    d->n = s->n;
    d->nh = s->nh;
    *out = d;
    return MC_OK;
}

/* Widens into's window to lo .. hi - 1 (keeping its counts). */
static int widen(pois_ds *d, uint64_t lo, uint64_t hi, mc_error *err)
{
    if (lo == d->lo && hi == d->lo + d->len)
        return MC_OK;
    uint64_t len = hi - lo;
    uint64_t *c = calloc(len, sizeof *c), *ch = calloc(len, sizeof *ch);
    if (!c || !ch) {
        free(c);
        free(ch);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a histogram of %llu values",
                            (unsigned long long)len);
    }
    memcpy(c + (d->lo - lo), d->c, sizeof *c * d->len);
    memcpy(ch + (d->lo - lo), d->ch, sizeof *ch * d->len);
    free(d->c);
    free(d->ch);
    d->c = c;
    d->ch = ch;
    d->lo = lo;
    d->len = len;
    return MC_OK;
}

int pois_ds_merge(void *vi, const void *vf, mc_error *err)
{
    pois_ds *into = vi;
    const pois_ds *from = vf;
    if (into->n > UINT64_MAX - from->n)
        return mc_error_set(err, MC_ERANGE, "accumulated data exceeds 2^64 samples");
    uint64_t lo = into->lo < from->lo ? into->lo : from->lo;
    uint64_t hi_i = into->lo + into->len, hi_f = from->lo + from->len;
    int rc = widen(into, lo, hi_i > hi_f ? hi_i : hi_f, err);
    if (rc != MC_OK)
        return rc;
    for (uint64_t i = 0; i < from->len; i++) {
        into->c[from->lo - into->lo + i] += from->c[i];
        into->ch[from->lo - into->lo + i] += from->ch[i];
    }
    into->n += from->n;
    into->nh += from->nh;
    return MC_OK;
}

int pois_ds_subsample(gsl_rng *r, const void *vp, uint64_t n, void **out, mc_error *err)
{
    const pois_ds *pool = vp;
    pois_ds *d = pois_ds_alloc(pool->lo, pool->len);
    if (!d)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    if (n > pool->n)
        n = pool->n;
    d->nh = mc_count_subsample(r, pool->c, pool->ch, pool->len, pool->n, n, d->c, d->ch);
    d->n = n;
    *out = d;
    return MC_OK;
}

uint64_t pois_ds_size(const void *vd) { return ((const pois_ds *)vd)->n; }
uint64_t pois_ds_human(const void *vd) { return ((const pois_ds *)vd)->nh; }

void pois_ds_sums(const pois_ds *d, double *sum, double *sum_human)
{
    double s = 0, sh = 0;
    for (uint64_t i = 0; i < d->len; i++) {
        double v = (double)(d->lo + i);
        s += v * (double)d->c[i];
        sh += v * (double)d->ch[i];
    }
    *sum = s;
    *sum_human = sh;
}

/* The entropy (nats) of the values' empirical distribution c / n; NaN for an empty dataset. */
int pois_ds_signal(const void *vp, const void *vd, double *out)
{
    (void)vp;
    const pois_ds *d = vd;
    double H = 0, n = (double)d->n;
    for (uint64_t i = 0; i < d->len; i++)
        if (d->c[i]) {
            double f = (double)d->c[i] / n;
            H -= f * log(f);
        }
    *out = d->n ? H : NAN;
    return MC_OK;
}
