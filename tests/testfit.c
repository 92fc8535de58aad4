/* testfit.c - a continuous family's model fitted on a hand-made training set (testfit.h). */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>
#include "testfit.h"
#include "testutil.h"
#include "collapse/rng.h"

void tu_fit_on(tu_fitted *f, const char *ini, size_t d, const char *const *overrides,
               const double *x, size_t n, size_t nhuman, double human_weight)
{
    mc_error err;
    f->e = tu_prepare(ini, overrides);
    f->p = &f->e->points[0];
    const mc_family_type *fam = f->p->family;
    assert_int_equal(mc_gdata_new(d, n, 0, &f->ds, &err), MC_OK);
    memcpy(f->ds->x, x, n * d * sizeof *x);
    for (size_t i = 0; i < nhuman; i++)
        f->ds->is_human[i] = 1;
    f->ds->human = nhuman;
    assert_int_equal(fam->model_alloc(f->p->params, f->p->world, &f->model, &err), MC_OK);
    mc_fit_opts o = {.human_weight = human_weight};
    assert_int_equal(fam->fit(f->model, f->p->params, f->ds, &o, &err), MC_OK);
    gsl_rng *r = mc_rng_alloc(7);
    mc_eval ev = {f->p, f->p->params, f->p->world, f->model, f->ds, 0};
    assert_int_equal(fam->metrics(r, &ev, f->out, &err), MC_OK);
    gsl_rng_free(r);
}

void tu_fitted_free(tu_fitted *f)
{
    f->p->family->model_free(f->model);
    mc_gdata_free(f->ds);
    mc_experiment_free(f->e);
}
