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
 * name through mc_family_lookup(). This header is private to the library (the families' own files
 * include it so that the descriptors and their declarations agree). Their shared helpers live
 * beside it: gdata.h (n x d datasets), gauss_law.h (one Gaussian), gmm.h (mixtures), gworld.h
 * (the [world] section), w2.h (Wasserstein distances). */
#ifndef COLLAPSE_CONTINUOUS_H
#define COLLAPSE_CONTINUOUS_H

#include "collapse/family.h"

extern const mc_family_type mc_family_gaussian;
extern const mc_family_type mc_family_linreg;

#endif
