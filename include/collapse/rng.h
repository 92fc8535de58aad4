/* rng.h - the one documented generator and how streams are derived.
 *
 * Generator: xoshiro256** (Blackman & Vigna, "Scrambled linear pseudorandom number generators",
 * ACM TOMS 2021), exposed as a gsl_rng_type so that every GSL sampler can use it. Its 256-bit
 * state is filled from one 64-bit key by splitmix64 (Steele, Lea & Flood, OOPSLA 2014), so two
 * streams never share a seed the way 32-bit-seeded generators (mt19937) would after ~10^5 streams.
 *
 * Streams: the key of a unit of work is a hash of (seed, grid point, replicate); results therefore
 * depend only on those three numbers, never on the thread that ran the unit or the order of units.
 */
#ifndef COLLAPSE_RNG_H
#define COLLAPSE_RNG_H

#include <stdint.h>
#include <gsl/gsl_rng.h>

#define MC_RNG_NAME "xoshiro256**"

/* The generator type; use with gsl_rng_alloc(mc_rng_xoshiro256ss). */
extern const gsl_rng_type *mc_rng_xoshiro256ss;

/* splitmix64 finaliser: a bijective 64-bit mix. */
uint64_t mc_mix64(uint64_t x);

/* Key of the stream for (seed, a, b): e.g. (seed, point, replicate). */
uint64_t mc_stream_key(uint64_t seed, uint64_t a, uint64_t b);

/* Allocates a generator seeded with the full 64-bit key; NULL when out of memory.
 * The caller frees it with gsl_rng_free(). */
gsl_rng *mc_rng_alloc(uint64_t key);

/* Reseeds an existing mc_rng_xoshiro256ss generator with a 64-bit key. */
void mc_rng_seed(gsl_rng *r, uint64_t key);

/* A generator that lives in the caller's storage (no allocation, cannot fail), for the many
 * short streams of rows drawn on demand: mc_rng_local_init(&l, key) seeds it with a 64-bit key and
 * returns the gsl_rng to pass to GSL samplers, valid while l is. */
typedef struct mc_rng_local {
    gsl_rng r;
    uint64_t s[4];
} mc_rng_local;
gsl_rng *mc_rng_local_init(mc_rng_local *l, uint64_t key);

/* 64 uniformly random bits (the generator's whole output for xoshiro256**; two draws otherwise). */
uint64_t mc_rng_u64(gsl_rng *r);

/* Index of a uniformly chosen element of [0, n), n >= 1, with no modulo bias; n may exceed 2^32. */
uint64_t mc_rng_index(gsl_rng *r, uint64_t n);

#endif
