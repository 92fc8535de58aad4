/* atomic.h - writing one file so that it is either complete or absent (ground floor: no
 * knowledge of experiments; src/io/atomic.c). The run directory's writer is writer.h. */
#ifndef MC_IO_ATOMIC_H
#define MC_IO_ATOMIC_H

#include <stdio.h>
#include "collapse/error.h"

/* Writes what fn produces to path atomically: fn writes into a temporary file beside path
 * (".NAME.tmp"), which is renamed onto path only when fn returned MC_OK and every write
 * succeeded (no fsync). fn returns MC_OK or a status. On failure the temporary file is
 * removed, path is untouched, and the status is returned with err naming path. */
int mc_write_atomic(const char *path, int (*fn)(FILE *f, void *user), void *user, mc_error *err);

#endif
