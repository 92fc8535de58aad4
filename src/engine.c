/* engine.c - the recursive-training loop and its parallel schedule.
 *
 * One unit of work = one (grid point, replicate). Its generator is keyed by
 * mc_stream_key(seed, point, replicate), so what it computes depends on nothing else. Generation
 * 0 is fitted on n_0 human samples from the world; generation g >= 1 on the training set that
 * the point's regime assembles from model g-1's samples and human data. After each fit the
 * engine records n_g, the human share, and the family's metrics.
 *
 * Schedule: points are taken in batches (enough units to keep every thread busy, bounded
 * memory); the units of a batch run in parallel with OpenMP in any order, each into its own
 * slot; finished points are then handed to the caller in point order. Nothing depends on the
 * thread count.
 */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"

uint64_t mc_human_count(double h, uint64_t n)
{
    double v = round(h * (double)n);
    if (v <= 0)
        return 0;
    if (v >= (double)n)
        return n;
    return (uint64_t)v;
}

static int record(const mc_point *p, gsl_rng *r, const void *model, const void *train,
                  unsigned g, double *row, mc_error *err)
{
    const mc_family_type *f = p->family;
    uint64_t size = f->ds_size(train);
    row[0] = (double)size;
    row[1] = size ? (double)f->ds_human(train) / (double)size : NAN;
    mc_eval ev = {p, p->params, p->world, model, train, g};
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

int mc_unit_run(const mc_point *p, long replicate, double *values, mc_error *err)
{
    const mc_family_type *f = p->family;
    const size_t M = p->metrics.n;
    gsl_rng *r = mc_rng_alloc(mc_stream_key(p->run.seed, p->index, (uint64_t)replicate));
    if (!r)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (size_t i = 0; i < (size_t)(p->run.generations + 1) * M; i++)
        values[i] = NAN;
    void *human0 = NULL, *model = NULL, *state = NULL;
    mc_fit_opts opts = {p->regime_settings.human_weight};
    mc_unit u = {
        .point = p,
        .fam = f,
        .params = p->params,
        .world = p->world,
        .sampling = &p->sampling,
        .rng = r,
        .h = init_h(p),
        .regime_params = p->regime_params,
    };
    int status;
    uint64_t n0 = mc_point_n(p, 0);
    if (f->draw_human0)
        status = f->draw_human0(r, p->params, p->world, n0, &human0, err);
    else
        status = f->draw_world(r, p->params, p->world, n0, &human0, err);
    if (status == MC_OK)
        status = f->model_alloc(p->params, p->world, &model, err);
    if (status == MC_OK)
        status = f->fit(model, p->params, human0, &opts, err);
    if (status == MC_OK)
        status = record(p, r, model, human0, 0, values, err);
    u.human0 = human0;
    u.model = model;
    u.n = n0;
    /* a regime with metrics needs its state at generation 0 already; init() runs after the
     * generation-0 record either way, so the streams of the other regimes are unchanged */
    int reports = p->regime->metrics && p->nregime_metrics;
    if (status == MC_OK && p->regime->init && (p->run.generations > 0 || reports))
        status = p->regime->init(&u, &state, err);
    if (status == MC_OK)
        status = record_regime(p, &u, state, values, err);
    for (long g = 1; status == MC_OK && g <= p->run.generations; g++) {
        const void *train = NULL;
        u.generation = (unsigned)g;
        u.n = mc_point_n(p, (unsigned)g);
        u.h = mc_point_h(p, (unsigned)g);
        status = p->regime->assemble(&u, state, &train, err);
        if (status == MC_OK)
            status = f->fit(model, p->params, train, &opts, err);
        if (status == MC_OK)
            status = record(p, r, model, train, (unsigned)g, values + (size_t)g * M, err);
        if (status == MC_OK)
            status = record_regime(p, &u, state, values + (size_t)g * M, err);
    }
    if (p->regime->free && state)
        p->regime->free(&u, state);
    if (model)
        f->model_free(model);
    if (human0)
        f->ds_free(human0);
    gsl_rng_free(r);
    return status;
}

typedef struct slot {
    int status;
    mc_error err;
} slot;

int mc_experiment_run(const mc_experiment *e, const mc_run_opts *opts, mc_error *err)
{
    int threads = opts && opts->threads > 0 ? opts->threads : omp_get_max_threads();
    size_t total = 0;
    for (size_t i = 0; i < e->npoints; i++)
        total += (size_t)e->points[i].run.replicates;
    size_t done = 0;
    size_t first = 0;
    while (first < e->npoints) {
        /* batch: at least one point; add points while the batch has fewer than 4 units per
         * thread and its results stay under 256 MiB */
        size_t last = first, units = 0;
        double bytes = 0;
        do {
            const mc_point *p = &e->points[last];
            units += (size_t)p->run.replicates;
            bytes += 8.0 * (double)p->run.replicates * (double)(p->run.generations + 1) *
                     (double)p->metrics.n;
            last++;
        } while (last < e->npoints && units < (size_t)(4 * threads) && bytes < 268435456.0);

        size_t nb = last - first;
        double **values = calloc(nb, sizeof *values);
        size_t *offset = calloc(nb + 1, sizeof *offset);
        slot *slots = calloc(units, sizeof *slots);
        int status = (values && offset && slots) ? MC_OK : MC_ENOMEM;
        for (size_t b = 0; status == MC_OK && b < nb; b++) {
            const mc_point *p = &e->points[first + b];
            offset[b + 1] = offset[b] + (size_t)p->run.replicates;
            values[b] = malloc(sizeof(double) * (size_t)p->run.replicates *
                               (size_t)(p->run.generations + 1) * p->metrics.n);
            if (!values[b])
                status = MC_ENOMEM;
        }
        if (status != MC_OK) {
            for (size_t b = 0; values && b < nb; b++)
                free(values[b]);
            free(values);
            free(offset);
            free(slots);
            return mc_error_set(err, MC_ENOMEM, "out of memory for the results of %zu points", nb);
        }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
        for (size_t u = 0; u < units; u++) {
            size_t b = 0;
            while (offset[b + 1] <= u)
                b++;
            const mc_point *p = &e->points[first + b];
            long rep = (long)(u - offset[b]);
            size_t rows = (size_t)(p->run.generations + 1) * p->metrics.n;
            slots[u].status = mc_unit_run(p, rep, values[b] + (size_t)rep * rows, &slots[u].err);
#pragma omp critical(mc_progress)
            {
                done++;
                if (opts && opts->on_progress)
                    opts->on_progress(done, total, p, opts->user);
            }
        }
        for (size_t u = 0; status == MC_OK && u < units; u++)
            if (slots[u].status != MC_OK) {
                size_t b = 0;
                while (offset[b + 1] <= u)
                    b++;
                status = slots[u].status;
                if (err) {
                    *err = slots[u].err;
                    if (e->npoints > 1)
                        mc_error_prefix(err, "grid point %zu (%s), replicate %zu: ", first + b,
                                        e->points[first + b].label, u - offset[b]);
                }
            }
        for (size_t b = 0; status == MC_OK && b < nb; b++) {
            const mc_point *p = &e->points[first + b];
            mc_point_result res = {p, p->run.replicates, p->run.generations, p->metrics.n,
                                   values[b]};
            if (opts && opts->on_point)
                status = opts->on_point(&res, opts->user, err);
        }
        for (size_t b = 0; b < nb; b++)
            free(values[b]);
        free(values);
        free(offset);
        free(slots);
        if (status != MC_OK)
            return status;
        first = last;
    }
    return MC_OK;
}
