/* findings.c - the key findings of a run in plain sentences, computed from its summary. See
 * report.h. Metrics are chosen by their roles and flags (headline, presence, the watched
 * regime's bookkeeping), never by their names. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report.h"
#include "sbuf.h"

static int findings_add(mc_findings *f, const mc_sbuf *s)
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
static void join_legends(mc_sbuf *s, const mc_run *run, const size_t *idx, size_t n,
                         const char *last)
{
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            mc_sb_printf(s, "%s", i + 1 == n ? last : ", ");
        mc_sb_printf(s, "%s", run->points[idx[i]].legend);
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
        const mc_run_extinction *x = mc_run_extinction_find(&run->points[i], x0->metric);
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
            const mc_run_extinction *u =
                mc_run_extinction_find(&run->points[order[b - 1]], x0->metric);
            const mc_run_extinction *v = mc_run_extinction_find(&run->points[order[b]], x0->metric);
            if (v->extinct > u->extinct ||
                (v->extinct == u->extinct && v->first_q50 < u->first_q50)) {
                size_t t = order[b];
                order[b] = order[b - 1];
                order[b - 1] = t;
            } else
                break;
        }
    mc_sbuf s = {0};
    char b1[32], b2[32];
    double w;
    int how = mc_run_world_share(run, x0->category, &w);
    mc_sb_printf(&s, "%s", x0->category);
    if (how >= 0)
        mc_sb_printf(&s, " (%s%.3g %% of the world)", how == 1 ? "" : "about ", 100 * w);
    if (nord == 0) {
        mc_sb_printf(&s, " was never extinct in any replicate, under any grid point, in %ld "
                      "generations.",
                  run->generations);
    } else {
        mc_sb_printf(&s, " went extinct");
        size_t shown = nord > MAX_LISTED ? MAX_LISTED - 1 : nord;
        for (size_t k = 0; k < shown; k++) {
            const mc_run_point *p = &run->points[order[k]];
            const mc_run_extinction *x = mc_run_extinction_find(p, x0->metric);
            const mc_run_metric *alive = mc_run_metric_find(p, x0->metric);
            long from = alive ? all_dead_from(run, alive) : -1;
            if (k > 0)
                mc_sb_printf(&s, ";%s", k + 1 == nord && nnever == 0 ? " and" : "");

            if (x->extinct >= 1 && from >= 0)
                mc_sb_printf(&s, " in 100 %% of replicates by generation %ld", from);
            else
                mc_sb_printf(&s, " in %s of replicates (median first extinction at generation %s)",
                          mc_fmt_pct(x->extinct, b1), mc_fmt_num(x->first_q50, b2));
            mc_sb_printf(&s, " under %s", p->legend);
            if (!(x->alive_end == 1 - x->extinct) && x->alive_end > 0)
                mc_sb_printf(&s, ", and was alive again at generation %ld in %s", run->generations,
                          mc_fmt_pct(x->alive_end, b1));
        }
        if (shown < nord)
            mc_sb_printf(
                &s, "; in at most %s under %zu more grid points (see the extinction table)",
                mc_fmt_pct(mc_run_extinction_find(&run->points[order[shown]], x0->metric)->extinct,
                           b1),
                nord - shown);
        if (nnever > MAX_LISTED)
            mc_sb_printf(&s, "; and in 0 %% under %zu grid points", nnever);
        else if (nnever) {
            mc_sb_printf(&s, "; and in 0 %% under ");
            join_legends(&s, run, never, nnever, " or ");
        }
        mc_sb_printf(&s, ".");
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
    mc_sbuf s = {0};
    char b1[32], b2[32];
    mc_sb_printf(&s, "%s (%s", m0->name, m0->description);
    if (m0->subject[0] && !strstr(m0->description, m0->subject))
        mc_sb_printf(&s, ": %s", m0->subject);
    mc_sb_printf(&s, "), median over replicates: ");
    int same0 = isfinite(lo0) && isfinite(hi0) && hi0 - lo0 <= 0.1 * fmax(fabs(hi0), fabs(lo0));
    if (same0)
        mc_sb_printf(&s, "%s at generation 0; at generation %ld: ",
                  mc_fmt_num(lo0 == hi0 ? lo0 : 0.5 * (lo0 + hi0), b1), G);
    else
        mc_sb_printf(&s, "from generation 0 to %ld, ", G);
    size_t shown = n > MAX_LISTED ? MAX_LISTED - 1 : n;
    for (size_t k = 0; k < shown; k++) {
        const mc_run_metric *m = mc_run_metric_find(&run->points[idx[k]], m0->name);
        if (k > 0)
            mc_sb_printf(&s, "%s", k + 1 == n ? " and " : ", ");
        if (same0)
            mc_sb_printf(&s, "%s under %s", mc_fmt_num(m->q50[G], b1), run->points[idx[k]].legend);
        else
            mc_sb_printf(&s, "%s to %s under %s", mc_fmt_num(m->q50[0], b1),
                         mc_fmt_num(m->q50[G], b2), run->points[idx[k]].legend);
    }
    if (shown < n)
        mc_sb_printf(&s, ", and %zu more grid points (see the summary table)", n - shown);
    mc_sb_printf(&s, ".");
    if (m0->direction != 0 && n > 1) {
        double best = mc_run_metric_find(&run->points[idx[0]], m0->name)->q50[G];
        double next = mc_run_metric_find(&run->points[idx[1]], m0->name)->q50[G];
        if (!isnan(best) && best != next)
            mc_sb_printf(&s, " It ends healthiest under %s.", run->points[idx[0]].legend);
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
    mc_sbuf s = {0};
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
        mc_sb_printf(&s, "%s%s %ld of %ld", said ? "; " : "", p0->metrics[k].name, agree, defined);
        total_out += defined - agree;
        said++;
    }
    if (!said && !skewed) {
        free(s.p);
        return MC_OK;
    }
    mc_sbuf t = {0};
    if (said)
        mc_sb_printf(&t, "Theory check: the simulated mean lies within 3 standard errors of the "
                      "closed-form expectation at %s (point-generations where the theory applies; "
                      "about 1 in 370 falls outside by chance)%s",
                  s.p, total_out ? "." : ", so simulation and theory agree.");
    if (skewed)
        mc_sb_printf(&t,
                     "%s%ld point-generation%s with a closed form %s left out: there a metric's "
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

/* The story of a regime that watches a metric against a target, at generation G, per point
 * (medians over replicates): the worst value of the watched metric, when the damage began, the
 * alarm's lead time and the recovery. Only when the run has metrics of those roles (watched
 * minimum, damage generation, lead time; recovery is optional). */
