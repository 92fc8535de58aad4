/* point.c - one grid point of an experiment: its settings, plug-in parameters, world, sizes,
 * metric list and memory check, in that order (mc_point_resolve), and what the rest of the
 * library asks of a point (the value and origin of a key, n_g, h_g, data paths).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collapse.h"
#include "collapse/budget.h"
#include "collapse/datapath.h"
#include "experiment_internal.h"

#define EP(f) offsetof(engine_params, f)
const mc_key mc_engine_keys[] = {
    {"model", "family", MC_KEY_STRING, mc_default_family, 0, 0, MC_KEY_NAMES_FAMILY, NULL, EP(family),
     "model family"},
    {"regime", "name", MC_KEY_STRING, mc_default_regime, 0, 0, MC_KEY_NAMES_REGIME, NULL, EP(regime),
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
    {"regime", "select", MC_KEY_ENUM, "none", 0, 0, 0, "none|top|best-of", EP(select),
     "curation of the model's samples by a verifier: none, top (keep the best 1/K of K times as "
     "many candidates) or best-of (keep one of each K, chosen with probability ~ exp(beta "
     "score))"},
    {"regime", "candidates", MC_KEY_COUNT, "1", 1, 1e9, 0, NULL, EP(candidates),
     "curation: K, the candidates drawn per kept sample (>= 1)"},
    {"regime", "beta", MC_KEY_DOUBLE, "1", 0, 1e6, 0, NULL, EP(beta),
     "curation, best-of: inverse temperature of the Bradley-Terry choice"},
    {"regime", "verifier_noise", MC_KEY_DOUBLE, "0", 0, 1e300, 0, NULL, EP(verifier_noise),
     "curation: sd of the Gaussian noise added to each score (an imperfect verifier)"},
    {"regime", "verifier_bias", MC_KEY_DOUBLE, "0", -1e6, 1e6, 0, NULL, EP(verifier_bias),
     "curation: the verifier scores against a moved world (family-defined; 0: the world)"},
    {"regime", "detector_tpr", MC_KEY_DOUBLE, NULL, 0, 1, 0, NULL, EP(detector_tpr),
     "detector: probability that a synthetic sample is caught and dropped (unset with "
     "detector_fpr: no detector)"},
    {"regime", "detector_fpr", MC_KEY_DOUBLE, NULL, 0, 1, 0, NULL, EP(detector_fpr),
     "detector: probability that a human sample is wrongly dropped"},
    {"regime", "detector_refill", MC_KEY_BOOL, "true", 0, 0, 0, NULL, EP(detector_refill),
     "detector: top the training set back up to n_g from the same mix (false: train on fewer)"},
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
    {"metrics", "every", MC_KEY_INT, "1", 1, 1e9, MC_KEY_NO_GRID, NULL, EP(metrics_every),
     "the family's and the regime's metrics at every k-th generation and at the last (k = 1: at "
     "every one); the others are written nan (n and human_share are always there)"},
    {"output", "metrics", MC_KEY_ENUM, "full", 0, 0, MC_KEY_NO_GRID, "full|none",
     EP(output_metrics), "metrics.csv (every replicate, generation and metric): full, or none "
     "(summary.csv, extinction.csv and summary.json are always written)"},
    {"output", "compress", MC_KEY_ENUM, "none", 0, 0, MC_KEY_NO_GRID, "none|gzip",
     EP(output_compress), "gzip: the CSV files are written as NAME.csv.gz"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};


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

double mc_point_theory(const mc_point *p, size_t m, unsigned g)
{
    size_t end = p->metrics.n - p->nregime_metrics - p->ncuration_metrics;
    if (m < MC_ENGINE_METRICS || m >= end || !p->family->theory || mc_curation_active(p))
        return NAN;
    return p->family->theory(p, p->world, m - MC_ENGINE_METRICS, g);
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
int mc_append(char **s, size_t *len, size_t *cap, const char *text)
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
    int r = mc_append(&key, &len, &cap, p->family->name);
    for (const mc_key *k = p->family->keys; r == MC_OK && k && k->name; k++) {
        if (strcmp(k->section, "world") != 0)
            continue;
        const char *v = mc_point_value(p, k->section, k->name);
        if ((k->flags & MC_KEY_WORLD_IF_SET) && (!v || (k->dflt && strcmp(v, k->dflt) == 0)))
            continue;
        r = mc_append(&key, &len, &cap, "\n");
        if (r == MC_OK)
            r = mc_append(&key, &len, &cap, k->name);
        if (r == MC_OK)
            r = mc_append(&key, &len, &cap, "=");
        if (r == MC_OK)
            r = mc_append(&key, &len, &cap, v ? v : (k->dflt ? k->dflt : ""));
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

/* Engine settings of a point ([run], [regime] and [sampling] keys) and its plug-ins. */
static int point_engine_settings(mc_point *p, engine_params *ep, mc_error *err)
{
    int r = parse_table(p, mc_engine_keys, ep, err);
    if (r != MC_OK)
        return r;
    p->family = mc_family_lookup(ep->family);
    p->regime = mc_regime_lookup(ep->regime);
    p->run.generations = ep->generations;
    p->run.replicates = ep->replicates;
    p->run.seed = ep->seed;
    p->run.metrics_every = ep->metrics_every;
    p->run.metrics_none = ep->output_metrics == 1;
    p->run.gzip = ep->output_compress == 1;
    p->sampling.temperature = ep->temperature;
    p->sampling.top_k = ep->top_k;
    p->sampling.top_p = ep->top_p;
    p->sampling.shrink = ep->shrink;
    p->sampling.truncate = ep->truncate;
    p->regime_settings.name = p->regime->name;
    p->regime_settings.h = ep->h;
    p->regime_settings.growth = ep->growth;
    p->regime_settings.human_weight = isnan(ep->human_weight) ? -1 : ep->human_weight;
    p->curation = (mc_curation){ep->select, ep->candidates, ep->beta, ep->verifier_noise,
                                ep->verifier_bias, !isnan(ep->detector_tpr) ||
                                !isnan(ep->detector_fpr),
                                isnan(ep->detector_tpr) ? 0 : ep->detector_tpr,
                                isnan(ep->detector_fpr) ? 0 : ep->detector_fpr,
                                ep->detector_refill};
    if (ep->metrics_every > 1 && p->regime->describe) {
        char where[256];
        mc_point_where(p, "metrics", "every", where, sizeof where);
        return mc_error_set(err, MC_ECONFIG,
                            "%s: regime.name = %s keeps metrics of its own that need every "
                            "generation's; metrics.every must be 1 with it", where,
                            p->regime->name);
    }
    return ep->schedule ? parse_schedule(p, ep->schedule, err) : MC_OK;
}

