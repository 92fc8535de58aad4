/* csvfield.h - one CSV field as RFC 4180 writes it (ground floor; src/io/csvfield.c). */
#ifndef MC_IO_CSVFIELD_H
#define MC_IO_CSVFIELD_H

#include <stdio.h>

/* Writes s to f, in double quotes (inner quotes doubled) when it holds a comma, a quote or a
 * line break, as it is otherwise. */
void mc_csv_field(FILE *f, const char *s);

#endif
