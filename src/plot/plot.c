/* plot.c - which figures a run gets, the colours of grid points and categories, and the
 * public entry points: a run directory read once (mc_plot_open) serves both its figure files
 * (mc_plot_write) and its report (report.c). See plot.h, figure.h and figset.h (the figures by
 * kind, each chosen by the roles of the run's metrics, never by their names).
 *
 * Colours: Okabe, M. & Ito, K. (2008), "Color Universal Design", the palette recommended for
 * readers with colour-vision deficiencies; grid point i has colour i in every figure.
 */
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "collapse/plot.h"
#include "figset.h"
#include "plotset.h"
#include "rundir.h"
#ifdef MC_HAVE_CAIRO
#include <cairo.h>
#endif

static mc_rgb hex(unsigned v)
{
    return (mc_rgb){((v >> 16) & 0xff) / 255.0, ((v >> 8) & 0xff) / 255.0, (v & 0xff) / 255.0};
}

/* Lines on white: the darker Okabe-Ito colours first, yellow (low contrast on white) last. */
static const unsigned POINT_COLORS[] = {0x0072B2, 0xD55E00, 0x009E73, 0xE69F00,
                                        0xCC79A7, 0x56B4E9, 0x000000, 0xF0E442};
#define NCOLORS (sizeof POINT_COLORS / sizeof POINT_COLORS[0])

mc_rgb mc_plot_point_color(size_t i)
{
    return hex(POINT_COLORS[i % NCOLORS]);
}

mc_rgb mc_plot_category_color(const char *name, size_t index)
{
    static const struct {
        const char *name;
        unsigned rgb;
    } words[] = {{"blue", 0x0072B2},   {"yellow", 0xF0E442}, {"green", 0x009E73},
                 {"orange", 0xE69F00}, {"red", 0xD55E00},    {"vermillion", 0xD55E00},
                 {"purple", 0xCC79A7}, {"pink", 0xCC79A7},   {"sky", 0x56B4E9},
                 {"black", 0x000000},  {"grey", 0x999999},   {"gray", 0x999999}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(name, words[i].name) == 0)
            return hex(words[i].rgb);
    static const unsigned order[] = {0x0072B2, 0xE69F00, 0x009E73, 0xCC79A7,
                                     0x56B4E9, 0xD55E00, 0xF0E442, 0x000000};
    return hex(order[index % (sizeof order / sizeof order[0])]);
}

int mc_plot_point_style(size_t i)
{
    return (int)((i / NCOLORS) % 3);
}

const char *mc_rgb_hex(mc_rgb c, char *buf)
{
    snprintf(buf, 8, "#%02x%02x%02x", (unsigned)lround(c.r * 255), (unsigned)lround(c.g * 255),
             (unsigned)lround(c.b * 255));
    return buf;
}

/* ---- the figure set ---- */

void mc_plot_figures_free(mc_figure **figs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mc_fig_free(figs[i]);
    free(figs);
}

/* Every metric of every point, once, headline metrics first; presence metrics are drawn by the
 * survival figure. */
static int metric_figures(const mc_run *run, const double *x, mc_figset *set)
{
    int st = MC_OK;
    for (int pass = 0; pass < 2 && st == MC_OK; pass++)
        for (size_t i = 0; i < run->npoints && st == MC_OK; i++)
            for (size_t m = 0; m < run->points[i].nmetrics && st == MC_OK; m++) {
                const mc_run_metric *mm = &run->points[i].metrics[m];
                if (mm->role == MC_ROLE_PRESENCE || mm->headline != (pass == 0))
                    continue;
                int seen = 0;
                for (size_t j = 0; j < i && !seen; j++)
                    seen = mc_run_metric_find(&run->points[j], mm->name) != NULL;
                if (!seen)
                    st = mc_fig_metric(run, mm, x, set);
            }
    return st;
}

/* metrics.every = k: a series over the generations has no value at the generations that were
 * not measured; those entries are dropped, so its line joins the measured generations (a value
 * missing at a measured generation still breaks it). The report says how it was measured. */
static void join_unmeasured(mc_figure *f, long every, long G)
{
    for (size_t i = 0; i < f->nseries; i++) {
        mc_fig_series *s = &f->series[i];
        int over_generations = s->n == (size_t)G + 1;
        for (size_t k = 0; over_generations && k < s->n; k++)
            over_generations = s->x[k] == (double)k;
        if (!over_generations)
            continue;
        size_t w = 0;
        for (size_t k = 0; k < s->n; k++) {
            int gap = (long)k % every != 0 && (long)k != G && isnan(s->y[k]) &&
                      (!s->y2 || isnan(s->y2[k]));
            if (gap)
                continue;
            s->x[w] = s->x[k];
            s->y[w] = s->y[k];
            if (s->y2)
                s->y2[w] = s->y2[k];
            w++;
        }
        s->n = w;
    }
}

