/* figure.h - the drawing model of a figure and its rendering with cairo (private to src/plot/).
 *
 * A figure is a title, a subtitle, one or more panels in a grid and a shared legend. Series are
 * data, not pixels: a line (x, y), a band or stacked-area layer (x, y low, y2 high), or a dashed
 * theory curve, each in a panel. The same description is rendered to PNG, to SVG, or to SVG text
 * in memory (for the report), and read back by the test hook (plot.h's mc_plot_log).
 *
 * Values: NaN breaks a line (undefined there); +inf and -inf are drawn at the top or bottom edge
 * of the panel, and the panel says so in a note, so an infinite KL after an extinction shows as
 * leaving the chart rather than vanishing. A y axis is logarithmic when every finite value is
 * positive and they span two decades or more (or when the panel asks for it).
 */
#ifndef COLLAPSE_PLOT_FIGURE_H
#define COLLAPSE_PLOT_FIGURE_H

#include <stddef.h>
#include "collapse/error.h"
#include "collapse/plot.h"
#include "rundir.h"

#define MC_FIG_MAX_PANELS 12

typedef struct mc_rgb {
    double r, g, b;
} mc_rgb;

typedef struct mc_fig_series {
    char name[160];
    mc_plot_series_kind kind;
    int panel;
    mc_rgb color;
    int legend;        /* listed in the legend (once per name) */
    int style;         /* lines: 0 solid, 1 dotted, 2 dash-dot (grid points beyond the palette) */
    size_t n;
    double *x, *y, *y2; /* [n]; y2 (the upper edge) only for bands and areas */
} mc_fig_series;

typedef struct mc_fig_panel {
    char title[160];
    char xlabel[96], ylabel[96];
    int logy;          /* -1 decide from the data, 0 linear, 1 logarithmic */
    double ymin, ymax; /* fixed y range, or NaN to fit the data */
    int is_log;        /* decided when rendered (or by mc_fig_layout) */
} mc_fig_panel;

typedef struct mc_figure {
    char name[96];      /* file stem: plots/<name>.png and .svg */
    char title[256];
    char subtitle[256];
    char caption[512];  /* a sentence for the report under the figure */
    int main;           /* 1: in the report's main section (story figures, headline metrics) */
    mc_fig_panel panels[MC_FIG_MAX_PANELS];
    int npanels, cols;
    mc_fig_series *series;
    size_t nseries, cap;
    mc_fig_series *extra; /* legend-only entries (e.g. "dashed: closed-form theory") */
    size_t nextra, capextra;
} mc_figure;

/* A new figure with npanels panels (1..MC_FIG_MAX_PANELS) laid out in cols columns (0: up to
 * 3 per row). Panels start with logy = -1, ymin = ymax = NaN and the x label "generation".
 * NULL when out of memory. Free with mc_fig_free. */
mc_figure *mc_fig_alloc(const char *name, int npanels, int cols);
void mc_fig_free(mc_figure *f);

/* Adds a series, copying x, y and y2 (y2 may be NULL for lines). Returns MC_OK or MC_ENOMEM. */
int mc_fig_add(mc_figure *f, int panel, mc_plot_series_kind kind, const char *name, mc_rgb color,
               int legend, size_t n, const double *x, const double *y, const double *y2);
/* Adds a legend-only entry drawn like a series of that kind. */
int mc_fig_legend(mc_figure *f, mc_plot_series_kind kind, const char *name, mc_rgb color);

/* Decides each panel's scale (is_log) from its data, as rendering does. */
void mc_fig_layout(mc_figure *f);

/* Writes dir/<name>.png (twice the nominal resolution) and dir/<name>.svg, each through a
 * temporary file and a rename. MC_EIO on failure; MC_EINTERNAL without cairo. */
int mc_fig_write(mc_figure *f, const char *dir, mc_error *err);
/* Renders the figure as SVG text into a new NUL-terminated buffer *out (caller frees). */
int mc_fig_svg(mc_figure *f, char **out, size_t *len, mc_error *err);

/* Fills info from the figure (for the test hook). Returns MC_OK or MC_ENOMEM. */
int mc_fig_info(const mc_figure *f, mc_plot_figure_info *info);

/* ---- the figure set of a run (plot.c) ---- */

/* Okabe & Ito (2008) colour of grid point i; the same in every figure and in the report. The
 * palette has 8 colours: points 8-15 repeat them dotted, 16-23 dash-dotted (mc_plot_point_style). */
mc_rgb mc_plot_point_color(size_t i);
int mc_plot_point_style(size_t i);
/* Colour of a category: its own Okabe-Ito colour when its name is a colour word ("yellow"),
 * else the palette by index. */
mc_rgb mc_plot_category_color(const char *name, size_t index);
/* "#rrggbb" of a colour into buf[8]. */
const char *mc_rgb_hex(mc_rgb c, char *buf);

/* Builds every figure of the run: *figs[0..*n) owned by the caller (mc_plot_figures_free). */
int mc_plot_figures(const mc_run *run, mc_figure ***figs, size_t *n, mc_error *err);
void mc_plot_figures_free(mc_figure **figs, size_t n);

#endif
