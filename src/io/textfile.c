/* textfile.c - see textfile.h. */
#include "textfile.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int mc_read_file(const char *path, char **out, size_t *len, mc_error *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return mc_error_set(err, MC_EIO, "%s: cannot read: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return mc_error_set(err, MC_EIO, "%s: not a regular file", path);
    }
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
