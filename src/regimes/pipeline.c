/* pipeline.c - human data comes from a workforce (docs/PIPELINE.md, "The human pipeline").
 *
 * State: W_g productive creators, and trainees who become productive L generations after they
 * are hired. Generation g >= 1, in this order:
 *   1. attrition: a fraction a of the creators leaves (round(a W), or Binomial(W, a) when
 *      regime.stochastic);
 *   2. AI substitution: while the operator's alarm is off (the model looks good), a fraction u
 *      of the remaining creators is let go;
 *   3. hiring: fixed (r per generation), replace (as many as attrition took), or reactive
 *      (r_high while the alarm is on, else r_low); hires of generation g are productive from
 *      generation g + L on (L = 0: at once);
 *   4. production: each creator makes q samples, H_g = round(W_g q) (Poisson(W_g q) when
 *      stochastic), capped at round(c n_g) with c = max_human, or the smaller of max_human and
 *      regime.schedule's h of generation g when a schedule is given ("collapse, then restore
 *      the humans" with the damage and recovery metrics); the training set is those H_g human
 *      samples plus n_g - H_g samples of model g - 1, drawn in that order (as fresh.c does, so a constant
 *      workforce equals fresh with h = W q / n, sample for sample);
 *   5. the signal: the family's diversity of the synthetic samples (an operator sees only the
 *      model's output, never the world), relative to the first synthetic batch (model 0's
 *      output). The alarm is on while it is below regime.alarm; decisions of generation g + 1
 *      use it (the operator reacts one generation later).
 * Damage, when regime.healthy is given: the generations where the family's metric fails that
 * target (e.g. p_yellow >= 0.045, half the world's share of yellow). Lead time = first damage -
 * first alarm (negative: the alarm came too late); recovery = the length in generations of the
 * longest damage episode that has ended (from its first damaged generation to the first
 * generation where the target holds again).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "collapse.h"
#include "collapse/target.h"
#include "collapse/randist.h"
#include "workforce.h"

typedef struct pipe_params {
    mc_workforce_params wf; /* workforce.h */
    double max_human;
    double alarm;
    const char *healthy;
} pipe_params;

#define PP(f) offsetof(pipe_params, f)
static const mc_key pipe_keys[] = {
    MC_WORKFORCE_KEYS(pipe_params),
    {"regime", "max_human", MC_KEY_DOUBLE, "1", 0, 1, 0, NULL, PP(max_human),
     "pipeline: cap on the human share of a training set"},
    {"regime", "alarm", MC_KEY_DOUBLE, "0.9", 0, 1, MC_KEY_MIN_OPEN, NULL, PP(alarm),
     "pipeline: the alarm is on while the signal (diversity of the model's samples) is below "
     "this fraction of model 0's"},
    {"regime", "healthy", MC_KEY_STRING, NULL, 0, 0, 0, NULL, PP(healthy),
     "pipeline: target of a family metric that defines damage when it fails, e.g. "
     "'p_yellow >= 0.045' or 'heldout_ppl <= 1.1 * gen0' (grammar of collapse need)"},
    {NULL, NULL, 0, NULL, 0, 0, 0, NULL, 0, NULL},
};

/* The regime's metrics, in this order (describe and metrics agree on it). */
enum {
    M_WORKFORCE, M_TRAINEES, M_HIRES, M_LAYOFFS, M_LEAVERS, M_SIGNAL, M_ALARM, M_ALARM_GEN,
    M_BASIC, /* the following only with regime.healthy */
    M_DAMAGE = M_BASIC, M_DAMAGE_GEN, M_LEAD, M_WATCH_MIN, M_RECOVERY, M_ALL
};

typedef struct state {
    void *train;
    mc_workforce wf;   /* workforce.h */
    double baseline;   /* signal of the first synthetic batch */
    double ratio;      /* latest signal / baseline, NaN before any */
    int alarm_on;
    long alarm_gen, damage_gen;
    long episode;      /* first generation of the damage episode under way, or -1 */
    long longest;      /* longest damage episode that has ended, or -1 */
    int has_healthy;
    mc_target healthy;
    long watch;        /* index of the watched metric in the point's list */
    double gen0, watch_min;
} state;

