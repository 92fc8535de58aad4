/* gdata_deferred.c - deferred rows of an mc_gdata: synthetic rows whose values are fixed when
 * they are drawn but computed only when something reads them (see mc_gdraw in gdata.h).
 *
 * Row j of a draw of N(mu, alpha^2 L L^T) is mu + alpha L z_j, z_j a standard normal vector
 * (truncated at radius sqrt(c2) when c2 > 0) drawn from its own generator keyed
 * mix64(key + j * golden ratio): a pure function of (law, key, j). A regime that picks a few rows
 * of a growing pool of model draws (accumulate-subsample) then computes only the rows it picks,
 * with the same values as if every row had been drawn at once.
 *
 * Computing m rows of one law costs O(m d^2); a block of rows is computed one coordinate at a
 * time in loops over the rows that vectorise, each lane doing the same operations in the same
 * order as the one-row path (no contraction: -ffp-contract=off), so that a row has the same value
 * whichever path computes it. */
#include "gdata.h"

#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_matrix.h>
#include "collapse/rng.h"

void mc_gdraw_rows(const mc_gdraw *w, size_t d, const uint64_t *rows, size_t m, double *O,
                   double *scratch)
{
    double *Z = scratch, *z = scratch + d * MC_GDATA_BLOCK;
    const double *Lt = w->Lt, *mu = w->mu, alpha = w->alpha;
    for (size_t r = 0; r < m; r++) {
        mc_rng_local l;
        uint64_t j = rows[r] - w->first;
        mc_std_normal_rows(mc_rng_local_init(&l, mc_mix64(w->key + j * 0x9e3779b97f4a7c15ULL)), d,
                        w->c2, w->p, 1, z);
        if (m < 8) {
            for (size_t a = 0; a < d; a++) {
                double v = Lt[a * d + a] * z[a];
                for (size_t c = a; c-- > 0;)
                    v += Lt[c * d + a] * z[c];
                O[a * MC_GDATA_BLOCK + r] = mu[a] + alpha * v;
            }
        } else {
            for (size_t a = 0; a < d; a++)
                Z[a * MC_GDATA_BLOCK + r] = z[a];
        }
    }
    if (m < 8)
        return;
    for (size_t a = 0; a < d; a++) {
        double *restrict o = O + a * MC_GDATA_BLOCK;
        const double *restrict za = Z + a * MC_GDATA_BLOCK;
        double laa = Lt[a * d + a];
#pragma omp simd
        for (size_t r = 0; r < m; r++)
            o[r] = laa * za[r];
        for (size_t c = a; c-- > 0;) {
            const double *restrict zc = Z + c * MC_GDATA_BLOCK;
            double lac = Lt[c * d + a];
#pragma omp simd
            for (size_t r = 0; r < m; r++)
                o[r] += lac * zc[r];
        }
        double mua = mu[a];
#pragma omp simd
        for (size_t r = 0; r < m; r++)
            o[r] = mua + alpha * o[r];
    }
}

const double *mc_gdata_row(const mc_gdata *ds, uint64_t i, double *buf)
{
    if (!ds->deferred || !ds->draw_of[i])
        return ds->x + (size_t)i * ds->d;
    size_t d = ds->d;
    double *O = buf + d;
    mc_gdraw_rows(&ds->draws[ds->draw_of[i] - 1], d, &i, 1, O, O + d * MC_GDATA_BLOCK);
    for (size_t a = 0; a < d; a++)
        buf[a] = O[a * MC_GDATA_BLOCK];
    return buf;
}

int mc_gdata_append_draws(mc_gdata *into, const mc_gdata *from, uint64_t shift, mc_error *err)
{
    size_t d = into->d, na = into->ndraws, nb = from->ndraws;
    mc_gdraw *w = realloc(into->draws, (na + nb) * sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
    into->draws = w; /* from may be into: its laws are read from here on */
    for (size_t k = 0; k < nb; k++) {
        double *law = malloc((d + d * d) * sizeof(double));
        if (!law)
            return mc_error_set(err, MC_ENOMEM, "out of memory for a dataset");
        const mc_gdraw *src = from == into ? &w[k] : &from->draws[k];
        w[na + k] = *src;
        memcpy(law, src->mu, (d + d * d) * sizeof(double));
        w[na + k].mu = law;
        w[na + k].Lt = law + d;
        w[na + k].first += shift;
        into->ndraws = na + k + 1;
    }
    return MC_OK;
}

int mc_gdata_new_deferred(const mc_gauss *g, const mc_sampling *s, uint64_t n, uint64_t key,
                          mc_gdata **out, mc_error *err)
{
    size_t d = g->d;
    if (n > UINT32_MAX)
        return mc_error_set(err, MC_EINTERNAL, "gdata: deferred draw of %llu rows",
                            (unsigned long long)n);
    mc_gdata *ds;
    int rc = mc_gdata_new(d, n, 0, &ds, err);
    if (rc != MC_OK)
        return rc;
    ds->draw_of = malloc((size_t)ds->cap * sizeof *ds->draw_of);
    ds->draws = malloc(sizeof *ds->draws);
    double *law = malloc((d + d * d) * sizeof(double));
    if (!ds->draw_of || !ds->draws || !law) {
        free(law);
        mc_gdata_free(ds);
        return mc_error_set(err, MC_ENOMEM, "out of memory for a draw");
    }
    mc_gdraw *w = ds->draws;
    ds->ndraws = 1;
    w->key = key;
    w->first = 0;
    w->alpha = s ? 1.0 - s->shrink : 1.0;
    mc_sampling_truncation(d, s, &w->c2, &w->p);
    w->mu = law;
    w->Lt = law + d;
    memcpy(w->mu, g->mu, d * sizeof(double));
    for (size_t a = 0; a < d; a++)
        for (size_t b = 0; b < d; b++)
            w->Lt[b * d + a] = b <= a ? gsl_matrix_get(g->chol, a, b) : 0.0;
    for (uint64_t i = 0; i < n; i++)
        ds->draw_of[i] = 1;
    ds->deferred = n;
    *out = ds;
    return MC_OK;
}
