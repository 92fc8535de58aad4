/* fuzz_data.c - libFuzzer harness of the data readers: the word-frequency table reader
 * (src/families/freqtable.c) and the corpus reader (src/ngram/corpus.c).
 *
 * Input: byte 0 chooses the reader and byte 1 its options; the rest is the file's content.
 *   byte 0 % 5: 0 table.json, 1 table.csv, 2 table.tsv (byte 1 % 4: `top`, 0 = all),
 *               3 one corpus file, 4 a corpus folder: the parts of the content separated by
 *               lines "%%%" become the files cats.txt (Brown's index: "NAME GENRE" lines),
 *               ca01, ca02, ...
 *   corpus byte 1: bits 0-1 the format (auto, plain, brown), bit 2 lowercase, bit 3 a short
 *               line limit (64 bytes) instead of the default; for a folder, bit 4: no cats.txt
 *               (the parts are ca00, ca01, ...; no content: an empty folder).
 * A read corpus is also split (heldout 0.2, reserve 0.1). Promises checked besides the
 * sanitizers': a refusal says why; a table's counts are finite and > 0 and its words distinct
 * in number from 1 to n; a corpus's token ids are below its number of types. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"
#include "families/freqtable.h"
#include "ngram/corpus.h"
#include "fuzz_util.h"

static void check_table(const mc_freqtable *t, size_t top)
{
    if (t->n == 0 || (top && t->n > top))
        abort();
    for (size_t i = 0; i < t->n; i++)
        if (!t->words[i] || !(t->counts[i] > 0) || !isfinite(t->counts[i]))
            abort();
}

static void read_table(const char *dir, const char *ext, const uint8_t *d, size_t n, size_t top)
{
    char name[32];
    snprintf(name, sizeof name, "table.%s", ext);
    const char *path = fuzz_write(dir, name, d, n);
    mc_freqtable t = {0};
    mc_error err = {0};
    int r = mc_freqtable_read(path, top, &t, &err);
    if (r != MC_OK && !err.msg[0])
        abort();
    if (r == MC_OK)
        check_table(&t, top);
    mc_freqtable_free(&t);
}

static void check_corpus(const mc_corpus *c)
{
    for (uint64_t i = 0; i < c->ntok; i++)
        if (c->tok[i] >= c->ntypes)
            abort();
    if (c->sent[c->nsent] != c->ntok || c->doc[c->ndocs] != c->nsent)
        abort();
    uint8_t *part = malloc(c->ndocs ? c->ndocs : 1);
    mc_error err = {0};
    if (part && mc_corpus_split(c, 0.2, 0.1, 1, part, &err) != MC_OK && !err.msg[0])
        abort();
    free(part);
}

static void read_corpus(const char *path, uint8_t opt)
{
    if (!path)
        return;
    mc_corpus_opts o = {(mc_corpus_format)(opt & 3) % 3, (opt >> 2) & 1, (opt & 8) ? 64 : 0};
    mc_corpus *c = NULL;
    mc_error err = {0};
    int r = mc_corpus_read(path, &o, &c, &err);
    if (r != MC_OK && !err.msg[0])
        abort();
    if (r == MC_OK)
        check_corpus(c);
    mc_corpus_free(c);
}

/* The parts of the content as cats.txt (unless no_index), ca01, ca02, ... in a fresh folder;
 * no_index and no content: an empty folder. */
static const char *write_folder(const char *dir, const uint8_t *d, size_t n, int no_index)
{
    const char *folder = fuzz_folder(dir, "corpus");
    const char *p = (const char *)d, *end = p + n, *part;
    size_t len;
    if (no_index && n == 0 && fuzz_skip("empty-folder"))
        return NULL; /* MC_FUZZ_SKIP=empty-folder: issue 13's defect 7, qsort(NULL, 0) */
    if (no_index && n == 0)
        return folder;
    for (int i = 0; i < 16 && (len = fuzz_part(&p, end, &part)) != (size_t)-1; i++) {
        char name[16];
        if (i == 0 && !no_index)
            snprintf(name, sizeof name, "cats.txt");
        else
            snprintf(name, sizeof name, "ca%02d", i);
        fuzz_write(folder, name, part, len);
    }
    return folder;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    const char *dir = fuzz_scratch();
    uint8_t mode = data[0] % 5, opt = data[1];
    data += 2;
    size -= 2;
    static const char *const EXT[] = {"json", "csv", "tsv"};
    if (mode < 3)
        read_table(dir, EXT[mode], data, size, opt % 4);
    else if (mode == 3)
        read_corpus(fuzz_write(dir, "corpus.txt", data, size), opt);
    else
        read_corpus(write_folder(dir, data, size, (opt >> 4) & 1), opt);
    return 0;
}
