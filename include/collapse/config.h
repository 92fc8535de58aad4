/* config.h - experiment configuration: INI text, overrides, key tables, grid axes.
 *
 * A configuration is an ordered list of entries (section, key, value) with the place each came
 * from (file and line, a preset, or the command line). Sources are layered: a preset or INI file
 * first, then `section.key=value` overrides; a later entry replaces an earlier one.
 *
 * What keys exist is declared in tables of mc_key (name, kind, default, bounds, help), one table
 * for the engine and one per family and regime (see family.h). The engine validates every entry
 * against them, so an unknown section or key, a malformed number or an out-of-range value is
 * reported before anything runs, with file, line and key and a did-you-mean.
 *
 * Grid axes: the value of a scalar key may be a comma-separated list ("replace, fresh"); every
 * combination is run. A key of kind MC_KEY_LIST takes commas in its own syntax
 * ("blue=0.9, yellow=0.1"), so its alternatives are separated by '|' instead.
 */
#ifndef COLLAPSE_CONFIG_H
#define COLLAPSE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "error.h"

typedef enum mc_key_kind {
    MC_KEY_DOUBLE, /* double, bounds checked */
    MC_KEY_INT,    /* long, bounds checked */
    MC_KEY_COUNT,  /* uint64_t (sample sizes; accepts 1e9 when it is a whole number) */
    MC_KEY_BOOL,   /* int 0/1: true/false/yes/no/on/off/1/0 */
    MC_KEY_STRING, /* const char *, borrowed from the experiment */
    MC_KEY_ENUM,   /* int index into the '|'-separated choices */
    MC_KEY_LIST    /* const char *, a list in the key's own syntax; grid alternatives split on '|' */
} mc_key_kind;

enum {
    MC_KEY_MIN_OPEN = 1u << 0, /* value must be > min (not >=) */
    MC_KEY_MAX_OPEN = 1u << 1, /* value must be < max (not <=) */
    MC_KEY_NO_GRID = 1u << 2,  /* never a grid axis (e.g. model.family is one, this is not) */
    MC_KEY_NAMES_FAMILY = 1u << 3, /* its value names a family of the registry (help lists them) */
    MC_KEY_NAMES_REGIME = 1u << 4, /* its value names a regime of the registry */
    MC_KEY_WORLD_IF_SET = 1u << 5  /* a [world] key that enters the world's identity (the seed of
                                      its stream) only when set to other than its default: one
                                      added later leaves the existing worlds' draws unchanged */
};

/* One configuration key. Tables are arrays terminated by an entry with name == NULL. */
typedef struct mc_key {
    const char *section;  /* "world", "model", "regime", "sampling", "run", "metrics" */
    const char *name;
    mc_key_kind kind;
    const char *dflt;     /* default as text; NULL means "unset" (string NULL / NAN / 0) */
    double min, max;      /* bounds for numeric kinds */
    unsigned flags;
    const char *choices;  /* MC_KEY_ENUM: "a|b|c" */
    size_t offset;        /* where the parsed value goes in the owner's parameter block */
    const char *help;
} mc_key;

/* Where an entry came from. */
typedef struct mc_origin {
    const char *file; /* "cats.ini", "preset cats", "command line" */
    int line;         /* 1-based; 0 when not from a file */
} mc_origin;

typedef struct mc_entry {
    char *section, *key, *value;
    mc_origin origin;
} mc_entry;

typedef struct mc_config {
    mc_entry *entries;
    size_t n, cap;
    char *name;        /* preset or file stem, used for the default output folder */
    char *base_dir;    /* folder of the INI file, for relative paths in it ("." otherwise) */
    char **strings;    /* file names kept alive for origins */
    size_t nstrings;
} mc_config;

/* Allocates an empty configuration; NULL when out of memory. Free with mc_config_free(). */
mc_config *mc_config_alloc(void);
void mc_config_free(mc_config *c);