int mc_plot_figures(const mc_run *run, mc_figure ***figs, size_t *n, mc_error *err)
{
    *figs = NULL;
    *n = 0;
    mc_figset set = {0};
    double *x = mc_fig_generations(run);
    int st = x ? MC_OK : MC_ENOMEM;
    if (st == MC_OK)
        st = mc_fig_shares(run, x, &set);
    if (st == MC_OK)
        st = mc_fig_survival(run, x, &set);
    if (st == MC_OK)
        st = mc_fig_heldout(run, x, &set);
    if (st == MC_OK)
        st = mc_fig_pipeline(run, x, &set);
    if (st == MC_OK)
        st = mc_fig_spread(run, &set);
    if (st == MC_OK)
        st = metric_figures(run, x, &set);
    free(x);
    if (st != MC_OK) {
        mc_plot_figures_free(set.v, set.n);
        return mc_error_set(err, st, "%s: out of memory while building the figures", run->dir);
    }
    for (size_t i = 0; i < set.n; i++) {
        if (run->metrics_every > 1)
            join_unmeasured(set.v[i], run->metrics_every, run->generations);
        mc_fig_layout(set.v[i]);
    }
    *figs = set.v;
    *n = set.n;
    return MC_OK;
}

/* ---- the public entry points ---- */

void mc_plot_log_free(mc_plot_log *log)
{
    if (!log)
        return;
    for (size_t i = 0; i < log->nfigures; i++)
        free(log->figures[i].series);
    free(log->figures);
    free(log);
}

const mc_plot_figure_info *mc_plot_log_find(const mc_plot_log *log, const char *name)
{
    for (size_t i = 0; log && i < log->nfigures; i++)
        if (strcmp(log->figures[i].name, name) == 0)
            return &log->figures[i];
    return NULL;
}

int mc_plot_open(const char *dir, mc_plot_set **out, mc_error *err)
{
    *out = NULL;
    mc_plot_set *s = calloc(1, sizeof *s);
    if (!s)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int st = mc_run_read(dir, &s->run, err);
    if (st == MC_OK)
        st = mc_plot_figures(s->run, &s->figs, &s->nfigs, err);
    if (st == MC_OK && !(s->written = calloc(s->nfigs ? s->nfigs : 1, sizeof *s->written)))
        st = mc_error_set(err, MC_ENOMEM, "out of memory");
    if (st != MC_OK) {
        mc_plot_close(s);
        return st;
    }
    *out = s;
    return MC_OK;
}

void mc_plot_close(mc_plot_set *s)
{
    if (!s)
        return;
    mc_plot_figures_free(s->figs, s->nfigs);
    free(s->written);
    mc_run_free(s->run);
    free(s);
}

/* What the figures of s drew, for the test hook and `collapse plot`'s listing. */
static int make_log(const mc_plot_set *s, mc_plot_log **log, mc_error *err)
{
    mc_plot_log *lg = calloc(1, sizeof *lg);
    if (lg)
        lg->figures = calloc(s->nfigs ? s->nfigs : 1, sizeof *lg->figures);
    int st = lg && lg->figures ? MC_OK : MC_ENOMEM;
    for (size_t i = 0; st == MC_OK && i < s->nfigs; i++) {
        st = mc_fig_info(s->figs[i], &lg->figures[i]);
        lg->nfigures++;
    }
    if (st != MC_OK) {
        mc_plot_log_free(lg);
        return mc_error_set(err, st, "out of memory");
    }
    *log = lg;
    return MC_OK;
}

int mc_plot_write(mc_plot_set *s, mc_plot_log **log, mc_error *err)
{
    if (log)
        *log = NULL;
    char pdir[4096];
    snprintf(pdir, sizeof pdir, "%s/plots", s->run->dir);
    if (mkdir(pdir, 0777) != 0 && errno != EEXIST)
        return mc_error_set(err, MC_EIO, "%s: cannot create: %s", pdir, strerror(errno));
    for (size_t i = 0; i < s->nfigs; i++) {
        int st = mc_fig_write(s->figs[i], pdir, err);
        if (st != MC_OK)
            return st;
        s->written[i] = 1;
    }
    return log ? make_log(s, log, err) : MC_OK;
}

int mc_plot_run_log(const char *dir, mc_plot_log **log, mc_error *err)
{
    if (log)
        *log = NULL;
    mc_plot_set *s;
    int st = mc_plot_open(dir, &s, err);
    if (st == MC_OK)
        st = mc_plot_write(s, log, err);
    mc_plot_close(s);
    return st;
}

int mc_plot_run(const char *dir, mc_error *err)
{
    return mc_plot_run_log(dir, NULL, err);
}

int mc_plot_and_report(const char *dir, mc_error *err)
{
    mc_plot_set *s;
    int st = mc_plot_open(dir, &s, err);
    if (st == MC_OK)
        st = mc_plot_write(s, NULL, err);
    if (st == MC_OK)
        st = mc_report_write_set(s, err);
    mc_plot_close(s);
    return st;
}

void mc_plot_release(void)
{
#ifdef MC_HAVE_CAIRO
    cairo_debug_reset_static_data();
    /* fontconfig is cairo's dependency, not ours: find FcFini at run time rather than link it */
    void (*fc_fini)(void) = NULL;
    *(void **)&fc_fini = dlsym(RTLD_DEFAULT, "FcFini");
    if (fc_fini)
        fc_fini();
#endif
}
