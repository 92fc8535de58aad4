/* mpi_dispatch.c - one run over MPI ranks: rank 0 deals chunks of units and gathers them, the
 * other ranks compute (include/collapse/mpi.h; docs/CLUSTER.md).
 *
 * Messages (all with rank 0): a worker sends a header (TAG_HDR): READY (with its thread count)
 * once, then RESULT for each chunk (its point, replicates [r0, r1), status and message), followed
 * when the status is MC_OK by the chunk's values (TAG_VALUES, doubles); or FAIL once, when it
 * could not prepare the experiment. Rank 0 owes every header one answer: WORK (TAG_WORK: point,
 * r0, r1 and the h to use, NaN for the point's own), or STOP (point -1), after which the worker
 * ends. Between dealings (collapse need evaluates one h after another) a worker whose header is
 * not yet answered is idle; mc_mpi_release answers every worker with STOP. So every worker has
 * at most one chunk out, and no worker is left waiting.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collapse.h"
#include "run/checkpoint.h"
#include "run/mpi_local.h"

#ifdef MC_HAVE_MPI
#include <mpi.h>
#include <omp.h>

enum { TAG_HDR = 1, TAG_VALUES = 2, TAG_WORK = 3, TAG_CONFIG = 4, TAG_STORE = 5 };

/* TAG_STORE (rank 0 to every worker, before a run's first WORK): the run folder whose
 * checkpoint keeps the units' states (checkpoints inside units, run/checkpoint.h), and the
 * least seconds between two saves of a unit; dir empty: none. */
typedef struct store_msg {
    double seconds;
    char dir[4096];
} store_msg;
enum { MSG_READY, MSG_RESULT, MSG_FAIL };

typedef struct hdr {
    int64_t kind, point, r0, r1, status, threads, bad; /* bad: the failing replicate */
    double seconds; /* RESULT: the chunk's computing time */
    char msg[MC_ERROR_MAX];
} hdr;

/* rank 0: seconds per unit and thread, the recent chunks' average (0 before the first) */
static double unit_seconds;

static int started, rank, size;
/* rank 0: whether a configuration went out (else release sends "nothing to run"), how many
 * workers have not reported READY or FAIL yet, and the idle workers, owed an answer */
static int shared, unheard, nidle, *idle, *nthreads; /* nthreads: each worker's, by rank */
/* rank 0: the workers that could not prepare: never dealt to, stopped at the end */
static int nfailed, *failed;

/* MPI_Recv that sleeps while it waits (MPICH's blocking receive spins a core at 100 %, which on
 * a shared node takes a core from the OpenMP threads): polls for about 20 us, then sleeps
 * between polls with a back-off from 10 us to 100 us, so a message waits at most about 0.1 ms
 * longer. */
static void recv_politely(void *buf, int count, MPI_Datatype type, int src, int tag,
                          MPI_Status *status)
{
    MPI_Request req;
    MPI_Irecv(buf, count, type, src, tag, MPI_COMM_WORLD, &req);
    double spin_until = MPI_Wtime() + 20e-6;
    long ns = 10000;
    for (int done = 0;;) {
        MPI_Test(&req, &done, status);
        if (done)
            return;
        if (MPI_Wtime() < spin_until)
            continue;
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
        ns = ns < 100000 ? ns * 2 : 100000;
    }
}

/* The tag of the next message from rank 0 (any tag), waiting as politely as recv_politely. */
static int next_tag(void)
{
    double spin_until = MPI_Wtime() + 20e-6;
    long ns = 10000;
    for (int flag = 0;;) {
        MPI_Status st;
        MPI_Iprobe(0, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &st);
        if (flag)
            return st.MPI_TAG;
        if (MPI_Wtime() < spin_until)
            continue;
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
        ns = ns < 100000 ? ns * 2 : 100000;
    }
}

/* Launched by an MPI launcher: MPICH/Hydra (PMI_*), Open MPI (OMPI_*), PMIx, Slurm's srun. */
static int launched(void)
{
    static const char *const vars[] = {"PMI_RANK", "PMI_SIZE", "OMPI_COMM_WORLD_SIZE",
                                       "PMIX_RANK", "MPI_LOCALNRANKS"};
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++)
        if (getenv(vars[i]))
            return 1;
    return 0;
}

