/* report.c - DIR/report.html: one self-contained file that tells what a run found.
 *
 * Sections: a header (what was run: name, family, sizes, seed, generator, version), the key
 * findings in sentences computed from the summary (report.h), the story figures, a condensed
 * summary table (headline metrics at five generations; the extinction table), every other
 * metric's figure, the grid points with their colours, and the resolved config.ini. Figures are
 * inline SVG rendered by cairo; the ids inside each (glyphs, clip paths) are prefixed per
 * figure, because ids share one namespace in an HTML document. No scripts, no external fonts or
 * styles: the file can be mailed, archived or printed (print CSS for A4).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "collapse.h"
#include "collapse/plot.h"
#include "figure.h"
#include "report.h"
#include "rundir.h"

/* ---- a growable string ---- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int failed;
} sbuf;

static void sb_put(sbuf *s, const char *t, size_t len)
{
    if (s->failed)
        return;
    if (s->n + len + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 1024;
        while (cap < s->n + len + 1)
            cap *= 2;
        char *p = realloc(s->p, cap);
        if (!p) {
            s->failed = 1;
            return;
        }
        s->p = p;
        s->cap = cap;
    }
    memcpy(s->p + s->n, t, len);
    s->n += len;
    s->p[s->n] = '\0';
}

static void sb_printf(sbuf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_printf(sbuf *s, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof buf) {
        sb_put(s, buf, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        s->failed = 1;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    sb_put(s, big, (size_t)n);
    free(big);
}

/* HTML text with &, <, >, " escaped. */
static void sb_html(sbuf *s, const char *t)
{
    for (const char *c = t; *c; c++) {
        switch (*c) {
        case '&': sb_put(s, "&amp;", 5); break;
        case '<': sb_put(s, "&lt;", 4); break;
        case '>': sb_put(s, "&gt;", 4); break;
        case '"': sb_put(s, "&quot;", 6); break;
        default: sb_put(s, c, 1);
        }
    }
}

/* ---- numbers in sentences ---- */

static const char *fmt_num(double v, char *buf)
{
    if (isnan(v))
        return "undefined";
    if (isinf(v))
        return v > 0 ? "inf" : "-inf";
    snprintf(buf, 32, "%.3g", v);
    return buf;
}

static const char *fmt_pct(double frac, char *buf)
{
    double p = 100 * frac;
    if (fabs(p - round(p)) < 1e-6)
        snprintf(buf, 32, "%.0f %%", p);
    else
        snprintf(buf, 32, "%.1f %%", p);
    return buf;
}

/* ---- findings ---- */

static int findings_add(mc_findings *f, const sbuf *s)
{
    if (s->failed || !s->p)
        return MC_ENOMEM;
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 8;
        char **p = realloc(f->v, cap * sizeof *p);
        if (!p)
            return MC_ENOMEM;
        f->v = p;
        f->cap = cap;
    }
    f->v[f->n++] = s->p;
    return MC_OK;
}

void mc_findings_free(mc_findings *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i]);
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

static const mc_run_extinction *find_extinction(const mc_run_point *p, const char *metric)
{
    for (size_t e = 0; e < p->nextinction; e++)
        if (strcmp(p->extinction[e].metric, metric) == 0)
            return &p->extinction[e];
    return NULL;
}

/* The first generation from which the category is dead in every replicate (its presence
 * metric's mean is 0 there and after), or -1. */
static long all_dead_from(const mc_run *run, const mc_run_metric *alive)
{
    long from = -1;
    for (long g = run->generations; g >= 0; g--) {
        if (!(alive->mean[g] == 0))
            break;
        from = g;
    }
    return from;
}

/* Joins the legends of points idx[0..n) as "a, b and c" (or "a or b" with sep "or"). */
static void join_legends(sbuf *s, const mc_run *run, const size_t *idx, size_t n,
                         const char *last)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            sb_printf(s, "%s", i + 1 == n ? last : ", ");
        sb_printf(s, "%s", run->points[idx[i]].legend);
    }
}

