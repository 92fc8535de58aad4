/* bind.h - flat entry points for language bindings (the Python package, python/collapse): text
 * in, files out, errors as text. No structure of the library crosses the boundary, so a binding
 * declares a few functions of plain C types and reads the run folder's files (docs/OUTPUTS.md)
 * with its own CSV and JSON readers. src/bind.c.
 *
 * Common arguments: source is a preset name or an INI file (NULL: the default preset);
 * overrides[0..n) are "section.key=value"; threads 0 is OpenMP's default; force as run.h;
 * the folder written goes into dir_out (dir_size bytes); on failure msg (msg_size bytes) holds
 * the library's message and the status is returned (error.h). Each call clears the cancel flag
 * (cancel.h) first: mc_cancel_request() from another thread or a signal handler stops it with
 * MC_ECANCELED. */
#ifndef COLLAPSE_BIND_H
#define COLLAPSE_BIND_H

#include <stddef.h>

/* `collapse run`: the experiment into dir (NULL: results/NAME-STAMP), then the figures and
 * report.html when plots (and the library was built with cairo). */
int mc_bind_run(const char *source, const char *const *overrides, size_t n, const char *dir,
                int threads, int force, int plots, char *dir_out, size_t dir_size, char *msg,
                size_t msg_size);

/* `collapse need`: the search at every grid point (need.h), need.csv and need.json into dir
 * (NULL: results/NAME-need-STAMP). confidence, tolerance, precision: 0 for the defaults. */
int mc_bind_need(const char *source, const char *const *overrides, size_t n, const char *target,
                 long generation, double confidence, double tolerance, double precision,
                 const char *dir, int threads, int force, char *dir_out, size_t dir_size,
                 char *msg, size_t msg_size);

/* `collapse theory` as data: the file path gets the CSV "point,setting,metric,generation,
 * theory_mean", one row per point, metric with a closed form and generation 0..G (summary.csv's
 * theory_mean column, without running). Metrics with no closed form are left out. */
int mc_bind_theory(const char *source, const char *const *overrides, size_t n, const char *path,
                   char *msg, size_t msg_size);

/* `collapse config`: the resolved configuration, as config.ini of a run would hold it, into
 * the file path. */
int mc_bind_config(const char *source, const char *const *overrides, size_t n, const char *path,
                   char *msg, size_t msg_size);

#endif