void mc_mpi_init(int *argc, char ***argv)
{
    if (started || !launched())
        return;
    int provided;
    MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    started = 1;
}

void mc_mpi_finalize(void)
{
    if (started)
        MPI_Finalize();
    started = 0;
}

int mc_mpi_rank(void) { return started ? rank : 0; }
int mc_mpi_size(void) { return started ? size : 1; }
int mc_mpi_built(void) { return 1; }

/* The configuration as text: its base folder, a line break, then the entries in order. */
static char *config_text(const mc_config *c, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f)
        return NULL;
    fprintf(f, "%s\n", c->base_dir ? c->base_dir : ".");
    int r = mc_config_write_ordered(c, f);
    if (fclose(f) != 0 || r != MC_OK) {
        free(text);
        return NULL;
    }
    return text;
}

int mc_mpi_share_config(const mc_config *c, mc_error *err)
{
    if (mc_mpi_size() < 2)
        return MC_OK;
    size_t len = 0;
    char *text = c ? config_text(c, &len) : NULL;
    int64_t n = text ? (int64_t)len + 1 : 0;
    MPI_Bcast(&n, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    if (n)
        MPI_Bcast(text, (int)n, MPI_CHAR, 0, MPI_COMM_WORLD);
    free(text);
    shared = 1;
    unheard = n ? size - 1 : 0;
    nidle = 0;
    free(idle);
    free(nthreads);
    free(failed);
    nfailed = 0;
    idle = n ? calloc((size_t)size, sizeof *idle) : NULL;
    nthreads = n ? calloc((size_t)size, sizeof *nthreads) : NULL;
    failed = n ? calloc((size_t)size, sizeof *failed) : NULL;
    if (n && (!idle || !nthreads || !failed))
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    if (n && mc_local_start() == MC_OK) { /* rank 0 computes too (else it only deals) */
        idle[nidle++] = 0;
        nthreads[0] = omp_get_max_threads();
    }
    if (c && !n)
        return mc_error_set(err, MC_ENOMEM, "out of memory for the configuration's text");
    return MC_OK;
}

int mc_mpi_receive_config(mc_config **out, mc_error *err)
{
    *out = NULL;
    int64_t n = 0;
    MPI_Bcast(&n, 1, MPI_INT64_T, 0, MPI_COMM_WORLD);
    if (!n)
        return MC_OK;
    char *text = malloc((size_t)n);
    if (!text)
        return mc_error_set(err, MC_ENOMEM, "out of memory"); /* MPI aborts the job below */
    MPI_Bcast(text, (int)n, MPI_CHAR, 0, MPI_COMM_WORLD);
    char *nl = strchr(text, '\n');
    mc_config *c = mc_config_alloc();
    int r = c && nl ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    if (r == MC_OK) {
        *nl = '\0';
        free(c->base_dir);
        c->base_dir = strdup(text);
        r = mc_config_read_string(c, nl + 1, "rank 0's configuration", err);
    }
    free(text);
    if (r != MC_OK) {
        mc_config_free(c);
        return r;
    }
    *out = c;
    return MC_OK;
}

/* ---- ranks > 0: computing chunks ------------------------------------------------------- */

static size_t point_rows(const mc_point *p)
{
    return (size_t)(p->run.generations + 1) * p->metrics.n;
}

/* Replicates [r0, r1) of point p into values, with the threads; the first failure (in replicate
 * order) into h. */
/* ranks > 0: the units' state store rank 0 named (TAG_STORE), or none */
static mc_ckpt *worker_ckpt;
static mc_unit_store worker_store;
static const mc_unit_store *worker_units;

/* A TAG_STORE message: the checkpoint in the run folder it names, opened for e's units. */
static void take_store(const mc_experiment *e)
{
    store_msg m;
    MPI_Recv(&m, (int)sizeof m, MPI_BYTE, 0, TAG_STORE, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    mc_ckpt_free(worker_ckpt);
    worker_ckpt = NULL;
    worker_units = NULL;
    mc_error err;
    m.dir[sizeof m.dir - 1] = '\0';
    if (e && *m.dir && mc_ckpt_attach(m.dir, e, &worker_ckpt, &err) == MC_OK) {
        mc_ckpt_unit_store(worker_ckpt, m.seconds, &worker_store);
        worker_units = &worker_store;
    } /* (out of memory: the units run without saving, as they may) */
}

static void compute_chunk(const mc_point *p, long r0, long r1, int threads, double *values, hdr *h,
                          const mc_unit_store *units)
{
    size_t rows = point_rows(p);
    long n = r1 - r0, bad = n;
    mc_error *errs = calloc((size_t)n, sizeof *errs);
    int *st = calloc((size_t)n, sizeof *st);
    if (!errs || !st) {
        h->status = MC_ENOMEM;
        h->bad = r0;
        snprintf(h->msg, sizeof h->msg, "out of memory for a chunk of %ld units", n);
        free(errs);
        free(st);
        return;
    }
#pragma omp parallel for schedule(dynamic, 1) num_threads(threads)
    for (long i = 0; i < n; i++)
        st[i] = mc_unit_run_stored(p, r0 + i, values + (size_t)i * rows, units, &errs[i]);
    for (long i = 0; i < n && bad == n; i++)
        if (st[i] != MC_OK)
            bad = i;
    h->status = bad < n ? st[bad] : MC_OK;
    if (bad < n) {
        h->bad = r0 + bad;
        snprintf(h->msg, sizeof h->msg, "%s", errs[bad].msg);
    }
    free(errs);
    free(st);
}

static void send_hdr(hdr *h)
{
    MPI_Send(h, (int)sizeof *h, MPI_BYTE, 0, TAG_HDR, MPI_COMM_WORLD);
}

/* One chunk (work: point, r0, r1, h) computed and sent back; *values grows as needed. */
static void serve_chunk(mc_experiment *e, const double work[4], int threads, double **values)
{
    mc_point *p = &e->points[(size_t)work[0]];
    if (!isnan(work[3]))
        p->regime_settings.h = work[3]; /* collapse need's h */
    size_t count = (size_t)(work[2] - work[1]) * point_rows(p);
    double *v = realloc(*values, (count ? count : 1) * sizeof *v);
    hdr h;
    memset(&h, 0, sizeof h);
    h.kind = MSG_RESULT;
    h.point = (int64_t)work[0];
    h.r0 = (int64_t)work[1];
    h.r1 = (int64_t)work[2];
    if (v) {
        *values = v;
        double t0 = omp_get_wtime();
        compute_chunk(p, (long)work[1], (long)work[2], threads, v, &h, worker_units);
        h.seconds = omp_get_wtime() - t0;
    } else {
        h.status = MC_ENOMEM;
        h.bad = h.r0;
        snprintf(h.msg, sizeof h.msg, "out of memory for a chunk's results");
    }
    send_hdr(&h);
    if (h.status == MC_OK)
        MPI_Send(*values, (int)count, MPI_DOUBLE, 0, TAG_VALUES, MPI_COMM_WORLD);
}

void mc_mpi_serve(mc_experiment *e, int threads, const mc_error *failed)
{
    hdr h;
    memset(&h, 0, sizeof h);
    h.kind = e ? MSG_READY : MSG_FAIL;
    h.threads = threads > 0 ? threads : omp_get_max_threads();
    h.status = e ? MC_OK : (failed && failed->code ? failed->code : MC_EIO);
    if (!e && failed)
        snprintf(h.msg, sizeof h.msg, "%s", failed->msg);
    send_hdr(&h);
    double *values = NULL;
    for (;;) {
        if (next_tag() == TAG_STORE) {
            take_store(e);
            continue;
        }
        double work[4]; /* point, r0, r1 (whole numbers), h */
        MPI_Recv(work, 4, MPI_DOUBLE, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (work[0] < 0 || !e)
            break;
        serve_chunk(e, work, (int)h.threads, &values);
    }
    free(values);
    mc_ckpt_free(worker_ckpt);
    worker_ckpt = NULL;
    worker_units = NULL;
}

/* ---- rank 0: dealing ------------------------------------------------------------------- */

/* What is dealt: next() gives the next chunk (point, r0, r1, h) for a worker with that many
 * threads, or 0 when there is none (all dealt, or a failure); take() receives a chunk's values
 * from the worker that computed it, or records its failure. */
typedef struct source {
    int (*next)(void *self, int threads, double work[4]);
    void (*take)(void *self, const hdr *h, int worker);
    void (*fail)(void *self, const char *msg, int status);
    void *self;
    const mc_point *(*point)(void *self, const double work[4]); /* the point rank 0 computes */
} source;

/* ---- rank 0's own chunks, computed by its thread (run/mpi_local.h) while it deals ---------- */

static struct {
    const mc_point *p;
    double work[4];
    int threads, busy;
    const mc_unit_store *units; /* the run's unit store, or NULL */
    double *values;             /* the chunk's values (grown as needed) */
    size_t cap;
    hdr h;                      /* its result, as a worker would send it */
} local;

static void local_job(void *unused)
{
    (void)unused;
    size_t count = (size_t)(local.work[2] - local.work[1]) * point_rows(local.p);
    memset(&local.h, 0, sizeof local.h);
    local.h.kind = MSG_RESULT;
    local.h.point = (int64_t)local.work[0];
    local.h.r0 = (int64_t)local.work[1];
    local.h.r1 = (int64_t)local.work[2];
    local.h.threads = local.threads;
    double *v = count > local.cap ? realloc(local.values, count * sizeof *v) : local.values;
    if (!v) {
        local.h.status = MC_ENOMEM;
        local.h.bad = local.h.r0;
        snprintf(local.h.msg, sizeof local.h.msg, "out of memory for a chunk's results");
        return;
    }
    local.cap = count > local.cap ? count : local.cap;
    local.values = v;
    double t0 = omp_get_wtime();
    compute_chunk(local.p, (long)local.work[1], (long)local.work[2], local.threads, v, &local.h,
                  local.units);
    local.h.seconds = omp_get_wtime() - t0;
}

/* Chunk work to worker w (0: rank 0's own thread). */
static void answer(const source *s, int worker, const double work[4])
{
    if (worker == 0) {
        local.p = s->point(s->self, work);
        memcpy(local.work, work, sizeof local.work);
        local.threads = nthreads[0];
        local.busy = 1;
        mc_local_post(local_job, NULL);
        return;
    }
    MPI_Send(work, 4, MPI_DOUBLE, worker, TAG_WORK, MPI_COMM_WORLD);
}

/* A chunk's n values from the worker that computed them into dst. */
static void fetch_values(double *dst, size_t n, int worker)
{
    if (worker == 0)
        memcpy(dst, local.values, n * sizeof *dst);
    else
        MPI_Recv(dst, (int)n, MPI_DOUBLE, worker, TAG_VALUES, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
}

/* The next header from a worker or rank 0's thread, whichever comes first; returns its rank.
 * Polls and sleeps as recv_politely does. */
static int wait_header(hdr *h)
{
    double spin_until = MPI_Wtime() + 20e-6;
    long ns = 10000;
    for (int flag = 0;;) {
        if (local.busy && mc_local_done()) {
            local.busy = 0;
            *h = local.h;
            return 0;
        }
        MPI_Status st;
        MPI_Iprobe(MPI_ANY_SOURCE, TAG_HDR, MPI_COMM_WORLD, &flag, &st);
        if (flag) {
            MPI_Recv(h, (int)sizeof *h, MPI_BYTE, st.MPI_SOURCE, TAG_HDR, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            return st.MPI_SOURCE;
        }
        if (MPI_Wtime() < spin_until)
            continue;
        struct timespec ts = {0, ns};
        nanosleep(&ts, NULL);
        ns = ns < 100000 ? ns * 2 : 100000;
    }
}

/* One header from any worker: READY and RESULT make it idle; FAIL is passed on and the worker
 * is set aside (it has no experiment: it only waits to be stopped). */
static void hear(const source *s, int *busy)
{
    hdr h;
    int from = wait_header(&h);
    nthreads[from] = h.threads > 0 ? (int)h.threads : 1;
    if (h.kind == MSG_RESULT) {
        double per = h.seconds * (double)nthreads[from] / (double)(h.r1 - h.r0);
        unit_seconds = unit_seconds > 0 ? 0.8 * unit_seconds + 0.2 * per : per;
        (*busy)--;
        s->take(s->self, &h, from);
    } else {
        unheard--;
    }
    if (h.kind == MSG_FAIL) {
        char msg[MC_ERROR_MAX + 32];
        snprintf(msg, sizeof msg, "rank %d: %s", from, h.msg);
        s->fail(s->self, msg, (int)h.status);
        failed[nfailed++] = from;
        return;
    }
    idle[nidle++] = from;
}

/* Deals s out until it has no chunk left and every chunk is back. Workers stay idle after. */
static void deal(const source *s)
{
    int busy = 0, more = 1;
    for (;;) {
        while (more && nidle > 0) {
            int w = idle[nidle - 1];
            double work[4];
            more = s->next(s->self, nthreads[w], work);
            if (more) {
                nidle--;
                answer(s, w, work);
                busy++;
            }
        }
        if (busy == 0 && (!more || unheard == 0))
            break; /* (more with no worker left at all: every one failed, and said so) */
        hear(s, &busy);
    }
}

/* ---- rank 0: a whole run, gathered point by point --------------------------------------- */

typedef struct pending {
    double *values; /* R x (G + 1) x M, while the point is open */
    size_t left;    /* units not yet back */
} pending;

typedef struct dealer {
    const mc_experiment *e;
    const mc_run_opts *opts;
    pending *pt;
    size_t deal_point, flush_point, done, total;
    long deal_rep;
    int status;
    size_t err_point; /* the failure reported: the first in (point, replicate) order */
    long err_rep;
    mc_error err;
} dealer;

/* Records a failure at (point, replicate) if it comes before the one recorded. */
static void fail_at(dealer *d, size_t point, long rep, int status, const char *msg)
{
    if (d->status != MC_OK &&
        (d->err_point < point || (d->err_point == point && d->err_rep <= rep)))
        return;
    d->status = status;
    d->err_point = point;
    d->err_rep = rep;
    mc_error_set(&d->err, status, "%s", msg);
    if (d->e->npoints > 1 && rep >= 0)
        mc_error_prefix(&d->err, "grid point %zu (%s), replicate %ld: ", point,
                        d->e->points[point].label, rep);
}

static void run_fail(void *self, const char *msg, int status)
{
    fail_at(self, 0, -1, status, msg);
}

/* Hands finished points to on_point in point order, freeing their values. */
static void flush(dealer *d)
{
    while (d->status == MC_OK && d->flush_point < d->e->npoints &&
           d->pt[d->flush_point].values && d->pt[d->flush_point].left == 0) {
        const mc_point *p = &d->e->points[d->flush_point];
        mc_point_result res = {p, p->run.replicates, p->run.generations, p->metrics.n,
                               d->pt[d->flush_point].values};
        mc_error err = {0};
        int r = d->opts->on_point ? d->opts->on_point(&res, d->opts->user, &err) : MC_OK;
        if (r != MC_OK) { /* on_point's own message, as mc_experiment_run returns it */
            d->status = r;
            d->err = err;
            d->err_point = 0;
            d->err_rep = -1;
        }
        free(d->pt[d->flush_point].values);
        d->pt[d->flush_point].values = NULL;
        d->flush_point++;
    }
}

/* Opens point d->deal_point: its values, restored from a checkpoint if the caller can. Returns
 * whether it has units to deal. */
static int open_point(dealer *d)
{
    const mc_point *p = &d->e->points[d->deal_point];
    pending *pd = &d->pt[d->deal_point];
    pd->values = malloc(sizeof(double) * (size_t)p->run.replicates * point_rows(p));
    if (!pd->values) {
        fail_at(d, d->deal_point, -1, MC_ENOMEM, "out of memory for a point's results");
        return 0;
    }
    pd->left = (size_t)p->run.replicates;
    if (d->opts->restore && d->opts->restore(p, pd->values, d->opts->user)) {
        d->done += pd->left;
        pd->left = 0;
        if (d->opts->on_progress)
            d->opts->on_progress(d->done, d->total, p, d->opts->user);
        return 0;
    }
    return 1;
}

/* Units per chunk: at least two per thread (the threads' barrier is paid once per chunk), and
 * enough for about CHUNK_S seconds by the recent units' cost, so that the round trip (tens of
 * microseconds) stays under 1 % of a chunk however small the units; at most 2^26 values and the
 * point's remaining replicates. The dealing's granularity at the end is then about CHUNK_S. */
#define CHUNK_S 0.02
static long chunk_units(const mc_point *p, long from, int threads)
{
    long per = (long)((1u << 26) / (point_rows(p) ? point_rows(p) : 1));
    double want = unit_seconds > 0 ? CHUNK_S * threads / unit_seconds : 0;
    long n = want > 2.0 * threads ? (want < 1e9 ? (long)want : 1000000000L) : 2L * threads;
    n = n < per ? n : per;
    n = n < 1 ? 1 : n;
    return n < p->run.replicates - from ? n : p->run.replicates - from;
}

static const mc_point *run_point(void *self, const double work[4])
{
    return &((dealer *)self)->e->points[(size_t)work[0]];
}

static int run_next(void *self, int threads, double work[4])
{
    dealer *d = self;
    while (d->status == MC_OK && d->deal_point < d->e->npoints) {
        const mc_point *p = &d->e->points[d->deal_point];
        if (d->deal_rep == 0 && !open_point(d)) {
            d->deal_point++;
            flush(d);
            continue;
        }
        long n = chunk_units(p, d->deal_rep, threads);
        work[0] = (double)d->deal_point;
        work[1] = (double)d->deal_rep;
        work[2] = (double)(d->deal_rep + n);
        work[3] = NAN;
        d->deal_rep += n;
        if (d->deal_rep == p->run.replicates) {
            d->deal_point++;
            d->deal_rep = 0;
        }
        return 1;
    }
    return 0;
}

/* A worker's chunk is back: its values into the point, or its failure. */
static void run_take(void *self, const hdr *h, int worker)
{
    dealer *d = self;
    size_t point = (size_t)h->point;
    if (h->status != MC_OK) {
        fail_at(d, point, (long)h->bad, (int)h->status, h->msg);
        return;
    }
    const mc_point *p = &d->e->points[point];
    size_t rows = point_rows(p), n = (size_t)(h->r1 - h->r0);
    pending *pd = &d->pt[point];
    fetch_values(pd->values + (size_t)h->r0 * rows, n * rows, worker);
    pd->left -= n;
    d->done += n;
    if (d->opts->on_progress)
        d->opts->on_progress(d->done, d->total, p, d->opts->user);
    flush(d);
}

/* rank 0: the TAG_STORE message on its way to every worker (waited for in mc_mpi_release) */
static store_msg store_out;
static MPI_Request *store_reqs;

/* Names the run's unit store to every worker, before any of this run's WORK. */
static void send_store(const mc_unit_store *units)
{
    if (!units || !units->dir || store_reqs || !(store_reqs = calloc((size_t)size, sizeof *store_reqs)))
        return; /* (out of memory: the workers' units run without saving, as they may) */
    store_out.seconds = units->seconds;
    snprintf(store_out.dir, sizeof store_out.dir, "%s", units->dir);
    for (int w = 1; w < size; w++)
        MPI_Isend(&store_out, (int)sizeof store_out, MPI_BYTE, w, TAG_STORE, MPI_COMM_WORLD,
                  &store_reqs[w - 1]);
}

int mc_mpi_run(const mc_experiment *e, const mc_run_opts *opts, mc_error *err)
{
    static const mc_run_opts none = {0};
    if (mc_mpi_size() < 2 || !idle)
        return mc_experiment_run(e, opts, err);
    send_store(opts ? opts->units : NULL);
    dealer d = {e, opts ? opts : &none, calloc(e->npoints ? e->npoints : 1, sizeof(pending)),
                0, 0, 0, 0, 0, MC_OK, 0, 0, {0}};
    if (!d.pt)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (size_t i = 0; i < e->npoints; i++)
        d.total += (size_t)e->points[i].run.replicates;
    if (opts && opts->threads > 0)
        nthreads[0] = opts->threads;
    local.units = opts ? opts->units : NULL;
    source s = {run_next, run_take, run_fail, &d, run_point};
    deal(&s);
    flush(&d);
    for (size_t i = 0; i < e->npoints; i++)
        free(d.pt[i].values);
    free(d.pt);
    if (d.status != MC_OK && err)
        *err = d.err;
    return d.status;
}

/* ---- rank 0: one point's replicates at one h (collapse need) ---------------------------- */

typedef struct units {
    const mc_point *p;
    double h, *values;
    long R, next, bad;
    int status;
    mc_error err;
} units;

static const mc_point *units_point(void *self, const double work[4])
{
    (void)work;
    return ((units *)self)->p; /* collapse need set its knob (h) on it */
}

static int units_next(void *self, int threads, double work[4])
{
    units *u = self;
    if (u->status != MC_OK || u->next >= u->R)
        return 0;
    long n = chunk_units(u->p, u->next, threads);
    n = n < u->R - u->next ? n : u->R - u->next;
    work[0] = (double)u->p->index;
    work[1] = (double)u->next;
    work[2] = (double)(u->next + n);
    work[3] = u->h;
    u->next += n;
    return 1;
}

static void units_fail(void *self, const char *msg, int status)
{
    units *u = self;
    if (u->status == MC_OK || u->bad >= 0) {
        u->status = status;
        u->bad = -1;
        mc_error_set(&u->err, status, "%s", msg);
    }
}

static void units_take(void *self, const hdr *h, int worker)
{
    units *u = self;
    if (h->status != MC_OK) {
        if (u->status == MC_OK || (u->bad >= 0 && h->bad < u->bad)) {
            u->status = (int)h->status;
            u->bad = (long)h->bad;
            mc_error_set(&u->err, u->status, "%s", h->msg);
        }
        return;
    }
    size_t rows = point_rows(u->p), n = (size_t)(h->r1 - h->r0);
    fetch_values(u->values + (size_t)h->r0 * rows, n * rows, worker);
}

int mc_mpi_units(const mc_point *p, long R, double h, double *values, long *bad, mc_error *err)
{
    units u = {p, h, values, R, 0, 0, MC_OK, {0}};
    local.units = NULL;
    source s = {units_next, units_take, units_fail, &u, units_point};
    deal(&s);
    *bad = u.bad;
    if (u.status != MC_OK && err)
        *err = u.err;
    return u.status;
}

/* ---- the end ------------------------------------------------------------------------------ */

void mc_mpi_release(void)
{
    if (!started || rank != 0 || size < 2)
        return;
    if (!shared) { /* nothing went out: the workers wait for a configuration */
        mc_mpi_share_config(NULL, NULL);
        return;
    }
    double stop[4] = {-1, 0, 0, 0};
    for (; unheard > 0; unheard--) { /* a READY or FAIL still on its way */
        hdr h;
        MPI_Status st;
        recv_politely(&h, (int)sizeof h, MPI_BYTE, MPI_ANY_SOURCE, TAG_HDR, &st);
        MPI_Send(stop, 4, MPI_DOUBLE, st.MPI_SOURCE, TAG_WORK, MPI_COMM_WORLD);
    }
    for (; nidle > 0; nidle--)
        if (idle[nidle - 1] > 0) /* (rank 0's own thread ends below) */
            MPI_Send(stop, 4, MPI_DOUBLE, idle[nidle - 1], TAG_WORK, MPI_COMM_WORLD);
    for (; nfailed > 0; nfailed--)
        MPI_Send(stop, 4, MPI_DOUBLE, failed[nfailed - 1], TAG_WORK, MPI_COMM_WORLD);
    mc_local_stop();
    free(local.values);
    memset(&local, 0, sizeof local);
    for (int w = 1; store_reqs && w < size; w++)
        MPI_Wait(&store_reqs[w - 1], MPI_STATUS_IGNORE);
    free(store_reqs);
    store_reqs = NULL;
    free(idle);
    free(nthreads);
    free(failed);
    idle = nthreads = failed = NULL;
    shared = 0;
}

#else /* built without MPI: one process */

void mc_mpi_init(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
}
void mc_mpi_finalize(void) {}
int mc_mpi_rank(void) { return 0; }
int mc_mpi_size(void) { return 1; }
int mc_mpi_built(void) { return 0; }
int mc_mpi_share_config(const mc_config *c, mc_error *err)
{
    (void)c;
    (void)err;
    return MC_OK;
}
int mc_mpi_receive_config(mc_config **c, mc_error *err)
{
    *c = NULL;
    (void)err;
    return MC_OK;
}
void mc_mpi_serve(mc_experiment *e, int threads, const mc_error *failed)
{
    (void)e;
    (void)threads;
    (void)failed;
}
int mc_mpi_run(const mc_experiment *e, const mc_run_opts *opts, mc_error *err)
{
    return mc_experiment_run(e, opts, err);
}
int mc_mpi_units(const mc_point *p, long R, double h, double *values, long *bad, mc_error *err)
{
    (void)p;
    (void)R;
    (void)h;
    (void)values;
    *bad = -1;
    return mc_error_set(err, MC_EUSAGE, "this collapse was built without MPI");
}
void mc_mpi_release(void) {}

#endif
