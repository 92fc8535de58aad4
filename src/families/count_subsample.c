/* count_subsample.c - n of a pool of counted samples without replacement (count_subsample.h). */
#include "count_subsample.h"
#include "collapse/randist.h"

uint64_t mc_count_subsample(gsl_rng *r, const uint64_t *c, const uint64_t *ch, uint64_t len,
                            uint64_t total, uint64_t n, uint64_t *out_c, uint64_t *out_ch)
{
    uint64_t rest = total, want = n, nh = 0;
    for (uint64_t i = 0; i < len && want > 0; i++) {
        uint64_t ci = c[i];
        if (!ci)
            continue;
        rest -= ci;
        uint64_t x = mc_ran_hypergeometric(r, ci, rest, want);
        uint64_t xh = mc_ran_hypergeometric(r, ch[i], ci - ch[i], x);
        out_c[i] = x;
        out_ch[i] = xh;
        nh += xh;
        want -= x;
    }
    return nh;
}
