/* engine.c - the recursive-training loop and its parallel schedule.
 *
 * One unit of work = one (grid point, replicate). Its generator is keyed by
 * mc_stream_key(seed, point, replicate), so what it computes depends on nothing else. Generation
 * 0 is fitted on n_0 human samples from the world; generation g >= 1 on the training set that
 * the point's regime assembles from model g-1's samples and human data. After each fit the
 * engine records n_g, the human share, and the family's metrics.
 *
 * Schedule: points are taken in batches (enough units to keep every thread busy, bounded
 * memory); the units of a batch run in parallel as OpenMP tasks in any order, each into its own
 * slot; while they run, the previous batch's points are handed to the caller in point order
 * (summaries and output files overlap the next batch's work). Nothing depends on the thread
 * count.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"
#include "unit_state.h"

uint64_t mc_human_count(double h, uint64_t n)
{
    double v = round(h * (double)n);
    if (v <= 0)
        return 0;
    if (v >= (double)n)
        return n;
    return (uint64_t)v;
}

/* Tag of the metrics' streams (any constant apart from the unit keys' use of the same hash). */
#define METRIC_STREAM 0x6d65747269637300ull /* "metrics" */
/* Tag of the fits' streams (mc_fit_opts.seed). */
#define FIT_STREAM 0x6669747300000000ull /* "fits" */

/* Whether generation g's metrics are computed: metrics.every = k measures g = 0, k, 2k, ... and
 * the last generation; n and human_share are recorded at every generation. */
static int measured(const mc_point *p, unsigned g)
{
    long k = p->run.metrics_every;
    return k <= 1 || g % (unsigned long)k == 0 || (long)g == p->run.generations;
}

/* Records generation g's row. The family's metrics draw their random numbers (held-out samples,
 * slices, metric samples) from a stream of their own, keyed by (unit key, g): how much a metric
 * draws never moves the unit's stream, so metric settings leave every model's trajectory as it
 * is, and generation g's metric values do not depend on the other generations'. */
static int record(const mc_point *p, uint64_t unit_key, const void *model, const void *train,
                  unsigned g, double *row, mc_error *err)
{
    const mc_family_type *f = p->family;
    uint64_t size = f->ds_size(train);
    row[0] = (double)size;
    row[1] = size ? (double)f->ds_human(train) / (double)size : NAN;
    if (!measured(p, g))
        return MC_OK; /* the family's metrics stay NaN */
    mc_eval ev = {p, p->params, p->world, model, train, g};
    mc_rng_local stream;
    gsl_rng *r = mc_rng_local_init(&stream, mc_stream_key(unit_key, METRIC_STREAM, g));
    return f->metrics(r, &ev, row + MC_ENGINE_METRICS, err);
}

/* The regime's own metrics, after the engine's and the family's in the row. */
static int record_regime(const mc_point *p, const mc_unit *u, void *state, double *row,
                         mc_error *err)
{
    if (!p->regime->metrics || !p->nregime_metrics)
        return MC_OK;
    return p->regime->metrics(u, state, row, row + p->metrics.n - p->nregime_metrics, err);
}

/* Generation g's training set after the point's detector (collapse/curate.h): train itself, or
 * a filtered copy in *own that the caller frees. */
static int detect(const mc_point *p, const mc_unit *u, const void **train, void **own,
                  mc_error *err)
{
    if (!p->curation.detect || (p->regime->props & MC_REGIME_DETECTS))
        return MC_OK;
    int status = mc_detect_filter(u, *train, own, err);
    if (status == MC_OK)
        *train = *own;
    return status;
}

/* The h a regime's init() sees: the largest h of generations 1..G (regime.h without a
 * schedule), so that keep-original keeps enough of generation 0's data for every step. */
static double init_h(const mc_point *p)
{
    if (!p->nschedule)
        return p->regime_settings.h;
    double h = p->schedule[0].generation > 1 ? p->regime_settings.h : 0;
    for (size_t i = 0; i < p->nschedule; i++)
        if (p->schedule[i].generation <= p->run.generations && p->schedule[i].h > h)
            h = p->schedule[i].h;
    return h;
}

