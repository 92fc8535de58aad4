/* figure.c - the drawing model of a figure and its rendering with cairo. See figure.h.
 *
 * Geometry is in nominal units (SVG points; the PNG is drawn at twice that many pixels): a
 * figure is 760 wide; the title and subtitle, then panels in a grid, then the legend flowed in
 * rows, then a note. Axis ticks are "nice" numbers (1, 2 or 5 times a power of ten; integers on
 * the generation axis; decades on a logarithmic axis).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/atomic.h"
#include "figure.h"
#include "sbuf.h"
#ifdef MC_HAVE_CAIRO
#include <cairo.h>
#include <cairo-svg.h>
#endif

#define FIG_W 760.0
#define OUTER 10.0
#define LEG_ROW 18.0
#define BAND_ALPHA 0.20

mc_figure *mc_fig_alloc(const char *name, int npanels, int cols)
{
    if (npanels < 1 || npanels > MC_FIG_MAX_PANELS)
        return NULL;
    mc_figure *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    snprintf(f->name, sizeof f->name, "%s", name);
    f->npanels = npanels;
    f->cols = cols > 0 ? cols : (npanels < 3 ? npanels : (npanels == 4 ? 2 : 3));
    for (int p = 0; p < npanels; p++) {
        f->panels[p].logy = -1;
        f->panels[p].ymin = f->panels[p].ymax = NAN;
        snprintf(f->panels[p].xlabel, sizeof f->panels[p].xlabel, "generation");
    }
    return f;
}

static void series_clear(mc_fig_series *s)
{
    free(s->x);
    free(s->y);
    free(s->y2);
}

void mc_fig_free(mc_figure *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->nseries; i++)
        series_clear(&f->series[i]);
    free(f->series);
    free(f->extra);
    free(f);
}

static double *copy(const double *v, size_t n)
{
    double *d = malloc((n ? n : 1) * sizeof *d);
    if (d && n)
        memcpy(d, v, n * sizeof *d);
    return d;
}

int mc_fig_add(mc_figure *f, int panel, mc_plot_series_kind kind, const char *name, mc_rgb color,
               int legend, size_t n, const double *x, const double *y, const double *y2)
{
    if (panel < 0 || panel >= f->npanels)
        return MC_EINTERNAL;
    if (f->nseries == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 16;
        mc_fig_series *p = realloc(f->series, cap * sizeof *p);
        if (!p)
            return MC_ENOMEM;
        f->series = p;
        f->cap = cap;
    }
    mc_fig_series *s = &f->series[f->nseries];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->kind = kind;
    s->panel = panel;
    s->color = color;
    s->legend = legend;
    s->n = n;
    s->x = copy(x, n);
    s->y = copy(y, n);
    s->y2 = y2 ? copy(y2, n) : NULL;
    if (!s->x || !s->y || (y2 && !s->y2)) {
        series_clear(s);
        return MC_ENOMEM;
    }
    f->nseries++;
    return MC_OK;
}

int mc_fig_legend(mc_figure *f, mc_plot_series_kind kind, const char *name, mc_rgb color)
{
    if (f->nextra == f->capextra) {
        size_t cap = f->capextra ? 2 * f->capextra : 4;
        mc_fig_series *p = realloc(f->extra, cap * sizeof *p);
        if (!p)
            return MC_ENOMEM;
        f->extra = p;
        f->capextra = cap;
    }
    mc_fig_series *s = &f->extra[f->nextra++];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    s->kind = kind;
    s->color = color;
    s->legend = 1;
    return MC_OK;
}

/* ---- scales ---- */

typedef struct range {
    double xlo, xhi, ylo, yhi;
    int log;
    int pinf; /* some value is +inf: the panel gets an "inf" strip above its finite range */
} range;

static double nice_step(double span, int target)
{
    double raw = span / target;
    double mag = pow(10, floor(log10(raw)));
    double f = raw / mag;
    double nf = f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10;
    return nf * mag;
}

