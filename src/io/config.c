/* config.c - layered INI configuration with origins, key tables and value parsing.
 *
 * INI text is parsed by libinih through ini_parse_stream() with a reader of our own: Debian's
 * libinih 55 is compiled with a 200-character line limit and without line numbers for the handler,
 * so the reader counts lines (the handler runs right after its line is read) and refuses an
 * over-long line instead of letting inih split it silently.
 *
 * Writing (config.ini) has no quoting: a value is written as it is, folded at ", " when long.
 * What INI text cannot hold that way (a line break, a ';' after white space, which inih takes for
 * a comment, a line over the limit) is refused by mc_config_check_writable() before a run.
 */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <ini.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/config.h"

#define INIH_LINE_MAX 200 /* INI_MAX_LINE of Debian's libinih; the reader is handed this size */

mc_config *mc_config_alloc(void)
{
    mc_config *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->base_dir = strdup(".");
    c->name = strdup("run");
    if (!c->base_dir || !c->name) {
        mc_config_free(c);
        return NULL;
    }
    return c;
}

void mc_config_free(mc_config *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->entries[i].section);
        free(c->entries[i].key);
        free(c->entries[i].value);
    }
    free(c->entries);
    for (size_t i = 0; i < c->nstrings; i++)
        free(c->strings[i]);
    free(c->strings);
    free(c->name);
    free(c->base_dir);
    free(c);
}

/* Keeps a copy of s alive as long as c (origins point into it). */
static const char *keep(mc_config *c, const char *s)
{
    char *d = strdup(s);
    if (!d)
        return NULL;
    char **p = realloc(c->strings, (c->nstrings + 1) * sizeof *p);
    if (!p) {
        free(d);
        return NULL;
    }
    c->strings = p;
    c->strings[c->nstrings++] = d;
    return d;
}

static long find_index(const mc_config *c, const char *section, const char *key)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->entries[i].section, section) == 0 && strcmp(c->entries[i].key, key) == 0)
            return (long)i;
    return -1;
}

const mc_entry *mc_config_find(const mc_config *c, const char *section, const char *key)
{
    long i = find_index(c, section, key);
    return i < 0 ? NULL : &c->entries[i];
}