/* Grid points named one by one in a sentence; beyond, the rest are counted. */
#define MAX_LISTED 6

static int category_finding(const mc_run *run, const mc_run_extinction *x0, mc_findings *out)
{
    size_t P = run->npoints;
    size_t *order = malloc(P * sizeof *order), *never = malloc(P * sizeof *never);
    if (!order || !never) {
        free(order);
        free(never);
        return MC_ENOMEM;
    }
    size_t nord = 0, nnever = 0;
    for (size_t i = 0; i < P; i++) {
        const mc_run_extinction *x = find_extinction(&run->points[i], x0->metric);
        if (!x)
            continue;
        if (x->extinct > 0)
            order[nord++] = i;
        else
            never[nnever++] = i;
    }
    /* most extinct first; ties by earlier median first extinction */
    for (size_t a = 1; a < nord; a++)
        for (size_t b = a; b > 0; b--) {
            const mc_run_extinction *u = find_extinction(&run->points[order[b - 1]], x0->metric);
            const mc_run_extinction *v = find_extinction(&run->points[order[b]], x0->metric);
            if (v->extinct > u->extinct ||
                (v->extinct == u->extinct && v->first_q50 < u->first_q50)) {
                size_t t = order[b];
                order[b] = order[b - 1];
                order[b - 1] = t;
            } else
                break;
        }
    sbuf s = {0};
    char b1[32], b2[32];
    double w;
    int how = mc_run_world_share(run, x0->category, &w);
    sb_printf(&s, "%s", x0->category);
    if (how >= 0)
        sb_printf(&s, " (%s%.3g %% of the world)", how == 1 ? "" : "about ", 100 * w);
    if (nord == 0) {
        sb_printf(&s, " was never extinct in any replicate, under any grid point, in %ld "
                      "generations.",
                  run->generations);
    } else {
        sb_printf(&s, " went extinct");
        size_t shown = nord > MAX_LISTED ? MAX_LISTED - 1 : nord;
        for (size_t k = 0; k < shown; k++) {
            const mc_run_point *p = &run->points[order[k]];
            const mc_run_extinction *x = find_extinction(p, x0->metric);
            const mc_run_metric *alive = mc_run_metric_find(p, x0->metric);
            long from = alive ? all_dead_from(run, alive) : -1;
            if (k > 0)
                sb_printf(&s, ";%s", k + 1 == nord && nnever == 0 ? " and" : "");

            if (x->extinct >= 1 && from >= 0)
                sb_printf(&s, " in 100 %% of replicates by generation %ld", from);
            else
                sb_printf(&s, " in %s of replicates (median first extinction at generation %s)",
                          fmt_pct(x->extinct, b1), fmt_num(x->first_q50, b2));
            sb_printf(&s, " under %s", p->legend);
            if (!(x->alive_end == 1 - x->extinct) && x->alive_end > 0)
                sb_printf(&s, ", and was alive again at generation %ld in %s", run->generations,
                          fmt_pct(x->alive_end, b1));
        }
        if (shown < nord)
            sb_printf(&s, "; in at most %s under %zu more grid points (see the extinction table)",
                      fmt_pct(find_extinction(&run->points[order[shown]], x0->metric)->extinct, b1),
                      nord - shown);
        if (nnever > MAX_LISTED)
            sb_printf(&s, "; and in 0 %% under %zu grid points", nnever);
        else if (nnever) {
            sb_printf(&s, "; and in 0 %% under ");
            join_legends(&s, run, never, nnever, " or ");
        }
        sb_printf(&s, ".");
    }
    free(order);
    free(never);
    int st = findings_add(out, &s);
    if (st != MC_OK)
        free(s.p);
    return st;
}