static void panel_range(const mc_figure *f, int p, range *r)
{
    const mc_fig_panel *pan = &f->panels[p];
    double xlo = INFINITY, xhi = -INFINITY, lo = INFINITY, hi = -INFINITY, minpos = INFINITY;
    r->pinf = 0;
    for (size_t i = 0; i < f->nseries; i++) {
        const mc_fig_series *s = &f->series[i];
        if (s->panel != p)
            continue;
        for (size_t k = 0; k < s->n; k++) {
            if (isfinite(s->x[k])) {
                xlo = fmin(xlo, s->x[k]);
                xhi = fmax(xhi, s->x[k]);
            }
            double v[2] = {s->y[k], s->y2 ? s->y2[k] : NAN};
            for (int j = 0; j < 2; j++) {
                if (v[j] == INFINITY)
                    r->pinf = 1;
                if (!isfinite(v[j]))
                    continue;
                lo = fmin(lo, v[j]);
                hi = fmax(hi, v[j]);
                if (v[j] > 0)
                    minpos = fmin(minpos, v[j]);
            }
        }
    }
    if (!(xlo <= xhi)) {
        xlo = 0;
        xhi = 1;
    }
    if (xhi == xlo) { /* one generation: centre it */
        xlo -= 0.5;
        xhi += 0.5;
    }
    r->xlo = xlo;
    r->xhi = xhi;
    int any = lo <= hi;
    if (pan->logy == 1)
        r->log = isfinite(minpos);
    else if (pan->logy == 0)
        r->log = 0;
    else
        r->log = any && lo > 0 && hi / lo >= 100;
    if (!isnan(pan->ymin) && !isnan(pan->ymax)) {
        r->ylo = pan->ymin;
        r->yhi = pan->ymax;
        if (r->log && r->ylo <= 0)
            r->ylo = isfinite(minpos) ? minpos : 1e-3;
        return;
    }
    if (!any) {
        r->log = 0;
        r->ylo = 0;
        r->yhi = 1;
        return;
    }
    if (r->log) {
        r->ylo = pow(10, floor(log10(minpos)));
        r->yhi = pow(10, ceil(log10(hi)));
        if (r->yhi <= r->ylo)
            r->yhi = r->ylo * 10;
        return;
    }
    if (lo >= 0 && lo <= 0.5 * hi)
        lo = 0;
    if (hi == lo) {
        if (lo == 0)
            hi = 1;
        else {
            double d = fabs(lo) * 0.1;
            lo -= d;
            hi += d;
        }
    }
    double step = nice_step(hi - lo, 5);
    r->ylo = floor(lo / step + 1e-9) * step;
    r->yhi = ceil(hi / step - 1e-9) * step;
}

void mc_fig_layout(mc_figure *f)
{
    for (int p = 0; p < f->npanels; p++) {
        range r;
        panel_range(f, p, &r);
        f->panels[p].is_log = r.log;
    }
}

int mc_fig_info(const mc_figure *f, mc_plot_figure_info *info)
{
    memset(info, 0, sizeof *info);
    snprintf(info->name, sizeof info->name, "%s", f->name);
    snprintf(info->title, sizeof info->title, "%s", f->title);
    range r;
    panel_range(f, 0, &r);
    info->logy = r.log;
    info->series = calloc(f->nseries ? f->nseries : 1, sizeof *info->series);
    if (!info->series)
        return MC_ENOMEM;
    info->nseries = f->nseries;
    for (size_t i = 0; i < f->nseries; i++) {
        const mc_fig_series *s = &f->series[i];
        mc_plot_series_info *o = &info->series[i];
        snprintf(o->name, sizeof o->name, "%s", s->name);
        o->kind = s->kind;
        o->panel = s->panel;
        for (size_t k = 0; k < s->n; k++)
            o->points += !isnan(s->x[k]) && !isnan(s->y[k]) && !(s->y2 && isnan(s->y2[k]));
    }
    return MC_OK;
}

#ifdef MC_HAVE_CAIRO

/* ---- text ---- */

static const mc_rgb INK = {0.13, 0.13, 0.13};
static const mc_rgb GREY = {0.40, 0.40, 0.40};

static void set_rgb(cairo_t *cr, mc_rgb c, double alpha)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha);
}

