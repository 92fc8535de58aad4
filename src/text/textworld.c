/* textworld.c - a corpus split into training, held-out and reserve text with a word vocabulary
 * fixed by the training split (textworld.h). */
#include <stdlib.h>
#include <string.h>
#include "textworld.h"

void mc_textworld_free(mc_textworld *w)
{
    if (!w)
        return;
    mc_corpus_free(w->corpus);
    free(w->id_type);
    mc_ngram_ds_free(w->train);
    mc_ngram_ds_free(w->heldout);
    mc_ngram_ds_free(w->reserve);
    free(w->train_count);
    free(w->heldout_oov);
    free(w->part);
    free(w);
}

/* Vocabulary: the training split's word types in order of first occurrence get ids from
 * MC_NGRAM_FIRST_WORD on; every other type maps to <unk>. Fills type_id (c->ntypes), w->nids and
 * the number of training documents. */
static void world_vocabulary(mc_textworld *w, const mc_corpus *c, const uint8_t *part,
                             uint32_t *type_id)
{
    for (size_t t = 0; t < c->ntypes; t++)
        type_id[t] = MC_NGRAM_UNK;
    uint32_t nids = MC_NGRAM_FIRST_WORD;
    for (size_t d = 0; d < c->ndocs; d++) {
        if (part[d] != MC_SPLIT_TRAIN)
            continue;
        for (uint64_t t = c->sent[c->doc[d]]; t < c->sent[c->doc[d + 1]]; t++)
            if (type_id[c->tok[t]] == MC_NGRAM_UNK)
                type_id[c->tok[t]] = nids++;
        w->ndocs[MC_SPLIT_TRAIN]++;
    }
    w->nids = nids;
}

/* The three datasets of human sentences, in word ids, document by document into the part the
 * split gave each; and the inverse map id -> corpus type. MC_OK or MC_ENOMEM. */
static int world_datasets(mc_textworld *w, const mc_corpus *c, const uint8_t *part,
                          const uint32_t *type_id)
{
    w->id_type = malloc(w->nids * sizeof *w->id_type);
    w->train_count = calloc(w->nids, sizeof *w->train_count);
    w->train = mc_ngram_ds_alloc();
    w->heldout = mc_ngram_ds_alloc();
    w->reserve = mc_ngram_ds_alloc();
    uint32_t *buf = NULL;
    size_t bufcap = 0;
    int rc = (w->id_type && w->train_count && w->train && w->heldout && w->reserve) ? MC_OK
                                                                                    : MC_ENOMEM;
    for (uint32_t i = 0; !rc && i < MC_NGRAM_FIRST_WORD; i++)
        w->id_type[i] = UINT32_MAX;
    for (size_t t = 0; !rc && t < c->ntypes; t++)
        if (type_id[t] != MC_NGRAM_UNK)
            w->id_type[type_id[t]] = (uint32_t)t;
    for (size_t d = 0; !rc && d < c->ndocs; d++) {
        mc_ngram_ds *ds = part[d] == MC_SPLIT_TRAIN ? w->train
                          : part[d] == MC_SPLIT_HELDOUT ? w->heldout : w->reserve;
        if (part[d] != MC_SPLIT_TRAIN)
            w->ndocs[part[d]]++;
        for (uint64_t s = c->doc[d]; !rc && s < c->doc[d + 1]; s++) {
            size_t len = (size_t)(c->sent[s + 1] - c->sent[s]);
            if (len > bufcap) {
                uint32_t *nb = realloc(buf, len * sizeof *nb);
                if (!nb) {
                    rc = MC_ENOMEM;
                    break;
                }
                buf = nb;
                bufcap = len;
            }
            for (size_t i = 0; i < len; i++)
                buf[i] = type_id[c->tok[c->sent[s] + i]];
            rc = mc_ngram_ds_push(ds, buf, len, 1);
        }
    }
    free(buf);
    return rc;
}

/* Occurrences of each word id in the training split, and the rare types (1..5 occurrences). */
static void world_counts(mc_textworld *w)
{
    for (uint64_t t = 0; t < w->train->ntok; t++)
        w->train_count[w->train->tok[t]]++;
    for (uint32_t i = MC_NGRAM_FIRST_WORD; i < w->nids; i++)
        w->nrare += w->train_count[i] <= 5;
}

/* The held-out text as bytes (textbpb.h): its length, and the words outside the vocabulary
 * that a word-level model must spell out. MC_OK or MC_ENOMEM. */
static int world_heldout_bytes(mc_textworld *w, const mc_corpus *c, const uint8_t *part,
                               const uint32_t *type_id)
{
    uint64_t noov = 0;
    for (uint64_t t = 0; t < w->heldout->ntok; t++)
        noov += w->heldout->tok[t] == MC_NGRAM_UNK;
    w->heldout_oov = malloc((size_t)(noov ? noov : 1) * sizeof *w->heldout_oov);
    if (!w->heldout_oov)
        return MC_ENOMEM;
    for (size_t d = 0; d < c->ndocs; d++) {
        if (part[d] != MC_SPLIT_HELDOUT)
            continue;
        for (uint64_t s = c->doc[d]; s < c->doc[d + 1]; s++) {
            for (uint64_t t = c->sent[s]; t < c->sent[s + 1]; t++) {
                const char *word = mc_corpus_type(c, c->tok[t]);
                w->heldout_bytes += (double)strlen(word) + (t > c->sent[s]);
                if (type_id[c->tok[t]] == MC_NGRAM_UNK)
                    w->heldout_oov[w->nheldout_oov++] = c->tok[t];
            }
            w->heldout_bytes += 1;
        }
    }
    return MC_OK;
}

int mc_textworld_create(const char *path, const mc_textworld_opts *o, mc_textworld **out,
                        int *split_failed, mc_error *err)
{
    *split_failed = 0;
    mc_corpus_opts co = {o->format, o->lowercase, 0};
    mc_corpus *c = NULL;
    int rc = mc_corpus_read(path, &co, &c, err);
    if (rc)
        return rc;
    mc_textworld *w = calloc(1, sizeof *w);
    uint8_t *part = malloc(c->ndocs);
    uint32_t *type_id = malloc(c->ntypes * sizeof *type_id);
    if (!w || !part || !type_id) {
        free(w), free(part), free(type_id);
        mc_corpus_free(c);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    w->corpus = c;
    rc = mc_corpus_split(c, o->heldout, o->reserve, o->split_seed, part, err);
    if (rc) {
        *split_failed = 1;
        goto fail;
    }
    world_vocabulary(w, c, part, type_id);
    if (world_datasets(w, c, part, type_id) || world_heldout_bytes(w, c, part, type_id)) {
        rc = mc_error_set(err, MC_ENOMEM, "out of memory");
        goto fail;
    }
    world_counts(w);
    w->part = part;
    free(type_id);
    *out = w;
    return MC_OK;
fail:
    if (w && w->part != part)
        free(part);
    free(type_id);
    mc_textworld_free(w);
    return rc;
}