static int pipeline_finding(const mc_run *run, mc_findings *out)
{
    const mc_run_point *p0 = &run->points[0];
    if (!mc_run_metric_role(p0, MC_ROLE_WATCH_MIN, NULL, NULL) ||
        !mc_run_metric_role(p0, MC_ROLE_DAMAGE_GEN, NULL, NULL) ||
        !mc_run_metric_role(p0, MC_ROLE_LEAD_TIME, NULL, NULL))
        return MC_OK;
    long G = run->generations;
    mc_sbuf s = {0};
    char b1[32], b2[32];
    const char *healthy = mc_run_point_param(p0, "regime.healthy");
    mc_sb_printf(&s, "Human pipeline");
    if (healthy)
        mc_sb_printf(&s, " (healthy: %s)", healthy);
    mc_sb_printf(&s, ", medians over replicates:");
    size_t shown = run->npoints > MAX_LISTED ? MAX_LISTED : run->npoints;
    for (size_t i = 0; i < shown; i++) {
        const mc_run_point *p = &run->points[i];
        const mc_run_metric *wm = mc_run_metric_role(p, MC_ROLE_WATCH_MIN, NULL, NULL);
        const mc_run_metric *dg = mc_run_metric_role(p, MC_ROLE_DAMAGE_GEN, NULL, NULL);
        const mc_run_metric *lt = mc_run_metric_role(p, MC_ROLE_LEAD_TIME, NULL, NULL);
        const mc_run_metric *rc = mc_run_metric_role(p, MC_ROLE_RECOVERY, NULL, NULL);
        if (!wm || !dg || !lt)
            continue;
        mc_sb_printf(&s, "%s under %s the watched metric fell to %s at worst", i ? ";" : "",
                  p->legend, mc_fmt_num(wm->q50[G], b1));
        if (isnan(dg->q50[G])) {
            mc_sb_printf(&s, " and stayed healthy");
            continue;
        }
        mc_sb_printf(&s, ", damage began at generation %s", mc_fmt_num(dg->q50[G], b1));
        double lead = lt->q50[G];
        if (!isnan(lead))
            mc_sb_printf(&s, ", the alarm came %s generation%s %s it", mc_fmt_num(fabs(lead), b2),
                      fabs(lead) == 1 ? "" : "s", lead >= 0 ? "before" : "after");
        else
            mc_sb_printf(&s, ", with no alarm before generation %ld", G);
        if (rc && !isnan(rc->q50[G]))
            mc_sb_printf(&s, ", and health returned %s generations after the damage began",
                      mc_fmt_num(rc->q50[G], b1));
        else if (rc)
            mc_sb_printf(&s, ", and health had not returned by generation %ld", G);
    }
    if (shown < run->npoints)
        mc_sb_printf(&s, "; and %zu more grid points (see the summary table)",
                  run->npoints - shown);
    mc_sb_printf(&s, ".");
    int st = findings_add(out, &s);
    if (st != MC_OK)
        free(s.p);
    return st;
}

