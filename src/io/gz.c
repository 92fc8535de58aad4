/* gz.c - a gzip stream over a sink (gz.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <unistd.h>
#include "collapse/error.h"
#include "io/gz.h"
#include "io/textfile.h"

#define GZ_CHUNK 65536
#define GZ_TEXT_MAX ((size_t)1 << 30) /* mc_gz_read_text: the run folder's small tables */

struct mc_gz {
    z_stream zs;
    mc_gz_sink sink;
    void *user;
    unsigned char out[GZ_CHUNK];
};

mc_gz *mc_gz_new(mc_gz_sink sink, void *user)
{
    mc_gz *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->sink = sink;
    z->user = user;
    /* windowBits 15 + 16: a gzip header (mtime 0, no name) and trailer instead of zlib's */
    if (deflateInit2(&z->zs, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        free(z);
        return NULL;
    }
    return z;
}

/* Runs deflate with flush until it has consumed the input (and, with Z_FINISH, ended the
 * stream), handing every full or final output buffer to the sink. */
static int pump(mc_gz *z, int flush)
{
    for (;;) {
        z->zs.next_out = z->out;
        z->zs.avail_out = GZ_CHUNK;
        int r = deflate(&z->zs, flush);
        if (r == Z_STREAM_ERROR)
            return ENOMEM;
        size_t have = GZ_CHUNK - z->zs.avail_out;
        if (have) {
            int e = z->sink(z->user, (const char *)z->out, have);
            if (e)
                return e;
        }
        if (flush == Z_FINISH ? r == Z_STREAM_END : z->zs.avail_out != 0)
            return 0;
    }
}

int mc_gz_write(mc_gz *z, const char *buf, size_t n)
{
    while (n) { /* avail_in is an unsigned int */
        unsigned part = n > (1u << 30) ? 1u << 30 : (unsigned)n;
        z->zs.next_in = (unsigned char *)(uintptr_t)buf;
        z->zs.avail_in = part;
        int e = pump(z, Z_NO_FLUSH);
        if (e)
            return e;
        buf += part;
        n -= part;
    }
    return 0;
}

int mc_gz_finish(mc_gz *z)
{
    z->zs.next_in = NULL;
    z->zs.avail_in = 0;
    return pump(z, Z_FINISH);
}

void mc_gz_free(mc_gz *z)
{
    if (!z)
        return;
    deflateEnd(&z->zs);
    free(z);
}

int mc_gz_read_text(const char *path, char **out, size_t *len, mc_error *err)
{
    *out = NULL;
    FILE *f;
    int e = mc_open_regular(path, &f); /* never blocks on a FIFO or a device */
    if (e == ENOTSUP)
        return mc_error_set(err, MC_EIO, "%s: not a regular file", path);
    if (e)
        return mc_error_set(err, MC_EIO, "%s: cannot read: %s", path, strerror(e));
    int fd = dup(fileno(f));
    fclose(f);
    gzFile g = fd >= 0 ? gzdopen(fd, "rb") : NULL;
    if (!g) {
        if (fd >= 0)
            close(fd);
        return mc_error_set(err, MC_EIO, "%s: cannot read: %s", path,
                            errno ? strerror(errno) : "out of memory");
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap + 1);
    int st = buf ? MC_OK : mc_error_set(err, MC_ENOMEM, "%s: out of memory", path);
    while (st == MC_OK) {
        if (n == cap) {
            if (cap >= GZ_TEXT_MAX) { /* a small file that inflates without end */
                st = mc_error_set(err, MC_EDATA, "%s: decompresses to more than %d MiB", path,
                                  (int)(GZ_TEXT_MAX >> 20));
                break;
            }
            char *b = realloc(buf, 2 * cap + 1);
            if (!b) {
                st = mc_error_set(err, MC_ENOMEM, "%s: out of memory", path);
                break;
            }
            buf = b;
            cap *= 2;
        }
        size_t want = cap - n > (1u << 30) ? 1u << 30 : cap - n;
        int got = gzread(g, buf + n, (unsigned)want);
        if (got < 0) {
            int zerr;
            const char *msg = gzerror(g, &zerr);
            st = mc_error_set(err, MC_EDATA, "%s: not a readable gzip file: %s", path, msg);
        } else if (got == 0) {
            break;
        }
        n += (size_t)(got > 0 ? got : 0);
    }
    gzclose(g);
    if (st == MC_OK && memchr(buf, '\0', n))
        st = mc_error_set(err, MC_EDATA, "%s: not a text file (it holds a NUL byte)", path);
    if (st != MC_OK) {
        free(buf);
        return st;
    }
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return MC_OK;
}
