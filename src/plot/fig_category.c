/* fig_category.c - the categories of a run, chosen by role: their share metrics (role share,
 * one per subject) and their presence metrics (role presence).
 *
 *   shares    per point, the mean of each category's share stacked (the means of shares that
 *             sum to 1 in every replicate sum to 1), rarest category at the bottom, with dashed
 *             lines at the world's cumulative shares: exact when the run's world.weights lists
 *             them, else estimated by generation 0's mean (the maximum-likelihood fit to n_0
 *             human samples is unbiased for them);
 *   survival  per named category, the mean of its presence metric (a 0/1 indicator), i.e. the
 *             fraction of replicates in which it is alive at each generation.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "figset.h"

#define MAX_CATS 32

/* The categories of the stack: point 0's share metrics, the world's share of each, the stack
 * order (rarest first) and whether an "other" layer tops them up to 1. */
typedef struct stack {
    const mc_run_metric *m[MAX_CATS];
    double world[MAX_CATS + 1];
    size_t ord[MAX_CATS], k, cmax;
    int exact, other;
    double ymax;
} stack;

static void stack_world(const mc_run *run, stack *s)
{
    double sum = 0;
    s->exact = 1;
    for (size_t c = 0; c < s->k; c++) {
        int how = mc_run_world_share(run, s->m[c]->subject, &s->world[c]);
        if (how < 0)
            s->world[c] = 0;
        s->exact &= how == 1;
        sum += s->world[c];
    }
    s->other = sum < 1 - 1e-6;
    s->world[s->k] = s->other ? 1 - sum : 0;
    for (size_t c = 0; c < s->k; c++)
        s->ord[c] = c;
    for (size_t a = 1; a < s->k; a++)
        for (size_t b = a; b > 0 && s->world[s->ord[b]] < s->world[s->ord[b - 1]]; b--) {
            size_t t = s->ord[b];
            s->ord[b] = s->ord[b - 1];
            s->ord[b - 1] = t;
        }
    /* When one category dominates, the rest would be a sliver: zoom the axis onto the rare ones
     * (2.5 times their world mass, on a 0.05 grid); the dominant one fills the panel above. */
    double wmax = 0;
    for (size_t c = 0; c < s->k; c++)
        if (s->world[c] > wmax) {
            wmax = s->world[c];
            s->cmax = c;
        }
    s->ymax = 1;
    if (wmax > 0.6)
        s->ymax = fmin(1, ceil(2.5 * (1 - wmax) / 0.05 - 1e-9) * 0.05);
}

/* Point 0's share metrics about a subject; 0 when there are fewer than two. */
static size_t stack_metrics(const mc_run_point *p0, stack *s)
{
    s->k = 0;
    for (size_t m = 0; m < p0->nmetrics && s->k < MAX_CATS; m++)
        if (p0->metrics[m].role == MC_ROLE_SHARE && p0->metrics[m].subject[0])
            s->m[s->k++] = &p0->metrics[m];
    return s->k;
}

/* One point's stack in panel p: its layers and the world's boundaries between them. */
static int stack_panel(mc_figure *f, int p, const mc_run_point *pt, const stack *s,
                       const double *x, size_t G1, double *lo, double *hi)
{
    mc_fig_panel *pan = &f->panels[p];
    snprintf(pan->title, sizeof pan->title, "%s", pt->legend);
    snprintf(pan->ylabel, sizeof pan->ylabel, "%s",
             s->ymax < 1 ? "share of the model (axis cut)" : "share of the model");
    pan->logy = 0;
    pan->ymin = 0;
    pan->ymax = s->ymax;
    for (size_t g = 0; g < G1; g++)
        lo[g] = 0;
    double wcum = 0;
    int st = MC_OK;
    for (size_t j = 0; st == MC_OK && j < s->k + (size_t)s->other; j++) {
        int is_other = j == s->k;
        const mc_run_metric *m =
            is_other ? NULL : mc_run_metric_role(pt, MC_ROLE_SHARE, s->m[s->ord[j]]->subject, NULL);
        for (size_t g = 0; g < G1; g++) {
            double v = m ? m->mean[g] : NAN;
            if (is_other)
                v = fmax(0, 1 - lo[g]);
            hi[g] = isfinite(v) ? lo[g] + v : lo[g];
        }
        const char *name = is_other ? "other" : s->m[s->ord[j]]->subject;
        mc_rgb col = is_other ? (mc_rgb){0.8, 0.8, 0.8} : mc_plot_category_color(name, s->ord[j]);
        st = mc_fig_add(f, p, MC_PLOT_AREA, name, col, 1, G1, x, lo, hi);
        memcpy(lo, hi, G1 * sizeof *lo);
        wcum += is_other ? s->world[s->k] : s->world[s->ord[j]];
        if (st == MC_OK && j + 1 < s->k + (size_t)s->other) { /* a boundary inside the stack */
            for (size_t g = 0; g < G1; g++)
                hi[g] = wcum;
            st = mc_fig_add(f, p, MC_PLOT_THEORY, "world", (mc_rgb){0, 0, 0}, 0, G1, x, hi, NULL);
        }
    }
    return st;
}

