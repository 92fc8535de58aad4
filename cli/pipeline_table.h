/* pipeline_table.h - the closing table of a run whose regime is `pipeline`: per grid point, the
 * lowest value the watched metric reached, how often its category went extinct, when the alarm
 * and the damage came, the lead time and the generations to recover (docs/PIPELINE.md). */
#ifndef COLLAPSE_PIPELINE_TABLE_H
#define COLLAPSE_PIPELINE_TABLE_H

#include <stdio.h>
#include "collapse.h"

typedef struct mc_ptable mc_ptable;

/* Adds a finished point when its regime reports a workforce (else does nothing); allocates *t
 * on first use. label: the point's short setting text. */
int mc_ptable_add(mc_ptable **t, const mc_summary *s, const char *label, mc_error *err);
void mc_ptable_print(const mc_ptable *t, FILE *f);
void mc_ptable_free(mc_ptable *t);

#endif
