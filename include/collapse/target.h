/* target.h - targets on metrics: a small expression that says when a metric is good enough.
 *
 *   target := metric op rhs
 *   metric := NAME | NAME "(" SUBJECT ")"      alive(yellow) is the metric alive_yellow
 *   op     := ">=" | "<=" | ">" | "<"
 *   rhs    := NUMBER | NUMBER "*" "gen0" | "gen0" "*" NUMBER | "gen0"
 *
 * "gen0" is the metric's value at generation 0 (in `collapse need`: its replicate mean; in the
 * pipeline regime's regime.healthy: the replicate's own value). Examples: `alive(yellow) >= 0.95`,
 * `heldout_ppl <= 1.05 * gen0`, `trace_ratio >= 0.9`. Used by `collapse need` (need.h), the
 * pipeline regime (regime.healthy) and the presentation of a pipeline run.
 */
#ifndef COLLAPSE_TARGET_H
#define COLLAPSE_TARGET_H

#include "error.h"
#include "metric.h"

typedef enum mc_target_op { MC_TARGET_GE, MC_TARGET_LE, MC_TARGET_GT, MC_TARGET_LT } mc_target_op;

typedef struct mc_target {
    char metric[MC_METRIC_NAME_MAX]; /* the metric's name: alive(yellow) -> "alive_yellow" */
    mc_target_op op;
    double value;                    /* the number, or the factor of gen0 when relative */
    int relative;                    /* 1: the right side is value * (the metric at gen 0) */
    char text[200];                  /* the target as written, for messages */
} mc_target;

/* Parses a target. Returns MC_OK or MC_EUSAGE with a message that shows where it went wrong. */
int mc_target_parse(const char *text, mc_target *t, mc_error *err);

/* Index of the target's metric in l, or MC_ECONFIG with a message listing the metrics. */
long mc_target_find(const mc_target *t, const mc_metric_list *l, mc_error *err);

/* MC_OK, or MC_ECONFIG when no value of metric m can meet the target: m's role bounds it
 * (presence, share, human_share, alarm, damage: [0, 1]) and the threshold is out of that range
 * (`alive(yellow) >= 1.5`). Relative targets (gen0) and roles without known bounds pass. */
int mc_target_reachable(const mc_target *t, const mc_metric *m, mc_error *err);

/* Whether value x meets the target, given the metric's value gen0 at generation 0 (used only
 * when relative). NaN never meets. */
int mc_target_met(const mc_target *t, double x, double gen0);

/* "higher x helps" (1: >= and >), else 0. */
int mc_target_upward(const mc_target *t);

#endif
