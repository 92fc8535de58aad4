/* dsort.c - an LSD radix sort of doubles (dsort.h).
 *
 * A double's bits, with the sign bit flipped for positives and all bits flipped for negatives,
 * order as unsigned integers exactly as the values (-inf < ... < -0 < +0 < ... < +inf). Eight
 * stable passes over the bytes, least significant first, sort those keys; a pass whose byte is
 * the same for every key (the exponent's top bytes, mostly) is skipped. Short arrays go to
 * insertion sort; finite arrays of a few hundred values and more to buckets by value
 * (bucket_doubles), which sort most of them in two passes. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_sort.h>
#include "dsort.h"

static uint64_t key_of(double v)
{
    uint64_t u;
    memcpy(&u, &v, sizeof u);
    return (u >> 63) ? ~u : u ^ 0x8000000000000000ull;
}

static double value_of(uint64_t k)
{
    uint64_t u = (k >> 63) ? k ^ 0x8000000000000000ull : ~k;
    double v;
    memcpy(&v, &u, sizeof v);
    return v;
}

static void insertion_sort(double *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        double v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* Sorts the keys k[0..n) with the buffer t[n]; returns the one of the two that holds the
 * result. */
static uint64_t *radix_sort(uint64_t *k, uint64_t *t, size_t n)
{
    size_t count[8][256];
    memset(count, 0, sizeof count);
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            count[b][(k[i] >> (8 * b)) & 255]++;
    for (int b = 0; b < 8; b++) {
        if (count[b][(k[0] >> (8 * b)) & 255] == n)
            continue; /* every key has this byte: nothing moves */
        size_t pos[256], sum = 0;
        for (int c = 0; c < 256; c++) {
            pos[c] = sum;
            sum += count[b][c];
        }
        for (size_t i = 0; i < n; i++)
            t[pos[(k[i] >> (8 * b)) & 255]++] = k[i];
        uint64_t *s = k;
        k = t;
        t = s;
    }
    return k;
}

/* Whether p goes after v in the order of the keys: greater, or +0 after -0. */
static int goes_after(double p, double v)
{
    return p > v || (p == v && !signbit(p) && signbit(v));
}

/* Sorts a[0..n) through keys (radix), with scratch room for 2n keys in k. */
static void radix_doubles(double *a, size_t n, uint64_t *k)
{
    for (size_t i = 0; i < n; i++)
        k[i] = key_of(a[i]);
    const uint64_t *sorted = radix_sort(k, k + n, n);
    for (size_t i = 0; i < n; i++)
        a[i] = value_of(sorted[i]);
}

/* Finite values spread over [lo, hi] (lo < hi): n buckets of equal width, filled in one pass
 * (the bucket of v, floor((v - lo) * scale), never decreases with v, so the buckets are in
 * order), then each bucket sorted: by insertion when it holds a few values, else by the radix
 * sort (values bunched together cost no more than the radix sort of them). Two passes instead of
 * the radix sort's eight for the smooth distributions the metrics project. b has room for n
 * doubles, c for n + 1 counts, k for 2n keys. */
static void bucket_doubles(double *a, size_t n, double lo, double hi, double *b, size_t *c,
                           uint64_t *k)
{
    double scale = (double)(n - 1) / (hi - lo);
    memset(c, 0, (n + 1) * sizeof *c);
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)((a[i] - lo) * scale);
        c[(j < n ? j : n - 1) + 1]++;
    }
    for (size_t j = 0; j < n; j++)
        c[j + 1] += c[j];
    for (size_t i = 0; i < n; i++) {
        size_t j = (size_t)((a[i] - lo) * scale);
        b[c[j < n ? j : n - 1]++] = a[i];
    }
    /* c[j] is now the end of bucket j */
    for (size_t j = 0, from = 0; j < n; from = c[j], j++) {
        size_t m = c[j] - from;
        if (m > 24) {
            radix_doubles(b + from, m, k);
            continue;
        }
        for (size_t i = from + 1; i < c[j]; i++) {
            double v = b[i];
            size_t t = i;
            for (; t > from && goes_after(b[t - 1], v); t--)
                b[t] = b[t - 1];
            b[t] = v;
        }
    }
    memcpy(a, b, n * sizeof *a);
}

void mc_sort_doubles(double *a, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (isnan(a[i])) {
            gsl_sort(a, 1, n);
            return;
        }
    if (n < 64) {
        insertion_sort(a, n);
        return;
    }
    uint64_t *k = malloc(2 * n * sizeof *k + n * sizeof(double) + (n + 1) * sizeof(size_t));
    if (!k) {
        gsl_sort(a, 1, n);
        return;
    }
    double lo = a[0], hi = a[0];
    for (size_t i = 1; i < n; i++) {
        lo = a[i] < lo ? a[i] : lo;
        hi = a[i] > hi ? a[i] : hi;
    }
    double *b = (double *)(k + 2 * n);
    if (lo < hi && isfinite(hi - lo) && (double)(n - 1) / (hi - lo) < 1e300)
        bucket_doubles(a, n, lo, hi, b, (size_t *)(b + n), k);
    else
        radix_doubles(a, n, k);
    free(k);
}