int mc_config_set(mc_config *c, const char *section, const char *key, const char *value,
                  mc_origin origin, mc_error *err)
{
    long i = find_index(c, section, key);
    char *v = strdup(value);
    if (!v)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    if (i >= 0) {
        free(c->entries[i].value);
        c->entries[i].value = v;
        c->entries[i].origin = origin;
        return MC_OK;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 32;
        mc_entry *p = realloc(c->entries, cap * sizeof *p);
        if (!p) {
            free(v);
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        }
        c->entries = p;
        c->cap = cap;
    }
    mc_entry *e = &c->entries[c->n];
    e->section = strdup(section);
    e->key = strdup(key);
    e->value = v;
    e->origin = origin;
    if (!e->section || !e->key) {
        free(e->section);
        free(e->key);
        free(v);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    c->n++;
    return MC_OK;
}

const char *mc_origin_format(char *buf, size_t size, const mc_origin *o, const char *section,
                             const char *key)
{
    if (!o || !o->file)
        snprintf(buf, size, "[%s] %s", section, key);
    else if (o->line > 0)
        snprintf(buf, size, "%s:%d: [%s] %s", o->file, o->line, section, key);
    else
        snprintf(buf, size, "%s: %s.%s", o->file, section, key);
    return buf;
}

/* ---- INI reading ---------------------------------------------------------------------- */

typedef struct reader {
    const char *name;   /* origin name, kept alive by the config */
    FILE *f;            /* file source, or */
    const char *text;   /* in-memory source */
    int line;
    int too_long;       /* line number of an over-long line, 0 if none */
    int indented;       /* the current line starts with white space */
    char *buf;
    size_t bufcap;
    /* handler state */
    mc_config *c;
    mc_error *err;
    int status;
    char *last_section, *last_key; /* for continuation lines */
    size_t last_len, last_cap;     /* length and allocated size of that entry's value */
    /* keys seen in this source, to refuse repeats: "section\nkey" -> line */
    char **seen;
    int *seen_line;
    size_t nseen;
} reader;

/* Hands inih one line. What is copied into inih's buffer is the line's content without its
 * trailing '\r' and '\n' characters, one '\n' and the NUL: content + 2 bytes, which is what the
 * length check counts (inih strips the trailing white space anyway). */
static char *read_line(char *str, int num, void *stream)
{
    reader *rd = stream;
    if (rd->too_long)
        return NULL;
    size_t len = 0;
    if (rd->f) {
        ssize_t got = getline(&rd->buf, &rd->bufcap, rd->f);
        if (got < 0)
            return NULL;
        len = (size_t)got;
    } else {
        if (!*rd->text)
            return NULL;
        const char *nl = strchr(rd->text, '\n');
        len = nl ? (size_t)(nl - rd->text) + 1 : strlen(rd->text);
        if (len + 1 > rd->bufcap) {
            char *p = realloc(rd->buf, len + 1);
            if (!p)
                return NULL;
            rd->buf = p;
            rd->bufcap = len + 1;
        }
        memcpy(rd->buf, rd->text, len);
        rd->buf[len] = '\0';
        rd->text += len;
    }
    rd->line++;
    size_t content = len;
    while (content > 0 && (rd->buf[content - 1] == '\n' || rd->buf[content - 1] == '\r'))
        content--;
    if (content + 2 > (size_t)num) { /* inih would split it: refuse */
        rd->too_long = rd->line;
        return NULL;
    }
    if (memchr(rd->buf, '\0', len)) { /* a NUL byte: not a text file */
        rd->too_long = -rd->line;
        return NULL;
    }
    rd->indented = len > 0 && (rd->buf[0] == ' ' || rd->buf[0] == '\t') && content > 0;
    memcpy(str, rd->buf, content);
    str[content] = '\n';
    str[content + 1] = '\0';
    return str;
}

/* Appends an indented line's value to the entry it continues: "a, b," + "c" and "a, b" + "c"
 * both give "a, b, c". The value grows in place with doubling capacity, so a value continued
 * over m lines costs O(its length) in all, not O(m * length). */
static int append_continuation(reader *rd, mc_entry *e, const char *value)
{
    size_t vl = rd->last_len, add = strlen(value);
    const char *sep = vl > 0 && e->value[vl - 1] == ',' ? " " : ", ";
    size_t need = vl + strlen(sep) + add + 1;
    if (need > rd->last_cap) {
        size_t cap = 2 * rd->last_cap > need ? 2 * rd->last_cap : need;
        char *p = realloc(e->value, cap);
        if (!p) {
            rd->status = mc_error_set(rd->err, MC_ENOMEM, "out of memory");
            return 0;
        }
        e->value = p;
        rd->last_cap = cap;
    }
    memcpy(e->value + vl, sep, strlen(sep));
    memcpy(e->value + vl + strlen(sep), value, add + 1);
    rd->last_len = need - 1;
    return 1;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
    reader *rd = user;
    if (rd->status != MC_OK)
        return 1; /* keep the first error only */
    mc_origin o = {rd->name, rd->line};
    if (!*section) {
        rd->status = mc_error_set(rd->err, MC_ECONFIG,
                                  "%s:%d: key '%s' is outside any [section]", rd->name,
                                  rd->line, name);
        return 0;
    }
    /* An indented line continues the previous key (inih hands it to us under that name). */
    if (rd->indented && rd->last_key && strcmp(rd->last_key, name) == 0 &&
        strcmp(rd->last_section, section) == 0) {
        long i = find_index(rd->c, section, name);
        if (i >= 0)
            return append_continuation(rd, &rd->c->entries[i], value);
    }
    /* refuse a key repeated within this source */
    size_t klen = strlen(section) + strlen(name) + 2;
    char *k = malloc(klen);
    if (!k) {
        rd->status = mc_error_set(rd->err, MC_ENOMEM, "out of memory");
        return 0;
    }
    snprintf(k, klen, "%s\n%s", section, name);
    for (size_t i = 0; i < rd->nseen; i++)
        if (strcmp(rd->seen[i], k) == 0) {
            rd->status = mc_error_set(rd->err, MC_ECONFIG,
                                      "%s:%d: [%s] %s: key given twice (first at line %d)",
                                      rd->name, rd->line, section, name, rd->seen_line[i]);
            free(k);
            return 0;
        }
    char **s = realloc(rd->seen, (rd->nseen + 1) * sizeof *s);
    int *sl = s ? realloc(rd->seen_line, (rd->nseen + 1) * sizeof *sl) : NULL;
    if (s)
        rd->seen = s;
    if (!s || !sl) {
        free(k);
        rd->status = mc_error_set(rd->err, MC_ENOMEM, "out of memory");
        return 0;
    }
    rd->seen_line = sl;
    rd->seen[rd->nseen] = k;
    rd->seen_line[rd->nseen++] = rd->line;

    rd->status = mc_config_set(rd->c, section, name, value, o, rd->err);
    rd->last_len = strlen(value);
    rd->last_cap = rd->last_len + 1; /* mc_config_set stores a copy of exactly this size */
    free(rd->last_section);
    free(rd->last_key);
    rd->last_section = strdup(section);
    rd->last_key = strdup(name);
    return rd->status == MC_OK;
}

static int parse_source(mc_config *c, reader *rd, mc_error *err)
{
    rd->c = c;
    rd->err = err;
    rd->status = MC_OK;
    int r = ini_parse_stream(read_line, rd, handler, rd);
    int status = rd->status;
    if (status == MC_OK && rd->too_long > 0)
        status = mc_error_set(err, MC_ECONFIG,
                              "%s:%d: line longer than %d characters (the INI reader's limit); "
                              "split a long list over indented continuation lines",
                              rd->name, rd->too_long, INIH_LINE_MAX - 2);
    else if (status == MC_OK && rd->too_long < 0)
        status = mc_error_set(err, MC_ECONFIG, "%s:%d: contains a NUL byte: not an INI text file",
                              rd->name, -rd->too_long);
    else if (status == MC_OK && r > 0)
        status = mc_error_set(err, MC_ECONFIG,
                              "%s:%d: expected '[section]' or 'key = value'", rd->name, r);
    else if (status == MC_OK && r < 0)
        status = mc_error_set(err, MC_ENOMEM, "%s: out of memory while parsing", rd->name);
    free(rd->buf);
    free(rd->last_section);
    free(rd->last_key);
    for (size_t i = 0; i < rd->nseen; i++)
        free(rd->seen[i]);
    free(rd->seen);
    free(rd->seen_line);
    return status;
}

int mc_config_read_file(mc_config *c, const char *path, mc_error *err)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return mc_error_set(err, MC_EIO, "%s: cannot read: %s", path, strerror(errno));
    reader rd = {0};
    rd.name = keep(c, path);
    rd.f = f;
    if (!rd.name) {
        fclose(f);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    int status = parse_source(c, &rd, err);
    if (status == MC_OK && ferror(f))
        status = mc_error_set(err, MC_EIO, "%s: read error", path);
    else if (status == MC_OK && rd.nseen == 0) /* it would run the defaults: surely a mistake */
        status = mc_error_set(err, MC_ECONFIG,
                              "%s: no settings: the file holds no 'key = value' line (it is "
                              "empty or only comments and [section] headers)",
                              path);
    fclose(f);
    if (status != MC_OK)
        return status;
    /* name = file stem; base_dir = its folder */
    const char *slash = strrchr(path, '/');
    const char *stem = slash ? slash + 1 : path;
    char *name = strdup(stem);
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!name || !dir) {
        free(name);
        free(dir);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    char *dot = strrchr(name, '.');
    if (dot && dot != name)
        *dot = '\0';
    free(c->name);
    free(c->base_dir);
    c->name = name;
    c->base_dir = dir;
    return MC_OK;
}

int mc_config_read_string(mc_config *c, const char *text, const char *origin_name, mc_error *err)
{
    reader rd = {0};
    rd.name = keep(c, origin_name);
    rd.text = text;
    if (!rd.name)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    return parse_source(c, &rd, err);
}

static char *trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1]))
        *--e = '\0';
    return s;
}

