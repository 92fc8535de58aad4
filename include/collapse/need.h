/* need.h - `collapse need`: the smallest fresh human fraction h that meets a target (target.h)
 * at generation G.
 *
 * mc_need_solve() evaluates the preset's first grid point under the fresh regime at several h,
 * each as a single-point experiment (point index 0, the same seed, so replicate r sees the same
 * random stream at every h: common random numbers), and bisects on the replicate mean of the
 * metric at generation G.
 */
#ifndef COLLAPSE_NEED_H
#define COLLAPSE_NEED_H

#include "experiment.h"
#include "target.h"

#define MC_NEED_TEXT 512 /* size of the lists of keys in a result */

typedef struct mc_need_opts {
    long generation;   /* G: the target is checked at this generation */
    double confidence; /* in (0,1): level of the interval for h (default 0.95) */
    double tolerance;  /* resolution of h: the bisection grid is 2^-D >= ... (default 1/1024) */
    int threads;       /* 0: OpenMP's default; results do not depend on it */
    /* optional: told of each new evaluation */
    void (*on_eval)(double h, double mean, double se, void *user);
    void *user;
    /* > 0: enough replicates for this half-width z se of the mean at h*: when the search with
     * run.replicates ends wider, it is rerun with more (replicate r keeps its stream, so the
     * first R are the same), up to max_replicates (default 10^5). 0: run.replicates as is. */
    double precision;
    long max_replicates;
    /* optional (mc_need_solve_grid): told before the search at each grid point, i of n */
    void (*on_point)(size_t i, size_t n, const char *label, void *user);
    /* the knob searched: NULL or "regime.h" (the fresh human fraction h, regime fresh),
     * "regime.detector_tpr" (the detector's TPR in [0,1], the configuration's regime and
     * detector_fpr), or "regime.candidates" (curation's K from 1 to the configuration's
     * regime.candidates, with its regime.select) */
    const char *over;
} mc_need_opts;

typedef struct mc_need_eval {
    double h;          /* the knob's value (h, a TPR or K) */
    double mean, se; /* replicate mean of the metric at G and its standard error */
    size_t n;        /* replicates with a value (not NaN) */
} mc_need_eval;

typedef struct mc_need_result {
    int feasible;      /* 0: not met even with h = 1 (the mean at h = 1 is evals' last) */
    double h;          /* smallest h on the grid whose replicate mean meets the target */
    double lo, hi;     /* interval for h at the stated confidence (see need.c) */
    double z;          /* the normal quantile used */
    double reference;  /* the metric's replicate mean at generation 0 (for relative targets) */
    double threshold;  /* the right-hand side the mean at G is compared with */
    long replicates;
    double step;       /* grid resolution of h */
    mc_need_eval *evals; /* every h evaluated, ascending h */
    size_t nevals;
    char fixed[MC_NEED_TEXT];   /* grid axes fixed to their first value, "sampling.temperature=1.0" */
    char dropped[MC_NEED_TEXT]; /* keys of other regimes left out (fresh is searched), "regime.lag" */
    double halfwidth;  /* z se of the mean at h* */
    char over[32];     /* the knob searched ("regime.h", ...); h, lo, hi, step are its values */
    char regime[32];   /* the regime searched with */
} mc_need_result;

/* Finds the smallest fresh fraction h meeting t at generation o->generation for configuration c
 * (takes ownership of c in all cases). regime.name is set to fresh and run.generations to G;
 * the keys of other regimes (a pipeline preset's workforce, ...) are left out (out->dropped);
 * other grid axes are fixed at their first value (listed in out->fixed). On success out holds
 * the answer; free it with mc_need_result_free(). Returns MC_OK, MC_ECONFIG (a bad target
 * metric, a schedule), or what preparing or running the experiment returned. */
int mc_need_solve(mc_config *c, const mc_target *t, const mc_need_opts *o, mc_need_result *out,
                  mc_error *err);
void mc_need_result_free(mc_need_result *r);

/* One search per grid point. */
typedef struct mc_need_grid_point {
    char *label;           /* the point's label ("sampling.temperature=0.9"; "" for one point) */
    char **values;         /* values[a]: its value of axis a ("0.9"), naxes of them */
    mc_need_result result; /* its answer (fixed is empty: nothing is fixed) */
} mc_need_grid_point;

typedef struct mc_need_grid {
    mc_need_grid_point *points; /* in the grid's point order */
    size_t npoints;
    char **axes;                /* the grid axes left once the regime is set, "sampling.temperature" */
    size_t naxes;
    char dropped[MC_NEED_TEXT]; /* keys of other regimes left out, as in mc_need_result */
} mc_need_grid;

/* As mc_need_solve, but with the grid axes the configuration leaves (once regime.name is fresh
 * and h is searched) kept: the search runs at every grid point, each with its own streams
 * (point i, replicate r: mc_stream_key(seed, i, r), the same at every h of that point). A grid
 * of one point gives mc_need_solve's answer. Takes ownership of c; on success free out with
 * mc_need_grid_free(). The first failure's status, its message naming the point. */
int mc_need_solve_grid(mc_config *c, const mc_target *t, const mc_need_opts *o, mc_need_grid *out,
                       mc_error *err);
void mc_need_grid_free(mc_need_grid *g);

/* Writes need.csv and need.json (the target, the
 * options, and per point the answer, its interval and every evaluation) into folder dir
 * (created with its parents; NULL: a new folder results/NAME-need-YYYYmmdd-HHMMSS; the folder
 * used is copied into written, of size bytes), under the folder's lock (run.h: mc_run_lock),
 * each file under a temporary name renamed into place when complete. A folder that already
 * holds need.csv or need.json is refused (MC_EUSAGE) unless force (then they are replaced); a
 * run's files beside them are fine. need.csv has one row per grid point: point, one column per axis, h, lo, hi (the
 * interval), feasible, mean and se at h, replicates, evaluations. source names the
 * configuration ("cats"). MC_OK, MC_EUSAGE, MC_EIO, MC_ENOMEM. */
int mc_need_write(const char *dir, int force, const char *source, const mc_target *t,
                  const mc_need_opts *o, const mc_need_grid *g, char *written, size_t size,
                  mc_error *err);

#endif
