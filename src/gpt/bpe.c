/* bpe.c - byte-level byte-pair encoding: learning, encoding, decoding (bpe.h). */
#include <stdlib.h>
#include <string.h>
#include "bpe.h"
#include "collapse/error.h"
#include "collapse/rng.h"

#define EMPTY_KEY UINT64_MAX

static uint64_t pair_key(uint32_t a, uint32_t b) { return (uint64_t)a << 32 | b; }

/* ---- a map from 64-bit keys to 64-bit values (open addressing, power-of-two capacity) ---- */

typedef struct u64map {
    uint64_t *key, *val;
    size_t cap, n;
} u64map;

static int map_init(u64map *m, size_t want)
{
    size_t cap = 16;
    while (cap < 2 * want)
        cap *= 2;
    m->key = malloc(cap * sizeof *m->key);
    m->val = calloc(cap, sizeof *m->val);
    m->cap = cap;
    m->n = 0;
    if (!m->key || !m->val)
        return MC_ENOMEM;
    memset(m->key, 0xff, cap * sizeof *m->key);
    return MC_OK;
}

static void map_free(u64map *m)
{
    free(m->key);
    free(m->val);
}

static void map_clear(u64map *m)
{
    memset(m->key, 0xff, m->cap * sizeof *m->key);
    m->n = 0;
}

/* The slot of k (inserted with value 0 when new). MC_ENOMEM leaves *slot unset. */
static int map_slot(u64map *m, uint64_t k, size_t *slot)
{
    if (2 * (m->n + 1) > m->cap) {
        u64map g;
        if (map_init(&g, m->cap))
            return map_free(&g), MC_ENOMEM;
        for (size_t i = 0; i < m->cap; i++)
            if (m->key[i] != EMPTY_KEY) {
                size_t j = mc_mix64(m->key[i]) & (g.cap - 1);
                while (g.key[j] != EMPTY_KEY)
                    j = (j + 1) & (g.cap - 1);
                g.key[j] = m->key[i];
                g.val[j] = m->val[i];
            }
        g.n = m->n;
        map_free(m);
        *m = g;
    }
    size_t i = mc_mix64(k) & (m->cap - 1);
    while (m->key[i] != EMPTY_KEY && m->key[i] != k)
        i = (i + 1) & (m->cap - 1);
    if (m->key[i] == EMPTY_KEY) {
        m->key[i] = k;
        m->val[i] = 0;
        m->n++;
    }
    *slot = i;
    return MC_OK;
}

/* ---- chunks ----------------------------------------------------------------------------- */

/* Length of the chunk starting at text[i] (i < len): a newline alone; else up to the next space
 * or newline, a leading space included. */
static size_t chunk_len(const uint8_t *text, size_t len, size_t i)
{
    if (text[i] == '\n')
        return 1;
    size_t j = i + 1;
    while (j < len && text[j] != ' ' && text[j] != '\n')
        j++;
    return j - i;
}

static uint64_t hash_bytes(const uint8_t *s, size_t n)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (size_t i = 0; i < n; i++) {
        h ^= s[i];
        h *= 1099511628211ull;
    }
    return mc_mix64(h ^ n);
}

/* The distinct chunks of the text (newlines skipped) as symbol arrays, with their counts. */
typedef struct chunkset {
    uint32_t *sym;      /* symbols of all chunks, chunk c at sym + start[c], len[c] of them */
    size_t *start;
    uint32_t *len;
    uint64_t *count;
    size_t n;
} chunkset;

static void chunkset_free(chunkset *c)
{
    free(c->sym), free(c->start), free(c->len), free(c->count);
}

static int chunkset_add(chunkset *c, const uint8_t *s, size_t n, size_t *nsym)
{
    c->start[c->n] = *nsym;
    c->len[c->n] = (uint32_t)n;
    c->count[c->n] = 1;
    for (size_t k = 0; k < n; k++)
        c->sym[(*nsym)++] = s[k];
    c->n++;
    return MC_OK;
}

/* Collects the distinct chunks; a hash of the bytes finds a chunk seen before (equal hashes are
 * compared byte by byte). */
