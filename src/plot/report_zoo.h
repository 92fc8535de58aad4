/* report_zoo.h - the report's "Published results" section (private to src/plot/). */
#ifndef COLLAPSE_PLOT_REPORT_ZOO_H
#define COLLAPSE_PLOT_REPORT_ZOO_H

#include "sbuf.h"

/* Appends the section when dir holds zoo.csv (a `collapse zoo` run); nothing otherwise. */
void mc_report_published(mc_sbuf *s, const char *dir);

#endif
