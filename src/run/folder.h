/* folder.h - the run folder before and after a run writes into it (private to src/run/;
 * src/run/folder.c): a default name that no other run takes, a lock that keeps two runs out of
 * one folder, and the check that it holds no other run's files (or their removal). */
#ifndef MC_RUN_FOLDER_H
#define MC_RUN_FOLDER_H

#include <stddef.h>
#include "collapse/error.h"

/* The files the writer puts in a run folder (src/run/writer.c). */
#define MC_WRITER_NFILES 6
extern const char *const mc_writer_files[MC_WRITER_NFILES];

/* The name of the lock file in a run folder; it holds the pid of the run that writes there. */
#define MC_FOLDER_LOCK ".collapse.lock"

/* Creates a new folder results/NAME-STAMP (its parents as needed), or STAMP-2, -3, ... when
 * another run took that name, and writes its path to out (size n). The folder is new and empty:
 * two runs started in the same second get two folders. MC_OK or MC_EIO. */
int mc_folder_make_new(const char *name, const char *stamp, char *out, size_t n, mc_error *err);

/* Takes the exclusive lock of folder dir (flock on dir/.collapse.lock) and writes our pid into
 * it. *fd is the lock until mc_folder_unlock. Another live run holding it: MC_EIO at once, with
 * a message naming the folder and that run's pid. A lock file left by a dead run is taken over. */
int mc_folder_lock(const char *dir, int *fd, mc_error *err);
/* Removes the lock file and releases the lock. fd < 0 is a no-op. */
void mc_folder_unlock(const char *dir, int fd);

/* Whether locked folder dir holds another run's files (the writer's files, report.html, plots/)
 * or the temporary files of a run that did not finish. None: MC_OK. Some and !force: MC_EUSAGE
 * with a message naming them. Some and force: they are removed (in plots/ only PNG and SVG
 * figures and their temporary files; nothing else is ever touched) and MC_OK, or MC_EIO when
 * one cannot be removed. */
int mc_folder_claim(const char *dir, int force, mc_error *err);

#endif
