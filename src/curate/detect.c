/* detect.c - a detector of machine-made data between the assembled training set and the fit
 * (collapse/curate.h; docs/WEB.md). Every sample knows whether it is human-made; the detector
 * drops a synthetic sample with probability TPR and a human one with probability FPR (the
 * family's ds_thin slot). With regime.detector_refill the set is topped back up to its assembled
 * size from the same mix: each top-up of m samples is Binomial(m, h) new human samples from the
 * world and the rest new samples of the previous model (curated when regime.select is set), h
 * the human share of the assembled set, and passes the detector too. So the expected human share
 * of what is trained on is h (1 - FPR) / (h (1 - FPR) + (1 - h) (1 - TPR)), refilled or not.
 */
#include <stdlib.h>
#include "collapse.h"
#include "collapse/randist.h"

/* Top-up rounds before a set that the detector keeps emptying counts as impossible to fill
 * (each round keeps a fraction rho of what it draws, so this only trips for rho ~ 0). */
#define MAX_ROUNDS 100000

/* *out = what of ds passes the detector; the tally counts both. */
int mc_detect_thin(const mc_unit *u, const void *ds, void **out, mc_error *err)
{
    const mc_curation *c = &u->point->curation;
    const mc_family_type *f = u->fam;
    int r = f->ds_thin(u->rng, ds, 1.0 - c->fpr, 1.0 - c->tpr, out, err);
    if (r == MC_OK && u->tally) {
        uint64_t nh = f->ds_human(ds), kh = f->ds_human(*out);
        u->tally->human_in += (double)nh;
        u->tally->synth_in += (double)(f->ds_size(ds) - nh);
        u->tally->human_kept += (double)kh;
        u->tally->synth_kept += (double)(f->ds_size(*out) - kh);
    }
    return r;
}

/* m new samples of the mix (Binomial(m, h) human, the rest the model's) into *out. */
static int draw_mix(const mc_unit *u, double h, uint64_t m, void **out, mc_error *err)
{
    const mc_family_type *f = u->fam;
    uint64_t kh = mc_ran_binomial(u->rng, h, m);
    void *synth = NULL;
    int r = kh ? f->draw_world(u->rng, u->params, u->world, kh, out, err) : MC_OK;
    if (r == MC_OK && m > kh)
        r = mc_unit_draw_model(u, m - kh, &synth, err);
    if (r == MC_OK && synth && !*out) {
        *out = synth;
        synth = NULL;
    } else if (r == MC_OK && synth) {
        r = f->ds_merge(*out, synth, err);
    }
    if (synth)
        f->ds_free(synth);
    return r;
}

/* Tops *set up to n with detector-passed draws of the mix h. */
static int refill(const mc_unit *u, double h, uint64_t n, void *set, mc_error *err)
{
    const mc_family_type *f = u->fam;
    const mc_curation *c = &u->point->curation;
    if (h * (1 - c->fpr) + (1 - h) * (1 - c->tpr) <= 0) {
        char where[256];
        return mc_error_set(err, MC_ECONFIG, "%s: the detector drops every sample of this "
                            "training set's mix (human share %g), so detector_refill cannot fill "
                            "it", mc_point_where(u->point, "regime", "detector_tpr", where,
                                                 sizeof where), h);
    }
    int r = MC_OK;
    for (long round = 0; r == MC_OK && f->ds_size(set) < n; round++) {
        if (round == MAX_ROUNDS)
            return mc_error_set(err, MC_ERANGE, "the detector kept too little of %ld top-ups "
                                "to refill the training set", round);
        void *batch = NULL, *passed = NULL;
        r = draw_mix(u, h, n - f->ds_size(set), &batch, err);
        if (r == MC_OK)
            r = mc_detect_thin(u, batch, &passed, err);
        if (r == MC_OK)
            r = f->ds_merge(set, passed, err);
        if (batch)
            f->ds_free(batch);
        if (passed)
            f->ds_free(passed);
    }
    return r;
}

int mc_detect_filter(const mc_unit *u, const void *train, void **out, mc_error *err)
{
    const mc_family_type *f = u->fam;
    uint64_t n = f->ds_size(train);
    double h = n ? (double)f->ds_human(train) / (double)n : 0;
    *out = NULL;
    int r = mc_detect_thin(u, train, out, err);
    if (r == MC_OK && u->point->curation.refill)
        r = refill(u, h, n, *out, err);
    if (r != MC_OK && *out) {
        f->ds_free(*out);
        *out = NULL;
    }
    return r;
}