static int chunkset_build(const uint8_t *text, size_t len, chunkset *c)
{
    memset(c, 0, sizeof *c);
    size_t most = len + 1; /* chunks <= bytes */
    c->sym = malloc(len * sizeof *c->sym + 1);
    c->start = malloc(most * sizeof *c->start);
    c->len = malloc(most * sizeof *c->len);
    c->count = malloc(most * sizeof *c->count);
    u64map seen;
    int rc = map_init(&seen, 1024);
    if (rc || !c->sym || !c->start || !c->len || !c->count)
        return map_free(&seen), MC_ENOMEM;
    size_t nsym = 0;
    for (size_t i = 0; i < len && !rc;) {
        size_t n = chunk_len(text, len, i);
        if (text[i] != '\n') {
            size_t slot;
            uint64_t h = hash_bytes(text + i, n);
            while (!(rc = map_slot(&seen, h, &slot)) && seen.val[slot]) {
                size_t o = seen.val[slot] - 1; /* collision: probe with the next key */
                int same = c->len[o] == n;
                for (size_t k = 0; same && k < n; k++)
                    same = c->sym[c->start[o] + k] == text[i + k];
                if (same)
                    break;
                h = mc_mix64(h + 1);
            }
            if (!rc && seen.val[slot])
                c->count[seen.val[slot] - 1]++;
            else if (!rc) {
                seen.val[slot] = c->n + 1;
                rc = chunkset_add(c, text + i, n, &nsym);
            }
        }
        i += n;
    }
    map_free(&seen);
    return rc;
}

/* Merges every non-overlapping occurrence of (a, b) in s[0..*n) into t, left to right. */
static void merge_in(uint32_t *s, uint32_t *n, uint32_t a, uint32_t b, uint32_t t)
{
    uint32_t w = 0;
    for (uint32_t r = 0; r < *n; r++) {
        if (r + 1 < *n && s[r] == a && s[r + 1] == b) {
            s[w++] = t;
            r++;
        } else
            s[w++] = s[r];
    }
    *n = w;
}

/* The most frequent pair over the chunks (ties: the smaller key); count 0 when none. */
static int best_pair(const chunkset *c, u64map *counts, uint64_t *key, uint64_t *count)
{
    map_clear(counts);
    for (size_t k = 0; k < c->n; k++) {
        const uint32_t *s = c->sym + c->start[k];
        for (uint32_t i = 0; i + 1 < c->len[k]; i++) {
            size_t slot;
            if (map_slot(counts, pair_key(s[i], s[i + 1]), &slot))
                return MC_ENOMEM;
            counts->val[slot] += c->count[k];
        }
    }
    *count = 0;
    *key = EMPTY_KEY;
    for (size_t i = 0; i < counts->cap; i++)
        if (counts->key[i] != EMPTY_KEY &&
            (counts->val[i] > *count || (counts->val[i] == *count && counts->key[i] < *key))) {
            *count = counts->val[i];
            *key = counts->key[i];
        }
    return MC_OK;
}

/* ---- the table of tokens ---------------------------------------------------------------- */

/* Fills bytes/off and the pair map from the merges. */
static int bpe_tables(mc_bpe *b)
{
    size_t total = 256;
    uint32_t *len = malloc(b->ntok * sizeof *len);
    if (!len)
        return MC_ENOMEM;
    for (uint32_t t = 0; t < b->ntok; t++) {
        len[t] = t < 256 ? 1 : len[b->merge[t - 256][0]] + len[b->merge[t - 256][1]];
        total += t < 256 ? 0 : len[t];
    }
    b->off = malloc((b->ntok + 1) * sizeof *b->off);
    b->bytes = malloc(total);
    b->pair_cap = 16;
    while (b->pair_cap < 2 * (size_t)b->ntok)
        b->pair_cap *= 2;
    b->pair_key = malloc(b->pair_cap * sizeof *b->pair_key);
    b->pair_val = malloc(b->pair_cap * sizeof *b->pair_val);
    if (!b->off || !b->bytes || !b->pair_key || !b->pair_val)
        return free(len), MC_ENOMEM;
    memset(b->pair_key, 0xff, b->pair_cap * sizeof *b->pair_key);
    b->off[0] = 0;
    for (uint32_t t = 0; t < b->ntok; t++) {
        if (t < 256)
            b->bytes[b->off[t]] = (uint8_t)t;
        else {
            uint32_t l = b->merge[t - 256][0], r = b->merge[t - 256][1];
            memcpy(b->bytes + b->off[t], b->bytes + b->off[l], len[l]);
            memcpy(b->bytes + b->off[t] + len[l], b->bytes + b->off[r], len[r]);
            uint64_t k = pair_key(l, r);
            size_t i = mc_mix64(k) & (b->pair_cap - 1);
            while (b->pair_key[i] != EMPTY_KEY)
                i = (i + 1) & (b->pair_cap - 1);
            b->pair_key[i] = k;
            b->pair_val[i] = t - 256;
        }
        b->off[t + 1] = b->off[t] + len[t];
    }
    free(len);
    return MC_OK;
}