int mc_config_override(mc_config *c, const char *arg, mc_error *err)
{
    const char *eq = strchr(arg, '=');
    const char *dot = strchr(arg, '.');
    if (!eq || !dot || dot > eq || dot == arg || dot + 1 == eq)
        return mc_error_set(err, MC_EUSAGE,
                            "command line: '%s': expected section.key=value (e.g. run.replicates=50)",
                            arg);
    char *section = strndup(arg, (size_t)(dot - arg));
    char *key = strndup(dot + 1, (size_t)(eq - dot - 1));
    char *value = strdup(eq + 1);
    int status = MC_OK;
    if (!section || !key || !value) {
        status = mc_error_set(err, MC_ENOMEM, "out of memory");
    } else {
        mc_origin o = {keep(c, "command line"), 0};
        status = mc_config_set(c, trim(section), trim(key), trim(value), o, err);
    }
    free(section);
    free(key);
    free(value);
    return status;
}

/* ---- values --------------------------------------------------------------------------- */

void mc_strings_free(char **s, size_t n)
{
    if (!s)
        return;
    for (size_t i = 0; i < n; i++)
        free(s[i]);
    free(s);
}

int mc_split_alternatives(const char *value, mc_key_kind kind, char ***out, mc_error *err)
{
    char sep = kind == MC_KEY_LIST ? '|' : ',';
    size_t n = 1;
    for (const char *p = value; *p; p++)
        n += *p == sep;
    char **v = calloc(n, sizeof *v);
    if (!v)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    const char *start = value;
    for (size_t i = 0; i < n; i++) {
        const char *end = strchr(start, sep);
        if (!end)
            end = start + strlen(start);
        char *piece = strndup(start, (size_t)(end - start));
        if (!piece) {
            mc_strings_free(v, n);
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        }
        char *t = trim(piece);
        memmove(piece, t, strlen(t) + 1);
        v[i] = piece;
        if (!*piece) {
            mc_strings_free(v, n);
            return mc_error_set(err, MC_ECONFIG, "empty value%s", n > 1 ? " in a list" : "");
        }
        start = *end ? end + 1 : end;
    }
    *out = v;
    return (int)n;
}

