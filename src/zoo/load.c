/* load.c - a zoo entry from its built-in file: the experiment, and its [zoo] section parsed
 * into the checks (include/collapse/zoo.h gives the syntax).
 *
 * The file is split at its "[zoo]" line: the text above is the experiment (read as a preset,
 * so line numbers are the file's), the text from there on is read as a configuration of its
 * own, with the experiment's lines blanked so that its line numbers are the file's too.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"
#include "collapse/zoo.h"

const mc_preset *mc_zoo_lookup(const char *name)
{
    for (size_t k = 0; k < mc_zoo_npresets; k++)
        if (strcmp(mc_zoo_presets[k].name, name) == 0)
            return &mc_zoo_presets[k];
    return NULL;
}

static int unknown_entry(const char *name, mc_error *err)
{
    const char *names[256];
    size_t n = 0;
    for (size_t i = 0; i < mc_zoo_npresets && n < 256; i++)
        names[n++] = mc_zoo_presets[i].name;
    const char *near = mc_did_you_mean(name, names, n);
    return mc_error_set(err, MC_EUSAGE, "unknown zoo entry '%s'%s%s%s (`collapse zoo` lists them)",
                        name, near ? " (did you mean '" : "", near ? near : "", near ? "'?)" : "");
}

/* Where the [zoo] section starts in text (its line's first byte), or NULL. */
static const char *zoo_section(const char *text)
{
    for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, "[zoo]", 5) == 0)
            return p;
    return NULL;
}

static char *trimmed(const char *s, size_t len)
{
    while (len && isspace((unsigned char)*s))
        s++, len--;
    while (len && isspace((unsigned char)s[len - 1]))
        len--;
    char *t = malloc(len + 1);
    if (t) {
        memcpy(t, s, len);
        t[len] = '\0';
    }
    return t;
}

static int bad(const char *where, mc_error *err, const char *what, const char *text)
{
    return mc_error_set(err, MC_ECONFIG, "%s: %s in '%s' (expected METRIC at G | point N | "
                        "= theory|= X|<= X|>= X | z Z[, rel R] | SOURCE)", where, what, text);
}

/* "= theory", "<= 1.64", "= 0.5" */
static int parse_expected(mc_zoo_check *c, const char *f, mc_error *err, const char *text)
{
    c->op = MC_ZOO_EQUAL;
    if (!strncmp(f, "<=", 2) || !strncmp(f, ">=", 2)) {
        c->op = f[0] == '<' ? MC_ZOO_AT_MOST : MC_ZOO_AT_LEAST;
        f += 2;
    } else if (f[0] == '=') {
        f += 1;
    } else {
        return bad(c->where, err, "no comparison", text);
    }
    while (isspace((unsigned char)*f))
        f++;
    c->theory = strcmp(f, "theory") == 0;
    if (!c->theory && (mc_parse_double(f, &c->value) != MC_OK || !isfinite(c->value)))
        return bad(c->where, err, "the expected value is neither 'theory' nor a number", text);
    return MC_OK;
}

/* "z 4" or "z 4, rel 0.02" */
static int parse_tolerance(mc_zoo_check *c, const char *f, mc_error *err, const char *text)
{
    int at = -1, at2 = -1;
    const char *rest = NULL;
    if (sscanf(f, "z %lf%n", &c->z_max, &at) == 1 && at > 0) {
        rest = f + at;
        if (sscanf(rest, " , rel %lf%n", &c->rel, &at2) == 1 && at2 > 0)
            rest += at2;
        while (isspace((unsigned char)*rest))
            rest++;
    }
    if (!rest || *rest || !(c->z_max > 0) || c->z_max > 100 || !(c->rel >= 0) || !isfinite(c->rel))
        return bad(c->where, err, "the tolerance is not 'z Z' or 'z Z, rel R' (Z in (0, 100], "
                   "R >= 0)", text);
    return MC_OK;
}

