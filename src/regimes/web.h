/* web.h - the shared web (src/regimes/web*.c; docs/WEB.md): a pool of published items with
 * their provenance, M model lineages that publish into it and train on crawls of it. Private to
 * the library. */
#ifndef MC_WEB_H
#define MC_WEB_H

#include "collapse.h"
#include "workforce.h"

enum { WEB_CRAWL_UNIFORM, WEB_CRAWL_NEWEST, WEB_CRAWL_RECENT };
enum { WEB_HUMANS_SHARE, WEB_HUMANS_WORKFORCE };

/* [regime] keys of the web */
typedef struct web_params {
    long models;              /* M lineages */
    uint64_t publish;         /* items each lineage publishes per generation (0: n_g) */
    const char *temperatures; /* one per lineage (or one for all); NULL: [sampling] */
    double retention;         /* probability an item stays on the web for one more generation */
    int crawl;                /* WEB_CRAWL_* */
    double recency;           /* recent crawl: an item of age a is crawled at a rate ~ recency^a */
    int humans;               /* WEB_HUMANS_*: who publishes the human items */
    mc_workforce_params wf;   /* with humans = workforce (the pipeline's keys) */
} web_params;

/* A published batch: family-shaped items of one source made in one generation. A categorical
 * batch is a count vector, so the web costs O(K) per batch whatever its size. */
typedef struct web_batch {
    void *ds;
    long source;    /* -1: humans; m: lineage m */
    long generation;
} web_batch;

/* The web. With a uniform crawl every batch is merged into one (neither age nor the lineage
 * matters to it; the dataset keeps each item's human or synthetic provenance: a categorical
 * web is two count vectors, human and synthetic, of K each), so a generation costs O(K); with a
 * newest-first or recent crawl one batch per source and generation. */
typedef struct web_pool {
    web_batch *b;
    size_t n, cap;
} web_pool;

/* Each item stays with probability retention (binomial thinning per batch); empty batches go. */
int web_pool_retain(const mc_unit *u, web_pool *w, double retention, mc_error *err);
/* Adds ds (owned by the pool from now on) as source's batch of generation g. */
int web_pool_add(const mc_unit *u, web_pool *w, void *ds, long source, long g, int merge,
                 mc_error *err);
uint64_t web_pool_size(const mc_unit *u, const web_pool *w);
uint64_t web_pool_human(const mc_unit *u, const web_pool *w);
/* A crawl of k items into *out (owned by the caller): uniform over the web, the newest items
 * first, or weighted to recent items (each generation's content crawled at a rate proportional
 * to recency^age); the whole web, without a random number, when it holds exactly k. MC_ECONFIG
 * naming regime.publish when the web holds fewer than k. */
int web_pool_crawl(const mc_unit *u, const web_pool *w, const web_params *wp, uint64_t k,
                   void **out, mc_error *err);
void web_pool_free(const mc_unit *u, web_pool *w);

/* One lineage's training set from the web: a crawl through the detector (regime.detector_*;
 * with refill, crawled again until full) and the selection (regime.select: K n crawled, n
 * kept). */
int web_crawl_for(const mc_unit *u, const web_pool *w, const web_params *wp, void **out,
                  mc_error *err);

/* The web's metrics (web_metrics.c). */
typedef struct web_state web_state;
int web_describe(const void *params, const mc_point *pt, mc_metric_list *out, mc_error *err);
int web_metrics(const mc_unit *u, void *state, const double *row, double *out, mc_error *err);

/* What web_metrics reads of the state. */
struct web_state {
    web_pool pool;
    long M;
    void **models;        /* (M) lineage m's model; [0] is the engine's (NULL here) */
    void **train;         /* (M) lineage m's latest training set */
    mc_sampling *samp;    /* (M) lineage m's sampling settings */
    double *fam;          /* (M * F) scratch: the family metrics of each lineage */
    mc_workforce wf;      /* with humans = workforce */
};

#endif
