/* textds_state.h - the text families' datasets (mc_ngram_ds) written to a checkpoint and read
 * back: the ds_save and ds_load slots of include/collapse/family.h (private to libcollapse;
 * src/text/textds_state.c). */
#ifndef MC_TEXT_TEXTDS_STATE_H
#define MC_TEXT_TEXTDS_STATE_H

#include <stdio.h>
#include "collapse/error.h"

int mc_text_ds_save(const void *ds, FILE *f);
int mc_text_ds_load(const void *params, const void *world, FILE *f, void **out, mc_error *err);

#endif
