/* mpi_local.c - rank 0's own computing thread under MPI (mpi_local.h): a thread that waits for
 * one job at a time under a mutex and a condition variable; the dealer polls mc_local_done
 * between its looks for MPI messages. */
#include <pthread.h>
#include "collapse.h"
#include "run/mpi_local.h"

static pthread_t thread;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int started, quit, finished;
static mc_local_job job;
static void *job_arg;

static void *loop(void *unused)
{
    (void)unused;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!job && !quit)
            pthread_cond_wait(&wake, &lock);
        if (!job)
            break;
        mc_local_job fn = job;
        void *arg = job_arg;
        pthread_mutex_unlock(&lock);
        fn(arg);
        pthread_mutex_lock(&lock);
        job = NULL;
        finished = 1;
        pthread_cond_broadcast(&wake);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int mc_local_start(void)
{
    if (started)
        return MC_OK;
    quit = 0;
    finished = 0;
    job = NULL;
    if (pthread_create(&thread, NULL, loop, NULL) != 0)
        return MC_ENOMEM;
    started = 1;
    return MC_OK;
}

int mc_local_started(void) { return started; }

void mc_local_post(mc_local_job fn, void *arg)
{
    pthread_mutex_lock(&lock);
    finished = 0;
    job_arg = arg;
    job = fn;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
}

int mc_local_done(void)
{
    pthread_mutex_lock(&lock);
    int done = finished;
    finished = 0;
    pthread_mutex_unlock(&lock);
    return done;
}

void mc_local_stop(void)
{
    if (!started)
        return;
    pthread_mutex_lock(&lock);
    while (job)
        pthread_cond_wait(&wake, &lock);
    quit = 1;
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&lock);
    pthread_join(thread, NULL);
    started = 0;
}
