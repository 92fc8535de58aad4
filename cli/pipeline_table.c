/* pipeline_table.c - the pipeline regime's closing table (see pipeline_table.h).
 *
 * Every number comes from summary.csv at the last generation G: the regime's running metrics
 * (watch_min, alarm_gen, damage_gen, lead_time, recovery) hold their final value there, and
 * extinction.csv's count of replicates whose category died. Generations are medians (q50) over
 * the replicates where the event happened; the lowest share is the replicate mean of each
 * replicate's minimum. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/target.h"
#include "pipeline_table.h"

typedef struct prow {
    char label[160];
    char cells[8][32];
} prow;

struct mc_ptable {
    char watched[MC_METRIC_NAME_MAX];
    char subject[MC_METRIC_NAME_MAX];
    long replicates, generations;
    prow *rows;
    size_t n, cap;
};

static const mc_stat *at_end(const mc_summary *s, const char *name)
{
    long m = mc_metric_find(&s->point->metrics, name);
    return m < 0 ? NULL : &s->stats[(size_t)s->generations * s->nmetrics + (size_t)m];
}

static void cell_value(char *buf, const mc_stat *st, int median)
{
    if (!st || st->n == 0) {
        strcpy(buf, "-");
        return;
    }
    mc_format_value(median ? st->q50 : st->mean, buf);
}

int mc_ptable_add(mc_ptable **tp, const mc_summary *s, const char *label, mc_error *err)
{
    const mc_point *p = s->point;
    if (mc_metric_find(&p->metrics, "workforce") < 0)
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
    const char *healthy = mc_point_value(p, "regime", "healthy");
    mc_target tg;
    long wm = -1;
    if (healthy && mc_target_parse(healthy, &tg, NULL) == MC_OK &&
        (wm = mc_target_find(&tg, &p->metrics, NULL)) >= 0) {
        snprintf(t->watched, sizeof t->watched, "%s", tg.metric);
        snprintf(t->subject, sizeof t->subject, "%s", p->metrics.items[wm].subject);
    }
    cell_value(r->cells[0], at_end(s, "watch_min"), 0);
    /* extinct: replicates whose presence metric about the watched subject ever hit 0 */
    strcpy(r->cells[1], "-");
    for (size_t i = 0; wm >= 0 && i < s->npresence; i++) {
        const mc_presence *pr = &s->presence[i];
        if (t->subject[0] && strcmp(p->metrics.items[pr->metric].subject, t->subject) == 0)
            snprintf(r->cells[1], sizeof r->cells[1], "%ld/%ld", pr->extinct, pr->replicates);
    }
    cell_value(r->cells[2], at_end(s, "alarm_gen"), 1);
    cell_value(r->cells[3], at_end(s, "damage_gen"), 1);
    const mc_stat *dg = at_end(s, "damage_gen"), *rc = at_end(s, "recovery");
    snprintf(r->cells[4], sizeof r->cells[4], "%zu/%ld", dg ? dg->n : 0, p->run.replicates);
    cell_value(r->cells[5], at_end(s, "lead_time"), 1);
    cell_value(r->cells[6], rc, 1);
    /* never recovered: damaged at the last generation */
    const mc_stat *dm = at_end(s, "damage");
    if (dm && dm->n)
        snprintf(r->cells[7], sizeof r->cells[7], "%.0f", dm->mean * (double)dm->n);
    else
        strcpy(r->cells[7], "-");
    return MC_OK;
}

void mc_ptable_print(const mc_ptable *t, FILE *f)
{
    if (!t || !t->n)
        return;
    char lowest[96], ext[96];
    snprintf(lowest, sizeof lowest, "lowest %s", t->watched[0] ? t->watched : "(healthy unset)");
    snprintf(ext, sizeof ext, "%s extinct", t->subject[0] ? t->subject : "");
    const char *head[8] = {lowest, ext, "alarm at", "damage at", "damaged", "lead time",
                           "to recover", "damaged at end"};
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
    for (int c = 0; c < 8; c++)
        fprintf(f, "  %*s", (int)strlen(head[c]) > 10 ? (int)strlen(head[c]) : 10, head[c]);
    fputc('\n', f);
    for (size_t i = 0; i < t->n; i++) {
        fprintf(f, "%-*s", lw, t->rows[i].label);
        for (int c = 0; c < 8; c++)
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
