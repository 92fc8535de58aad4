/* plot.c - which figures a run gets, and mc_plot_run. See plot.h and figure.h.
 *
 * Every figure is drawn from summary.json's statistics:
 *   metric-<m>  per point the replicate median (q50) with the 5-95 % band (q05..q95) and the
 *               closed-form theory_mean dashed where it is defined (not NaN);
 *   shares      per point, the mean of each p_<category> stacked (the means of shares that sum
 *               to 1 in every replicate sum to 1), rarest category at the bottom, with dashed
 *               lines at the world's cumulative shares: exact when the run's world.weights
 *               lists them, else estimated by generation 0's mean (the maximum-likelihood fit to
 *               n_0 human samples is unbiased for them);
 *   survival    per named category, the mean of alive_<category> (a 0/1 indicator), i.e. the
 *               fraction of replicates in which it is alive at each generation;
 *   perplexity  heldout_ppl and its ratio to generation 0 (language models);
 *   pipeline    workforce and human_share beside the damage metric (pipeline regime).
 *   spread      (continuous families: var_ratio in 1-D, trace_ratio in d-D) the world's density
 *               against the model's at a few generations, as far as the summary supports it: the
 *               summary holds the variance ratio, not the fitted densities, so the model is drawn
 *               as the Gaussian with the median variance ratio (in world standard deviations; in
 *               d-D a typical coordinate), shifted by the median |mu_g - mu_0| when the run is
 *               1-D and the world's sigma is known. Shape (modes) and the direction of the shift
 *               are not in the summary; the caption says so.
 *
 * Colours: Okabe, M. & Ito, K. (2008), "Color Universal Design", the palette recommended for
 * readers with colour-vision deficiencies; grid point i has colour i in every figure.
 */
#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "collapse/plot.h"
#include "figure.h"
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
static const mc_rgb GREY = {0.45, 0.45, 0.45};

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

/* The line of grid point i (its colour and style). */
static int add_point_line(mc_figure *f, int panel, size_t i, const char *name, size_t n,
                          const double *x, const double *y)
{
    int st = mc_fig_add(f, panel, MC_PLOT_LINE, name, mc_plot_point_color(i), 1, n, x, y, NULL);
    if (st == MC_OK)
        f->series[f->nseries - 1].style = mc_plot_point_style(i);
    return st;
}

const char *mc_rgb_hex(mc_rgb c, char *buf)
{
    snprintf(buf, 8, "#%02x%02x%02x", (unsigned)lround(c.r * 255), (unsigned)lround(c.g * 255),
             (unsigned)lround(c.b * 255));
    return buf;
}

/* ---- building ---- */

typedef struct figset {
    mc_figure **v;
    size_t n, cap;
} figset;

static int figset_push(figset *s, mc_figure *f)
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

static void run_subtitle(const mc_run *run, const char *what, char *buf, size_t size)
{
    const char *family = run->points[0].family;
    int mixed = 0;
    for (size_t i = 1; i < run->npoints; i++)
        mixed |= strcmp(run->points[i].family, family) != 0;
    snprintf(buf, size, "%s: %s, %ld generations, %ld replicates, %zu grid point%s%s%s", run->name,
             mixed ? "several families" : family, run->generations, run->replicates, run->npoints,
             run->npoints == 1 ? "" : "s", what[0] ? "; " : "", what);
}

/* Generations 0..G as doubles. */
static double *generations(const mc_run *run)
{
    double *x = malloc((size_t)(run->generations + 1) * sizeof *x);
    if (x)
        for (long g = 0; g <= run->generations; g++)
            x[g] = (double)g;
    return x;
}

static int any_defined(const double *v, long G)
{
    for (long g = 0; g <= G; g++)
        if (!isnan(v[g]))
            return 1;
    return 0;
}

/* Bands are drawn for up to this many grid points; beyond, overlapping bands hide the lines. */
#define MAX_BANDS 6

/* Median line, 5-95 % band (up to MAX_BANDS points) and theory of metric name for every point,
 * into panel p. Sets *theory when a theory curve was drawn. */
