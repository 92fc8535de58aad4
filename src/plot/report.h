/* report.h - the findings of a run in plain sentences (private to src/plot/; used by report.c
 * and the tests). */
#ifndef COLLAPSE_PLOT_REPORT_H
#define COLLAPSE_PLOT_REPORT_H

#include <stddef.h>
#include "rundir.h"

typedef struct mc_findings {
    char **v; /* plain-text sentences, UTF-8 */
    size_t n, cap;
} mc_findings;

/* Computes the key findings of run from its summary:
 *  - per named category that went extinct anywhere: in what fraction of replicates, by which
 *    generation, under which grid points (and where it never did);
 *  - per headline metric with values (not presence): its median at generation 0 and at G per
 *    grid point, and which point ends healthiest when the metric has a direction;
 *  - per metric with a closed form: at how many generations the simulated mean agrees with it
 *    within 3 standard errors (sd / sqrt(n)).
 * out is filled (free with mc_findings_free). Returns MC_OK or MC_ENOMEM. */
int mc_report_findings(const mc_run *run, mc_findings *out);
void mc_findings_free(mc_findings *f);

#endif