static int check(void *vp, const mc_point *pt, mc_error *err)
{
    const pipe_params *pp = vp;
    char where[256];
    if ((pp->wf.layoff > 0 || pp->wf.hiring == MC_HIRE_REACTIVE) && !pt->family->signal)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: model.family = %s has no operator signal (the family's signal "
                            "slot), which layoffs (regime.layoff > 0) and reactive hiring need",
                            mc_point_where(pt, "regime", pp->wf.layoff > 0 ? "layoff" : "hiring",
                                           where, sizeof where),
                            pt->family->name);
    if (pp->healthy) {
        mc_target t;
        if (mc_target_parse(pp->healthy, &t, err) != MC_OK) {
            mc_error_prefix(err, "%s: ",
                            mc_point_where(pt, "regime", "healthy", where, sizeof where));
            return err ? (err->code = MC_ECONFIG) : MC_ECONFIG;
        }
    }
    return MC_OK;
}

static const mc_metric_def METRICS[M_ALL] = {
    [M_WORKFORCE] = {"workforce", MC_ROLE_WORKFORCE, "people", 1, MC_METRIC_HEADLINE,
                     "productive creators W_g making generation g's human data"},
    [M_TRAINEES] = {"trainees", MC_ROLE_WORKFORCE, "people", 1, 0,
                    "creators in training (hired, not yet productive)"},
    [M_HIRES] = {"hires", MC_ROLE_WORKFORCE, "people", 0, 0, "creators hired in generation g"},
    [M_LAYOFFS] = {"layoffs", MC_ROLE_WORKFORCE, "people", 0, 0,
                   "creators let go in generation g (AI substitution)"},
    [M_LEAVERS] = {"leavers", MC_ROLE_WORKFORCE, "people", 0, 0,
                   "creators who left in generation g (attrition)"},
    [M_SIGNAL] = {"signal", MC_ROLE_SIGNAL, "ratio", 1, 0,
                  "operator signal: diversity of the model's samples relative to model 0's"},
    [M_ALARM] = {"alarm", MC_ROLE_ALARM, "", 0, 0,
                 "1 while the operator's alarm is on (signal below regime.alarm)"},
    [M_ALARM_GEN] = {"alarm_gen", MC_ROLE_ALARM_GEN, "generation", 0, 0,
                     "first generation the alarm was on (nan: not yet)"},
    [M_DAMAGE] = {"damage", MC_ROLE_DAMAGE, "", -1, 0,
                  "1 while the family metric fails regime.healthy (true damage, measured against "
                  "the world)"},
    [M_DAMAGE_GEN] = {"damage_gen", MC_ROLE_DAMAGE_GEN, "generation", 0, 0,
                      "first generation with damage (nan: not yet)"},
    [M_LEAD] = {"lead_time", MC_ROLE_LEAD_TIME, "generations", 1, 0,
                "lead time: damage_gen - alarm_gen (negative: the alarm came too late; nan: no "
                "damage or no alarm yet)"},
    [M_WATCH_MIN] = {"watch_min", MC_ROLE_WATCH_MIN, "", 0, 0,
                     "lowest value so far of the metric regime.healthy watches"},
    [M_RECOVERY] = {"recovery", MC_ROLE_RECOVERY, "generations", -1, 0,
                    "generations to recover: the longest damage episode that has ended, from its "
                    "start until regime.healthy held again (nan: none ended yet)"},
};

/* The workforce and alarm metrics; with regime.healthy also the damage and its events. */
static int describe(const void *vp, const mc_point *pt, mc_metric_list *l, mc_error *err)
{
    const pipe_params *pp = vp;
    if (pp->healthy) {
        mc_target t;
        char where[256];
        if (mc_target_parse(pp->healthy, &t, err) != MC_OK)
            return mc_error_prefix(err, "%s: ",
                                   mc_point_where(pt, "regime", "healthy", where, sizeof where));
        long m = mc_target_find(&t, &pt->metrics, err);
        if (m < 0 || mc_target_reachable(&t, &pt->metrics.items[m], err) != MC_OK)
            return mc_error_prefix(err, "%s: ",
                                   mc_point_where(pt, "regime", "healthy", where, sizeof where));
    }
    int r = mc_metric_declare_all(l, METRICS, pp->healthy ? M_ALL : M_BASIC);
    return r == MC_OK ? MC_OK : mc_error_set(err, r, "out of memory");
}

static int init(const mc_unit *u, void **out, mc_error *err)
{
    const pipe_params *pp = u->regime_params;
    state *s = calloc(1, sizeof *s);
    if (!s)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    if (mc_workforce_init(&s->wf, &pp->wf, err) != MC_OK) {
        free(s);
        return MC_ENOMEM;
    }
    s->baseline = NAN;
    s->ratio = NAN;
    s->alarm_gen = s->damage_gen = s->episode = s->longest = -1;
    s->watch = -1;
    s->watch_min = INFINITY;
    if (pp->healthy) {
        int r = mc_target_parse(pp->healthy, &s->healthy, err);
        long w = r == MC_OK ? mc_target_find(&s->healthy, &u->point->metrics, err) : r;
        if (w < 0) {
            mc_workforce_free(&s->wf);
            free(s);
            return (int)w;
        }
        s->has_healthy = 1;
        s->watch = w;
    }
    *out = s;
    return MC_OK;
}

