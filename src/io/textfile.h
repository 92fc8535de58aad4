/* textfile.h - reading a whole small text file (run-directory files, frequency tables). */
#ifndef COLLAPSE_TEXTFILE_H
#define COLLAPSE_TEXTFILE_H

#include <stddef.h>
#include "collapse/error.h"

/* Reads the regular file at path into *out (malloc'd, with a NUL after its *len bytes).
 * Returns MC_OK, or MC_EIO (cannot read, not a regular file, read error) or MC_ENOMEM with err
 * naming the path. */
int mc_read_file(const char *path, char **out, size_t *len, mc_error *err);

/* The same for a text file: a NUL byte in it is MC_EDATA ("not a text file"). */
int mc_read_text(const char *path, char **out, size_t *len, mc_error *err);

#endif
