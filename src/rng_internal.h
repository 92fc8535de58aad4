/* rng_internal.h - the xoshiro256** step (rng.c), inline for the samplers' inner loops.
 * The same numbers as mc_rng_u64 and mc_rng_index, without a call per draw. */
#ifndef COLLAPSE_RNG_INTERNAL_H
#define COLLAPSE_RNG_INTERNAL_H

#include <stdint.h>
#include "collapse/rng.h"

typedef struct {
    uint64_t s[4];
} xoshiro_state;

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static inline uint64_t next64(xoshiro_state *st)
{
    uint64_t *s = st->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* mc_rng_u64 inline: xoshiro256** directly, any other generator through the call */
static inline uint64_t mc_rng_u64_inline(gsl_rng *r)
{
    return r->type == mc_rng_xoshiro256ss ? next64(r->state) : mc_rng_u64(r);
}

/* a uniform integer in [0, n), n >= 1, from xoshiro256** (Lemire's multiply-shift; the modulo
 * that sets the rejection threshold is computed only when a draw lands near it, which takes the
 * same decisions as computing it always) */
static inline uint64_t mc_xoshiro_below(xoshiro_state *st, uint64_t n)
{
    __uint128_t m = (__uint128_t)next64(st) * n;
    if ((uint64_t)m < n) {
        uint64_t threshold = (0 - n) % n; /* 2^64 mod n */
        while ((uint64_t)m < threshold)
            m = (__uint128_t)next64(st) * n;
    }
    return (uint64_t)(m >> 64);
}

#endif
