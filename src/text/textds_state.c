/* textds_state.c - a text dataset in a checkpoint (textds_state.h): its sentence and token
 * counts, the sentences' starts, the tokens and the human flags, as they are in memory. */
#include <stdint.h>
#include <stdlib.h>
#include "ngram/ngram.h"
#include "text/textds_state.h"

int mc_text_ds_save(const void *vd, FILE *f)
{
    const mc_ngram_ds *d = vd;
    uint64_t head[2] = {d->nsent, d->ntok};
    int ok = fwrite(head, sizeof head, 1, f) == 1 &&
             fwrite(d->start, sizeof *d->start, d->nsent + 1, f) == d->nsent + 1 &&
             fwrite(d->tok, sizeof *d->tok, d->ntok, f) == d->ntok &&
             fwrite(d->human, 1, d->nsent, f) == d->nsent;
    return ok ? MC_OK : MC_EIO;
}

/* The starts, tokens and flags of a dataset of head[0] sentences and head[1] tokens from f,
 * checked (starts rising from 0 to the tokens, flags 0 or 1), pushed into ds. */
static int read_sentences(FILE *f, const uint64_t head[2], mc_ngram_ds *ds, mc_error *err)
{
    uint64_t *start = malloc(sizeof *start * (head[0] + 1));
    uint32_t *tok = malloc(sizeof *tok * (head[1] ? head[1] : 1));
    uint8_t *human = malloc(head[0] ? head[0] : 1);
    int r = start && tok && human ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    if (r == MC_OK && (fread(start, sizeof *start, head[0] + 1, f) != head[0] + 1 ||
                       fread(tok, sizeof *tok, head[1], f) != head[1] ||
                       fread(human, 1, head[0], f) != head[0]))
        r = mc_error_set(err, MC_EIO, "text dataset: cut short");
    if (r == MC_OK && (start[0] != 0 || start[head[0]] != head[1]))
        r = mc_error_set(err, MC_EIO, "text dataset: sentence starts do not fit its tokens");
    for (uint64_t s = 0; r == MC_OK && s < head[0]; s++) {
        if (start[s + 1] < start[s] || human[s] > 1)
            r = mc_error_set(err, MC_EIO, "text dataset: a sentence out of order");
        else if (mc_ngram_ds_push(ds, tok + start[s], (size_t)(start[s + 1] - start[s]),
                                  human[s]))
            r = mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    free(start);
    free(tok);
    free(human);
    return r;
}

int mc_text_ds_load(const void *params, const void *world, FILE *f, void **out, mc_error *err)
{
    (void)params, (void)world;
    uint64_t head[2];
    if (fread(head, sizeof head, 1, f) != 1 || head[0] > ((uint64_t)1 << 40) ||
        head[1] > ((uint64_t)1 << 42))
        return mc_error_set(err, MC_EIO, "text dataset: not a dataset");
    mc_ngram_ds *ds = mc_ngram_ds_alloc();
    if (!ds)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = read_sentences(f, head, ds, err);
    if (r != MC_OK) {
        mc_ngram_ds_free(ds);
        return r;
    }
    *out = ds;
    return MC_OK;
}