static void font(cairo_t *cr, double size, int bold)
{
    cairo_select_font_face(cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL,
                           bold ? CAIRO_FONT_WEIGHT_BOLD : CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_font_size(cr, size);
}

static double text_w(cairo_t *cr, const char *s)
{
    cairo_text_extents_t e;
    cairo_text_extents(cr, s, &e);
    return e.x_advance;
}

/* Copies s into buf, shortened with an ellipsis (at a UTF-8 character boundary) to fit maxw. */
static const char *fit(cairo_t *cr, const char *s, double maxw, char *buf, size_t size)
{
    snprintf(buf, size, "%s", s);
    if (text_w(cr, buf) <= maxw)
        return buf;
    size_t n = strlen(buf);
    while (n > 0) {
        n--;
        while (n > 0 && ((unsigned char)buf[n] & 0xC0) == 0x80)
            n--;
        if (n + 4 > size)
            continue;
        memcpy(buf + n, "\xE2\x80\xA6", 4); /* U+2026 */
        if (text_w(cr, buf) <= maxw)
            break;
    }
    return buf;
}

/* align: 0 left, 1 centre, 2 right; baseline at y. */
static void text_at(cairo_t *cr, double x, double y, const char *s, int align)
{
    double w = text_w(cr, s);
    cairo_move_to(cr, x - (align == 1 ? w / 2 : align == 2 ? w : 0), y);
    cairo_show_text(cr, s);
}

static void fmt_tick(double v, double step, char *buf, size_t size)
{
    if (fabs(v) < step * 1e-9)
        v = 0;
    snprintf(buf, size, "%.4g", v);
}

/* ---- layout ---- */

typedef struct geom {
    double w, h;
    double top;             /* y of the first panel row */
    double cw, ch;          /* cell size */
    int rows;
    double legend_y;        /* top of the legend */
    int legend_rows;
    double note_y;
    int has_note;
} geom;

typedef struct legend_item {
    const mc_fig_series *s;
    double w;
} legend_item;

/* Legend entries: series with legend set, once per name, then the extras. */
static size_t legend_items(const mc_figure *f, legend_item *items, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < f->nseries && n < max; i++) {
        const mc_fig_series *s = &f->series[i];
        if (!s->legend)
            continue;
        int dup = 0;
        for (size_t j = 0; j < n; j++)
            dup |= strcmp(items[j].s->name, s->name) == 0;
        if (!dup)
            items[n++].s = s;
    }
    for (size_t i = 0; i < f->nextra && n < max; i++)
        items[n++].s = &f->extra[i];
    return n;
}

#define LEG_MAX 64
#define LEG_SWATCH 26.0
#define LEG_GAP 18.0

static int figure_has_inf(const mc_figure *f)
{
    for (size_t i = 0; i < f->nseries; i++) {
        const mc_fig_series *s = &f->series[i];
        for (size_t k = 0; k < s->n; k++)
            if (s->y[k] == INFINITY || (s->y2 && s->y2[k] == INFINITY))
                return 1;
    }
    return 0;
}

static void measure(cairo_t *cr, const mc_figure *f, legend_item *items, size_t nitems, geom *g)
{
    g->w = FIG_W;
    g->top = f->subtitle[0] ? 58 : 40;
    g->rows = (f->npanels + f->cols - 1) / f->cols;
    g->cw = (FIG_W - 2 * OUTER) / f->cols;
    g->ch = f->npanels == 1 ? 340 : (f->cols >= 3 ? 250 : 270);
    g->legend_y = g->top + g->rows * g->ch + 6;
    font(cr, 11, 0);
    double x = OUTER;
    g->legend_rows = nitems ? 1 : 0;
    for (size_t i = 0; i < nitems; i++) {
        char buf[200];
        items[i].w = LEG_SWATCH + 6 + text_w(cr, fit(cr, items[i].s->name, FIG_W - 80, buf,
                                                     sizeof buf)) + LEG_GAP;
        if (x + items[i].w > FIG_W - OUTER && x > OUTER) {
            g->legend_rows++;
            x = OUTER;
        }
        x += items[i].w;
    }
    g->note_y = g->legend_y + g->legend_rows * LEG_ROW + 6;
    g->has_note = figure_has_inf(f);
    g->h = g->note_y + (g->has_note ? 16 : 0) + 6;
}

/* ---- drawing ---- */

typedef struct plotbox {
    double x0, y0, x1, y1; /* the finite data rectangle: x0 left, y1 bottom */
    double yinf;           /* where +inf is drawn: the strip above y0, or y0 without one */
    double top;            /* top of the frame (the strip's top, or y0) */
    range r;
} plotbox;

