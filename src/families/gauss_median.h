/* gauss_median.h - the gaussian family's median estimator (private to the library,
 * src/families/gauss_median.c): the coordinate-wise sample median of a training set, and the
 * exact variance of the median of n standard normals that its closed forms need (docs/THEORY.md,
 * "Gaussian: median and known covariance"). */
#ifndef COLLAPSE_GAUSS_MEDIAN_H
#define COLLAPSE_GAUSS_MEDIAN_H

#include <stdint.h>
#include "collapse/error.h"
#include "gdata.h"

/* med (d) = the coordinate-wise median of the rows of ds (the mean of the two middle values for
 * an even count; deferred rows computed). MC_ENOMEM when scratch cannot be had; MC_EINTERNAL for
 * an empty or virtual (moments-only) dataset. */
int mc_gdata_median(const mc_gdata *ds, double *med, mc_error *err);

/* Var(median of n i.i.d. N(0, 1)) for n >= 1, by quadrature of the order statistics' densities
 * (one integral for odd n, a double one for even n; relative error below 1e-8): 1 at n = 1,
 * 1/2 at n = 2, 1 - sqrt(3)/pi at n = 3, about pi / (2 n) for large n. */
double mc_normal_median_var(uint64_t n);

#endif
