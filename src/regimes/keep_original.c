/* keep_original.c - a fraction h of every training set is a fixed subset of generation 0's human
 * data, chosen once per replicate ("keep 10 % of the original data", Shumailov et al. 2024); the
 * rest is the previous model's samples. When n grows, the fixed subset keeps its size h n_0 and
 * is subsampled if h n_g is smaller. */
#include <stddef.h>
#include <stdlib.h>
#include "regime_util.h"

typedef struct state {
    void *kept;
    void *train;
} state;

static int init(const mc_unit *u, void **out, mc_error *err)
{
    state *s = calloc(1, sizeof *s);
    if (!s)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    uint64_t n0 = u->fam->ds_size(u->human0);
    int r = u->fam->ds_subsample(u->rng, u->human0, mc_human_count(u->h, n0), &s->kept, err);
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
    uint64_t nh = mc_human_count(u->h, u->n), kept = u->fam->ds_size(s->kept);
    int r = nh >= kept ? u->fam->ds_copy(s->kept, &s->train, err)
                       : u->fam->ds_subsample(u->rng, s->kept, nh, &s->train, err);
    if (r == MC_OK)
        r = mc_regime_top_up(u, s->train, err);
    *train = s->train;
    return r;
}

static void release(const mc_unit *u, void *vs)
{
    state *s = vs;
    mc_regime_drop(u, &s->kept);
    mc_regime_drop(u, &s->train);
    free(s);
}

static int state_save(const mc_unit *u, const void *vs, FILE *f)
{
    return mc_regime_save_ds(u, ((const state *)vs)->kept, f);
}

static int state_load(const mc_unit *u, FILE *f, void **out, mc_error *err)
{
    return mc_regime_load_state_ds(u, f, sizeof(state), offsetof(state, kept), out, err);
}

const mc_regime_type mc_regime_keep_original = {
    .name = "keep-original",
    .description = "a fixed fraction h of generation 0's human data in every training set",
    .props = MC_REGIME_USES_H | MC_REGIME_DRAWS_WHOLE,
    .init = init,
    .assemble = assemble,
    .free = release,
    .state_save = state_save,
    .state_load = state_load,
};