/* Length of the decimal number that s starts with, [+-]digits[.digits][(e|E)[+-]digits] with a
 * digit before the exponent, or 0. strtod() also takes hexadecimal, "inf" and "nan"; a setting
 * is written in decimal, so those are refused ("0x10" is not read as 16). */
static size_t decimal_length(const char *s)
{
    static const char digit[] = "0123456789";
    const char *p = s + (*s == '+' || *s == '-');
    size_t digits = strspn(p, digit);
    p += digits;
    if (*p == '.') {
        size_t frac = strspn(p + 1, digit);
        digits += frac;
        p += 1 + frac;
    }
    if (!digits)
        return 0;
    if (*p == 'e' || *p == 'E') {
        const char *q = p + 1 + (p[1] == '+' || p[1] == '-');
        size_t exp = strspn(q, digit);
        if (!exp)
            return 0;
        p = q + exp;
    }
    return (size_t)(p - s);
}

int mc_parse_double(const char *text, double *out)
{
    if (!text || !*text || text[decimal_length(text)] != '\0')
        return MC_ECONFIG;
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (*end)
        return MC_ECONFIG;
    if (errno == ERANGE || !isfinite(v)) /* beyond DBL_MAX, or a subnormal or underflow */
        return MC_ERANGE;
    *out = v;
    return MC_OK;
}

