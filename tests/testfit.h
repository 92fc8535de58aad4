/* testfit.h - a continuous family's model fitted through its slots on a hand-made training set
 * (rows of d coordinates, the first nhuman of them human), and its metrics at generation 0: the
 * fixture of the kde tests. Fails the test on any error. */
#ifndef MC_TESTFIT_H
#define MC_TESTFIT_H

#include <stddef.h>
#include "collapse.h"
#include "families/gdata.h"

typedef struct tu_fitted {
    mc_experiment *e; /* prepared from the ini and overrides */
    const mc_point *p; /* its point 0, whose family fits */
    void *model;
    mc_gdata *ds;     /* the training set */
    double out[16];   /* the family's metrics of the fitted model */
} tu_fitted;

/* human_weight < 0: the unweighted fit. */
void tu_fit_on(tu_fitted *f, const char *ini, size_t d, const char *const *overrides,
               const double *x, size_t n, size_t nhuman, double human_weight);
void tu_fitted_free(tu_fitted *f);

#endif
