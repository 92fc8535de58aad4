/* web.c - the shared web (docs/WEB.md): M model lineages and the humans publish into one pool of
 * items with their provenance, and each lineage's next model trains on a crawl of that pool.
 *
 * Generation g >= 1, in this order:
 *   1. retention: each item on the web stays with probability regime.retention;
 *   2. publishing: humans publish H_g = round(h_g / (1 - h_g) M P) items of the world (h_g =
 *      regime.h or regime.schedule: the human share of the new content), or with regime.humans
 *      = workforce what the pipeline's workforce makes (workforce.c, the same code as the
 *      pipeline regime's, with no operator alarm), then each lineage m
 *      publishes P = regime.publish (default n_g) samples of its model g - 1 with its own
 *      temperature (regime.temperatures);
 *   3. crawling: lineages 1..M-1, then lineage 0 (the engine's model), each crawl n_g items,
 *      uniform over the web, the newest first, or weighted to recent items (web_pool.c), through the detector (regime.detector_*) and
 *      the selection (regime.select: K n_g crawled, n_g kept); lineages 1..M-1 are fitted here,
 *      lineage 0 by the engine.
 * Generation 0: every lineage's model is fitted on the same human data, which is the web's first
 * content. One lineage that publishes its training need, retention 0 and h is the `fresh` regime
 * with that h, sample for sample (human items first, then the model's, crawled whole).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "web.h"

#define WP(f) offsetof(web_params, f)
static const mc_key web_keys[] = {
    {"regime", "models", MC_KEY_INT, "1", 1, 1000, 0, NULL, WP(models),
     "web: M model lineages publishing to and crawling from one web"},
    {"regime", "publish", MC_KEY_COUNT, "0", 0, 1.8e19, 0, NULL, WP(publish),
     "web: items each lineage publishes per generation (0: its training need n_g)"},
    {"regime", "temperatures", MC_KEY_LIST, NULL, 0, 0, 0, NULL, WP(temperatures),
     "web: sampling temperature of each lineage, M numbers (default: sampling.temperature)"},
    {"regime", "retention", MC_KEY_DOUBLE, "1", 0, 1, 0, NULL, WP(retention),
     "web: probability that an item stays on the web one more generation (1: the web only "
     "grows; 0: only this generation's content)"},
    {"regime", "crawl", MC_KEY_ENUM, "uniform", 0, 0, 0, "uniform|newest|recent", WP(crawl),
     "web: a crawl picks items uniformly, the newest first, or weighted to recent items "
     "(regime.recency)"},
    {"regime", "recency", MC_KEY_DOUBLE, "0.5", 0, 1, MC_KEY_MIN_OPEN, NULL, WP(recency),
     "web, crawl = recent: an item of age a is crawled at a rate proportional to recency^a"},
    {"regime", "humans", MC_KEY_ENUM, "share", 0, 0, 0, "share|workforce", WP(humans),
     "web: who publishes the human items: share (h of the new content: regime.h, "
     "regime.schedule) or workforce (the pipeline's creators: regime.workforce, q, lag, ...)"},
    MC_WORKFORCE_KEYS(web_params),
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

/* regime.temperatures: M positive numbers (or one for all) into t (M) when t is not NULL. */
static int parse_temps(const web_params *wp, const mc_point *pt, double *t, mc_error *err)
{
    char where[256], *end;
    mc_point_where(pt, "regime", "temperatures", where, sizeof where);
    const char *s = wp->temperatures;
    long i = 0;
    while (s && *s) {
        double v = strtod(s, &end);
        if (end == s || !(v > 0) || !isfinite(v))
            return mc_error_set(err, MC_ECONFIG, "%s: item %ld is not a temperature > 0", where,
                                i + 1);
        if (i >= wp->models)
            return mc_error_set(err, MC_ECONFIG, "%s: more than regime.models = %ld "
                                "temperatures", where, wp->models);
        if (t)
            t[i] = v;
        i++;
        s = end + strspn(end, " \t,");
    }
    if (i != 1 && i != wp->models)
        return mc_error_set(err, MC_ECONFIG, "%s: %ld temperatures for regime.models = %ld "
                            "lineages (give one per lineage, or one for all)", where, i,
                            wp->models);
    for (long j = i; t && j < wp->models; j++)
        t[j] = t[0];
    return MC_OK;
}

