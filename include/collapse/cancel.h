/* cancel.h - stopping a run from another thread or a signal handler (src/cancel.c).
 *
 * mc_cancel_request() raises one process-wide flag. Every unit of work checks it before each
 * generation; a unit that sees it stops with MC_ECANCELED ("canceled"), so mc_experiment_run,
 * mc_run_to_dir and mc_need_solve return MC_ECANCELED once the units in flight have finished
 * their generation, with no partial output left (run.h: no temporary file stays behind). The
 * flag stays raised until mc_cancel_clear(): clear it before the next run. Both are
 * async-signal-safe (a lock-free atomic int): the Python package (python/collapse) calls
 * mc_cancel_request on Ctrl-C. */
#ifndef COLLAPSE_CANCEL_H
#define COLLAPSE_CANCEL_H

void mc_cancel_request(void);
void mc_cancel_clear(void);
/* Whether a cancel was requested and not cleared. */
int mc_cancel_requested(void);

#endif