/* Median at generation 0 and at G per point, for a headline metric. */
static int headline_finding(const mc_run *run, const mc_run_metric *m0, mc_findings *out)
{
    size_t P = run->npoints;
    long G = run->generations;
    size_t *idx = malloc(P * sizeof *idx);
    if (!idx)
        return MC_ENOMEM;
    size_t n = 0;
    double lo0 = INFINITY, hi0 = -INFINITY;
    for (size_t i = 0; i < P; i++) {
        const mc_run_metric *m = mc_run_metric_find(&run->points[i], m0->name);
        if (!m)
            continue;
        idx[n++] = i;
        lo0 = fmin(lo0, m->q50[0]);
        hi0 = fmax(hi0, m->q50[0]);
    }
    /* healthiest first when the metric has a direction (NaN last) */
    if (m0->direction != 0)
        for (size_t a = 1; a < n; a++)
            for (size_t b = a; b > 0; b--) {
                double u = mc_run_metric_find(&run->points[idx[b - 1]], m0->name)->q50[G];
                double v = mc_run_metric_find(&run->points[idx[b]], m0->name)->q50[G];
                int better = isnan(u) ? !isnan(v) : (m0->direction > 0 ? v > u : v < u);
                if (!better)
                    break;
                size_t t = idx[b];
                idx[b] = idx[b - 1];
                idx[b - 1] = t;
            }
    sbuf s = {0};
    char b1[32], b2[32];
    sb_printf(&s, "%s (%s", m0->name, m0->description);
    if (m0->subject[0] && !strstr(m0->description, m0->subject))
        sb_printf(&s, ": %s", m0->subject);
    sb_printf(&s, "), median over replicates: ");
    int same0 = isfinite(lo0) && isfinite(hi0) && hi0 - lo0 <= 0.1 * fmax(fabs(hi0), fabs(lo0));
    if (same0)
        sb_printf(&s, "%s at generation 0; at generation %ld: ",
                  fmt_num(lo0 == hi0 ? lo0 : 0.5 * (lo0 + hi0), b1), G);
    else
        sb_printf(&s, "from generation 0 to %ld, ", G);
    size_t shown = n > MAX_LISTED ? MAX_LISTED - 1 : n;
    for (size_t k = 0; k < shown; k++) {
        const mc_run_metric *m = mc_run_metric_find(&run->points[idx[k]], m0->name);
        if (k > 0)
            sb_printf(&s, "%s", k + 1 == n ? " and " : ", ");
        if (same0)
            sb_printf(&s, "%s under %s", fmt_num(m->q50[G], b1), run->points[idx[k]].legend);
        else
            sb_printf(&s, "%s to %s under %s", fmt_num(m->q50[0], b1), fmt_num(m->q50[G], b2),
                      run->points[idx[k]].legend);
    }
    if (shown < n)
        sb_printf(&s, ", and %zu more grid points (see the summary table)", n - shown);
    sb_printf(&s, ".");
    if (m0->direction != 0 && n > 1) {
        double best = mc_run_metric_find(&run->points[idx[0]], m0->name)->q50[G];
        double next = mc_run_metric_find(&run->points[idx[1]], m0->name)->q50[G];
        if (!isnan(best) && best != next)
            sb_printf(&s, " It ends healthiest under %s.", run->points[idx[0]].legend);
    }
    free(idx);
    int st = findings_add(out, &s);
    if (st != MC_OK)
        free(s.p);
    return st;
}

/* 1 when some metric with a closed form at point p, generation g has replicates too skewed for
 * their mean to be near normal (Cochran's rule: fewer than 25 G1^2 replicates, G1 the sample
 * skewness). The metrics of one point are functions of the same chains, so one heavy-tailed
 * metric (the variance after many refits on few samples: a product of random factors) makes the
 * others' means unreliable too: E||mu_g - mu_0||^2 is a sum of the expected variances, and its
 * sample mean falls short with them, although its own sample skewness can look modest. */
static int chain_skewed(const mc_run_point *p, long g)
{
    for (size_t k = 0; k < p->nmetrics; k++) {
        const mc_run_metric *m = &p->metrics[k];
        if (!isnan(m->theory[g]) && m->n[g] > 1 && m->sd[g] > 0 &&
            m->n[g] < 25 * m->skew[g] * m->skew[g])
            return 1;
    }
    return 0;
}

