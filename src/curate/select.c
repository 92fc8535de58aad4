/* select.c - curation of a model's samples by a verifier before they enter a training set
 * (collapse/curate.h; docs/WEB.md): `top` keeps the best 1/K of K k candidates (Feng et al.
 * 2024, selection by a verifier), `best-of` keeps one of each K by a Bradley-Terry choice with
 * probabilities proportional to exp(beta score) (Ferbach et al. 2024). The score is the family's
 * `score` slot (the log-likelihood under the world, or under a moved world: a biased verifier)
 * plus Gaussian noise (an imperfect verifier).
 *
 * Candidates are i.i.d. draws, so a dataset's own order (a count vector lists its samples by
 * category) is one order of an i.i.d. sample: `top` breaks ties by a uniform key per candidate
 * and best-of forms its groups from a random permutation, so neither depends on that order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "collapse.h"

typedef struct cand {
    double score, tie;
    uint64_t i;
} cand;

static int by_score_desc(const void *va, const void *vb)
{
    const cand *a = va, *b = vb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    if (a->tie != b->tie)
        return a->tie < b->tie ? -1 : 1;
    return (a->i > b->i) - (a->i < b->i);
}

static int by_index(const void *va, const void *vb)
{
    uint64_t a = *(const uint64_t *)va, b = *(const uint64_t *)vb;
    return (a > b) - (a < b);
}

/* truth[i]: candidate i's log-likelihood under the world; seen[i]: what the verifier scores it
 * (under the moved world when biased, plus its noise). */
static int score_candidates(const mc_unit *u, const void *cands, uint64_t m, double *truth,
                            double *seen, mc_error *err)
{
    const mc_curation *c = &u->point->curation;
    int r = u->fam->score(u->params, u->world, 0.0, cands, truth, err);
    if (r == MC_OK && c->bias != 0.0)
        r = u->fam->score(u->params, u->world, c->bias, cands, seen, err);
    else if (r == MC_OK)
        memcpy(seen, truth, sizeof *seen * m);
    if (r == MC_OK && c->noise > 0.0)
        for (uint64_t i = 0; i < m; i++)
            seen[i] += gsl_ran_gaussian_ziggurat(u->rng, c->noise);
    return r;
}

/* The k best of m scores, ties at random, into idx (increasing). */
static int pick_top(const mc_unit *u, const double *seen, uint64_t m, uint64_t k, uint64_t *idx)
{
    cand *c = malloc(sizeof *c * m);
    if (!c)
        return MC_ENOMEM;
    for (uint64_t i = 0; i < m; i++)
        c[i] = (cand){seen[i], gsl_rng_uniform(u->rng), i};
    qsort(c, m, sizeof *c, by_score_desc);
    for (uint64_t j = 0; j < k; j++)
        idx[j] = c[j].i;
    free(c);
    qsort(idx, k, sizeof *idx, by_index);
    return MC_OK;
}

/* One of the K candidates of group g: P(j) ~ exp(beta s_j); uniform when every score is -inf. */
static uint64_t choose_one(gsl_rng *r, const double *seen, const uint64_t *group, uint64_t K,
                           double beta, double *w)
{
    double mx = -INFINITY, total = 0;
    for (uint64_t j = 0; j < K; j++)
        if (seen[group[j]] > mx)
            mx = seen[group[j]];
    if (mx == -INFINITY)
        return group[gsl_rng_uniform_int(r, K)];
    for (uint64_t j = 0; j < K; j++) {
        w[j] = exp(beta * (seen[group[j]] - mx)); /* 0 for a score of -inf */
        total += w[j];
    }
    double x = gsl_rng_uniform(r) * total;
    for (uint64_t j = 0; j < K; j++) {
        if (x < w[j])
            return group[j];
        x -= w[j];
    }
    for (uint64_t j = K; j-- > 0;) /* rounding left x >= 0 past the end: the last positive */
        if (w[j] > 0)
            return group[j];
    return group[K - 1];
}

/* k groups of K from a random permutation of the m = K k candidates; one kept from each. */
static int pick_best_of(const mc_unit *u, const double *seen, uint64_t m, uint64_t k,
                        uint64_t *idx)
{
    (void)m; /* = K k */
    const mc_curation *c = &u->point->curation;
    uint64_t K = c->candidates;
    uint64_t *perm = malloc(sizeof *perm * m);
    double *w = malloc(sizeof *w * K);
    if (!perm || !w) {
        free(perm);
        free(w);
        return MC_ENOMEM;
    }
    for (uint64_t i = 0; i < m; i++)
        perm[i] = i;
    gsl_ran_shuffle(u->rng, perm, m, sizeof *perm);
    for (uint64_t g = 0; g < k; g++)
        idx[g] = choose_one(u->rng, seen, perm + g * K, K, c->beta, w);
    free(perm);
    free(w);
    qsort(idx, k, sizeof *idx, by_index);
    return MC_OK;
}

/* Adds what one selection did to the generation's tally. */
static void tally_selection(const mc_unit *u, const double *truth, uint64_t m, const uint64_t *idx,
                            uint64_t k)
{
    if (!u->tally)
        return;
    double before = 0, after = 0;
    for (uint64_t i = 0; i < m; i++)
        before += truth[i];
    for (uint64_t j = 0; j < k; j++)
        after += truth[idx[j]];
    u->tally->drawn += (double)m;
    u->tally->kept += (double)k;
    u->tally->score_before += before;
    u->tally->score_after += after;
}

int mc_curate_select(const mc_unit *u, const void *cands, uint64_t k, void **out, mc_error *err)
{
    const mc_family_type *f = u->fam;
    uint64_t m = f->ds_size(cands);
    if (k > m)
        return mc_error_set(err, MC_EINTERNAL, "selection of %llu from %llu candidates",
                            (unsigned long long)k, (unsigned long long)m);
    double *truth = malloc(sizeof *truth * (m ? m : 1)), *seen = malloc(sizeof *seen * (m ? m : 1));
    uint64_t *idx = malloc(sizeof *idx * (k ? k : 1));
    int r = MC_OK;
    if (!truth || !seen || !idx)
        r = mc_error_set(err, MC_ENOMEM, "out of memory for %llu candidates of the selection",
                         (unsigned long long)m);
    if (r == MC_OK)
        r = score_candidates(u, cands, m, truth, seen, err);
    if (r == MC_OK) {
        int s = u->point->curation.select == MC_SELECT_TOP ? pick_top(u, seen, m, k, idx)
                                                           : pick_best_of(u, seen, m, k, idx);
        if (s != MC_OK)
            r = mc_error_set(err, s, "out of memory for the selection");
    }
    if (r == MC_OK)
        r = f->ds_pick(cands, idx, k, out, err);
    if (r == MC_OK)
        tally_selection(u, truth, m, idx, k);
    free(truth);
    free(seen);
    free(idx);
    return r;
}

int mc_unit_draw_model(const mc_unit *u, uint64_t k, void **out, mc_error *err)
{
    const mc_family_type *f = u->fam;
    const mc_curation *c = u->point ? &u->point->curation : NULL;
    if (!c || c->select == MC_SELECT_NONE || k == 0 || (u->point->regime->props & MC_REGIME_CURATES))
        return f->draw_model(u->rng, u->params, u->model, u->sampling, k, out, err);
    void *cands = NULL; /* K k candidates: bounded when the point was prepared */
    int r = f->draw_model(u->rng, u->params, u->model, u->sampling, k * c->candidates, &cands,
                          err);
    if (r == MC_OK)
        r = mc_curate_select(u, cands, k, out, err);
    if (cands)
        f->ds_free(cands);
    return r;
}
