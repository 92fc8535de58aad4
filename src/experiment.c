/* experiment.c - resolving a configuration into grid points.
 *
 * Order of work (every error is reported before anything runs):
 *   1. sections are checked against the known ones;
 *   2. model.family and regime.name are split into their alternatives and looked up;
 *   3. every key is checked against the engine's table and those of the families and regimes in
 *      use (a key of another family gets a message saying so, others a did-you-mean);
 *   4. every value is split into its alternatives (grid axes) and each alternative is parsed;
 *   5. defaults are added, so the configuration written with the results is complete;
 *   6. each point of the grid is parsed into its settings, checked by its family, its world is
 *      created (or shared with points of the same [world]) and its memory need is checked.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_errno.h>
#include "collapse.h"
#include "experiment_internal.h"
#include "io/grid_values.h"

static const char *const known_sections[] = {"world", "model", "regime", "sampling", "metrics",
                                             "run", "output"};
#define NSECTIONS (sizeof known_sections / sizeof *known_sections)

/* ---- key universe ---------------------------------------------------------------------- */

typedef struct keyref {
    const mc_key *key;
    int owner; /* 0 engine, 1 family, 2 regime */
} keyref;

static const mc_key *table_find(const mc_key *t, const char *section, const char *name)
{
    for (; t && t->name; t++)
        if (strcmp(t->section, section) == 0 && strcmp(t->name, name) == 0)
            return t;
    return NULL;
}

typedef struct selection {
    const mc_family_type *fam[64];
    size_t nfam;
    const mc_regime_type *reg[64];
    size_t nreg;
} selection;

static const mc_key *universe_find(const selection *s, const char *section, const char *name)
{
    const mc_key *k = table_find(mc_engine_keys, section, name);
    for (size_t i = 0; !k && i < s->nfam; i++)
        k = table_find(s->fam[i]->keys, section, name);
    for (size_t i = 0; !k && i < s->nreg; i++)
        k = table_find(s->reg[i]->keys, section, name);
    return k;
}

static int unknown_key(const selection *s, const mc_entry *e, mc_error *err)
{
    char where[256];
    mc_origin_format(where, sizeof where, &e->origin, e->section, e->key);
    /* a key of a family or regime that this configuration does not use? */
    for (size_t i = 0; mc_families[i]; i++)
        if (table_find(mc_families[i]->keys, e->section, e->key))
            return mc_error_set(err, MC_ECONFIG,
                                "%s: this key belongs to model.family = %s, which this "
                                "configuration does not use",
                                where, mc_families[i]->name);
    for (size_t i = 0; mc_regimes[i]; i++)
        if (table_find(mc_regimes[i]->keys, e->section, e->key))
            return mc_error_set(err, MC_ECONFIG,
                                "%s: this key belongs to regime.name = %s, which this "
                                "configuration does not use",
                                where, mc_regimes[i]->name);
    const char *cands[512];
    size_t nc = 0;
    const mc_key *tables[130];
    size_t nt = 0;
    tables[nt++] = mc_engine_keys;
    for (size_t i = 0; i < s->nfam; i++)
        tables[nt++] = s->fam[i]->keys;
    for (size_t i = 0; i < s->nreg; i++)
        tables[nt++] = s->reg[i]->keys;
    for (size_t t = 0; t < nt; t++)
        for (const mc_key *k = tables[t]; k && k->name && nc < 512; k++)
            if (strcmp(k->section, e->section) == 0)
                cands[nc++] = k->name;
    const char *near = mc_did_you_mean(e->key, cands, nc);
    if (near)
        return mc_error_set(err, MC_ECONFIG, "%s: unknown key (did you mean '%s'?)", where, near);
    char list[600] = "";
    for (size_t i = 0; i < nc; i++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", cands[i]);
    }
    return mc_error_set(err, MC_ECONFIG, "%s: unknown key (keys of [%s]: %s)", where, e->section,
                        nc ? list : "none");
}

/* ---- experiment lifetime --------------------------------------------------------------- */

