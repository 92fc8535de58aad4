/* settings.c - a point's curation and detection settings: their cross-checks once the family,
 * the regime and the sizes are known, and the metrics of the steps (collapse/curate.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "collapse.h"

/* Candidates one selection may score: K n_g (each needs its score, a tie key and an index). */
#define MAX_CANDIDATES 1e8

enum { S_ACCEPTANCE, S_BEFORE, S_AFTER, S_COUNT };
static const mc_metric_def SELECT_METRICS[S_COUNT] = {
    [S_ACCEPTANCE] = {"select_acceptance", MC_ROLE_SELECTION, "fraction", 0, 0,
                      "curation: kept samples over candidates drawn (1/K)"},
    [S_BEFORE] = {"select_loglik_before", MC_ROLE_SCORE, "nats", 1, 0,
                  "curation: mean log-likelihood under the world of the candidates"},
    [S_AFTER] = {"select_loglik_after", MC_ROLE_SCORE, "nats", 1, MC_METRIC_HEADLINE,
                 "curation: mean log-likelihood under the world of the kept samples"},
};

enum { D_HUMAN_LOST, D_SYNTH_PASSED, D_COUNT };
static const mc_metric_def DETECT_METRICS[D_COUNT] = {
    [D_HUMAN_LOST] = {"detect_human_lost", MC_ROLE_SELECTION, "fraction", -1, 0,
                      "detector: share of the human samples it dropped (false positives)"},
    [D_SYNTH_PASSED] = {"detect_synthetic_passed", MC_ROLE_SELECTION, "fraction", -1,
                        MC_METRIC_HEADLINE,
                        "detector: share of the synthetic samples that got through"},
};

int mc_curation_active(const mc_point *p)
{
    return p && (p->curation.select != MC_SELECT_NONE || p->curation.detect);
}

/* Whether regime.key is a grid axis of the point's experiment. */
static int is_axis(const mc_point *p, const char *key)
{
    for (size_t a = 0; p->exp && a < p->exp->naxes; a++)
        if (!strcmp(p->exp->axes[a].section, "regime") && !strcmp(p->exp->axes[a].key, key))
            return 1;
    return 0;
}

/* Curation keys set away from their defaults while regime.select = none (beta: while top) do
 * nothing: refused, unless a grid crosses them with regime.select (the grid's other points use
 * them). */
static int check_unused(const mc_point *p, mc_error *err)
{
    const mc_curation *c = &p->curation;
    if (is_axis(p, "select"))
        return MC_OK;
    const struct {
        const char *key;
        int set;
    } keys[] = {{"candidates", c->candidates != 1}, {"beta", c->beta != 1.0},
                {"verifier_noise", c->noise != 0.0}, {"verifier_bias", c->bias != 0.0}};
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (keys[i].set && !is_axis(p, keys[i].key) &&
            (c->select == MC_SELECT_NONE || (i == 1 && c->select == MC_SELECT_TOP))) {
            char where[256];
            return mc_error_set(err, MC_ECONFIG, "%s: has no effect with regime.select = %s "
                                "(%s)", mc_point_where(p, "regime", keys[i].key, where,
                                                       sizeof where),
                                c->select == MC_SELECT_NONE ? "none" : "top",
                                i == 1 ? "beta is best-of's" : "set regime.select = top or best-of");
        }
    return MC_OK;
}

static int check_select(const mc_point *p, mc_error *err)
{
    const mc_curation *c = &p->curation;
    char where[256];
    if (c->select == MC_SELECT_NONE)
        return MC_OK;
    if (!p->family->score || !p->family->ds_pick)
        return mc_error_set(err, MC_ECONFIG, "%s: model.family = %s has no verifier score (the "
                            "family slots score and ds_pick), so its samples cannot be curated",
                            mc_point_where(p, "regime", "select", where, sizeof where),
                            p->family->name);
    double nmax = (double)p->regime_settings.n;
    for (long g = 1; g <= p->run.generations && p->regime_settings.growth > 1; g++)
        nmax = fmax(nmax, (double)mc_point_n(p, (unsigned)g));
    if ((double)c->candidates * nmax > MAX_CANDIDATES)
        return mc_error_set(err, MC_ECONFIG, "%s: K = %llu candidates for each of up to %.3g "
                            "samples is %.3g candidates a generation; the selection scores each "
                            "one, at most %.0e", mc_point_where(p, "regime", "candidates", where,
                                                                 sizeof where),
                            (unsigned long long)c->candidates, nmax,
                            (double)c->candidates * nmax, MAX_CANDIDATES);
    return MC_OK;
}

/* A refilled set is drawn from its own mix; with TPR = 1 that mix must hold human data that the
 * detector can let through. */
static int check_detect(const mc_point *p, mc_error *err)
{
    const mc_curation *c = &p->curation;
    char where[256];
    const char *key = mc_point_value(p, "regime", "detector_tpr") ? "detector_tpr"
                                                                  : "detector_fpr";
    if (!c->detect)
        return MC_OK;
    mc_point_where(p, "regime", key, where, sizeof where);
    if (!p->family->ds_thin)
        return mc_error_set(err, MC_ECONFIG, "%s: model.family = %s cannot thin a dataset by "
                            "provenance (the family slot ds_thin), so it cannot have a detector",
                            where, p->family->name);
    if (p->regime->props & MC_REGIME_DETECTS)
        return MC_OK; /* the regime checks its own detector (the web) */
    double hmax = p->regime_settings.h;
    for (size_t i = 0; i < p->nschedule; i++)
        hmax = hmax > p->schedule[i].h ? hmax : p->schedule[i].h;
    int no_human = c->fpr == 1.0 || p->regime->law == MC_LAW_MODEL_ONLY ||
                   ((p->regime->props & MC_REGIME_USES_H) && hmax == 0);
    if (c->tpr == 1.0 && no_human)
        return mc_error_set(err, MC_ECONFIG, "%s: a detector with TPR 1 drops every synthetic "
                            "sample and this training set has no human data it lets through, so "
                            "%s (lower detector_tpr)",
                            mc_point_where(p, "regime", "detector_tpr", where, sizeof where),
                            c->refill ? "detector_refill cannot fill it"
                                      : "every training set would be empty");
    return MC_OK;
}

int mc_curation_check(const mc_point *p, mc_error *err)
{
    int r = check_unused(p, err);
    if (r == MC_OK)
        r = check_select(p, err);
    if (r == MC_OK)
        r = check_detect(p, err);
    return r;
}

int mc_curation_describe(const mc_point *p, mc_metric_list *out, mc_error *err)
{
    int r = MC_OK;
    if (p->curation.select != MC_SELECT_NONE)
        r = mc_metric_declare_all(out, SELECT_METRICS, S_COUNT);
    if (r == MC_OK && p->curation.detect)
        r = mc_metric_declare_all(out, DETECT_METRICS, D_COUNT);
    return r == MC_OK ? MC_OK : mc_error_set(err, r, "out of memory");
}

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

void mc_curation_record(const mc_point *p, const mc_unit_tally *t, double *out)
{
    if (p->curation.select != MC_SELECT_NONE) {
        out[S_ACCEPTANCE] = ratio(t->kept, t->drawn);
        out[S_BEFORE] = ratio(t->score_before, t->drawn);
        out[S_AFTER] = ratio(t->score_after, t->kept);
        out += S_COUNT;
    }
    if (p->curation.detect) {
        out[D_HUMAN_LOST] = t->human_in > 0 ? 1 - t->human_kept / t->human_in : NAN;
        out[D_SYNTH_PASSED] = ratio(t->synth_kept, t->synth_in);
    }
}
