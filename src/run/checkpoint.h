/* checkpoint.h - finished points kept on disk while a run goes, so that a killed run can be
 * resumed (private to src/run/; src/run/checkpoint.c; docs/OUTPUTS.md "Checkpoint and resume").
 *
 * DIR/.collapse.ckpt/ holds config.ini (the run's resolved configuration, as the writer's
 * config.ini, after a line naming the version and generator) and one file point-N.bin per
 * finished point: its raw values (R x (G + 1) x M doubles, the machine's byte order) between a
 * header (magic, the fingerprint of config.ini, N, R, G, M) and a checksum (FNV-1a 64 of all
 * before it). Every file is written under a unique temporary name, fsync'ed and renamed, and the
 * folder fsync'ed (io/atomic.h), so a kill at any moment leaves whole files or none; a point file
 * that does not check out is computed again. The values are the same bits the run computed, so
 * the run folder rewritten from them is byte for byte the folder of an uninterrupted run. */
#ifndef MC_RUN_CHECKPOINT_H
#define MC_RUN_CHECKPOINT_H

#include "collapse/experiment.h"

#define MC_CKPT_DIR ".collapse.ckpt"
/* The default least time between two saves of a unit's state (mc_run_dir_opts). */
#define MC_UNIT_CHECKPOINT_SECONDS 60.0

typedef struct mc_ckpt mc_ckpt;

/* Whether DIR holds a checkpoint (DIR/.collapse.ckpt/config.ini). */
int mc_ckpt_exists(const char *dir);
/* A new run in locked folder dir: replaces any old checkpoint, writes config.ini. MC_OK, MC_EIO,
 * MC_ENOMEM. */
int mc_ckpt_start(const char *dir, const mc_experiment *e, mc_ckpt **out, mc_error *err);
/* Resuming in locked folder dir: the stored config.ini must have been written by this version
 * and be e's configuration, else MC_EUSAGE naming what differs (no checkpoint: MC_EUSAGE). */
int mc_ckpt_resume(const char *dir, const mc_experiment *e, mc_ckpt **out, mc_error *err);
/* Point p's values from its file, if it is there and whole: 1, else 0 (as mc_restore_fn,
 * experiment.h). */
int mc_ckpt_restore(const mc_point *p, double *values, mc_ckpt *ck);
/* Saves a finished point (nothing for a point that was restored). MC_OK, MC_EIO, MC_ENOMEM. */
int mc_ckpt_save(mc_ckpt *ck, const mc_point_result *res, mc_error *err);
/* Points restored so far. */
size_t mc_ckpt_restored(const mc_ckpt *ck);
/* Removes the checkpoint's files and folder (the run is complete), and frees ck. */
int mc_ckpt_remove(mc_ckpt *ck, mc_error *err);
/* Removes DIR/.collapse.ckpt and everything the checkpoint wrote in it. MC_OK or MC_EIO. */
int mc_ckpt_discard(const char *dir, mc_error *err);
void mc_ckpt_free(mc_ckpt *ck);

/* Checkpoints inside units (src/run/checkpoint_unit.c): DIR/.collapse.ckpt/unit-P-R.bin holds
 * the state of unit (P, R) after its last saved generation, between a header (magic, the
 * fingerprint, P, R, the length) and a checksum; removed once point P's file is saved. */
/* The store of ck's unit states, a save at most every `seconds` per unit (<= 0: after every
 * generation), for mc_run_opts.units; ck must outlive it. */
void mc_ckpt_unit_store(mc_ckpt *ck, double seconds, mc_unit_store *out);
/* An MPI rank's view of the checkpoint rank 0 keeps in run folder dir (the same experiment):
 * for its unit store only. MC_OK or MC_ENOMEM. */
int mc_ckpt_attach(const char *dir, const mc_experiment *e, mc_ckpt **out, mc_error *err);
/* Unit (p, rep)'s file. */
void mc_ckpt_unit_path(const mc_ckpt *ck, const mc_point *p, long rep, char *buf, size_t n);
/* The run folder, and the fingerprint of its configuration. */
const char *mc_ckpt_run_dir(const mc_ckpt *ck);
uint64_t mc_ckpt_fingerprint(const mc_ckpt *ck);
/* FNV-1a 64 of data[0..n) continuing from h (MC_CKPT_FNV_START to begin). */
uint64_t mc_ckpt_fnv1a(const void *data, size_t n, uint64_t h);
#define MC_CKPT_FNV_START 0xcbf29ce484222325ull

#endif