static int assemble(const mc_unit *u, void *vs, const void **train, mc_error *err)
{
    const pipe_params *pp = u->regime_params;
    state *s = vs;
    const mc_family_type *f = u->fam;
    if (s->train)
        f->ds_free(s->train);
    s->train = NULL;

    /* 1-4: the workforce and its production (workforce.c) */
    double made = mc_workforce_step(u, &s->wf, &pp->wf, s->alarm_on);
    double share = u->point->nschedule && u->h < pp->max_human ? u->h : pp->max_human;
    uint64_t cap = mc_human_count(share, u->n);
    uint64_t nh = made >= (double)cap ? cap : (uint64_t)made;
    void *synth = NULL;
    int r = f->draw_world(u->rng, u->params, u->world, nh, &s->train, err);
    if (r == MC_OK && u->n > nh)
        r = mc_unit_draw_model(u, u->n - nh, &synth, err);

    /* 5: the signal, from the model's samples only */
    if (r == MC_OK && synth && f->signal) {
        double v = NAN;
        f->signal(u->params, synth, &v);
        if (isnan(s->baseline))
            s->baseline = v;
        s->ratio = s->baseline > 0 ? v / s->baseline : (v > 0 ? INFINITY : 1);
        s->alarm_on = s->ratio < pp->alarm;
        if (s->alarm_on && s->alarm_gen < 0)
            s->alarm_gen = u->generation;
    }
    if (r == MC_OK && synth)
        r = f->ds_merge(s->train, synth, err);
    if (synth)
        f->ds_free(synth);
    *train = s->train;
    return r;
}

static int metrics(const mc_unit *u, void *vs, const double *row, double *out, mc_error *err)
{
    (void)err;
    state *s = vs;
    long g = (long)u->generation;
    out[M_WORKFORCE] = (double)s->wf.W;
    out[M_TRAINEES] = (double)s->wf.trainees;
    out[M_HIRES] = g ? (double)s->wf.hires : 0;
    out[M_LAYOFFS] = g ? (double)s->wf.layoffs : 0;
    out[M_LEAVERS] = g ? (double)s->wf.leavers : 0;
    out[M_SIGNAL] = s->ratio;
    out[M_ALARM] = isnan(s->ratio) ? NAN : s->alarm_on;
    out[M_ALARM_GEN] = s->alarm_gen >= 0 ? (double)s->alarm_gen : NAN;
    if (!s->has_healthy)
        return MC_OK;
    double x = row[s->watch];
    if (g == 0)
        s->gen0 = x;
    int ok = mc_target_met(&s->healthy, x, s->gen0);
    if (!ok && s->damage_gen < 0)
        s->damage_gen = g;
    if (!ok && s->episode < 0)
        s->episode = g;
    if (ok && s->episode >= 0) {
        if (g - s->episode > s->longest)
            s->longest = g - s->episode;
        s->episode = -1;
    }
    if (x < s->watch_min)
        s->watch_min = x;
    out[M_DAMAGE] = !ok;
    out[M_DAMAGE_GEN] = s->damage_gen >= 0 ? (double)s->damage_gen : NAN;
    out[M_LEAD] = s->damage_gen >= 0 && s->alarm_gen >= 0
                      ? (double)(s->damage_gen - s->alarm_gen) : NAN;
    out[M_WATCH_MIN] = s->watch_min;
    out[M_RECOVERY] = s->longest >= 0 ? (double)s->longest : NAN;
    return MC_OK;
}

static void release(const mc_unit *u, void *vs)
{
    state *s = vs;
    if (s->train)
        u->fam->ds_free(s->train);
    mc_workforce_free(&s->wf);
    free(s);
}

const mc_regime_type mc_regime_pipeline = {
    .name = "pipeline",
    .description = "human data from a workforce: q samples per creator, attrition, layoffs while "
                   "the model looks good, hiring with a training lag L",
    .props = MC_REGIME_USES_SCHEDULE,
    .keys = pipe_keys,
    .params_size = sizeof(pipe_params),
    .check = check,
    .init = init,
    .assemble = assemble,
    .free = release,
    .describe = describe,
    .metrics = metrics,
};
