/* testutil.h - helpers shared by the cmocka tests. */
#ifndef MC_TESTUTIL_H
#define MC_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "collapse.h"

/* Prepares an experiment from INI text plus overrides (NULL-terminated); fails the test on error. */
mc_experiment *tu_prepare(const char *ini, const char *const *overrides);
/* Same, but returns the status and fills err instead of failing. */
int tu_prepare_status(const char *ini, const char *const *overrides, mc_experiment **out,
                      mc_error *err);

/* Prepares ini + overrides expecting a failure with status `code` and a message that contains
 * needle (and needle2 unless NULL); fails the test, naming what it got, otherwise. */
void tu_expect_error(const char *ini, const char *const *overrides, int code, const char *needle,
                     const char *needle2);

/* Runs every replicate of point p (single-threaded) into a new array values[R][G+1][M]. */
double *tu_run_point(const mc_point *p);

/* Index of a metric by name at a point; fails the test when absent. */
size_t tu_metric(const mc_point *p, const char *name);

/* Mean over the replicates of metric m at generation g of values[R][G+1][M] (as tu_run_point
 * returns them), and its standard error sd / sqrt(R). */
void tu_mean_se(const mc_point *p, const double *v, size_t m, long g, double *mean, double *se);

/* Fails the test unless the replicate mean of the named metric at every generation of point p
 * (values as tu_run_point returns them) is within k SE (+ 1e-12 relative) of the family's closed
 * form, which must exist there; what names the case in the message. */
void tu_check_theory_every_generation(const mc_point *p, const double *v, const char *name,
                                      double k, const char *what);

/* Asserts |x - expected| <= k * se, printing both on failure. */
#define tu_assert_close(x, expected, se, k) \
    tu_assert_close_((x), (expected), (se), (k), #x, __FILE__, __LINE__)
void tu_assert_close_(double x, double expected, double se, double k, const char *what,
                      const char *file, int line);

/* The source tree (MC_SOURCE_DIR from the environment, else the one built from), and
 * SOURCE/tests/data/rel (static buffer, one at a time). */
const char *tu_source_dir(void);
const char *tu_data_path(const char *rel);

/* A temporary folder for this test (created; removed by the caller if it wishes). */
const char *tu_tmpdir(void);
/* Writes text to tu_tmpdir()/name and returns the path (static buffer, one at a time). */
const char *tu_write_file(const char *name, const char *text);

#endif
