/* categorical.c - the categorical family: the yellow cats.
 *
 * World: K categories with probabilities pi (named weights, Zipf(K, s), or a real frequency
 * table). Model: p = (c + alpha) / (n + K alpha) from the counts c of the training set (maximum
 * likelihood when alpha = 0; a category whose count is 0 is then extinct and never comes back
 * under replace). Weighted fit: the human part carries total weight w, the synthetic part 1 - w:
 * c'_i = n (w c^h_i / n_h + (1 - w) c^s_i / n_s).
 *
 * Generation: the deployed model samples from q = T(p): temperature tau (q_i ~ p_i^(1/tau)),
 * then top-k, then top-p (nucleus) truncation, as a language model applies them. Drawing n
 * samples is a multinomial draw by conditional binomials over the categories still alive, so a
 * generation costs O(K_alive), whatever n (10^3 or 10^9).
 *
 * A dataset is a count vector with its human part (provenance): c_i = c^h_i + c^s_i.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "collapse.h"
#include "collapse/datapath.h"
#include "collapse/randist.h"
#include "categorical.h"
#include "count_subsample.h"
#include "freqtable.h"
#include "io/utf8.h"

enum { WORLD_WEIGHTS, WORLD_ZIPF, WORLD_TABLE };

typedef struct cat_params {
    int world_type;
    const char *weights;
    long zipf_k;
    double zipf_s;
    const char *table;
    long table_top;
    double alpha;
    const char *track;
    double tail_mass;
    double tail_threshold;
    double kl_lambda;
    int missing;          /* metrics.missing_mass: report it */
} cat_params;

