/* test_numfmt.c - the shortest round-trip text of a double (src/io/numfmt.c): exact cases, and
 * for many random bit patterns that the text reads back to the same bits and that no text with
 * one digit fewer does. */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "io/numfmt.h"

static void test_exact_cases(void **state)
{
    (void)state;
    char b[32];
    assert_string_equal(mc_num_shortest(0.008, b), "0.008");
    assert_string_equal(mc_num_shortest(0.1, b), "0.1");
    assert_string_equal(mc_num_shortest(0.1 + 0.2, b), "0.30000000000000004");
    assert_string_equal(mc_num_shortest(1.0 / 3.0, b), "0.3333333333333333");
    assert_string_equal(mc_num_shortest(0, b), "0");
    assert_string_equal(mc_num_shortest(-0.0, b), "-0");
    assert_string_equal(mc_num_shortest(1000, b), "1000");
    assert_string_equal(mc_num_shortest(-42, b), "-42");
    assert_string_equal(mc_num_shortest(999999999999999.0, b), "999999999999999");
    assert_string_equal(mc_num_shortest(1e15, b), "1e+15");
    assert_string_equal(mc_num_shortest(1e-5, b), "1e-05");
    assert_string_equal(mc_num_shortest(2.5e-5, b), "2.5e-05");
    assert_string_equal(mc_num_shortest(5e-324, b), "5e-324");
    assert_string_equal(mc_num_shortest(DBL_MAX, b), "1.7976931348623157e+308");
    assert_string_equal(mc_num_shortest(NAN, b), "nan");
    assert_string_equal(mc_num_shortest(INFINITY, b), "inf");
    assert_string_equal(mc_num_shortest(-INFINITY, b), "-inf");
}

static uint64_t splitmix(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Significant digits of a %g text (mantissa digits without leading zeros). */
static int significant_digits(const char *t)
{
    int n = 0, started = 0;
    for (; *t && *t != 'e'; t++)
        if (*t >= '0' && *t <= '9') {
            started |= *t != '0';
            n += started;
        }
    return n;
}

/* Random bit patterns and random short decimals: the text reads back exactly, and %.(d-1)g, the
 * best text with one digit fewer, does not. */
static void test_round_trip_and_shortest(void **state)
{
    (void)state;
    uint64_t s = 20240601;
    char b[32], shorter[400];
    for (int i = 0; i < 200000; i++) {
        double v;
        if (i % 2) {
            uint64_t bits = splitmix(&s);
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v))
                continue;
        } else { /* a decimal with few digits, as most metric values are after rounding */
            v = (double)(splitmix(&s) % 100000) / pow(10, (double)(splitmix(&s) % 12));
        }
        mc_num_shortest(v, b);
        double r = strtod(b, NULL);
        if (memcmp(&r, &v, sizeof v) != 0)
            fail_msg("%.17g written %s reads back as %.17g", v, b, r);
        int d = significant_digits(b);
        if (d > 1 && v != trunc(v)) {
            snprintf(shorter, sizeof shorter, "%.*g", d - 1, v);
            if (strtod(shorter, NULL) == v)
                fail_msg("%.17g written %s, but %s (fewer digits) reads back too", v, b, shorter);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exact_cases),
        cmocka_unit_test(test_round_trip_and_shortest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
