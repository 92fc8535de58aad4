/* pipeline_table.c - the closing table of a regime that keeps its own bookkeeping (see
 * pipeline_table.h).
 *
 * The columns are the bookkeeping roles (collapse/metric.h), in COLUMNS below, never metric
 * names: the watched metric's lowest value (role watched_minimum), extinctions of the watched
 * subject (the presence metric about it), the first alarm and the first damage (alarm_generation,
 * damage_generation), in how many replicates damage came, the lead time, the generations to
 * recover and the replicates still damaged at the end (damage). Every number comes from the
 * summary at the last generation G, where the running metrics hold their final value, and from
 * the extinction counts. Generations are medians (q50) over the replicates where the event
 * happened; the lowest value is the replicate mean of each replicate's minimum. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/target.h"
#include "pipeline_table.h"

/* How a column turns its metric's statistics at G into a cell. */
typedef enum cell_kind {
    CELL_MEAN,     /* the replicate mean */
    CELL_MEDIAN,   /* the median over replicates where it happened */
    CELL_COUNT,    /* replicates where it happened (a value, not NaN) / all */
    CELL_EXTINCT,  /* replicates whose watched subject ever went extinct / all */
    CELL_AT_END    /* replicates where the 0/1 metric is 1 at G */
} cell_kind;

typedef struct column {
    const char *head; /* "%s" is the watched metric's name (lowest) or subject (extinct) */
    mc_metric_role role;
    cell_kind kind;
} column;

#define NCOLS 8
static const column COLUMNS[NCOLS] = {
    {"lowest %s", MC_ROLE_WATCH_MIN, CELL_MEAN},
    {"%s extinct", MC_ROLE_PRESENCE, CELL_EXTINCT},
    {"alarm at", MC_ROLE_ALARM_GEN, CELL_MEDIAN},
    {"damage at", MC_ROLE_DAMAGE_GEN, CELL_MEDIAN},
    {"damaged", MC_ROLE_DAMAGE_GEN, CELL_COUNT},
    {"lead time", MC_ROLE_LEAD_TIME, CELL_MEDIAN},
    {"to recover", MC_ROLE_RECOVERY, CELL_MEDIAN},
    {"damaged at end", MC_ROLE_DAMAGE, CELL_AT_END},
};

typedef struct prow {
    char label[160];
    char cells[NCOLS][32];
} prow;

struct mc_ptable {
    char watched[MC_METRIC_NAME_MAX];
    char subject[MC_METRIC_NAME_MAX];
    long replicates, generations;
    prow *rows;
    size_t n, cap;
};

/* The statistics at G of the point's first metric with this role, or NULL. */
static const mc_stat *at_end(const mc_summary *s, mc_metric_role role)
{
    long m = mc_metric_find_role(&s->point->metrics, role, NULL);
    return m < 0 ? NULL : &s->stats[(size_t)s->generations * s->nmetrics + (size_t)m];
}

/* Replicates in which the presence metric about the watched subject ever hit 0. */
static void extinct_cell(const mc_summary *s, const char *subject, char *buf, size_t size)
{
    const mc_point *p = s->point;
    strcpy(buf, "-");
    for (size_t i = 0; subject[0] && i < s->npresence; i++) {
        const mc_presence *pr = &s->presence[i];
        if (strcmp(p->metrics.items[pr->metric].subject, subject) == 0)
            snprintf(buf, size, "%ld/%ld", pr->extinct, pr->replicates);
    }
}

static void fill_cell(const mc_summary *s, const mc_ptable *t, const column *c, char *buf,
                      size_t size)
{
    if (c->kind == CELL_EXTINCT) {
        extinct_cell(s, t->subject, buf, size);
        return;
    }
    const mc_stat *st = at_end(s, c->role);
    if (c->kind == CELL_COUNT) {
        snprintf(buf, size, "%zu/%ld", st ? st->n : 0, s->point->run.replicates);
        return;
    }
    if (!st || st->n == 0) {
        strcpy(buf, "-");
        return;
    }
    if (c->kind == CELL_AT_END)
        snprintf(buf, size, "%.0f", st->mean * (double)st->n);
    else
        mc_format_value(c->kind == CELL_MEDIAN ? st->q50 : st->mean, buf);
}

