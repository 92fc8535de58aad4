/* report.c - DIR/report.html: one self-contained file that tells what a run found.
 *
 * Sections: a header (what was run: name, family, sizes, seed, generator, version), the key
 * findings in sentences computed from the summary (report.h), the story figures, a condensed
 * summary table (headline metrics at five generations; the extinction table), every other
 * metric's figure, the grid points with their colours, and the resolved config.ini. Figures are
 * inline SVG rendered by cairo; the ids inside each (glyphs, clip paths) are prefixed per
 * figure, because ids share one namespace in an HTML document. No scripts, no external fonts or
 * styles: the file can be mailed, archived or printed (print CSS for A4). The findings are in
 * findings.c. The report draws the figures that mc_plot_open built from the one read of the run
 * directory (plotset.h).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collapse.h"
#include "collapse/plot.h"
#include "figure.h"
#include "io/atomic.h"
#include "plotset.h"
#include "report.h"
#include "rundir.h"
#include "sbuf.h"

static const char *const CSS =
    ":root{--ink:#222;--muted:#666;--rule:#ddd}"
    "*{box-sizing:border-box}"
    "body{margin:0;color:var(--ink);background:#fff;font:16px/1.5 system-ui,-apple-system,"
    "'Segoe UI',Roboto,'DejaVu Sans',sans-serif}"
    "main{max-width:1040px;margin:0 auto;padding:24px 28px 48px}"
    "h1{font-size:1.7em;margin:0 0 .2em}h2{font-size:1.25em;margin:1.8em 0 .6em;"
    "border-bottom:1px solid var(--rule);padding-bottom:.2em}"
    ".meta{color:var(--muted);margin:0}"
    "ul.findings li{margin:.35em 0}"
    "figure{margin:1.2em 0 1.8em;break-inside:avoid;page-break-inside:avoid}"
    "figure svg{display:block;width:100%;height:auto;max-width:900px}"
    "figcaption{color:var(--muted);font-size:.9em;margin-top:.3em;max-width:900px}"
    ".grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(440px,1fr));gap:0 24px}"
    ".grid figure{margin:.6em 0 1.2em}"
    "table{border-collapse:collapse;font-size:.85em;margin:.5em 0 1em;"
    "font-variant-numeric:tabular-nums}"
    "th,td{padding:.25em .6em;border-bottom:1px solid var(--rule);text-align:right;"
    "vertical-align:top}"
    "th{background:#f4f4f4;white-space:nowrap}td.l,th.l{text-align:left}"
    "td.l{white-space:nowrap}.band{font-size:.85em}"
    ".sw{display:inline-block;width:.9em;height:.9em;border-radius:2px;margin-right:.4em;"
    "vertical-align:-.1em}"
    ".band{color:var(--muted);white-space:nowrap}"
    "pre{background:#f7f7f7;padding:.8em 1em;overflow-x:auto;font-size:.85em;"
    "border:1px solid var(--rule)}"
    ".scroll{overflow-x:auto}"
    "footer{color:var(--muted);font-size:.85em;margin-top:2em}"
    "@media print{@page{size:A4;margin:14mm}"
    "body{font-size:10pt}main{max-width:none;padding:0}"
    ".grid{display:block}figure svg{max-width:100%}"
    "h2{break-after:avoid;page-break-after:avoid}"
    "table{font-size:8pt}pre{white-space:pre-wrap;font-size:7.5pt}}";

/* Appends svg (cairo's output) with its XML prolog removed and every id made unique by the
 * prefix; adds an accessible name. */
static void put_svg(mc_sbuf *s, const char *svg, const char *prefix, const char *title)
{
    const char *start = strstr(svg, "<svg");
    if (!start)
        return;
    mc_sb_printf(s, "<svg role=\"img\" aria-label=\"");
    mc_sb_html(s, title);
    mc_sb_printf(s, "\"");
    const char *c = start + 4;
    static const char *const pats[] = {"id=\"", "href=\"#", "url(#"};
    while (*c) {
        size_t k, matched = 0;
        for (k = 0; k < 3; k++) {
            size_t len = strlen(pats[k]);
            if (strncmp(c, pats[k], len) == 0) {
                mc_sb_put(s, c, len);
                mc_sb_printf(s, "%s-", prefix);
                c += len;
                matched = 1;
                break;
            }
        }
        if (!matched) {
            const char *next = c + 1;
            while (*next && *next != 'i' && *next != 'h' && *next != 'u')
                next++;
            mc_sb_put(s, c, (size_t)(next - c));
            c = next;
        }
    }
}

typedef struct report_ctx {
    const mc_run *run;
    mc_figure **figs;
    char **svgs; /* per figure, or NULL without cairo */
    int *linked; /* per figure: plots/<name>.png and .svg exist beside the report */
    size_t nfigs;
    mc_findings findings;
} report_ctx;

