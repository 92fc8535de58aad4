/* bpe.h - a byte-level byte-pair encoding (private to libcollapse; the gpt family).
 *
 * Tokens 0..255 are the bytes; token 256 + i is merge i, the concatenation of two earlier tokens.
 * Text is cut into chunks before merging, as GPT-2 does: a chunk starts at the beginning, at each
 * space (which belongs to the chunk it starts: " word") and at each newline (a chunk of its own),
 * so no token spans two words. Any byte string round-trips (decode(encode(x)) = x), valid UTF-8
 * or not. The newline byte is the end-of-sentence token of the gpt family: sentences hold none.
 *
 * Learning (Sennrich et al. 2016): pair counts over the distinct chunks of the training text
 * weighted by their frequency; the most frequent adjacent pair becomes the next token, ties going
 * to the smaller (left, right) pair of ids; occurrences are merged left to right without overlap;
 * learning stops at the requested vocabulary or when no pair occurs twice. Encoding applies the
 * merges in the order they were learned (lowest rank first), as learning did.
 */
#ifndef MC_GPT_BPE_H
#define MC_GPT_BPE_H

#include <stddef.h>
#include <stdint.h>

typedef struct mc_bpe {
    uint32_t ntok;          /* 256 + merges */
    uint32_t (*merge)[2];   /* (ntok - 256) the two tokens of each merge */
    uint8_t *bytes;         /* the bytes of token t at bytes + off[t] */
    uint32_t *off;          /* (ntok + 1) */
    uint64_t *pair_key;     /* open-addressing map (left, right) -> merge index */
    uint32_t *pair_val;
    size_t pair_cap;
} mc_bpe;

/* Learns up to vocab - 256 merges (vocab >= 256) from text[0..len) (sentences separated by
 * newlines). MC_OK or MC_ENOMEM; *out owned by the caller (mc_bpe_free). */
int mc_bpe_learn(const uint8_t *text, size_t len, uint32_t vocab, mc_bpe **out);
void mc_bpe_free(mc_bpe *b);

/* Encodes text[0..len) into out (room for len tokens: never more tokens than bytes); returns
 * the number of tokens. */
size_t mc_bpe_encode(const mc_bpe *b, const uint8_t *text, size_t len, uint32_t *out);

/* Length in bytes of token t, and its bytes. */
static inline uint32_t mc_bpe_len(const mc_bpe *b, uint32_t t) { return b->off[t + 1] - b->off[t]; }
static inline const uint8_t *mc_bpe_bytes(const mc_bpe *b, uint32_t t) { return b->bytes + b->off[t]; }

/* Decodes n tokens into out (room for the sum of their lengths); returns the bytes written. */
size_t mc_bpe_decode(const mc_bpe *b, const uint32_t *tok, size_t n, uint8_t *out);

#endif