/* Point p's metric of this role whose headline flag is `headline` (and direction dir unless
 * dir is 2), or NULL: the curation and detection steps declare their metrics apart by these. */
static const mc_run_metric *step_metric(const mc_run_point *p, mc_metric_role role, int headline,
                                        int dir)
{
    for (size_t m = 0; m < p->nmetrics; m++)
        if (p->metrics[m].role == role && p->metrics[m].headline == headline &&
            (dir == 2 || p->metrics[m].direction == dir))
            return &p->metrics[m];
    return NULL;
}

/* One sentence per point that curates or detects (metrics of roles score and selection): what
 * the verifier kept against the candidates, by the world's own log-likelihood, and what the
 * detector let through, medians over replicates at generation G. */
static int steps_finding(const mc_run *run, const mc_run_point *p, mc_findings *out)
{
    const mc_run_metric *before = step_metric(p, MC_ROLE_SCORE, 0, 2);
    const mc_run_metric *after = step_metric(p, MC_ROLE_SCORE, 1, 2);
    const mc_run_metric *passed = step_metric(p, MC_ROLE_SELECTION, 1, -1);
    const mc_run_metric *lost = step_metric(p, MC_ROLE_SELECTION, 0, -1);
    long G = run->generations, g1 = G >= 1 ? 1 : 0;
    if (!(before && after) && !(passed && lost))
        return MC_OK;
    mc_sbuf s = {0};
    char b1[32], b2[32], b3[32], b4[32];
    mc_sb_printf(&s, "Under %s", p->legend);
    if (before && after) {
        mc_sb_printf(&s, ", the curated samples' mean log-likelihood under the world was %s "
                     "against %s for all candidates at generation %ld and %s against %s at "
                     "generation %ld (medians)", mc_fmt_num(after->q50[g1], b1),
                     mc_fmt_num(before->q50[g1], b2), g1, mc_fmt_num(after->q50[G], b3),
                     mc_fmt_num(before->q50[G], b4), G);
        mc_sb_printf(&s, after->q50[g1] >= before->q50[g1]
                             ? ": the verifier favoured what the world finds likely"
                             : ": a biased verifier, it kept what the world finds less likely");
    }
    if (passed && lost)
        mc_sb_printf(&s, "%s the detector let %s of the synthetic samples through and dropped %s "
                     "of the human ones (medians at generation %ld)", before && after ? ";" : ",",
                     mc_fmt_num(passed->q50[G], b1), mc_fmt_num(lost->q50[G], b2), G);
    mc_sb_printf(&s, ".");
    int st = findings_add(out, &s);
    if (st != MC_OK)
        free(s.p);
    return st;
}

/* Whether metric name appears in a point before point i. */
static int seen_before(const mc_run *run, size_t i, const char *name)
{
    for (size_t j = 0; j < i; j++)
        if (mc_run_metric_find(&run->points[j], name))
            return 1;
    return 0;
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
                const mc_run_extinction *x = mc_run_extinction_find(&run->points[i],
                                                             p0->extinction[e].metric);
                any |= x && x->extinct > 0;
            }
            if (any == (pass == 0))
                st = category_finding(run, &p0->extinction[e], out);
        }
    /* headline metrics, in the order the points first have them */
    for (size_t i = 0; i < run->npoints && st == MC_OK; i++)
        for (size_t m = 0; m < run->points[i].nmetrics && st == MC_OK; m++) {
            const mc_run_metric *mm = &run->points[i].metrics[m];
            if (mm->headline && mm->role != MC_ROLE_PRESENCE && !seen_before(run, i, mm->name))
                st = headline_finding(run, mm, out);
        }
    for (size_t i = 0; i < run->npoints && i < MAX_LISTED && st == MC_OK; i++)
        st = steps_finding(run, &run->points[i], out);
    if (st == MC_OK)
        st = pipeline_finding(run, out);
    if (st == MC_OK)
        st = theory_finding(run, out);
    if (st != MC_OK)
        mc_findings_free(out);
    return st;
}

