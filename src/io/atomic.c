/* atomic.c - files written under unique temporary names, synced and renamed into place, so that
 * a reader never sees half of one and two writers never share one (atomic.h).
 *
 * The stream is a stdio FILE over our own write function (glibc's fopencookie), for two reasons:
 * the errno of the first failed write is kept for the message (stdio's error flag forgets why),
 * and the fault-injection hook of the tests (MC_FAULT_WRITE_AFTER) sits where the bytes leave. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "io/atomic.h"
#include "io/gz.h"

struct mc_out {
    char *path, *tmp;
    FILE *f;
    int fd;
    int err;       /* errno of the first failure, 0 while all is well */
    int created;   /* tmp exists and is ours */
    int committed; /* renamed onto path */
    mc_gz *gz;     /* mc_out_set_gzip: the bytes are compressed on their way out */
};

/* ---- the fault-injection hook: MC_FAULT_WRITE_AFTER=N bytes, then ENOSPC ---------------- */

static pthread_once_t fault_once = PTHREAD_ONCE_INIT;
static int fault_on;
static _Atomic long long fault_left;

static void fault_init(void)
{
    const char *v = getenv("MC_FAULT_WRITE_AFTER");
    if (!v || !*v)
        return;
    char *end;
    long long n = strtoll(v, &end, 10);
    fault_on = *end == '\0' && n >= 0;
    atomic_store(&fault_left, n);
}

/* How many of n bytes may be written now (n when the hook is off). */
static size_t fault_allow(size_t n)
{
    pthread_once(&fault_once, fault_init);
    if (!fault_on)
        return n;
    long long left = atomic_fetch_sub(&fault_left, (long long)n);
    if (left <= 0)
        return 0;
    return left >= (long long)n ? n : (size_t)left;
}

/* ---- the kill hook: MC_FAULT_KILL_AFTER_RENAMES=K, SIGKILL right after the K-th rename ---- */

static pthread_once_t kill_once = PTHREAD_ONCE_INIT;
static long long kill_after = -1;
static _Atomic long long renames;

static void kill_init(void)
{
    const char *v = getenv("MC_FAULT_KILL_AFTER_RENAMES");
    char *end;
    long long n = v && *v ? strtoll(v, &end, 10) : -1;
    kill_after = v && *v && *end == '\0' && n > 0 ? n : -1;
}

static void kill_hook(void)
{
    pthread_once(&kill_once, kill_init);
    if (kill_after > 0 && atomic_fetch_add(&renames, 1) + 1 == kill_after)
        raise(SIGKILL);
}

/* ---- the stream ------------------------------------------------------------------------ */

/* Writes n bytes to the file (as many as the fault hook allows); 0 or an errno. */
static int write_raw(void *cookie, const char *buf, size_t n)
{
    mc_out *o = cookie;
    size_t allowed = fault_allow(n), done = 0;
    int e = ENOSPC; /* what the hook reports */
    while (done < allowed) {
        ssize_t w = write(o->fd, buf + done, allowed - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            e = w < 0 ? errno : EIO;
            break;
        }
        done += (size_t)w;
    }
    return done < n ? e : 0;
}

/* Writes all of buf (compressed when o->gz) and returns n; on failure returns 0 (fewer than n,
 * which sets the stream's error flag) with o->err and errno set. fopencookie(3): a write
 * function must never return a negative value (glibc's stdio then reads past its buffers). */
static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
    mc_out *o = cookie;
    int e = o->err ? o->err : o->gz ? mc_gz_write(o->gz, buf, n) : write_raw(o, buf, n);
    if (e) {
        o->err = o->err ? o->err : e;
        errno = o->err;
        return 0;
    }
    return (ssize_t)n;
}

static int out_close(void *cookie)
{
    mc_out *o = cookie;
    int r = close(o->fd);
    if (r != 0 && !o->err)
        o->err = errno;
    o->fd = -1;
    return r;
}

