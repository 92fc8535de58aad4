/* categorical_state.c - the categorical family's model and datasets written to a checkpoint and
 * read back (categorical.h; collapse/family.h's model_save .. ds_load). */
#include <stdlib.h>
#include "categorical.h"

static int put(FILE *f, const void *p, size_t size, size_t n)
{
    return fwrite(p, size, n, f) == n ? MC_OK : MC_EIO;
}

static int get(FILE *f, void *p, size_t size, size_t n)
{
    return fread(p, size, n, f) == n ? MC_OK : MC_EIO;
}

int mc_cat_model_save(const void *params, const void *vm, FILE *f)
{
    (void)params;
    const cat_model *m = vm;
    uint32_t head[2] = {m->K, m->nalive};
    int r = put(f, head, sizeof *head, 2);
    if (r == MC_OK)
        r = put(f, m->p, sizeof *m->p, m->K);
    return r == MC_OK ? put(f, m->alive, sizeof *m->alive, m->nalive) : r;
}

int mc_cat_model_load(const void *params, void *vm, FILE *f, mc_error *err)
{
    (void)params;
    cat_model *m = vm;
    uint32_t head[2];
    if (get(f, head, sizeof *head, 2) || head[0] != m->K || head[1] > m->K)
        return mc_error_set(err, MC_EIO, "categorical: not a model of %u categories", m->K);
    m->nalive = head[1];
    if (get(f, m->p, sizeof *m->p, m->K) || get(f, m->alive, sizeof *m->alive, m->nalive))
        return mc_error_set(err, MC_EIO, "categorical: the model is cut short");
    for (uint32_t j = 0; j < m->nalive; j++)
        if (m->alive[j] >= m->K)
            return mc_error_set(err, MC_EIO, "categorical: a category out of range");
    return MC_OK;
}

int mc_cat_ds_save(const void *vd, FILE *f)
{
    const cat_ds *d = vd;
    uint64_t head[3] = {d->K, d->n, d->nh};
    int r = put(f, head, sizeof *head, 3);
    if (r == MC_OK)
        r = put(f, d->c, sizeof *d->c, d->K);
    return r == MC_OK ? put(f, d->ch, sizeof *d->ch, d->K) : r;
}

int mc_cat_ds_load(const void *params, const void *world, FILE *f, void **out, mc_error *err)
{
    (void)params;
    uint32_t K = mc_cat_world_k(world);
    uint64_t head[3];
    if (get(f, head, sizeof *head, 3) || head[0] != K || head[2] > head[1])
        return mc_error_set(err, MC_EIO, "categorical: not a dataset of %u categories", K);
    cat_ds *d = calloc(1, sizeof *d);
    if (d) {
        d->c = malloc(sizeof *d->c * K);
        d->ch = malloc(sizeof *d->ch * K);
    }
    int r = d && d->c && d->ch ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    if (r == MC_OK && (get(f, d->c, sizeof *d->c, K) || get(f, d->ch, sizeof *d->ch, K)))
        r = mc_error_set(err, MC_EIO, "categorical: the dataset is cut short");
    if (r != MC_OK) {
        if (d)
            free(d->c), free(d->ch);
        free(d);
        return r;
    }
    d->K = K;
    d->n = head[1];
    d->nh = head[2];
    *out = d;
    return MC_OK;
}