static int add_metric_series(mc_figure *f, int p, const mc_run *run, const double *x,
                             const char *name, int *theory)
{
    size_t n = (size_t)run->generations + 1;
    for (size_t i = 0; i < run->npoints; i++) {
        const mc_run_point *pt = &run->points[i];
        const mc_run_metric *m = mc_run_metric_find(pt, name);
        if (!m)
            continue;
        mc_rgb c = mc_plot_point_color(i);
        char label[200];
        snprintf(label, sizeof label, "%s: 5-95 %%", pt->legend);
        int st = MC_OK;
        if (run->npoints <= MAX_BANDS)
            st = mc_fig_add(f, p, MC_PLOT_BAND, label, c, 0, n, x, m->q05, m->q95);
        if (st == MC_OK)
            st = add_point_line(f, p, i, pt->legend, n, x, m->q50);
        if (st == MC_OK && any_defined(m->theory, run->generations)) {
            snprintf(label, sizeof label, "%s: theory", pt->legend);
            st = mc_fig_add(f, p, MC_PLOT_THEORY, label, c, 0, n, x, m->theory, NULL);
            *theory = 1;
        }
        if (st != MC_OK)
            return st;
    }
    return MC_OK;
}

/* "name (unit)" when the description ends in a short parenthesis ("entropy of the model
 * (nats)" -> "entropy (nats)"), else the name. */
static void unit_label(const mc_run_metric *m, char *buf, size_t size)
{
    const char *d = m->description, *open = strrchr(d, '(');
    size_t len = strlen(d);
    if (open && len > 0 && d[len - 1] == ')' && (size_t)(d + len - open) <= 24 && open > d)
        snprintf(buf, size, "%s %.*s", m->name, (int)(d + len - open), open);
    else
        snprintf(buf, size, "%s", m->name);
}

/* A file stem "metric-<name>" safe in a path and an HTML attribute: bytes other than
 * [A-Za-z0-9_.-] become '_' (category names come from user data), made unique in the set. */
static void metric_stem(const figset *set, const char *name, char *stem, size_t size)
{
    char base[64];
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c && n + 1 < sizeof base; c++)
        base[n++] = (isalnum(*c) && *c < 128) || *c == '_' || *c == '-' || *c == '.' ? (char)*c
                                                                                       : '_';
    base[n] = '\0';
    snprintf(stem, size, "metric-%s", base);
    for (int k = 2;; k++) {
        int taken = 0;
        for (size_t i = 0; i < set->n && !taken; i++)
            taken = strcmp(set->v[i]->name, stem) == 0;
        if (!taken)
            return;
        snprintf(stem, size, "metric-%.63s-%d", base, k % 1000);
    }
}

static int metric_figure(const mc_run *run, const mc_run_metric *m, const double *x, figset *out)
{
    char stem[96];
    metric_stem(out, m->name, stem, sizeof stem);
    mc_figure *f = mc_fig_alloc(stem, 1, 1);
    if (!f)
        return MC_ENOMEM;
    if (m->subject[0] && !strstr(m->description, m->subject))
        snprintf(f->title, sizeof f->title, "%s: %s (%s)", m->name, m->description, m->subject);
    else
        snprintf(f->title, sizeof f->title, "%s: %s", m->name, m->description);
    run_subtitle(run, "median across replicates", f->subtitle, sizeof f->subtitle);
    unit_label(m, f->panels[0].ylabel, sizeof f->panels[0].ylabel);
    f->main = m->headline;
    int theory = 0;
    int st = add_metric_series(f, 0, run, x, m->name, &theory);
    if (st == MC_OK && run->npoints <= MAX_BANDS)
        st = mc_fig_legend(f, MC_PLOT_BAND, "5-95 % of replicates", GREY);
    if (st == MC_OK && theory)
        st = mc_fig_legend(f, MC_PLOT_THEORY, "closed-form expectation", GREY);
    snprintf(f->caption, sizeof f->caption,
             "%s (%s). Lines: the median over %ld replicates; %s%s.", f->title,
             m->direction > 0   ? "higher is healthier"
             : m->direction < 0 ? "lower is healthier"
                                : "neither direction is better",
             run->replicates,
             run->npoints <= MAX_BANDS ? "shaded: 5-95 % of replicates"
                                       : "5-95 % bands are left out with this many grid points",
             theory ? "; dashed: the closed-form expectation (of the mean, which the median "
                      "follows where the spread is symmetric)" : "");
    if (st == MC_OK)
        st = figset_push(out, f);
    if (st != MC_OK)
        mc_fig_free(f);
    return st;
}

