/* freqtable.c - word-frequency tables (see freqtable.h). */
#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "collapse/config.h"
#include "freqtable.h"
#include "io/textfile.h"
#include "io/utf8.h"

void mc_freqtable_free(mc_freqtable *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        free(t->words[i]);
    free(t->words);
    free(t->counts);
    memset(t, 0, sizeof *t);
}

static int push(mc_freqtable *t, size_t *cap, const char *w, size_t wlen, double c)
{
    if (t->n == *cap) {
        size_t nc = *cap ? 2 * *cap : 1024;
        char **ws = realloc(t->words, nc * sizeof *ws);
        if (!ws)
            return MC_ENOMEM;
        t->words = ws;
        double *cs = realloc(t->counts, nc * sizeof *cs);
        if (!cs)
            return MC_ENOMEM;
        t->counts = cs;
        *cap = nc;
    }
    char *d = malloc(wlen + 1);
    if (!d)
        return MC_ENOMEM;
    memcpy(d, w, wlen);
    d[wlen] = '\0';
    t->words[t->n] = d;
    t->counts[t->n] = c;
    t->n++;
    return MC_OK;
}

/* Whether the word w (n bytes) is printable UTF-8 text: JSON files and terminals take it as it
 * is. Otherwise an error naming where (file:line, or file: entry i) and the byte. */
static int check_word(const char *w, size_t n, const char *where, mc_error *err)
{
    const char *why = NULL;
    size_t bad = mc_text_check(w, n, NULL, &why);
    if (bad < n)
        return mc_error_set(err, MC_EDATA, "%s: the word has %s at its byte %zu (words must be "
                            "printable UTF-8 text)", where, why, bad + 1);
    return MC_OK;
}

static int read_json(const char *path, const char *text, mc_freqtable *t, mc_error *err)
{
    cJSON *root = cJSON_Parse(text);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        int line = 1;
        for (const char *p = text; at && p < at; p++)
            line += *p == '\n';
        return mc_error_set(err, MC_EDATA, "%s:%d: malformed JSON", path, line);
    }
    if (!cJSON_IsArray(root)) {
        cJSON_Delete(root);
        return mc_error_set(err, MC_EDATA,
                            "%s: expected a JSON list of {\"word\": ..., \"count\": ...} objects",
                            path);
    }
    size_t cap = 0, i = 0;
    int status = MC_OK;
    cJSON *it;
    cJSON_ArrayForEach(it, root)
    {
        cJSON *w = cJSON_GetObjectItemCaseSensitive(it, "word");
        cJSON *c = cJSON_GetObjectItemCaseSensitive(it, "count");
        char where[64 + 4096];
        snprintf(where, sizeof where, "%s: entry %zu", path, i + 1);
        if (!cJSON_IsString(w) || !cJSON_IsNumber(c)) {
            status = mc_error_set(err, MC_EDATA, "%s: expected {\"word\": string, \"count\": "
                                  "number}", where);
            break;
        }
        if ((status = check_word(w->valuestring, strlen(w->valuestring), where, err)) != MC_OK)
            break;
        if (!isfinite(c->valuedouble)) { /* the JSON reader turns 1e400 into inf */
            status = mc_error_set(err, MC_EDATA, "%s (\"%s\"): count out of range (above %g)",
                                  where, w->valuestring, DBL_MAX);
            break;
        }
        if (!(c->valuedouble >= 0)) {
            status = mc_error_set(err, MC_EDATA, "%s (\"%s\"): count %g is negative",
                                  where, w->valuestring, c->valuedouble);
            break;
        }
        if (c->valuedouble > 0 &&
            push(t, &cap, w->valuestring, strlen(w->valuestring), c->valuedouble) != MC_OK) {
            status = mc_error_set(err, MC_ENOMEM, "%s: out of memory", path);
            break;
        }
        i++;
    }
    cJSON_Delete(root);
    return status;
}

/* How a count field reads. */
enum { COUNT_OK, COUNT_NOT_NUMBER, COUNT_TOO_BIG, COUNT_TOO_SMALL, COUNT_HEADER_WORD };

/* Parses a count: a decimal number ("12", "3.5", "1e6"; no hex, nan or inf). A field that does
 * not look like a number at all (it starts with a letter, holds no digit, and is no spelling of
 * nan or inf: "count", "FREQcount") is COUNT_HEADER_WORD, which only a header line may have. */
static int parse_count(const char *num, double *c)
{
    char *end;
    errno = 0;
    double v = strtod(num, &end);
    int decimal = *num && strspn(num, "0123456789.eE+-") == strlen(num);
    if (end == num && isalpha((unsigned char)*num) && !strpbrk(num, "0123456789"))
        return COUNT_HEADER_WORD;
    if (!decimal || *end || end == num)
        return COUNT_NOT_NUMBER;
    if (errno == ERANGE || !isfinite(v))
        return fabs(v) > 1 ? COUNT_TOO_BIG : COUNT_TOO_SMALL;
    *c = v;
    return COUNT_OK;
}

/* The error for a count that is not COUNT_OK. */
static int count_error(const char *path, int line, const char *num, int kind, mc_error *err)
{
    if (kind == COUNT_TOO_BIG)
        return mc_error_set(err, MC_EDATA, "%s:%d: count %s is out of range (above %g)", path,
                            line, num, DBL_MAX);
    if (kind == COUNT_TOO_SMALL)
        return mc_error_set(err, MC_EDATA, "%s:%d: count %s is out of range (a positive count "
                            "must be at least %g)", path, line, num, DBL_MIN);
    return mc_error_set(err, MC_EDATA, "%s:%d: count '%s' is not a number", path, line, num);
}

