/* accumulate_subsample.c - the pool accumulates as in `accumulate`, but each generation trains on
 * n_g points drawn uniformly without replacement from it (Kazdan et al. 2024, "Collapse or
 * thrive?"): the training budget stays fixed while the pool grows. */
#include <stddef.h>
#include <stdlib.h>
#include "regime_util.h"

typedef struct state {
    void *pool;
    void *train;
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
    mc_regime_drop(u, &s->train);
    int r = mc_regime_add_draws(u, s->pool, u->n, err);
    if (r == MC_OK)
        r = u->fam->ds_subsample(u->rng, s->pool, u->n, &s->train, err);
    *train = s->train;
    return r;
}

static void release(const mc_unit *u, void *vs)
{
    state *s = vs;
    mc_regime_drop(u, &s->pool);
    mc_regime_drop(u, &s->train);
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

const mc_regime_type mc_regime_accumulate_subsample = {
    .name = "accumulate-subsample",
    .description = "accumulate all data, train on n points drawn from the pool without replacement",
    .props = MC_REGIME_POOL_GROWS | MC_REGIME_DRAWS_SUBSAMPLED,
    .law = MC_LAW_ACCUMULATE_SUBSAMPLE,
    .init = init,
    .assemble = assemble,
    .free = release,
    .state_save = state_save,
    .state_load = state_load,
};