int mc_parse_count(const char *text, uint64_t *out)
{
    if (!text || !*text)
        return MC_ECONFIG;
    int digits = 1;
    for (const char *p = text; *p; p++)
        digits &= isdigit((unsigned char)*p) != 0;
    if (digits) {
        errno = 0;
        char *end;
        unsigned long long v = strtoull(text, &end, 10);
        if (*end || errno == ERANGE)
            return MC_ERANGE;
        *out = (uint64_t)v;
        return MC_OK;
    }
    double d;
    int r = mc_parse_double(text, &d);
    if (r == MC_ERANGE) /* 1e999 does not fit; 1e-320 is no whole number */
        return fabs(strtod(text, NULL)) > 1 ? MC_ERANGE : MC_ECONFIG;
    if (r != MC_OK)
        return MC_ECONFIG;
    if (d < 0 || d != floor(d))
        return MC_ECONFIG;
    if (d >= 18446744073709551616.0)
        return MC_ERANGE;
    *out = (uint64_t)d;
    return MC_OK;
}

/* The message for a number that mc_parse_double() refused with status r; `what` is what the key
 * wants ("a number", "a whole number"). */
static int number_error(int r, const char *text, const char *where, const char *what,
                        mc_error *err)
{
    if (r == MC_ERANGE && fabs(strtod(text, NULL)) > 1)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: %s is out of range: too large for a number (above %g)", where,
                            text, DBL_MAX);
    if (r == MC_ERANGE)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: %s is out of range: too close to zero (below %g, the smallest "
                            "normal number; write 0 for zero)",
                            where, text, DBL_MIN);
    char *end = NULL;
    if (*text && !isspace((unsigned char)*text) && text[decimal_length(text)] != '\0')
        (void)strtod(text, &end); /* a number to strtod(), not in decimal: 0x10, inf, nan */
    if (end && end > text && *end == '\0')
        return mc_error_set(err, MC_ECONFIG,
                            "%s: '%s' is not a decimal number (hexadecimal, inf and nan are "
                            "refused)",
                            where, text);
    return mc_error_set(err, MC_ECONFIG, "%s: '%s' is not %s", where, text, what);
}

static int out_of_bounds(const mc_key *k, double v)
{
    if (k->min == 0 && k->max == 0 && !(k->flags & (MC_KEY_MIN_OPEN | MC_KEY_MAX_OPEN)))
        return 0; /* no bounds declared */
    if ((k->flags & MC_KEY_MIN_OPEN) ? !(v > k->min) : !(v >= k->min))
        return 1;
    if ((k->flags & MC_KEY_MAX_OPEN) ? !(v < k->max) : !(v <= k->max))
        return 1;
    return 0;
}

/* "must be ..." text for key k and the refused value v: a key without a practical upper bound
 * (max >= 1e300) shows only its lower one, unless v is beyond the upper one. */
static const char *bounds_text(const mc_key *k, double v, char *buf, size_t size)
{
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%g", k->min);
    snprintf(hi, sizeof hi, "%g", k->max);
    int open_hi = (k->flags & MC_KEY_MAX_OPEN) != 0;
    if (k->max >= 1e300 && (open_hi ? !(v < k->max) : !(v <= k->max)) && v > k->min)
        snprintf(buf, size, "%s %s", open_hi ? "<" : "<=", hi);
    else if (k->max >= 1e300)
        snprintf(buf, size, "%s %s", (k->flags & MC_KEY_MIN_OPEN) ? ">" : ">=", lo);
    else
        snprintf(buf, size, "in %c%s, %s%c", (k->flags & MC_KEY_MIN_OPEN) ? '(' : '[', lo, hi,
                 open_hi ? ')' : ']');
    return buf;
}

