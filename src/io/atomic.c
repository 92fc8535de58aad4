/* atomic.c - a file written under a temporary name and renamed into place, so that a reader
 * never sees half of it (atomic.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/atomic.h"

int mc_write_atomic(const char *path, int (*fn)(FILE *f, void *user), void *user, mc_error *err)
{
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    const char *slash = strrchr(path, '/');
    if (slash)
        snprintf(tmp, n, "%.*s/.%s.tmp", (int)(slash - path), path, slash + 1);
    else
        snprintf(tmp, n, ".%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) {
        int st = mc_error_set(err, MC_EIO, "%s: cannot write: %s", tmp, strerror(errno));
        free(tmp);
        return st;
    }
    int st = fn(f, user);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        st = st ? st : MC_EIO;
    if (st != MC_OK) {
        remove(tmp);
        free(tmp);
        return mc_error_set(err, st, "%s: write error", path);
    }
    if (rename(tmp, path) != 0) {
        st = mc_error_set(err, MC_EIO, "%s: cannot rename into place: %s", path, strerror(errno));
        remove(tmp);
    }
    free(tmp);
    return st;
}
