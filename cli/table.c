/* table.c - the closing table of `collapse run` and the curves of `collapse theory`.
 *
 * The closing table shows the metrics a plug-in flags as headline (MC_METRIC_HEADLINE); what a
 * number means is told by its role (collapse/metric.h), never by its name. A regime with its
 * own bookkeeping (a watched metric, alarms, damage) adds its own table (pipeline_table.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "pipeline_table.h"

#define MAXG 8

typedef struct row {
    size_t point;
    char label[160];
    char metric[MC_METRIC_NAME_MAX];
    mc_metric_role role;
    char cell[MAXG][32];
} row;

struct mc_table {
    const mc_experiment *e;
    long gens[MAXG];
    int ng;
    row *rows;
    size_t n, cap;
    mc_ptable *pipe; /* the pipeline regime's table, when a point has one */
};

static int pick_generations(long G, long *out)
{
    int n = 0;
    if (G <= 5) {
        for (long g = 0; g <= G; g++)
            out[n++] = g;
        return n;
    }
    for (int k = 0; k <= 5; k++) {
        long g = (long)llround((double)G * k / 5.0);
        if (n == 0 || out[n - 1] != g)
            out[n++] = g;
    }
    return n;
}

int mc_table_alloc(const mc_experiment *e, mc_table **out, mc_error *err)
{
    mc_table *t = calloc(1, sizeof *t);
    if (!t)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    t->e = e;
    t->ng = pick_generations(e->points[0].run.generations, t->gens);
    *out = t;
    return MC_OK;
}

void mc_table_free(mc_table *t)
{
    if (!t)
        return;
    free(t->rows);
    mc_ptable_free(t->pipe);
    free(t);
}

/* "regime.name=fresh; sampling.temperature=0.9" -> "fresh, temperature=0.9" */
static void short_label(const mc_point *p, char *buf, size_t size)
{
    const mc_experiment *e = p->exp;
    buf[0] = '\0';
    if (!e->naxes) {
        snprintf(buf, size, "%s", p->label);
        return;
    }
    for (size_t a = 0; a < e->naxes; a++) {
        size_t len = strlen(buf);
        const char *v = e->axes[a].values[p->choice[a]];
        if (!strcmp(e->axes[a].key, "name") || !strcmp(e->axes[a].key, "family"))
            snprintf(buf + len, size - len, "%s%s", a ? ", " : "", v);
        else
            snprintf(buf + len, size - len, "%s%s=%s", a ? ", " : "", e->axes[a].key, v);
    }
    if ((p->regime->props & MC_REGIME_USES_H) && !strstr(buf, "h=")) {
        size_t len = strlen(buf);
        snprintf(buf + len, size - len, ", h=%g", p->regime_settings.h);
    }
}

int mc_table_add(mc_table *t, const mc_summary *s, mc_error *err)
{
    const mc_point *p = s->point;
    char label[160];
    short_label(p, label, sizeof label);
    int pr = mc_ptable_add(&t->pipe, s, label, err);
    if (pr != MC_OK)
        return pr;
    for (size_t m = 0; m < s->nmetrics; m++) {
        if (!(p->metrics.items[m].flags & MC_METRIC_HEADLINE))
            continue;
        if (t->n == t->cap) {
            size_t cap = t->cap ? 2 * t->cap : 16;
            row *r = realloc(t->rows, cap * sizeof *r);
            if (!r)
                return mc_error_set(err, MC_ENOMEM, "out of memory");
            t->rows = r;
            t->cap = cap;
        }
        row *r = &t->rows[t->n++];
        memset(r, 0, sizeof *r);
        r->point = p->index;
        short_label(p, r->label, sizeof r->label);
        snprintf(r->metric, sizeof r->metric, "%s", p->metrics.items[m].name);
        r->role = p->metrics.items[m].role;
        for (int k = 0; k < t->ng; k++) {
            long g = t->gens[k];
            if (g > s->generations)
                strcpy(r->cell[k], "-");
            else
                mc_format_value(s->stats[(size_t)g * s->nmetrics + m].mean, r->cell[k]);
        }
    }
    return MC_OK;
}