/* Share metrics of a point: p_<subject>, not presence. Fills idx with their indices. */
static size_t share_metrics(const mc_run_point *pt, size_t *idx, size_t max)
{
    size_t n = 0;
    for (size_t m = 0; m < pt->nmetrics && n < max; m++) {
        const mc_run_metric *mm = &pt->metrics[m];
        if (mm->presence || !mm->subject[0] || strncmp(mm->name, "p_", 2) != 0 ||
            strcmp(mm->name + 2, mm->subject) != 0)
            continue;
        idx[n++] = m;
    }
    return n;
}

#define MAX_CATS 32
#define MC_RUN_NAME_LEN 128

static int shares_figure(const mc_run *run, const double *x, figset *out)
{
    size_t idx[MAX_CATS];
    size_t k = share_metrics(&run->points[0], idx, MAX_CATS);
    if (k < 2)
        return MC_OK;
    size_t G1 = (size_t)run->generations + 1;
    /* the world's shares: exact from world.weights, else estimated by generation 0 */
    double world[MAX_CATS + 1], sum = 0;
    int exact = 1;
    for (size_t c = 0; c < k; c++) {
        int how = mc_run_world_share(run, run->points[0].metrics[idx[c]].subject, &world[c]);
        if (how < 0)
            world[c] = 0;
        exact &= how == 1;
        sum += world[c];
    }
    int other = sum < 1 - 1e-6;
    world[k] = other ? 1 - sum : 0;
    /* stack order: rarest first (bottom); "other" on top */
    size_t ord[MAX_CATS];
    for (size_t c = 0; c < k; c++)
        ord[c] = c;
    for (size_t a = 1; a < k; a++)
        for (size_t b = a; b > 0 && world[ord[b]] < world[ord[b - 1]]; b--) {
            size_t t = ord[b];
            ord[b] = ord[b - 1];
            ord[b - 1] = t;
        }
    /* When one category dominates, the rest would be a sliver: zoom the axis onto the rare ones
     * (2.5 times their world mass, on a 0.05 grid); the dominant one fills the panel above. */
    double wmax = 0;
    size_t cmax = 0;
    for (size_t c = 0; c < k; c++)
        if (world[c] > wmax) {
            wmax = world[c];
            cmax = c;
        }
    double ymax = 1;
    if (wmax > 0.6)
        ymax = fmin(1, ceil(2.5 * (1 - wmax) / 0.05 - 1e-9) * 0.05);
    int np = run->npoints < MC_FIG_MAX_PANELS ? (int)run->npoints : MC_FIG_MAX_PANELS;
    mc_figure *f = mc_fig_alloc("shares", np, np == 1 ? 1 : 2);
    double *lo = malloc(G1 * sizeof *lo), *hi = malloc(G1 * sizeof *hi);
    int st = f && lo && hi ? MC_OK : MC_ENOMEM;
    if (st == MC_OK) {
        snprintf(f->title, sizeof f->title, "Category shares of the model over generations");
        run_subtitle(run, "mean across replicates; dashed: the world", f->subtitle,
                     sizeof f->subtitle);
        f->main = 1;
        snprintf(f->caption, sizeof f->caption,
                 "The model's probability of each category (mean over %ld replicates), stacked, "
                 "rarest at the bottom; one panel per grid point%s. Dashed lines: the world's "
                 "cumulative shares%s.%s%s%s",
                 run->replicates, run->npoints > (size_t)np ? " (the first 12 shown)" : "",
                 exact ? " (world.weights)"
                       : ", estimated by generation 0's fit to human data (mean over replicates)",
                 ymax < 1 ? " The axis is cut so that the rare categories show; " : "",
                 ymax < 1 ? run->points[0].metrics[idx[cmax]].subject : "",
                 ymax < 1 ? " fills the rest of each panel up to 1." : "");
    }
    for (int p = 0; st == MC_OK && p < np; p++) {
        const mc_run_point *pt = &run->points[p];
        mc_fig_panel *pan = &f->panels[p];
        snprintf(pan->title, sizeof pan->title, "%s", pt->legend);
        snprintf(pan->ylabel, sizeof pan->ylabel, "%s",
                 ymax < 1 ? "share of the model (axis cut)" : "share of the model");
        pan->logy = 0;
        pan->ymin = 0;
        pan->ymax = ymax;
        for (size_t g = 0; g < G1; g++)
            lo[g] = 0;
        double wcum = 0;
        for (size_t j = 0; st == MC_OK && j <= k; j++) {
            int is_other = j == k;
            if (is_other && !other)
                break;
            const mc_run_metric *m =
                is_other ? NULL : mc_run_metric_find(pt, run->points[0].metrics[idx[ord[j]]].name);
            for (size_t g = 0; g < G1; g++) {
                double v = m ? m->mean[g] : NAN;
                if (is_other) {
                    v = 1 - lo[g];
                    if (v < 0)
                        v = 0;
                }
                hi[g] = isfinite(v) ? lo[g] + v : lo[g];
            }
            const char *name = is_other ? "other" : run->points[0].metrics[idx[ord[j]]].subject;
            mc_rgb col = is_other ? (mc_rgb){0.8, 0.8, 0.8}
                                  : mc_plot_category_color(name, ord[j]);
            st = mc_fig_add(f, p, MC_PLOT_AREA, name, col, 1, G1, x, lo, hi);
            memcpy(lo, hi, G1 * sizeof *lo);
            wcum += is_other ? world[k] : world[ord[j]];
            if (st == MC_OK && j + 1 < k + (size_t)other) { /* a boundary inside the stack */
                for (size_t g = 0; g < G1; g++)
                    hi[g] = wcum;
                st = mc_fig_add(f, p, MC_PLOT_THEORY, "world", (mc_rgb){0, 0, 0}, 0, G1, x, hi,
                                NULL);
            }
        }
    }
    if (st == MC_OK)
        st = mc_fig_legend(f, MC_PLOT_THEORY, "world's shares", (mc_rgb){0, 0, 0});
    free(lo);
    free(hi);
    if (st == MC_OK)
        st = figset_push(out, f);
    if (st != MC_OK)
        mc_fig_free(f);
    return st;
}