/* The largest h of generations 1..G (regime.h, or the schedule's steps). */
static double max_h(const mc_point *pt)
{
    double h = pt->regime_settings.h;
    for (size_t i = 0; i < pt->nschedule; i++)
        h = fmax(h, pt->schedule[i].h);
    return h;
}

static int check_slots(const web_params *wp, const mc_point *pt, mc_error *err)
{
    char where[256];
    if (wp->models > 1 && !pt->family->distance)
        return mc_error_set(err, MC_ECONFIG, "%s: model.family = %s has no distance between "
                            "two models (the family slot distance), which a web of several "
                            "lineages reports", mc_point_where(pt, "regime", "models", where,
                                                               sizeof where), pt->family->name);
    if (wp->retention > 0 && wp->retention < 1 && !pt->family->ds_thin)
        return mc_error_set(err, MC_ECONFIG, "%s: model.family = %s cannot thin a dataset (the "
                            "family slot ds_thin), which a partial retention needs",
                            mc_point_where(pt, "regime", "retention", where, sizeof where),
                            pt->family->name);
    if (wp->temperatures && !(pt->family->sampling & MC_SAMPLE_TEMPERATURE))
        return mc_error_set(err, MC_ECONFIG, "%s: model.family = %s has no sampling temperature",
                            mc_point_where(pt, "regime", "temperatures", where, sizeof where),
                            pt->family->name);
    return wp->temperatures ? parse_temps(wp, pt, NULL, err) : MC_OK;
}

/* The web's memory: at most n_0 + G C items (C new items a generation; with retention r < 1 the
 * expected size stays below n_0 + C / (1 - r)), plus each lineage's crawl. */
static int check_memory(const web_params *wp, const mc_point *pt, double fresh, double need,
                        mc_error *err)
{
    const mc_family_type *f = pt->family;
    double G = (double)pt->run.generations, r = wp->retention, have = mc_memory_bytes();
    double items = (double)pt->regime_settings.n + fresh * (r < 1 ? fmin(G, 1 / (1 - r)) : G);
    if (!f->bytes_needed || !(have > 0))
        have = INFINITY;
    double bytes = !f->bytes_needed ? 0 : f->bytes_needed(pt->params, pt->world, items) +
                   (double)wp->models * f->bytes_needed(pt->params, pt->world, need);
    char where[256];
    if (!(items < 1.8e19))
        return mc_error_set(err, MC_ECONFIG, "%s: the web would hold up to %.3g items, beyond "
                            "64-bit counts (publish less, keep less: regime.retention)",
                            mc_point_where(pt, "regime", "publish", where, sizeof where), items);
    if (bytes > 0.8 * have)
        return mc_error_set(err, MC_ENOMEM, "%s: the web would hold up to %.3g items and need "
                            "%.3g GB of memory, but this machine has %.3g GB (publish less, keep "
                            "less: regime.retention)",
                            mc_point_where(pt, "regime", "publish", where, sizeof where), items,
                            bytes / 1e9, have / 1e9);
    return MC_OK;
}

/* h is the human share of the new content, so it must stay below 1 while models publish; a
 * web that keeps nothing must publish a whole crawl every generation. */
