/* freqtable.c - word-frequency tables (see freqtable.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "collapse/config.h"
#include "freqtable.h"
#include "io/textfile.h"

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
        if (!cJSON_IsString(w) || !cJSON_IsNumber(c)) {
            status = mc_error_set(err, MC_EDATA,
                                  "%s: entry %zu: expected {\"word\": string, \"count\": number}",
                                  path, i + 1);
            break;
        }
        if (!(c->valuedouble >= 0) || !isfinite(c->valuedouble)) {
            status = mc_error_set(err, MC_EDATA, "%s: entry %zu (\"%s\"): count %g is negative",
                                  path, i + 1, w->valuestring, c->valuedouble);
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

static int read_delimited(const char *path, char *text, mc_freqtable *t, mc_error *err)
{
    size_t cap = 0;
    int line = 0;
    char *save = NULL;
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
        while (isspace((unsigned char)*s) && *s != '\t')
            s++;
        if (!*s || *s == '#')
            continue;
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
        double c;
        if (mc_parse_double(num, &c) != MC_OK) {
            if (t->n == 0 && line == 1)
                continue; /* a header line */
            return mc_error_set(err, MC_EDATA, "%s:%d: count '%s' is not a number", path, line,
                                num);
        }
        if (c < 0)
            return mc_error_set(err, MC_EDATA, "%s:%d: count %s is negative", path, line, num);
        if (wl == 0)
            return mc_error_set(err, MC_EDATA, "%s:%d: empty word", path, line);
        if (c > 0 && push(t, &cap, word, wl, c) != MC_OK)
            return mc_error_set(err, MC_ENOMEM, "%s: out of memory", path);
    }
    (void)save;
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