static int survival_figure(const mc_run *run, const double *x, figset *out)
{
    const mc_run_point *p0 = &run->points[0];
    size_t idx[MC_FIG_MAX_PANELS];
    int np = 0;
    char always[256] = "";
    size_t nalways = 0;
    for (size_t m = 0; m < p0->nmetrics && np < MC_FIG_MAX_PANELS; m++) {
        if (!p0->metrics[m].presence)
            continue;
        if (mc_run_always_alive(run, p0->metrics[m].name)) {
            size_t len = strlen(always);
            snprintf(always + len, sizeof always - len, "%s%s", nalways ? ", " : "",
                     p0->metrics[m].subject[0] ? p0->metrics[m].subject : p0->metrics[m].name);
            nalways++;
            continue;
        }
        idx[np++] = m;
    }
    if (np == 0)
        return MC_OK;
    mc_figure *f = mc_fig_alloc("survival", np, 0);
    if (!f)
        return MC_ENOMEM;
    snprintf(f->title, sizeof f->title, "Survival: fraction of replicates in which each category "
             "is alive");
    run_subtitle(run, "", f->subtitle, sizeof f->subtitle);
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
                st = add_point_line(f, p, i, run->points[i].legend, G1, x, m->mean);
        }
    }
    if (st == MC_OK)
        st = figset_push(out, f);
    if (st != MC_OK)
        mc_fig_free(f);
    return st;
}