#define CP(f) offsetof(cat_params, f)
static const mc_key cat_keys[] = {
    {"world", "type", MC_KEY_ENUM, "weights", 0, 0, 0, "weights|zipf|table", CP(world_type),
     "the world: named weights, Zipf(K, s), or a frequency table"},
    {"world", "weights", MC_KEY_LIST, "blue=0.90, yellow=0.09, green=0.01", 0, 0, 0, NULL,
     CP(weights), "name=weight, ... (normalised; grid alternatives separated by '|')"},
    {"world", "zipf_k", MC_KEY_INT, "1000", 1, 4e9, 0, NULL, CP(zipf_k),
     "Zipf world: number of categories K"},
    {"world", "zipf_s", MC_KEY_DOUBLE, "1.1", 0, 1e3, 0, NULL, CP(zipf_s),
     "Zipf world: exponent s, pi_i ~ i^-s"},
    {"world", "table", MC_KEY_STRING, "subtlex", 0, 0, 0, NULL, CP(table),
     "table world: word,count CSV/TSV or the subtlex JSON; 'subtlex' = the installed SUBTLEX-US"},
    {"world", "table_top", MC_KEY_INT, "0", 0, 4e9, 0, NULL, CP(table_top),
     "table world: keep only the most frequent words (0: all)"},
    {"model", "alpha", MC_KEY_DOUBLE, "0", 0, 1e300, 0, NULL, CP(alpha),
     "additive (Dirichlet) smoothing; 0 = maximum likelihood"},
    {"metrics", "track", MC_KEY_LIST, NULL, 0, 0, 0, NULL, CP(track),
     "categories reported one by one (p_NAME, alive_NAME); default: all named weights when "
     "K <= 20, else none; 'none' for none"},
    {"metrics", "tail_mass", MC_KEY_DOUBLE, "0.1", 0, 1, MC_KEY_MIN_OPEN, NULL, CP(tail_mass),
     "the tail: the rarest categories that together hold at most this world mass"},
    {"metrics", "tail_threshold", MC_KEY_DOUBLE, NULL, 0, 1, MC_KEY_MIN_OPEN, NULL,
     CP(tail_threshold), "the tail: categories with world probability below this (overrides "
                         "tail_mass)"},
    {"metrics", "kl_lambda", MC_KEY_DOUBLE, "1e-6", 0, 1, MC_KEY_MIN_OPEN | MC_KEY_MAX_OPEN,
     NULL, CP(kl_lambda), "kl_smoothed: KL(world || (1 - lambda) model + lambda uniform)"},
    {"metrics", "missing_mass", MC_KEY_BOOL, "false", 0, 0, 0, NULL, CP(missing),
     "also report missing_mass, the world mass of the categories the model lost (the test error "
     "of an infinite-memory model, Dohmatob et al.)"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

typedef struct cat_world {
    uint32_t K;
    char **names;
    double *pi;
    double *logpi;      /* log pi (-inf where pi = 0) */
    double pi_total;    /* sum pi (1 up to rounding) and sum pi log pi, for the metrics */
    double pilogpi_total;
    uint32_t *nz;       /* categories with pi > 0 */
    uint32_t nnz;
    unsigned char *tail;
    double threshold;   /* world probability below which a category is in the tail */
    double tail_world;  /* world mass of the tail */
    uint32_t *tracked;
    size_t ntracked;
    uint32_t top;       /* most probable category */
} cat_world;

uint32_t mc_cat_world_k(const void *world) { return ((const cat_world *)world)->K; }


/* ---- the world ------------------------------------------------------------------------- */

static void world_free(void *vw)
{
    cat_world *w = vw;
    if (!w)
        return;
    for (uint32_t i = 0; w->names && i < w->K; i++)
        free(w->names[i]);
    free(w->names);
    free(w->pi);
    free(w->logpi);
    free(w->nz);
    free(w->tail);
    free(w->tracked);
    free(w);
}

static int world_alloc(cat_world *w, uint64_t K, mc_error *err)
{
    if (K == 0 || K > UINT32_MAX - 1)
        return mc_error_set(err, MC_ERANGE, "K = %llu categories: out of range",
                            (unsigned long long)K);
    w->K = (uint32_t)K;
    w->names = calloc(K, sizeof *w->names);
    w->pi = calloc(K, sizeof *w->pi);
    w->logpi = calloc(K, sizeof *w->logpi);
    w->nz = calloc(K, sizeof *w->nz);
    w->tail = calloc(K, 1);
    if (!w->names || !w->pi || !w->logpi || !w->nz || !w->tail)
        return mc_error_set(err, MC_ENOMEM, "out of memory for %llu categories",
                            (unsigned long long)K);
    return MC_OK;
}

static int parse_weights(cat_world *w, const char *text, const char *where, mc_error *err)
{
    char **items = NULL;
    int n = mc_split_alternatives(text, MC_KEY_STRING, &items, err); /* split on ',' */
    if (n < 0)
        return mc_error_prefix(err, "%s: ", where);
    int r = world_alloc(w, (uint64_t)n, err);
    for (int i = 0; r == MC_OK && i < n; i++) {
        char *eq = strchr(items[i], '=');
        char name[64];
        const char *num = items[i];
        if (eq) {
            size_t len = (size_t)(eq - items[i]);
            while (len && (items[i][len - 1] == ' ' || items[i][len - 1] == '\t'))
                len--;
            if (len == 0 || len >= 48) {
                r = mc_error_set(err, MC_ECONFIG, "%s: item %d '%s': the name must have 1 to 47 "
                                 "characters", where, i + 1, items[i]);
                break;
            }
            snprintf(name, sizeof name, "%.*s", (int)len, items[i]);
            const char *why = NULL;
            size_t bad = mc_text_check(name, len, NULL, &why);
            if (bad < len) {
                r = mc_error_set(err, MC_ECONFIG, "%s: item %d: the name has %s at its byte %zu",
                                 where, i + 1, why, bad + 1);
                break;
            }
            num = eq + 1;
            while (*num == ' ' || *num == '\t')
                num++;
        } else {
            snprintf(name, sizeof name, "c%d", i + 1);
        }
        double v;
        if (mc_parse_double(num, &v) != MC_OK) {
            r = mc_error_set(err, MC_ECONFIG, "%s: item %d '%s': '%s' is not a number (expected "
                             "name=weight)", where, i + 1, items[i], num);
            break;
        }
        if (v < 0) {
            r = mc_error_set(err, MC_ECONFIG, "%s: weight of '%s' is negative (%s)", where, name,
                             num);
            break;
        }
        for (int j = 0; j < i; j++)
            if (strcmp(w->names[j], name) == 0) {
                r = mc_error_set(err, MC_ECONFIG, "%s: category '%s' is named twice", where, name);
                break;
            }
        if (r != MC_OK)
            break;
        w->names[i] = strdup(name);
        w->pi[i] = v;
        if (!w->names[i])
            r = mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    mc_strings_free(items, (size_t)n);
    return r;
}

static int zipf_world(cat_world *w, long K, double s, mc_error *err)
{
    int r = world_alloc(w, (uint64_t)K, err);
    for (long i = 0; r == MC_OK && i < K; i++) {
        char name[32];
        snprintf(name, sizeof name, "c%ld", i + 1);
        w->names[i] = strdup(name);
        w->pi[i] = pow((double)(i + 1), -s);
        if (!w->names[i])
            r = mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    return r;
}

static int table_world(cat_world *w, const cat_params *cp, const mc_point *pt, mc_error *err)
{
    char path[4096];
    mc_point_data_path(pt, cp->table, path, sizeof path);
    mc_freqtable t;
    int r = mc_freqtable_read(path, (size_t)cp->table_top, &t, err);
    if (r != MC_OK)
        return mc_point_data_error(pt, "world", "table", cp->table, r, err);
    r = world_alloc(w, t.n, err);
    for (size_t i = 0; r == MC_OK && i < t.n; i++) {
        w->names[i] = t.words[i];
        t.words[i] = NULL;
        w->pi[i] = t.counts[i];
    }
    mc_freqtable_free(&t);
    return r;
}

typedef struct pi_rank {
    double pi;
    uint32_t i;
} pi_rank;

static int by_pi_asc(const void *a, const void *b)
{
    const pi_rank *x = a, *y = b;
    if (x->pi != y->pi)
        return x->pi < y->pi ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* The Zipf world's size is known before anything is allocated: refuse one that cannot fit. */
static int check(void *vp, const mc_point *pt, mc_error *err)
{
    const cat_params *cp = vp;
    double have = mc_memory_bytes();
    if (cp->world_type == WORLD_ZIPF && have > 0 && 80.0 * (double)cp->zipf_k > 0.8 * have) {
        char where[256];
        return mc_error_set(err, MC_ENOMEM,
                            "%s: K = %ld categories would need %.3g GB of memory; this machine "
                            "has %.3g GB",
                            mc_point_where(pt, "world", "zipf_k", where, sizeof where), cp->zipf_k,
                            80.0 * (double)cp->zipf_k / 1e9, have / 1e9);
    }
    return MC_OK;
}

/* The world's weights as given: named weights, Zipf(K, s) or a frequency table (unnormalised). */
static int world_weights(cat_world *w, const cat_params *cp, const mc_point *pt, mc_error *err)
{
    char where[256];
    switch (cp->world_type) {
    case WORLD_WEIGHTS:
        return parse_weights(w, cp->weights,
                             mc_point_where(pt, "world", "weights", where, sizeof where), err);
    case WORLD_ZIPF: return zipf_world(w, cp->zipf_k, cp->zipf_s, err);
    default: return table_world(w, cp, pt, err);
    }
}

/* pi /= sum pi, and what the metrics precompute from pi: log pi, the totals, the categories with
 * pi > 0 and the most probable one. A sum of zero or infinity is a configuration error. */
static int world_normalise(cat_world *w, const mc_point *pt, mc_error *err)
{
    char where[256];
    double sum = 0;
    for (uint32_t i = 0; i < w->K; i++)
        sum += w->pi[i];
    if (!(sum > 0))
        return mc_error_set(err, MC_ECONFIG, "%s: the weights sum to zero",
                            mc_point_where(pt, "world", "weights", where, sizeof where));
    if (!isfinite(sum))
        return mc_error_set(err, MC_ECONFIG, "%s: the weights sum to infinity",
                            mc_point_where(pt, "world", "weights", where, sizeof where));
    for (uint32_t i = 0; i < w->K; i++) {
        w->pi[i] /= sum;
        w->logpi[i] = w->pi[i] > 0 ? log(w->pi[i]) : -INFINITY;
        w->pi_total += w->pi[i];
        if (w->pi[i] > 0)
            w->pilogpi_total += w->pi[i] * w->logpi[i];
        if (w->pi[i] > 0)
            w->nz[w->nnz++] = i;
        if (w->pi[i] > w->pi[w->top])
            w->top = i;
    }
    return MC_OK;
}

/* The threshold below which a category is in the tail, from tail_mass: just above the largest
 * pi such that the rarest categories up to it (ties all in or all out) hold at most tail_mass. */
static int tail_threshold_from_mass(const cat_world *w, double tail_mass, double *threshold,
                                    mc_error *err)
{
    pi_rank *rk = malloc(sizeof *rk * w->K);
    if (!rk)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < w->K; i++)
        rk[i] = (pi_rank){w->pi[i], i};
    qsort(rk, w->K, sizeof *rk, by_pi_asc);
    /* the rarest categories whose cumulative mass stays within tail_mass (a small relative
     * tolerance absorbs rounding: 0.01 + 0.09 must count as 0.1) */
    double cum = 0;
    *threshold = 0;
    for (uint32_t k = 0; k < w->K; k++) {
        cum += rk[k].pi;
        if (cum > tail_mass * (1 + 1e-9))
            break;
        if (k + 1 == w->K || rk[k + 1].pi > rk[k].pi)
            *threshold = nextafter(rk[k].pi, INFINITY);
    }
    free(rk);
    return MC_OK;
}

/* The tail: metrics.tail_threshold when set, else derived from metrics.tail_mass. */
static int world_tail(cat_world *w, const cat_params *cp, mc_error *err)
{
    int r = MC_OK;
    if (!isnan(cp->tail_threshold))
        w->threshold = cp->tail_threshold;
    else
        r = tail_threshold_from_mass(w, cp->tail_mass, &w->threshold, err);
    for (uint32_t i = 0; r == MC_OK && i < w->K; i++) {
        w->tail[i] = w->pi[i] < w->threshold;
        if (w->tail[i])
            w->tail_world += w->pi[i];
    }
    return r;
}

/* Tracked categories: those named in metrics.track ('none': none); by default every named
 * weight when there are at most 20. */
static int world_track(cat_world *w, const cat_params *cp, const mc_point *pt, mc_error *err)
{
    char where[256];
    const char *track = cp->track;
    if (!track && cp->world_type == WORLD_WEIGHTS && w->K <= 20) {
        w->tracked = malloc(sizeof *w->tracked * w->K);
        if (!w->tracked)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        for (uint32_t i = 0; i < w->K; i++)
            w->tracked[w->ntracked++] = i;
        return MC_OK;
    }
    if (!track || strcmp(track, "none") == 0)
        return MC_OK;
    char **names = NULL;
    int n = mc_split_alternatives(track, MC_KEY_STRING, &names, err);
    if (n < 0)
        return mc_error_prefix(err, "%s: ",
                               mc_point_where(pt, "metrics", "track", where, sizeof where));
    int r = MC_OK;
    if (n > 0 && !(w->tracked = malloc(sizeof *w->tracked * (unsigned)n)))
        r = mc_error_set(err, MC_ENOMEM, "out of memory");
    for (int j = 0; r == MC_OK && j < n; j++) {
        uint32_t i = 0;
        while (i < w->K && strcmp(w->names[i], names[j]) != 0)
            i++;
        if (i == w->K) {
            r = mc_error_set(err, MC_ECONFIG, "%s: no category named '%s' in the world",
                             mc_point_where(pt, "metrics", "track", where, sizeof where),
                             names[j]);
            break;
        }
        for (size_t t = 0; t < w->ntracked; t++)
            if (w->tracked[t] == i) {
                r = mc_error_set(err, MC_ECONFIG, "%s: category '%s' is named twice",
                                 mc_point_where(pt, "metrics", "track", where, sizeof where),
                                 names[j]);
                break;
            }
        if (r != MC_OK)
            break;
        w->tracked[w->ntracked++] = i;
    }
    if (n > 0)
        mc_strings_free(names, (size_t)n);
    return r;
}

/* The world in four steps: its weights, normalised, its tail, its tracked categories. */
static int world_create(const void *vp, const mc_point *pt, gsl_rng *rng, void **out,
                        mc_error *err)
{
    (void)rng;
    const cat_params *cp = vp;
    cat_world *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = world_weights(w, cp, pt, err);
    if (r == MC_OK)
        r = world_normalise(w, pt, err);
    if (r == MC_OK)
        r = world_tail(w, cp, err);
    if (r == MC_OK)
        r = world_track(w, cp, pt, err);
    if (r != MC_OK) {
        world_free(w);
        return r;
    }
    *out = w;
    return MC_OK;
}

/* The metrics, in this order (describe, metrics and theory index them by this enum); each
 * tracked category t then adds C_SHARE and C_ALIVE at C_NFIXED + C_PER_CATEGORY t. */
enum { C_ALIVE_COUNT, C_TAIL_MASS, C_ENTROPY, C_GINI_SIMPSON, C_KL, C_KL_SMOOTHED, C_TV, C_NFIXED };
enum { C_SHARE, C_ALIVE, C_PER_CATEGORY };

static const mc_metric_def METRICS[C_NFIXED] = {
    [C_ALIVE_COUNT] = {"alive", MC_ROLE_DIVERSITY, "categories", 1, 0,
                       "categories with model probability > 0"},
    [C_TAIL_MASS] = {"tail_mass", MC_ROLE_TAIL, "fraction", 1, 0,
                     "model probability of the world's tail (its rarest categories)"},
    [C_ENTROPY] = {"entropy", MC_ROLE_DIVERSITY, "nats", 1, 0, "entropy of the model"},
    [C_GINI_SIMPSON] = {"gini_simpson", MC_ROLE_DIVERSITY, "", 1, 0,
                        "Gini-Simpson index 1 - sum p^2 of the model"},
    [C_KL] = {"kl", MC_ROLE_DIVERGENCE, "nats", -1, 0,
              "KL(world || model); inf once a category of the world is extinct"},
    [C_KL_SMOOTHED] = {"kl_smoothed", MC_ROLE_DIVERGENCE, "nats", -1, 0,
                       "KL(world || (1-lambda) model + lambda uniform)"},
    [C_TV] = {"tv", MC_ROLE_DIVERGENCE, "", -1, 0,
              "total variation distance between world and model"},
};
/* With metrics.missing_mass, after the tracked categories' metrics. */
static const mc_metric_def MISSING_MASS = {
    "missing_mass", MC_ROLE_DIVERGENCE, "fraction", -1, 0,
    "world mass of the categories with model probability 0 (an infinite-memory model's test "
    "error)"};
static const mc_metric_def PER_CATEGORY[C_PER_CATEGORY] = {
    [C_SHARE] = {"p_%s", MC_ROLE_SHARE, "probability", 0, 0, "model probability of the category"},
    [C_ALIVE] = {"alive_%s", MC_ROLE_PRESENCE, "", 1, 0,
                 "1 if the category is alive (model probability > 0), else 0"},
};

static int describe(const void *vp, const void *vw, mc_metric_list *l, mc_error *err)
{
    const cat_world *w = vw;
    int r = mc_metric_declare_all(l, METRICS, C_NFIXED);
    for (size_t t = 0; r == MC_OK && t < w->ntracked; t++) {
        uint32_t i = w->tracked[t];
        unsigned head = (w->ntracked == 1 || i != w->top) ? MC_METRIC_HEADLINE : 0;
        for (int k = 0; r == MC_OK && k < C_PER_CATEGORY; k++) {
            mc_metric_def d = PER_CATEGORY[k];
            d.flags |= head;
            r = mc_metric_declare(l, &d, w->names[i]);
        }
    }
    if (r == MC_OK && ((const cat_params *)vp)->missing)
        r = mc_metric_declare_all(l, &MISSING_MASS, 1);
    if (r != MC_OK)
        return mc_error_set(err, r, r == MC_ERANGE ? "a category name is too long for a metric "
                                                     "name" : "out of memory");
    return MC_OK;
}

static double bytes_needed(const void *vp, const void *vw, double n)
{
    (void)vp;
    (void)n;
    const cat_world *w = vw;
    return 48.0 * w->K; /* two count vectors per dataset, the model's arrays */
}

/* ---- datasets -------------------------------------------------------------------------- */

static void ds_free(void *vd)
{
    cat_ds *d = vd;
    if (!d)
        return;
    free(d->c);
    free(d->ch);
    free(d);
}

static cat_ds *ds_alloc(uint32_t K)
{
    cat_ds *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    d->K = K;
    d->c = calloc(K, sizeof *d->c);
    d->ch = calloc(K, sizeof *d->ch);
    if (!d->c || !d->ch) {
        ds_free(d);
        return NULL;
    }
    return d;
}

static int draw_world(gsl_rng *r, const void *vp, const void *vw, uint64_t n, void **out,
                      mc_error *err)
{
    (void)vp;
    const cat_world *w = vw;
    cat_ds *d = ds_alloc(w->K);
    if (!d || mc_ran_multinomial(r, n, w->pi, w->nz, w->nnz, d->c) != MC_OK) {
        ds_free(d);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    memcpy(d->ch, d->c, sizeof *d->c * w->K);
    d->n = d->nh = n;
    *out = d;
    return MC_OK;
}

/* The sampling distribution of the model: temperature, then top-k, then top-p. Fills m->q on
 * the alive categories and returns the categories to draw from in *idx / *m_out. */
static int sampling_distribution(cat_model *m, const mc_sampling *s, const uint32_t **idx,
                                 uint32_t *m_out)
{
    uint32_t n = m->nalive;
    const uint32_t *a = m->alive;
    if (s->temperature == 1.0) {
        for (uint32_t j = 0; j < n; j++)
            m->q[a[j]] = m->p[a[j]];
    } else {
        double mx = -INFINITY;
        for (uint32_t j = 0; j < n; j++) {
            double v = log(m->p[a[j]]) / s->temperature;
            m->q[a[j]] = v;
            if (v > mx)
                mx = v;
        }
        for (uint32_t j = 0; j < n; j++)
            m->q[a[j]] = exp(m->q[a[j]] - mx);
    }
    *idx = a;
    *m_out = n;
    int topk = s->top_k > 0 && (uint64_t)s->top_k < n;
    int topp = s->top_p < 1.0;
    if (!topk && !topp)
        return MC_OK;
    /* sort the alive categories by q descending, ties by index (pairs keep qsort free of
     * shared state, so threads never interfere) */
    pi_rank *pr = malloc(sizeof *pr * n);
    if (!pr)
        return MC_ENOMEM;
    for (uint32_t j = 0; j < n; j++)
        pr[j] = (pi_rank){-m->q[a[j]], a[j]}; /* ascending -q = descending q, ties by index */
    qsort(pr, n, sizeof *pr, by_pi_asc);
    for (uint32_t j = 0; j < n; j++)
        m->order[j] = pr[j].i;
    free(pr);
    uint32_t keep = n;
    if (topk)
        keep = (uint32_t)s->top_k;
    if (topp) {
        double total = 0;
        for (uint32_t j = 0; j < keep; j++)
            total += m->q[m->order[j]];
        double cum = 0;
        uint32_t j = 0;
        while (j < keep) {
            cum += m->q[m->order[j]];
            j++;
            if (cum >= s->top_p * total * (1 - 1e-12))
                break;
        }
        keep = j;
    }
    *idx = m->order;
    *m_out = keep;
    return MC_OK;
}

static int draw_model(gsl_rng *r, const void *vp, const void *vm, const mc_sampling *s,
                      uint64_t n, void **out, mc_error *err)
{
    (void)vp;
    cat_model *m = (cat_model *)vm; /* only its scratch arrays are written */
    cat_ds *d = ds_alloc(m->K);
    const uint32_t *idx;
    uint32_t k;
    if (!d || sampling_distribution(m, s, &idx, &k) != MC_OK ||
        mc_ran_multinomial(r, n, m->q, idx, k, d->c) != MC_OK) {
        ds_free(d);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    d->n = n;
    *out = d;
    return MC_OK;
}

static int ds_copy(const void *vs, void **out, mc_error *err)
{
    const cat_ds *s = vs;
    cat_ds *d = ds_alloc(s->K);
    if (!d)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    memcpy(d->c, s->c, sizeof *d->c * s->K);
    memcpy(d->ch, s->ch, sizeof *d->ch * s->K);
    d->n = s->n;
    d->nh = s->nh;
    *out = d;
    return MC_OK;
}

static int ds_merge(void *vi, const void *vf, mc_error *err)
{
    cat_ds *into = vi;
    const cat_ds *from = vf;
    if (into->n > UINT64_MAX - from->n)
        return mc_error_set(err, MC_ERANGE, "accumulated data exceeds 2^64 samples");
    for (uint32_t i = 0; i < into->K; i++) {
        into->c[i] += from->c[i];
        into->ch[i] += from->ch[i];
    }
    into->n += from->n;
    into->nh += from->nh;
    return MC_OK;
}

/* n without replacement: a multivariate hypergeometric draw by sequential conditionals, and
 * within each category a hypergeometric split into human and synthetic. */
static int ds_subsample(gsl_rng *r, const void *vp, uint64_t n, void **out, mc_error *err)
{
    const cat_ds *pool = vp;
    cat_ds *d = ds_alloc(pool->K);
    if (!d)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    if (n > pool->n)
        n = pool->n;
    d->nh = mc_count_subsample(r, pool->c, pool->ch, pool->K, pool->n, n, d->c, d->ch);
    d->n = n;
    *out = d;
    return MC_OK;
}

/* The operator's signal: the entropy (nats) of the dataset's empirical distribution c / n, from
 * the samples alone. Empty dataset: NaN. */
static int signal(const void *vp, const void *vd, double *out)
{
    (void)vp;
    const cat_ds *d = vd;
    double H = 0, n = (double)d->n;
    for (uint32_t i = 0; i < d->K; i++)
        if (d->c[i]) {
            double f = (double)d->c[i] / n;
            H -= f * log(f);
        }
    *out = d->n ? H : NAN;
    return MC_OK;
}

/* ---- curation and detection (family.h: score, ds_pick, ds_thin) --------------------------
 * A count vector lists its samples by category, and within a category its human ones first:
 * sample j is in the category i with C_i <= j < C_i + c_i (C the running sum of the counts), and
 * human when j - C_i < ch_i. The verifier's score of a sample of category i is log pi_i; a biased
 * verifier (bias b) scores against the tilted world pi_i^(1+b) / sum_j pi_j^(1+b): b > 0 overrates
 * the frequent categories (a popularity bias), -1 < b < 0 flattens towards uniform, b < -1
 * prefers the rare ones. */

static int score(const void *vp, const void *vw, double bias, const void *vd, double *out,
                 mc_error *err)
{
    (void)vp;
    (void)err;
    const cat_world *w = vw;
    const cat_ds *d = vd;
    double a = 1 + bias, mx = -INFINITY, z = 0;
    for (uint32_t j = 0; bias != 0 && j < w->nnz; j++)
        mx = fmax(mx, a * w->logpi[w->nz[j]]);
    for (uint32_t j = 0; bias != 0 && j < w->nnz; j++)
        z += exp(a * w->logpi[w->nz[j]] - mx);
    double logz = bias != 0 ? mx + log(z) : 0;
    uint64_t at = 0;
    for (uint32_t i = 0; i < d->K; i++) {
        double s = w->pi[i] > 0 ? (bias != 0 ? a * w->logpi[i] - logz : w->logpi[i]) : -INFINITY;
        for (uint64_t j = 0; j < d->c[i]; j++)
            out[at++] = s;
    }
    return MC_OK;
}

static int ds_pick(const void *vd, const uint64_t *idx, uint64_t m, void **out, mc_error *err)
{
    const cat_ds *s = vd;
    cat_ds *d = ds_alloc(s->K);
    if (!d)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    uint32_t i = 0;
    uint64_t first = 0; /* C_i */
    for (uint64_t j = 0; j < m; j++) {
        while (idx[j] >= first + s->c[i])
            first += s->c[i++];
        d->c[i]++;
        if (idx[j] - first < s->ch[i]) {
            d->ch[i]++;
            d->nh++;
        }
    }
    d->n = m;
    *out = d;
    return MC_OK;
}

static int ds_thin(gsl_rng *r, const void *vd, double keep_human, double keep_synth, void **out,
                   mc_error *err)
{
    const cat_ds *s = vd;
    cat_ds *d = ds_alloc(s->K);
    if (!d)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < s->K; i++) {
        if (!s->c[i])
            continue;
        uint64_t h = s->ch[i] ? mc_ran_binomial(r, keep_human, s->ch[i]) : 0;
        uint64_t y = s->c[i] > s->ch[i] ? mc_ran_binomial(r, keep_synth, s->c[i] - s->ch[i]) : 0;
        d->ch[i] = h;
        d->c[i] = h + y;
        d->nh += h;
        d->n += h + y;
    }
    *out = d;
    return MC_OK;
}

/* A Fenwick tree over cells 1..n (t[0] unused): the cell holding the u-th item (0-based) by
 * prefix sums, and one item fewer in a cell, each in O(log n). */
static size_t fenwick_find(const uint64_t *t, size_t n, uint64_t u)
{
    size_t at = 0, step = 1;
    while (step * 2 <= n)
        step *= 2;
    for (; step; step /= 2)
        if (at + step <= n && t[at + step] <= u) {
            at += step;
            u -= t[at];
        }
    return at + 1;
}

static void fenwick_take(uint64_t *t, size_t n, size_t i)
{
    for (; i <= n; i += i & (~i + 1))
        t[i]--;
}

/* Moves m items, chosen uniformly one by one without replacement, between d and the rest of
 * pool: out of d (sign < 0: from d's cells) or into d (sign > 0: from the cells of pool - d).
 * The 2K cells are the human and the synthetic items of each category (cell 2i + 1 and 2i + 2
 * of the tree). O(K + m log K). */
static int crawl_adjust(gsl_rng *r, cat_ds *d, const cat_ds *pool, uint64_t m, int sign)
{
    size_t n = 2 * (size_t)d->K;
    uint64_t *t = calloc(n + 1, sizeof *t), total = 0;
    if (!t)
        return MC_ENOMEM;
    for (uint32_t i = 0; i < d->K; i++) {
        uint64_t dh = d->ch[i], ds = d->c[i] - d->ch[i];
        t[2 * (size_t)i + 1] = sign < 0 ? dh : pool->ch[i] - dh;
        t[2 * (size_t)i + 2] = sign < 0 ? ds : pool->c[i] - pool->ch[i] - ds;
        total += t[2 * (size_t)i + 1] + t[2 * (size_t)i + 2];
    }
    for (size_t i = 1; i <= n; i++) { /* the tree in O(n): each node adds itself to its parent */
        size_t up = i + (i & (~i + 1));
        if (up <= n)
            t[up] += t[i];
    }
    for (uint64_t k = 0; k < m && total > 0; k++, total--) {
        size_t cell = fenwick_find(t, n, mc_rng_index(r, total));
        fenwick_take(t, n, cell);
        uint32_t i = (uint32_t)((cell - 1) / 2);
        int human = (cell - 1) % 2 == 0;
        d->c[i] = sign < 0 ? d->c[i] - 1 : d->c[i] + 1;
        if (human)
            d->ch[i] = sign < 0 ? d->ch[i] - 1 : d->ch[i] + 1;
    }
    free(t);
    return MC_OK;
}

/* The web's crawl (family.h ds_crawl): every item of the pool is kept with probability
 * p = n / N independently (a binomial per category and provenance), then the N' kept are
 * corrected to n: N' - n of them dropped uniformly, or n - N' of the others added uniformly
 * (crawl_adjust, one by one: |N' - n| ~ sqrt(N p (1 - p)) items). Independent thinning conditioned
 * on its total is a uniform subset, and a uniform subset of a uniform subset (or one topped up
 * uniformly from the rest) is uniform: exactly ds_subsample's law, with 2K binomials and
 * O(sqrt(n) log K) steps instead of 2K hypergeometric draws. */
static int ds_crawl(gsl_rng *r, const void *vp, uint64_t n, void **out, mc_error *err)
{
    const cat_ds *pool = vp;
    if (n >= pool->n)
        return ds_copy(pool, out, err);
    cat_ds *d = ds_alloc(pool->K);
    if (!d)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    double p = (double)n / (double)pool->n;
    for (uint32_t i = 0; i < pool->K; i++) {
        if (!pool->c[i])
            continue;
        uint64_t h = pool->ch[i] ? mc_ran_binomial(r, p, pool->ch[i]) : 0;
        uint64_t y = pool->c[i] > pool->ch[i] ? mc_ran_binomial(r, p, pool->c[i] - pool->ch[i])
                                              : 0;
        d->ch[i] = h;
        d->c[i] = h + y;
        d->n += h + y;
    }
    int rc = MC_OK;
    if (d->n > n)
        rc = crawl_adjust(r, d, pool, d->n - n, -1);
    else if (d->n < n)
        rc = crawl_adjust(r, d, pool, n - d->n, +1);
    if (rc != MC_OK) {
        ds_free(d);
        return mc_error_set(err, rc, "out of memory");
    }
    d->n = n;
    for (uint32_t i = 0; i < d->K; i++)
        d->nh += d->ch[i];
    *out = d;
    return MC_OK;
}

/* The web's distance between two models: total variation (1/2) sum |p_i - q_i|. */
static int distance(const void *vp, const void *va, const void *vb, double *out, mc_error *err)
{
    (void)vp;
    (void)err;
    const cat_model *a = va, *b = vb;
    double tv = 0;
    for (uint32_t i = 0; i < a->K; i++)
        tv += fabs(a->p[i] - b->p[i]);
    *out = tv / 2;
    return MC_OK;
}

static uint64_t ds_size(const void *vd) { return ((const cat_ds *)vd)->n; }
static uint64_t ds_human(const void *vd) { return ((const cat_ds *)vd)->nh; }

/* ---- the model ------------------------------------------------------------------------- */

static void model_free(void *vm)
{
    cat_model *m = vm;
    if (!m)
        return;
    free(m->p);
    free(m->alive);
    free(m->q);
    free(m->order);
    free(m);
}

static int model_alloc(const void *vp, const void *vw, void **out, mc_error *err)
{
    (void)vp;
    const cat_world *w = vw;
    cat_model *m = calloc(1, sizeof *m);
    if (m) {
        m->K = w->K;
        m->p = calloc(w->K, sizeof *m->p);
        m->alive = calloc(w->K, sizeof *m->alive);
        m->q = calloc(w->K, sizeof *m->q);
        m->order = calloc(w->K, sizeof *m->order);
    }
    if (!m || !m->p || !m->alive || !m->q || !m->order) {
        model_free(m);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    *out = m;
    return MC_OK;
}

static int fit(void *vm, const void *vp, const void *vt, const mc_fit_opts *o, mc_error *err)
{
    cat_model *m = vm;
    const cat_params *cp = vp;
    const cat_ds *d = vt;
    if (d->n == 0)
        return mc_error_set(err, MC_EINTERNAL, "fit on an empty training set");
    double n = (double)d->n, K = (double)m->K, alpha = cp->alpha;
    double wh = 0, ws = 0; /* per-sample weights of human and synthetic counts */
    int weighted = o && o->human_weight >= 0;
    if (weighted) {
        uint64_t ns = d->n - d->nh;
        double w = o->human_weight;
        if (d->nh == 0)
            ws = n / (double)ns;
        else if (ns == 0)
            wh = n / (double)d->nh;
        else {
            wh = n * w / (double)d->nh;
            ws = n * (1 - w) / (double)ns;
        }
    }
    double denom = n + K * alpha;
    m->nalive = 0;
    for (uint32_t i = 0; i < m->K; i++) {
        double c = weighted ? wh * (double)d->ch[i] + ws * (double)(d->c[i] - d->ch[i])
                            : (double)d->c[i];
        double p = (c + alpha) / denom;
        m->p[i] = p;
        if (p > 0)
            m->alive[m->nalive++] = i;
    }
    if (weighted) { /* renormalise against rounding in the weights */
        double s = 0;
        for (uint32_t j = 0; j < m->nalive; j++)
            s += m->p[m->alive[j]];
        for (uint32_t j = 0; j < m->nalive; j++)
            m->p[m->alive[j]] /= s;
    }
    return MC_OK;
}

static int metrics(gsl_rng *r, const mc_eval *ev, double *out, mc_error *err)
{
    (void)r;
    (void)err;
    const cat_world *w = ev->world;
    const cat_params *cp = ev->params;
    const cat_model *m = ev->model;
    /* Sums run over the alive categories only, so a generation costs O(K_alive): a dead
     * category (p = 0) adds pi to TV, pi (log pi - log(lambda/K)) to the smoothed KL and makes
     * KL infinite, and those terms come from world totals precomputed in world_create. */
    double tail = 0, H = 0, sq = 0, kl = 0, kls = 0, tv = 0;
    double alive_mass = 0, alive_pilogpi = 0;
    uint32_t world_alive = 0;
    double lam = cp->kl_lambda, u = 1.0 / (double)w->K;
    for (uint32_t j = 0; j < m->nalive; j++) {
        uint32_t i = m->alive[j];
        double p = m->p[i], pi = w->pi[i], lp = log(p);
        if (w->tail[i])
            tail += p;
        H -= p * lp;
        sq += p * p;
        if (pi > 0) {
            world_alive++;
            alive_mass += pi;
            alive_pilogpi += pi * w->logpi[i];
            kl += pi * (w->logpi[i] - lp);
            kls += pi * (w->logpi[i] - log((1 - lam) * p + lam * u));
        }
        tv += fabs(pi - p);
    }
    double dead_mass = w->pi_total - alive_mass;
    if (world_alive == w->nnz || dead_mass < 0)
        dead_mass = 0;
    else
        kls += (w->pilogpi_total - alive_pilogpi) - dead_mass * log(lam * u);
    if (world_alive < w->nnz)
        kl = INFINITY;
    tv += dead_mass;
    out[C_ALIVE_COUNT] = m->nalive;
    out[C_TAIL_MASS] = tail;
    out[C_ENTROPY] = H;
    out[C_GINI_SIMPSON] = 1 - sq;
    out[C_KL] = kl;
    out[C_KL_SMOOTHED] = kls;
    out[C_TV] = 0.5 * tv;
    for (size_t t = 0; t < w->ntracked; t++) {
        double p = m->p[w->tracked[t]], *cat = out + C_NFIXED + C_PER_CATEGORY * t;
        cat[C_SHARE] = p;
        cat[C_ALIVE] = p > 0;
    }
    if (cp->missing)
        out[C_NFIXED + C_PER_CATEGORY * w->ntracked] = dead_mass;
    return MC_OK;
}

/* Closed forms, where they exist (docs/THEORY.md):
 *  - at temperature 1 without truncation or smoothing, every regime keeps E[p_g] = pi (a
 *    multinomial draw and a hypergeometric subsample are unbiased; a mixture of unbiased parts is
 *    unbiased), so E[p_NAME] = pi_NAME and E[tail_mass] = the world's tail mass;
 *  - replace with fixed n: E[1 - sum p_g^2] = (1 - sum pi^2)(1 - 1/n)^(g+1) (the Wright-Fisher
 *    decay of heterozygosity: E[sum phat^2] = (1 - 1/n) sum p^2 + 1/n for one multinomial draw);
 *  - alive at generation 0: E = sum_i 1 - (1 - pi_i)^n, and missing_mass at generation 0:
 *    E = sum_i pi_i (1 - pi_i)^n (Hutter's infinite-memory test error). */
static double theory(const mc_point *pt, const void *vw, size_t m, unsigned g)
{
    const cat_world *w = vw;
    const cat_params *cp = pt->params;
    const mc_sampling *s = &pt->sampling;
    int neutral = s->temperature == 1.0 && s->top_k == 0 && s->top_p == 1.0 && cp->alpha == 0 &&
                  pt->regime_settings.human_weight < 0;
    double n = (double)pt->regime_settings.n;
    if (m == C_ALIVE_COUNT && g == 0 && cp->alpha == 0) {
        double e = 0;
        for (uint32_t i = 0; i < w->nnz; i++)
            e += -expm1(n * log1p(-w->pi[w->nz[i]]));
        return e;
    }
    if (m == C_NFIXED + C_PER_CATEGORY * w->ntracked) { /* missing_mass */
        double e = 0;
        for (uint32_t i = 0; g == 0 && cp->alpha == 0 && i < w->nnz; i++)
            e += w->pi[w->nz[i]] * exp(n * log1p(-w->pi[w->nz[i]]));
        return g == 0 && cp->alpha == 0 ? e : NAN;
    }
    if (m == C_TAIL_MASS && neutral)
        return w->tail_world;
    if (m == C_GINI_SIMPSON && (neutral || g == 0) && cp->alpha == 0 &&
        (g == 0 || (pt->regime->law == MC_LAW_MODEL_ONLY && pt->regime_settings.growth == 1))) {
        double sq = 0;
        for (uint32_t i = 0; i < w->nnz; i++)
            sq += w->pi[w->nz[i]] * w->pi[w->nz[i]];
        return (1 - sq) * pow(1 - 1 / n, (double)g + 1);
    }
    if (m >= C_NFIXED && (m - C_NFIXED) % C_PER_CATEGORY == C_SHARE && neutral)
        return w->pi[w->tracked[(m - C_NFIXED) / C_PER_CATEGORY]];
    return NAN;
}

const mc_family_type mc_family_categorical = {
    .name = "categorical",
    .description = "K categories (named weights, Zipf, or a word-frequency table); ML fit with "
                   "optional additive smoothing",
    .keys = cat_keys,
    .params_size = sizeof(cat_params),
    .sampling = MC_SAMPLE_TEMPERATURE | MC_SAMPLE_TOP_K | MC_SAMPLE_TOP_P,
    .check = check,
    .world_create = world_create,
    .world_free = world_free,
    .describe = describe,
    .bytes_needed = bytes_needed,
    .draw_world = draw_world,
    .draw_model = draw_model,
    .ds_copy = ds_copy,
    .ds_merge = ds_merge,
    .ds_subsample = ds_subsample,
    .ds_size = ds_size,
    .ds_human = ds_human,
    .ds_free = ds_free,
    .model_alloc = model_alloc,
    .fit = fit,
    .model_free = model_free,
    .metrics = metrics,
    .theory = theory,
    .signal = signal,
    .score = score,
    .ds_pick = ds_pick,
    .ds_thin = ds_thin,
    .distance = distance,
    .ds_crawl = ds_crawl,
    .model_save = mc_cat_model_save,
    .model_load = mc_cat_model_load,
    .ds_save = mc_cat_ds_save,
    .ds_load = mc_cat_ds_load,
};
