/* rundir.h - a finished run directory read back into memory (private to src/plot/).
 *
 * The source of truth is summary.json (docs/OUTPUTS.md); points.csv supplies each point's axis
 * settings for short legend labels, and config.ini's text is kept for the report. Values "inf",
 * "-inf" and "nan" (JSON strings) become the doubles they name. Arrays are indexed by generation
 * 0..G.
 *
 * What a metric means (its role and unit) and what a point's regime declares (regime_declares)
 * come from summary.json; the presentation chooses by them, never by a metric's or a regime's
 * name. A run written before they were recorded (same format version, no "role", "unit" or
 * "regime_declares") is still read: a metric's role is then "presence" when it says
 * "presence": true, else "other", its unit "", and the regime declares nothing (legacy = 1), so
 * such a run gets the per-metric, shares-free and survival figures but none chosen by role.
 */
#ifndef COLLAPSE_PLOT_RUNDIR_H
#define COLLAPSE_PLOT_RUNDIR_H

#include <stddef.h>
#include "collapse/error.h"
#include "collapse/metric.h"

typedef struct mc_run_metric {
    char *name, *description, *subject; /* subject: the category, or "" */
    char *unit;                         /* "nats", "ratio", ... or "" (none) */
    mc_metric_role role;
    int direction;                      /* +1 higher is healthier, -1 lower, 0 neither */
    int presence, headline;
    /* [G + 1] each; n counts replicates with a value that is not NaN; skew is NaN throughout
     * for a run directory written before it was recorded */
    double *n, *mean, *sd, *q05, *q50, *q95, *theory, *skew;
} mc_run_metric;

typedef struct mc_run_extinction {
    char *category, *metric;
    long replicates;
    double alive_end;   /* fraction of replicates alive at generation G */
    double extinct;     /* fraction that went extinct at some generation */
    double first_mean, first_q05, first_q50, first_q95; /* first extinction generation, or NaN */
} mc_run_extinction;

/* What a point's regime declares (summary.json's regime_declares; include/collapse/regime.h). */
typedef struct mc_run_declares {
    int uses_h, uses_schedule, pool_grows, draws_whole, draws_subsampled;
    char *law;  /* the training-set law's name, or "" */
    int legacy; /* 1: the run predates regime_declares (everything above 0) */
} mc_run_declares;

typedef struct mc_run_point {
    size_t index;
    char *label;      /* points.csv's label ("regime.name=replace; sampling.temperature=0.9") */
    char *family, *regime;
    char *legend;     /* short text for legends and sentences ("replace, temperature=0.9") */
    mc_run_declares declares;
    mc_run_metric *metrics;
    size_t nmetrics;
    mc_run_extinction *extinction;
    size_t nextinction;
    char **param_keys, **param_values; /* summary.json's params ("section.key" -> value) */
    size_t nparams;
} mc_run_point;

typedef struct mc_run {
    char *dir;
    char *version, *generator, *name, *seed;
    long generations;  /* G */
    long replicates;   /* R */
    long metrics_every; /* metrics.every: metrics measured at 0, k, 2k, ... and G (1: every one) */
    char *config_ini;  /* the text of config.ini, or NULL when it is missing */
    char **axis_keys;  /* grid axes ("sampling.temperature") */
    size_t naxes;
    mc_run_point *points;
    size_t npoints;
} mc_run;

/* Reads the run in dir. *out is owned by the caller (mc_run_free). Errors: MC_EIO (dir or
 * summary.json unreadable), MC_EDATA (not a collapse run, incomplete, another format version,
 * malformed or inconsistent), MC_ENOMEM. */
int mc_run_read(const char *dir, mc_run **out, mc_error *err);
void mc_run_free(mc_run *run);

/* The metric called name at point p, or NULL. */
const mc_run_metric *mc_run_metric_find(const mc_run_point *p, const char *name);
/* The first metric of point p with this role (and subject, and unit, unless NULL), preferring
 * a headline one; NULL when there is none. */
const mc_run_metric *mc_run_metric_role(const mc_run_point *p, mc_metric_role role,
                                        const char *subject, const char *unit);
/* The point's metrics as a metric list (names, roles, subjects, directions, headline flags),
 * for the target grammar (collapse/target.h). Units and descriptions are borrowed from p: the
 * list must not outlive it. Free with mc_metric_list_free. Returns MC_OK or MC_ENOMEM. */
int mc_run_metric_list(const mc_run_point *p, mc_metric_list *out);
/* The extinction entry of point p about presence metric metric, or NULL. */
const mc_run_extinction *mc_run_extinction_find(const mc_run_point *p, const char *metric);
/* 1 when presence metric name is 1 (its mean over replicates) at every generation of every
 * point that has it. */
int mc_run_always_alive(const mc_run *run, const char *name);
/* The value of the point's setting "section.key" from summary.json's params, or NULL. */
const char *mc_run_point_param(const mc_run_point *p, const char *key);

/* The world's share of a named category: from the explicit weights "name=w, ..." of the
 * setting world.weights when it lists the category (returns 1, exact), else generation 0's mean
 * of the category's share metric (role share) averaged over points (returns 0: the fit to n_0 human samples estimates it
 * without bias), else NaN (returns -1). */
int mc_run_world_share(const mc_run *run, const char *category, double *share);

#endif
