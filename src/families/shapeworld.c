/* shapeworld.c - two moons, two circles and the swiss roll as worlds (contracts in shapeworld.h).
 *
 * The rows follow scikit-learn's generators (sklearn/datasets/_samples_generator.py, version
 * 1.2): the same points in law, drawn from this library's generator. The limit moments are
 * integrals along the curves, computed by the midpoint rule on QUAD points per curve (the
 * integrands are trigonometric polynomials in t, or t cos t and t sin t, smooth: the rule's error
 * is below 1e-9 relative).
 */
#include "shapeworld.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include "gdata.h"

#define QUAD 65536
#define TAIL_DRAWS 100000

size_t shapeworld_dim(const mc_shape_params *s)
{
    return s->kind == MC_SHAPE_SWISS_ROLL ? 3 : 2;
}

/* Noiseless point i of a moons or circles design of n rows (the two parts in order, outer first)
 * into p (2). */
static void design_point(const mc_shape_params *s, uint64_t n, uint64_t i, double *p)
{
    uint64_t nout = n / 2, nin = n - nout, inner = i >= nout, m = inner ? nin : nout;
    uint64_t k = inner ? i - nout : i;
    if (s->kind == MC_SHAPE_MOONS) { /* linspace(0, pi, m), end point included */
        double t = m > 1 ? M_PI * (double)k / (double)(m - 1) : 0.0;
        p[0] = inner ? 1.0 - cos(t) : cos(t);
        p[1] = inner ? 0.5 - sin(t) : sin(t);
    } else { /* linspace(0, 2 pi, m, endpoint = False) */
        double t = 2.0 * M_PI * (double)k / (double)m, r = inner ? s->factor : 1.0;
        p[0] = r * cos(t);
        p[1] = r * sin(t);
    }
}

/* A point of the limit law: curve parameter u in [0, 1) on part `inner` (moons, circles), or the
 * swiss roll's t-part at u with y = 0. */
static void limit_point(const mc_shape_params *s, int inner, double u, double *p)
{
    if (s->kind == MC_SHAPE_SWISS_ROLL) {
        double t = 1.5 * M_PI * (1.0 + 2.0 * u);
        p[0] = t * cos(t);
        p[1] = 0.0;
        p[2] = t * sin(t);
    } else if (s->kind == MC_SHAPE_MOONS) {
        double t = M_PI * u;
        p[0] = inner ? 1.0 - cos(t) : cos(t);
        p[1] = inner ? 0.5 - sin(t) : sin(t);
    } else {
        double t = 2.0 * M_PI * u, r = inner ? s->factor : 1.0;
        p[0] = r * cos(t);
        p[1] = r * sin(t);
    }
}

/* mu_0 (d) and Sigma_0 (d, d) of the limit law plus the noise. */
static void limit_moments(const mc_shape_params *s, size_t d, double *mu, double *cov)
{
    int parts = s->kind == MC_SHAPE_SWISS_ROLL ? 1 : 2;
    double m2[9] = {0}, p[3];
    memset(mu, 0, d * sizeof *mu);
    for (int part = 0; part < parts; part++)
        for (size_t q = 0; q < QUAD; q++) {
            limit_point(s, part, ((double)q + 0.5) / QUAD, p);
            double wq = 1.0 / ((double)QUAD * parts);
            for (size_t a = 0; a < d; a++) {
                mu[a] += wq * p[a];
                for (size_t b = 0; b < d; b++)
                    m2[a * d + b] += wq * p[a] * p[b];
            }
        }
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            cov[a * d + b] = m2[a * d + b] - mu[a] * mu[b] + (a == b ? s->noise * s->noise : 0);
    if (s->kind == MC_SHAPE_SWISS_ROLL) { /* y = 21 V, independent of t */
        mu[1] = 10.5;
        cov[1 * d + 1] += 21.0 * 21.0 / 12.0;
    }
}

void shapeworld_rows(gsl_rng *r, const mc_shape_params *s, uint64_t n, double *x)
{
    size_t d = shapeworld_dim(s);
    if (s->kind == MC_SHAPE_SWISS_ROLL) {
        for (uint64_t i = 0; i < n; i++) {
            double t = 1.5 * M_PI * (1.0 + 2.0 * gsl_rng_uniform(r)), *p = x + i * d;
            p[1] = 21.0 * gsl_rng_uniform(r);
            p[0] = t * cos(t);
            p[2] = t * sin(t);
        }
    } else {
        for (uint64_t i = 0; i < n; i++)
            design_point(s, n, i, x + i * d);
        if (n > 1)
            gsl_ran_shuffle(r, x, n, d * sizeof *x);
    }
    if (s->noise > 0)
        for (uint64_t i = 0; i < n * d; i++)
            x[i] += gsl_ran_gaussian_ziggurat(r, s->noise);
}

