/* sbuf.h - a growable string for the report's HTML and sentences, and numbers as they read in
 * a sentence (private to src/plot/). A failed allocation sets failed and makes later appends
 * no-ops, so a writer checks once at the end. */
#ifndef COLLAPSE_PLOT_SBUF_H
#define COLLAPSE_PLOT_SBUF_H

#include <stddef.h>

typedef struct mc_sbuf {
    char *p; /* NUL-terminated; owned (free) */
    size_t n, cap;
    int failed;
} mc_sbuf;

void mc_sb_put(mc_sbuf *s, const char *t, size_t len);
void mc_sb_printf(mc_sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends t with &, <, > and " escaped for HTML. */
void mc_sb_html(mc_sbuf *s, const char *t);

/* "%.3g", or "undefined", "inf", "-inf", into buf[32]; returns the text. */
const char *mc_fmt_num(double v, char *buf);
/* A fraction as a percentage ("25 %", "12.5 %") into buf[32]; returns the text. */
const char *mc_fmt_pct(double frac, char *buf);

#endif
