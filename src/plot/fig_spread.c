/* fig_spread.c - spread: for a family whose model has a spread relative to the world's (a
 * metric of role spread with unit "ratio": the variance ratio in 1-D, the trace ratio in d-D),
 * the world's density against the model's at a few generations, as far as the summary supports
 * it. The summary holds the ratio, not the fitted densities, so the model is drawn as the
 * Gaussian with the median ratio as its variance (in world standard deviations; in d-D a typical
 * coordinate), shifted by the median distance of its centre (the metric of role location,
 * ||mu_g - mu_0||^2) when the run is 1-D (world.dim = 1) and the world's sigma is known. Shape
 * (modes) and the direction of the shift are not in the summary; the caption says so. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "figset.h"

#define SPREAD_X 201
#define MAX_GENS 4

/* The spread metric of a point: role spread, unit "ratio" (a headline one first). */
static const mc_run_metric *spread_metric(const mc_run_point *pt)
{
    return mc_run_metric_role(pt, MC_ROLE_SPREAD, NULL, "ratio");
}

/* Lightens c towards white by t in [0, 1]. */
static mc_rgb lighten(mc_rgb c, double t)
{
    return (mc_rgb){c.r + (1 - c.r) * t, c.g + (1 - c.g) * t, c.b + (1 - c.b) * t};
}

/* How much lighter the k-th of ng generations is drawn: earlier ones lighter. */
static double fade(size_t k, size_t ng)
{
    return ng > 1 ? 0.7 * (1 - (double)k / (double)(ng - 1)) : 0;
}

static void normal_density(const double *x, double shift, double var, double *y)
{
    for (int i = 0; i < SPREAD_X; i++) {
        double z = x[i] - shift;
        y[i] = exp(-0.5 * z * z / var) / sqrt(2 * M_PI * var);
    }
}

/* The world's density and the model's at generations gens[0..ng) in panel p; raises *peak to
 * the highest model density and sets *shifted when a curve was moved by the location metric. */
static int spread_panel(mc_figure *f, int p, const mc_run_point *pt, const long *gens, size_t ng,
                        const double *x, double *peak, int *shifted)
{
    const char *dim = mc_run_point_param(pt, "world.dim");
    int one_d = dim && strcmp(dim, "1") == 0;
    mc_fig_panel *pan = &f->panels[p];
    snprintf(pan->title, sizeof pan->title, "%s", pt->legend);
    snprintf(pan->xlabel, sizeof pan->xlabel, "x, in world standard deviations%s",
             one_d ? "" : " (a typical coordinate)");
    snprintf(pan->ylabel, sizeof pan->ylabel, "density");
    pan->logy = 0;
    double y[SPREAD_X];
    normal_density(x, 0, 1, y);
    int st = mc_fig_add(f, p, MC_PLOT_THEORY, "world", (mc_rgb){0, 0, 0}, 0, SPREAD_X, x, y, NULL);
    const mc_run_metric *v = spread_metric(pt);
    const mc_run_metric *me = one_d ? mc_run_metric_role(pt, MC_ROLE_LOCATION, NULL, NULL) : NULL;
    const char *sig = one_d ? mc_run_point_param(pt, "world.sigma") : NULL;
    double sigma0 = sig ? strtod(sig, NULL) : NAN;
    for (size_t k = 0; st == MC_OK && v && k < ng; k++) {
        double var = v->q50[gens[k]], shift = 0;
        if (!(var > 0) || !isfinite(var))
            continue;
        if (me && sigma0 > 0 && me->q50[gens[k]] >= 0 && isfinite(me->q50[gens[k]])) {
            shift = sqrt(me->q50[gens[k]]) / sigma0;
            *shifted = 1;
        }
        normal_density(x, shift, var, y);
        *peak = fmax(*peak, 1 / sqrt(2 * M_PI * var));
        char name[64];
        snprintf(name, sizeof name, "g = %ld", gens[k]);
        st = mc_fig_add(f, p, MC_PLOT_LINE, name, lighten(mc_plot_point_color((size_t)p),
                                                          fade(k, ng)), 0, SPREAD_X, x, y, NULL);
    }
    return st;
}

static void spread_text(mc_figure *f, const mc_run *run, const char *vname, size_t ng,
                        int shifted, double peak)
{
    snprintf(f->title, sizeof f->title, "The model's spread against the world's, at %zu "
             "generations", ng);
    mc_fig_run_subtitle(run, "median variance ratio; lighter = earlier", f->subtitle,
                        sizeof f->subtitle);
    f->main = 1;
    snprintf(f->caption, sizeof f->caption,
             "What the summary supports: it holds the model's variance ratio (%s), not its fitted "
             "density, so each curve is the Gaussian with the median variance ratio of that "
             "generation%s, against the world's standard normal (dashed). Modes and the direction "
             "of any drift are not in the summary.%s",
             vname, shifted ? ", moved right by the median distance |mu_g - mu_0|" : ", centred",
             peak * 1.05 > 1.6 ? " Peaks above 1.6 are cut." : "");
}

int mc_fig_spread(const mc_run *run, mc_figset *out)
{
    const mc_run_metric *v0 = spread_metric(&run->points[0]);
    if (!v0)
        return MC_OK;
    long G = run->generations, gens[MAX_GENS];
    size_t ng = 0;
    for (int q = 0; q < MAX_GENS; q++) {
        long g = q == 0 ? 0 : q == 3 ? G : (long)llround((double)G * q / 4.0);
        if (ng == 0 || gens[ng - 1] != g)
            gens[ng++] = g;
    }
    int np = run->npoints < MC_FIG_MAX_PANELS ? (int)run->npoints : MC_FIG_MAX_PANELS;
    mc_figure *f = mc_fig_alloc("spread", np, np == 1 ? 1 : 2);
    if (!f)
        return MC_ENOMEM;
    double x[SPREAD_X], peak = 0.45;
    for (int i = 0; i < SPREAD_X; i++)
        x[i] = -5 + 10.0 * i / (SPREAD_X - 1);
    int st = MC_OK, shifted = 0;
    for (int p = 0; st == MC_OK && p < np; p++)
        st = spread_panel(f, p, &run->points[p], gens, ng, x, &peak, &shifted);
    for (int p = 0; p < np; p++) {
        f->panels[p].ymin = 0;
        f->panels[p].ymax = fmin(1.6, peak * 1.05);
    }
    for (size_t k = 0; st == MC_OK && k < ng; k++) {
        char name[64];
        snprintf(name, sizeof name, "g = %ld", gens[k]);
        st = mc_fig_legend(f, MC_PLOT_LINE, name, lighten((mc_rgb){0.2, 0.2, 0.2}, fade(k, ng)));
    }
    if (st == MC_OK)
        st = mc_fig_legend(f, MC_PLOT_THEORY, "world", (mc_rgb){0, 0, 0});
    spread_text(f, run, v0->name, ng, shifted, peak);
    return mc_figset_finish(out, f, st);
}