static void put_figure(mc_sbuf *s, const report_ctx *r, size_t i)
{
    const mc_figure *f = r->figs[i];
    mc_sb_printf(s, "<figure id=\"fig-%s\">", f->name);
    if (r->svgs[i]) {
        char prefix[120];
        snprintf(prefix, sizeof prefix, "f%zu", i);
        if (r->linked[i])
            mc_sb_printf(s, "<a href=\"plots/%s.svg\" title=\"open the figure alone\">", f->name);
        put_svg(s, r->svgs[i], prefix, f->title);
        if (r->linked[i])
            mc_sb_printf(s, "</a>");
    }
    mc_sb_printf(s, "<figcaption>");
    mc_sb_html(s, f->caption);
    if (r->linked[i])
        mc_sb_printf(s, " (<a href=\"plots/%s.png\">PNG</a>, <a href=\"plots/%s.svg\">SVG</a>)",
                  f->name, f->name);
    mc_sb_printf(s, "</figcaption></figure>\n");
}

/* A table row's first two cells: a label (the first point's row only) and grid point i's colour
 * swatch and legend. */
static void put_row_start(mc_sbuf *s, const char *label, size_t i, const char *legend)
{
    char hex[8];
    mc_sb_printf(s, "<tr><td class=\"l\">");
    mc_sb_html(s, label);
    mc_sb_printf(s, "</td><td class=\"l\"><span class=\"sw\" style=\"background:%s\"></span>",
                 mc_rgb_hex(mc_plot_point_color(i), hex));
    mc_sb_html(s, legend);
    mc_sb_printf(s, "</td>");
}

/* Up to five generations: 0, G/4, G/2, 3G/4, G (distinct). */
static size_t table_generations(long G, long *gs)
{
    size_t n = 0;
    for (int q = 0; q <= 4; q++) {
        long g = (long)llround((double)G * q / 4.0);
        if (n == 0 || gs[n - 1] != g)
            gs[n++] = g;
    }
    return n;
}

static void put_summary_table(mc_sbuf *s, const mc_run *run)
{
    const mc_run_point *p0 = &run->points[0];
    long gs[5];
    size_t ng = table_generations(run->generations, gs);
    /* headline metrics; without any, every metric that has a direction */
    int any_headline = 0;
    for (size_t m = 0; m < p0->nmetrics; m++)
        any_headline |= p0->metrics[m].headline && p0->metrics[m].role != MC_ROLE_PRESENCE;
    mc_sb_printf(s, "<div class=\"scroll\"><table><thead><tr><th class=\"l\">metric</th>"
                 "<th class=\"l\">grid point</th>");
    for (size_t k = 0; k < ng; k++)
        mc_sb_printf(s, "<th>g = %ld</th>", gs[k]);
    mc_sb_printf(s, "</tr></thead><tbody>\n");
    char b1[32], b2[32], b3[32];
    for (size_t m = 0; m < p0->nmetrics; m++) {
        const mc_run_metric *mm = &p0->metrics[m];
        int presence = mm->role == MC_ROLE_PRESENCE;
        int show = any_headline ? mm->headline : mm->direction != 0;
        if (presence) /* fraction alive: the survival story in numbers, where it moves */
            show = !mc_run_always_alive(run, mm->name);
        if (!show)
            continue;
        for (size_t i = 0; i < run->npoints; i++) {
            const mc_run_metric *pm = mc_run_metric_find(&run->points[i], mm->name);
            if (!pm)
                continue;
            put_row_start(s, i == 0 ? mm->name : "", i, run->points[i].legend);
            for (size_t k = 0; k < ng; k++) {
                long g = gs[k];
                if (presence)
                    mc_sb_printf(s, "<td>%s</td>", mc_fmt_pct(pm->mean[g], b1));
                else
                    mc_sb_printf(s, "<td>%s<br><span class=\"band\">%s to %s</span></td>",
                              mc_fmt_num(pm->q50[g], b1), mc_fmt_num(pm->q05[g], b2),
                              mc_fmt_num(pm->q95[g], b3));
            }
            mc_sb_printf(s, "</tr>\n");
        }
    }
    mc_sb_printf(s, "</tbody></table></div>\n<p class=\"meta\">Values: the median over "
                 "replicates, and below it the 5 %% to 95 %% range; for presence metrics, "
                 "the fraction of replicates in which the category is alive.</p>\n");
}

