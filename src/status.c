/* status.c - the process-wide status hook (include/collapse/status.h). */
#include <stdarg.h>
#include <stdio.h>
#include "collapse/status.h"

static mc_status_fn hook;
static void *hook_user;

void mc_status_set_hook(mc_status_fn fn, void *user)
{
    hook = fn;
    hook_user = user;
}

int mc_status_wanted(void) { return hook != NULL; }

void mc_status_report(const char *fmt, ...)
{
    if (!hook)
        return;
    char line[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    hook(line, hook_user);
}
