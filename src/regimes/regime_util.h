/* regime_util.h - small pieces the regimes share (private to libcollapse). */
#ifndef MC_REGIME_UTIL_H
#define MC_REGIME_UTIL_H

#include <stdlib.h>
#include "collapse/regime.h"
#include "collapse/curate.h"

/* Frees *ds (if any) through the unit's family and sets it to NULL. */
static inline void mc_regime_drop(const mc_unit *u, void **ds)
{
    if (*ds)
        u->fam->ds_free(*ds);
    *ds = NULL;
}

/* Adds k draws of the previous model to ds. */
static inline int mc_regime_add_draws(const mc_unit *u, void *ds, uint64_t k, mc_error *err)
{
    void *synth = NULL;
    int r = mc_unit_draw_model(u, k, &synth, err); /* curated when regime.select is set */
    if (r == MC_OK)
        r = u->fam->ds_merge(ds, synth, err);
    mc_regime_drop(u, &synth);
    return r;
}

/* Tops train up to u->n samples with draws of the previous model (nothing when it is full). */
static inline int mc_regime_top_up(const mc_unit *u, void *train, mc_error *err)
{
    uint64_t have = u->fam->ds_size(train);
    return have >= u->n ? MC_OK : mc_regime_add_draws(u, train, u->n - have, err);
}

/* Checkpoints inside a unit (regime.h's state_save / state_load): a dataset of the state
 * through the family's ds_save and ds_load. */
static inline int mc_regime_save_ds(const mc_unit *u, const void *ds, FILE *f)
{
    return u->fam->ds_save(ds, f);
}
static inline int mc_regime_load_ds(const mc_unit *u, FILE *f, void **ds, mc_error *err)
{
    return u->fam->ds_load(u->params, u->world, f, ds, err);
}
/* A state of size bytes whose one lasting dataset sits at offset (offsetof(state, pool)), the
 * rest zero, loaded into *out; nothing is left allocated on failure. */
static inline int mc_regime_load_state_ds(const mc_unit *u, FILE *f, size_t size, size_t offset,
                                          void **out, mc_error *err)
{
    char *s = calloc(1, size);
    if (!s)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = mc_regime_load_ds(u, f, (void **)(s + offset), err);
    if (r != MC_OK) {
        free(s);
        return r;
    }
    *out = s;
    return MC_OK;
}
/* A state whose every dataset the next assemble replaces: nothing to save. */
static inline int mc_regime_save_nothing(const mc_unit *u, const void *state, FILE *f)
{
    (void)u, (void)state, (void)f;
    return MC_OK;
}

#endif