static void put_extinction_table(mc_sbuf *s, const mc_run *run)
{
    size_t rows = 0;
    for (size_t i = 0; i < run->npoints; i++)
        rows += run->points[i].nextinction;
    if (!rows)
        return;
    char b1[32], b2[32], b3[32], b4[32];
    mc_sb_printf(s,
                 "<h3>Extinction of named categories</h3><div class=\"scroll\"><table><thead><tr>"
                 "<th class=\"l\">category</th><th class=\"l\">grid point</th>"
                 "<th>alive at g = %ld</th><th>ever extinct</th>"
                 "<th>first extinction: median [5 %%, 95 %%]</th></tr></thead><tbody>\n",
                 run->generations);
    const mc_run_point *p0 = &run->points[0];
    for (size_t e = 0; e < p0->nextinction; e++)
        for (size_t i = 0; i < run->npoints; i++) {
            const mc_run_extinction *x =
                mc_run_extinction_find(&run->points[i], p0->extinction[e].metric);
            if (!x)
                continue;
            put_row_start(s, i == 0 ? x->category : "", i, run->points[i].legend);
            mc_sb_printf(s, "<td>%s</td><td>%s</td><td>", mc_fmt_pct(x->alive_end, b1),
                      mc_fmt_pct(x->extinct, b2));
            if (isnan(x->first_q50))
                mc_sb_printf(s, "never");
            else
                mc_sb_printf(s, "%s <span class=\"band\">[%s, %s]</span>",
                             mc_fmt_num(x->first_q50, b3), mc_fmt_num(x->first_q05, b4),
                             mc_fmt_num(x->first_q95, b1));
            mc_sb_printf(s, "</td></tr>\n");
        }
    mc_sb_printf(s, "</tbody></table></div>\n");
}

static void put_header(mc_sbuf *s, const mc_run *run)
{
    const mc_run_point *p0 = &run->points[0];
    mc_sb_printf(s, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                 "<title>collapse report: ");
    mc_sb_html(s, run->name);
    mc_sb_printf(s, "</title><style>%s</style></head>\n<body><main>\n", CSS);
    mc_sb_printf(s, "<header><h1>Model collapse: ");
    mc_sb_html(s, run->name);
    mc_sb_printf(s, "</h1><p class=\"meta\">");
    mc_sb_html(s, p0->family);
    mc_sb_printf(s, " model, %ld generations, %ld replicates, %zu grid point%s; ",
                 run->generations, run->replicates, run->npoints, run->npoints == 1 ? "" : "s");
    if (run->metrics_every > 1) /* metrics.every: the figures' lone dots are the measured ones */
        mc_sb_printf(s, "metrics measured every %ld generations and at the last (the figures "
                        "show only those; n and human share at every one); ",
                     run->metrics_every);
    mc_sb_printf(s, "seed ");
    mc_sb_html(s, run->seed);
    mc_sb_printf(s, ", generator ");
    mc_sb_html(s, run->generator);
    mc_sb_printf(s, "; written by collapse ");
    mc_sb_html(s, run->version);
    mc_sb_printf(s, ", reported by collapse %s.</p></header>\n", MC_VERSION);
}

static void put_findings(mc_sbuf *s, const mc_findings *f)
{
    mc_sb_printf(s, "<section id=\"findings\"><h2>Key findings</h2><ul class=\"findings\">\n");
    for (size_t i = 0; i < f->n; i++) {
        mc_sb_printf(s, "<li>");
        mc_sb_html(s, f->v[i]);
        mc_sb_printf(s, "</li>\n");
    }
    if (f->n == 0)
        mc_sb_printf(s, "<li>No category went extinct and no metric is marked as a headline; see "
                     "the figures below.</li>\n");
    mc_sb_printf(s, "</ul></section>\n");
}

/* The grid points with their colours and settings, and the resolved config.ini. */
static void put_what_was_run(mc_sbuf *s, const mc_run *run)
{
    char hex[8];
    mc_sb_printf(s, "<section id=\"run\"><h2>What was run</h2><div class=\"scroll\"><table><thead>"
                 "<tr><th class=\"l\">point</th><th class=\"l\">colour and legend</th>"
                 "<th class=\"l\">family</th><th class=\"l\">regime</th>"
                 "<th class=\"l\">settings</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < run->npoints; i++) {
        const mc_run_point *p = &run->points[i];
        mc_sb_printf(s, "<tr><td class=\"l\">%zu</td><td class=\"l\"><span class=\"sw\" "
                     "style=\"background:%s\"></span>",
                  i, mc_rgb_hex(mc_plot_point_color(i), hex));
        mc_sb_html(s, p->legend);
        mc_sb_printf(s, "</td><td class=\"l\">");
        mc_sb_html(s, p->family);
        mc_sb_printf(s, "</td><td class=\"l\">");
        mc_sb_html(s, p->regime);
        mc_sb_printf(s, "</td><td class=\"l\">");
        mc_sb_html(s, p->label);
        mc_sb_printf(s, "</td></tr>\n");
    }
    mc_sb_printf(s, "</tbody></table></div>\n<p>The resolved configuration (config.ini; "
                 "<code>collapse run config.ini</code> repeats the run exactly):</p>\n<pre>");
    mc_sb_html(s, run->config_ini ? run->config_ini
                                  : "(config.ini is missing from the run directory)");
    mc_sb_printf(s, "</pre></section>\n<footer>Report written by collapse %s from ", MC_VERSION);
    mc_sb_html(s, run->dir);
    mc_sb_printf(s, ". Figures are drawn from summary.json; the PNG and SVG files are in plots/."
                 "</footer>\n</main></body></html>\n");
}

