/* accumulate.c - generation g trains on all data so far: the original human data plus every
 * generation's synthetic samples (Gerstgrasser et al. 2024, "Is model collapse inevitable?"). */
#include <stddef.h>
#include <stdlib.h>
#include "regime_util.h"

typedef struct state {
    void *pool;
} state;

static int init(const mc_unit *u, void **out, mc_error *err)
{
    state *s = calloc(1, sizeof *s);
    if (!s)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = u->fam->ds_copy(u->human0, &s->pool, err);
    if (r != MC_OK) {
        free(s);
        return r;
    }
    *out = s;
    return MC_OK;
}

static int assemble(const mc_unit *u, void *vs, const void **train, mc_error *err)
{
    state *s = vs;
    int r = mc_regime_add_draws(u, s->pool, u->n, err);
    *train = s->pool;
    return r;
}

static void release(const mc_unit *u, void *vs)
{
    state *s = vs;
    mc_regime_drop(u, &s->pool);
    free(s);
}

static int state_save(const mc_unit *u, const void *vs, FILE *f)
{
    return mc_regime_save_ds(u, ((const state *)vs)->pool, f);
}

static int state_load(const mc_unit *u, FILE *f, void **out, mc_error *err)
{
    return mc_regime_load_state_ds(u, f, sizeof(state), offsetof(state, pool), out, err);
}

const mc_regime_type mc_regime_accumulate = {
    .name = "accumulate",
    .description = "train on the original human data plus all synthetic data generated so far",
    .props = MC_REGIME_POOL_GROWS | MC_REGIME_DRAWS_WHOLE,
    .law = MC_LAW_ACCUMULATE,
    .init = init,
    .assemble = assemble,
    .free = release,
    .state_save = state_save,
    .state_load = state_load,
};
