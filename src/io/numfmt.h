/* numfmt.h - the shortest decimal text of a double that reads back to the same double (ground
 * floor; src/io/numfmt.c).
 *
 * mc_num_shortest(0.008) is "0.008" where %.17g writes "0.0080000000000000002"; strtod of the
 * text gives back exactly the same bits (-0 is written "-0"). The form is printf's %g: the
 * fewest significant digits (at most 17) for which the text round-trips, exponent notation for
 * exponents below -4 or at least that many digits. Integers below 1e15 take a fast path with
 * the same text. NaN and infinities are written "nan", "inf", "-inf". */
#ifndef MC_IO_NUMFMT_H
#define MC_IO_NUMFMT_H

/* Writes v into buf (at least 32 bytes) and returns buf. */
const char *mc_num_shortest(double v, char *buf);

#endif