int shapeworld_draw(gsl_rng *r, const mc_shape_params *s, size_t d, uint64_t n, void **out,
                    mc_error *err)
{
    mc_gdata *ds;
    int rc = mc_gdata_new(d, n, 1, &ds, err);
    if (rc == MC_OK) {
        shapeworld_rows(r, s, n, ds->x);
        *out = ds;
    }
    return rc;
}

void shapeworld_draw_moments(const mc_shape_params *s, size_t d, uint64_t n, const double *mu0,
                             double trace, double *SS, double *M)
{
    double nd = (double)n, v = s->noise * s->noise * (double)d;
    if (s->kind == MC_SHAPE_SWISS_ROLL || n == 0) {
        *SS = (nd - 1.0) * trace;
        *M = n ? trace / nd : NAN;
        return;
    }
    double mean[2] = {0, 0}, p[2], ss = 0, m = 0;
    for (uint64_t i = 0; i < n; i++) {
        design_point(s, n, i, p);
        mean[0] += p[0] / nd;
        mean[1] += p[1] / nd;
    }
    for (uint64_t i = 0; i < n; i++) {
        design_point(s, n, i, p);
        ss += (p[0] - mean[0]) * (p[0] - mean[0]) + (p[1] - mean[1]) * (p[1] - mean[1]);
    }
    for (size_t a = 0; a < 2; a++)
        m += (mean[a] - mu0[a]) * (mean[a] - mu0[a]);
    *SS = ss + (nd - 1.0) * v;
    *M = m + v / nd;
}

/* The keys a shape world replaces: set, they are refused with their line. */
static int refuse_mixture_keys(const mc_gworld_params *gp, const mc_point *pt, size_t d,
                               mc_error *err)
{
    const char *keys[] = {"mean", "means", "cov", "weights", "sds"};
    const char *vals[] = {gp->mean, gp->means, gp->cov, gp->weights, gp->sds};
    char where[256];
    for (int i = 0; i < 5; i++)
        if (vals[i])
            return mc_error_set(err, MC_ECONFIG, "%s: a world.shape world takes no world.%s",
                                mc_point_where(pt, "world", keys[i], where, sizeof where),
                                keys[i]);
    if (gp->dim != 0 && (size_t)gp->dim != d)
        return mc_error_set(err, MC_ECONFIG, "%s: this world.shape has %zu dimensions, not %ld",
                            mc_point_where(pt, "world", "dim", where, sizeof where), d, gp->dim);
    return MC_OK;
}

/* The world's 99th percentile of the squared Mahalanobis distance, from TAIL_DRAWS rows. */
static int tail_radius(mixworld *w, const mc_shape_params *s, gsl_rng *r, mc_error *err)
{
    size_t d = w->base.d;
    double *x = malloc(TAIL_DRAWS * (d + 1) * sizeof *x), work[3];
    if (!x)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world's tail");
    double *d2 = x + TAIL_DRAWS * d;
    shapeworld_rows(r, s, TAIL_DRAWS, x);
    for (size_t i = 0; i < TAIL_DRAWS; i++)
        d2[i] = mc_gauss_maha2(w->base.overall, x + i * d, work);
    gsl_sort(d2, 1, TAIL_DRAWS);
    w->tail_r2 = gsl_stats_quantile_from_sorted_data(d2, 1, TAIL_DRAWS, 0.99);
    free(x);
    return MC_OK;
}

static int build(mixworld *w, const mc_shape_params *s, const mc_gworld_params *gp,
                 const mc_point *pt, gsl_rng *r, mc_error *err)
{
    size_t d = w->base.d = shapeworld_dim(s);
    int rc = refuse_mixture_keys(gp, pt, d, err);
    if (rc == MC_OK)
        rc = mc_gauss_alloc(d, &w->base.overall, err);
    if (rc != MC_OK)
        return rc;
    limit_moments(s, d, w->base.overall->mu, w->base.overall->cov->data);
    if ((rc = mc_gauss_factor(w->base.overall, 0, 1, "the shape world's covariance", err)))
        return rc;
    w->base.trace = mc_trace(w->base.overall->cov);
    w->base.nheld = (size_t)gp->holdout;
    if (!(w->base.held = malloc(w->base.nheld * d * sizeof(double))))
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world's held-out set");
    shapeworld_rows(r, s, w->base.nheld, w->base.held);
    if ((rc = mixworld_slice_directions(w, r, err)))
        return rc;
    return tail_radius(w, s, r, err);
}

int shapeworld_create(const mc_shape_params *s, const mc_gworld_params *gp, const mc_point *pt,
                      gsl_rng *r, mixworld **out, mc_error *err)
{
    *out = NULL;
    mixworld *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the world");
    int rc = build(w, s, gp, pt, r, err);
    if (rc != MC_OK) {
        mixworld_free(w);
        return rc;
    }
    *out = w;
    return MC_OK;
}
