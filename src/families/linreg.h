/* linreg.h - the linreg family's world and model (private to src/families/linreg.c and its test).
 * Shapes: d features, T design rows. */
#ifndef COLLAPSE_LINREG_H
#define COLLAPSE_LINREG_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>

typedef struct lworld {
    size_t d, T;
    double sigma;
    double *X;          /* (T, d) */
    double *wstar;      /* (d) */
    double *Xw;         /* (T) X w* */
    gsl_matrix *XtX;    /* (d, d) X^T X / T */
    double tr_inv;      /* tr (X^T X)^-1, NAN when singular */
} lworld;

typedef struct lmodel {
    size_t d, T;
    double sigma;
    const double *X;
    double *w;          /* (d) the estimate */
    double *Xw;         /* (T) X w, for sampling */
    gsl_matrix *cholb;  /* (d, d) Cholesky of X^T X / T + lambda I, for the balanced case */
    int cholb_ok;
    gsl_matrix *G;      /* (d, d) scratch: X^T C X + lambda I */
    gsl_matrix *chol;   /* (d, d) scratch: the factor of G */
    double *b;          /* (d) X^T C y */
    double *c, *s;      /* (T) total weight and weighted label sum of each design row */
    double *Y;          /* (T, d) scratch: rows sqrt(c_t) x_t */
    double ridge;       /* what a singular system needed; 0 when none */
} lmodel;

#endif
