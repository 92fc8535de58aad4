/* mpi.h - one `collapse run` spread over MPI ranks (docs/CLUSTER.md; src/run/mpi_dispatch.c).
 *
 * Rank 0 reads the configuration, sends it to the other ranks (mc_mpi_share_config), runs the
 * experiment into its folder as a single process would (lock, checkpoint, writer), but deals the
 * units (point, replicate) out to the other ranks in chunks, one chunk at a time to whichever
 * rank asks (mc_mpi_run: dynamic dealing, so points of unequal cost balance), gathers each
 * chunk's values into its point and hands finished points to the writer in point order. Ranks
 * 1..N-1 prepare the same experiment (mc_mpi_receive_config) and compute chunks with their
 * OpenMP threads until rank 0 says stop (mc_mpi_serve). Each unit's values depend only on (seed,
 * point, replicate), so the files are byte for byte the single-process run's for any number of
 * ranks and threads. Rank 0 computes too, on a thread of its own (src/run/mpi_local.c) beside
 * the thread that deals and writes: with N ranks, N compute. `collapse need`
 * deals out the replicates of each evaluation (one h) the same way (mc_mpi_units).
 *
 * MPI is used only when the program was started by an MPI launcher (mpirun, mpiexec, srun) and
 * built with -DCOLLAPSE_MPI=ON (the default when CMake finds MPI); otherwise mc_mpi_size() is 1
 * and everything runs in one process. */
#ifndef COLLAPSE_MPI_H
#define COLLAPSE_MPI_H

#include "config.h"
#include "experiment.h"

/* Starts MPI when launched by an MPI launcher (and built with it). Call it first in main. */
void mc_mpi_init(int *argc, char ***argv);
/* Ends MPI if it was started. */
void mc_mpi_finalize(void);
/* This process's rank (0 without MPI) and the number of ranks (1 without MPI). */
int mc_mpi_rank(void);
int mc_mpi_size(void);
/* Whether this build has MPI. */
int mc_mpi_built(void);

/* Rank 0: sends configuration c to the other ranks (NULL: there is nothing to run, they end).
 * After sending a configuration, rank 0 must call mc_mpi_run or mc_mpi_release. */
int mc_mpi_share_config(const mc_config *c, mc_error *err);
/* Ranks > 0: the configuration rank 0 sent (*c NULL: nothing to run). */
int mc_mpi_receive_config(mc_config **c, mc_error *err);
/* Ranks > 0: computes chunks of e's units with `threads` OpenMP threads (0: OpenMP's default)
 * until rank 0 says stop. e NULL: this rank could not prepare the experiment; failed (err) is
 * reported to rank 0, which stops the run with it. */
void mc_mpi_serve(mc_experiment *e, int threads, const mc_error *failed);
/* Rank 0: runs e's units on the other ranks, with mc_experiment_run's contract (on_point in
 * point order, on_progress, restore). */
int mc_mpi_run(const mc_experiment *e, const mc_run_opts *opts, mc_error *err);
/* Rank 0 (collapse need, with more than one rank): replicates 0..R-1 of point p at human
 * fraction h into values[R x (G + 1) x M], computed by the other ranks, which prepared the same
 * experiment (mc_mpi_share_config). MC_OK, or the first failure by replicate (*bad, or -1 when a
 * rank failed as a whole) with err filled. */
int mc_mpi_units(const mc_point *p, long R, double h, double *values, long *bad, mc_error *err);
/* Rank 0: tells every rank that still waits to stop (always call it at the end; a rank that
 * waits for a configuration is told there is nothing to run). */
void mc_mpi_release(void);

#endif