int mc_key_parse(const mc_key *k, const char *text, void *dst, const char *where, mc_error *err)
{
    char *slot = (char *)dst + k->offset;
    char b[96];
    switch (k->kind) {
    case MC_KEY_DOUBLE: {
        double v;
        int r = mc_parse_double(text, &v);
        if (r != MC_OK)
            return number_error(r, text, where, "a number", err);
        if (out_of_bounds(k, v))
            return mc_error_set(err, MC_ECONFIG, "%s: %s is out of range: must be %s", where,
                                text, bounds_text(k, v, b, sizeof b));
        memcpy(slot, &v, sizeof v);
        return MC_OK;
    }
    case MC_KEY_INT: {
        double d;
        int r = mc_parse_double(text, &d);
        if (r != MC_OK || d != floor(d))
            return number_error(r, text, where, "a whole number", err);
        if (out_of_bounds(k, d) || fabs(d) > (double)LONG_MAX / 2)
            return mc_error_set(err, MC_ECONFIG, "%s: %s is out of range: must be %s", where,
                                text, bounds_text(k, d, b, sizeof b));
        long v = (long)d;
        memcpy(slot, &v, sizeof v);
        return MC_OK;
    }
    case MC_KEY_COUNT: {
        uint64_t v;
        int r = mc_parse_count(text, &v);
        if (r == MC_ERANGE)
            return mc_error_set(err, MC_ECONFIG, "%s: %s does not fit in 64 bits", where, text);
        if (r != MC_OK)
            return number_error(MC_ECONFIG, text, where, "a whole number >= 0", err);
        if (out_of_bounds(k, (double)v))
            return mc_error_set(err, MC_ECONFIG, "%s: %s is out of range: must be %s", where,
                                text, bounds_text(k, (double)v, b, sizeof b));
        memcpy(slot, &v, sizeof v);
        return MC_OK;
    }
    case MC_KEY_BOOL: {
        static const char *const yes[] = {"true", "yes", "on", "1"};
        static const char *const no[] = {"false", "no", "off", "0"};
        for (int i = 0; i < 4; i++) {
            int v = -1;
            if (strcasecmp(text, yes[i]) == 0)
                v = 1;
            if (strcasecmp(text, no[i]) == 0)
                v = 0;
            if (v >= 0) {
                memcpy(slot, &v, sizeof v);
                return MC_OK;
            }
        }
        return mc_error_set(err, MC_ECONFIG, "%s: '%s' is not true or false", where, text);
    }
    case MC_KEY_ENUM: {
        int idx = 0;
        const char *p = k->choices;
        const char *cands[32];
        char names[32][48];
        size_t nc = 0;
        while (p && *p && nc < 32) {
            const char *bar = strchr(p, '|');
            size_t len = bar ? (size_t)(bar - p) : strlen(p);
            snprintf(names[nc], sizeof names[nc], "%.*s", (int)len, p);
            cands[nc] = names[nc];
            nc++;
            if (strlen(text) == len && strncmp(text, p, len) == 0) {
                memcpy(slot, &idx, sizeof idx);
                return MC_OK;
            }
            idx++;
            p = bar ? bar + 1 : NULL;
        }
        const char *near = mc_did_you_mean(text, cands, nc);
        char choices[256];
        snprintf(choices, sizeof choices, "%s", k->choices);
        for (char *q = choices; *q; q++)
            if (*q == '|')
                *q = ',';
        if (near)
            return mc_error_set(err, MC_ECONFIG, "%s: unknown value '%s' (did you mean '%s'?; one of: %s)",
                                where, text, near, choices);
        return mc_error_set(err, MC_ECONFIG, "%s: unknown value '%s' (one of: %s)", where, text,
                            choices);
    }
    case MC_KEY_STRING:
    case MC_KEY_LIST:
        memcpy(slot, &text, sizeof text);
        return MC_OK;
    }
    return mc_error_set(err, MC_EINTERNAL, "%s: unknown key kind", where);
}

