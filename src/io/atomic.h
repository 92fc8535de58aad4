/* atomic.h - writing files so that each is either complete (and on disk) or absent (ground
 * floor: no knowledge of experiments; src/io/atomic.c). The run directory's writer is writer.h.
 *
 * A file is written under a unique temporary name beside it, ".NAME.XXXXXX" (six letters or
 * digits, created exclusively, so two writers never share one), flushed and fsync'ed, and only
 * then renamed onto NAME. Every failure message names the file and the system's reason
 * (strerror), e.g. "out/metrics.csv: write error: No space left on device".
 *
 * Fault injection for the tests: when the environment variable MC_FAULT_WRITE_AFTER=N is set
 * (read once per process), every write through an mc_out after the first N bytes in all fails
 * with ENOSPC, as on a full disk. Unset, it costs one branch per buffer flush. And when
 * MC_FAULT_KILL_AFTER_RENAMES=K is set, the process kills itself (SIGKILL) right after the K-th
 * rename into place (mc_out_commit), to test resuming a run killed while it writes its final
 * files (tests/cli_resume.sh). */
#ifndef MC_IO_ATOMIC_H
#define MC_IO_ATOMIC_H

#include <stdio.h>
#include "collapse/error.h"

/* One file being written under its temporary name. */
typedef struct mc_out mc_out;

/* Creates path's temporary file (".NAME.XXXXXX" in path's folder, mode 0666 less the umask).
 * On success *out is the caller's until mc_out_free. Returns MC_OK, MC_EIO (err names the
 * temporary file and the reason) or MC_ENOMEM. */
int mc_out_open(const char *path, mc_out **out, mc_error *err);
/* Compresses what is written to o from now on into a gzip stream (io/gz.h): call it before the
 * first write. MC_OK or MC_ENOMEM. */
int mc_out_set_gzip(mc_out *o, mc_error *err);
/* The stream to write to (owned by o; do not fclose it). */
FILE *mc_out_file(const mc_out *o);
/* The final path and the temporary one (owned by o). */
const char *mc_out_path(const mc_out *o);
const char *mc_out_tmp_path(const mc_out *o);
/* MC_OK while every write so far succeeded; else MC_EIO with err naming the file and the reason
 * ("PATH: write error: REASON"). Call it after a batch of writes to stop early. */
int mc_out_check(mc_out *o, mc_error *err);
/* Flushes, fsyncs and closes the temporary file. Returns MC_OK, or MC_EIO with err naming the
 * file and the reason of the first failed write, flush, fsync or close. */
int mc_out_finish(mc_out *o, mc_error *err);
/* Renames the finished temporary file onto the final path. MC_OK or MC_EIO (reason named). */
int mc_out_commit(mc_out *o, mc_error *err);
/* Closes the stream if still open, removes the temporary file unless committed, frees o.
 * NULL is a no-op. */
void mc_out_free(mc_out *o);

/* fsync of a folder, so that the renames into it are on disk. MC_OK or MC_EIO. */
int mc_sync_dir(const char *dir, mc_error *err);
/* mkdir -p dir (an existing folder is fine). MC_OK, MC_EIO (empty name, a part that is not a
 * folder, or the reason mkdir gave) or MC_ENOMEM. */
int mc_make_dirs(const char *dir, mc_error *err);
/* Whether a file name is the temporary name of a file `base` (".base.XXXXXX", or the older
 * ".base.tmp"); base NULL: of any file, whose name is then copied into base_out (size n). */
int mc_is_temp_name(const char *name, const char *base, char *base_out, size_t n);

/* Writes what fn produces to path atomically (mc_out_open, fn, mc_out_finish, mc_out_commit,
 * then an fsync of the folder). fn returns MC_OK or a status. On failure the temporary file is
 * removed, path is untouched, and the status is returned with err naming path. */
int mc_write_atomic(const char *path, int (*fn)(FILE *f, void *user), void *user, mc_error *err);

#endif
