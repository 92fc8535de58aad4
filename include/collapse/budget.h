/* budget.h - what an experiment will cost before it runs: memory with the threads that run its
 * units at once, and the size of the files it writes.
 *
 * mc_experiment_prepare checks each point alone (one replicate's data and rows must fit in
 * memory). What depends on how it is run is checked here, where the thread count and the output
 * folder are known: by mc_run_to_dir / mc_experiment_run (threads) and the CLI (output size).
 */
#ifndef COLLAPSE_BUDGET_H
#define COLLAPSE_BUDGET_H

#include "error.h"
#include "experiment.h"

/* Bytes one unit (one replicate of point p) holds while it runs: 3 x the family's bytes for its
 * biggest training set (the whole pool when the regime's pool grows) plus its result rows,
 * 8 (G + 1) M bytes. O(1) in G. */
double mc_point_unit_bytes(const mc_point *p);

/* Units run `threads` at a time (0: OpenMP's default): the `threads` most demanding units of the
 * experiment (fewer when it has fewer units) must fit in 0.8 of this machine's memory together.
 * MC_OK, or MC_ENOMEM with a message that names the point's regime.n and the largest thread
 * count that fits. */
int mc_experiment_check_threads(const mc_experiment *e, int threads, mc_error *err);

/* Estimated bytes of metrics.csv: every point's replicates x (G + 1) x metrics rows of about
 * MC_OUTPUT_ROW_BYTES bytes ("0,12,40,alive_yellow,0.25\n"). */
#define MC_OUTPUT_ROW_BYTES 30.0
double mc_experiment_output_bytes(const mc_experiment *e);

/* Bytes of the checkpoint a run keeps while it goes (DIR/.collapse.ckpt/: 8 bytes per value of
 * every point, whatever output.metrics says; removed at the end). */
#define MC_CHECKPOINT_VALUE_BYTES 8.0
double mc_experiment_checkpoint_bytes(const mc_experiment *e);

/* Bytes of the unit states a run keeps inside long units (DIR/.collapse.ckpt/unit-P-R.bin, for
 * points whose family and regime can save a unit: mc_unit_resumable), with in_flight units
 * running at once: each holds a state and its temporary successor, each at most the unit's
 * memory need (mc_point_unit_bytes); the largest such point counts. */
double mc_experiment_unit_state_bytes(const mc_experiment *e, int in_flight);

/* Above this estimate the CLI warns before it runs (the run goes on). */
#define MC_OUTPUT_WARN_BYTES 1e9

/* Refuses (MC_EIO) an experiment whose estimated output (metrics.csv, and the checkpoint and
 * unit states of `threads` units at once beside it while it runs; <= 0: OpenMP's default) does not fit in the free space of the file system of dir (or of its nearest
 * existing parent: dir may not exist yet). *bytes (may be NULL) gets the estimate. MC_OK when the
 * free space cannot be known. */
int mc_experiment_check_output(const mc_experiment *e, const char *dir, int threads,
                               double *bytes, mc_error *err);

#endif
