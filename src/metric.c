/* metric.c - the growable list of named, self-describing metrics. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/family.h"

int mc_metric_add(mc_metric_list *l, const char *description, int direction, unsigned flags,
                  const char *subject, const char *name_fmt, ...)
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
    va_list ap;
    va_start(ap, name_fmt);
    int len = vsnprintf(m->name, sizeof m->name, name_fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof m->name)
        return MC_ERANGE;
    if (subject && strlen(subject) >= sizeof m->subject)
        return MC_ERANGE;
    if (subject)
        strcpy(m->subject, subject);
    m->description = description;
    m->direction = direction;
    m->flags = flags;
    l->n++;
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