/* How often the simulated mean agrees with the closed form within 3 standard errors
 * (sd / sqrt(n)), over every (point, generation) where the theory is defined, metric by metric,
 * in one sentence. Left out: generations where every replicate has the same value (sd = 0: the
 * standard error is unknown, e.g. every category alive at generation 0), and point-generations
 * whose chains are too skewed (chain_skewed), where a mean of that many replicates sits below its
 * expectation more often than 3 standard errors allow, whatever the theory; the sentence says how
 * many were left out for that reason. */
static int theory_finding(const mc_run *run, mc_findings *out)
{
    const mc_run_point *p0 = &run->points[0];
    sbuf s = {0};
    size_t said = 0;
    long total_out = 0, skewed = 0;
    for (size_t i = 0; i < run->npoints; i++)
        for (long g = 0; g <= run->generations; g++)
            skewed += chain_skewed(&run->points[i], g);
    for (size_t k = 0; k < p0->nmetrics; k++) {
        long agree = 0, defined = 0;
        for (size_t i = 0; i < run->npoints; i++) {
            const mc_run_metric *m = mc_run_metric_find(&run->points[i], p0->metrics[k].name);
            for (long g = 0; m && g <= run->generations; g++) {
                double th = m->theory[g], mean = m->mean[g];
                if (isnan(th) || !isfinite(mean) || !(m->n[g] > 1) || !(m->sd[g] > 0) ||
                    chain_skewed(&run->points[i], g))
                    continue;
                defined++;
                agree += fabs(mean - th) <= 3 * m->sd[g] / sqrt(m->n[g]);
            }
        }
        if (!defined)
            continue;
        sb_printf(&s, "%s%s %ld of %ld", said ? "; " : "", p0->metrics[k].name, agree, defined);
        total_out += defined - agree;
        said++;
    }
    if (!said && !skewed) {
        free(s.p);
        return MC_OK;
    }
    sbuf t = {0};
    if (said)
        sb_printf(&t, "Theory check: the simulated mean lies within 3 standard errors of the "
                      "closed-form expectation at %s (point-generations where the theory applies; "
                      "about 1 in 370 falls outside by chance)%s",
                  s.p, total_out ? "." : ", so simulation and theory agree.");
    if (skewed)
        sb_printf(&t, "%s%ld point-generation%s with a closed form %s left out: there a metric's "
                      "replicates are too skewed for means to be compared (fewer than 25 G1^2 "
                      "replicates, G1 the sample skewness: Cochran's rule). A heavy-tailed "
                      "metric's mean falls short of its expectation until rare large values are "
                      "sampled; more replicates (run.replicates) would tell.",
                  said ? " " : "Theory check: ", skewed, skewed > 1 ? "s" : "",
                  skewed > 1 ? "were" : "was");
    free(s.p);
    int st = findings_add(out, &t);
    if (st != MC_OK)
        free(t.p);
    return st;
}

/* The pipeline regime's story at generation G, per point (medians over replicates): the worst
 * value of the metric regime.healthy watches, when the damage began, the alarm's lead time and
 * the recovery. Only when the run has those metrics (watch_min, damage_gen, lead_time). */