void mc_experiment_free(mc_experiment *e)
{
    if (!e)
        return;
    for (size_t i = 0; i < e->npoints; i++) {
        mc_point *p = &e->points[i];
        free(p->choice);
        free(p->label);
        free(p->params);
        free(p->regime_params);
        free(p->schedule);
        mc_metric_list_free(&p->metrics);
    }
    free(e->points);
    for (size_t i = 0; i < e->nworlds; i++) {
        if (e->worlds[i].world && e->worlds[i].family->world_free)
            e->worlds[i].family->world_free(e->worlds[i].world);
        free(e->worlds[i].key);
    }
    free(e->worlds);
    for (size_t a = 0; a < e->naxes; a++) {
        free(e->axes[a].section);
        free(e->axes[a].key);
        mc_strings_free(e->axes[a].values, e->axes[a].nvalues);
    }
    free(e->axes);
    free(e->name);
    mc_config_free(e->config);
    free(e);
}

static int is_known_section(const char *s)
{
    for (size_t i = 0; i < NSECTIONS; i++)
        if (strcmp(s, known_sections[i]) == 0)
            return 1;
    return 0;
}

/* Plug-in tables seen through one interface, so families and regimes are selected alike. */
static const void *family_at(size_t i) { return mc_families[i]; }
static const char *family_name(const void *t) { return ((const mc_family_type *)t)->name; }
static const void *regime_at(size_t i) { return mc_regimes[i]; }
static const char *regime_name(const void *t) { return ((const mc_regime_type *)t)->name; }

/* Splits the value of section.key (a plug-in name or a grid of them) and looks each up in the
 * table (at, name); unknown names get a did-you-mean or the list of known ones. */
static int select_plugin(const mc_config *c, const char *section, const char *key,
                         const char *dflt, const char *what, const void *(*at)(size_t),
                         const char *(*name)(const void *), const void **out, size_t *nout,
                         mc_error *err)
{
    const mc_entry *e = mc_config_find(c, section, key);
    mc_origin none = {NULL, 0};
    char where[256];
    mc_origin_format(where, sizeof where, e ? &e->origin : &none, section, key);
    char **v = NULL;
    int n = mc_split_alternatives(e ? e->value : dflt, MC_KEY_STRING, &v, err);
    if (n < 0)
        return mc_error_prefix(err, "%s: ", where);
    int r = MC_OK;
    for (int i = 0; r == MC_OK && i < n; i++) {
        const void *found = NULL;
        const char *names[64];
        size_t nn = 0;
        char list[512] = "";
        for (size_t j = 0; at(j) && nn < 64; j++) {
            names[nn++] = name(at(j));
            if (strcmp(name(at(j)), v[i]) == 0)
                found = at(j);
            size_t l = strlen(list);
            snprintf(list + l, sizeof list - l, "%s%s", j ? ", " : "", name(at(j)));
        }
        if (found) {
            if (*nout < 64)
                out[(*nout)++] = found;
            continue;
        }
        const char *near = mc_did_you_mean(v[i], names, nn);
        r = near ? mc_error_set(err, MC_ECONFIG, "%s: unknown %s '%s' (did you mean '%s'?)",
                                where, what, v[i], near)
                 : mc_error_set(err, MC_ECONFIG, "%s: unknown %s '%s' (known: %s)", where, what,
                                v[i], list);
    }
    mc_strings_free(v, (size_t)n);
    return r;
}

static int select_plugins(mc_config *c, selection *s, mc_error *err)
{
    int r = select_plugin(c, "model", "family", mc_default_family, "family", family_at, family_name,
                          (const void **)s->fam, &s->nfam, err);
    if (r == MC_OK)
        r = select_plugin(c, "regime", "name", mc_default_regime, "regime", regime_at, regime_name,
                          (const void **)s->reg, &s->nreg, err);
    return r;
}

/* Adds every key of table t that has a default and is not set, with origin "default". */
static int add_defaults(mc_config *c, const mc_key *t, mc_error *err)
{
    mc_origin o = {"default", 0};
    for (; t && t->name; t++)
        if (t->dflt && !mc_config_find(c, t->section, t->name)) {
            int r = mc_config_set(c, t->section, t->name, t->dflt, o, err);
            if (r != MC_OK)
                return r;
        }
    return MC_OK;
}