int mc_unit_resumable(const mc_point *p)
{
    const mc_family_type *f = p->family;
    const mc_regime_type *g = p->regime;
    return f->model_save && f->model_load && f->ds_save && f->ds_load &&
           (!g->init || (g->state_save && g->state_load));
}

static int canceled(mc_error *err)
{
    return mc_error_set(err, MC_ECANCELED, "canceled (mc_cancel_request)");
}

/* The unit's generator, NaN rows, generation 0's human data and an empty model. */
static int unit_begin(mc_unit_work *w, const mc_point *p, long replicate, double *values,
                      mc_error *err)
{
    const mc_family_type *f = p->family;
    memset(w, 0, sizeof *w);
    w->p = p;
    w->replicate = replicate;
    w->values = values;
    w->key = mc_stream_key(p->run.seed, p->index, (uint64_t)replicate);
    w->r = mc_rng_alloc(w->key);
    if (!w->r)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (size_t i = 0; i < (size_t)(p->run.generations + 1) * p->metrics.n; i++)
        values[i] = NAN;
    w->opts = (mc_fit_opts){.human_weight = p->regime_settings.human_weight,
                            .seed = mc_stream_key(w->key, FIT_STREAM, 0)};
    w->u = (mc_unit){.tally = &w->tally, .key = w->key, .point = p, .fam = f,
                     .params = p->params, .world = p->world, .sampling = &p->sampling,
                     .rng = w->r, .h = init_h(p), .regime_params = p->regime_params};
    uint64_t n0 = mc_point_n(p, 0);
    int status;
    if (f->draw_human0)
        status = f->draw_human0(w->r, p->params, p->world, n0, &w->human0, err);
    else
        status = f->draw_world(w->r, p->params, p->world, n0, &w->human0, err);
    if (status == MC_OK)
        status = f->model_alloc(p->params, p->world, &w->model, err);
    w->u.human0 = w->human0;
    w->u.model = w->model;
    w->u.n = n0;
    return status;
}

/* Generation 0: the fit on the human data, its row, the regime's state. */
static int unit_generation0(mc_unit_work *w, mc_error *err)
{
    const mc_point *p = w->p;
    int status = p->family->fit(w->model, p->params, w->human0, &w->opts, err);
    if (status == MC_OK)
        status = record(p, w->key, w->model, w->human0, 0, w->values, err);
    /* a regime with metrics needs its state at generation 0 already; init() runs after the
     * generation-0 record either way, so the streams of the other regimes are unchanged */
    int reports = p->regime->metrics && p->nregime_metrics;
    if (status == MC_OK && p->regime->init && (p->run.generations > 0 || reports))
        status = p->regime->init(&w->u, &w->state, err);
    if (status == MC_OK)
        status = record_regime(p, &w->u, w->state, w->values, err);
    return status;
}

/* Generation g >= 1: the regime's training set, the detector, the fit, the row. */
static int unit_generation(mc_unit_work *w, long g, mc_error *err)
{
    const mc_point *p = w->p;
    const mc_family_type *f = p->family;
    const size_t M = p->metrics.n;
    double *row = w->values + (size_t)g * M;
    const void *train = NULL;
    void *filtered = NULL;
    if (mc_cancel_requested())
        return canceled(err);
    w->u.generation = (unsigned)g;
    w->u.n = mc_point_n(p, (unsigned)g);
    w->u.h = mc_point_h(p, (unsigned)g);
    memset(&w->tally, 0, sizeof w->tally);
    int status = p->regime->assemble(&w->u, w->state, &train, err);
    w->opts.seed = mc_stream_key(w->key, FIT_STREAM, (uint64_t)g);
    if (status == MC_OK)
        status = detect(p, &w->u, &train, &filtered, err);
    if (status == MC_OK)
        status = f->fit(w->model, p->params, train, &w->opts, err);
    if (status == MC_OK)
        status = record(p, w->key, w->model, train, (unsigned)g, row, err);
    if (status == MC_OK && p->ncuration_metrics)
        mc_curation_record(p, &w->tally, row + M - p->nregime_metrics - p->ncuration_metrics);
    if (status == MC_OK)
        status = record_regime(p, &w->u, w->state, row, err);
    if (filtered)
        f->ds_free(filtered);
    return status;
}

