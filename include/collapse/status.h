/* status.h - a one-line status of long work inside a unit, for a progress display
 * (src/status.c).
 *
 * Units report only when they finish; a neural model's fit takes minutes. Such a fit calls
 * mc_status_report() every so often (the gpt family: every tenth of its steps, with the step,
 * the training loss, the gradient norm and tokens per second). Nothing happens unless the
 * program set a hook with mc_status_set_hook() before the run: the command line prints the
 * lines beside its progress (at most every few seconds), a library caller may log them. The
 * hook is process-wide like the cancel flag (cancel.h) and is called from the worker threads
 * of the run, so it must be thread-safe; set it only while no run is going. Reports change no
 * result. */
#ifndef COLLAPSE_STATUS_H
#define COLLAPSE_STATUS_H

typedef void (*mc_status_fn)(const char *line, void *user);

/* Sets the hook (fn NULL: none, the default). */
void mc_status_set_hook(mc_status_fn fn, void *user);
/* Whether a hook is set: work that formats a status can skip it when not. */
int mc_status_wanted(void);
/* Formats one line (printf's rules, at most 255 characters kept) and hands it to the hook. */
void mc_status_report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
