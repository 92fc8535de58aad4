/* unit_state.h - a unit of work while it runs, and its state saved and restored between two
 * generations (private to libcollapse: src/engine.c, src/unit_state.c; docs/OUTPUTS.md
 * "Checkpoint and resume"). */
#ifndef MC_UNIT_STATE_H
#define MC_UNIT_STATE_H

#include "collapse.h"

/* One unit (point, replicate) while it runs: what carries from one generation to the next. */
typedef struct mc_unit_work {
    const mc_point *p;
    long replicate;
    uint64_t key;       /* the unit's stream key */
    gsl_rng *r;         /* the unit's stream */
    void *human0, *model, *state;
    mc_fit_opts opts;
    mc_unit_tally tally;
    mc_unit u;          /* what the regime sees (u.tally points at tally) */
    double *values;     /* (G + 1) x M */
} mc_unit_work;

/* Saves w's state after finished generation g (< G) into store: the generator, rows 0..g, the
 * model (the family's model_save) and the regime's state (state_save). MC_OK, MC_ENOMEM, MC_EIO
 * or the store's error. */
int mc_unit_state_save(const mc_unit_work *w, unsigned g, const mc_unit_store *store,
                       mc_error *err);
/* The state store keeps for w's unit, if any: *g = its generation, with w's generator, rows
 * 0..g, model (allocated, empty, on entry) and regime state restored; *g = -1 when there is
 * none (w untouched). A state that does not fit the point is refused (MC_EIO naming the unit). */
int mc_unit_state_load(mc_unit_work *w, const mc_unit_store *store, long *g, mc_error *err);

#endif