#define INF_STRIP 22.0

static double map_x(const plotbox *b, double x)
{
    return b->x0 + (x - b->r.xlo) / (b->r.xhi - b->r.xlo) * (b->x1 - b->x0);
}

/* NaN stays NaN; infinities and values outside the range go to the edges. */
static double map_y(const plotbox *b, double y)
{
    if (isnan(y))
        return NAN;
    double lo = b->r.ylo, hi = b->r.yhi, t;
    if (y == INFINITY)
        return b->yinf;
    if (y >= hi)
        return b->y0;
    if (y <= lo || (b->r.log && y <= 0))
        return b->y1;
    if (b->r.log)
        t = (log10(y) - log10(lo)) / (log10(hi) - log10(lo));
    else
        t = (y - lo) / (hi - lo);
    return b->y1 - t * (b->y1 - b->y0);
}

/* Dash pattern of a series: theory curves dashed, point lines by their style. */
static void set_dash(cairo_t *cr, const mc_fig_series *s)
{
    static const double dashed[] = {6.0, 4.0}, dotted[] = {1.0, 3.5}, dashdot[] = {8, 3, 1, 3};
    if (s->kind == MC_PLOT_THEORY)
        cairo_set_dash(cr, dashed, 2, 0);
    else if (s->style == 1)
        cairo_set_dash(cr, dotted, 2, 0);
    else if (s->style == 2)
        cairo_set_dash(cr, dashdot, 4, 0);
    else
        cairo_set_dash(cr, NULL, 0, 0);
}

static void draw_line(cairo_t *cr, const plotbox *b, const mc_fig_series *s, int dashed)
{
    set_dash(cr, s);
    cairo_set_line_width(cr, dashed ? 1.6 : 2.0);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    set_rgb(cr, dashed ? (mc_rgb){s->color.r * 0.75, s->color.g * 0.75, s->color.b * 0.75}
                       : s->color,
            1.0);
    int open = 0;
    size_t run = 0;
    double lx = 0, ly = 0;
    for (size_t k = 0; k <= s->n; k++) {
        double px = k < s->n ? map_x(b, s->x[k]) : NAN, py = k < s->n ? map_y(b, s->y[k]) : NAN;
        if (isnan(px) || isnan(py)) {
            if (open && run == 1) { /* a lone point: a dot */
                cairo_new_sub_path(cr);
                cairo_arc(cr, lx, ly, 2.5, 0, 2 * M_PI);
            }
            open = 0;
            run = 0;
            continue;
        }
        if (!open)
            cairo_move_to(cr, px, py);
        else
            cairo_line_to(cr, px, py);
        open = 1;
        run++;
        lx = px;
        ly = py;
    }
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
}

/* Fills between y and y2 over each stretch where both are defined. */
static void draw_fill(cairo_t *cr, const plotbox *b, const mc_fig_series *s, double alpha)
{
    size_t k = 0;
    set_rgb(cr, s->color, alpha);
    while (k < s->n) {
        while (k < s->n && (isnan(s->y[k]) || isnan(s->y2[k]) || isnan(s->x[k])))
            k++;
        size_t a = k;
        while (k < s->n && !isnan(s->y[k]) && !isnan(s->y2[k]) && !isnan(s->x[k]))
            k++;
        if (k - a == 1) { /* a lone point: an error bar */
            double px = map_x(b, s->x[a]);
            cairo_set_line_width(cr, 6);
            cairo_move_to(cr, px, map_y(b, s->y[a]));
            cairo_line_to(cr, px, map_y(b, s->y2[a]));
            cairo_stroke(cr);
            continue;
        }
        if (k - a < 2)
            continue;
        cairo_move_to(cr, map_x(b, s->x[a]), map_y(b, s->y2[a]));
        for (size_t j = a + 1; j < k; j++)
            cairo_line_to(cr, map_x(b, s->x[j]), map_y(b, s->y2[j]));
        for (size_t j = k; j-- > a;)
            cairo_line_to(cr, map_x(b, s->x[j]), map_y(b, s->y[j]));
        cairo_close_path(cr);
        cairo_fill(cr);
    }
}