static void build_html(mc_sbuf *s, const report_ctx *r)
{
    put_header(s, r->run);
    put_findings(s, &r->findings);
    int have_svg = r->nfigs && r->svgs[0];
    mc_sb_printf(s, "<section id=\"figures\"><h2>Figures</h2>\n");
    if (!have_svg)
        mc_sb_printf(s, "<p>This collapse was built without cairo: no figures.</p>\n");
    for (size_t i = 0; have_svg && i < r->nfigs; i++)
        if (r->figs[i]->main)
            put_figure(s, r, i);
    mc_sb_printf(s, "</section>\n");

    mc_sb_printf(s, "<section id=\"summary\"><h2>Summary table</h2>\n");
    put_summary_table(s, r->run);
    put_extinction_table(s, r->run);
    mc_sb_printf(s, "<p class=\"meta\">Every metric at every generation: summary.csv; every "
                 "replicate: metrics.csv.</p></section>\n");

    mc_sb_printf(s, "<section id=\"metrics\"><h2>All metrics</h2><div class=\"grid\">\n");
    for (size_t i = 0; have_svg && i < r->nfigs; i++)
        if (!r->figs[i]->main)
            put_figure(s, r, i);
    mc_sb_printf(s, "</div></section>\n");
    put_what_was_run(s, r->run);
}

static int put_text(FILE *f, void *user)
{
    const mc_sbuf *s = user;
    return fwrite(s->p, 1, s->n, f) == s->n ? MC_OK : MC_EIO;
}

/* Renders every figure as SVG text (without cairo: none) and notes which figure files exist
 * beside the report. */
static int render_figures(const mc_plot_set *ps, report_ctx *r, mc_error *err)
{
    r->svgs = calloc(r->nfigs ? r->nfigs : 1, sizeof *r->svgs);
    r->linked = calloc(r->nfigs ? r->nfigs : 1, sizeof *r->linked);
    if (!r->svgs || !r->linked)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (size_t i = 0; i < r->nfigs; i++) {
        char p1[4096], p2[4096];
        snprintf(p1, sizeof p1, "%s/plots/%s.png", r->run->dir, r->figs[i]->name);
        snprintf(p2, sizeof p2, "%s/plots/%s.svg", r->run->dir, r->figs[i]->name);
        r->linked[i] = ps->written[i] || (access(p1, R_OK) == 0 && access(p2, R_OK) == 0);
    }
#ifdef MC_HAVE_CAIRO
    for (size_t i = 0; i < r->nfigs; i++) {
        size_t len;
        int st = mc_fig_svg(r->figs[i], &r->svgs[i], &len, err);
        if (st != MC_OK)
            return st;
    }
#endif
    return MC_OK;
}

int mc_report_write_set(const mc_plot_set *ps, mc_error *err)
{
    report_ctx r = {.run = ps->run, .figs = ps->figs, .nfigs = ps->nfigs};
    int st = render_figures(ps, &r, err);
    if (st == MC_OK && mc_report_findings(r.run, &r.findings) != MC_OK)
        st = mc_error_set(err, MC_ENOMEM, "out of memory");
    mc_sbuf html = {0};
    if (st == MC_OK) {
        build_html(&html, &r);
        if (html.failed)
            st = mc_error_set(err, MC_ENOMEM, "out of memory while writing the report");
    }
    if (st == MC_OK) {
        char path[4096];
        snprintf(path, sizeof path, "%s/report.html", r.run->dir);
        st = mc_write_atomic(path, put_text, &html, err);
    }
    free(html.p);
    for (size_t i = 0; r.svgs && i < r.nfigs; i++)
        free(r.svgs[i]);
    free(r.svgs);
    free(r.linked);
    mc_findings_free(&r.findings);
    return st;
}

int mc_report_write(const char *dir, mc_error *err)
{
    mc_plot_set *ps;
    int st = mc_plot_open(dir, &ps, err);
    if (st == MC_OK)
        st = mc_report_write_set(ps, err);
    mc_plot_close(ps);
    return st;
}
