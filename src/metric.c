/* metric.c - the growable list of named, self-describing metrics, and the names of their roles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/error.h"
#include "collapse/metric.h"

static const char *const ROLE_NAMES[MC_ROLE_COUNT] = {
    [MC_ROLE_OTHER] = "other",
    [MC_ROLE_SIZE] = "size",
    [MC_ROLE_HUMAN_SHARE] = "human_share",
    [MC_ROLE_PRESENCE] = "presence",
    [MC_ROLE_SHARE] = "share",
    [MC_ROLE_DIVERSITY] = "diversity",
    [MC_ROLE_DIVERGENCE] = "divergence",
    [MC_ROLE_HELDOUT_FIT] = "heldout_fit",
    [MC_ROLE_SPREAD] = "spread",
    [MC_ROLE_LOCATION] = "location",
    [MC_ROLE_TAIL] = "tail",
    [MC_ROLE_ERROR] = "error",
    [MC_ROLE_DIAGNOSTIC] = "diagnostic",
    [MC_ROLE_WORKFORCE] = "workforce",
    [MC_ROLE_SIGNAL] = "signal",
    [MC_ROLE_ALARM] = "alarm",
    [MC_ROLE_ALARM_GEN] = "alarm_generation",
    [MC_ROLE_DAMAGE] = "damage",
    [MC_ROLE_DAMAGE_GEN] = "damage_generation",
    [MC_ROLE_LEAD_TIME] = "lead_time",
    [MC_ROLE_WATCH_MIN] = "watched_minimum",
    [MC_ROLE_RECOVERY] = "recovery",
    [MC_ROLE_SELECTION] = "selection",
    [MC_ROLE_SCORE] = "score",
};

const char *mc_metric_role_name(mc_metric_role role)
{
    return (unsigned)role < MC_ROLE_COUNT ? ROLE_NAMES[role] : ROLE_NAMES[MC_ROLE_OTHER];
}

mc_metric_role mc_metric_role_parse(const char *name)
{
    for (int i = 0; name && i < MC_ROLE_COUNT; i++)
        if (strcmp(ROLE_NAMES[i], name) == 0)
            return (mc_metric_role)i;
    return MC_ROLE_OTHER;
}

int mc_metric_role_is_bookkeeping(mc_metric_role role)
{
    return role >= MC_ROLE_WORKFORCE && role < MC_ROLE_COUNT;
}

int mc_metric_declare(mc_metric_list *l, const mc_metric_def *d, const char *subject)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        mc_metric *p = realloc(l->items, cap * sizeof *p);
        if (!p)
            return MC_ENOMEM;
        l->items = p;
        l->cap = cap;
    }
    mc_metric *m = &l->items[l->n];
    memset(m, 0, sizeof *m);
    int len = subject ? snprintf(m->name, sizeof m->name, d->name, subject)
                      : snprintf(m->name, sizeof m->name, "%s", d->name);
    if (len < 0 || (size_t)len >= sizeof m->name)
        return MC_ERANGE;
    if (subject && strlen(subject) >= sizeof m->subject)
        return MC_ERANGE;
    if (subject)
        strcpy(m->subject, subject);
    m->description = d->description;
    m->unit = d->unit ? d->unit : "";
    m->role = d->role;
    m->direction = d->direction;
    m->flags = d->flags;
    l->n++;
    return MC_OK;
}

int mc_metric_declare_all(mc_metric_list *l, const mc_metric_def *defs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        int r = mc_metric_declare(l, &defs[i], NULL);
        if (r != MC_OK)
            return r;
    }
    return MC_OK;
}

void mc_metric_list_free(mc_metric_list *l)
{
    if (!l)
        return;
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

long mc_metric_find(const mc_metric_list *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->items[i].name, name) == 0)
            return (long)i;
    return -1;
}

long mc_metric_find_role(const mc_metric_list *l, mc_metric_role role, const char *subject)
{
    for (size_t i = 0; i < l->n; i++)
        if (l->items[i].role == role && (!subject || strcmp(l->items[i].subject, subject) == 0))
            return (long)i;
    return -1;
}
