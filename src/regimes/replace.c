/* replace.c - generation g trains only on n_g samples of model g-1 (Shumailov et al. 2024). */
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
    int r = mc_unit_draw_model(u, u->n, &s->train, err);
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

const mc_regime_type mc_regime_replace = {
    .name = "replace",
    .description = "train only on the previous model's samples",
    .props = MC_REGIME_DRAWS_WHOLE,
    .law = MC_LAW_MODEL_ONLY,
    .init = init,
    .assemble = assemble,
    .free = release,
    .state_save = mc_regime_save_nothing,
    .state_load = state_load,
};