/* 1. Every section is one the engine knows. */
static int check_sections(const mc_config *c, mc_error *err)
{
    for (size_t i = 0; i < c->n; i++) {
        const mc_entry *en = &c->entries[i];
        if (is_known_section(en->section))
            continue;
        char where[256];
        const char *near = mc_did_you_mean(en->section, known_sections, NSECTIONS);
        mc_origin_format(where, sizeof where, &en->origin, en->section, en->key);
        return near ? mc_error_set(err, MC_ECONFIG,
                                   "%s: unknown section [%s] (did you mean [%s]?)", where,
                                   en->section, near)
                    : mc_error_set(err, MC_ECONFIG,
                                   "%s: unknown section [%s] (sections: world, model, regime, "
                                   "sampling, metrics, run, output)",
                                   where, en->section);
    }
    return MC_OK;
}

/* Records section.key's alternatives alts[0..na) as a grid axis (takes alts). */
static int add_axis(mc_experiment *e, const mc_entry *en, char **alts, int na, mc_error *err)
{
    mc_axis *ax = realloc(e->axes, (e->naxes + 1) * sizeof *ax);
    if (!ax) {
        mc_strings_free(alts, (size_t)na);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    e->axes = ax;
    ax[e->naxes] = (mc_axis){strdup(en->section), strdup(en->key), alts, (size_t)na, en->origin};
    e->naxes++;
    return MC_OK;
}

/* A list given to a key that takes one value: said plainly (not "not a number"). The seed in
 * particular is not a grid axis: one seed already gives every (point, replicate) a stream of its
 * own, so more replicates, not more seeds, is what a sweep over seeds would add. */
static int not_an_axis(const mc_key *k, const mc_entry *en, const char *where, mc_error *err)
{
    if (k->kind == MC_KEY_LIST || !strchr(en->value, ',') || k->kind == MC_KEY_STRING)
        return MC_OK;
    int seed = strcmp(k->section, "run") == 0 && strcmp(k->name, "seed") == 0;
    return mc_error_set(err, MC_ECONFIG, "%s: '%s': %s.%s takes one value; it is not a grid "
                        "axis%s", where, en->value, k->section, k->name,
                        seed ? " (every replicate already draws a stream of its own from one "
                               "seed: raise run.replicates, or run once per seed)" : "");
}

/* 3. + 4. Entry en is a key of the engine or of a plug-in in use; its value splits into
 * alternatives (a grid axis when there are several), each of which parses (into scratch). */
static int parse_entry(mc_experiment *e, const selection *sel, const mc_entry *en, void *scratch,
                       mc_error *err)
{
    const mc_key *k = universe_find(sel, en->section, en->key);
    if (!k)
        return unknown_key(sel, en, err);
    char where[256];
    mc_origin_format(where, sizeof where, &en->origin, en->section, en->key);
    if (k->flags & MC_KEY_NO_GRID) {
        if (not_an_axis(k, en, where, err) != MC_OK)
            return MC_ECONFIG;
        return k->kind != MC_KEY_STRING && k->kind != MC_KEY_LIST
                   ? mc_key_parse(k, en->value, scratch, where, err)
                   : MC_OK;
    }
    char **alts = NULL, *value = NULL;
    int na = k->kind == MC_KEY_LIST ? mc_split_alternatives(en->value, k->kind, &alts, err)
             : mc_grid_expand(en->value, &value, err) != MC_OK
                 ? -1 : mc_split_alternatives(value, k->kind, &alts, err);
    free(value);
    if (na < 0)
        return mc_error_prefix(err, "%s: ", where);
    int r = MC_OK;
    for (int a = 0; r == MC_OK && a < na; a++)
        if (!(k->flags & MC_KEY_NAMES_FAMILY)) /* plug-in names: checked in select_plugins */
            r = mc_key_parse(k, alts[a], scratch, where, err);
    if (r == MC_OK && na > 1)
        return add_axis(e, en, alts, na, err);
    mc_strings_free(alts, (size_t)na);
    return r;
}

static int parse_entries(mc_experiment *e, const selection *sel, mc_error *err)
{
    size_t maxblock = sizeof(engine_params);
    for (size_t i = 0; i < sel->nfam; i++)
        if (sel->fam[i]->params_size > maxblock)
            maxblock = sel->fam[i]->params_size;
    for (size_t i = 0; i < sel->nreg; i++)
        if (sel->reg[i]->params_size > maxblock)
            maxblock = sel->reg[i]->params_size;
    void *scratch = calloc(1, maxblock);
    int r = scratch ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    for (size_t i = 0; r == MC_OK && i < e->config->n; i++)
        r = parse_entry(e, sel, &e->config->entries[i], scratch, err);
    free(scratch);
    return r;
}

/* 5. Defaults of the engine and the plug-ins in use, and the version that wrote the
 * configuration (this one), so that the configuration written back is complete. */
static int add_all_defaults(mc_config *c, const selection *sel, mc_error *err)
{
    int r = add_defaults(c, mc_engine_keys, err);
    for (size_t i = 0; r == MC_OK && i < sel->nfam; i++)
        r = add_defaults(c, sel->fam[i]->keys, err);
    for (size_t i = 0; r == MC_OK && i < sel->nreg; i++)
        r = add_defaults(c, sel->reg[i]->keys, err);
    mc_origin o = {"collapse", 0};
    return r == MC_OK ? mc_config_set(c, "run", "version", MC_VERSION, o, err) : r;
}

/* Point i's choice of each axis (the last axis varies fastest) and its label. */
static int point_choice(mc_experiment *e, mc_point *p, size_t i, mc_error *err)
{
    p->index = i;
    p->exp = e;
    p->choice = calloc(e->naxes ? e->naxes : 1, sizeof *p->choice);
    if (!p->choice)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    size_t rem = i;
    for (size_t a = e->naxes; a-- > 0;) {
        p->choice[a] = rem % e->axes[a].nvalues;
        rem /= e->axes[a].nvalues;
    }
    size_t len = 0, cap = 0;
    int r = MC_OK;
    for (size_t a = 0; r == MC_OK && a < e->naxes; a++) {
        char piece[512];
        snprintf(piece, sizeof piece, "%s%s.%s=%s", a ? "; " : "", e->axes[a].section,
                 e->axes[a].key, e->axes[a].values[p->choice[a]]);
        r = mc_append(&p->label, &len, &cap, piece);
    }
    if (r == MC_OK && !e->naxes)
        r = mc_append(&p->label, &len, &cap, e->name);
    return r == MC_OK ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
}

/* 6. The grid's points, each resolved. */
static int make_points(mc_experiment *e, mc_error *err)
{
    double np = 1;
    for (size_t a = 0; a < e->naxes; a++)
        np *= (double)e->axes[a].nvalues;
    if (np > 1e7)
        return mc_error_set(err, MC_ECONFIG, "the grid has %.3g points: more than 10^7", np);
    e->npoints = (size_t)np;
    e->points = calloc(e->npoints, sizeof *e->points);
    if (!e->points)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = MC_OK;
    for (size_t i = 0; r == MC_OK && i < e->npoints; i++) {
        mc_point *p = &e->points[i];
        r = point_choice(e, p, i, err);
        if (r == MC_OK)
            r = mc_point_resolve(e, p, err);
        if (r != MC_OK && e->npoints > 1 && err && !strstr(err->msg, "grid point"))
            mc_error_prefix(err, "grid point %zu (%s): ", i, p->label ? p->label : "");
    }
    return r;
}

int mc_experiment_prepare(mc_config *c, mc_experiment **out, mc_error *err)
{
    gsl_set_error_handler_off();
    *out = NULL;
    mc_experiment *e = calloc(1, sizeof *e);
    if (!e) {
        mc_config_free(c);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    e->config = c;
    const mc_entry *nm = mc_config_find(c, "run", "name");
    e->name = strdup(nm ? nm->value : c->name);
    int r = e->name ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    selection sel = {0};
    if (r == MC_OK)
        r = check_sections(c, err);
    if (r == MC_OK)
        r = select_plugins(c, &sel, err);
    if (r == MC_OK)
        r = parse_entries(e, &sel, err);
    if (r == MC_OK)
        r = add_all_defaults(c, &sel, err);
    if (r == MC_OK) /* config.ini must repeat the run: refuse now, not after the computing */
        r = mc_config_check_writable(c, err);
    if (r == MC_OK)
        r = make_points(e, err);
    if (r != MC_OK) {
        mc_experiment_free(e);
        return r;
    }
    *out = e;
    return MC_OK;
}
