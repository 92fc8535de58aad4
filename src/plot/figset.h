/* figset.h - building the figure set of a run (private to src/plot/): the set itself, the
 * pieces every figure shares (subtitle, generation axis, a point's median line with its band and
 * theory) and the figures by kind, each in its own file:
 *   fig_metric.c    metric-<m>: one metric against generation;
 *   fig_category.c  shares and survival: categories by their share and presence metrics;
 *   fig_heldout.c   heldout-fit: the fit to held-out human data (role heldout_fit);
 *   fig_pipeline.c  pipeline: workforce, human share and the watched metric;
 *   fig_spread.c    spread: the model's spread against the world's (roles spread, location).
 * Every figure chooses its metrics by role (collapse/metric.h), never by name; a builder adds
 * nothing when the run lacks what it draws. Each returns MC_OK or MC_ENOMEM.
 */
#ifndef COLLAPSE_PLOT_FIGSET_H
#define COLLAPSE_PLOT_FIGSET_H

#include <stddef.h>
#include "figure.h"
#include "rundir.h"

/* Bands are drawn for up to this many grid points; beyond, overlapping bands hide the lines. */
#define MC_FIG_MAX_BANDS 6

extern const mc_rgb MC_FIG_GREY;

typedef struct mc_figset {
    mc_figure **v;
    size_t n, cap;
} mc_figset;

/* Appends f (the set owns it from then on). On MC_ENOMEM the caller still owns f. */
int mc_figset_push(mc_figset *s, mc_figure *f);
/* Pushes f when st is MC_OK, else (or when the push fails) frees it; returns the status. */
int mc_figset_finish(mc_figset *s, mc_figure *f, int st);

/* "<name>: <family>, G generations, R replicates, P grid points[; what]" into buf. */
void mc_fig_run_subtitle(const mc_run *run, const char *what, char *buf, size_t size);
/* Generations 0..G as doubles (caller frees), or NULL. */
double *mc_fig_generations(const mc_run *run);
/* The y axis of a metric in words: its description (the first clause of a long one; its name
 * when even that is too long), then "(unit)" unless the words already say it:
 * "entropy of the model (nats)", "training-set size n_g (samples)". */
void mc_fig_metric_ylabel(const mc_run_metric *m, char *buf, size_t size);

/* Which statistic a figure draws: like is compared with like. Where a closed form is drawn (it
 * is an expectation), the replicate mean with the band mean +- 1.96 standard errors (the mean's
 * 95 % interval); otherwise the median with the band of 5-95 % of replicates. */
typedef enum mc_fig_stat { MC_FIG_MEDIAN, MC_FIG_MEAN } mc_fig_stat;
#define MC_FIG_SE_Z 1.96
/* 1 when the metric called name has a closed form at some point and generation of the run:
 * its figure draws MC_FIG_MEAN. */
int mc_fig_stat_theory(const mc_run *run, const char *name);

/* The line of grid point i (its colour and style). */
int mc_fig_point_line(mc_figure *f, int panel, size_t i, const char *name, size_t n,
                      const double *x, const double *y);
/* Point i's metric m in panel p by statistic stat: MC_FIG_MEDIAN, its median line and 5-95 %
 * band; MC_FIG_MEAN, its mean line, its +-1.96 SE band and its theory where defined (then
 * *theory = 1). Bands up to MC_FIG_MAX_BANDS points. */
int mc_fig_point_metric(mc_figure *f, int p, const mc_run *run, size_t i, const double *x,
                        const mc_run_metric *m, mc_fig_stat stat, int *theory);
/* mc_fig_point_metric for every point that has the metric called name. */
int mc_fig_metric_series(mc_figure *f, int p, const mc_run *run, const double *x,
                         const char *name, mc_fig_stat stat, int *theory);

int mc_fig_metric(const mc_run *run, const mc_run_metric *m, const double *x, mc_figset *out);
int mc_fig_shares(const mc_run *run, const double *x, mc_figset *out);
int mc_fig_survival(const mc_run *run, const double *x, mc_figset *out);
int mc_fig_heldout(const mc_run *run, const double *x, mc_figset *out);
int mc_fig_pipeline(const mc_run *run, const double *x, mc_figset *out);
int mc_fig_spread(const mc_run *run, mc_figset *out);

#endif