static void unit_end(mc_unit_work *w)
{
    const mc_family_type *f = w->p->family;
    if (w->p->regime->free && w->state)
        w->p->regime->free(&w->u, w->state);
    if (w->model)
        f->model_free(w->model);
    if (w->human0)
        f->ds_free(w->human0);
    if (w->r)
        gsl_rng_free(w->r);
}

int mc_unit_run_stored(const mc_point *p, long replicate, double *values,
                       const mc_unit_store *store, mc_error *err)
{
    if (mc_cancel_requested()) /* the units not yet started when a cancel came: at once */
        return canceled(err);
    mc_unit_work w;
    int status = unit_begin(&w, p, replicate, values, err);
    long g = -1, G = p->run.generations;
    int saving = store && G > 0 && mc_unit_resumable(p);
    if (status == MC_OK && saving)
        status = mc_unit_state_load(&w, store, &g, err);
    double since = omp_get_wtime();
    for (; status == MC_OK && g < G;) {
        status = ++g ? unit_generation(&w, g, err) : unit_generation0(&w, err);
        /* the state after generation g < G, when store->seconds have passed since the last */
        if (status == MC_OK && saving && g < G &&
            (store->seconds <= 0 || omp_get_wtime() - since >= store->seconds)) {
            status = mc_unit_state_save(&w, (unsigned)g, store, err);
            since = omp_get_wtime();
        }
    }
    unit_end(&w);
    return status;
}

int mc_unit_run(const mc_point *p, long replicate, double *values, mc_error *err)
{
    return mc_unit_run_stored(p, replicate, values, NULL, err);
}

typedef struct slot {
    int status;
    mc_error err;
} slot;

/* A batch of points [first, last): their units' results and statuses. */
typedef struct batch {
    size_t first, last, nb, units;
    double **values;  /* (nb) results of each point, replicate-major */
    size_t *offset;   /* (nb + 1) first unit of each point */
    slot *slots;      /* (units) */
} batch;

static void batch_free(batch *b)
{
    for (size_t i = 0; b->values && i < b->nb; i++)
        free(b->values[i]);
    free(b->values);
    free(b->offset);
    free(b->slots);
    memset(b, 0, sizeof *b);
}

/* The next batch from point `first`: at least one point; points are added while the batch has
 * fewer than 4 units per thread and its results stay under 256 MiB. A point that opts->restore
 * fills (a checkpoint) has no units; *restored counts their units. */
static int batch_plan(const mc_experiment *e, size_t first, int threads, const mc_run_opts *opts,
                      batch *b, size_t *restored, mc_error *err)
{
    memset(b, 0, sizeof *b);
    size_t last = first, units = 0;
    double bytes = 0;
    do {
        const mc_point *p = &e->points[last];
        units += (size_t)p->run.replicates;
        bytes += 8.0 * (double)p->run.replicates * (double)(p->run.generations + 1) *
                 (double)p->metrics.n;
        last++;
    } while (last < e->npoints && units < (size_t)(4 * threads) && bytes < 268435456.0);
    b->first = first;
    b->last = last;
    b->nb = last - first;
    b->values = calloc(b->nb, sizeof *b->values);
    b->offset = calloc(b->nb + 1, sizeof *b->offset);
    int ok = b->values && b->offset;
    for (size_t i = 0; ok && i < b->nb; i++) {
        const mc_point *p = &e->points[first + i];
        b->values[i] = malloc(sizeof(double) * (size_t)p->run.replicates *
                              (size_t)(p->run.generations + 1) * p->metrics.n);
        ok = b->values[i] != NULL;
        int done = ok && opts && opts->restore && opts->restore(p, b->values[i], opts->user);
        *restored += done ? (size_t)p->run.replicates : 0;
        b->offset[i + 1] = b->offset[i] + (done ? 0 : (size_t)p->run.replicates);
    }
    b->units = ok ? b->offset[b->nb] : 0;
    b->slots = ok ? calloc(b->units ? b->units : 1, sizeof *b->slots) : NULL;
    if (!b->slots) {
        batch_free(b);
        return mc_error_set(err, MC_ENOMEM, "out of memory for the results of %zu points",
                            last - first);
    }
    return MC_OK;
}