static int perplexity_figure(const mc_run *run, const double *x, figset *out)
{
    const mc_run_metric *m0 = mc_run_metric_find(&run->points[0], "heldout_ppl");
    if (!m0)
        return MC_OK;
    mc_figure *f = mc_fig_alloc("perplexity", 2, 2);
    size_t G1 = (size_t)run->generations + 1;
    double *ratio = malloc(G1 * sizeof *ratio);
    int st = f && ratio ? MC_OK : MC_ENOMEM;
    int theory = 0;
    if (st == MC_OK) {
        snprintf(f->title, sizeof f->title, "Held-out perplexity of human text, per regime");
        run_subtitle(run, "median across replicates", f->subtitle, sizeof f->subtitle);
        f->main = 1;
        snprintf(f->caption, sizeof f->caption,
                 "Perplexity of the held-out human text under each generation's model (lower is "
                 "better), and the same relative to generation 0: a rise is the model forgetting "
                 "real language.");
        snprintf(f->panels[0].title, sizeof f->panels[0].title, "held-out perplexity");
        snprintf(f->panels[0].ylabel, sizeof f->panels[0].ylabel, "heldout_ppl");
        snprintf(f->panels[1].title, sizeof f->panels[1].title, "relative to generation 0");
        snprintf(f->panels[1].ylabel, sizeof f->panels[1].ylabel, "median / median at g = 0");
        st = add_metric_series(f, 0, run, x, "heldout_ppl", &theory);
    }
    for (size_t i = 0; st == MC_OK && i < run->npoints; i++) {
        const mc_run_metric *m = mc_run_metric_find(&run->points[i], "heldout_ppl");
        if (!m)
            continue;
        for (size_t g = 0; g < G1; g++)
            ratio[g] = m->q50[0] > 0 ? m->q50[g] / m->q50[0] : NAN;
        st = add_point_line(f, 1, i, run->points[i].legend, G1, x, ratio);
    }
    if (st == MC_OK)
        st = mc_fig_legend(f, MC_PLOT_BAND, "5-95 % of replicates", GREY);
    free(ratio);
    if (st == MC_OK)
        st = figset_push(out, f);
    if (st != MC_OK)
        mc_fig_free(f);
    return st;
}

/* The metric that measures the damage in a pipeline run: the one regime.healthy watches
 * ("p_yellow >= 0.045", "alive(yellow) >= 0.95" -> alive_yellow), with its threshold when the
 * right side is a number; else the first headline metric with a direction, else the first
 * metric with a direction, other than the pipeline's own bookkeeping. */
static const mc_run_metric *damage_metric(const mc_run_point *pt, double *threshold)
{
    *threshold = NAN;
    const char *h = mc_run_point_param(pt, "regime.healthy");
    if (h) {
        char name[MC_RUN_NAME_LEN];
        size_t n = 0;
        while (*h == ' ')
            h++;
        while ((isalnum((unsigned char)*h) || *h == '_') && n + 1 < sizeof name)
            name[n++] = *h++;
        name[n] = '\0';
        if (*h == '(') { /* alive(yellow) -> alive_yellow */
            h++;
            if (n + 1 < sizeof name)
                name[n++] = '_';
            while ((isalnum((unsigned char)*h) || *h == '_') && n + 1 < sizeof name)
                name[n++] = *h++;
            name[n] = '\0';
            if (*h == ')')
                h++;
        }
        const mc_run_metric *m = mc_run_metric_find(pt, name);
        if (m) {
            while (*h == ' ' || *h == '<' || *h == '>' || *h == '=')
                h++;
            char *end;
            double t = strtod(h, &end);
            while (end != h && *end == ' ')
                end++;
            if (end != h && *end == '\0' && isfinite(t))
                *threshold = t;
            return m;
        }
    }
    static const char *const own[] = {"n",      "human_share", "workforce", "trainees",
                                      "hires",  "layoffs",     "leavers",   "signal",
                                      "alarm",  "alarm_gen",   "damage",    "damage_gen",
                                      "lead_time", "watch_min", "recovery"};
    for (int pass = 0; pass < 2; pass++)
        for (size_t m = 0; m < pt->nmetrics; m++) {
            const mc_run_metric *mm = &pt->metrics[m];
            int skip = mm->direction == 0 || mm->presence || (pass == 0 && !mm->headline);
            for (size_t o = 0; o < sizeof own / sizeof own[0]; o++)
                skip |= strcmp(mm->name, own[o]) == 0;
            if (!skip)
                return mm;
        }
    return NULL;
}

