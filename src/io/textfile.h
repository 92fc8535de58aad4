/* textfile.h - reading a whole small text file (run-directory files, frequency tables). */
#ifndef COLLAPSE_TEXTFILE_H
#define COLLAPSE_TEXTFILE_H

#include <stddef.h>
#include <stdio.h>
#include "collapse/error.h"

/* Opens path for reading only if it is a regular file, without blocking on a FIFO or a device
 * while finding out (O_NONBLOCK until fstat has said what it is). Returns 0 and *out, or an errno
 * value (ENOTSUP: it exists but is not a regular file). */
int mc_open_regular(const char *path, FILE **out);

/* Reads the regular file at path into *out (malloc'd, with a NUL after its *len bytes).
 * Returns MC_OK, or MC_EIO (cannot read, not a regular file, read error) or MC_ENOMEM with err
 * naming the path. */
int mc_read_file(const char *path, char **out, size_t *len, mc_error *err);

/* The same for a text file: a NUL byte in it is MC_EDATA ("not a text file"). */
int mc_read_text(const char *path, char **out, size_t *len, mc_error *err);

#endif
