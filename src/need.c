/* need.c - targets on metrics, and the bisection of `collapse need`.
 *
 * Question: the smallest fraction h of fresh human data in every training set such that the
 * replicate mean m(h) of a metric at generation G meets a target (m(h) >= c, or <= c).
 *
 * Common random numbers. Replicate r of the (single) point 0 always draws from the stream
 * mc_stream_key(seed, 0, r), whatever h, so the R replicates at h and at h' differ only through
 * h: m(h) - m(h') has far less noise than two independent estimates, and for a fixed seed set
 * m(h) is (nearly always) monotone in h, which is what bisection needs.
 *
 * Bisection runs on the dyadic grid h = k / 2^D (2^-D <= tolerance), with a cache, three times:
 *   - on the estimate m(h): the answer h* = the first grid h that meets the target;
 *   - on the optimistic bound m(h) + z se(h) (for >=; minus for <=): the grid h below which even
 *     the optimistic bound fails is the lower end of the interval;
 *   - on the pessimistic bound m(h) - z se(h): the first h where even it meets is the upper end.
 * se(h) = sd / sqrt(R) over the replicates at h; z = Phi^-1((1 + confidence) / 2), so each end
 * holds at one-sided level (1 + confidence) / 2 and the interval at the stated confidence. The
 * reference gen0 of a relative target is the replicate mean at generation 0, the same for every
 * h (generation 0 is fitted on human data only), so its noise moves every h alike and is left
 * out of the interval. "Enough replicates for a stated confidence": with a precision E, when
 * z se(h*) > E the search is rerun with R' = R (z se / E)^2 (rounded up, 10 % more) replicates;
 * replicate r keeps its stream, so the first R replicates are the same ones. Where the metric is
 * deterministic (n -> infinity, se = 0) the three
 * searches agree and the interval is the grid step: the tests compare h* with the closed-form
 * fixed point of p = h pi + (1 - h) T_tau(p) (docs/PIPELINE.md).
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "collapse.h"
#include "collapse/need.h"

/* ---- the search -------------------------------------------------------------------------- */

typedef struct search {
    mc_point *p;
    const mc_target *t;
    const mc_need_opts *o;
    long m;          /* metric index */
    long R, G;
    size_t M;
    double *values;  /* R x (G + 1) x M */
    mc_need_eval *cache; /* by grid index k, h = k / K */
    unsigned char *have;
    long K;
    double reference;
    int threads;
    int knob;        /* KNOB_* */
} search;

/* The knobs `collapse need` can search (mc_need_opts.over). */
enum { KNOB_H, KNOB_TPR, KNOB_CANDIDATES };
static const char *const KNOBS[] = {"regime.h", "regime.detector_tpr", "regime.candidates"};

/* Grid index k of the knob into the point: h = k / K, TPR = k / K, or K = 1 + k. */
static double set_knob(search *s, long k)
{
    double x = s->knob == KNOB_CANDIDATES ? (double)(1 + k) : (double)k / (double)s->K;
    if (s->knob == KNOB_H)
        s->p->regime_settings.h = x;
    else if (s->knob == KNOB_TPR)
        s->p->curation.tpr = x;
    else
        s->p->curation.candidates = (uint64_t)(1 + k);
    return x;
}