static int pipeline_figure(const mc_run *run, const double *x, figset *out)
{
    if (!mc_run_metric_find(&run->points[0], "workforce"))
        return MC_OK;
    double threshold;
    const mc_run_metric *dmg = damage_metric(&run->points[0], &threshold);
    const char *names[3] = {"workforce", "human_share", dmg ? dmg->name : NULL};
    int np = dmg ? 3 : 2;
    mc_figure *f = mc_fig_alloc("pipeline", np, np);
    if (!f)
        return MC_ENOMEM;
    snprintf(f->title, sizeof f->title, "The human pipeline: workforce, human data and damage");
    run_subtitle(run, "median across replicates", f->subtitle, sizeof f->subtitle);
    f->main = 1;
    snprintf(f->caption, sizeof f->caption,
             "Productive creators (workforce), the human share of each training set, and %s%s%s, "
             "per generation.", dmg ? dmg->name : "", dmg ? ": " : "no damage metric",
             dmg ? dmg->description : "");
    int st = MC_OK, theory = 0;
    for (int p = 0; st == MC_OK && p < np; p++) {
        snprintf(f->panels[p].title, sizeof f->panels[p].title, "%s", names[p]);
        snprintf(f->panels[p].ylabel, sizeof f->panels[p].ylabel, "%s", names[p]);
        st = add_metric_series(f, p, run, x, names[p], &theory);
    }
    if (st == MC_OK && dmg && !isnan(threshold)) {
        size_t G1 = (size_t)run->generations + 1;
        double *t = malloc(G1 * sizeof *t);
        if (!t)
            st = MC_ENOMEM;
        for (size_t g = 0; t && g < G1; g++)
            t[g] = threshold;
        if (st == MC_OK)
            st = mc_fig_add(f, 2, MC_PLOT_THEORY, "healthy threshold", GREY, 0, G1, x, t, NULL);
        if (st == MC_OK)
            st = mc_fig_legend(f, MC_PLOT_THEORY, "regime.healthy threshold", GREY);
        free(t);
    }
    if (st == MC_OK && run->npoints <= MAX_BANDS)
        st = mc_fig_legend(f, MC_PLOT_BAND, "5-95 % of replicates", GREY);
    if (st == MC_OK)
        st = figset_push(out, f);
    if (st != MC_OK)
        mc_fig_free(f);
    return st;
}

/* Lightens c towards white by t in [0, 1]. */
static mc_rgb lighten(mc_rgb c, double t)
{
    return (mc_rgb){c.r + (1 - c.r) * t, c.g + (1 - c.g) * t, c.b + (1 - c.b) * t};
}

#define SPREAD_X 201

