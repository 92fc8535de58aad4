/* mpi_local.h - rank 0's own computing thread under MPI (private to src/run/; mpi_local.c).
 *
 * Rank 0 deals units to the other ranks from its main thread, the only one that calls MPI
 * (MPI_THREAD_FUNNELED); meanwhile this thread computes chunks of units too, one job at a time,
 * so that with N ranks all N compute. It makes no MPI call. */
#ifndef MC_RUN_MPI_LOCAL_H
#define MC_RUN_MPI_LOCAL_H

typedef void (*mc_local_job)(void *arg);

/* Starts the thread (once; later calls do nothing). MC_OK, or MC_ENOMEM when it could not be
 * started (rank 0 then only deals). */
int mc_local_start(void);
/* Whether the thread runs. */
int mc_local_started(void);
/* Hands the idle thread job(arg). */
void mc_local_post(mc_local_job job, void *arg);
/* 1 once the job posted last has finished (the thread is idle again), else 0. */
int mc_local_done(void);
/* Waits for the job in hand (if any), ends the thread and joins it. */
void mc_local_stop(void);

#endif