/* A sampling setting away from its default that the family does not honour is an error. */
static int check_sampling(const mc_point *p, const engine_params *ep, mc_error *err)
{
    const struct {
        const char *key;
        unsigned bit;
        int set;
    } samp[] = {
        {"temperature", MC_SAMPLE_TEMPERATURE, ep->temperature != 1.0},
        {"top_k", MC_SAMPLE_TOP_K, ep->top_k != 0},
        {"top_p", MC_SAMPLE_TOP_P, ep->top_p != 1.0},
        {"shrink", MC_SAMPLE_SHRINK, ep->shrink != 0.0},
        {"truncate", MC_SAMPLE_TRUNCATE, ep->truncate != 0.0},
    };
    for (size_t i = 0; i < sizeof samp / sizeof *samp; i++)
        if (samp[i].set && !(p->family->sampling & samp[i].bit)) {
            char where[256];
            mc_point_where(p, "sampling", samp[i].key, where, sizeof where);
            return mc_error_set(err, MC_ECONFIG,
                                "%s: model.family = %s does not support this sampling setting",
                                where, p->family->name);
        }
    return MC_OK;
}

/* The family's and the regime's parameter blocks, parsed from their keys; the family's check. */
static int point_plugin_params(mc_point *p, mc_error *err)
{
    p->params = calloc(1, p->family->params_size ? p->family->params_size : 1);
    if (!p->params)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = parse_table(p, p->family->keys, p->params, err);
    if (r != MC_OK)
        return r;
    if (p->regime->params_size) {
        p->regime_params = calloc(1, p->regime->params_size);
        if (!p->regime_params)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        if ((r = parse_table(p, p->regime->keys, p->regime_params, err)) != MC_OK)
            return r;
    }
    if (p->family->check && (r = p->family->check(p->params, p, err)) != MC_OK)
        return r;
    return MC_OK; /* the regime's check comes once the sizes are known (mc_point_resolve) */
}