void mc_table_print(const mc_table *t, FILE *f)
{
    if (!t->n) {
        mc_ptable_print(t->pipe, f);
        return;
    }
    int lw = 7;
    for (size_t i = 0; i < t->n; i++)
        if ((int)strlen(t->rows[i].label) > lw)
            lw = (int)strlen(t->rows[i].label);
    int mw = 6;
    for (size_t i = 0; i < t->n; i++)
        if ((int)strlen(t->rows[i].metric) > mw)
            mw = (int)strlen(t->rows[i].metric);
    int categories = 0; /* a presence metric: its mean is a probability of being alive */
    for (size_t i = 0; i < t->n; i++)
        categories |= t->rows[i].role == MC_ROLE_PRESENCE;
    fprintf(f, "\n%s: mean over %ld replicates (the mean column of summary.csv)%s\n\n",
            t->e->name, t->e->points[0].run.replicates,
            categories ? "; for a presence metric that is the probability that its category is "
                         "alive, for a share the category's mean share" : "");
    fprintf(f, "%-5s  %-*s  %-*s ", "point", lw, "setting", mw, "metric");
    for (int k = 0; k < t->ng; k++) {
        char h[24];
        snprintf(h, sizeof h, "g=%ld", t->gens[k]);
        fprintf(f, " %10s", h);
    }
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        const row *r = &t->rows[i];
        int first = i == 0 || t->rows[i - 1].point != r->point;
        if (first && i)
            fputc('\n', f);
        char num[24] = "";
        if (first)
            snprintf(num, sizeof num, "%zu", r->point);
        fprintf(f, "%-5s  %-*s  %-*s ", num, lw, first ? r->label : "", mw, r->metric);
        for (int k = 0; k < t->ng; k++)
            fprintf(f, " %10s", r->cell[k]);
        fputc('\n', f);
    }
    mc_ptable_print(t->pipe, f);
}

/* Whether metric m of point p has a closed form beyond generation 0 (generation 0 is the
 * world itself, not a prediction). */
static int has_closed_form(const mc_point *p, size_t m)
{
    for (long g = 1; g <= p->run.generations; g++)
        if (!isnan(mc_point_theory(p, m, (unsigned)g)))
            return 1;
    return 0;
}

static void theory_row(const mc_point *p, size_t m, const long *gens, int ng, FILE *f)
{
    char label[160];
    short_label(p, label, sizeof label);
    fprintf(f, "%-5zu  %-40s  %-16s", p->index, label, p->metrics.items[m].name);
    for (int k = 0; k < ng; k++) {
        char b[32];
        double v = mc_point_theory(p, m, (unsigned)gens[k]);
        fprintf(f, " %10s", isnan(v) ? "-" : mc_format_value(v, b));
    }
    fputc('\n', f);
}

/* "metric (points 1, 3)" for every metric left out somewhere; "" when none. */
static void left_out(const mc_experiment *e, char *buf, size_t size)
{
    const mc_point *p0 = &e->points[0];
    buf[0] = '\0';
    for (size_t m = MC_ENGINE_METRICS; m < p0->metrics.n - p0->nregime_metrics; m++) {
        char pts[256] = "";
        size_t missing = 0;
        for (size_t i = 0; i < e->npoints; i++) {
            const mc_point *p = &e->points[i];
            if (m >= p->metrics.n - p->nregime_metrics ||
                strcmp(p->metrics.items[m].name, p0->metrics.items[m].name) || has_closed_form(p, m))
                continue;
            size_t l = strlen(pts);
            snprintf(pts + l, sizeof pts - l, "%s%zu", missing++ ? ", " : "", i);
        }
        size_t l = strlen(buf);
        if (missing == e->npoints)
            snprintf(buf + l, size - l, "%s%s", l ? "; " : "", p0->metrics.items[m].name);
        else if (missing)
            snprintf(buf + l, size - l, "%s%s (point%s %s)", l ? "; " : "",
                     p0->metrics.items[m].name, missing == 1 ? "" : "s", pts);
    }
}

int mc_theory_print(const mc_experiment *e, FILE *f)
{
    int curves = 0, any = 0;
    for (size_t i = 0; i < e->npoints && !any; i++)
        for (size_t m = MC_ENGINE_METRICS; m < e->points[i].metrics.n; m++)
            any |= m < e->points[i].metrics.n - e->points[i].nregime_metrics &&
                   has_closed_form(&e->points[i], m);
    if (!any)
        return 0;
    long gens[MAXG];
    int ng = pick_generations(e->points[0].run.generations, gens);
    fprintf(f, "closed-form expected values: the mean over replicates a run estimates (summary.csv's "
               "theory_mean), per grid point; '-': none at that generation\n\n");
    fprintf(f, "%-5s  %-40s  %-16s", "point", "setting", "metric");
    for (int k = 0; k < ng; k++) {
        char h[24];
        snprintf(h, sizeof h, "g=%ld", gens[k]);
        fprintf(f, " %10s", h);
    }
    fputc('\n', f);
    for (size_t i = 0; i < e->npoints; i++) {
        const mc_point *p = &e->points[i];
        for (size_t m = MC_ENGINE_METRICS; m < p->metrics.n - p->nregime_metrics; m++)
            if (has_closed_form(p, m)) {
                theory_row(p, m, gens, ng, f);
                curves++;
            }
    }
    char missing[2048];
    left_out(e, missing, sizeof missing);
    if (missing[0])
        fprintf(f, "\nno closed form (left out): %s\n", missing);
    return curves;
}