static int pipeline_finding(const mc_run *run, mc_findings *out)
{
    const mc_run_point *p0 = &run->points[0];
    if (!mc_run_metric_find(p0, "watch_min") || !mc_run_metric_find(p0, "damage_gen") ||
        !mc_run_metric_find(p0, "lead_time"))
        return MC_OK;
    long G = run->generations;
    sbuf s = {0};
    char b1[32], b2[32];
    const char *healthy = mc_run_point_param(p0, "regime.healthy");
    sb_printf(&s, "Human pipeline");
    if (healthy)
        sb_printf(&s, " (healthy: %s)", healthy);
    sb_printf(&s, ", medians over replicates:");
    size_t shown = run->npoints > MAX_LISTED ? MAX_LISTED : run->npoints;
    for (size_t i = 0; i < shown; i++) {
        const mc_run_point *p = &run->points[i];
        const mc_run_metric *wm = mc_run_metric_find(p, "watch_min");
        const mc_run_metric *dg = mc_run_metric_find(p, "damage_gen");
        const mc_run_metric *lt = mc_run_metric_find(p, "lead_time");
        const mc_run_metric *rc = mc_run_metric_find(p, "recovery");
        if (!wm || !dg || !lt)
            continue;
        sb_printf(&s, "%s under %s the watched metric fell to %s at worst", i ? ";" : "",
                  p->legend, fmt_num(wm->q50[G], b1));
        if (isnan(dg->q50[G])) {
            sb_printf(&s, " and stayed healthy");
            continue;
        }
        sb_printf(&s, ", damage began at generation %s", fmt_num(dg->q50[G], b1));
        double lead = lt->q50[G];
        if (!isnan(lead))
            sb_printf(&s, ", the alarm came %s generation%s %s it", fmt_num(fabs(lead), b2),
                      fabs(lead) == 1 ? "" : "s", lead >= 0 ? "before" : "after");
        else
            sb_printf(&s, ", with no alarm before generation %ld", G);
        if (rc && !isnan(rc->q50[G]))
            sb_printf(&s, ", and health returned %s generations after the damage began",
                      fmt_num(rc->q50[G], b1));
        else if (rc)
            sb_printf(&s, ", and health had not returned by generation %ld", G);
    }
    if (shown < run->npoints)
        sb_printf(&s, "; and %zu more grid points (see the summary table)",
                  run->npoints - shown);
    sb_printf(&s, ".");
    int st = findings_add(out, &s);
    if (st != MC_OK)
        free(s.p);
    return st;
}

int mc_report_findings(const mc_run *run, mc_findings *out)
{
    memset(out, 0, sizeof *out);
    const mc_run_point *p0 = &run->points[0];
    int st = MC_OK;
    /* extinction, category by category: categories that went extinct somewhere first */
    for (int pass = 0; pass < 2 && st == MC_OK; pass++)
        for (size_t e = 0; e < p0->nextinction && st == MC_OK; e++) {
            int any = 0;
            for (size_t i = 0; i < run->npoints; i++) {
                const mc_run_extinction *x = find_extinction(&run->points[i],
                                                             p0->extinction[e].metric);
                any |= x && x->extinct > 0;
            }
            if (any == (pass == 0))
                st = category_finding(run, &p0->extinction[e], out);
        }
    for (size_t m = 0; m < p0->nmetrics && st == MC_OK; m++)
        if (p0->metrics[m].headline && !p0->metrics[m].presence)
            st = headline_finding(run, &p0->metrics[m], out);
    if (st == MC_OK)
        st = pipeline_finding(run, out);
    if (st == MC_OK)
        st = theory_finding(run, out);
    if (st != MC_OK)
        mc_findings_free(out);
    return st;
}