/* Whether the point keeps a regime's bookkeeping of a watched metric (a metric of a role that
 * only such a regime reports). */
static int has_bookkeeping(const mc_point *p)
{
    return mc_metric_find_role(&p->metrics, MC_ROLE_WATCH_MIN, NULL) >= 0 ||
           mc_metric_find_role(&p->metrics, MC_ROLE_DAMAGE_GEN, NULL) >= 0;
}

/* The metric regime.healthy watches and its subject, when the target names one. */
static void find_watched(const mc_point *p, mc_ptable *t)
{
    const char *healthy = mc_point_value(p, "regime", "healthy");
    mc_target tg;
    long wm;
    if (healthy && mc_target_parse(healthy, &tg, NULL) == MC_OK &&
        (wm = mc_target_find(&tg, &p->metrics, NULL)) >= 0) {
        snprintf(t->watched, sizeof t->watched, "%s", tg.metric);
        snprintf(t->subject, sizeof t->subject, "%s", p->metrics.items[wm].subject);
    }
}

int mc_ptable_add(mc_ptable **tp, const mc_summary *s, const char *label, mc_error *err)
{
    const mc_point *p = s->point;
    if (!has_bookkeeping(p))
        return MC_OK;
    if (!*tp && !(*tp = calloc(1, sizeof **tp)))
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    mc_ptable *t = *tp;
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 8;
        prow *r = realloc(t->rows, cap * sizeof *r);
        if (!r)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        t->rows = r;
        t->cap = cap;
    }
    prow *r = &t->rows[t->n++];
    memset(r, 0, sizeof *r);
    snprintf(r->label, sizeof r->label, "%s", label);
    t->replicates = p->run.replicates;
    t->generations = s->generations;
    find_watched(p, t);
    for (int c = 0; c < NCOLS; c++)
        fill_cell(s, t, &COLUMNS[c], r->cells[c], sizeof r->cells[c]);
    return MC_OK;
}

void mc_ptable_print(const mc_ptable *t, FILE *f)
{
    if (!t || !t->n)
        return;
    char head[NCOLS][96];
    for (int c = 0; c < NCOLS; c++) {
        const char *fill = c == 0 ? (t->watched[0] ? t->watched : "(healthy unset)") : t->subject;
        snprintf(head[c], sizeof head[c], COLUMNS[c].head, fill);
    }
    int lw = 7;
    for (size_t i = 0; i < t->n; i++)
        if ((int)strlen(t->rows[i].label) > lw)
            lw = (int)strlen(t->rows[i].label);
    fprintf(f, "\nthe human pipeline, over %ld replicates and %ld generations: lowest = replicate "
               "mean of each replicate's minimum; alarm, damage, lead time (damage - alarm; < 0: "
               "too late) and generations to recover (the longest damage episode that ended) are "
               "medians over the replicates where they happened (summary.csv at g=%ld)\n\n",
            t->replicates, t->generations, t->generations);
    fprintf(f, "%-*s", lw, "setting");
    for (int c = 0; c < NCOLS; c++)
        fprintf(f, "  %*s", (int)strlen(head[c]) > 10 ? (int)strlen(head[c]) : 10, head[c]);
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        fprintf(f, "%-*s", lw, t->rows[i].label);
        for (int c = 0; c < NCOLS; c++)
            fprintf(f, "  %*s", (int)strlen(head[c]) > 10 ? (int)strlen(head[c]) : 10,
                    t->rows[i].cells[c]);
        fputc('\n', f);
    }
}

void mc_ptable_free(mc_ptable *t)
{
    if (!t)
        return;
    free(t->rows);
    free(t);
}
