/* dsort.h - sorting doubles fast (private to src/families/; dsort.c): the continuous families'
 * sliced and 1-D Wasserstein metrics sort thousands of projections per generation, where GSL's
 * heapsort took two thirds of a shumailov-gmm run. The result is the ascending order, the same
 * array gsl_sort gives (equal values are interchangeable; -0 before +0); an array holding a NaN
 * is handed to gsl_sort as it is, so its order stays what it was. */
#ifndef MC_FAMILIES_DSORT_H
#define MC_FAMILIES_DSORT_H

#include <stddef.h>

void mc_sort_doubles(double *a, size_t n);

#endif