/* ---- the HTML ---- */

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
static void put_svg(sbuf *s, const char *svg, const char *prefix, const char *title)
{
    const char *start = strstr(svg, "<svg");
    if (!start)
        return;
    sb_printf(s, "<svg role=\"img\" aria-label=\"");
    sb_html(s, title);
    sb_printf(s, "\"");
    const char *c = start + 4;
    static const char *const pats[] = {"id=\"", "href=\"#", "url(#"};
    while (*c) {
        size_t k, matched = 0;
        for (k = 0; k < 3; k++) {
            size_t len = strlen(pats[k]);
            if (strncmp(c, pats[k], len) == 0) {
                sb_put(s, c, len);
                sb_printf(s, "%s-", prefix);
                c += len;
                matched = 1;
                break;
            }
        }
        if (!matched) {
            const char *next = c + 1;
            while (*next && *next != 'i' && *next != 'h' && *next != 'u')
                next++;
            sb_put(s, c, (size_t)(next - c));
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

static void put_figure(sbuf *s, const report_ctx *r, size_t i)
{
    const mc_figure *f = r->figs[i];
    sb_printf(s, "<figure id=\"fig-%s\">", f->name);
    if (r->svgs[i]) {
        char prefix[120];
        snprintf(prefix, sizeof prefix, "f%zu", i);
        if (r->linked[i])
            sb_printf(s, "<a href=\"plots/%s.svg\" title=\"open the figure alone\">", f->name);
        put_svg(s, r->svgs[i], prefix, f->title);
        if (r->linked[i])
            sb_printf(s, "</a>");
    }
    sb_printf(s, "<figcaption>");
    sb_html(s, f->caption);
    if (r->linked[i])
        sb_printf(s, " (<a href=\"plots/%s.png\">PNG</a>, <a href=\"plots/%s.svg\">SVG</a>)",
                  f->name, f->name);
    sb_printf(s, "</figcaption></figure>\n");
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

static void put_summary_table(sbuf *s, const mc_run *run)
{
    const mc_run_point *p0 = &run->points[0];
    long gs[5];
    size_t ng = table_generations(run->generations, gs);
    /* headline metrics; without any, every metric that has a direction */
    int any_headline = 0;
    for (size_t m = 0; m < p0->nmetrics; m++)
        any_headline |= p0->metrics[m].headline && !p0->metrics[m].presence;
    sb_printf(s, "<div class=\"scroll\"><table><thead><tr><th class=\"l\">metric</th>"
                 "<th class=\"l\">grid point</th>");
    for (size_t k = 0; k < ng; k++)
        sb_printf(s, "<th>g = %ld</th>", gs[k]);
    sb_printf(s, "</tr></thead><tbody>\n");
    char b1[32], b2[32], b3[32], hex[8];
    for (size_t m = 0; m < p0->nmetrics; m++) {
        const mc_run_metric *mm = &p0->metrics[m];
        int show = any_headline ? mm->headline : mm->direction != 0;
        if (mm->presence) /* fraction alive: the survival story in numbers, where it moves */
            show = !mc_run_always_alive(run, mm->name);
        if (!show)
            continue;
        for (size_t i = 0; i < run->npoints; i++) {
            const mc_run_metric *pm = mc_run_metric_find(&run->points[i], mm->name);
            if (!pm)
                continue;
            sb_printf(s, "<tr><td class=\"l\">");
            sb_html(s, i == 0 ? mm->name : "");
            sb_printf(s, "</td><td class=\"l\"><span class=\"sw\" style=\"background:%s\"></span>",
                      mc_rgb_hex(mc_plot_point_color(i), hex));
            sb_html(s, run->points[i].legend);
            sb_printf(s, "</td>");
            for (size_t k = 0; k < ng; k++) {
                long g = gs[k];
                if (mm->presence)
                    sb_printf(s, "<td>%s</td>", fmt_pct(pm->mean[g], b1));
                else
                    sb_printf(s, "<td>%s<br><span class=\"band\">%s to %s</span></td>",
                              fmt_num(pm->q50[g], b1), fmt_num(pm->q05[g], b2),
                              fmt_num(pm->q95[g], b3));
            }
            sb_printf(s, "</tr>\n");
        }
    }
    sb_printf(s, "</tbody></table></div>\n<p class=\"meta\">Values: the median over "
                 "replicates, and below it the 5 %% to 95 %% range; for presence metrics (alive_*), "
                 "the fraction of replicates in which the category is alive.</p>\n");
}

static void put_extinction_table(sbuf *s, const mc_run *run)
{
    size_t rows = 0;
    for (size_t i = 0; i < run->npoints; i++)
        rows += run->points[i].nextinction;
    if (!rows)
        return;
    char b1[32], b2[32], b3[32], b4[32], hex[8];
    sb_printf(s, "<h3>Extinction of named categories</h3><div class=\"scroll\"><table><thead><tr>"
                 "<th class=\"l\">category</th><th class=\"l\">grid point</th>"
                 "<th>alive at g = %ld</th><th>ever extinct</th>"
                 "<th>first extinction: median [5 %%, 95 %%]</th></tr></thead><tbody>\n",
              run->generations);
    const mc_run_point *p0 = &run->points[0];
    for (size_t e = 0; e < p0->nextinction; e++)
        for (size_t i = 0; i < run->npoints; i++) {
            const mc_run_extinction *x = find_extinction(&run->points[i], p0->extinction[e].metric);
            if (!x)
                continue;
            sb_printf(s, "<tr><td class=\"l\">");
            sb_html(s, i == 0 ? x->category : "");
            sb_printf(s, "</td><td class=\"l\"><span class=\"sw\" style=\"background:%s\"></span>",
                      mc_rgb_hex(mc_plot_point_color(i), hex));
            sb_html(s, run->points[i].legend);
            sb_printf(s, "</td><td>%s</td><td>%s</td><td>", fmt_pct(x->alive_end, b1),
                      fmt_pct(x->extinct, b2));
            if (isnan(x->first_q50))
                sb_printf(s, "never");
            else
                sb_printf(s, "%s <span class=\"band\">[%s, %s]</span>", fmt_num(x->first_q50, b3),
                          fmt_num(x->first_q05, b4), fmt_num(x->first_q95, b1));
            sb_printf(s, "</td></tr>\n");
        }
    sb_printf(s, "</tbody></table></div>\n");
}

static void build_html(sbuf *s, const report_ctx *r)
{
    const mc_run *run = r->run;
    const mc_run_point *p0 = &run->points[0];
    sb_printf(s, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                 "<title>collapse report: ");
    sb_html(s, run->name);
    sb_printf(s, "</title><style>%s</style></head>\n<body><main>\n", CSS);
    sb_printf(s, "<header><h1>Model collapse: ");
    sb_html(s, run->name);
    sb_printf(s, "</h1><p class=\"meta\">");
    sb_html(s, p0->family);
    sb_printf(s, " model, %ld generations, %ld replicates, %zu grid point%s; seed ", run->generations,
              run->replicates, run->npoints, run->npoints == 1 ? "" : "s");
    sb_html(s, run->seed);
    sb_printf(s, ", generator ");
    sb_html(s, run->generator);
    sb_printf(s, "; written by collapse ");
    sb_html(s, run->version);
    sb_printf(s, ", reported by collapse %s.</p></header>\n", MC_VERSION);

    sb_printf(s, "<section id=\"findings\"><h2>Key findings</h2><ul class=\"findings\">\n");
    for (size_t i = 0; i < r->findings.n; i++) {
        sb_printf(s, "<li>");
        sb_html(s, r->findings.v[i]);
        sb_printf(s, "</li>\n");
    }
    if (r->findings.n == 0)
        sb_printf(s, "<li>No category went extinct and no metric is marked as a headline; see "
                     "the figures below.</li>\n");
    sb_printf(s, "</ul></section>\n");

    int have_svg = r->nfigs && r->svgs[0];
    sb_printf(s, "<section id=\"figures\"><h2>Figures</h2>\n");
    if (!have_svg)
        sb_printf(s, "<p>This collapse was built without cairo: no figures.</p>\n");
    for (size_t i = 0; have_svg && i < r->nfigs; i++)
        if (r->figs[i]->main)
            put_figure(s, r, i);
    sb_printf(s, "</section>\n");

    sb_printf(s, "<section id=\"summary\"><h2>Summary table</h2>\n");
    put_summary_table(s, run);
    put_extinction_table(s, run);
    sb_printf(s, "<p class=\"meta\">Every metric at every generation: summary.csv; every "
                 "replicate: metrics.csv.</p></section>\n");

    sb_printf(s, "<section id=\"metrics\"><h2>All metrics</h2><div class=\"grid\">\n");
    for (size_t i = 0; have_svg && i < r->nfigs; i++)
        if (!r->figs[i]->main)
            put_figure(s, r, i);
    sb_printf(s, "</div></section>\n");

    char hex[8];
    sb_printf(s, "<section id=\"run\"><h2>What was run</h2><div class=\"scroll\"><table><thead>"
                 "<tr><th class=\"l\">point</th><th class=\"l\">colour and legend</th>"
                 "<th class=\"l\">family</th><th class=\"l\">regime</th>"
                 "<th class=\"l\">settings</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < run->npoints; i++) {
        const mc_run_point *p = &run->points[i];
        sb_printf(s, "<tr><td class=\"l\">%zu</td><td class=\"l\"><span class=\"sw\" "
                     "style=\"background:%s\"></span>",
                  i, mc_rgb_hex(mc_plot_point_color(i), hex));
        sb_html(s, p->legend);
        sb_printf(s, "</td><td class=\"l\">");
        sb_html(s, p->family);
        sb_printf(s, "</td><td class=\"l\">");
        sb_html(s, p->regime);
        sb_printf(s, "</td><td class=\"l\">");
        sb_html(s, p->label);
        sb_printf(s, "</td></tr>\n");
    }
    sb_printf(s, "</tbody></table></div>\n<p>The resolved configuration (config.ini; "
                 "<code>collapse run config.ini</code> repeats the run exactly):</p>\n<pre>");
    sb_html(s, run->config_ini ? run->config_ini : "(config.ini is missing from the run directory)");
    sb_printf(s, "</pre></section>\n<footer>Report written by collapse %s from ", MC_VERSION);
    sb_html(s, run->dir);
    sb_printf(s, ". Figures are drawn from summary.json; the PNG and SVG files are in plots/."
                 "</footer>\n</main></body></html>\n");
}

static int put_text(FILE *f, void *user)
{
    const sbuf *s = user;
    return fwrite(s->p, 1, s->n, f) == s->n ? MC_OK : MC_EIO;
}

int mc_report_write(const char *dir, mc_error *err)
{
    mc_run *run;
    int st = mc_run_read(dir, &run, err);
    if (st != MC_OK)
        return st;
    report_ctx r = {.run = run};
    st = mc_plot_figures(run, &r.figs, &r.nfigs, err);
    if (st == MC_OK) {
        r.svgs = calloc(r.nfigs ? r.nfigs : 1, sizeof *r.svgs);
        r.linked = calloc(r.nfigs ? r.nfigs : 1, sizeof *r.linked);
        if (!r.svgs || !r.linked)
            st = mc_error_set(err, MC_ENOMEM, "out of memory");
        for (size_t i = 0; st == MC_OK && i < r.nfigs; i++) {
            char p1[4096], p2[4096];
            snprintf(p1, sizeof p1, "%s/plots/%s.png", dir, r.figs[i]->name);
            snprintf(p2, sizeof p2, "%s/plots/%s.svg", dir, r.figs[i]->name);
            r.linked[i] = access(p1, R_OK) == 0 && access(p2, R_OK) == 0;
        }
    }
#ifdef MC_HAVE_CAIRO
    for (size_t i = 0; st == MC_OK && i < r.nfigs; i++) {
        size_t len;
        st = mc_fig_svg(r.figs[i], &r.svgs[i], &len, err);
    }
#endif
    if (st == MC_OK && mc_report_findings(run, &r.findings) != MC_OK)
        st = mc_error_set(err, MC_ENOMEM, "out of memory");
    sbuf html = {0};
    if (st == MC_OK) {
        build_html(&html, &r);
        if (html.failed)
            st = mc_error_set(err, MC_ENOMEM, "out of memory while writing the report");
    }
    if (st == MC_OK) {
        char path[4096];
        snprintf(path, sizeof path, "%s/report.html", dir);
        st = mc_write_atomic(path, put_text, &html, err);
    }
    free(html.p);
    for (size_t i = 0; r.svgs && i < r.nfigs; i++)
        free(r.svgs[i]);
    free(r.svgs);
    free(r.linked);
    mc_findings_free(&r.findings);
    mc_plot_figures_free(r.figs, r.nfigs);
    mc_run_free(run);
    return st;
}
