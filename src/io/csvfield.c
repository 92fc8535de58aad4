/* csvfield.c - one CSV field as RFC 4180 writes it (csvfield.h). */
#include <string.h>
#include "csvfield.h"

void mc_csv_field(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n\r")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}