/* n_g = n_0 growth^g for g = 0..G, in closed form (O(1) whatever G): the largest (*nmax) and
 * their sum (*pool): with growth 1, n_0 and (G + 1) n_0; else the ends of the geometric series,
 * sum_{g=0}^{G} growth^g = expm1((G + 1) ln growth) / expm1(ln growth). *first is the first g
 * whose n_g reaches 1.8e19 (beyond 64-bit counts), or -1: found from the logarithm, then stepped
 * to the exact g of the expression n_0 growth^g. */
static void size_series(double n0, double growth, long G, double *nmax, double *pool, long *first)
{
    const double top = 1.8e19;
    *first = n0 >= top ? 0 : -1;
    if (growth == 1.0) {
        *nmax = n0;
        *pool = n0 * (double)(G + 1);
        return;
    }
    double lg = log(growth);
    double last = n0 * exp((double)G * lg);
    *nmax = growth > 1 ? last : n0;
    *pool = n0 * expm1((double)(G + 1) * lg) / expm1(lg);
    if (growth < 1 || *first == 0 || !(last >= top))
        return;
    double guess = ceil((log(top) - log(n0)) / lg);
    long g = guess < 0 ? 0 : guess > (double)G ? G : (long)guess;
    while (g > 0 && n0 * pow(growth, (double)(g - 1)) >= top)
        g--;
    while (g < G && n0 * pow(growth, (double)g) < top)
        g++;
    *first = g;
}

/* n_0 (regime.n, else the family's default for its world, else 1000); every n_g must be a 64-bit
 * count. */
static int point_sizes(mc_point *p, uint64_t n, mc_error *err)
{
    char where[256];
    p->regime_settings.n =
        n ? n : (p->family->default_n ? p->family->default_n(p->params, p->world) : 1000);
    if (p->regime_settings.n == 0)
        return mc_error_set(err, MC_ECONFIG, "%s: n must be at least 1",
                            mc_point_where(p, "regime", "n", where, sizeof where));
    uint64_t max0 = p->family->max_n0 ? p->family->max_n0(p->params, p->world) : UINT64_MAX;
    if (p->regime_settings.n > max0)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: n = %llu, but model.family = %s has only %llu human samples for "
                            "generation 0 (its world's fixed training split)",
                            mc_point_where(p, "regime", "n", where, sizeof where),
                            (unsigned long long)p->regime_settings.n, p->family->name,
                            (unsigned long long)max0);
    double nmax, pool, n0 = (double)p->regime_settings.n;
    long g;
    size_series(n0, p->regime_settings.growth, p->run.generations, &nmax, &pool, &g);
    if (g >= 0)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: with regime.n = %llu, n_g reaches %.3g at generation %ld: "
                            "beyond 64-bit counts",
                            mc_point_where(p, "regime", "growth", where, sizeof where),
                            (unsigned long long)p->regime_settings.n,
                            n0 * pow(p->regime_settings.growth, (double)g), g);
    return MC_OK;
}

