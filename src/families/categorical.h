/* categorical.h - the categorical family's dataset and model (private to
 * src/families/categorical.c and categorical_state.c). */
#ifndef MC_CATEGORICAL_H
#define MC_CATEGORICAL_H

#include <stdint.h>
#include <stdio.h>
#include "collapse/error.h"

typedef struct cat_ds {
    uint32_t K;
    uint64_t n, nh;
    uint64_t *c, *ch; /* counts, and their human part */
} cat_ds;

typedef struct cat_model {
    uint32_t K;
    double *p;
    uint32_t *alive;
    uint32_t nalive;
    double *q;         /* scratch: the sampling distribution */
    uint32_t *order;   /* scratch: categories sorted for top-k / top-p */
} cat_model;

/* The number of categories of a world (categorical.c). */
uint32_t mc_cat_world_k(const void *world);

/* The family's checkpoint slots (collapse/family.h; categorical_state.c): a model's p and alive
 * categories (q and order are scratch, rewritten before every use), a dataset's counts. */
int mc_cat_model_save(const void *params, const void *model, FILE *f);
int mc_cat_model_load(const void *params, void *model, FILE *f, mc_error *err);
int mc_cat_ds_save(const void *ds, FILE *f);
int mc_cat_ds_load(const void *params, const void *world, FILE *f, void **out, mc_error *err);

#endif
