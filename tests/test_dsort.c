/* test_dsort.c - mc_sort_doubles (src/families/dsort.c) gives exactly gsl_sort's array: random
 * arrays of every size up to 300 and some large ones, with ties, both zeros, infinities and
 * subnormals; finite arrays (sorted by buckets of value): smooth, bunched about one value with
 * an outlier, and both zeros among them (-0 before +0); an array with a NaN is left to
 * gsl_sort. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <gsl/gsl_sort.h>
#include "families/dsort.h"

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* A value of one of several kinds: normal-ish, a tie from a small set, a special value. */
static double draw(uint64_t *s)
{
    static const double special[] = {0.0, -0.0, INFINITY, -INFINITY, 5e-324, -5e-324, 1e308};
    uint64_t u = next(s);
    switch (u % 4) {
    case 0: return special[(u >> 8) % 7];
    case 1: return (double)((u >> 8) % 5) - 2.0;
    default:
        return ((double)(u >> 11) / 9007199254740992.0 - 0.5) *
               pow(10, (double)((u >> 3) % 9) - 4);
    }
}

static void check_size(uint64_t *s, size_t n)
{
    double *a = malloc((n + 1) * sizeof *a), *b = malloc((n + 1) * sizeof *b);
    for (size_t i = 0; i < n; i++)
        a[i] = b[i] = draw(s);
    mc_sort_doubles(a, n);
    gsl_sort(b, 1, n);
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            fail_msg("n = %zu: position %zu is %g, gsl_sort has %g", n, i, a[i], b[i]);
        if (i && a[i - 1] > a[i])
            fail_msg("n = %zu: not ascending at %zu", n, i);
    }
    free(a);
    free(b);
}

static void test_like_gsl_sort(void **state)
{
    (void)state;
    uint64_t s = 7;
    for (size_t n = 0; n <= 300; n++)
        check_size(&s, n);
    check_size(&s, 4096);
    check_size(&s, 100000);
}

/* a[0..n) against gsl_sort's order, and -0 before +0 among equal zeros. */
static void check_sorted(double *a, size_t n)
{
    double *b = malloc((n + 1) * sizeof *b);
    memcpy(b, a, n * sizeof *b);
    mc_sort_doubles(a, n);
    gsl_sort(b, 1, n);
    for (size_t i = 0; i < n; i++) {
        if (a[i] != b[i])
            fail_msg("n = %zu: position %zu is %g, gsl_sort has %g", n, i, a[i], b[i]);
        if (i && a[i] == 0 && a[i - 1] == 0 && signbit(a[i]) && !signbit(a[i - 1]))
            fail_msg("n = %zu: -0 after +0 at %zu", n, i);
    }
    free(b);
}

static void test_finite_buckets(void **state)
{
    (void)state;
    uint64_t s = 13;
    size_t sizes[] = {64, 65, 100, 257, 1000, 4096, 100000};
    double *a = malloc(100000 * sizeof *a);
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        for (size_t i = 0; i < n; i++) /* smooth, with ties and both zeros */
            a[i] = i % 17 == 0 ? (i % 2 ? -0.0 : 0.0)
                               : (double)(next(&s) >> 11) / 9007199254740992.0 - 0.3;
        check_sorted(a, n);
        for (size_t i = 0; i < n; i++) /* bunched: one bucket holds all but one */
            a[i] = i == n / 2 ? 1e300 : 1.0 + (double)(next(&s) % 1000) * 1e-12;
        check_sorted(a, n);
        for (size_t i = 0; i < n; i++) /* the extremes of the finite doubles */
            a[i] = i % 3 ? 1.7e308 * ((double)(next(&s) >> 11) / 9007199254740992.0 - 0.5)
                         : (i % 2 ? -1.7e308 : 1.7e308);
        check_sorted(a, n);
    }
    free(a);
}

static void test_nan_left_to_gsl(void **state)
{
    (void)state;
    double a[100], b[100];
    uint64_t s = 11;
    for (int i = 0; i < 100; i++)
        a[i] = b[i] = draw(&s);
    a[37] = b[37] = NAN;
    mc_sort_doubles(a, 100);
    gsl_sort(b, 1, 100);
    assert_memory_equal(a, b, sizeof a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_like_gsl_sort),
        cmocka_unit_test(test_finite_buckets),
        cmocka_unit_test(test_nan_left_to_gsl),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