void mc_bpe_free(mc_bpe *b)
{
    if (!b)
        return;
    free(b->merge), free(b->bytes), free(b->off), free(b->pair_key), free(b->pair_val);
    free(b);
}

/* Learns the merges into b->merge (room for vocab - 256). */
static int learn_merges(mc_bpe *b, chunkset *c, uint32_t vocab)
{
    u64map counts;
    if (map_init(&counts, 4096))
        return map_free(&counts), MC_ENOMEM;
    int rc = MC_OK;
    while (b->ntok < vocab) {
        uint64_t key, count;
        if ((rc = best_pair(c, &counts, &key, &count)) || count < 2)
            break;
        uint32_t l = (uint32_t)(key >> 32), r = (uint32_t)key;
        b->merge[b->ntok - 256][0] = l;
        b->merge[b->ntok - 256][1] = r;
        for (size_t k = 0; k < c->n; k++)
            merge_in(c->sym + c->start[k], &c->len[k], l, r, b->ntok);
        b->ntok++;
    }
    map_free(&counts);
    return rc;
}

int mc_bpe_learn(const uint8_t *text, size_t len, uint32_t vocab, mc_bpe **out)
{
    *out = NULL;
    mc_bpe *b = calloc(1, sizeof *b);
    if (!b)
        return MC_ENOMEM;
    b->ntok = 256;
    b->merge = malloc(((vocab > 256 ? vocab - 256 : 0) + 1) * sizeof *b->merge);
    chunkset c;
    int rc = b->merge ? chunkset_build(text, len, &c) : MC_ENOMEM;
    if (!rc)
        rc = learn_merges(b, &c, vocab);
    if (b->merge)
        chunkset_free(&c);
    if (!rc)
        rc = bpe_tables(b);
    if (rc) {
        mc_bpe_free(b);
        return rc;
    }
    *out = b;
    return MC_OK;
}

/* ---- encoding and decoding -------------------------------------------------------------- */

/* Merge index of (a, b), or UINT32_MAX. */
static uint32_t rank_of(const mc_bpe *b, uint32_t l, uint32_t r)
{
    uint64_t k = pair_key(l, r);
    for (size_t i = mc_mix64(k) & (b->pair_cap - 1); b->pair_key[i] != EMPTY_KEY;
         i = (i + 1) & (b->pair_cap - 1))
        if (b->pair_key[i] == k)
            return b->pair_val[i];
    return UINT32_MAX;
}

/* Encodes one chunk in place: s holds its bytes as tokens; returns the tokens left. */
static uint32_t encode_chunk(const mc_bpe *b, uint32_t *s, uint32_t n)
{
    for (;;) {
        uint32_t best = UINT32_MAX;
        for (uint32_t i = 0; i + 1 < n; i++) {
            uint32_t k = rank_of(b, s[i], s[i + 1]);
            best = k < best ? k : best;
        }
        if (best == UINT32_MAX)
            return n;
        merge_in(s, &n, b->merge[best][0], b->merge[best][1], 256 + best);
    }
}

size_t mc_bpe_encode(const mc_bpe *b, const uint8_t *text, size_t len, uint32_t *out)
{
    size_t w = 0;
    for (size_t i = 0; i < len;) {
        size_t n = chunk_len(text, len, i);
        size_t at = w;
        for (size_t k = 0; k < n; k++)
            out[w++] = text[i + k];
        /* a chunk of 2^32 bytes or more is encoded in pieces (no merge spans them) */
        for (size_t p = at; p < w;) {
            uint32_t m = (uint32_t)(w - p < UINT32_MAX ? w - p : UINT32_MAX);
            uint32_t got = encode_chunk(b, out + p, m);
            memmove(out + p + got, out + p + m, (w - p - m) * sizeof *out);
            w -= m - got;
            p += got;
        }
        i += n;
    }
    return w;
}

size_t mc_bpe_decode(const mc_bpe *b, const uint32_t *tok, size_t n, uint8_t *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t l = mc_bpe_len(b, tok[i]);
        memcpy(out + w, mc_bpe_bytes(b, tok[i]), l);
        w += l;
    }
    return w;
}
