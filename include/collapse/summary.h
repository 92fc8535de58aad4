/* summary.h - statistics across replicates, per point, generation and metric.
 *
 * For each (generation, metric): n (replicates with a value that is not NaN), mean, sd (sample,
 * n - 1), and the 5/50/95 % quantiles (linear interpolation between order statistics, type 7 of
 * Hyndman & Fan 1996, numpy's default). Infinite values are summarised honestly: a mean over values
 * that include +inf is +inf and its sd is NaN; quantiles still work.
 *
 * For presence metrics (role MC_ROLE_PRESENCE): per replicate, the first generation at which the
 * indicator is 0 (the extinction generation; censored when it never happens) and whether it is 1
 * at the last generation.
 */
#ifndef COLLAPSE_SUMMARY_H
#define COLLAPSE_SUMMARY_H

#include <stddef.h>
#include "experiment.h"

typedef struct mc_stat {
    size_t n;
    double mean, sd, q05, q50, q95;
    double skew; /* sample skewness G1 (adjusted Fisher-Pearson); NaN when n < 3, sd = 0 or a value
                    is infinite */
} mc_stat;

/* Computes the statistics of x[0..len), NaNs ignored. Sorts x in place. */
void mc_stat_compute(double *x, size_t len, mc_stat *out);

/* Quantile of sorted data (type 7), p in [0,1]; handles +-inf without producing NaN. */
double mc_quantile_sorted(const double *sorted, size_t n, double p);

typedef struct mc_presence {
    size_t metric;          /* index in the point's metric list */
    long replicates;
    long alive_end;         /* replicates with the indicator 1 at generation G */
    long extinct;           /* replicates where it was 0 at some generation */
    mc_stat first_extinct;  /* over the replicates that went extinct */
    long *first;            /* per replicate: first generation with 0, or -1 (never) */
} mc_presence;

typedef struct mc_summary {
    const mc_point *point;
    long generations;       /* G */
    size_t nmetrics;        /* M */
    mc_stat *stats;         /* [(G + 1) * M] */
    double *theory;         /* [(G + 1) * M], NaN where no closed form */
    mc_presence *presence;
    size_t npresence;
} mc_summary;

/* Summarises one finished point. *out is owned by the caller (mc_summary_free). */
int mc_summary_compute(const mc_point_result *res, mc_summary **out, mc_error *err);
void mc_summary_free(mc_summary *s);

/* The text every output file and the CLI table use for a value: "%.6g", "inf", "-inf", "nan".
 * buf must hold at least 32 bytes. */
const char *mc_format_value(double v, char *buf);
/* Exact: the shortest text that reads back to the same double (0.008, not
 * 0.0080000000000000002; at most 17 digits), "inf", "-inf", "nan". */
const char *mc_format_exact(double v, char *buf);

#endif
