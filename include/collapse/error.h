/* error.h - status codes and the error record that carries a user-facing message.
 *
 * Every fallible function in libcollapse returns an int status: MC_OK (0) or one of the
 * negative codes below, and fills an mc_error when one is given. Messages that come from user
 * input name the file, the line and the key ("cats.ini:3: [world] weights: ..."). The library
 * never calls exit() or abort() on user input.
 */
#ifndef COLLAPSE_ERROR_H
#define COLLAPSE_ERROR_H

#include <stddef.h>

enum {
    MC_OK = 0,
    MC_ECONFIG = -1,  /* malformed or impossible configuration (exit 2) */
    MC_EUSAGE = -2,   /* bad command line (exit 2) */
    MC_EIO = -3,      /* a file could not be read or written (exit 1) */
    MC_EDATA = -4,    /* an input data file is malformed (exit 2: it is user input) */
    MC_ENOMEM = -5,   /* an allocation failed, or a size cannot fit in memory (exit 1) */
    MC_ERANGE = -6,   /* a size overflows what the algorithm supports (exit 1) */
    MC_EINTERNAL = -7, /* a broken internal invariant or library failure (exit 1) */
    MC_ECANCELED = -8  /* stopped by mc_cancel_request() (cancel.h) (exit 1) */
};

#define MC_ERROR_MAX 1024

typedef struct mc_error {
    int code;
    char msg[MC_ERROR_MAX];
} mc_error;

/* Text for a status code; never NULL. */
const char *mc_strerror(int code);

/* Sets err (if not NULL) to code and a printf-formatted message; returns code so that a
 * caller can write `return mc_error_set(err, MC_ECONFIG, "...")`. */
int mc_error_set(mc_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Prefixes the message already in err with a printf-formatted context ("while reading X: ").
 * Returns err->code. */
int mc_error_prefix(mc_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Exit status the CLI uses for a code: 0 ok, 2 usage/config/data, 1 runtime. */
int mc_exit_status(int code);

#endif
