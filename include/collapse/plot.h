/* plot.h - pictures of a finished run and a self-contained HTML report.
 *
 * Both read a run directory written by `collapse run` (docs/OUTPUTS.md): summary.json (the
 * statistics, metric descriptions and extinction table), points.csv (each grid point's axis
 * settings, for legends) and config.ini (the resolved configuration, shown in the report). They
 * never read metrics.csv: every figure is drawn from the summary, so a sweep of many replicates
 * costs no more to plot than one.
 *
 * Figures (DIR/plots/NAME.png and NAME.svg, drawn with cairo), each chosen by the roles the
 * run's metrics declare (collapse/metric.h; summary.json records them), never by their names:
 *   metric-<m>   every metric m against generation: per grid point the replicate median, a
 *                shaded 5-95 % band, and the closed-form theory dashed where the summary has one;
 *                the y axis says its unit;
 *   shares       (share metrics about categories) the world's and the model's category shares,
 *                stacked, per point;
 *   survival     (presence metrics) per named category, the fraction of replicates alive;
 *   heldout-fit  (a heldout_fit metric, a headline one first) the fit to held-out human data
 *                and its ratio to generation 0;
 *   human-pipeline (a workforce metric) workforce and human share beside the metric that
 *                regime.healthy watches;
 *   spread       (a spread metric with unit "ratio") the world's density against the model's.
 * Each grid point has one colour (Okabe-Ito palette) in every figure and in the report; a
 * legend names a regime's h when the regime declares that it uses h.
 *
 * A run directory that is not a run (no summary.json, or not written by collapse), incomplete
 * ("complete" not true) or from another format version gets MC_EDATA or MC_EIO with a message
 * that names the file. Every file is written under a temporary name and renamed into place.
 */
#ifndef COLLAPSE_PLOT_H
#define COLLAPSE_PLOT_H

#include <stddef.h>
#include "error.h"

/* A run directory read once, with its figures built: one read serves both the figure files and
 * the report. Owned by the caller (mc_plot_close). */
typedef struct mc_plot_set mc_plot_set;
typedef struct mc_plot_log mc_plot_log; /* what the figures drew (below) */

/* Reads the run in dir and builds its figures. Returns MC_OK, MC_EDATA (not a finished run of
 * this version), MC_EIO (unreadable) or MC_ENOMEM; err says which file. */
int mc_plot_open(const char *dir, mc_plot_set **out, mc_error *err);
/* Writes every figure of s into its dir/plots/ (created if needed) as PNG and SVG; with log,
 * *log (owned by the caller, mc_plot_log_free) lists them. MC_EIO, MC_ENOMEM; without cairo
 * MC_EINTERNAL. */
int mc_plot_write(mc_plot_set *s, mc_plot_log **log, mc_error *err);
/* Writes dir/report.html of s (see mc_report_write), linking the figure files mc_plot_write
 * wrote (or that exist from before). */
int mc_report_write_set(const mc_plot_set *s, mc_error *err);
void mc_plot_close(mc_plot_set *s);

/* mc_plot_open, mc_plot_write and mc_report_write_set: the figures and the report of the run in
 * dir from one read (what `collapse run` calls). */
int mc_plot_and_report(const char *dir, mc_error *err);

/* Draws every figure of the run in dir into dir/plots/ (created if needed), as PNG and SVG.
 * Returns MC_OK, MC_EDATA (not a finished run of this version), MC_EIO (unreadable or
 * unwritable) or MC_ENOMEM; err says which file. Without cairo it returns MC_EINTERNAL. */
int mc_plot_run(const char *dir, mc_error *err);

/* Writes dir/report.html: one file with the run's configuration, key findings in sentences,
 * a condensed summary table and every figure inline as SVG (no external resources). Same
 * return codes as mc_plot_run; without cairo the report is written without figures. */
int mc_report_write(const char *dir, mc_error *err);

/* Releases the process-wide caches that drawing text fills (cairo's font cache and
 * fontconfig's configuration), so that a leak checker sees a clean exit. Call it once, at the
 * end of a program that will draw nothing more and does not use cairo or fontconfig itself
 * (the CLI does). Harmless without cairo. */
void mc_plot_release(void);

/* ---- what the figures drew, as data: names, titles and series (`collapse plot` lists the
 * figures from it; a program can check a run's figures without reading pixels) ---- */

typedef enum mc_plot_series_kind {
    MC_PLOT_LINE,   /* a median or a survival curve */
    MC_PLOT_BAND,   /* a shaded 5-95 % band */
    MC_PLOT_THEORY, /* a dashed closed-form curve */
    MC_PLOT_AREA    /* a layer of a stacked area */
} mc_plot_series_kind;

typedef struct mc_plot_series_info {
    char name[160];          /* the series' legend text, e.g. "replace, temperature=0.9" */
    mc_plot_series_kind kind;
    int panel;               /* index of the panel it was drawn in */
    size_t points;           /* points drawn (finite or clamped to an edge; NaN gaps excluded) */
} mc_plot_series_info;

typedef struct mc_plot_figure_info {
    char name[96];           /* file stem in plots/, e.g. "metric-kl", "survival" */
    char title[256];
    int logy;                /* 1 when the first panel's y axis is logarithmic */
    size_t nseries;
    mc_plot_series_info *series;
} mc_plot_figure_info;

struct mc_plot_log {
    size_t nfigures;
    mc_plot_figure_info *figures;
};

/* Like mc_plot_run, and on success *log (owned by the caller, mc_plot_log_free) lists every
 * figure written with the series it drew. */
int mc_plot_run_log(const char *dir, mc_plot_log **log, mc_error *err);
void mc_plot_log_free(mc_plot_log *log);
/* The figure named name in log, or NULL. */
const mc_plot_figure_info *mc_plot_log_find(const mc_plot_log *log, const char *name);

#endif
