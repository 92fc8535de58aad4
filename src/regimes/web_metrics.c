/* web_metrics.c - the shared web's metrics (web.h): how synthetic the web and the crawls are,
 * how alike the lineages have become (the family's distance slot, mean over pairs), and, with
 * several lineages, each family metric's mean and worst value across them. Lineage 0's family
 * metrics are the row's; those of lineages 1..M-1 are computed here with metric streams of
 * their own, keyed by (unit key, lineage, g). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "web.h"

enum { W_ITEMS, W_SYNTH, W_CRAWL_SYNTH, W_DISTANCE, W_FIXED };
static const mc_metric_def WEB_METRICS[W_FIXED] = {
    [W_ITEMS] = {"web_items", MC_ROLE_OTHER, "items", 0, 0,
                 "items on the web after this generation's publishing"},
    [W_SYNTH] = {"web_synthetic_share", MC_ROLE_OTHER, "fraction", -1, MC_METRIC_HEADLINE,
                 "share of the web's items that a model made"},
    [W_CRAWL_SYNTH] = {"crawl_synthetic_share", MC_ROLE_OTHER, "fraction", -1, 0,
                       "share of model-made items in the lineages' training crawls (mean over "
                       "lineages, after the detector and the selection)"},
    [W_DISTANCE] = {"lineage_distance", MC_ROLE_OTHER, "", 0, MC_METRIC_HEADLINE,
                    "mean distance between two lineages' models (the family's distance: total "
                    "variation, W2, unigram JS); 0 = they have become one"},
};

static const mc_metric_def WORKFORCE_METRIC = {
    "workforce", MC_ROLE_WORKFORCE, "people", 1, 0,
    "productive creators W_g publishing the web's human items (regime.humans = workforce)"};

/* Tag of the lineages' metric streams. */
#define LINEAGE_STREAM 0x7765622d6c696e65ull /* "web-line" */

static const char *const SUFFIX[2] = {"%s_lineage_mean", "%s_lineage_worst"};

/* Whether family metric f gets a mean and a worst across lineages: it has a direction and its
 * names fit. */
static int aggregated(const mc_metric *f)
{
    return f->direction != 0 && strlen(f->name) + strlen("_lineage_worst") < MC_METRIC_NAME_MAX;
}

static size_t nfamily(const mc_point *pt)
{
    return pt->metrics.n - MC_ENGINE_METRICS - pt->ncuration_metrics - pt->nregime_metrics;
}

int web_describe(const void *params, const mc_point *pt, mc_metric_list *out, mc_error *err)
{
    const web_params *wp = params;
    int r = mc_metric_declare_all(out, WEB_METRICS, W_FIXED);
    if (r == MC_OK && wp->humans == WEB_HUMANS_WORKFORCE)
        r = mc_metric_declare(out, &WORKFORCE_METRIC, NULL);
    size_t F = pt->metrics.n - MC_ENGINE_METRICS - pt->ncuration_metrics; /* before ours */
    for (size_t i = 0; r == MC_OK && wp->models > 1 && i < F; i++) {
        /* a copy: out is the point's own list, which declaring may move */
        mc_metric f = pt->metrics.items[MC_ENGINE_METRICS + i];
        for (int k = 0; r == MC_OK && aggregated(&f) && k < 2; k++) {
            mc_metric_def d = {SUFFIX[k], MC_ROLE_OTHER, f.unit, f.direction, 0,
                               k ? "the worst value of this family metric across the web's "
                                   "lineages"
                                 : "the mean of this family metric across the web's lineages"};
            r = mc_metric_declare(out, &d, f.name);
        }
    }
    return r == MC_OK ? MC_OK : mc_error_set(err, r, "out of memory");
}

/* The family metrics of lineages 1..M-1 into s->fam (lineage m at s->fam + m F). */
static int lineage_metrics(const mc_unit *u, web_state *s, size_t F, mc_error *err)
{
    for (long m = 1; m < s->M; m++) {
        const void *train = s->train[m] ? s->train[m] : u->human0;
        mc_eval ev = {u->point, u->params, u->world, s->models[m], train, u->generation};
        mc_rng_local stream;
        gsl_rng *r = mc_rng_local_init(&stream, mc_stream_key(u->key, LINEAGE_STREAM + (uint64_t)m,
                                                              u->generation));
        int st = u->fam->metrics(r, &ev, s->fam + (size_t)m * F, err);
        if (st != MC_OK)
            return st;
    }
    return MC_OK;
}

/* Mean and worst of each aggregated family metric across lineages, into out. */
static void aggregate(const mc_point *pt, const web_state *s, const double *row, size_t F,
                      double *out)
{
    size_t j = 0;
    for (size_t i = 0; i < F; i++) {
        const mc_metric *f = &pt->metrics.items[MC_ENGINE_METRICS + i];
        if (!aggregated(f))
            continue;
        double sum = 0, worst = NAN;
        for (long m = 0; m < s->M; m++) {
            double v = m ? s->fam[(size_t)m * F + i] : row[MC_ENGINE_METRICS + i];
            sum += v;
            if (isnan(worst) || (f->direction > 0 ? v < worst : v > worst))
                worst = v;
        }
        out[j++] = sum / (double)s->M;
        out[j++] = worst;
    }
}

/* Mean distance over the pairs of lineages (0 for one lineage). */
static int mean_distance(const mc_unit *u, const web_state *s, double *out, mc_error *err)
{
    double sum = 0;
    long pairs = 0;
    *out = 0;
    for (long a = 0; a < s->M; a++)
        for (long b = a + 1; b < s->M; b++) {
            double d;
            int st = u->fam->distance(u->params, a ? s->models[a] : u->model, s->models[b], &d,
                                      err);
            if (st != MC_OK)
                return st;
            sum += d;
            pairs++;
        }
    if (pairs)
        *out = sum / (double)pairs;
    return MC_OK;
}

int web_metrics(const mc_unit *u, void *vs, const double *row, double *out, mc_error *err)
{
    web_state *s = vs;
    const mc_family_type *f = u->fam;
    const web_params *wp = u->regime_params;
    size_t F = nfamily(u->point), at = W_FIXED;
    if (wp->humans == WEB_HUMANS_WORKFORCE)
        out[at++] = (double)s->wf.W;
    uint64_t items = web_pool_size(u, &s->pool);
    out[W_ITEMS] = (double)items;
    out[W_SYNTH] = items ? 1 - (double)web_pool_human(u, &s->pool) / (double)items : NAN;
    double synth = 0;
    for (long m = 0; m < s->M; m++) {
        const void *t = s->train[m] ? s->train[m] : u->human0;
        uint64_t n = f->ds_size(t);
        synth += n ? 1 - (double)f->ds_human(t) / (double)n : NAN;
    }
    out[W_CRAWL_SYNTH] = synth / (double)s->M;
    int st = s->M > 1 ? mean_distance(u, s, &out[W_DISTANCE], err) : MC_OK;
    if (s->M > 1 && st == MC_OK)
        st = lineage_metrics(u, s, F, err);
    if (s->M > 1 && st == MC_OK)
        aggregate(u->point, s, row, F, out + at);
    if (s->M == 1)
        out[W_DISTANCE] = 0;
    return st;
}
