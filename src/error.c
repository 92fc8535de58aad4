/* error.c - status codes, messages and the CLI's exit statuses. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "collapse/error.h"

const char *mc_strerror(int code)
{
    switch (code) {
    case MC_OK: return "success";
    case MC_ECONFIG: return "configuration error";
    case MC_EUSAGE: return "usage error";
    case MC_EIO: return "input/output error";
    case MC_EDATA: return "malformed data";
    case MC_ENOMEM: return "out of memory";
    case MC_ERANGE: return "size out of range";
    case MC_EINTERNAL: return "internal error";
    case MC_ECANCELED: return "canceled";
    default: return "unknown error";
    }
}

int mc_error_set(mc_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

int mc_error_prefix(mc_error *err, const char *fmt, ...)
{
    if (!err)
        return MC_EINTERNAL;
    char head[MC_ERROR_MAX], old[MC_ERROR_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, err->msg, sizeof old);
    size_t hl = strlen(head);
    if (hl >= sizeof err->msg)
        hl = sizeof err->msg - 1;
    memcpy(err->msg, head, hl);
    size_t ol = strlen(old);
    if (hl + ol >= sizeof err->msg)
        ol = sizeof err->msg - 1 - hl;
    memcpy(err->msg + hl, old, ol);
    err->msg[hl + ol] = '\0';
    return err->code;
}

int mc_exit_status(int code)
{
    switch (code) {
    case MC_OK: return 0;
    case MC_ECONFIG:
    case MC_EUSAGE:
    case MC_EDATA: return 2;
    default: return 1;
    }
}