/* The point of unit u of batch b, and its replicate. */
static size_t batch_point(const batch *b, size_t u, long *rep)
{
    size_t i = 0;
    while (b->offset[i + 1] <= u)
        i++;
    if (rep)
        *rep = (long)(u - b->offset[i]);
    return i;
}

/* After every unit of b ran: the first failure (in unit order), else each point to on_point in
 * point order. */
static int batch_finish(const mc_experiment *e, const batch *b, const mc_run_opts *opts,
                        mc_error *err)
{
    for (size_t u = 0; u < b->units; u++)
        if (b->slots[u].status != MC_OK) {
            long rep;
            size_t i = batch_point(b, u, &rep);
            if (err) {
                *err = b->slots[u].err;
                if (e->npoints > 1)
                    mc_error_prefix(err, "grid point %zu (%s), replicate %ld: ", b->first + i,
                                    e->points[b->first + i].label, rep);
            }
            return b->slots[u].status;
        }
    for (size_t i = 0; i < b->nb; i++) {
        const mc_point *p = &e->points[b->first + i];
        if (mc_cancel_requested()) /* a point's files can take seconds: not after a cancel */
            return mc_error_set(err, MC_ECANCELED, "canceled (mc_cancel_request)");
        mc_point_result res = {p, p->run.replicates, p->run.generations, p->metrics.n,
                               b->values[i]};
        int status = opts && opts->on_point ? opts->on_point(&res, opts->user, err) : MC_OK;
        if (status != MC_OK)
            return status;
    }
    return MC_OK;
}

/* The units of a batch run as OpenMP tasks; while they run, the thread that made them hands the
 * previous batch's points to on_point (summaries, output files), then joins in. So writing one
 * batch overlaps computing the next, results still reach on_point in point order, and at most
 * two batches' results are in memory. */
int mc_experiment_run(const mc_experiment *e, const mc_run_opts *opts, mc_error *err)
{
    int threads = opts && opts->threads > 0 ? opts->threads : omp_get_max_threads();
    size_t total = 0;
    for (size_t i = 0; i < e->npoints; i++)
        total += (size_t)e->points[i].run.replicates;
    size_t done = 0;
    int status = MC_OK;
    batch cur, prev;
    memset(&prev, 0, sizeof prev);
#pragma omp parallel num_threads(threads)
#pragma omp single
    {
        size_t first = 0;
        while (status == MC_OK && (first < e->npoints || prev.nb)) {
            memset(&cur, 0, sizeof cur);
            if (first < e->npoints) {
                size_t restored = 0;
                status = batch_plan(e, first, threads, opts, &cur, &restored, err);
                if (status != MC_OK)
                    break;
#pragma omp critical(mc_progress)
                {
                    done += restored; /* units of restored points count as done */
                    if (restored && opts->on_progress)
                        opts->on_progress(done, total, &e->points[cur.first], opts->user);
                }
                first = cur.last;
                for (size_t u = 0; u < cur.units; u++) {
                    const batch *b = &cur;
#pragma omp task firstprivate(u, b) shared(done)
                    {
                        long rep;
                        size_t i = batch_point(b, u, &rep);
                        const mc_point *p = &e->points[b->first + i];
                        size_t rows = (size_t)(p->run.generations + 1) * p->metrics.n;
                        b->slots[u].status =
                            mc_unit_run_stored(p, rep, b->values[i] + (size_t)rep * rows,
                                               opts ? opts->units : NULL, &b->slots[u].err);
#pragma omp critical(mc_progress)
                        {
                            done++;
                            if (opts && opts->on_progress)
                                opts->on_progress(done, total, p, opts->user);
                        }
                    }
                }
            }
            if (prev.nb) {
                status = batch_finish(e, &prev, opts, err);
                batch_free(&prev);
            }
#pragma omp taskwait
            prev = cur;
        }
    }
    batch_free(&prev); /* the last batch planned (cur was handed to prev after its taskwait) */
    return status;
}