static void draw_axes(cairo_t *cr, const plotbox *b, const mc_fig_panel *pan)
{
    char buf[64];
    /* y grid and ticks */
    font(cr, 10, 0);
    cairo_set_line_width(cr, 1.0);
    if (b->r.log) {
        int d0 = (int)floor(log10(b->r.ylo) + 1e-9), d1 = (int)ceil(log10(b->r.yhi) - 1e-9);
        int every = (d1 - d0) > 8 ? (d1 - d0 + 7) / 8 : 1;
        for (int d = d0; d <= d1; d++) {
            double v = pow(10, d), py = map_y(b, v);
            if ((d - d0) % every)
                continue;
            cairo_set_source_rgb(cr, 0.90, 0.90, 0.90);
            cairo_move_to(cr, b->x0, py);
            cairo_line_to(cr, b->x1, py);
            cairo_stroke(cr);
            snprintf(buf, sizeof buf, "%g", v);
            set_rgb(cr, INK, 1);
            text_at(cr, b->x0 - 5, py + 3.5, buf, 2);
        }
    } else {
        double step = nice_step(b->r.yhi - b->r.ylo, 5);
        for (double v = ceil(b->r.ylo / step - 1e-9) * step; v <= b->r.yhi + step * 1e-9;
             v += step) {
            double py = map_y(b, fmin(v, b->r.yhi));
            cairo_set_source_rgb(cr, 0.90, 0.90, 0.90);
            cairo_move_to(cr, b->x0, py);
            cairo_line_to(cr, b->x1, py);
            cairo_stroke(cr);
            fmt_tick(v, step, buf, sizeof buf);
            set_rgb(cr, INK, 1);
            text_at(cr, b->x0 - 5, py + 3.5, buf, 2);
        }
    }
    /* x ticks: whole generations */
    double xstep = nice_step(b->r.xhi - b->r.xlo, 6);
    if (xstep < 1)
        xstep = 1;
    for (double v = ceil(b->r.xlo / xstep - 1e-9) * xstep; v <= b->r.xhi + 1e-9; v += xstep) {
        double px = map_x(b, v);
        cairo_set_source_rgb(cr, 0.27, 0.27, 0.27);
        cairo_move_to(cr, px, b->y1);
        cairo_line_to(cr, px, b->y1 + 4);
        cairo_stroke(cr);
        fmt_tick(v, xstep, buf, sizeof buf);
        set_rgb(cr, INK, 1);
        text_at(cr, px, b->y1 + 15, buf, 1);
    }
    /* frame; an "inf" strip above a broken axis when some value is +inf */
    cairo_set_source_rgb(cr, 0.27, 0.27, 0.27);
    cairo_rectangle(cr, b->x0, b->top, b->x1 - b->x0, b->y1 - b->top);
    cairo_stroke(cr);
    if (b->r.pinf) {
        double dash[] = {3.0, 3.0};
        cairo_set_dash(cr, dash, 2, 0);
        cairo_set_source_rgb(cr, 0.6, 0.6, 0.6);
        cairo_move_to(cr, b->x0, b->y0 - INF_STRIP / 2 + 3);
        cairo_line_to(cr, b->x1, b->y0 - INF_STRIP / 2 + 3);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        font(cr, 10, 0);
        set_rgb(cr, INK, 1);
        text_at(cr, b->x0 - 5, b->yinf + 3.5, "inf", 2);
    }
    /* axis labels */
    font(cr, 11, 0);
    set_rgb(cr, INK, 1);
    char lab[160];
    text_at(cr, (b->x0 + b->x1) / 2, b->y1 + 31,
            fit(cr, pan->xlabel, b->x1 - b->x0, lab, sizeof lab), 1);
    cairo_save(cr);
    cairo_translate(cr, b->x0 - 50, (b->y0 + b->y1) / 2);
    cairo_rotate(cr, -M_PI / 2);
    char ylab[128];
    snprintf(ylab, sizeof ylab, "%s%s", pan->ylabel, b->r.log ? " (log scale)" : "");
    text_at(cr, 0, 0, fit(cr, ylab, b->y1 - b->y0, lab, sizeof lab), 1);
    cairo_restore(cr);
}

