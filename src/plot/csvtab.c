/* csvtab.c - RFC 4180 reader for the run directory's small CSV files (NAME.csv, or NAME.csv.gz
 * when only that is there). See csvtab.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csvtab.h"
#include <unistd.h>
#include "io/gz.h"
#include "io/textfile.h"

/* Growable array of strings. */
typedef struct strvec {
    char **v;
    size_t n, cap;
} strvec;

static int strvec_push(strvec *s, char *str)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        char **p = realloc(s->v, cap * sizeof *p);
        if (!p)
            return MC_ENOMEM;
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = str;
    return MC_OK;
}

/* Parses one field starting at *p (after a separator or a line start) into a new string;
 * leaves *p on the separator, the line end or the terminating NUL. */
static int parse_field(const char **p, long line, const char *path, char **out, mc_error *err)
{
    const char *s = *p;
    size_t cap = 16, n = 0;
    char *f = malloc(cap);
    if (!f)
        return mc_error_set(err, MC_ENOMEM, "%s: out of memory", path);
    int quoted = (*s == '"');
    if (quoted)
        s++;
    for (;;) {
        char c = *s;
        if (quoted) {
            if (c == '\0') {
                free(f);
                return mc_error_set(err, MC_EDATA, "%s:%ld: unterminated quoted field", path, line);
            }
            if (c == '"') {
                if (s[1] == '"') {
                    s += 2;
                } else {
                    s++;
                    if (*s != ',' && *s != '\n' && *s != '\r' && *s != '\0') {
                        free(f);
                        return mc_error_set(err, MC_EDATA,
                                            "%s:%ld: text after the closing quote of a field", path,
                                            line);
                    }
                    break;
                }
            } else {
                s++;
            }
        } else {
            if (c == ',' || c == '\n' || c == '\r' || c == '\0')
                break;
            if (c == '"') {
                free(f);
                return mc_error_set(err, MC_EDATA, "%s:%ld: quote inside an unquoted field", path,
                                    line);
            }
            s++;
        }
        if (n + 2 > cap) {
            char *q = realloc(f, cap * 2);
            if (!q) {
                free(f);
                return mc_error_set(err, MC_ENOMEM, "%s: out of memory", path);
            }
            f = q;
            cap *= 2;
        }
        f[n++] = c;
    }
    f[n] = '\0';
    *p = s;
    *out = f;
    return MC_OK;
}

int mc_csvtab_read(const char *path, mc_csvtab **out, mc_error *err)
{
    *out = NULL;
    size_t len;
    char *text;
    char gz[4096];
    snprintf(gz, sizeof gz, "%s.gz", path); /* output.compress = gzip wrote NAME.csv.gz */
    if (access(path, F_OK) != 0 && access(gz, F_OK) == 0)
        path = gz; /* messages below name the file read */
    int rc = path == gz ? mc_gz_read_text(gz, &text, &len, err)
                        : mc_read_text(path, &text, &len, err);
    if (rc != MC_OK)
        return rc;
    strvec cells = {0};
    size_t ncols = 0, nrows = 0, row_fields = 0;
    long line = 1;
    int st = MC_OK;
    const char *p = text;
    while (*p && st == MC_OK) {
        char *field = NULL;
        st = parse_field(&p, line, path, &field, err);
        if (st != MC_OK)
            break;
        st = strvec_push(&cells, field);
        if (st != MC_OK) {
            free(field);
            mc_error_set(err, st, "%s: out of memory", path);
            break;
        }
        row_fields++;
        if (*p == ',') {
            p++;
            continue;
        }
        /* end of a row */
        if (nrows == 0)
            ncols = row_fields;
        else if (row_fields != ncols)
            st = mc_error_set(err, MC_EDATA, "%s:%ld: %zu fields, but the header has %zu", path,
                              line, row_fields, ncols);
        nrows++;
        row_fields = 0;
        if (*p == '\r')
            p++;
        if (*p == '\n')
            p++;
        line++;
    }
    free(text);
    if (st == MC_OK && nrows == 0)
        st = mc_error_set(err, MC_EDATA, "%s: empty CSV file (no header)", path);
    if (st != MC_OK) {
        for (size_t i = 0; i < cells.n; i++)
            free(cells.v[i]);
        free(cells.v);
        return st;
    }
    mc_csvtab *t = malloc(sizeof *t);
    if (!t) {
        for (size_t i = 0; i < cells.n; i++)
            free(cells.v[i]);
        free(cells.v);
        return mc_error_set(err, MC_ENOMEM, "%s: out of memory", path);
    }
    t->nrows = nrows - 1;
    t->ncols = ncols;
    t->cell = cells.v;
    *out = t;
    return MC_OK;
}

void mc_csvtab_free(mc_csvtab *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < (t->nrows + 1) * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
    free(t);
}

long mc_csvtab_column(const mc_csvtab *t, const char *name)
{
    for (size_t c = 0; c < t->ncols; c++)
        if (strcmp(t->cell[c], name) == 0)
            return (long)c;
    return -1;
}

const char *mc_csvtab_get(const mc_csvtab *t, size_t r, size_t c)
{
    return t->cell[(r + 1) * t->ncols + c];
}
