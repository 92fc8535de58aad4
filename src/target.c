/* target.c - targets on metrics: the grammar of `collapse need --target`, the pipeline regime's
 * regime.healthy and the report's reading of it (see target.h). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/config.h"
#include "collapse/target.h"

static const char *skip(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

static int bad(mc_error *err, const char *text, const char *at, const char *what)
{
    return mc_error_set(err, MC_EUSAGE, "target '%s': %s at '%s' (grammar: METRIC OP VALUE, "
                        "e.g. 'alive(yellow) >= 0.95', 'heldout_ppl <= 1.05 * gen0'; OP is >=, "
                        "<=, > or <)", text, what, *at ? at : "the end");
}

/* A number at s: its end in *end, or NULL. */
static const char *number(const char *s, double *v)
{
    char *end;
    if (!*s || isspace((unsigned char)*s))
        return NULL;
    *v = strtod(s, &end);
    if (end == s || !isfinite(*v))
        return NULL;
    return end;
}

int mc_target_parse(const char *text, mc_target *t, mc_error *err)
{
    memset(t, 0, sizeof *t);
    if (!text)
        text = "";
    snprintf(t->text, sizeof t->text, "%s", text);
    const char *s = skip(text);
    /* metric: NAME or NAME(SUBJECT) */
    const char *n0 = s;
    while (isalnum((unsigned char)*s) || *s == '_')
        s++;
    size_t nl = (size_t)(s - n0);
    if (nl == 0)
        return bad(err, text, s, "expected a metric name");
    char name[MC_METRIC_NAME_MAX * 2];
    if (nl >= MC_METRIC_NAME_MAX)
        return bad(err, text, n0, "metric name too long");
    memcpy(name, n0, nl);
    name[nl] = '\0';
    if (*s == '(') {
        const char *a = skip(s + 1), *b = strchr(a, ')');
        if (!b)
            return bad(err, text, s, "missing ')'");
        size_t al = (size_t)(b - a);
        while (al && (a[al - 1] == ' ' || a[al - 1] == '\t'))
            al--;
        if (al == 0)
            return bad(err, text, s, "empty '()'");
        if (nl + 1 + al >= MC_METRIC_NAME_MAX)
            return bad(err, text, a, "metric name too long");
        name[nl] = '_';
        memcpy(name + nl + 1, a, al);
        name[nl + 1 + al] = '\0';
        s = b + 1;
    }
    memcpy(t->metric, name, strlen(name) + 1); /* < MC_METRIC_NAME_MAX, checked above */
    s = skip(s);
    if (s[0] == '>' && s[1] == '=')
        t->op = MC_TARGET_GE, s += 2;
    else if (s[0] == '<' && s[1] == '=')
        t->op = MC_TARGET_LE, s += 2;
    else if (s[0] == '>')
        t->op = MC_TARGET_GT, s += 1;
    else if (s[0] == '<')
        t->op = MC_TARGET_LT, s += 1;
    else
        return bad(err, text, s, "expected a comparison");
    s = skip(s);
    double v = 1;
    const char *e;
    if (strncmp(s, "gen0", 4) == 0) {
        t->relative = 1;
        s = skip(s + 4);
        if (*s == '*') {
            s = skip(s + 1);
            if (!(e = number(s, &v)))
                return bad(err, text, s, "expected a number after '*'");
            s = e;
        }
    } else {
        if (!(e = number(s, &v)))
            return bad(err, text, s, "expected a number or gen0");
        s = skip(e);
        if (*s == '*') {
            s = skip(s + 1);
            if (strncmp(s, "gen0", 4) != 0)
                return bad(err, text, s, "expected gen0 after '*'");
            t->relative = 1;
            s += 4;
        }
    }
    t->value = v;
    s = skip(s);
    if (*s)
        return bad(err, text, s, "unexpected text");
    return MC_OK;
}

/* The values a metric of this role can take, where the role bounds them: presence, alarm and
 * damage are 0/1 indicators, share and human_share probabilities, so their values and replicate
 * means lie in [0, 1]. Other roles: 0 (no known bound). */
static int role_range(mc_metric_role role, double *lo, double *hi)
{
    switch (role) {
    case MC_ROLE_PRESENCE:
    case MC_ROLE_SHARE:
    case MC_ROLE_HUMAN_SHARE:
    case MC_ROLE_ALARM:
    case MC_ROLE_DAMAGE:
        *lo = 0;
        *hi = 1;
        return 1;
    default: return 0;
    }
}

int mc_target_reachable(const mc_target *t, const mc_metric *m, mc_error *err)
{
    double lo, hi;
    if (t->relative || !role_range(m->role, &lo, &hi))
        return MC_OK;
    double c = t->value;
    int never = (t->op == MC_TARGET_GE && c > hi) || (t->op == MC_TARGET_GT && c >= hi) ||
                (t->op == MC_TARGET_LE && c < lo) || (t->op == MC_TARGET_LT && c <= lo);
    if (!never)
        return MC_OK;
    return mc_error_set(err, MC_ECONFIG, "target '%s': %s (role %s) lies in [%g, %g]; no value "
                        "of it can meet the target", t->text, m->name,
                        mc_metric_role_name(m->role), lo, hi);
}

long mc_target_find(const mc_target *t, const mc_metric_list *l, mc_error *err)
{
    long m = mc_metric_find(l, t->metric);
    if (m >= 0)
        return m;
    const char *names[512];
    size_t nn = 0;
    char list[900] = "";
    for (size_t i = 0; i < l->n && nn < 512; i++) {
        names[nn++] = l->items[i].name;
        size_t len = strlen(list);
        if (len < sizeof list - 80)
            snprintf(list + len, sizeof list - len, "%s%s", i ? ", " : "", l->items[i].name);
    }
    const char *near = mc_did_you_mean(t->metric, names, nn);
    if (near)
        return mc_error_set(err, MC_ECONFIG, "target '%s': no metric '%s' here (did you mean "
                            "'%s'?)", t->text, t->metric, near);
    return mc_error_set(err, MC_ECONFIG, "target '%s': no metric '%s' here (metrics: %s)",
                        t->text, t->metric, list);
}

int mc_target_upward(const mc_target *t)
{
    return t->op == MC_TARGET_GE || t->op == MC_TARGET_GT;
}

int mc_target_met(const mc_target *t, double x, double gen0)
{
    double c = t->relative ? t->value * gen0 : t->value;
    if (isnan(x) || isnan(c))
        return 0;
    switch (t->op) {
    case MC_TARGET_GE: return x >= c;
    case MC_TARGET_LE: return x <= c;
    case MC_TARGET_GT: return x > c;
    default: return x < c;
    }
}