/* "METRIC at G" or "METRIC q95 at G" into metric (128 bytes), c->stat and c->generation. */
static int parse_quantity(mc_zoo_check *c, const char *f, char *metric)
{
    static const char *const stats[] = {"q05", "q50", "q95"};
    char word[8] = "", extra[8] = "";
    c->stat = MC_ZOO_MEAN;
    if (sscanf(f, "%127s at %ld %7s", metric, &c->generation, extra) == 2)
        return c->generation >= 0 ? MC_OK : MC_ECONFIG;
    if (sscanf(f, "%127s %7s at %ld %7s", metric, word, &c->generation, extra) != 3 ||
        c->generation < 0)
        return MC_ECONFIG;
    for (int k = 0; k < 3; k++)
        if (strcmp(word, stats[k]) == 0)
            c->stat = MC_ZOO_Q05 + k;
    return c->stat == MC_ZOO_MEAN ? MC_ECONFIG : MC_OK;
}

static int parse_check(mc_zoo_check *c, const char *text, mc_error *err)
{
    char *f[5] = {0};
    const char *p = text;
    int nf = 0, r = MC_OK;
    for (; nf < 5 && p; nf++) {
        const char *bar = nf < 4 ? strchr(p, '|') : NULL;
        f[nf] = trimmed(p, bar ? (size_t)(bar - p) : strlen(p));
        p = bar ? bar + 1 : NULL;
    }
    char metric[128], extra[8] = "";
    long point = -1;
    c->stat = MC_ZOO_MEAN;
    c->rel = 0;
    if (nf < 5 || !f[4] || !f[4][0])
        r = bad(c->where, err, "five fields are needed", text);
    else if (parse_quantity(c, f[0], metric) != MC_OK)
        r = bad(c->where, err, "the quantity is not 'METRIC at G' or 'METRIC q05|q50|q95 at G'",
                text);
    else if (sscanf(f[1], "point %ld %7s", &point, extra) != 1 || point < 0)
        r = bad(c->where, err, "the point is not 'point N'", text);
    else if ((r = parse_expected(c, f[2], err, text)) == MC_OK &&
             (r = parse_tolerance(c, f[3], err, text)) == MC_OK) {
        c->point = (size_t)point;
        c->metric = strdup(metric);
        c->source = f[4];
        f[4] = NULL;
        if (!c->metric)
            r = mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    for (int i = 0; i < 5; i++)
        free(f[i]);
    return r;
}

static int text_key(const mc_config *meta, const char *key, char **out, const char *name,
                    mc_error *err)
{
    const mc_entry *e = mc_config_find(meta, "zoo", key);
    if (!e)
        return mc_error_set(err, MC_ECONFIG, "zoo %s: [zoo] %s is missing", name, key);
    if (!(*out = strdup(e->value)))
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    return MC_OK;
}

/* The [zoo] keys: the texts, then check_1, check_2, ... up to the first missing. Any other key
 * is refused, naming its line. */
static int parse_meta(mc_zoo *z, const mc_config *meta, mc_error *err)
{
    static const char *const texts[] = {"paper", "result", "setup", "compared", "quick"};
    char **dst[] = {&z->paper, &z->result, &z->setup, &z->compared, &z->quick};
    int r = MC_OK;
    for (size_t i = 0; r == MC_OK && i < 5; i++)
        r = text_key(meta, texts[i], dst[i], z->name, err);
    for (size_t k = 1; r == MC_OK; k++) {
        char key[32], where[256];
        snprintf(key, sizeof key, "check_%zu", k);
        const mc_entry *e = mc_config_find(meta, "zoo", key);
        if (!e)
            break;
        mc_zoo_check *grown = realloc(z->checks, sizeof *grown * k);
        if (!grown)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        z->checks = grown;
        mc_zoo_check *c = &z->checks[k - 1];
        memset(c, 0, sizeof *c);
        z->nchecks = k;
        mc_origin_format(where, sizeof where, &e->origin, "zoo", key);
        if (!(c->where = strdup(where)))
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        r = parse_check(c, e->value, err);
    }
    if (r == MC_OK && z->nchecks == 0)
        r = mc_error_set(err, MC_ECONFIG, "zoo %s: [zoo] has no check_1", z->name);
    for (size_t i = 0; r == MC_OK && i < meta->n; i++) {
        const mc_entry *e = &meta->entries[i];
        int known = 0;
        size_t k = 0;
        char tail[8] = "";
        for (size_t t = 0; t < 5; t++)
            known |= strcmp(e->key, texts[t]) == 0;
        if (sscanf(e->key, "check_%zu%7s", &k, tail) == 1 && k >= 1 && k <= z->nchecks)
            known = 1;
        if (!known || strcmp(e->section, "zoo") != 0) {
            char where[256];
            r = mc_error_set(err, MC_ECONFIG, "%s: not a zoo key (paper, result, setup, "
                             "compared, quick, check_1, check_2, ... without gaps)",
                             mc_origin_format(where, sizeof where, &e->origin, e->section,
                                              e->key));
        }
    }
    return r;
}

/* The quick overrides: space-separated section.key=value (no spaces inside one). */
static int layer_quick(mc_config *c, const char *quick, mc_error *err)
{
    char *copy = strdup(quick), *save = NULL;
    if (!copy)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = MC_OK;
    for (char *t = strtok_r(copy, " \t", &save); t && r == MC_OK; t = strtok_r(NULL, " \t", &save))
        r = mc_config_override(c, t, err);
    free(copy);
    return r;
}

/* The experiment part of the text and the [zoo] part with the experiment's lines blanked. */
static int read_parts(mc_zoo *z, const mc_preset *p, mc_config *meta, mc_error *err)
{
    const char *at = zoo_section(p->text);
    if (!at)
        return mc_error_set(err, MC_ECONFIG, "zoo %s: no [zoo] section", p->name);
    size_t head = (size_t)(at - p->text), lines = 0;
    char *exp = malloc(head + 1), *tail = malloc(strlen(p->text) + 1);
    if (!exp || !tail) {
        free(exp);
        free(tail);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    memcpy(exp, p->text, head);
    exp[head] = '\0';
    for (size_t i = 0; i < head; i++)
        if (p->text[i] == '\n')
            tail[lines++] = '\n';
    strcpy(tail + lines, at);
    char origin[128];
    snprintf(origin, sizeof origin, "zoo %s", p->name);
    int r = mc_config_read_string(z->config, exp, origin, err);
    if (r == MC_OK)
        r = mc_config_read_string(meta, tail, origin, err);
    free(exp);
    free(tail);
    return r;
}

int mc_zoo_load(const char *name, int quick, const char *const *overrides, size_t n,
                mc_zoo **out, mc_error *err)
{
    const mc_preset *p = mc_zoo_lookup(name);
    if (!p)
        return unknown_entry(name, err);
    return mc_zoo_load_preset(p, quick, overrides, n, out, err);
}

int mc_zoo_load_preset(const mc_preset *p, int quick, const char *const *overrides, size_t n,
                       mc_zoo **out, mc_error *err)
{
    const char *name = p->name;
    mc_zoo *z = calloc(1, sizeof *z);
    mc_config *meta = mc_config_alloc();
    if (!z || !meta || !(z->name = strdup(name)) || !(z->config = mc_config_alloc())) {
        mc_config_free(meta);
        mc_zoo_free(z);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    int r = read_parts(z, p, meta, err);
    if (r == MC_OK)
        r = parse_meta(z, meta, err);
    char run_name[160];
    snprintf(run_name, sizeof run_name, "zoo-%s", name);
    mc_origin o = {"zoo", 0};
    if (r == MC_OK && !mc_config_find(z->config, "run", "name"))
        r = mc_config_set(z->config, "run", "name", run_name, o, err);
    if (r == MC_OK && quick)
        r = layer_quick(z->config, z->quick, err);
    for (size_t i = 0; r == MC_OK && i < n; i++)
        r = mc_config_override(z->config, overrides[i], err);
    mc_config_free(meta);
    if (r != MC_OK) {
        mc_zoo_free(z);
        return r;
    }
    *out = z;
    return MC_OK;
}

void mc_zoo_free(mc_zoo *z)
{
    if (!z)
        return;
    for (size_t i = 0; i < z->nchecks; i++) {
        free(z->checks[i].metric);
        free(z->checks[i].source);
        free(z->checks[i].where);
    }
    free(z->checks);
    free(z->name);
    free(z->paper);
    free(z->result);
    free(z->setup);
    free(z->compared);
    free(z->quick);
    mc_config_free(z->config);
    free(z);
}
