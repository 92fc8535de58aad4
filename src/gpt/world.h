/* world.h - the gpt family's world and model (private to src/families/gpt.c and its tests). */
#ifndef MC_GPT_WORLD_H
#define MC_GPT_WORLD_H

#include "gpt/bpe.h"
#include "gpt/model.h"
#include "gpt/sample.h"
#include "gpt/train.h"
#include "text/textworld.h"

typedef struct gpt_world {
    mc_textworld *text;
    mc_bpe *bpe;
    mc_ngram_ds *train, *heldout, *reserve; /* BPE ids */
} gpt_world;

typedef struct gpt_model {
    mc_gpt *net;
    mc_gpt_sampler *sampler;
    const gpt_world *w;
    int fitted;
    mc_gpt_train_stats stats;
} gpt_model;

#endif