/* Optimal string alignment distance (Levenshtein with transpositions). */
static size_t edit_distance(const char *a, const char *b)
{
    size_t n = strlen(a), m = strlen(b);
    if (n > 64 || m > 64)
        return 99;
    size_t d[65][65];
    for (size_t i = 0; i <= n; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= m; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= n; i++)
        for (size_t j = 1; j <= m; j++) {
            size_t cost = tolower((unsigned char)a[i - 1]) != tolower((unsigned char)b[j - 1]);
            size_t v = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < v)
                v = d[i][j - 1] + 1;
            if (d[i - 1][j - 1] + cost < v)
                v = d[i - 1][j - 1] + cost;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < v)
                v = d[i - 2][j - 2] + 1;
            d[i][j] = v;
        }
    return d[n][m];
}

const char *mc_did_you_mean(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t bestd = (size_t)-1;
    size_t limit = strlen(word) / 3 + 1;
    if (limit < 2)
        limit = 2;
    for (size_t i = 0; i < n; i++) {
        if (!candidates[i])
            continue;
        size_t d = edit_distance(word, candidates[i]);
        /* a candidate that contains the word, or is contained in it, is also close */
        if (d > limit && (strstr(candidates[i], word) || strstr(word, candidates[i])) &&
            strlen(word) >= 3)
            d = limit;
        if (d < bestd) {
            bestd = d;
            best = candidates[i];
        }
    }
    return bestd <= limit ? best : NULL;
}

/* ---- writing -------------------------------------------------------------------------- */

static const char *const section_order[] = {"world", "model", "regime", "sampling", "metrics",
                                            "run", "output"};

/* Why `value` cannot be written as an INI value that reads back the same, or NULL. The reader
 * (inih) ends a line at '\n', strips white space at both ends and takes ';' after white space for
 * the start of a comment (the writer puts a space before the value, so also a leading ';'). */
static const char *unwritable(const char *value)
{
    if (strpbrk(value, "\n\r"))
        return "contains a line break, which would start a new line of INI text";
    if (*value && (isspace((unsigned char)value[0]) ||
                   isspace((unsigned char)value[strlen(value) - 1])))
        return "begins or ends with white space, which INI reading strips";
    for (const char *p = value; *p; p++)
        if (*p == ';' && (p == value || isspace((unsigned char)p[-1])))
            return "has a ';' after white space (or first), which INI reading takes for the start "
                   "of a comment: remove the space before the ';'";
    return NULL;
}

/* Whether a value may be folded onto a new line before the list item `item` (which follows
 * `prev` and ", "): the reader joins an indented line back with ", " unless the previous line
 * ends in ',' (then " "), skips a line that starts with ';' or '#', and strips white space. */
static int can_fold(const char *prev, size_t prevlen, const char *item, size_t len)
{
    if (prevlen == 0 || len == 0)
        return 0;
    char last = prev[prevlen - 1], first = item[0];
    return last != ',' && !isspace((unsigned char)last) && first != ';' && first != '#' &&
           !isspace((unsigned char)first);
}

/* Writes `key = value`, folding a long value at ", " into indented continuation lines that the
 * reader joins back with ", " (so the text round-trips exactly). MC_ERANGE when a line would
 * still be longer than the reader takes (INIH_LINE_MAX - 2 characters) or the value is
 * unwritable(); f then holds a partial entry. */
static int write_entry(FILE *f, const mc_entry *e)
{
    const size_t fold = 150, max = INIH_LINE_MAX - 2;
    if (unwritable(e->value))
        return MC_ERANGE;
    fprintf(f, "%s = ", e->key);
    size_t col = strlen(e->key) + 3;
    const char *v = e->value, *prev = NULL;
    size_t prevlen = 0;
    do {
        const char *cut = strstr(v, ", ");
        size_t len = cut ? (size_t)(cut - v) : strlen(v);
        if (prev && col + len + 2 > fold && can_fold(prev, prevlen, v, len)) {
            fputs("\n    ", f);
            col = 4;
        } else if (prev) {
            fputs(", ", f);
            col += 2;
        }
        fwrite(v, 1, len, f);
        col += len;
        if (col > max)
            return MC_ERANGE;
        prev = v;
        prevlen = len;
        v = cut ? cut + 2 : v + len;
    } while (*v); /* a value ending in ", " ends in white space: unwritable() */
    fputc('\n', f);
    return MC_OK;
}