static int spread_figure(const mc_run *run, figset *out)
{
    const mc_run_point *p0 = &run->points[0];
    int one_d = mc_run_metric_find(p0, "var_ratio") != NULL;
    const char *vname = one_d ? "var_ratio" : "trace_ratio";
    if (!mc_run_metric_find(p0, vname))
        return MC_OK;
    long G = run->generations, gens[4];
    size_t ng = 0;
    for (int q = 0; q < 4; q++) {
        long g = q == 0 ? 0 : q == 3 ? G : (long)llround((double)G * q / 4.0);
        if (ng == 0 || gens[ng - 1] != g)
            gens[ng++] = g;
    }
    int np = run->npoints < MC_FIG_MAX_PANELS ? (int)run->npoints : MC_FIG_MAX_PANELS;
    mc_figure *f = mc_fig_alloc("spread", np, np == 1 ? 1 : 2);
    if (!f)
        return MC_ENOMEM;
    double x[SPREAD_X], y[SPREAD_X], peak = 0.45;
    for (int i = 0; i < SPREAD_X; i++)
        x[i] = -5 + 10.0 * i / (SPREAD_X - 1);
    int st = MC_OK, shifted = 0;
    for (int p = 0; st == MC_OK && p < np; p++) {
        const mc_run_point *pt = &run->points[p];
        mc_fig_panel *pan = &f->panels[p];
        snprintf(pan->title, sizeof pan->title, "%s", pt->legend);
        snprintf(pan->xlabel, sizeof pan->xlabel, "x, in world standard deviations%s",
                 one_d ? "" : " (a typical coordinate)");
        snprintf(pan->ylabel, sizeof pan->ylabel, "density");
        pan->logy = 0;
        for (int i = 0; i < SPREAD_X; i++)
            y[i] = exp(-0.5 * x[i] * x[i]) / sqrt(2 * M_PI);
        st = mc_fig_add(f, p, MC_PLOT_THEORY, "world", (mc_rgb){0, 0, 0}, 0, SPREAD_X, x, y, NULL);
        const mc_run_metric *v = mc_run_metric_find(pt, vname);
        const mc_run_metric *me = one_d ? mc_run_metric_find(pt, "mean_err") : NULL;
        const char *sig = one_d ? mc_run_point_param(pt, "world.sigma") : NULL;
        double sigma0 = sig ? strtod(sig, NULL) : NAN;
        for (size_t k = 0; st == MC_OK && v && k < ng; k++) {
            double var = v->q50[gens[k]];
            if (!(var > 0) || !isfinite(var))
                continue;
            double shift = 0;
            if (me && sigma0 > 0 && me->q50[gens[k]] >= 0 && isfinite(me->q50[gens[k]])) {
                shift = sqrt(me->q50[gens[k]]) / sigma0;
                shifted = 1;
            }
            for (int i = 0; i < SPREAD_X; i++) {
                double z = x[i] - shift;
                y[i] = exp(-0.5 * z * z / var) / sqrt(2 * M_PI * var);
            }
            peak = fmax(peak, 1 / sqrt(2 * M_PI * var));
            char name[64];
            snprintf(name, sizeof name, "g = %ld", gens[k]);
            double t = ng > 1 ? 0.7 * (1 - (double)k / (double)(ng - 1)) : 0;
            st = mc_fig_add(f, p, MC_PLOT_LINE, name, lighten(mc_plot_point_color(p), t), 0,
                            SPREAD_X, x, y, NULL);
        }
    }
    for (int p = 0; p < np; p++) {
        f->panels[p].ymin = 0;
        f->panels[p].ymax = fmin(1.6, peak * 1.05);
    }
    for (size_t k = 0; st == MC_OK && k < ng; k++) {
        char name[64];
        snprintf(name, sizeof name, "g = %ld", gens[k]);
        double t = ng > 1 ? 0.7 * (1 - (double)k / (double)(ng - 1)) : 0;
        st = mc_fig_legend(f, MC_PLOT_LINE, name, lighten((mc_rgb){0.2, 0.2, 0.2}, t));
    }
    if (st == MC_OK)
        st = mc_fig_legend(f, MC_PLOT_THEORY, "world", (mc_rgb){0, 0, 0});
    snprintf(f->title, sizeof f->title, "The model's spread against the world's, at %zu "
             "generations", ng);
    run_subtitle(run, "median variance ratio; lighter = earlier", f->subtitle, sizeof f->subtitle);
    f->main = 1;
    snprintf(f->caption, sizeof f->caption,
             "What the summary supports: it holds the model's variance ratio (%s), not its fitted "
             "density, so each curve is the Gaussian with the median variance ratio of that "
             "generation%s, against the world's standard normal (dashed). Modes and the direction "
             "of any drift are not in the summary.%s",
             vname, shifted ? ", moved right by the median distance |mu_g - mu_0|" : ", centred",
             peak * 1.05 > 1.6 ? " Peaks above 1.6 are cut." : "");
    if (st == MC_OK)
        st = figset_push(out, f);
    if (st != MC_OK)
        mc_fig_free(f);
    return st;
}

