/* unit_state.c - a unit's state between two generations, as bytes for a store (unit_state.h).
 *
 * The bytes: "MCUNIT1\0", then g, G, M and the generator's state size (uint64 each), the
 * generator's state, rows 0..g ((g + 1) x M doubles), the model (the family's model_save), a
 * byte saying whether the regime has a state and that state (its state_save), and "END\0\0\0\0\0".
 * Everything else the next generation reads is a function of (seed, point, replicate, g): the
 * fit's and the metrics' streams are keyed by the generation, generation 0's human data is drawn
 * again from the unit's stream (before the saved generator replaces it). The store adds the
 * run's fingerprint and a checksum (src/run/checkpoint.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "unit_state.h"

static const char MAGIC[8] = "MCUNIT1";
static const char END[8] = "END";

static int put(FILE *f, const void *p, size_t n) { return fwrite(p, 1, n, f) == n ? MC_OK : MC_EIO; }
static int get(FILE *f, void *p, size_t n) { return fread(p, 1, n, f) == n ? MC_OK : MC_EIO; }

static int write_state(FILE *f, const mc_unit_work *w, unsigned g)
{
    const mc_point *p = w->p;
    uint64_t head[4] = {g, (uint64_t)p->run.generations, p->metrics.n, gsl_rng_size(w->r)};
    unsigned char has = w->state != NULL;
    int r = put(f, MAGIC, 8);
    if (r == MC_OK)
        r = put(f, head, sizeof head);
    if (r == MC_OK)
        r = put(f, gsl_rng_state(w->r), head[3]);
    if (r == MC_OK)
        r = put(f, w->values, sizeof(double) * (g + 1) * p->metrics.n);
    if (r == MC_OK)
        r = p->family->model_save(p->params, w->model, f);
    if (r == MC_OK)
        r = put(f, &has, 1);
    if (r == MC_OK && has)
        r = p->regime->state_save(&w->u, w->state, f);
    return r == MC_OK ? put(f, END, 8) : r;
}

int mc_unit_state_save(const mc_unit_work *w, unsigned g, const mc_unit_store *store,
                       mc_error *err)
{
    char *bytes = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&bytes, &n);
    if (!f)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = write_state(f, w, g);
    if (fclose(f) != 0 || r != MC_OK) {
        free(bytes);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a unit's checkpoint");
    }
    r = store->save(w->p, w->replicate, bytes, n, store->user, err);
    free(bytes);
    return r;
}

/* The generator, rows and model from f into w; *g the generation. MC_OK, or MC_EIO with err
 * set when the bytes do not fit the point. */
static int read_state(FILE *f, mc_unit_work *w, long *g, mc_error *err)
{
    const mc_point *p = w->p;
    char magic[8];
    uint64_t head[4];
    if (get(f, magic, 8) || memcmp(magic, MAGIC, 8) || get(f, head, sizeof head) ||
        head[0] >= (uint64_t)p->run.generations || head[1] != (uint64_t)p->run.generations ||
        head[2] != p->metrics.n || head[3] != gsl_rng_size(w->r))
        return mc_error_set(err, MC_EIO, "not a state of this point");
    if (get(f, gsl_rng_state(w->r), head[3]) ||
        get(f, w->values, sizeof(double) * (head[0] + 1) * p->metrics.n))
        return mc_error_set(err, MC_EIO, "cut short");
    *g = (long)head[0];
    w->u.generation = (unsigned)head[0];
    w->u.n = mc_point_n(p, (unsigned)head[0]);
    if (head[0] > 0)
        w->u.h = mc_point_h(p, (unsigned)head[0]);
    return p->family->model_load(p->params, w->model, f, err);
}

static int read_all(FILE *f, mc_unit_work *w, long *g, mc_error *err)
{
    int r = read_state(f, w, g, err);
    unsigned char has = 0;
    if (r == MC_OK && get(f, &has, 1))
        r = mc_error_set(err, MC_EIO, "cut short");
    if (r == MC_OK && has != (w->p->regime->init != NULL))
        r = mc_error_set(err, MC_EIO, "the regime's state does not fit");
    if (r == MC_OK && has)
        r = w->p->regime->state_load(&w->u, f, &w->state, err);
    char end[8];
    if (r == MC_OK && (get(f, end, 8) || memcmp(end, END, 8) || fgetc(f) != EOF))
        r = mc_error_set(err, MC_EIO, "bytes after the state, or its end missing");
    return r;
}

int mc_unit_state_load(mc_unit_work *w, const mc_unit_store *store, long *g, mc_error *err)
{
    *g = -1;
    void *bytes = NULL;
    size_t n = 0;
    int r = store->load(w->p, w->replicate, &bytes, &n, store->user, err);
    if (r != MC_OK || !bytes)
        return r;
    FILE *f = fmemopen(bytes, n, "rb");
    if (!f) {
        free(bytes);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    r = read_all(f, w, g, err);
    fclose(f);
    free(bytes);
    if (r != MC_OK)
        mc_error_prefix(err, "the checkpoint of replicate %ld of grid point %zu: ", w->replicate,
                        w->p->index);
    return r;
}
