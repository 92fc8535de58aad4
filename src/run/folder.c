/* folder.c - the run folder around a run (folder.h): a new default folder per run, the lock of
 * a folder for the life of a run, and the refusal (or, with force, the removal) of another run's
 * files in it.
 *
 * The lock is flock(2) on DIR/.collapse.lock: the kernel drops it when the process dies, so a
 * killed run never leaves a folder locked for ever; its lock file (with the dead pid) is simply
 * taken over. A run removes its lock file when it ends; because another process may have
 * opened that file just before, the lock is only ours when the file we locked is still the one
 * at the path (same inode), otherwise we try again on the new file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "collapse/run.h"
#include "io/atomic.h"
#include "run/folder.h"

#define PATH_SIZE (MC_RUN_DIR_MAX + 300)

/* out = dir/name; 0 when it does not fit (then out is empty, which no call can find). */
static int join(char out[PATH_SIZE], const char *dir, const char *name)
{
    int n = snprintf(out, PATH_SIZE, "%s/%s", dir, name);
    if (n < 0 || n >= PATH_SIZE) {
        out[0] = '\0';
        return 0;
    }
    return 1;
}

int mc_folder_make_new(const char *name, const char *stamp, char *out, size_t n, mc_error *err)
{
    int len = snprintf(out, n, "results/%s-%s", name, stamp);
    if (len < 0 || (size_t)len + 8 >= n)
        return mc_error_set(err, MC_EIO, "results/%.64s...: name too long", name);
    char *slash = strrchr(out, '/');
    *slash = '\0';
    int r = mc_make_dirs(out, err); /* results/ and any folder in the name */
    *slash = '/';
    for (int k = 1; r == MC_OK && k <= 1000; k++) {
        if (k > 1)
            snprintf(out + len, n - (size_t)len, "-%d", k);
        if (mkdir(out, 0777) == 0)
            return MC_OK;
        if (errno != EEXIST)
            return mc_error_set(err, MC_EIO, "%s: cannot create output directory: %s", out,
                                strerror(errno));
    }
    return r != MC_OK ? r : mc_error_set(err, MC_EIO, "%s: 1000 runs already have this name", out);
}

/* The pid written in an open lock file, or 0 when it holds none yet. */
static long read_pid(int fd)
{
    char buf[32] = {0};
    ssize_t k = pread(fd, buf, sizeof buf - 1, 0);
    return k > 0 ? strtol(buf, NULL, 10) : 0;
}

/* Writes our pid into the lock file we hold. */
static int write_pid(int fd, const char *path, mc_error *err)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)len, 0) != len)
        return mc_error_set(err, MC_EIO, "%s: cannot write: %s", path, strerror(errno));
    return MC_OK;
}

/* Refusal when another run holds the lock of dir. That run writes its pid just after taking the
 * lock: give it up to 0.1 s to appear. */
static int busy(const char *dir, int fd, mc_error *err)
{
    long pid = read_pid(fd);
    for (int i = 0; pid <= 0 && i < 100; i++) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
        pid = read_pid(fd);
    }
    char who[48] = "another collapse run";
    if (pid > 0)
        snprintf(who, sizeof who, "another collapse run (pid %ld)", pid);
    return mc_error_set(err, MC_EIO, "%s: %s is writing into this folder; wait for it to finish "
                        "or choose another folder", dir, who);
}

int mc_folder_lock(const char *dir, int *out, mc_error *err)
{
    *out = -1;
    char path[PATH_SIZE];
    join(path, dir, MC_FOLDER_LOCK);
    for (int attempt = 0; attempt < 100; attempt++) {
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            return mc_error_set(err, MC_EIO, "%s: cannot create the lock file: %s", path,
                                strerror(errno));
        if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
            int e = errno, st = e == EWOULDBLOCK
                                    ? busy(dir, fd, err)
                                    : mc_error_set(err, MC_EIO, "%s: cannot lock: %s", path,
                                                   strerror(e));
            close(fd);
            return st;
        }
        struct stat held, now;
        if (fstat(fd, &held) == 0 && stat(path, &now) == 0 && held.st_ino == now.st_ino &&
            held.st_dev == now.st_dev) {
            int st = write_pid(fd, path, err);
            if (st != MC_OK) {
                unlink(path);
                close(fd);
                return st;
            }
            *out = fd;
            return MC_OK;
        }
        close(fd); /* the run that held it removed the file meanwhile: lock the new one */
    }
    return mc_error_set(err, MC_EIO, "%s: cannot lock: the lock file keeps changing", path);
}

void mc_folder_unlock(const char *dir, int fd)
{
    if (fd < 0)
        return;
    char path[PATH_SIZE];
    join(path, dir, MC_FOLDER_LOCK);
    unlink(path); /* while still locked, so no one locks a file about to vanish */
    close(fd);
}

/* ---- another run's files ---------------------------------------------------------------- */

/* Whether name is a file a run writes at the top of its folder (the writer's, also as NAME.gz,
 * report.html). */