void mc_plot_figures_free(mc_figure **figs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        mc_fig_free(figs[i]);
    free(figs);
}

int mc_plot_figures(const mc_run *run, mc_figure ***figs, size_t *n, mc_error *err)
{
    *figs = NULL;
    *n = 0;
    figset set = {0};
    double *x = generations(run);
    int st = x ? MC_OK : MC_ENOMEM;
    if (st == MC_OK)
        st = shares_figure(run, x, &set);
    if (st == MC_OK)
        st = survival_figure(run, x, &set);
    if (st == MC_OK)
        st = perplexity_figure(run, x, &set);
    if (st == MC_OK)
        st = pipeline_figure(run, x, &set);
    if (st == MC_OK)
        st = spread_figure(run, &set);
    /* every metric of every point, once, headline metrics first; presence metrics are drawn
     * by the survival figure */
    for (int pass = 0; pass < 2 && st == MC_OK; pass++)
        for (size_t i = 0; i < run->npoints && st == MC_OK; i++)
            for (size_t m = 0; m < run->points[i].nmetrics && st == MC_OK; m++) {
                const mc_run_metric *mm = &run->points[i].metrics[m];
                if (mm->presence || mm->headline != (pass == 0))
                    continue;
                int seen = 0;
                for (size_t j = 0; j < i && !seen; j++)
                    seen = mc_run_metric_find(&run->points[j], mm->name) != NULL;
                if (!seen)
                    st = metric_figure(run, mm, x, &set);
            }
    free(x);
    if (st != MC_OK) {
        mc_plot_figures_free(set.v, set.n);
        return mc_error_set(err, st, "%s: out of memory while building the figures", run->dir);
    }
    for (size_t i = 0; i < set.n; i++)
        mc_fig_layout(set.v[i]);
    *figs = set.v;
    *n = set.n;
    return MC_OK;
}

/* ---- mc_plot_run ---- */

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

int mc_plot_run_log(const char *dir, mc_plot_log **log, mc_error *err)
{
    if (log)
        *log = NULL;
    mc_run *run;
    int st = mc_run_read(dir, &run, err);
    if (st != MC_OK)
        return st;
    mc_figure **figs;
    size_t n;
    st = mc_plot_figures(run, &figs, &n, err);
    if (st != MC_OK) {
        mc_run_free(run);
        return st;
    }
    char pdir[4096];
    snprintf(pdir, sizeof pdir, "%s/plots", dir);
    if (mkdir(pdir, 0777) != 0 && errno != EEXIST)
        st = mc_error_set(err, MC_EIO, "%s: cannot create: %s", pdir, strerror(errno));
    for (size_t i = 0; st == MC_OK && i < n; i++)
        st = mc_fig_write(figs[i], pdir, err);
    mc_plot_log *lg = NULL;
    if (st == MC_OK && log) {
        lg = calloc(1, sizeof *lg);
        if (lg)
            lg->figures = calloc(n ? n : 1, sizeof *lg->figures);
        if (!lg || !lg->figures)
            st = mc_error_set(err, MC_ENOMEM, "out of memory");
        for (size_t i = 0; st == MC_OK && i < n; i++) {
            st = mc_fig_info(figs[i], &lg->figures[i]);
            lg->nfigures++;
            if (st != MC_OK)
                mc_error_set(err, st, "out of memory");
        }
    }
    mc_plot_figures_free(figs, n);
    mc_run_free(run);
    if (st != MC_OK) {
        mc_plot_log_free(lg);
        return st;
    }
    if (log)
        *log = lg;
    return MC_OK;
}

int mc_plot_run(const char *dir, mc_error *err)
{
    return mc_plot_run_log(dir, NULL, err);
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
