/* dsort.c - an LSD radix sort of doubles (dsort.h).
 *
 * A double's bits, with the sign bit flipped for positives and all bits flipped for negatives,
 * order as unsigned integers exactly as the values (-inf < ... < -0 < +0 < ... < +inf). Eight
 * stable passes over the bytes, least significant first, sort those keys; a pass whose byte is
 * the same for every key (the exponent's top bytes, mostly) is skipped. Short arrays go to
 * insertion sort. */
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
    uint64_t *k = malloc(2 * n * sizeof *k);
    if (!k) {
        gsl_sort(a, 1, n);
        return;
    }
    for (size_t i = 0; i < n; i++)
        k[i] = key_of(a[i]);
    const uint64_t *sorted = radix_sort(k, k + n, n);
    for (size_t i = 0; i < n; i++)
        a[i] = value_of(sorted[i]);
    free(k);
}
