/* corpus.h - a text corpus read into memory and split by document (private to libcollapse; the
 * n-gram family's data reader, src/ngram/corpus.c).
 *
 * Plain text files, a directory of them, or the Brown corpus in its tagged `word/tag` format
 * (tags stripped), read into documents of sentences of word types. One sentence per line; blank
 * lines separate paragraphs. A deterministic split by document, stratified by genre, gives
 * training, held-out and reserve documents.
 */
#ifndef MC_NGRAM_CORPUS_H
#define MC_NGRAM_CORPUS_H

#include <stddef.h>
#include <stdint.h>
#include "collapse/error.h"

typedef enum mc_corpus_format {
    MC_CORPUS_AUTO = 0, /* brown for a directory holding cats.txt, plain otherwise */
    MC_CORPUS_PLAIN,    /* whitespace-separated words, one sentence per line */
    MC_CORPUS_BROWN     /* whitespace-separated word/tag tokens; the last /tag is stripped */
} mc_corpus_format;

/* Longest accepted line in bytes (one sentence per line: Brown's longest is under 4 KiB). A
 * longer line is refused with MC_EDATA naming the file and line, before it is held in memory. */
#define MC_CORPUS_LINE_MAX ((size_t)1 << 20)

typedef struct mc_corpus_opts {
    mc_corpus_format format;
    int lowercase;   /* fold ASCII letters to lower case (other bytes are kept as they are) */
    size_t line_max; /* 0 = MC_CORPUS_LINE_MAX */
} mc_corpus_opts;

/* A corpus read into memory. Everything is owned by the struct (mc_corpus_free).
 * Documents: a directory gives one document per file (in byte order of the names; with a
 * Brown cats.txt, the files it lists, in its order); a single file gives one document per
 * paragraph (blank-line-separated block), so that a one-file corpus can still be split. */
typedef struct mc_corpus {
    size_t ntypes;        /* distinct word types */
    char *chars;          /* type strings, NUL-terminated, at chars + type_off[t] */
    size_t *type_off;     /* (ntypes) */
    uint32_t *tok;        /* (ntok) type ids of all tokens, sentence after sentence */
    uint64_t ntok;
    uint64_t *sent;       /* (nsent + 1) first token of each sentence */
    uint64_t nsent;
    uint64_t *doc;        /* (ndocs + 1) first sentence of each document */
    size_t ndocs;
    uint32_t *doc_genre;  /* (ndocs) genre index */
    char **genre;         /* (ngenres) genre names */
    size_t ngenres;
    /* private: interning table used while reading */
    uint32_t *hash;
    size_t hash_cap;
    size_t chars_len, chars_cap, types_cap;
    uint64_t tok_cap, sent_cap;
    size_t doc_cap;
} mc_corpus;

/* Reads a file or a directory. Errors (MC_EIO for a missing or unreadable path, MC_EDATA for
 * content) name the file and, for content, the line: a NUL byte ("binary file"), invalid UTF-8,
 * a line longer than line_max, no token at all ("empty corpus"). On success *out is owned by the
 * caller. */
int mc_corpus_read(const char *path, const mc_corpus_opts *opts, mc_corpus **out, mc_error *err);
void mc_corpus_free(mc_corpus *c);

/* The text of word type t. */
static inline const char *mc_corpus_type(const mc_corpus *c, size_t t)
{
    return c->chars + c->type_off[t];
}

/* Parts of a split. */
enum { MC_SPLIT_TRAIN = 0, MC_SPLIT_HELDOUT = 1, MC_SPLIT_RESERVE = 2 };

/* Splits documents deterministically into training, held-out and reserve, stratified by genre:
 * in each genre of m documents, round(heldout m) documents are held out and round(reserve m)
 * kept in reserve, chosen by the order of a keyed hash mc_stream_key(seed, genre, document);
 * the rest train. part[d] receives MC_SPLIT_* for each of c->ndocs documents. Fails (MC_EDATA)
 * when no document is left for training, or none is held out although heldout > 0. */
int mc_corpus_split(const mc_corpus *c, double heldout, double reserve, uint64_t seed,
                    uint8_t *part, mc_error *err);

#endif
