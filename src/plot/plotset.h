/* plotset.h - a run directory read once, with its figures built (private to src/plot/): what
 * mc_plot_open returns and mc_plot_write and mc_report_write_set use (collapse/plot.h). */
#ifndef COLLAPSE_PLOT_PLOTSET_H
#define COLLAPSE_PLOT_PLOTSET_H

#include <stddef.h>
#include "collapse/plot.h"
#include "figure.h"
#include "rundir.h"

struct mc_plot_set {
    mc_run *run;
    mc_figure **figs;
    size_t nfigs;
    int *written; /* per figure: mc_plot_write wrote plots/<name>.png and .svg */
};

#endif
