/* csvtab.h - a small reader for the run directory's CSV files (private to src/plot/).
 *
 * RFC 4180: fields separated by commas, a field that contains a comma, a quote or a line break
 * is quoted and its quotes doubled; lines end in LF or CRLF. The first row is the header. Every
 * row must have as many fields as the header, else the file is malformed (MC_EDATA, with its
 * line). The whole file is held in memory: these files have one row per point or per
 * (point, generation, metric), never per sample.
 */
#ifndef COLLAPSE_PLOT_CSVTAB_H
#define COLLAPSE_PLOT_CSVTAB_H

#include <stddef.h>
#include "collapse/error.h"

typedef struct mc_csvtab {
    size_t nrows;  /* data rows, header excluded */
    size_t ncols;
    char **cell;   /* [(nrows + 1) * ncols], row 0 is the header; strings owned by the table */
} mc_csvtab;

/* Reads path; *out is owned by the caller (mc_csvtab_free). MC_EIO when it cannot be read,
 * MC_EDATA when it is malformed or empty, MC_ENOMEM. */
int mc_csvtab_read(const char *path, mc_csvtab **out, mc_error *err);
void mc_csvtab_free(mc_csvtab *t);
/* Column index of a header name, or -1. */
long mc_csvtab_column(const mc_csvtab *t, const char *name);
/* The field of data row r (0-based, header excluded) and column c. */
const char *mc_csvtab_get(const mc_csvtab *t, size_t r, size_t c);

#endif
