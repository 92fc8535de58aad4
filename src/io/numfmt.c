/* numfmt.c - shortest round-trip decimal text of a double (see numfmt.h).
 *
 * A double has 15.95 significant decimal digits: every decimal with at most 15 digits survives
 * the trip to a double and back, so %.15g is the shortest text whenever some text of at most 15
 * digits reads back to v (printf rounds v to the nearest 15-digit decimal, which is then that
 * text, trailing zeros dropped). (Subnormals have fewer digits of precision: every count from 1
 * is tried.) Otherwise the nearest 16-digit decimal reads back if any
 * 16-digit one does, and 17 digits always do. Integral values below 1e15 (counts, sizes,
 * generations) skip printf altogether. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/numfmt.h"

/* |v| < 1e15 and integral: the digits of v, as %.15g writes them. */
static const char *format_integer(double v, char *buf)
{
    char tmp[24];
    int neg = signbit(v) != 0;
    unsigned long long u = (unsigned long long)(neg ? -v : v);
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    size_t k = 0;
    if (neg)
        buf[k++] = '-';
    while (n)
        buf[k++] = tmp[--n];
    buf[k] = '\0';
    return buf;
}

static int reads_back(const char *text, double v)
{
    double r = strtod(text, NULL);
    return r == v && signbit(r) == signbit(v);
}

const char *mc_num_shortest(double v, char *buf)
{
    if (isnan(v))
        return strcpy(buf, "nan");
    if (isinf(v))
        return strcpy(buf, v > 0 ? "inf" : "-inf");
    if (fabs(v) < 1e15 && v == trunc(v))
        return format_integer(v, buf);
    /* subnormals carry fewer digits: any count may be the shortest */
    for (int digits = fabs(v) < DBL_MIN ? 1 : 15; digits < 17; digits++) {
        snprintf(buf, 32, "%.*g", digits, v);
        if (reads_back(buf, v))
            return buf;
    }
    snprintf(buf, 32, "%.17g", v);
    return buf;
}