static int run_file(const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < MC_WRITER_NFILES; i++) {
        size_t n = strlen(mc_writer_files[i]);
        if (!strncmp(name, mc_writer_files[i], n) &&
            (name[n] == '\0' || (len == n + 3 && !strcmp(name + n, ".gz"))))
            return 1;
    }
    return !strcmp(name, "report.html");
}

/* Whether name is a figure of plots/ or the temporary file of one. */
static int figure_file(const char *name)
{
    char base[256];
    const char *n = mc_is_temp_name(name, NULL, base, sizeof base) ? base : name;
    size_t len = strlen(n);
    return len > 4 && (!strcmp(n + len - 4, ".png") || !strcmp(n + len - 4, ".svg"));
}

/* Names for a message: the first eight, then a count. */
typedef struct name_list {
    char text[512];
    size_t count;
} name_list;

static void list_add(name_list *l, const char *name)
{
    size_t used = strlen(l->text);
    if (l->count < 8 && used + strlen(name) + 3 < sizeof l->text)
        snprintf(l->text + used, sizeof l->text - used, "%s%s", l->count ? ", " : "", name);
    l->count++;
}

static const char *list_more(const name_list *l, char *buf, size_t n)
{
    if (l->count > 8)
        snprintf(buf, n, " and %zu more", l->count - 8);
    else
        buf[0] = '\0';
    return buf;
}

/* Removes the figures of dir/plots and the folder if that empties it. */
static int remove_plots(const char *plots, mc_error *err)
{
    DIR *d = opendir(plots);
    if (!d)
        return errno == ENOENT ? MC_OK
                               : mc_error_set(err, MC_EIO, "%s: cannot read: %s", plots,
                                              strerror(errno));
    int st = MC_OK;
    char path[PATH_SIZE];
    for (struct dirent *de; st == MC_OK && (de = readdir(d));) {
        if (!figure_file(de->d_name))
            continue;
        join(path, plots, de->d_name);
        if (unlink(path) != 0 && errno != ENOENT)
            st = mc_error_set(err, MC_EIO, "%s: cannot remove: %s", path, strerror(errno));
    }
    closedir(d);
    if (st == MC_OK)
        rmdir(plots); /* kept when it holds anything else */
    return st;
}

/* Removes one entry of an old run (a file, or plots/). */
static int remove_entry(const char *dir, const char *name, mc_error *err)
{
    char path[PATH_SIZE];
    join(path, dir, name);
    if (!strcmp(name, "plots"))
        return remove_plots(path, err);
    if (unlink(path) != 0 && errno != ENOENT)
        return mc_error_set(err, MC_EIO, "%s: cannot remove: %s", path, strerror(errno));
    return MC_OK;
}

/* Classifies one entry of dir: 1 a finished run's file, 2 a dead run's temporary file, else 0. */
static int entry_kind(const char *dir, const char *name)
{
    char base[256], path[PATH_SIZE];
    if (!strcmp(name, "plots")) {
        struct stat st;
        join(path, dir, name);
        return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (run_file(name))
        return 1;
    return mc_is_temp_name(name, NULL, base, sizeof base) && run_file(base) ? 2 : 0;
}

/* The refusal: what dir holds and how to go on. */
static int refuse(const char *dir, const name_list *old, const name_list *tmp, mc_error *err)
{
    char m1[32], m2[32], a[700] = "", b[700] = "";
    if (old->count)
        snprintf(a, sizeof a, "the files of another run (%s%s)", old->text,
                 list_more(old, m1, sizeof m1));
    if (tmp->count)
        snprintf(b, sizeof b, "%sthe temporary files of a run that did not finish (%s%s)",
                 old->count ? " and " : "", tmp->text, list_more(tmp, m2, sizeof m2));
    return mc_error_set(err, MC_EUSAGE, "%s: holds %s%s; run with --force to remove them first, "
                        "or choose another folder", dir, a, b);
}

int mc_folder_claim(const char *dir, int force, mc_error *err)
{
    DIR *d = opendir(dir);
    if (!d)
        return mc_error_set(err, MC_EIO, "%s: cannot read: %s", dir, strerror(errno));
    name_list old = {{0}, 0}, tmp = {{0}, 0};
    int st = MC_OK;
    for (struct dirent *de; st == MC_OK && (de = readdir(d));) {
        int kind = entry_kind(dir, de->d_name);
        if (kind)
            list_add(kind == 1 ? &old : &tmp, strcmp(de->d_name, "plots") ? de->d_name : "plots/");
        if (kind && force)
            st = remove_entry(dir, de->d_name, err);
    }
    closedir(d);
    if (st != MC_OK || force || (!old.count && !tmp.count))
        return st;
    return refuse(dir, &old, &tmp, err);
}

int mc_run_lock(const char *dir, int *fd, mc_error *err)
{
    return mc_folder_lock(dir, fd, err);
}

void mc_run_unlock(const char *dir, int fd)
{
    mc_folder_unlock(dir, fd);
}
