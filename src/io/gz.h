/* gz.h - a gzip stream (RFC 1952, zlib's deflate) that hands its compressed bytes to a sink
 * (ground floor; src/io/gz.c). atomic.h's mc_out uses it for NAME.csv.gz, so the compressed
 * file is written, synced and renamed like any other. The stream is deterministic: the same
 * bytes in give the same bytes out (no time stamp, no file name in the header), so a resumed
 * run's .gz files are identical to an uninterrupted run's. pandas, R and zcat read it. */
#ifndef MC_IO_GZ_H
#define MC_IO_GZ_H

#include <stddef.h>
#include "collapse/error.h"

typedef struct mc_gz mc_gz;

/* Where compressed bytes go: returns 0, or an errno (the stream then stops and returns it). */
typedef int (*mc_gz_sink)(void *user, const char *buf, size_t n);

/* A new stream at zlib's fastest level (1: about 4 MB of CSV in 1 MB, at 100 MB/s; the default
 * level 6 saves another 17% in 3.5 times the time). NULL when out of memory. */
mc_gz *mc_gz_new(mc_gz_sink sink, void *user);
/* Compresses n bytes; 0 or the sink's errno (ENOMEM when zlib fails). */
int mc_gz_write(mc_gz *z, const char *buf, size_t n);
/* Flushes the rest and the gzip trailer; 0 or an errno. */
int mc_gz_finish(mc_gz *z);
/* Frees z (NULL: no-op). */
void mc_gz_free(mc_gz *z);

/* Reads a whole gzip file (or a plain one: zlib reads those as they are) into *out,
 * NUL-terminated, *len bytes; the caller frees *out. MC_OK, MC_EIO (cannot open, not a regular
 * file), MC_EDATA (a corrupt stream, a NUL byte, more than 1 GiB of text) or MC_ENOMEM. */
int mc_gz_read_text(const char *path, char **out, size_t *len, mc_error *err);

#endif
