/* gpt_state.h - the gpt family's model in a checkpoint (private to src/families/gpt.c and
 * gpt_state.c): the model_save and model_load slots of include/collapse/family.h. */
#ifndef MC_GPT_STATE_H
#define MC_GPT_STATE_H

#include <stdio.h>
#include "collapse/error.h"

int mc_gpt_model_save(const void *params, const void *model, FILE *f);
int mc_gpt_model_load(const void *params, void *model, FILE *f, mc_error *err);

#endif
