/* fig_pipeline.c - pipeline: for a regime that keeps a workforce of human creators (a metric of
 * role workforce), the workforce, the human share of each training set and the metric that
 * regime.healthy watches (the damage), with its threshold when the target's right side is a
 * number. The watched metric is found by the target grammar (collapse/target.h); without a
 * target, the first headline metric with a direction that is about the model (not size, human
 * share, presence or the regime's bookkeeping), else the first such metric. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/target.h"
#include "figset.h"

/* Whether a metric could measure damage to the model: it has a direction and is not the
 * training set's size or provenance, a presence indicator or the regime's bookkeeping. */
static int about_the_model(const mc_run_metric *m)
{
    return m->direction != 0 && m->role != MC_ROLE_SIZE && m->role != MC_ROLE_HUMAN_SHARE &&
           m->role != MC_ROLE_PRESENCE && !mc_metric_role_is_bookkeeping(m->role);
}

/* The metric regime.healthy watches, with its threshold when absolute; NULL when the target is
 * missing, malformed or names no metric of the point. */
static const mc_run_metric *watched_metric(const mc_run_point *pt, double *threshold)
{
    const char *text = mc_run_point_param(pt, "regime.healthy");
    mc_target t;
    mc_metric_list l;
    if (!text || mc_target_parse(text, &t, NULL) != MC_OK || mc_run_metric_list(pt, &l) != MC_OK)
        return NULL;
    long i = mc_target_find(&t, &l, NULL);
    mc_metric_list_free(&l);
    if (i < 0)
        return NULL;
    if (!t.relative && isfinite(t.value))
        *threshold = t.value;
    return &pt->metrics[i];
}

static const mc_run_metric *damage_metric(const mc_run_point *pt, double *threshold)
{
    *threshold = NAN;
    const mc_run_metric *m = watched_metric(pt, threshold);
    if (m)
        return m;
    for (int pass = 0; pass < 2; pass++)
        for (size_t k = 0; k < pt->nmetrics; k++)
            if (about_the_model(&pt->metrics[k]) && (pass == 1 || pt->metrics[k].headline))
                return &pt->metrics[k];
    return NULL;
}

/* The metric of panel p at point pt: workforce, human share, then the damage metric. */
static const mc_run_metric *panel_metric(const mc_run_point *pt, int p)
{
    double threshold;
    if (p == 2)
        return damage_metric(pt, &threshold);
    return mc_run_metric_role(pt, p == 0 ? MC_ROLE_WORKFORCE : MC_ROLE_HUMAN_SHARE, NULL, NULL);
}

static int threshold_line(mc_figure *f, const mc_run *run, const double *x, double threshold)
{
    size_t G1 = (size_t)run->generations + 1;
    double *t = malloc(G1 * sizeof *t);
    if (!t)
        return MC_ENOMEM;
    for (size_t g = 0; g < G1; g++)
        t[g] = threshold;
    int st = mc_fig_add(f, 2, MC_PLOT_THEORY, "healthy threshold", MC_FIG_GREY, 0, G1, x, t, NULL);
    if (st == MC_OK)
        st = mc_fig_legend(f, MC_PLOT_THEORY, "regime.healthy threshold", MC_FIG_GREY);
    free(t);
    return st;
}

int mc_fig_pipeline(const mc_run *run, const double *x, mc_figset *out)
{
    const mc_run_point *p0 = &run->points[0];
    if (!mc_run_metric_role(p0, MC_ROLE_WORKFORCE, NULL, NULL))
        return MC_OK;
    double threshold;
    const mc_run_metric *dmg = damage_metric(p0, &threshold);
    int np = dmg ? 3 : 2;
    mc_figure *f = mc_fig_alloc("human-pipeline", np, np);
    if (!f)
        return MC_ENOMEM;
    snprintf(f->title, sizeof f->title, "The human pipeline: workforce, human data and damage");
    mc_fig_run_subtitle(run, "median across replicates", f->subtitle, sizeof f->subtitle);
    f->main = 1;
    snprintf(f->caption, sizeof f->caption,
             "Productive creators (workforce), the human share of each training set, and %s%s%s, "
             "per generation.", dmg ? dmg->name : "", dmg ? ": " : "no damage metric",
             dmg ? dmg->description : "");
    int st = MC_OK, theory = 0;
    for (int p = 0; st == MC_OK && p < np; p++) {
        const mc_run_metric *m0 = panel_metric(p0, p);
        snprintf(f->panels[p].title, sizeof f->panels[p].title, "%s", m0 ? m0->name : "");
        if (m0)
            mc_fig_metric_ylabel(m0, f->panels[p].ylabel, sizeof f->panels[p].ylabel);
        for (size_t i = 0; st == MC_OK && i < run->npoints; i++) {
            const mc_run_metric *m = panel_metric(&run->points[i], p);
            if (m)
                st = mc_fig_point_metric(f, p, run, i, x, m, MC_FIG_MEDIAN, &theory);
        }
    }
    if (st == MC_OK && dmg && !isnan(threshold))
        st = threshold_line(f, run, x, threshold);
    if (st == MC_OK && run->npoints <= MC_FIG_MAX_BANDS)
        st = mc_fig_legend(f, MC_PLOT_BAND, "5-95 % of replicates", MC_FIG_GREY);
    return mc_figset_finish(out, f, st);
}