/* Parses INI text read from a file (path) or held in memory (text, named `origin_name` in
 * messages) and layers its entries on c. Lines over the compiled inih limit (200 characters) are
 * refused with their line number rather than split silently; an indented line continues the
 * previous key's value (joined with ", ", or " " after a trailing comma; linear in the number of
 * lines); a key repeated in one source is an error. Each line's trailing '\r' and '\n' do not
 * count towards the limit. A file with no `key = value` line at all (empty, or only comments
 * and section headers) is refused ("no settings"): it would run the defaults. */
int mc_config_read_file(mc_config *c, const char *path, mc_error *err);
int mc_config_read_string(mc_config *c, const char *text, const char *origin_name, mc_error *err);

/* Layers one `section.key=value` override (origin "command line"). */
int mc_config_override(mc_config *c, const char *arg, mc_error *err);

/* Sets or replaces an entry. */
int mc_config_set(mc_config *c, const char *section, const char *key, const char *value,
                  mc_origin origin, mc_error *err);

/* The entry for section.key, or NULL. */
const mc_entry *mc_config_find(const mc_config *c, const char *section, const char *key);

/* "file:line: [section] key" (or "command line: section.key") for messages. Writes into buf. */
const char *mc_origin_format(char *buf, size_t size, const mc_origin *o, const char *section,
                             const char *key);

/* Splits a grid value into its alternatives (on ',' for scalar kinds, '|' for MC_KEY_LIST),
 * trimmed. Returns the count (>= 1) and a malloc'd array of malloc'd strings in *out, or a
 * negative status (an empty alternative is an error). Free with mc_strings_free(). */
int mc_split_alternatives(const char *value, mc_key_kind kind, char ***out, mc_error *err);
void mc_strings_free(char **s, size_t n);

/* Parses one textual value for key k into dst + k->offset, checking kind, bounds and choices.
 * `where` prefixes the message ("cats.ini:3: [run] replicates"). */
int mc_key_parse(const mc_key *k, const char *text, void *dst, const char *where, mc_error *err);

/* Parses a number the way every key does: decimal only ([+-]digits[.digits][e[+-]digits], the
 * whole text; no hexadecimal, inf or nan, no white space). MC_ECONFIG when it is not such a
 * number, MC_ERANGE when it is one but beyond a double (above DBL_MAX, or a nonzero value below
 * the smallest normal number DBL_MIN, such as 1e-320). */
int mc_parse_double(const char *text, double *out);
/* A whole number >= 0 up to 2^64-1, as digits or in exponent form ("1000", "1e9"). MC_ERANGE
 * when it does not fit in 64 bits, MC_ECONFIG when it is not such a number. */
int mc_parse_count(const char *text, uint64_t *out);

/* Closest candidate to `word` by edit distance, or NULL when nothing is close. */
const char *mc_did_you_mean(const char *word, const char *const *candidates, size_t n);

/* Writes the configuration as INI (sections in canonical order, keys in the order given). A
 * value is written as it is (there is no quoting), folded at ", " into indented continuation
 * lines when long, so that reading the text back gives the same entries. A value that INI text
 * cannot hold that way is not written and makes the call return MC_ERANGE (the text written is
 * then to be discarded): a value with a line break, with white space at either end, with a ';'
 * first or after white space (inih's inline comment), or with a line longer than the reader
 * takes. MC_EIO on a write error. */
int mc_config_write(const mc_config *c, FILE *f);
/* The same, but the entries in their order in c (a section's header again wherever the section
 * changes), so that reading the text back gives c's entries in c's order: the grid's axes, and
 * so its points, in the same order (a checkpoint's configuration, src/run/checkpoint.c). */
int mc_config_write_ordered(const mc_config *c, FILE *f);

/* Checks that mc_config_write() can write every entry of c so that it reads back the same
 * (each entry is written and read back). MC_OK, or MC_ECONFIG with a message naming the entry's
 * origin and key and what is wrong. mc_experiment_prepare() calls it so that a run is refused
 * before any computing rather than found unrepeatable after it. */
int mc_config_check_writable(const mc_config *c, mc_error *err);

#endif
