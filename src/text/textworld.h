/* textworld.h - a corpus split into the human text of a language-model family's world (private
 * to libcollapse; shared by the ngram and gpt families).
 *
 * The corpus (src/ngram/corpus.h) is read, split by document and stratified by genre into
 * training (generation 0's human data), held-out (the yardstick of every generation) and reserve
 * (fresh human sentences). The word vocabulary is fixed from the training split: its word types in
 * order of first occurrence get ids from MC_NGRAM_FIRST_WORD on; held-out and reserve words
 * outside it become <unk>. The three parts are datasets of word ids (src/ngram/ngram.h).
 */
#ifndef MC_TEXT_TEXTWORLD_H
#define MC_TEXT_TEXTWORLD_H

#include <stddef.h>
#include <stdint.h>
#include "collapse/error.h"
#include "ngram/corpus.h"
#include "ngram/ngram.h"

/* How a text world is read and split (the [world] keys both families share). */
typedef struct mc_textworld_opts {
    mc_corpus_format format;
    int lowercase;
    double heldout, reserve;
    uint64_t split_seed;
} mc_textworld_opts;

typedef struct mc_textworld {
    mc_corpus *corpus;
    uint32_t nids;          /* 3 + word types of the training split */
    uint32_t *id_type;      /* (nids) corpus type of a word id, UINT32_MAX for markers */
    mc_ngram_ds *train, *heldout, *reserve;
    uint32_t *train_count;  /* (nids) occurrences in the training split */
    uint64_t nrare;         /* word types with 1..5 occurrences */
    double heldout_bytes;   /* bytes of the held-out text: words joined by spaces, one per end */
    uint32_t *heldout_oov;  /* (nheldout_oov) corpus type of each held-out <unk>, in order */
    uint64_t nheldout_oov;
    size_t ndocs[3];        /* documents per part */
    uint8_t *part;          /* (corpus->ndocs) MC_SPLIT_* of each document */
} mc_textworld;

/* Reads path and builds the world. A read error is returned as mc_corpus_read gives it (the
 * caller words it with the key); a failed split as MC_EDATA with the reason (the caller prefixes
 * the key); MC_ENOMEM. *out owned by the caller (mc_textworld_free). *split_failed tells a
 * split error from a read error. */
int mc_textworld_create(const char *path, const mc_textworld_opts *o, mc_textworld **out,
                        int *split_failed, mc_error *err);
void mc_textworld_free(mc_textworld *w);

/* The text of word id i (>= MC_NGRAM_FIRST_WORD). */
static inline const char *mc_textworld_word(const mc_textworld *w, uint32_t i)
{
    return mc_corpus_type(w->corpus, w->id_type[i]);
}

#endif
