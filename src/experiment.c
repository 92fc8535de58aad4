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
#include "collapse/datapath.h"

static const char *const known_sections[] = {"world", "model", "regime", "sampling", "metrics",
                                             "run"};
#define NSECTIONS (sizeof known_sections / sizeof *known_sections)

/* The engine's parameter block. */
typedef struct engine_params {
    const char *family;
    const char *regime;
    double h;
    uint64_t n;
    double growth;
    double human_weight;
    const char *schedule;
    double temperature;
    long top_k;
    double top_p;
    double shrink;
    double truncate;
    long generations;
    long replicates;
    uint64_t seed;
    const char *version;
    const char *name;
} engine_params;

#define EP(f) offsetof(engine_params, f)
const mc_key mc_engine_keys[] = {
    {"model", "family", MC_KEY_STRING, "categorical", 0, 0, MC_KEY_NAMES_FAMILY, NULL, EP(family),
     "model family"},
    {"regime", "name", MC_KEY_STRING, "replace", 0, 0, MC_KEY_NAMES_REGIME, NULL, EP(regime),
     "data regime"},
    {"regime", "h", MC_KEY_DOUBLE, "0", 0, 1, 0, NULL, EP(h),
     "human fraction of each training set, for the regimes that use it (their descriptions say "
     "how)"},
    {"regime", "n", MC_KEY_COUNT, NULL, 1, 1.8e19, 0, NULL, EP(n),
     "training-set size n_0 (default: the family's, else 1000)"},
    {"regime", "growth", MC_KEY_DOUBLE, "1", 0, 1e300, MC_KEY_MIN_OPEN, NULL, EP(growth),
     "n_g = round(n_0 * growth^g)"},
    {"regime", "human_weight", MC_KEY_DOUBLE, NULL, 0, 1, 0, NULL, EP(human_weight),
     "total weight of the human part of the training set in the fit (unset: every sample weighs "
     "the same)"},
    {"regime", "schedule", MC_KEY_LIST, NULL, 0, 0, 0, NULL, EP(schedule),
     "h as a function of the generation: 'g:h, g:h, ...' with g strictly increasing; from each "
     "g on, h is its value (before the first g: regime.h); pipeline: caps the human share; grid "
     "alternatives separated by '|'"},
    {"sampling", "temperature", MC_KEY_DOUBLE, "1", 0, 1e300, MC_KEY_MIN_OPEN, NULL,
     EP(temperature), "sampling temperature tau > 0: p_i^(1/tau), renormalised"},
    {"sampling", "top_k", MC_KEY_INT, "0", 0, 1e15, 0, NULL, EP(top_k),
     "keep the k most probable outcomes (0: off)"},
    {"sampling", "top_p", MC_KEY_DOUBLE, "1", 0, 1, MC_KEY_MIN_OPEN, NULL, EP(top_p),
     "nucleus: keep the smallest set of most probable outcomes with mass >= top_p (1: off)"},
    {"sampling", "shrink", MC_KEY_DOUBLE, "0", 0, 1, 0, NULL, EP(shrink),
     "continuous families: pull samples towards the model mean by this fraction"},
    {"sampling", "truncate", MC_KEY_DOUBLE, "0", 0, 1e300, 0, NULL, EP(truncate),
     "continuous families: reject samples beyond this many standard deviations (0: off)"},
    {"run", "generations", MC_KEY_INT, "50", 0, 1e9, 0, NULL, EP(generations),
     "G: models 0..G are fitted"},
    {"run", "replicates", MC_KEY_INT, "100", 1, 1e9, 0, NULL, EP(replicates),
     "independent replicates per grid point"},
    {"run", "seed", MC_KEY_COUNT, "20230726", 0, 1.8e19, MC_KEY_NO_GRID, NULL, EP(seed),
     "seed of every random stream (streams are derived from seed, point, replicate)"},
    {"run", "name", MC_KEY_STRING, NULL, 0, 0, MC_KEY_NO_GRID, NULL, EP(name),
     "name of the experiment (titles, default output folder results/NAME-TIMESTAMP)"},
    {"run", "version", MC_KEY_STRING, MC_VERSION, 0, 0, MC_KEY_NO_GRID, NULL, EP(version),
     "collapse version that wrote this configuration (informative)"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

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

const char *mc_point_value(const mc_point *p, const char *section, const char *key)
{
    const mc_experiment *e = p->exp;
    for (size_t a = 0; a < e->naxes; a++)
        if (strcmp(e->axes[a].section, section) == 0 && strcmp(e->axes[a].key, key) == 0)
            return e->axes[a].values[p->choice[a]];
    const mc_entry *en = mc_config_find(e->config, section, key);
    return en ? en->value : NULL;
}

const char *mc_point_where(const mc_point *p, const char *section, const char *key, char *buf,
                           size_t size)
{
    const mc_entry *en = mc_config_find(p->exp->config, section, key);
    if (!en) {
        snprintf(buf, size, "[%s] %s", section, key);
        return buf;
    }
    return mc_origin_format(buf, size, &en->origin, section, key);
}

uint64_t mc_point_n(const mc_point *p, unsigned g)
{
    const mc_regime_settings *r = &p->regime_settings;
    if (r->growth == 1.0)
        return r->n;
    double v = round((double)r->n * pow(r->growth, (double)g));
    if (v < 1)
        return 1;
    if (v >= 1.8e19)
        return UINT64_MAX;
    return (uint64_t)v;
}

double mc_point_h(const mc_point *p, unsigned g)
{
    double h = p->regime_settings.h;
    for (size_t i = 0; i < p->nschedule && p->schedule[i].generation <= (long)g; i++)
        h = p->schedule[i].h;
    return h;
}

/* regime.schedule = "g:h, g:h, ...": generations whole numbers >= 0, strictly increasing, h in
 * [0,1]. Only for regimes that use h. */
static int parse_schedule(mc_point *p, const char *text, mc_error *err)
{
    char where[256];
    mc_point_where(p, "regime", "schedule", where, sizeof where);
    const unsigned uses = MC_REGIME_USES_H | MC_REGIME_USES_SCHEDULE;
    if (!(p->regime->props & uses)) {
        char names[256];
        mc_regime_names(uses, names, sizeof names);
        return mc_error_set(err, MC_ECONFIG, "%s: the schedule sets the human fraction h, which "
                            "regime.name = %s does not use (%s do)", where, p->regime->name,
                            names);
    }
    char **items = NULL;
    int n = mc_split_alternatives(text, MC_KEY_STRING, &items, err); /* split on ',' */
    if (n < 0)
        return mc_error_prefix(err, "%s: ", where);
    p->schedule = calloc((size_t)n, sizeof *p->schedule);
    int r = p->schedule ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    for (int i = 0; r == MC_OK && i < n; i++) {
        char *colon = strchr(items[i], ':');
        uint64_t g = 0;
        double h = 0;
        if (!colon) {
            r = mc_error_set(err, MC_ECONFIG, "%s: item %d '%s': expected generation:h "
                             "(e.g. '0:0.2, 10:0, 30:0.2')", where, i + 1, items[i]);
            break;
        }
        *colon = '\0';
        char *gs = items[i], *hs = colon + 1;
        size_t gl = strlen(gs);
        while (gl && (gs[gl - 1] == ' ' || gs[gl - 1] == '\t'))
            gs[--gl] = '\0';
        while (*hs == ' ' || *hs == '\t')
            hs++;
        if (mc_parse_count(gs, &g) != MC_OK || g > 1000000000) {
            r = mc_error_set(err, MC_ECONFIG, "%s: item %d: generation '%s' is not a whole "
                             "number from 0 to 10^9", where, i + 1, gs);
        } else if (mc_parse_double(hs, &h) != MC_OK || h < 0 || h > 1) {
            r = mc_error_set(err, MC_ECONFIG, "%s: item %d: h = '%s' is not a number in [0,1]",
                             where, i + 1, hs);
        } else if (i > 0 && (long)g <= p->schedule[i - 1].generation) {
            r = mc_error_set(err, MC_ECONFIG, "%s: item %d: generation %llu does not follow "
                             "generation %ld: generations must be strictly increasing", where,
                             i + 1, (unsigned long long)g, p->schedule[i - 1].generation);
        } else {
            p->schedule[i].generation = (long)g;
            p->schedule[i].h = h;
            p->nschedule++;
        }
    }
    mc_strings_free(items, (size_t)n);
    return r;
}

/* Parses every key of table t that this point sets (or its default) into block. */
static int parse_table(const mc_point *p, const mc_key *t, void *block, mc_error *err)
{
    for (const mc_key *k = t; k && k->name; k++) {
        const char *v = mc_point_value(p, k->section, k->name);
        char where[256];
        mc_point_where(p, k->section, k->name, where, sizeof where);
        if (!v)
            v = k->dflt;
        if (!v) { /* unset */
            char *slot = (char *)block + k->offset;
            if (k->kind == MC_KEY_DOUBLE) {
                double nan = NAN;
                memcpy(slot, &nan, sizeof nan);
            }
            continue;
        }
        int r = mc_key_parse(k, v, block, where, err);
        if (r != MC_OK)
            return r;
    }
    return MC_OK;
}

/* Appends "text" to a growing string. */
static int append(char **s, size_t *len, size_t *cap, const char *text)
{
    size_t t = strlen(text);
    if (*len + t + 1 > *cap) {
        size_t c = (*cap ? *cap * 2 : 256) + t;
        char *q = realloc(*s, c);
        if (!q)
            return MC_ENOMEM;
        *s = q;
        *cap = c;
    }
    memcpy(*s + *len, text, t + 1);
    *len += t;
    return MC_OK;
}

/* The world of a point: shared with every point whose family and [world] values agree. */
static int point_world(mc_experiment *e, mc_point *p, mc_error *err)
{
    char *key = NULL;
    size_t len = 0, cap = 0;
    int r = append(&key, &len, &cap, p->family->name);
    for (const mc_key *k = p->family->keys; r == MC_OK && k && k->name; k++) {
        if (strcmp(k->section, "world") != 0)
            continue;
        const char *v = mc_point_value(p, k->section, k->name);
        r = append(&key, &len, &cap, "\n");
        if (r == MC_OK)
            r = append(&key, &len, &cap, k->name);
        if (r == MC_OK)
            r = append(&key, &len, &cap, "=");
        if (r == MC_OK)
            r = append(&key, &len, &cap, v ? v : (k->dflt ? k->dflt : ""));
    }
    if (r != MC_OK) {
        free(key);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < e->nworlds; i++)
        if (strcmp(e->worlds[i].key, key) == 0) {
            p->world = e->worlds[i].world;
            free(key);
            return MC_OK;
        }
    mc_world_slot *w = realloc(e->worlds, (e->nworlds + 1) * sizeof *w);
    if (!w) {
        free(key);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    e->worlds = w;
    /* the world's own stream: a function of the seed and the world's text only */
    uint64_t h = 1469598103934665603ULL;
    for (const char *c = key; *c; c++)
        h = (h ^ (unsigned char)*c) * 1099511628211ULL;
    gsl_rng *rng = mc_rng_alloc(mc_stream_key(p->run.seed, UINT64_MAX, h));
    if (!rng) {
        free(key);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    void *world = NULL;
    r = p->family->world_create(p->params, p, rng, &world, err);
    gsl_rng_free(rng);
    if (r != MC_OK) {
        free(key);
        return r;
    }
    e->worlds[e->nworlds].key = key;
    e->worlds[e->nworlds].family = p->family;
    e->worlds[e->nworlds].world = world;
    e->nworlds++;
    p->world = world;
    return MC_OK;
}

double mc_memory_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGE_SIZE);
    return pages > 0 && size > 0 ? (double)pages * (double)size : 0;
}

/* The engine's own metrics, at the front of every point's list. */
static const mc_metric_def ENGINE_METRICS[MC_ENGINE_METRICS] = {
    {"n", MC_ROLE_SIZE, "samples", 0, 0, "training-set size n_g"},
    {"human_share", MC_ROLE_HUMAN_SHARE, "fraction", 1, 0,
     "fraction of the training set that is human-made"},
};

static int point_resolve(mc_experiment *e, mc_point *p, mc_error *err)
{
    engine_params ep;
    memset(&ep, 0, sizeof ep);
    int r = parse_table(p, mc_engine_keys, &ep, err);
    if (r != MC_OK)
        return r;
    p->family = mc_family_lookup(ep.family);
    p->regime = mc_regime_lookup(ep.regime);
    p->run.generations = ep.generations;
    p->run.replicates = ep.replicates;
    p->run.seed = ep.seed;
    p->sampling.temperature = ep.temperature;
    p->sampling.top_k = ep.top_k;
    p->sampling.top_p = ep.top_p;
    p->sampling.shrink = ep.shrink;
    p->sampling.truncate = ep.truncate;
    p->regime_settings.name = p->regime->name;
    p->regime_settings.h = ep.h;
    p->regime_settings.growth = ep.growth;
    p->regime_settings.human_weight = isnan(ep.human_weight) ? -1 : ep.human_weight;
    if (ep.schedule && (r = parse_schedule(p, ep.schedule, err)) != MC_OK)
        return r;

    /* sampling settings the family does not honour */
    struct {
        const char *key;
        unsigned bit;
        int set;
    } samp[] = {
        {"temperature", MC_SAMPLE_TEMPERATURE, ep.temperature != 1.0},
        {"top_k", MC_SAMPLE_TOP_K, ep.top_k != 0},
        {"top_p", MC_SAMPLE_TOP_P, ep.top_p != 1.0},
        {"shrink", MC_SAMPLE_SHRINK, ep.shrink != 0.0},
        {"truncate", MC_SAMPLE_TRUNCATE, ep.truncate != 0.0},
    };
    for (size_t i = 0; i < sizeof samp / sizeof *samp; i++)
        if (samp[i].set && !(p->family->sampling & samp[i].bit)) {
            char where[256];
            mc_point_where(p, "sampling", samp[i].key, where, sizeof where);
            return mc_error_set(err, MC_ECONFIG,
                                "%s: model.family = %s does not support this sampling setting",
                                where, p->family->name);
        }

    p->params = calloc(1, p->family->params_size ? p->family->params_size : 1);
    if (!p->params)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    r = parse_table(p, p->family->keys, p->params, err);
    if (r != MC_OK)
        return r;
    if (p->regime->params_size) {
        p->regime_params = calloc(1, p->regime->params_size);
        if (!p->regime_params)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        r = parse_table(p, p->regime->keys, p->regime_params, err);
        if (r != MC_OK)
            return r;
    }
    if (p->family->check && (r = p->family->check(p->params, p, err)) != MC_OK)
        return r;
    if (p->regime->check && (r = p->regime->check(p->regime_params, p, err)) != MC_OK)
        return r;
    if ((r = point_world(e, p, err)) != MC_OK)
        return r;
    p->regime_settings.n = ep.n ? ep.n
                                : (p->family->default_n ? p->family->default_n(p->params, p->world)
                                                        : 1000);
    if (p->regime_settings.n == 0) {
        char where[256];
        return mc_error_set(err, MC_ECONFIG, "%s: n must be at least 1",
                            mc_point_where(p, "regime", "n", where, sizeof where));
    }

    /* sizes: n_G must be representable, and one unit's data must fit in memory */
    double nmax = 0, pool = 0;
    for (long g = 0; g <= p->run.generations; g++) {
        double ng = (double)p->regime_settings.n * pow(p->regime_settings.growth, (double)g);
        if (ng > nmax)
            nmax = ng;
        pool += ng;
        if (ng >= 1.8e19) {
            char where[256];
            return mc_error_set(err, MC_ECONFIG,
                                "%s: with regime.n = %llu, n_g reaches %.3g at generation %ld: "
                                "beyond 64-bit counts",
                                mc_point_where(p, "regime", "growth", where, sizeof where),
                                (unsigned long long)p->regime_settings.n, ng, g);
        }
    }
    r = MC_OK;
    if ((r = mc_metric_declare_all(&p->metrics, ENGINE_METRICS, MC_ENGINE_METRICS)))
        return mc_error_set(err, r, "out of memory");
    if ((r = p->family->describe(p->params, p->world, &p->metrics, err)) != MC_OK)
        return r;
    if (p->regime->describe) {
        size_t before = p->metrics.n;
        if ((r = p->regime->describe(p->regime_params, p, &p->metrics, err)) != MC_OK)
            return r;
        p->nregime_metrics = p->metrics.n - before;
    }
    double biggest = (p->regime->props & MC_REGIME_POOL_GROWS) ? pool : nmax;
    double need = p->family->bytes_needed ? 3 * p->family->bytes_needed(p->params, p->world, biggest)
                                          : 0;
    need += 8.0 * (double)(p->run.generations + 1) * (double)p->metrics.n; /* one unit's rows */
    double have = mc_memory_bytes();
    if (have > 0 && need > 0.8 * have) {
        char where[256];
        return mc_error_set(err, MC_ENOMEM,
                            "%s: one replicate would need %.3g GB of memory (n up to %.3g, %ld "
                            "generations) but this machine has %.3g GB",
                            mc_point_where(p, "regime", "n", where, sizeof where), need / 1e9,
                            biggest, p->run.generations, have / 1e9);
    }
    double rows = 8.0 * (double)p->run.replicates * (double)(p->run.generations + 1) *
                  (double)p->metrics.n;
    if (have > 0 && rows > 0.4 * have) { /* a point's results may share memory with the next's */
        char where[256];
        return mc_error_set(err, MC_ENOMEM,
                            "%s: %ld replicates x %ld generations x %zu metrics of results need "
                            "%.3g GB of memory; this machine has %.3g GB",
                            mc_point_where(p, "run", "replicates", where, sizeof where),
                            p->run.replicates, p->run.generations + 1, p->metrics.n, rows / 1e9,
                            have / 1e9);
    }
    return MC_OK;
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
    int r = select_plugin(c, "model", "family", "categorical", "family", family_at, family_name,
                          (const void **)s->fam, &s->nfam, err);
    if (r == MC_OK)
        r = select_plugin(c, "regime", "name", "replace", "regime", regime_at, regime_name,
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

    /* 1. sections */
    for (size_t i = 0; r == MC_OK && i < c->n; i++) {
        const mc_entry *en = &c->entries[i];
        if (is_known_section(en->section))
            continue;
        char where[256];
        const char *near = mc_did_you_mean(en->section, known_sections, NSECTIONS);
        mc_origin_format(where, sizeof where, &en->origin, en->section, en->key);
        r = near ? mc_error_set(err, MC_ECONFIG, "%s: unknown section [%s] (did you mean [%s]?)",
                                where, en->section, near)
                 : mc_error_set(err, MC_ECONFIG,
                                "%s: unknown section [%s] (sections: world, model, regime, "
                                "sampling, metrics, run)",
                                where, en->section);
    }
    /* 2. plug-ins */
    selection sel = {0};
    if (r == MC_OK)
        r = select_plugins(c, &sel, err);
    /* 3. keys, 4. alternatives */
    size_t maxblock = sizeof(engine_params);
    for (size_t i = 0; i < sel.nfam; i++)
        if (sel.fam[i]->params_size > maxblock)
            maxblock = sel.fam[i]->params_size;
    for (size_t i = 0; i < sel.nreg; i++)
        if (sel.reg[i]->params_size > maxblock)
            maxblock = sel.reg[i]->params_size;
    void *scratch = calloc(1, maxblock);
    if (!scratch && r == MC_OK)
        r = mc_error_set(err, MC_ENOMEM, "out of memory");
    for (size_t i = 0; r == MC_OK && i < c->n; i++) {
        const mc_entry *en = &c->entries[i];
        const mc_key *k = universe_find(&sel, en->section, en->key);
        if (!k) {
            r = unknown_key(&sel, en, err);
            break;
        }
        char where[256];
        mc_origin_format(where, sizeof where, &en->origin, en->section, en->key);
        char **alts = NULL;
        int na = (k->flags & MC_KEY_NO_GRID) ? 1 : mc_split_alternatives(en->value, k->kind, &alts, err);
        if (na < 0) {
            r = mc_error_prefix(err, "%s: ", where);
            break;
        }
        if (k->flags & MC_KEY_NO_GRID) {
            if (k->kind != MC_KEY_STRING && k->kind != MC_KEY_LIST)
                r = mc_key_parse(k, en->value, scratch, where, err);
            continue;
        }
        for (int a = 0; r == MC_OK && a < na; a++) {
            const char *v = alts[a];
            if (k->kind == MC_KEY_STRING && k == table_find(mc_engine_keys, "model", "family"))
                continue; /* checked in select_plugins */
            r = mc_key_parse(k, v, scratch, where, err);
        }
        if (r == MC_OK && na > 1) {
            mc_axis *ax = realloc(e->axes, (e->naxes + 1) * sizeof *ax);
            if (!ax) {
                r = mc_error_set(err, MC_ENOMEM, "out of memory");
            } else {
                e->axes = ax;
                ax[e->naxes].section = strdup(en->section);
                ax[e->naxes].key = strdup(en->key);
                ax[e->naxes].values = alts;
                ax[e->naxes].nvalues = (size_t)na;
                ax[e->naxes].origin = en->origin;
                e->naxes++;
                alts = NULL;
            }
        }
        mc_strings_free(alts, alts ? (size_t)na : 0);
    }
    free(scratch);
    /* 5. defaults */
    if (r == MC_OK)
        r = add_defaults(c, mc_engine_keys, err);
    for (size_t i = 0; r == MC_OK && i < sel.nfam; i++)
        r = add_defaults(c, sel.fam[i]->keys, err);
    for (size_t i = 0; r == MC_OK && i < sel.nreg; i++)
        r = add_defaults(c, sel.reg[i]->keys, err);
    /* run.version records who wrote the configuration; this run is by this version */
    if (r == MC_OK) {
        mc_origin o = {"collapse", 0};
        r = mc_config_set(c, "run", "version", MC_VERSION, o, err);
    }
    /* 6. points */
    double np = 1;
    for (size_t a = 0; a < e->naxes; a++)
        np *= (double)e->axes[a].nvalues;
    if (r == MC_OK && np > 1e7)
        r = mc_error_set(err, MC_ECONFIG, "the grid has %.3g points: more than 10^7", np);
    if (r == MC_OK) {
        e->npoints = (size_t)np;
        e->points = calloc(e->npoints, sizeof *e->points);
        if (!e->points)
            r = mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    for (size_t i = 0; r == MC_OK && i < e->npoints; i++) {
        mc_point *p = &e->points[i];
        p->index = i;
        p->exp = e;
        p->choice = calloc(e->naxes ? e->naxes : 1, sizeof *p->choice);
        if (!p->choice) {
            r = mc_error_set(err, MC_ENOMEM, "out of memory");
            break;
        }
        size_t rem = i;
        for (size_t a = e->naxes; a-- > 0;) { /* the last axis varies fastest */
            p->choice[a] = rem % e->axes[a].nvalues;
            rem /= e->axes[a].nvalues;
        }
        char *label = NULL;
        size_t len = 0, cap = 0;
        for (size_t a = 0; r == MC_OK && a < e->naxes; a++) {
            char piece[512];
            snprintf(piece, sizeof piece, "%s%s.%s=%s", a ? "; " : "", e->axes[a].section,
                     e->axes[a].key, e->axes[a].values[p->choice[a]]);
            if (append(&label, &len, &cap, piece) != MC_OK)
                r = mc_error_set(err, MC_ENOMEM, "out of memory");
        }
        if (r == MC_OK && !e->naxes && append(&label, &len, &cap, e->name) != MC_OK)
            r = mc_error_set(err, MC_ENOMEM, "out of memory");
        p->label = label;
        if (r == MC_OK)
            r = point_resolve(e, p, err);
        if (r != MC_OK && e->npoints > 1 && err && !strstr(err->msg, "grid point"))
            mc_error_prefix(err, "grid point %zu (%s): ", i, p->label ? p->label : "");
    }
    if (r != MC_OK) {
        mc_experiment_free(e);
        return r;
    }
    *out = e;
    return MC_OK;
}

const char *mc_point_data_path(const mc_point *p, const char *value, char *buf, size_t size)
{
    return mc_data_resolve(value, p->exp ? p->exp->config->base_dir : NULL, buf, size);
}

int mc_point_data_error(const mc_point *p, const char *section, const char *key,
                        const char *value, int status, mc_error *err)
{
    char where[256];
    mc_point_where(p, section, key, where, sizeof where);
    const char *package = mc_data_package(value);
    if (package && status == MC_EIO)
        mc_error_prefix(err, "%s: %s is not installed (run `make data`, or set MC_DATA_DIR): ",
                        where, package);
    else
        mc_error_prefix(err, "%s: ", where);
    return status;
}
