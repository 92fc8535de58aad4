/* judge.c - a zoo entry's checks against a finished run: validation before the run, the
 * verdicts from each point's summary, and the checks written out (zoo.csv, the printed table).
 *
 * Ours is the replicate mean of the metric, SE = sd / sqrt(n) over the n replicates with a
 * value; z = (ours - expected) / SE (0 when both the difference and SE are 0, +-inf when only
 * SE is). Verdicts as include/collapse/zoo.h states them.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "collapse.h"
#include "collapse/zoo.h"
#include "io/atomic.h"
#include "io/csvfield.h"

int mc_zoo_validate(const mc_zoo *z, const mc_experiment *e, mc_error *err)
{
    for (size_t i = 0; i < z->nchecks; i++) {
        const mc_zoo_check *c = &z->checks[i];
        if (c->point >= e->npoints)
            return mc_error_set(err, MC_ECONFIG, "%s: point %zu, but the experiment has %zu "
                                "grid points", c->where, c->point, e->npoints);
        const mc_point *p = &e->points[c->point];
        long m = mc_metric_find(&p->metrics, c->metric);
        if (m < 0)
            return mc_error_set(err, MC_ECONFIG, "%s: point %zu has no metric '%s'", c->where,
                                c->point, c->metric);
        if (c->generation > p->run.generations)
            return mc_error_set(err, MC_ECONFIG, "%s: generation %ld, but the point runs %ld",
                                c->where, c->generation, p->run.generations);
        double th = mc_point_theory(p, (size_t)m, (unsigned)c->generation);
        if (c->theory && isnan(th))
            return mc_error_set(err, MC_ECONFIG, "%s: no closed form of '%s' applies at point "
                                "%zu (%s)", c->where, c->metric, c->point, p->label);
    }
    return MC_OK;
}

static void judge_one(mc_zoo_check *c, const mc_summary *s)
{
    long found = mc_metric_find(&s->point->metrics, c->metric);
    c->judged = 1;
    if (found < 0 || c->generation > s->generations) { /* not validated: nothing to compare */
        c->pass = 0;
        c->ours = c->se = c->z = c->expected = NAN;
        return;
    }
    size_t M = s->nmetrics, m = (size_t)found;
    const mc_stat *st = &s->stats[(size_t)c->generation * M + m];
    c->expected = c->theory ? s->theory[(size_t)c->generation * M + m] : c->value;
    const double q[] = {st->mean, st->q05, st->q50, st->q95};
    c->ours = q[c->stat];
    c->se = c->stat == MC_ZOO_MEAN && st->n > 1 ? st->sd / sqrt((double)st->n) : NAN;
    double d = c->ours - c->expected, slack = c->rel * fabs(c->expected);
    if (c->se > 0)
        c->z = d / c->se;
    else if (isnan(c->se)) /* a quantile: no standard error */
        c->z = NAN;
    else
        c->z = d == 0 ? 0 : (d > 0 ? INFINITY : -INFINITY);
    double se = c->se > 0 ? c->se : 0, room = c->z_max * se + slack;
    switch (c->op) {
    case MC_ZOO_EQUAL: c->pass = fabs(d) <= room; break;
    case MC_ZOO_AT_MOST: c->pass = d <= room; break;
    default: c->pass = d >= -room; break;
    }
    if (!isfinite(c->ours) || isnan(c->expected) || (isnan(c->se) && c->stat == MC_ZOO_MEAN))
        c->pass = 0;
}

void mc_zoo_judge(mc_zoo *z, const mc_summary *s)
{
    for (size_t i = 0; i < z->nchecks; i++)
        if (z->checks[i].point == s->point->index)
            judge_one(&z->checks[i], s);
}

int mc_zoo_passed(const mc_zoo *z)
{
    for (size_t i = 0; i < z->nchecks; i++)
        if (!z->checks[i].judged || !z->checks[i].pass)
            return 0;
    return 1;
}

