/* figset.c - the figure set of a run and the pieces every figure shares. See figset.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "figset.h"

const mc_rgb MC_FIG_GREY = {0.45, 0.45, 0.45};

int mc_figset_push(mc_figset *s, mc_figure *f)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 16;
        mc_figure **p = realloc(s->v, cap * sizeof *p);
        if (!p)
            return MC_ENOMEM;
        s->v = p;
        s->cap = cap;
    }
    s->v[s->n++] = f;
    return MC_OK;
}

int mc_figset_finish(mc_figset *s, mc_figure *f, int st)
{
    if (st == MC_OK)
        st = mc_figset_push(s, f);
    if (st != MC_OK)
        mc_fig_free(f);
    return st;
}

void mc_fig_run_subtitle(const mc_run *run, const char *what, char *buf, size_t size)
{
    const char *family = run->points[0].family;
    int mixed = 0;
    for (size_t i = 1; i < run->npoints; i++)
        mixed |= strcmp(run->points[i].family, family) != 0;
    char every[64] = "";
    if (run->metrics_every > 1) /* the lines join the measured generations */
        snprintf(every, sizeof every, ", measured every %ld", run->metrics_every);
    snprintf(buf, size, "%s: %s, %ld generations%s, %ld replicates, %zu grid point%s%s%s",
             run->name, mixed ? "several families" : family, run->generations, every,
             run->replicates, run->npoints, run->npoints == 1 ? "" : "s", what[0] ? "; " : "",
             what);
}

double *mc_fig_generations(const mc_run *run)
{
    double *x = malloc((size_t)(run->generations + 1) * sizeof *x);
    if (x)
        for (long g = 0; g <= run->generations; g++)
            x[g] = (double)g;
    return x;
}

void mc_fig_metric_ylabel(const mc_run_metric *m, char *buf, size_t size)
{
    if (m->unit[0])
        snprintf(buf, size, "%s (%s)", m->name, m->unit);
    else
        snprintf(buf, size, "%s", m->name);
}

int mc_fig_point_line(mc_figure *f, int panel, size_t i, const char *name, size_t n,
                      const double *x, const double *y)
{
    int st = mc_fig_add(f, panel, MC_PLOT_LINE, name, mc_plot_point_color(i), 1, n, x, y, NULL);
    if (st == MC_OK)
        f->series[f->nseries - 1].style = mc_plot_point_style(i);
    return st;
}

static int any_defined(const double *v, long G)
{
    for (long g = 0; g <= G; g++)
        if (!isnan(v[g]))
            return 1;
    return 0;
}

int mc_fig_point_metric(mc_figure *f, int p, const mc_run *run, size_t i, const double *x,
                        const mc_run_metric *m, int *theory)
{
    size_t n = (size_t)run->generations + 1;
    const mc_run_point *pt = &run->points[i];
    mc_rgb c = mc_plot_point_color(i);
    char label[200];
    snprintf(label, sizeof label, "%s: 5-95 %%", pt->legend);
    int st = MC_OK;
    if (run->npoints <= MC_FIG_MAX_BANDS)
        st = mc_fig_add(f, p, MC_PLOT_BAND, label, c, 0, n, x, m->q05, m->q95);
    if (st == MC_OK)
        st = mc_fig_point_line(f, p, i, pt->legend, n, x, m->q50);
    if (st == MC_OK && any_defined(m->theory, run->generations)) {
        snprintf(label, sizeof label, "%s: theory", pt->legend);
        st = mc_fig_add(f, p, MC_PLOT_THEORY, label, c, 0, n, x, m->theory, NULL);
        *theory = 1;
    }
    return st;
}

int mc_fig_metric_series(mc_figure *f, int p, const mc_run *run, const double *x,
                         const char *name, int *theory)
{
    int st = MC_OK;
    for (size_t i = 0; st == MC_OK && i < run->npoints; i++) {
        const mc_run_metric *m = mc_run_metric_find(&run->points[i], name);
        if (m)
            st = mc_fig_point_metric(f, p, run, i, x, m, theory);
    }
    return st;
}