/* Word,count or word<TAB>count lines. The first line that is not blank or a comment is a header
 * when its count field does not look like a number at all (parse_count); any other count that
 * does not parse is an error on its line, so that a typo ("1O") never hides a row. */
static int read_delimited(const char *path, char *text, mc_freqtable *t, mc_error *err)
{
    size_t cap = 0;
    int line = 0, first = 1;
    char *p = text;
    while (p && *p) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = '\0';
        line++;
        char *s = p;
        p = nl ? nl + 1 : NULL;
        size_t len = strlen(s);
        while (len && (s[len - 1] == '\r' || isspace((unsigned char)s[len - 1])))
            s[--len] = '\0';
        char *start = s;
        while (isspace((unsigned char)*s) && *s != '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        const char *why = NULL;
        size_t bad = mc_text_check(s, strlen(s), "\t", &why);
        if (bad < strlen(s))
            return mc_error_set(err, MC_EDATA, "%s:%d: %s at byte %zu (words must be printable "
                                "UTF-8 text)", path, line, why, (size_t)(s - start) + bad + 1);
        char *sep = strchr(s, '\t');
        if (!sep)
            sep = strrchr(s, ',');
        if (!sep)
            return mc_error_set(err, MC_EDATA, "%s:%d: expected 'word,count' or 'word<TAB>count'",
                                path, line);
        *sep = '\0';
        const char *word = s, *num = sep + 1;
        while (isspace((unsigned char)*num))
            num++;
        size_t wl = strlen(word);
        if (wl >= 2 && word[0] == '"' && word[wl - 1] == '"') {
            word++;
            wl -= 2;
        }
        int header = first;
        first = 0;
        double c = 0;
        int kind = parse_count(num, &c);
        if (kind == COUNT_HEADER_WORD && header)
            continue;
        if (kind != COUNT_OK)
            return count_error(path, line, num, kind, err);
        if (c < 0)
            return mc_error_set(err, MC_EDATA, "%s:%d: count %s is negative", path, line, num);
        if (wl == 0)
            return mc_error_set(err, MC_EDATA, "%s:%d: empty word", path, line);
        if (c > 0 && push(t, &cap, word, wl, c) != MC_OK)
            return mc_error_set(err, MC_ENOMEM, "%s: out of memory", path);
    }
    return MC_OK;
}

typedef struct ranked {
    double c;
    size_t i;
} ranked;

static int by_count_desc(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->c != y->c)
        return x->c < y->c ? 1 : -1;
    return (x->i > y->i) - (x->i < y->i);
}

static int by_word(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

int mc_freqtable_read(const char *path, size_t top, mc_freqtable *out, mc_error *err)
{
    memset(out, 0, sizeof *out);
    size_t len;
    char *text;
    int rc = mc_read_text(path, &text, &len, err);
    if (rc != MC_OK)
        return rc;
    const char *ext = strrchr(path, '.');
    int status = (ext && strcmp(ext, ".json") == 0) ? read_json(path, text, out, err)
                                                    : read_delimited(path, text, out, err);
    free(text);
    if (status == MC_OK && out->n == 0)
        status = mc_error_set(err, MC_EDATA, "%s: no words with a positive count", path);
    /* duplicates */
    if (status == MC_OK) {
        char ***idx = malloc(out->n * sizeof *idx);
        if (!idx)
            status = mc_error_set(err, MC_ENOMEM, "out of memory");
        for (size_t i = 0; idx && i < out->n; i++)
            idx[i] = &out->words[i];
        if (idx) {
            qsort(idx, out->n, sizeof *idx, by_word);
            for (size_t i = 1; i < out->n; i++)
                if (strcmp(*idx[i], *idx[i - 1]) == 0) {
                    status = mc_error_set(err, MC_EDATA, "%s: word '%s' appears twice", path,
                                          *idx[i]);
                    break;
                }
            free(idx);
        }
    }
    if (status == MC_OK && top > 0 && top < out->n) {
        ranked *r = malloc(out->n * sizeof *r);
        if (!r) {
            status = mc_error_set(err, MC_ENOMEM, "out of memory");
        } else {
            for (size_t i = 0; i < out->n; i++)
                r[i] = (ranked){out->counts[i], i};
            qsort(r, out->n, sizeof *r, by_count_desc);
            char **keep = malloc(top * sizeof *keep);
            double *kc = malloc(top * sizeof *kc);
            if (!keep || !kc) {
                free(keep);
                free(kc);
                status = mc_error_set(err, MC_ENOMEM, "out of memory");
            } else {
                for (size_t i = 0; i < top; i++) {
                    keep[i] = out->words[r[i].i];
                    kc[i] = r[i].c;
                    out->words[r[i].i] = NULL;
                }
                for (size_t i = 0; i < out->n; i++)
                    free(out->words[i]);
                free(out->words);
                free(out->counts);
                out->words = keep;
                out->counts = kc;
                out->n = top;
            }
            free(r);
        }
    }
    if (status != MC_OK)
        mc_freqtable_free(out);
    return status;
}