static void shares_text(mc_figure *f, const mc_run *run, const stack *s, int np)
{
    snprintf(f->title, sizeof f->title, "Category shares of the model over generations");
    mc_fig_run_subtitle(run, "mean across replicates; dashed: the world", f->subtitle,
                        sizeof f->subtitle);
    f->main = 1;
    int cut = s->ymax < 1;
    snprintf(f->caption, sizeof f->caption,
             "The model's probability of each category (mean over %ld replicates), stacked, "
             "rarest at the bottom; one panel per grid point%s. Dashed lines: the world's "
             "cumulative shares%s.%s%s%s",
             run->replicates, run->npoints > (size_t)np ? " (the first 12 shown)" : "",
             s->exact ? " (world.weights)"
                      : ", estimated by generation 0's fit to human data (mean over replicates)",
             cut ? " The axis is cut so that the rare categories show; " : "",
             cut ? s->m[s->cmax]->subject : "",
             cut ? " fills the rest of each panel up to 1." : "");
}

int mc_fig_shares(const mc_run *run, const double *x, mc_figset *out)
{
    stack s = {0};
    if (stack_metrics(&run->points[0], &s) < 2)
        return MC_OK;
    stack_world(run, &s);
    size_t G1 = (size_t)run->generations + 1;
    int np = run->npoints < MC_FIG_MAX_PANELS ? (int)run->npoints : MC_FIG_MAX_PANELS;
    mc_figure *f = mc_fig_alloc("shares", np, np == 1 ? 1 : 2);
    double *lo = malloc(G1 * sizeof *lo), *hi = malloc(G1 * sizeof *hi);
    int st = f && lo && hi ? MC_OK : MC_ENOMEM;
    if (st == MC_OK)
        shares_text(f, run, &s, np);
    for (int p = 0; st == MC_OK && p < np; p++)
        st = stack_panel(f, p, &run->points[p], &s, x, G1, lo, hi);
    if (st == MC_OK)
        st = mc_fig_legend(f, MC_PLOT_THEORY, "world's shares", (mc_rgb){0, 0, 0});
    free(lo);
    free(hi);
    if (!f)
        return MC_ENOMEM;
    return mc_figset_finish(out, f, st);
}

/* Point 0's presence metrics that change somewhere (idx, up to MC_FIG_MAX_PANELS); the subjects
 * of those alive everywhere are listed in always. */
static int moving_presence(const mc_run *run, size_t *idx, char *always, size_t size,
                           size_t *nalways)
{
    const mc_run_point *p0 = &run->points[0];
    int np = 0;
    *nalways = 0;
    always[0] = '\0';
    for (size_t m = 0; m < p0->nmetrics && np < MC_FIG_MAX_PANELS; m++) {
        const mc_run_metric *mm = &p0->metrics[m];
        if (mm->role != MC_ROLE_PRESENCE)
            continue;
        if (mc_run_always_alive(run, mm->name)) {
            size_t len = strlen(always);
            snprintf(always + len, size - len, "%s%s", *nalways ? ", " : "",
                     mm->subject[0] ? mm->subject : mm->name);
            (*nalways)++;
            continue;
        }
        idx[np++] = m;
    }
    return np;
}

int mc_fig_survival(const mc_run *run, const double *x, mc_figset *out)
{
    const mc_run_point *p0 = &run->points[0];
    size_t idx[MC_FIG_MAX_PANELS], nalways;
    char always[256];
    int np = moving_presence(run, idx, always, sizeof always, &nalways);
    if (np == 0)
        return MC_OK;
    mc_figure *f = mc_fig_alloc("survival", np, 0);
    if (!f)
        return MC_ENOMEM;
    snprintf(f->title, sizeof f->title, "Survival: fraction of replicates in which each category "
             "is alive");
    mc_fig_run_subtitle(run, "", f->subtitle, sizeof f->subtitle);
    f->main = 1;
    snprintf(f->caption, sizeof f->caption,
             "For each named category, the fraction of the %ld replicates in which the model still "
             "gives it probability above zero, per generation (the mean of its 0/1 presence "
             "metric); one line per grid point.%s%s%s", run->replicates,
             nalways ? " Alive in every replicate at every generation, not drawn: " : "", always,
             nalways ? "." : "");
    int st = MC_OK;
    size_t G1 = (size_t)run->generations + 1;
    for (int p = 0; st == MC_OK && p < np; p++) {
        const mc_run_metric *m0 = &p0->metrics[idx[p]];
        mc_fig_panel *pan = &f->panels[p];
        snprintf(pan->title, sizeof pan->title, "%s", m0->subject[0] ? m0->subject : m0->name);
        snprintf(pan->ylabel, sizeof pan->ylabel, "fraction of replicates alive");
        pan->logy = 0;
        pan->ymin = 0;
        pan->ymax = 1;
        for (size_t i = 0; st == MC_OK && i < run->npoints; i++) {
            const mc_run_metric *m = mc_run_metric_find(&run->points[i], m0->name);
            if (m)
                st = mc_fig_point_line(f, p, i, run->points[i].legend, G1, x, m->mean);
        }
    }
    return mc_figset_finish(out, f, st);
}