static int check(void *vp, const mc_point *pt, mc_error *err)
{
    const web_params *wp = vp;
    const mc_curation *c = &pt->curation;
    char where[256];
    int r = check_slots(wp, pt, err);
    if (r != MC_OK)
        return r;
    double h = wp->humans == WEB_HUMANS_SHARE ? max_h(pt) : 0, n1 = (double)mc_point_n(pt, 1);
    double P = wp->publish ? (double)wp->publish : n1;
    if (h >= 1 && P > 0)
        return mc_error_set(err, MC_ECONFIG, "%s: h = 1 leaves no room for the models' content "
                            "in the web's new content (h is its human share; use h < 1)",
                            mc_point_where(pt, "regime", pt->nschedule ? "schedule" : "h", where,
                                           sizeof where));
    double fresh = (double)wp->models * P * (1 + h / (1 - h));
    double need = n1 * (c->select != MC_SELECT_NONE ? (double)c->candidates : 1.0);
    if (wp->retention == 0 && wp->humans == WEB_HUMANS_SHARE && fresh < need * (1 - 1e-12))
        return mc_error_set(err, MC_ECONFIG, "%s: with regime.retention = 0 the web holds only "
                            "the %.6g items published each generation, but a crawl needs %.6g",
                            mc_point_where(pt, "regime", "publish", where, sizeof where), fresh,
                            need);
    if (wp->humans == WEB_HUMANS_SHARE && (r = check_memory(wp, pt, fresh, need, err)) != MC_OK)
        return r;
    if (c->detect && c->tpr == 1 && wp->humans == WEB_HUMANS_SHARE && (h == 0 || c->fpr == 1))
        return mc_error_set(err, MC_ECONFIG, "%s: a detector with TPR 1 drops every model item "
                            "and the web has no human item it lets through, so %s",
                            mc_point_where(pt, "regime", "detector_tpr", where, sizeof where),
                            c->refill ? "detector_refill cannot fill a crawl"
                                      : "every crawl would be empty");
    return MC_OK;
}

static void release(const mc_unit *u, void *vs)
{
    web_state *s = vs;
    for (long m = 0; m < s->M; m++) {
        if (s->models && m > 0 && s->models[m])
            u->fam->model_free(s->models[m]);
        if (s->train && s->train[m])
            u->fam->ds_free(s->train[m]);
    }
    web_pool_free(u, &s->pool);
    mc_workforce_free(&s->wf);
    free(s->models);
    free(s->train);
    free(s->samp);
    free(s->fam);
    free(s);
}

/* Lineages 1..M-1 start as the engine's model 0: fitted on the same human data. */
static int init_lineages(const mc_unit *u, web_state *s, mc_error *err)
{
    const web_params *wp = u->regime_params;
    mc_fit_opts opts = {.human_weight = u->point->regime_settings.human_weight};
    int r = MC_OK;
    for (long m = 0; m < s->M; m++)
        s->samp[m] = *u->sampling;
    if (wp->temperatures) {
        double *t = malloc(sizeof *t * (size_t)s->M);
        r = t ? parse_temps(wp, u->point, t, err) : mc_error_set(err, MC_ENOMEM, "out of memory");
        for (long m = 0; r == MC_OK && m < s->M; m++)
            s->samp[m].temperature = t[m];
        free(t);
    }
    for (long m = 1; r == MC_OK && m < s->M; m++) {
        r = u->fam->model_alloc(u->params, u->world, &s->models[m], err);
        if (r == MC_OK)
            r = u->fam->fit(s->models[m], u->params, u->human0, &opts, err);
    }
    return r;
}

static int init(const mc_unit *u, void **out, mc_error *err)
{
    const web_params *wp = u->regime_params;
    const mc_point *pt = u->point;
    size_t F = pt->metrics.n - MC_ENGINE_METRICS - pt->ncuration_metrics - pt->nregime_metrics;
    web_state *s = calloc(1, sizeof *s);
    if (!s)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    s->M = wp->models;
    s->models = calloc((size_t)s->M, sizeof *s->models);
    s->train = calloc((size_t)s->M, sizeof *s->train);
    s->samp = calloc((size_t)s->M, sizeof *s->samp);
    s->fam = calloc((size_t)s->M * (F ? F : 1), sizeof *s->fam);
    int r = s->models && s->train && s->samp && s->fam ? MC_OK
                                                       : mc_error_set(err, MC_ENOMEM, "out of memory");
    void *first = NULL;
    if (r == MC_OK && wp->humans == WEB_HUMANS_WORKFORCE)
        r = mc_workforce_init(&s->wf, &wp->wf, err);
    if (r == MC_OK)
        r = init_lineages(u, s, err);
    if (r == MC_OK)
        r = u->fam->ds_copy(u->human0, &first, err);
    if (r == MC_OK)
        r = web_pool_add(u, &s->pool, first, -1, 0, wp->crawl == WEB_CRAWL_UNIFORM, err);
    if (r != MC_OK) {
        release(u, s);
        return r;
    }
    *out = s;
    return MC_OK;
}