/* "trace_ratio" or "trace_ratio q95" into buf (160 bytes). */
static const char *quantity(const mc_zoo_check *c, char *buf)
{
    static const char *const stats[] = {"", " q05", " q50", " q95"};
    snprintf(buf, 160, "%s%s", c->metric, stats[c->stat]);
    return buf;
}

static const char *op_text(mc_zoo_op op)
{
    return op == MC_ZOO_EQUAL ? "=" : op == MC_ZOO_AT_MOST ? "<=" : ">=";
}

void mc_zoo_csv(const mc_zoo *z, FILE *f, int header)
{
    char b[7][32];
    if (header)
        fprintf(f, "entry,paper,quantity,point,generation,op,expected,source,ours,se,z,z_max,"
                   "rel,verdict\n");
    for (size_t i = 0; i < z->nchecks; i++) {
        const mc_zoo_check *c = &z->checks[i];
        fprintf(f, "%s,", z->name);
        mc_csv_field(f, z->paper);
        char qb[160];
        fprintf(f, ",%s,%zu,%ld,%s,%s,", quantity(c, qb), c->point, c->generation, op_text(c->op),
                mc_format_exact(c->expected, b[0]));
        mc_csv_field(f, c->source);
        fprintf(f, ",%s,%s,%s,%s,%s,%s\n", mc_format_exact(c->ours, b[1]),
                mc_format_exact(c->se, b[2]), mc_format_value(c->z, b[3]),
                mc_format_value(c->z_max, b[4]), mc_format_value(c->rel, b[5]),
                !c->judged ? "NOT RUN" : c->pass ? "PASS" : "FAIL");
    }
}

void mc_zoo_print(const mc_zoo *z, FILE *f)
{
    fprintf(f, "%s: %s\n  %s\n", z->name, z->paper, z->result);
    fprintf(f, "  %-28s %-3s %-12s %-24s %8s %6s %-18s %s\n", "quantity", "", "expected",
            "ours +- SE", "z", "", "tolerance", "verdict");
    for (size_t i = 0; i < z->nchecks; i++) {
        const mc_zoo_check *c = &z->checks[i];
        char q[200], qb[160], ours[48], tol[40], b[4][32];
        snprintf(q, sizeof q, "%s g=%ld pt %zu", quantity(c, qb), c->generation, c->point);
        if (isnan(c->se))
            snprintf(ours, sizeof ours, "%s", mc_format_value(c->ours, b[0]));
        else
            snprintf(ours, sizeof ours, "%s +- %s", mc_format_value(c->ours, b[0]),
                     mc_format_value(c->se, b[1]));
        if (c->stat != MC_ZOO_MEAN)
            snprintf(tol, sizeof tol, "%g%% (a quantile)", 100 * c->rel);
        else if (c->rel > 0)
            snprintf(tol, sizeof tol, "%g SE + %g%%", c->z_max, 100 * c->rel);
        else
            snprintf(tol, sizeof tol, "%g SE", c->z_max);
        fprintf(f, "  %-28s %-3s %-12s %-24s %8.2f %6s %-18s %s\n", q, op_text(c->op),
                mc_format_value(c->expected, b[2]), ours, c->z, "", tol,
                !c->judged ? "NOT RUN" : c->pass ? "PASS" : "FAIL");
        fprintf(f, "  %-28s     source: %s\n", "", c->source);
    }
}

typedef struct zoo_set {
    const mc_zoo *const *zs;
    size_t n;
} zoo_set;

static int put_csv(FILE *f, void *user)
{
    const zoo_set *s = user;
    for (size_t i = 0; i < s->n; i++)
        mc_zoo_csv(s->zs[i], f, i == 0);
    return ferror(f) ? MC_EIO : MC_OK;
}

int mc_zoo_write(const mc_zoo *const *zs, size_t n, const char *path, mc_error *err)
{
    zoo_set s = {zs, n};
    return mc_write_atomic(path, put_csv, &s, err);
}
