/* rng.c - xoshiro256** behind GSL's gsl_rng interface, and stream derivation.
 *
 * xoshiro256** (Blackman & Vigna 2021): 256-bit state, period 2^256 - 1, passes BigCrush; output
 * s1 * 5 rotl 7 * 9. The state is filled from a 64-bit key by splitmix64 (Steele et al. 2014),
 * which never yields the all-zero state. get() returns the upper 32 bits (GSL samplers assume an
 * unsigned long range; we keep max = 2^32 - 1 so integer-based GSL samplers behave as with mt19937)
 * and get_double() uses the top 53 bits: a uniform on [0, 1) with full double resolution.
 */
#include <stdint.h>
#include "collapse/rng.h"
#include "rng_internal.h"

uint64_t mc_mix64(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static void seed_state(xoshiro_state *st, uint64_t key)
{
    uint64_t x = key;
    for (int i = 0; i < 4; i++) {
        x += 0x9e3779b97f4a7c15ULL;
        st->s[i] = mc_mix64(x);
    }
}

static void xo_set(void *vstate, unsigned long seed) { seed_state(vstate, (uint64_t)seed); }
static unsigned long xo_get(void *vstate) { return (unsigned long)(next64(vstate) >> 32); }
static double xo_get_double(void *vstate) { return (double)(next64(vstate) >> 11) * 0x1.0p-53; }

static const gsl_rng_type xoshiro_type = {
    MC_RNG_NAME, 0xffffffffUL, 0, sizeof(xoshiro_state), &xo_set, &xo_get, &xo_get_double,
};
const gsl_rng_type *mc_rng_xoshiro256ss = &xoshiro_type;

uint64_t mc_stream_key(uint64_t seed, uint64_t a, uint64_t b)
{
    /* Chained mixing: distinct (seed, a, b) give keys that are unrelated bit patterns. */
    uint64_t k = mc_mix64(seed ^ 0x6a09e667f3bcc908ULL);
    k = mc_mix64(k ^ (a + 0x9e3779b97f4a7c15ULL));
    k = mc_mix64(k ^ (b + 0x3c6ef372fe94f82bULL));
    return k;
}

void mc_rng_seed(gsl_rng *r, uint64_t key) { seed_state(r->state, key); }

gsl_rng *mc_rng_alloc(uint64_t key)
{
    gsl_rng *r = gsl_rng_alloc(mc_rng_xoshiro256ss);
    if (r)
        mc_rng_seed(r, key);
    return r;
}

gsl_rng *mc_rng_local_init(mc_rng_local *l, uint64_t key)
{
    _Static_assert(sizeof l->s == sizeof(xoshiro_state), "mc_rng_local holds a xoshiro256** state");
    l->r.type = mc_rng_xoshiro256ss;
    l->r.state = l->s;
    seed_state((xoshiro_state *)(void *)l->s, key);
    return &l->r;
}

uint64_t mc_rng_u64(gsl_rng *r)
{
    if (r->type == mc_rng_xoshiro256ss)
        return next64(r->state);
    uint64_t hi = gsl_rng_uniform_int(r, 1UL << 31), mid = gsl_rng_uniform_int(r, 1UL << 31),
             lo = gsl_rng_uniform_int(r, 4);
    return hi << 33 | mid << 2 | lo;
}

uint64_t mc_rng_index(gsl_rng *r, uint64_t n)
{
    /* Lemire's nearly-divisionless method on the generator's full 64-bit output would need
     * access to it; with the GSL interface we draw 53-bit uniforms and reject the biased top. */
    if (n <= 1)
        return 0;
    if (r->type == mc_rng_xoshiro256ss) {
        return mc_xoshiro_below(r->state, n);
    }
    /* other generators: GSL's unbiased integer draw (n must fit its range) */
    return (uint64_t)gsl_rng_uniform_int(r, (unsigned long)n);
}