/* Six letters or digits that differ between processes, calls and moments (splitmix64). */
static void unique_suffix(char out[7])
{
    static _Atomic unsigned long long counter;
    static const char abc[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t z = (uint64_t)getpid() * 0x9E3779B97F4A7C15u + (uint64_t)ts.tv_nsec +
                 ((uint64_t)ts.tv_sec << 30) + atomic_fetch_add(&counter, 1) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    z ^= z >> 31;
    for (int i = 0; i < 6; i++, z /= 62)
        out[i] = abc[z % 62];
    out[6] = '\0';
}

/* Creates o->tmp exclusively under a fresh name; 0 or an errno. */
static int create_tmp(mc_out *o)
{
    const char *slash = strrchr(o->path, '/');
    int dirlen = slash ? (int)(slash - o->path) + 1 : 0;
    for (int attempt = 0; attempt < 100; attempt++) {
        char sfx[7];
        unique_suffix(sfx);
        snprintf(o->tmp, strlen(o->path) + 9, "%.*s.%s.%s", dirlen, o->path, o->path + dirlen, sfx);
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (o->fd >= 0) {
            o->created = 1;
            return 0;
        }
        if (errno != EEXIST)
            return errno;
    }
    return EEXIST;
}

int mc_out_open(const char *path, mc_out **out, mc_error *err)
{
    *out = NULL;
    mc_out *o = calloc(1, sizeof *o);
    if (o) {
        o->fd = -1;
        o->path = strdup(path);
        o->tmp = calloc(strlen(path) + 9, 1); /* "." + "." + 6 + NUL */
    }
    if (!o || !o->path || !o->tmp) {
        mc_out_free(o);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    int e = create_tmp(o);
    if (e) {
        int st = mc_error_set(err, MC_EIO, "%s: cannot write: %s", o->tmp, strerror(e));
        mc_out_free(o);
        return st;
    }
    cookie_io_functions_t io = {NULL, out_write, NULL, out_close};
    o->f = fopencookie(o, "w", io);
    if (!o->f) {
        close(o->fd);
        o->fd = -1;
        mc_out_free(o);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    *out = o;
    return MC_OK;
}

FILE *mc_out_file(const mc_out *o) { return o->f; }
const char *mc_out_path(const mc_out *o) { return o->path; }
const char *mc_out_tmp_path(const mc_out *o) { return o->tmp; }

int mc_out_check(mc_out *o, mc_error *err)
{
    if (ferror(o->f) && !o->err)
        o->err = EIO;
    if (o->err)
        return mc_error_set(err, MC_EIO, "%s: write error: %s", o->path, strerror(o->err));
    return MC_OK;
}

int mc_out_set_gzip(mc_out *o, mc_error *err)
{
    o->gz = mc_gz_new(write_raw, o);
    return o->gz ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
}

int mc_out_finish(mc_out *o, mc_error *err)
{
    const char *what = "write error";
    if (fflush(o->f) != 0 || ferror(o->f))
        o->err = o->err ? o->err : (errno ? errno : EIO);
    if (!o->err && o->gz)
        o->err = mc_gz_finish(o->gz);
    if (!o->err && fsync(o->fd) != 0) {
        o->err = errno;
        what = "cannot sync to disk";
    }
    int failed_before = o->err != 0;
    fclose(o->f); /* closes fd through out_close, which records a failure */
    o->f = NULL;
    if (!failed_before && o->err)
        what = "cannot close";
    if (o->err)
        return mc_error_set(err, MC_EIO, "%s: %s: %s", o->path, what, strerror(o->err));
    return MC_OK;
}

int mc_out_commit(mc_out *o, mc_error *err)
{
    if (rename(o->tmp, o->path) != 0)
        return mc_error_set(err, MC_EIO, "%s: cannot rename into place: %s", o->path,
                            strerror(errno));
    o->committed = 1;
    kill_hook();
    return MC_OK;
}

void mc_out_free(mc_out *o)
{
    if (!o)
        return;
    if (o->f)
        fclose(o->f);
    else if (o->fd >= 0)
        close(o->fd);
    if (o->created && !o->committed)
        unlink(o->tmp);
    mc_gz_free(o->gz);
    free(o->path);
    free(o->tmp);
    free(o);
}

int mc_sync_dir(const char *dir, mc_error *err)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return mc_error_set(err, MC_EIO, "%s: cannot open the folder to sync it: %s", dir,
                            strerror(errno));
    int r = fsync(fd), e = errno;
    close(fd);
    if (r != 0 && e != EINVAL) /* EINVAL: the file system cannot sync folders */
        return mc_error_set(err, MC_EIO, "%s: cannot sync the folder to disk: %s", dir,
                            strerror(e));
    return MC_OK;
}

int mc_make_dirs(const char *dir, mc_error *err)
{
    if (!*dir)
        return mc_error_set(err, MC_EIO, "cannot create output directory: the name is empty");
    char *p = strdup(dir);
    if (!p)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (char *s = p + 1; ; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0777) != 0 && errno != EEXIST) {
                int e = errno;
                free(p);
                return mc_error_set(err, MC_EIO, "%s: cannot create output directory: %s", dir,
                                    strerror(e));
            }
            *s = c;
            if (!c)
                break;
        }
    }
    free(p);
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return mc_error_set(err, MC_EIO, "%s: not a directory", dir);
    return MC_OK;
}

int mc_is_temp_name(const char *name, const char *base, char *base_out, size_t n)
{
    const char *dot = strrchr(name, '.');
    if (name[0] != '.' || !dot || dot - name < 2)
        return 0;
    const char *sfx = dot + 1;
    int ok = strcmp(sfx, "tmp") == 0;
    if (!ok && strlen(sfx) == 6) {
        ok = 1;
        for (int i = 0; i < 6; i++)
            ok &= (sfx[i] >= 'A' && sfx[i] <= 'Z') || (sfx[i] >= 'a' && sfx[i] <= 'z') ||
                  (sfx[i] >= '0' && sfx[i] <= '9');
    }
    size_t len = (size_t)(dot - name) - 1;
    if (!ok || (base && (strlen(base) != len || strncmp(name + 1, base, len) != 0)))
        return 0;
    if (base_out)
        snprintf(base_out, n, "%.*s", (int)len, name + 1);
    return 1;
}

int mc_write_atomic(const char *path, int (*fn)(FILE *f, void *user), void *user, mc_error *err)
{
    mc_out *o = NULL;
    int st = mc_out_open(path, &o, err);
    if (st != MC_OK)
        return st;
    st = fn(mc_out_file(o), user);
    if (st != MC_OK) {
        int reason = o->err;
        mc_out_free(o);
        return reason ? mc_error_set(err, st, "%s: write error: %s", path, strerror(reason))
                      : mc_error_set(err, st, "%s: write error", path);
    }
    if ((st = mc_out_finish(o, err)) == MC_OK)
        st = mc_out_commit(o, err);
    mc_out_free(o);
    if (st != MC_OK)
        return st;
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    st = mc_sync_dir(dir, err);
    free(dir);
    return st;
}
