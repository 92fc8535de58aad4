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

/* The description's first clause when it is long: up to the first "; ", " (" or ", " after
 * a few words ("KL(world || model); inf once ..." -> "KL(world || model)"). */
static size_t first_clause(const char *d)
{
    size_t len = strlen(d);
    if (len <= 40)
        return len;
    static const char *const cuts[] = {"; ", " (", ", "};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++) {
        const char *c = strstr(d + 10 < d + len ? d + 10 : d, cuts[i]);
        if (c && (size_t)(c - d) < len)
            len = (size_t)(c - d);
    }
    return len;
}

void mc_fig_metric_ylabel(const mc_run_metric *m, char *buf, size_t size)
{
    size_t words = first_clause(m->description);
    int wordy = words > 0 && words <= 60;
    char text[96];
    if (wordy)
        snprintf(text, sizeof text, "%.*s", (int)words, m->description);
    else
        snprintf(text, sizeof text, "%s", m->name);
    if (m->unit[0] && !strstr(text, m->unit))
        snprintf(buf, size, "%s (%s)", text, m->unit);
    else
        snprintf(buf, size, "%s", text);
}

int mc_fig_stat_theory(const mc_run *run, const char *name)
{
    for (size_t i = 0; i < run->npoints; i++) {
        const mc_run_metric *m = mc_run_metric_find(&run->points[i], name);
        for (long g = 0; m && g <= run->generations; g++)
            if (!isnan(m->theory[g]))
                return 1;
    }
    return 0;
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

/* The mean and its band mean +- 1.96 sd / sqrt(n) per generation (NaN without a value). */
static int mean_band(const mc_run_metric *m, size_t n, double **lo, double **hi)
{
    *lo = malloc(n * sizeof **lo);
    *hi = malloc(n * sizeof **hi);
    if (!*lo || !*hi)
        return MC_ENOMEM;
    for (size_t g = 0; g < n; g++) {
        double se = m->n[g] > 0 ? m->sd[g] / sqrt(m->n[g]) : NAN;
        (*lo)[g] = m->mean[g] - MC_FIG_SE_Z * se;
        (*hi)[g] = m->mean[g] + MC_FIG_SE_Z * se;
    }
    return MC_OK;
}

int mc_fig_point_metric(mc_figure *f, int p, const mc_run *run, size_t i, const double *x,
                        const mc_run_metric *m, mc_fig_stat stat, int *theory)
{
    size_t n = (size_t)run->generations + 1;
    const mc_run_point *pt = &run->points[i];
    mc_rgb c = mc_plot_point_color(i);
    char label[200];
    double *lo = NULL, *hi = NULL;
    int st = stat == MC_FIG_MEAN ? mean_band(m, n, &lo, &hi) : MC_OK;
    snprintf(label, sizeof label, "%s: %s", pt->legend,
             stat == MC_FIG_MEAN ? "mean +-1.96 SE" : "5-95 %");
    if (st == MC_OK && run->npoints <= MC_FIG_MAX_BANDS)
        st = mc_fig_add(f, p, MC_PLOT_BAND, label, c, 0, n, x, stat == MC_FIG_MEAN ? lo : m->q05,
                        stat == MC_FIG_MEAN ? hi : m->q95);
    free(lo);
    free(hi);
    if (st == MC_OK)
        st = mc_fig_point_line(f, p, i, pt->legend, n, x,
                               stat == MC_FIG_MEAN ? m->mean : m->q50);
    if (st == MC_OK && stat == MC_FIG_MEAN && any_defined(m->theory, run->generations)) {
        snprintf(label, sizeof label, "%s: theory", pt->legend);
        st = mc_fig_add(f, p, MC_PLOT_THEORY, label, c, 0, n, x, m->theory, NULL);
        *theory = 1;
    }
    return st;
}

int mc_fig_metric_series(mc_figure *f, int p, const mc_run *run, const double *x,
                         const char *name, mc_fig_stat stat, int *theory)
{
    int st = MC_OK;
    for (size_t i = 0; st == MC_OK && i < run->npoints; i++) {
        const mc_run_metric *m = mc_run_metric_find(&run->points[i], name);
        if (m)
            st = mc_fig_point_metric(f, p, run, i, x, m, stat, theory);
    }
    return st;
}
