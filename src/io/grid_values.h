/* grid_values.h - the value syntax of a grid axis beyond a comma list (src/io/grid_values.c):
 *
 *   range(start, stop[, step])   start, start + step, ... while < stop (> stop for step < 0);
 *                                step 1 when left out, as Python's range and numpy's arange
 *   linspace(a, b, k)            k >= 2 evenly spaced values from a to b, both included
 *
 * Either may stand alone or among other alternatives ("0, range(0.1, 0.5, 0.1), 1").
 * Generated values are written with 12 significant digits, so 0.1 * 3 reads 0.3, not
 * 0.30000000000000004. Ground floor: knows nothing of experiments. */
#ifndef MC_IO_GRID_VALUES_H
#define MC_IO_GRID_VALUES_H

#include "collapse/error.h"

/* Most values one range() or linspace() may produce (a grid that large is a typo). */
#define MC_GRID_MAX_VALUES 10000

/* Rewrites value with every range(...) and linspace(...) replaced by the comma list of its
 * values. *out is a new string the caller frees (a copy of value when it has neither). MC_OK,
 * MC_ECONFIG (err: what is wrong with which call, e.g. "range(0, 1, 0): the step is 0") or
 * MC_ENOMEM. */
int mc_grid_expand(const char *value, char **out, mc_error *err);

#endif