static void draw_panel(cairo_t *cr, const mc_figure *f, int p, const geom *g)
{
    const mc_fig_panel *pan = &f->panels[p];
    int row = p / f->cols, col = p % f->cols;
    double cx = OUTER + col * g->cw, cy = g->top + row * g->ch;
    plotbox b;
    b.x0 = cx + 62;
    b.x1 = cx + g->cw - 12;
    b.top = b.y0 = cy + (pan->title[0] ? 24 : 8);
    b.y1 = cy + g->ch - 42;
    panel_range(f, p, &b.r);
    b.yinf = b.y0;
    if (b.r.pinf) {
        b.yinf = b.top + 6;
        b.y0 = b.top + INF_STRIP;
    }
    if (pan->title[0]) {
        char buf[200];
        font(cr, 12, 1);
        set_rgb(cr, INK, 1);
        text_at(cr, (b.x0 + b.x1) / 2, cy + 14, fit(cr, pan->title, g->cw - 20, buf, sizeof buf),
                1);
    }
    draw_axes(cr, &b, pan);
    cairo_save(cr);
    cairo_rectangle(cr, b.x0, b.top - 1, b.x1 - b.x0, b.y1 - b.top + 2);
    cairo_clip(cr);
    size_t nbands = 0;
    for (size_t i = 0; i < f->nseries; i++)
        nbands += f->series[i].panel == p && f->series[i].kind == MC_PLOT_BAND;
    static const mc_plot_series_kind order[] = {MC_PLOT_AREA, MC_PLOT_BAND, MC_PLOT_THEORY,
                                                MC_PLOT_LINE};
    for (size_t o = 0; o < 4; o++)
        for (size_t i = 0; i < f->nseries; i++) {
            const mc_fig_series *s = &f->series[i];
            if (s->panel != p || s->kind != order[o])
                continue;
            if (s->kind == MC_PLOT_AREA)
                draw_fill(cr, &b, s, 0.92);
            else if (s->kind == MC_PLOT_BAND)
                draw_fill(cr, &b, s, nbands > 2 ? BAND_ALPHA * 0.65 : BAND_ALPHA);
            else
                draw_line(cr, &b, s, s->kind == MC_PLOT_THEORY);
        }
    cairo_restore(cr);
}

static void draw_legend(cairo_t *cr, const legend_item *items, size_t n, const geom *g)
{
    double x = OUTER, y = g->legend_y;
    font(cr, 11, 0);
    for (size_t i = 0; i < n; i++) {
        const mc_fig_series *s = items[i].s;
        if (x + items[i].w > FIG_W - OUTER && x > OUTER) {
            x = OUTER;
            y += LEG_ROW;
        }
        double my = y + LEG_ROW / 2;
        if (s->kind == MC_PLOT_AREA || s->kind == MC_PLOT_BAND) {
            set_rgb(cr, s->color, s->kind == MC_PLOT_AREA ? 0.92 : BAND_ALPHA * 1.5);
            cairo_rectangle(cr, x + 4, my - 6, LEG_SWATCH - 8, 12);
            cairo_fill(cr);
        } else {
            int dashed = s->kind == MC_PLOT_THEORY;
            set_dash(cr, s);
            cairo_set_line_width(cr, dashed ? 1.6 : 2.5);
            set_rgb(cr, s->color, 1);
            cairo_move_to(cr, x, my);
            cairo_line_to(cr, x + LEG_SWATCH, my);
            cairo_stroke(cr);
            cairo_set_dash(cr, NULL, 0, 0);
        }
        char buf[200];
        set_rgb(cr, INK, 1);
        text_at(cr, x + LEG_SWATCH + 6, my + 4, fit(cr, s->name, FIG_W - 80, buf, sizeof buf), 0);
        x += items[i].w;
    }
}

static void render(cairo_t *cr, const mc_figure *f, const legend_item *items, size_t nitems,
                   const geom *g)
{
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    char buf[300];
    font(cr, 15, 1);
    set_rgb(cr, INK, 1);
    text_at(cr, OUTER, 24, fit(cr, f->title, FIG_W - 2 * OUTER, buf, sizeof buf), 0);
    if (f->subtitle[0]) {
        font(cr, 11, 0);
        set_rgb(cr, GREY, 1);
        text_at(cr, OUTER, 43, fit(cr, f->subtitle, FIG_W - 2 * OUTER, buf, sizeof buf), 0);
    }
    for (int p = 0; p < f->npanels; p++)
        draw_panel(cr, f, p, g);
    draw_legend(cr, items, nitems, g);
    if (g->has_note) {
        font(cr, 10, 0);
        set_rgb(cr, GREY, 1);
        text_at(cr, OUTER, g->note_y + 10,
                "inf: values that are infinite (e.g. KL once a category is extinct) are drawn in "
                "the strip above the axis break.",
                0);
    }
}

