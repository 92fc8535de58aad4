/* continuous.h - the continuous model families of issue 3 written against family.h:
 *
 *   mc_family_gaussian  model.family = gaussian: N(mu, Sigma) in d dimensions, fitted by maximum
 *                       likelihood or with the unbiased covariance; a Gaussian or Gaussian-mixture
 *                       world; W2, held-out NLL and tail-mass metrics; closed-form theory under
 *                       replace (docs/THEORY.md).
 *   mc_family_linreg    model.family = linreg: least squares (or ridge) on a fixed Gaussian design,
 *                       relabelled by its own estimate each generation; theory under replace and
 *                       accumulate.
 *
 * Both are listed in the registry (src/registry.c); a program linking libcollapse reaches them by
 * name through mc_family_lookup() or directly through these descriptors (read-only). Their shared
 * helpers (n x d datasets, Gaussians, mixtures, Wasserstein distances) are private to the library:
 * src/families/gauss_common.h. */
#ifndef COLLAPSE_CONTINUOUS_H
#define COLLAPSE_CONTINUOUS_H

#include "family.h"

extern const mc_family_type mc_family_gaussian;
extern const mc_family_type mc_family_linreg;

#endif
