/* sbuf.c - a growable string for the report's HTML and sentences, and numbers as they read in
 * a sentence. See sbuf.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "sbuf.h"

void mc_sb_put(mc_sbuf *s, const char *t, size_t len)
{
    if (s->failed)
        return;
    if (s->n + len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->n + len + 1)
            cap *= 2;
        char *p = realloc(s->p, cap);
        if (!p) {
            s->failed = 1;
            return;
        }
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->n, t, len);
    s->n += len;
    s->p[s->n] = '\0';
}

void mc_sb_printf(mc_sbuf *s, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof buf) {
        mc_sb_put(s, buf, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        s->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    mc_sb_put(s, big, (size_t)n);
    free(big);
}

/* HTML text with &, <, >, " escaped. */
void mc_sb_html(mc_sbuf *s, const char *t)
{
    for (const char *c = t; *c; c++) {
        switch (*c) {
        case '&': mc_sb_put(s, "&amp;", 5); break;
        case '<': mc_sb_put(s, "&lt;", 4); break;
        case '>': mc_sb_put(s, "&gt;", 4); break;
        case '"': mc_sb_put(s, "&quot;", 6); break;
        default: mc_sb_put(s, c, 1);
        }
    }
}

const char *mc_fmt_num(double v, char *buf)
{
    if (isnan(v))
        return "undefined";
    if (isinf(v))
        return v > 0 ? "inf" : "-inf";
    snprintf(buf, 32, "%.3g", v);
    return buf;
}

const char *mc_fmt_pct(double frac, char *buf)
{
    double p = 100 * frac;
    if (fabs(p - round(p)) < 1e-6)
        snprintf(buf, 32, "%.0f %%", p);
    else
        snprintf(buf, 32, "%.1f %%", p);
    return buf;
}