/* Lays out f with a scratch context (text widths need one). */
static int prepare(const mc_figure *f, legend_item *items, size_t *nitems, geom *g)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t *cr = cairo_create(s);
    *nitems = legend_items(f, items, LEG_MAX);
    measure(cr, f, items, *nitems, g);
    int st = cairo_status(cr) == CAIRO_STATUS_SUCCESS ? MC_OK : MC_ENOMEM;
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return st;
}

/* ---- output ---- */

/* cairo's stream writer into a growable buffer (sbuf.h). */
static cairo_status_t mem_write(void *closure, const unsigned char *data, unsigned int len)
{
    mc_sbuf *m = closure;
    mc_sb_put(m, (const char *)data, len);
    return m->failed ? CAIRO_STATUS_WRITE_ERROR : CAIRO_STATUS_SUCCESS;
}

/* Renders f into memory, as PNG (png != 0) or SVG. */
static int render_to(const mc_figure *f, int png, mc_sbuf *out)
{
    legend_item items[LEG_MAX];
    size_t nitems;
    geom g;
    if (prepare(f, items, &nitems, &g) != MC_OK)
        return MC_ENOMEM;
    cairo_surface_t *s;
    if (png)
        s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(2 * g.w), (int)ceil(2 * g.h));
    else {
        s = cairo_svg_surface_create_for_stream(mem_write, out, g.w, g.h);
        cairo_svg_surface_restrict_to_version(s, CAIRO_SVG_VERSION_1_1);
    }
    cairo_t *cr = cairo_create(s);
    if (png)
        cairo_scale(cr, 2, 2);
    render(cr, f, items, nitems, &g);
    int st = cairo_status(cr);
    cairo_destroy(cr);
    if (png && st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_write_to_png_stream(s, mem_write, out);
    cairo_surface_finish(s);
    if (st == CAIRO_STATUS_SUCCESS)
        st = cairo_surface_status(s);
    cairo_surface_destroy(s);
    return st == CAIRO_STATUS_SUCCESS && !out->failed ? MC_OK : MC_EIO;
}

static int put_buf(FILE *f, void *user)
{
    const mc_sbuf *m = user;
    return fwrite(m->p, 1, m->n, f) == m->n ? MC_OK : MC_EIO;
}

int mc_fig_write(mc_figure *f, const char *dir, mc_error *err)
{
    for (int png = 1; png >= 0; png--) {
        mc_sbuf m = {0};
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.%s", dir, f->name, png ? "png" : "svg");
        int st = render_to(f, png, &m);
        if (st != MC_OK) {
            free(m.p);
            return mc_error_set(err, st, "%s: cairo could not render the figure", path);
        }
        st = mc_write_atomic(path, put_buf, &m, err);
        free(m.p);
        if (st != MC_OK)
            return st;
    }
    return MC_OK;
}

int mc_fig_svg(mc_figure *f, char **out, size_t *len, mc_error *err)
{
    mc_sbuf m = {0};
    int st = render_to(f, 0, &m);
    if (st != MC_OK) {
        free(m.p);
        return mc_error_set(err, st, "figure %s: cairo could not render it as SVG", f->name);
    }
    *out = m.p;
    *len = m.n;
    return MC_OK;
}

#else /* without cairo: the figure model and the hook work, rendering does not */

int mc_fig_write(mc_figure *f, const char *dir, mc_error *err)
{
    return mc_error_set(err, MC_EINTERNAL, "%s/%s: collapse was built without cairo (install "
                        "libcairo2-dev and rebuild) and cannot draw figures", dir, f->name);
}

int mc_fig_svg(mc_figure *f, char **out, size_t *len, mc_error *err)
{
    *out = NULL;
    *len = 0;
    return mc_error_set(err, MC_EINTERNAL, "figure %s: collapse was built without cairo", f->name);
}

#endif
