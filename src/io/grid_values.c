/* grid_values.c - range(start, stop[, step]) and linspace(a, b, k) in a grid axis's value,
 * expanded into the comma list the configuration reader splits (grid_values.h).
 *
 * range: the count is the number of whole steps that stay short of stop,
 *   k = ceil((stop - start) / step - 1e-9),
 * the 1e-9 absorbing the rounding of a decimal step ((0.2 - 0) / 0.02 is 10.000000000000002
 * in binary; the range has 10 values, 0 to 0.18). Value i is start + i step, computed from i
 * (not by adding steps up), so the error does not grow along the range.
 * linspace: value i of k is a + i (b - a) / (k - 1), the last one b exactly. */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/config.h"
#include "io/grid_values.h"

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static int put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        size_t cap = 2 * (t->len + n + 1) + 64;
        char *p = realloc(t->s, cap);
        if (!p)
            return 0;
        t->s = p;
        t->cap = cap;
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
    return 1;
}

static int put_number(text *t, double x, int first)
{
    char b[40];
    if (fabs(x) < 1e-12)
        x = 0; /* -0 and the rounding residue of a range through zero */
    int n = snprintf(b, sizeof b, "%s%.12g", first ? "" : ", ", x);
    return put(t, b, (size_t)n);
}

/* The arguments of a call, "0, 0.2, 0.02", as numbers; their count, or -1 after a message. */
static int parse_args(const char *call, const char *args, size_t len, double *x, mc_error *err)
{
    char buf[256];
    if (len >= sizeof buf)
        return mc_error_set(err, MC_ECONFIG, "%.40s...: too long", call), -1;
    memcpy(buf, args, len);
    buf[len] = '\0';
    int n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        while (isspace((unsigned char)*tok))
            tok++;
        for (char *e = tok + strlen(tok); e > tok && isspace((unsigned char)e[-1]);)
            *--e = '\0';
        if (n == 3 || mc_parse_double(tok, &x[n]) != MC_OK)
            return mc_error_set(err, MC_ECONFIG, "%.*s): %s", (int)(args - call + len), call,
                                n == 3 ? "too many arguments" : "an argument is not a number"), -1;
        n++;
    }
    return n;
}

/* Appends range(x[0], x[1], x[2]) (n arguments). */
static int expand_range(text *t, const char *call, int calllen, const double *x, int n,
                        int first, mc_error *err)
{
    double start = x[0], stop = x[1], step = n == 3 ? x[2] : 1;
    if (n < 2)
        return mc_error_set(err, MC_ECONFIG, "%.*s: expected range(start, stop[, step])",
                            calllen, call);
    if (step == 0 || (stop - start) * step <= 0)
        return mc_error_set(err, MC_ECONFIG, "%.*s: %s", calllen, call,
                            step == 0 ? "the step is 0"
                                      : "no values (the step must go from start towards stop)");
    double k = ceil((stop - start) / step - 1e-9);
    if (!(k <= MC_GRID_MAX_VALUES))
        return mc_error_set(err, MC_ECONFIG, "%.*s: %.0f values, more than %d", calllen, call,
                            k, MC_GRID_MAX_VALUES);
    for (long i = 0; i < (long)k; i++)
        if (!put_number(t, start + (double)i * step, first && i == 0))
            return mc_error_set(err, MC_ENOMEM, "out of memory");
    return MC_OK;
}

/* Appends linspace(x[0], x[1], x[2]). */
static int expand_linspace(text *t, const char *call, int calllen, const double *x, int n,
                           int first, mc_error *err)
{
    if (n != 3 || x[2] != floor(x[2]) || x[2] < 2 || x[2] > MC_GRID_MAX_VALUES)
        return mc_error_set(err, MC_ECONFIG, "%.*s: expected linspace(a, b, k) with a whole k "
                            "from 2 to %d", calllen, call, MC_GRID_MAX_VALUES);
    long k = (long)x[2];
    for (long i = 0; i < k; i++) {
        double v = i == k - 1 ? x[1] : x[0] + (double)i * (x[1] - x[0]) / (double)(k - 1);
        if (!put_number(t, v, first && i == 0))
            return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    return MC_OK;
}

/* Whether the alternative at p (after spaces) opens a call: its name's length, or 0. */
static size_t call_name(const char *p, int *is_range)
{
    if (!strncmp(p, "range(", 6)) {
        *is_range = 1;
        return 5;
    }
    if (!strncmp(p, "linspace(", 9)) {
        *is_range = 0;
        return 8;
    }
    return 0;
}

/* Appends the alternative or call that starts at *p; moves *p past it and its comma. */
static int expand_one(text *t, const char **p, int first, mc_error *err)
{
    const char *s = *p;
    while (isspace((unsigned char)*s))
        s++;
    int is_range = 0;
    size_t name = call_name(s, &is_range);
    const char *close = name ? strchr(s, ')') : NULL;
    if (name && !close)
        return mc_error_set(err, MC_ECONFIG, "%s: no closing ')'", s);
    if (!name) { /* a plain alternative: copied as it is */
        const char *end = strchr(s, ',');
        size_t n = end ? (size_t)(end - s) : strlen(s);
        *p = end ? end + 1 : s + n;
        return put(t, first ? "" : ", ", first ? 0 : 2) && put(t, s, n)
                   ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    double x[3];
    int calllen = (int)(close - s + 1);
    int n = parse_args(s, s + name + 1, (size_t)(close - s - (long)name - 1), x, err);
    if (n < 0)
        return MC_ECONFIG;
    int r = is_range ? expand_range(t, s, calllen, x, n, first, err)
                     : expand_linspace(t, s, calllen, x, n, first, err);
    const char *after = close + 1;
    while (isspace((unsigned char)*after))
        after++;
    if (r == MC_OK && *after && *after != ',')
        return mc_error_set(err, MC_ECONFIG, "%.*s: unexpected '%s' after it", calllen, s, after);
    *p = *after ? after + 1 : after;
    return r;
}

int mc_grid_expand(const char *value, char **out, mc_error *err)
{
    *out = NULL;
    if (!strstr(value, "range(") && !strstr(value, "linspace(")) {
        *out = strdup(value);
        return *out ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    text t = {0};
    int r = put(&t, "", 0) ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    for (const char *p = value; r == MC_OK && *p;)
        r = expand_one(&t, &p, t.len == 0, err);
    if (r != MC_OK) {
        free(t.s);
        return r;
    }
    *out = t.s;
    return MC_OK;
}