static int evaluate(search *s, long k, mc_error *err)
{
    if (s->have[k])
        return MC_OK;
    double h = set_knob(s, k);
    size_t rows = (size_t)(s->G + 1) * s->M;
    int *status = calloc((size_t)s->R, sizeof *status);
    mc_error *errs = calloc((size_t)s->R, sizeof *errs);
    if (!status || !errs) {
        free(status);
        free(errs);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    int st = MC_OK;
    if (mc_mpi_size() > 1) { /* the other ranks compute the replicates (collapse/mpi.h) */
        long bad;
        st = mc_mpi_units(s->p, s->R, h, s->values, &bad, err);
        if (st != MC_OK && bad >= 0)
            mc_error_prefix(err, "h = %g, replicate %ld: ", h, bad);
    } else {
#pragma omp parallel for schedule(dynamic, 1) num_threads(s->threads)
        for (long r = 0; r < s->R; r++)
            status[r] = mc_unit_run(s->p, r, s->values + (size_t)r * rows, &errs[r]);
    }
    for (long r = 0; mc_mpi_size() < 2 && r < s->R && st == MC_OK; r++)
        if (status[r] != MC_OK) {
            st = status[r];
            if (err)
                *err = errs[r];
            mc_error_prefix(err, "%s = %g, replicate %ld: ", KNOBS[s->knob], h, r);
        }
    free(status);
    free(errs);
    if (st != MC_OK)
        return st;
    /* mean and standard error over the replicates with a value; +inf makes the mean +inf */
    double sum = 0, sq = 0, ref = 0;
    size_t n = 0, nref = 0;
    for (long r = 0; r < s->R; r++) {
        double x = s->values[(size_t)r * rows + (size_t)s->G * s->M + (size_t)s->m];
        double x0 = s->values[(size_t)r * rows + (size_t)s->m];
        if (!isnan(x0)) {
            ref += x0;
            nref++;
        }
        if (isnan(x))
            continue;
        sum += x;
        n++;
    }
    double mean = n ? sum / (double)n : NAN;
    for (long r = 0; isfinite(mean) && r < s->R; r++) {
        double x = s->values[(size_t)r * rows + (size_t)s->G * s->M + (size_t)s->m];
        if (!isnan(x))
            sq += (x - mean) * (x - mean);
    }
    double se = n > 1 && isfinite(mean) ? sqrt(sq / (double)(n - 1) / (double)n) : 0;
    s->reference = nref ? ref / (double)nref : NAN;
    s->cache[k] = (mc_need_eval){h, mean, se, n};
    s->have[k] = 1;
    if (s->o->on_eval)
        s->o->on_eval(h, mean, se, s->o->user);
    return MC_OK;
}

/* Whether grid point k meets the target, by the estimate (side 0), its optimistic bound (side
 * -1) or its pessimistic bound (side +1). */
static int meets(search *s, long k, int side, double z, int *out, mc_error *err)
{
    int r = evaluate(s, k, err);
    if (r != MC_OK)
        return r;
    const mc_need_eval *e = &s->cache[k];
    double x = e->mean;
    double shift = z * e->se * (mc_target_upward(s->t) ? 1 : -1);
    if (side < 0)
        x += shift;
    else if (side > 0)
        x -= shift;
    *out = mc_target_met(s->t, x, s->reference);
    return MC_OK;
}

/* Bisection on the grid: *lo the last k known to fail (-1 if k = 0 meets), *hi the first k that
 * meets (K + 1 if even k = K fails). */
static int bisect(search *s, int side, double z, long *lo, long *hi, mc_error *err)
{
    int ok, r;
    if ((r = meets(s, 0, side, z, &ok, err)) != MC_OK)
        return r;
    if (ok) {
        *lo = -1;
        *hi = 0;
        return MC_OK;
    }
    if ((r = meets(s, s->K, side, z, &ok, err)) != MC_OK)
        return r;
    if (!ok) {
        *lo = s->K;
        *hi = s->K + 1;
        return MC_OK;
    }
    long a = 0, b = s->K;
    while (b - a > 1) {
        long mid = a + (b - a) / 2;
        if ((r = meets(s, mid, side, z, &ok, err)) != MC_OK)
            return r;
        if (ok)
            b = mid;
        else
            a = mid;
    }
    *lo = a;
    *hi = b;
    return MC_OK;
}

/* Leaves out the [regime] entries that belong to a regime's own key table (not the engine's):
 * the search runs fresh, which would refuse them. Names them in dropped. */
static void drop_regime_keys(mc_config *c, char *dropped, size_t size)
{
    size_t j = 0;
    for (size_t i = 0; i < c->n; i++) {
        mc_entry *en = &c->entries[i];
        int other = 0;
        if (strcmp(en->section, "regime") == 0) {
            int engine = 0;
            for (const mc_key *k = mc_engine_keys; k->name; k++)
                engine |= strcmp(k->section, "regime") == 0 && strcmp(k->name, en->key) == 0;
            for (size_t t = 0; !engine && mc_regimes[t]; t++)
                for (const mc_key *k = mc_regimes[t]->keys; k && k->name; k++)
                    other |= strcmp(k->section, "regime") == 0 && strcmp(k->name, en->key) == 0;
        }
        if (other) {
            size_t len = strlen(dropped);
            snprintf(dropped + len, size - len, "%sregime.%s", len ? ", " : "", en->key);
            free(en->section);
            free(en->key);
            free(en->value);
        } else {
            c->entries[j++] = *en;
        }
    }
    c->n = j;
}

void mc_need_result_free(mc_need_result *r)
{
    if (!r)
        return;
    free(r->evals);
    r->evals = NULL;
    r->nevals = 0;
}

/* Checks the options; the message names the command-line option. */
static int check_opts(const mc_need_opts *o, double *conf, double *tol, mc_error *err)
{
    if (o->generation < 0 || o->generation > 1000000000)
        return mc_error_set(err, MC_EUSAGE, "--at %ld: the generation must be from 0 to 10^9",
                            o->generation);
    *conf = o->confidence > 0 ? o->confidence : 0.95;
    *tol = o->tolerance > 0 ? o->tolerance : 1.0 / 1024;
    if (*conf >= 1 || *tol > 0.5)
        return mc_error_set(err, MC_EUSAGE, "confidence must be in (0,1) and the tolerance in "
                            "(0, 0.5] (got %g and %g)", *conf, *tol);
    return MC_OK;
}

/* Names the grid axes fixed at their first value in res->fixed (mc_need_solve). */
static void list_fixed(const mc_experiment *e, mc_need_result *res)
{
    for (size_t a = 0; a < e->naxes; a++) {
        size_t len = strlen(res->fixed);
        snprintf(res->fixed + len, sizeof res->fixed - len, "%s%s.%s=%s", a ? ", " : "",
                 e->axes[a].section, e->axes[a].key, e->axes[a].values[0]);
    }
}

/* The configuration of a search over a curation or detection knob: the configuration's own
 * regime at G generations, with a detector (TPR 0 to start) when its TPR is searched; K is
 * searched from 1 to the configuration's regime.candidates under its regime.select. Prepared
 * into *out (takes c); grid axes stay. */
static int prepare_knob(mc_config *c, long G, int knob, mc_experiment **out, mc_error *err)
{
    mc_origin origin = {"collapse need", 0};
    char gen[32];
    snprintf(gen, sizeof gen, "%ld", G);
    int r = mc_config_set(c, "run", "generations", gen, origin, err);
    if (r == MC_OK && knob == KNOB_TPR)
        r = mc_config_set(c, "regime", "detector_tpr", "0", origin, err);
    if (r != MC_OK) {
        mc_config_free(c);
        return r;
    }
    return mc_experiment_prepare(c, out, err);
}

/* K is searched from 1 to regime.candidates under regime.select: both must be set. */
static int refuse_candidates(const mc_point *p, mc_error *err)
{
    if (p->curation.select != MC_SELECT_NONE && p->curation.candidates >= 2)
        return MC_OK;
    char where[256];
    mc_point_where(p, "regime", "candidates", where, sizeof where);
    return mc_error_set(err, MC_ECONFIG, "%s: --over regime.candidates searches K from 1 to "
                        "regime.candidates: set regime.select (top or best-of) and "
                        "regime.candidates >= 2", where);
}

/* The configuration of the search: other regimes' keys left out (named in dropped, of size
 * MC_NEED_TEXT), the regime whose h is fresh human data (MC_REGIME_H_IS_FRESH: fresh) at h = 0,
 * G generations; prepared into *out (takes c). Grid axes stay: each point is a search. */
static int prepare_fresh(mc_config *c, long G, char *dropped, mc_experiment **out,
                         mc_error *err)
{
    drop_regime_keys(c, dropped, MC_NEED_TEXT);
    mc_origin origin = {"collapse need", 0};
    char gen[32];
    snprintf(gen, sizeof gen, "%ld", G);
    const mc_regime_type *fresh = mc_regime_with(MC_REGIME_H_IS_FRESH);
    int r = fresh ? mc_config_set(c, "regime", "name", fresh->name, origin, err)
                  : mc_error_set(err, MC_ECONFIG, "no regime declares MC_REGIME_H_IS_FRESH");
    if (r == MC_OK)
        r = mc_config_set(c, "regime", "h", "0", origin, err);
    if (r == MC_OK)
        r = mc_config_set(c, "run", "generations", gen, origin, err);
    if (r != MC_OK) {
        mc_config_free(c);
        return r;
    }
    return mc_experiment_prepare(c, out, err);
}

/* A schedule varies h along the generations: the search needs one constant h. */
static int refuse_schedule(const mc_point *p, mc_error *err)
{
    char where[256];
    if (!p->nschedule)
        return MC_OK;
    return mc_error_set(err, MC_ECONFIG, "%s: collapse need searches a constant h; remove the "
                        "schedule", mc_point_where(p, "regime", "schedule", where, sizeof where));
}

/* The three bisections' outcome: the estimate's, the optimistic and the pessimistic bound's. */
typedef struct brackets {
    long lo, hi, lo_opt, hi_opt, lo_pes, hi_pes;
} brackets;

/* (Re)allocates the search's buffers for s->R replicates. */
static int alloc_round(search *s, mc_error *err)
{
    double cells = (double)s->R * (double)(s->G + 1) * (double)s->M;
    if (cells * 8 > 0.5 * mc_memory_bytes() && mc_memory_bytes() > 0)
        return mc_error_set(err, MC_ENOMEM, "%ld replicates x %ld generations of results do "
                            "not fit in memory", s->R, s->G + 1);
    free(s->values);
    free(s->cache);
    free(s->have);
    s->values = malloc(sizeof(double) * (size_t)cells);
    s->cache = calloc((size_t)s->K + 1, sizeof *s->cache);
    s->have = calloc((size_t)s->K + 1, 1);
    if (!s->values || !s->cache || !s->have)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    return MC_OK;
}

/* The three bisections, rerun with more replicates (at most three times, up to rmax) while
 * the half-width z se at h* exceeds the requested precision. */
static int search_rounds(search *s, double z, brackets *b, mc_need_result *out, mc_error *err)
{
    const mc_need_opts *o = s->o;
    long rmax = o->max_replicates > 0 ? o->max_replicates : 100000;
    int r = MC_OK;
    for (int round = 0; r == MC_OK; round++) {
        s->R = s->p->run.replicates;
        if ((r = alloc_round(s, err)) != MC_OK ||
            (r = bisect(s, 0, z, &b->lo, &b->hi, err)) != MC_OK ||
            (r = bisect(s, -1, z, &b->lo_opt, &b->hi_opt, err)) != MC_OK ||
            (r = bisect(s, +1, z, &b->lo_pes, &b->hi_pes, err)) != MC_OK)
            break;
        long at = b->hi <= s->K ? b->hi : s->K;
        out->halfwidth = z * s->cache[at].se;
        if (!(o->precision > 0) || out->halfwidth <= o->precision || s->R >= rmax || round >= 3)
            break;
        double want = (double)s->R * pow(out->halfwidth / o->precision, 2) * 1.1;
        s->p->run.replicates = want >= (double)rmax ? rmax : (long)ceil(want);
    }
    return r;
}

/* The knob's value at grid index k (0 <= k <= K). */
static double knob_value(const search *s, long k)
{
    return s->knob == KNOB_CANDIDATES ? (double)(1 + k) : (double)k / (double)s->K;
}

/* The answer from the brackets, and every h evaluated (ascending). */
static int fill_result(const search *s, const brackets *b, double z, mc_need_result *out,
                       mc_error *err)
{
    out->feasible = b->hi <= s->K;
    out->h = out->feasible ? knob_value(s, b->hi) : NAN;
    out->lo = knob_value(s, b->lo_opt < 0 ? 0 : (b->lo_opt >= s->K ? s->K : b->lo_opt));
    out->hi = knob_value(s, b->hi_pes > s->K ? s->K : b->hi_pes);
    out->z = z;
    out->reference = s->reference;
    out->threshold = s->t->relative ? s->t->value * s->reference : s->t->value;
    out->replicates = s->R;
    out->step = knob_value(s, 1) - knob_value(s, 0);
    for (long k = 0; k <= s->K; k++)
        out->nevals += s->have[k];
    out->evals = malloc(sizeof *out->evals * (out->nevals ? out->nevals : 1));
    if (!out->evals)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    size_t j = 0;
    for (long k = 0; k <= s->K; k++)
        if (s->have[k])
            out->evals[j++] = s->cache[k];
    return MC_OK;
}

/* The knob o->over names (KNOB_H when none), or MC_EUSAGE. */
static int pick_knob(const mc_need_opts *o, int *knob, mc_error *err)
{
    *knob = KNOB_H;
    while (o->over && *knob < 3 && strcmp(o->over, KNOBS[*knob]) != 0)
        (*knob)++;
    if (*knob < 3)
        return MC_OK;
    return mc_error_set(err, MC_EUSAGE, "--over %s: collapse need searches regime.h, "
                        "regime.detector_tpr or regime.candidates", o->over);
}

/* The experiment searched over knob (takes c): the fresh regime for h (other regimes' keys
 * named in dropped), else the configuration's own regime. */
static int prepare_search(mc_config *c, const mc_need_opts *o, int knob, char *dropped,
                          mc_experiment **e, mc_error *err)
{
    int r = knob == KNOB_H ? prepare_fresh(c, o->generation, dropped, e, err)
                           : prepare_knob(c, o->generation, knob, e, err);
    if (r == MC_OK && (r = mc_mpi_share_config((*e)->config, err)) != MC_OK) {
        mc_experiment_free(*e); /* under MPI: the other ranks prepare the same search */
        *e = NULL;
    }
    return r;
}

/* The index of the target's metric at point p, or a status (< 0): no such metric, one the
 * target cannot be met by, a schedule (a search over h needs a constant h), or no candidates
 * to search. */
static long check_point(const mc_point *p, const mc_target *t, int knob, mc_error *err)
{
    int r = knob == KNOB_H ? refuse_schedule(p, err)
            : knob == KNOB_CANDIDATES ? refuse_candidates(p, err) : MC_OK;
    if (r != MC_OK)
        return r;
    long m = mc_target_find(t, &p->metrics, err);
    if (m >= 0 && (r = mc_target_reachable(t, &p->metrics.items[m], err)) != MC_OK)
        m = r;
    return m;
}

/* The search over knob at one point p of a prepared experiment (its knob is overwritten): out
 * is filled but for dropped and fixed. */
static int solve_point(mc_point *p, const mc_target *t, const mc_need_opts *o, int knob,
                       double conf, double tol, mc_need_result *out, mc_error *err)
{
    long m = check_point(p, t, knob, err);
    if (m < 0)
        return (int)m;
    snprintf(out->over, sizeof out->over, "%s", KNOBS[knob]);
    snprintf(out->regime, sizeof out->regime, "%s", p->regime->name);
    unsigned D = 1;
    while (D < 30 && ldexp(1.0, -(int)D) > tol)
        D++;
    search s = {.p = p, .t = t, .o = o, .m = m, .G = p->run.generations, .M = p->metrics.n,
                .K = knob == KNOB_CANDIDATES ? (long)p->curation.candidates - 1 : 1L << D,
                .threads = o->threads > 0 ? o->threads : omp_get_max_threads(), .knob = knob};
    double z = gsl_cdf_ugaussian_Pinv(0.5 * (1 + conf));
    brackets b = {0};
    int r = search_rounds(&s, z, &b, out, err);
    if (r == MC_OK)
        r = fill_result(&s, &b, z, out, err);
    free(s.values);
    free(s.cache);
    free(s.have);
    return r;
}

/* The options checked, the knob picked and the experiment prepared (c is consumed), for one
 * point or a grid. */
static int start_search(mc_config *c, const mc_need_opts *o, int *knob, double *conf,
                        double *tol, char *dropped, mc_experiment **e, mc_error *err)
{
    *knob = KNOB_H;
    int r = check_opts(o, conf, tol, err);
    if (r == MC_OK)
        r = pick_knob(o, knob, err);
    if (r != MC_OK) {
        mc_config_free(c);
        return r;
    }
    return prepare_search(c, o, *knob, dropped, e, err);
}

int mc_need_solve(mc_config *c, const mc_target *t, const mc_need_opts *o, mc_need_result *out,
                  mc_error *err)
{
    memset(out, 0, sizeof *out);
    double conf = 0, tol = 0;
    int knob;
    mc_experiment *e = NULL;
    int r = start_search(c, o, &knob, &conf, &tol, out->dropped, &e, err);
    if (r != MC_OK)
        return r;
    list_fixed(e, out);
    r = solve_point(&e->points[0], t, o, knob, conf, tol, out, err);
    mc_experiment_free(e);
    return r;
}

/* ---- over a grid -------------------------------------------------------------------------- */

void mc_need_grid_free(mc_need_grid *g)
{
    if (!g)
        return;
    for (size_t i = 0; i < g->npoints; i++) {
        free(g->points[i].label);
        mc_strings_free(g->points[i].values, g->naxes);
        mc_need_result_free(&g->points[i].result);
    }
    free(g->points);
    mc_strings_free(g->axes, g->naxes);
    g->points = NULL;
    g->axes = NULL;
    g->npoints = g->naxes = 0;
}

/* Copies the grid's axis names ("sampling.temperature") into g. */
static int name_axes(const mc_experiment *e, mc_need_grid *g, mc_error *err)
{
    g->axes = calloc(e->naxes + 1, sizeof *g->axes);
    if (!g->axes)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    g->naxes = e->naxes;
    for (size_t a = 0; a < e->naxes; a++) {
        size_t len = strlen(e->axes[a].section) + strlen(e->axes[a].key) + 2;
        if (!(g->axes[a] = malloc(len)))
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        snprintf(g->axes[a], len, "%s.%s", e->axes[a].section, e->axes[a].key);
    }
    return MC_OK;
}

/* Point p's label and axis values into q. */
static int name_point(const mc_experiment *e, const mc_point *p, mc_need_grid_point *q,
                      mc_error *err)
{
    q->label = strdup(p->label);
    q->values = calloc(e->naxes + 1, sizeof *q->values);
    for (size_t a = 0; q->values && a < e->naxes; a++)
        if (!(q->values[a] = strdup(e->axes[a].values[p->choice[a]])))
            return mc_error_set(err, MC_ENOMEM, "out of memory");
    return q->label && q->values ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
}

int mc_need_solve_grid(mc_config *c, const mc_target *t, const mc_need_opts *o, mc_need_grid *out,
                       mc_error *err)
{
    memset(out, 0, sizeof *out);
    double conf = 0, tol = 0;
    int knob;
    mc_experiment *e = NULL;
    int r = start_search(c, o, &knob, &conf, &tol, out->dropped, &e, err);
    if (r != MC_OK)
        return r;
    /* every point's target and knob before any search: a mistake is told at once, once */
    for (size_t i = 0; r == MC_OK && i < e->npoints; i++) {
        long m = check_point(&e->points[i], t, knob, err);
        r = m < 0 ? (int)m : MC_OK;
        if (r != MC_OK && i > 0)
            mc_error_prefix(err, "point %zu (%s): ", i, e->points[i].label);
    }
    if (r == MC_OK)
        r = name_axes(e, out, err);
    out->points = r == MC_OK ? calloc(e->npoints, sizeof *out->points) : NULL;
    if (r == MC_OK && !out->points)
        r = mc_error_set(err, MC_ENOMEM, "out of memory");
    for (size_t i = 0; r == MC_OK && i < e->npoints; i++) {
        mc_point *p = &e->points[i];
        out->npoints = i + 1;
        if ((r = name_point(e, p, &out->points[i], err)) != MC_OK)
            break;
        if (o->on_point)
            o->on_point(i, e->npoints, p->label, o->user);
        r = solve_point(p, t, o, knob, conf, tol, &out->points[i].result, err);
        if (r != MC_OK && e->npoints > 1)
            mc_error_prefix(err, "point %zu (%s): ", i, p->label);
    }
    mc_experiment_free(e);
    if (r != MC_OK)
        mc_need_grid_free(out);
    return r;
}