int mc_config_write(const mc_config *c, FILE *f)
{
    size_t nsec = sizeof section_order / sizeof *section_order;
    int status = MC_OK;
    for (size_t s = 0; s <= nsec; s++) {
        int header = 0;
        for (size_t i = 0; i < c->n; i++) {
            const mc_entry *e = &c->entries[i];
            int known = 0;
            for (size_t t = 0; t < nsec; t++)
                known |= strcmp(e->section, section_order[t]) == 0;
            if (s < nsec ? strcmp(e->section, section_order[s]) != 0 : known)
                continue;
            if (!header) {
                fprintf(f, "\n[%s]\n", e->section);
                header = 1;
            }
            if (write_entry(f, e) != MC_OK) {
                status = MC_ERANGE;
                fputc('\n', f); /* end the partial line; the caller discards the text */
            }
        }
    }
    return ferror(f) ? MC_EIO : status;
}

int mc_config_write_ordered(const mc_config *c, FILE *f)
{
    int status = MC_OK;
    for (size_t i = 0; i < c->n; i++) {
        const mc_entry *e = &c->entries[i];
        if (i == 0 || strcmp(e->section, c->entries[i - 1].section) != 0)
            fprintf(f, "\n[%s]\n", e->section);
        if (write_entry(f, e) != MC_OK) {
            status = MC_ERANGE;
            fputc('\n', f);
        }
    }
    return ferror(f) ? MC_EIO : status;
}

/* Writes e alone under its section header, as mc_config_write() would, and reads it back:
 * MC_OK when the same value comes back, MC_ERANGE when it cannot be written, MC_ECONFIG when it
 * reads back different. */
static int round_trip(const mc_entry *e)
{
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    if (!f)
        return MC_ENOMEM;
    fprintf(f, "[%s]\n", e->section);
    int r = write_entry(f, e);
    if (fclose(f) != 0)
        r = MC_ENOMEM;
    mc_config *back = r == MC_OK ? mc_config_alloc() : NULL;
    if (r == MC_OK && !back)
        r = MC_ENOMEM;
    if (r == MC_OK) {
        mc_error ignored = {0};
        r = mc_config_read_string(back, text, "config.ini", &ignored);
        const mc_entry *b = r == MC_OK ? mc_config_find(back, e->section, e->key) : NULL;
        if (r != MC_ENOMEM && (!b || strcmp(b->value, e->value) != 0))
            r = MC_ECONFIG;
    }
    mc_config_free(back);
    free(text);
    return r;
}

int mc_config_check_writable(const mc_config *c, mc_error *err)
{
    for (size_t i = 0; i < c->n; i++) {
        const mc_entry *e = &c->entries[i];
        int r = round_trip(e);
        if (r == MC_OK)
            continue;
        char where[256];
        mc_origin_format(where, sizeof where, &e->origin, e->section, e->key);
        const char *why = unwritable(e->value);
        if (r == MC_ENOMEM)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        if (why)
            return mc_error_set(err, MC_ECONFIG, "%s: the value %s, so config.ini could not "
                                "repeat this run", where, why);
        if (r == MC_ERANGE)
            return mc_error_set(err, MC_ECONFIG,
                                "%s: a value of %zu characters does not fit config.ini, whose "
                                "lines hold at most %d characters ('%s = ' included; a list "
                                "folds only at ', '): shorten it",
                                where, strlen(e->value), INIH_LINE_MAX - 2, e->key);
        return mc_error_set(err, MC_ECONFIG,
                            "%s: the value '%.80s' would not read back the same from config.ini",
                            where, e->value);
    }
    return MC_OK;
}
