/* textfile.c - see textfile.h. */
#include "textfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

int mc_open_regular(const char *path, FILE **out)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return errno;
    struct stat st;
    int flags, e = 0;
    if (fstat(fd, &st) != 0)
        e = errno;
    else if (!S_ISREG(st.st_mode))
        e = ENOTSUP;
    else if ((flags = fcntl(fd, F_GETFL)) < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0 ||
             !(*out = fdopen(fd, "rb")))
        e = errno;
    if (e)
        close(fd);
    return e;
}

int mc_read_file(const char *path, char **out, size_t *len, mc_error *err)
{
    *out = NULL;
    FILE *f;
    int e = mc_open_regular(path, &f);
    if (e == ENOTSUP)
        return mc_error_set(err, MC_EIO, "%s: not a regular file", path);
    if (e)
        return mc_error_set(err, MC_EIO, "%s: cannot read: %s", path, strerror(e));
    struct stat st;
    if (fstat(fileno(f), &st) != 0)
        st.st_size = 0;
    /* the size is a first guess: the file may change while it is read */
    size_t cap = (size_t)st.st_size + 4096, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n + 1 >= cap) {
            char *p = cap < SIZE_MAX / 2 ? realloc(buf, cap * 2) : NULL;
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf)
        return mc_error_set(err, MC_ENOMEM, "%s: out of memory (%lld bytes)", path,
                            (long long)st.st_size);
    if (bad) {
        free(buf);
        return mc_error_set(err, MC_EIO, "%s: read error", path);
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return MC_OK;
}

int mc_read_text(const char *path, char **out, size_t *len, mc_error *err)
{
    int rc = mc_read_file(path, out, len, err);
    if (rc == MC_OK && memchr(*out, '\0', *len)) {
        free(*out);
        *out = NULL;
        return mc_error_set(err, MC_EDATA, "%s: contains NUL bytes: not a text file", path);
    }
    return rc;
}
