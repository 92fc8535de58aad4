/* cancel.c - the process-wide cancel flag (cancel.h). Relaxed ordering suffices: the flag
 * carries no data, and a unit that misses it by one generation stops at the next. */
#include <stdatomic.h>
#include "collapse/cancel.h"

static atomic_int cancel_flag;

void mc_cancel_request(void)
{
    atomic_store_explicit(&cancel_flag, 1, memory_order_relaxed);
}

void mc_cancel_clear(void)
{
    atomic_store_explicit(&cancel_flag, 0, memory_order_relaxed);
}

int mc_cancel_requested(void)
{
    return atomic_load_explicit(&cancel_flag, memory_order_relaxed);
}