/* The point's metric list: the engine's, the family's, then the regime's own. */
static int point_metrics(mc_point *p, mc_error *err)
{
    int r = mc_metric_declare_all(&p->metrics, ENGINE_METRICS, MC_ENGINE_METRICS);
    if (r != MC_OK)
        return mc_error_set(err, r, "out of memory");
    if ((r = p->family->describe(p->params, p->world, &p->metrics, err)) != MC_OK)
        return r;
    size_t before_curation = p->metrics.n;
    if ((r = mc_curation_describe(p, &p->metrics, err)) != MC_OK)
        return r;
    p->ncuration_metrics = p->metrics.n - before_curation;
    if (p->regime->describe) {
        size_t before = p->metrics.n;
        if ((r = p->regime->describe(p->regime_params, p, &p->metrics, err)) != MC_OK)
            return r;
        p->nregime_metrics = p->metrics.n - before;
    }
    return MC_OK;
}

/* The memory of one unit's data: 3 x the family's bytes for its biggest training set (the whole
 * pool when the regime's pool grows). */
static double unit_data_bytes(const mc_point *p, double *biggest)
{
    double nmax, pool;
    long first;
    size_series((double)p->regime_settings.n, p->regime_settings.growth, p->run.generations,
                &nmax, &pool, &first);
    *biggest = (p->regime->props & MC_REGIME_POOL_GROWS) ? pool : nmax;
    return p->family->bytes_needed ? 3 * p->family->bytes_needed(p->params, p->world, *biggest)
                                   : 0;
}

double mc_point_unit_bytes(const mc_point *p)
{
    double biggest;
    return unit_data_bytes(p, &biggest) +
           8.0 * (double)(p->run.generations + 1) * (double)p->metrics.n;
}

/* One unit's data and its result rows must fit in this machine's memory, and so must one
 * point's results (two batches may be in memory at once: 0.4 of it each). When the rows alone
 * do not fit, run.generations is to blame, else regime.n. */
static int check_memory(const mc_point *p, mc_error *err)
{
    char where[256];
    double biggest, data = unit_data_bytes(p, &biggest);
    double unit_rows = 8.0 * (double)(p->run.generations + 1) * (double)p->metrics.n;
    double need = data + unit_rows, have = mc_memory_bytes();
    if (have > 0 && unit_rows > 0.8 * have)
        return mc_error_set(err, MC_ENOMEM,
                            "%s: one replicate's results (%ld generations x %zu metrics) would "
                            "need %.3g GB of memory but this machine has %.3g GB",
                            mc_point_where(p, "run", "generations", where, sizeof where),
                            p->run.generations + 1, p->metrics.n, unit_rows / 1e9, have / 1e9);
    if (have > 0 && need > 0.8 * have)
        return mc_error_set(err, MC_ENOMEM,
                            "%s: one replicate would need %.3g GB of memory (n up to %.3g, %ld "
                            "generations) but this machine has %.3g GB",
                            mc_point_where(p, "regime", "n", where, sizeof where), need / 1e9,
                            biggest, p->run.generations, have / 1e9);
    double rows = 8.0 * (double)p->run.replicates * (double)(p->run.generations + 1) *
                  (double)p->metrics.n;
    if (have > 0 && rows > 0.4 * have)
        return mc_error_set(err, MC_ENOMEM,
                            "%s: %ld replicates x %ld generations x %zu metrics of results need "
                            "%.3g GB of memory; this machine has %.3g GB",
                            mc_point_where(p, "run", "replicates", where, sizeof where),
                            p->run.replicates, p->run.generations + 1, p->metrics.n, rows / 1e9,
                            have / 1e9);
    return MC_OK;
}

int mc_point_resolve(mc_experiment *e, mc_point *p, mc_error *err)
{
    engine_params ep;
    memset(&ep, 0, sizeof ep);
    int r = point_engine_settings(p, &ep, err);
    if (r == MC_OK)
        r = check_sampling(p, &ep, err);
    if (r == MC_OK)
        r = point_plugin_params(p, err);
    if (r == MC_OK)
        r = point_world(e, p, err);
    if (r == MC_OK)
        r = point_sizes(p, ep.n, err);
    if (r == MC_OK && p->regime->check)
        r = p->regime->check(p->regime_params, p, err);
    if (r == MC_OK)
        r = mc_curation_check(p, err);
    if (r == MC_OK)
        r = point_metrics(p, err);
    if (r == MC_OK)
        r = check_memory(p, err);
    return r;
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
