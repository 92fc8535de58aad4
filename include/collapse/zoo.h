/* zoo.h - the paper zoo: published toy results of model collapse, each reproduced by one
 * experiment and judged against the published or closed-form value (docs/ZOO.md).
 *
 * An entry is a built-in file presets/zoo/NAME.ini (compiled in, mc_zoo_presets): an ordinary
 * experiment, then a [zoo] section that the engine never sees:
 *
 *   [zoo]
 *   paper    = Shumailov et al. 2024, Nature 631 (arXiv 2305.17493)
 *   result   = Theorem 3.1 / Fig. 3: ...          (what of the paper is reproduced)
 *   setup    = one line
 *   compared = one line
 *   quick    = run.replicates=400                 (overrides of `make test`'s quick version)
 *   check_1  = trace_ratio at 100 | point 0 | = theory | z 4 | Thm 3.1: E sigma^2_g = ...
 *   check_2  = mean_error at 10 | point 1 | <= 1.6449 | z 4, rel 0.01 | Dey & Donoho 2024: pi^2/6
 *
 * A check compares the replicate mean of METRIC at generation G of grid point N ("ours", with
 * standard error SE = sd / sqrt(replicates)) -- or, written "METRIC q95 at G" (q05, q50, q95), a
 * quantile across replicates, which has no SE -- with an expected value: "theory" (the closed form
 * the family's theory slot gives, summary.csv's theory_mean) or a number from the paper. Its
 * verdict: for "=", PASS when |ours - expected| <= z SE + rel |expected|; for "<=" (a published
 * bound), PASS when ours - z SE - rel |expected| <= expected; ">=" likewise. z is the
 * significance in standard errors; rel (default 0) admits a stated bias of an approximate
 * closed form or of a value read off a figure. The quick version (fewer replicates) keeps z, so
 * its tolerance widens with its SE.
 */
#ifndef COLLAPSE_ZOO_H
#define COLLAPSE_ZOO_H

#include <stddef.h>
#include <stdio.h>
#include "config.h"
#include "experiment.h"
#include "presets.h"
#include "summary.h"

/* The entries, generated from the files presets/zoo/NAME.ini, sorted by name. */
extern const mc_preset mc_zoo_presets[];
extern const size_t mc_zoo_npresets;

typedef enum mc_zoo_op { MC_ZOO_EQUAL, MC_ZOO_AT_MOST, MC_ZOO_AT_LEAST } mc_zoo_op;

/* The statistic a check compares: the replicate mean (with its SE), or a quantile across
 * replicates (summary.csv's q05, q50, q95: no SE; compared as it is, within rel). */
enum { MC_ZOO_MEAN, MC_ZOO_Q05, MC_ZOO_Q50, MC_ZOO_Q95 };

typedef struct mc_zoo_check {
    char *metric;          /* a metric name of the point */
    int stat;              /* what of it: MC_ZOO_MEAN, or a quantile (MC_ZOO_Q05, _Q50, _Q95) */
    long generation;
    size_t point;          /* grid point index */
    mc_zoo_op op;
    int theory;            /* expected = the point's closed form */
    double value;          /* expected value when !theory */
    double z_max, rel;     /* tolerance */
    char *source;          /* where the expected value comes from */
    char *where;           /* "zoo NAME:LINE: [zoo] check_K", for messages */
    /* outcome, filled by mc_zoo_judge */
    int judged, pass;
    double expected, ours, se, z;
} mc_zoo_check;

typedef struct mc_zoo {
    char *name;            /* the entry */
    char *paper, *result, *setup, *compared, *quick;
    mc_zoo_check *checks;
    size_t nchecks;
    mc_config *config;     /* the experiment (taken by mc_experiment_prepare) */
} mc_zoo;

/* The entry called name, or NULL. */
const mc_preset *mc_zoo_lookup(const char *name);

/* Loads entry name: its [zoo] section (every key checked: MC_ECONFIG naming the line) and its
 * experiment with run.name = zoo-NAME, then, when quick, the entry's quick overrides, then the
 * caller's overrides[0..n). *out is the caller's (mc_zoo_free); hand (*out)->config to
 * mc_experiment_prepare and set it to NULL. MC_EUSAGE for an unknown name (with a
 * did-you-mean), MC_ECONFIG, MC_ENOMEM. */
int mc_zoo_load(const char *name, int quick, const char *const *overrides, size_t n,
                mc_zoo **out, mc_error *err);

/* The same for an entry given as text (p->name, p->text; a test's own entry). */
int mc_zoo_load_preset(const mc_preset *p, int quick, const char *const *overrides, size_t n,
                       mc_zoo **out, mc_error *err);

/* Checks that every check names a grid point, a metric and a generation of e, and that a
 * "theory" check has a closed form there. MC_ECONFIG naming the check otherwise. */
int mc_zoo_validate(const mc_zoo *z, const mc_experiment *e, mc_error *err);

/* Judges the checks about s's point (call it for every point's summary). A check that
 * mc_zoo_validate would refuse (no such metric or generation) is judged FAIL with NaN values. */
void mc_zoo_judge(mc_zoo *z, const mc_summary *s);

/* 1 when every check was judged and passed. */
int mc_zoo_passed(const mc_zoo *z);

/* Writes zoo.csv: a header line (when header) and one line per check: entry, paper, quantity,
 * point, generation, op, expected, source, ours, se, z, z_max, rel, verdict. */
void mc_zoo_csv(const mc_zoo *z, FILE *f, int header);

/* Writes zs[0..n)'s checks to path as CSV (one header), atomically (the file is complete or
 * absent). MC_OK or MC_EIO naming the file. */
int mc_zoo_write(const mc_zoo *const *zs, size_t n, const char *path, mc_error *err);

/* Prints the checks as a table for people: quantity, expected and its source, ours +- SE, z,
 * the tolerance, PASS/FAIL. */
void mc_zoo_print(const mc_zoo *z, FILE *f);

void mc_zoo_free(mc_zoo *z);

#endif
