/* textds.h - the dataset operations of the text families (ngram, gpt), whose datasets are both
 * mc_ngram_ds sentences of word or token ids (private to libcollapse; src/text/textds.c). Each
 * is the family slot of the same name (include/collapse/family.h). */
#ifndef MC_TEXT_TEXTDS_H
#define MC_TEXT_TEXTDS_H

#include <stdint.h>
#include <gsl/gsl_rng.h>
#include "collapse/error.h"

int mc_text_ds_copy(const void *ds, void **out, mc_error *err);
int mc_text_ds_merge(void *into, const void *from, mc_error *err);
int mc_text_ds_subsample(gsl_rng *r, const void *pool, uint64_t n, void **out, mc_error *err);
uint64_t mc_text_ds_size(const void *ds);  /* sentences */
uint64_t mc_text_ds_human(const void *ds); /* sentences written by people */
void mc_text_ds_free(void *ds);

/* n human sentences from the finite reserve of human text: without replacement while it lasts;
 * beyond its size R, floor(n / R) whole copies and a subsample of the rest. An empty reserve
 * with n > 0 is a configuration error naming world.reserve (MC_ECONFIG). */
int mc_text_draw_reserve(gsl_rng *r, const void *reserve, uint64_t n, void **out,
                         mc_error *err);

/* Generation 0's n human sentences, a subsample without replacement of the training split; more
 * than it holds is a configuration error naming regime.n, the family and the split's size. */
int mc_text_draw_train(gsl_rng *r, const void *train, uint64_t n, const char *family, void **out,
                       mc_error *err);

#endif
