/* fresh.c - a fraction h of every training set is new human data drawn from the world, the rest
 * the previous model's samples (Bertrand et al. 2024; Alemohammad et al. 2024's "fresh data
 * loop"). In the infinite-sample limit p_{g+1} = h pi + (1 - h) T(p_g), whose fixed point the
 * tests check. */
#include <stdlib.h>
#include "regime_util.h"

typedef struct state {
    void *train;
} state;

static int init(const mc_unit *u, void **out, mc_error *err)
{
    (void)u;
    *out = calloc(1, sizeof(state));
    return *out ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
}

static int assemble(const mc_unit *u, void *vs, const void **train, mc_error *err)
{
    state *s = vs;
    mc_regime_drop(u, &s->train);
    int r = u->fam->draw_world(u->rng, u->params, u->world, mc_human_count(u->h, u->n), &s->train,
                               err);
    if (r == MC_OK)
        r = mc_regime_top_up(u, s->train, err);
    *train = s->train;
    return r;
}

static void release(const mc_unit *u, void *vs)
{
    state *s = vs;
    mc_regime_drop(u, &s->train);
    free(s);
}

static int state_load(const mc_unit *u, FILE *f, void **out, mc_error *err)
{
    (void)f;
    return init(u, out, err);
}

const mc_regime_type mc_regime_fresh = {
    .name = "fresh",
    .description = "a fraction h of each training set is new human data, the rest synthetic",
    .props = MC_REGIME_USES_H | MC_REGIME_DRAWS_WHOLE | MC_REGIME_H_IS_FRESH,
    .init = init,
    .assemble = assemble,
    .free = release,
    .state_save = mc_regime_save_nothing,
    .state_load = state_load,
};