/* The unit as lineage m sees it: its model and its sampling settings. */
static mc_unit lineage(const mc_unit *u, const web_state *s, long m)
{
    mc_unit v = *u;
    if (m > 0)
        v.model = s->models[m];
    v.sampling = &s->samp[m];
    return v;
}

/* Step 2: the humans' items, then each lineage's. */
static int publish(const mc_unit *u, web_state *s, mc_error *err)
{
    const web_params *wp = u->regime_params;
    int merge = wp->crawl == WEB_CRAWL_UNIFORM;
    uint64_t P = wp->publish ? wp->publish : u->n;
    double h = u->h, H = h > 0 ? round(h / (1 - h) * (double)s->M * (double)P) : 0;
    if (wp->humans == WEB_HUMANS_WORKFORCE) /* no operator alarm on the web: alarm off */
        H = mc_workforce_step(u, &s->wf, &wp->wf, 0);
    int r = MC_OK;
    if (!(H < 1.8e19)) {
        char where[256];
        return mc_error_set(err, MC_ERANGE, "%s: the humans would publish %.3g items in "
                            "generation %u, beyond 64-bit counts",
                            mc_point_where(u->point, "regime", wp->humans ? "q" : "h", where,
                                           sizeof where), H, u->generation);
    }
    if (H >= 1) {
        void *ds = NULL;
        r = u->fam->draw_world(u->rng, u->params, u->world, (uint64_t)H, &ds, err);
        if (r == MC_OK)
            r = web_pool_add(u, &s->pool, ds, -1, u->generation, merge, err);
    }
    for (long m = 0; r == MC_OK && P > 0 && m < s->M; m++) {
        mc_unit v = lineage(u, s, m);
        void *ds = NULL;
        r = mc_unit_draw_model(&v, P, &ds, err);
        if (r == MC_OK)
            r = web_pool_add(u, &s->pool, ds, m, u->generation, merge, err);
    }
    return r;
}

static int assemble(const mc_unit *u, void *vs, const void **train, mc_error *err)
{
    const web_params *wp = u->regime_params;
    web_state *s = vs;
    mc_fit_opts opts = {.human_weight = u->point->regime_settings.human_weight};
    int r = web_pool_retain(u, &s->pool, wp->retention, err);
    if (r == MC_OK)
        r = publish(u, s, err);
    for (long m = 1; r == MC_OK && m <= s->M; m++) {
        long k = m % s->M; /* lineages 1..M-1, then 0 */
        mc_unit v = lineage(u, s, k);
        if (s->train[k])
            u->fam->ds_free(s->train[k]);
        s->train[k] = NULL;
        r = web_crawl_for(&v, &s->pool, wp, &s->train[k], err);
        if (r == MC_OK && k > 0)
            r = u->fam->fit(s->models[k], u->params, s->train[k], &opts, err);
    }
    *train = s->train[0];
    return r;
}

const mc_regime_type mc_regime_web = {
    .name = "web",
    .description = "M model lineages and the humans publish to one web; each lineage trains on "
                   "a crawl of it (h: human share of the new content)",
    .props = MC_REGIME_USES_H | MC_REGIME_CURATES | MC_REGIME_DETECTS,
    .keys = web_keys,
    .params_size = sizeof(web_params),
    .check = check,
    .init = init,
    .assemble = assemble,
    .free = release,
    .describe = web_describe,
    .metrics = web_metrics,
};
