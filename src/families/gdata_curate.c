/* gdata_curate.c - the curation and detection slots of the continuous families (gaussian, gmm,
 * kde; family.h: score, ds_pick, ds_thin) on their n x d datasets (gdata.h). The verifier's score
 * of a row x is the world's log-density log p(x); a biased verifier (bias b) scores against the
 * world shifted by b in every coordinate, log p(x - b 1). */
#include <stdlib.h>
#include <string.h>
#include "gworld.h"

/* The rows of ds at idx[0..m) (increasing) as a new dataset, provenance kept. */
static int take_rows(const mc_gdata *ds, const uint64_t *idx, uint64_t m, void **out,
                     mc_error *err)
{
    *out = NULL;
    if (ds->virtual_rows)
        return mc_error_set(err, MC_EINTERNAL, "gdata: rows picked from moments-only data");
    size_t d = ds->d;
    mc_gdata *o;
    int rc = mc_gdata_new(d, m, 0, &o, err);
    if (rc != MC_OK)
        return rc;
    double *buf = ds->deferred ? malloc(sizeof(double) * MC_GDATA_ROW_SCRATCH(d)) : NULL;
    if (ds->deferred && !buf) {
        mc_gdata_free(o);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    for (uint64_t j = 0; j < m; j++) {
        memcpy(o->x + (size_t)j * d, mc_gdata_row(ds, idx[j], buf), sizeof(double) * d);
        o->is_human[j] = ds->is_human[idx[j]];
        o->human += ds->is_human[idx[j]];
    }
    free(buf);
    *out = o;
    return MC_OK;
}

int mc_gdata_pick(const void *ds, const uint64_t *idx, uint64_t m, void **out, mc_error *err)
{
    return take_rows(ds, idx, m, out, err);
}

int mc_gdata_thin(gsl_rng *r, const void *vds, double keep_human, double keep_synth, void **out,
                  mc_error *err)
{
    const mc_gdata *ds = vds;
    uint64_t *idx = malloc(sizeof *idx * (ds->n ? ds->n : 1)), m = 0;
    if (!idx)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    for (uint64_t i = 0; i < ds->n; i++)
        if (gsl_rng_uniform(r) < (ds->is_human[i] ? keep_human : keep_synth))
            idx[m++] = i;
    int rc = take_rows(ds, idx, m, out, err);
    free(idx);
    return rc;
}

int mc_gworld_score(const void *params, const void *world, double bias, const void *vds,
                    double *out, mc_error *err)
{
    (void)params;
    const mc_gworld *w = world; /* the first member of every continuous family's world */
    const mc_gdata *ds = vds;
    size_t d = ds->d;
    if (ds->virtual_rows)
        return mc_error_set(err, MC_EINTERNAL, "gdata: scores of moments-only data");
    double *buf = malloc(sizeof(double) * (MC_GDATA_ROW_SCRATCH(d) + 2 * d));
    if (!buf)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    double *x = buf + MC_GDATA_ROW_SCRATCH(d), *scratch = x + d;
    for (uint64_t i = 0; i < ds->n; i++) {
        const double *row = mc_gdata_row(ds, i, buf);
        for (size_t a = 0; a < d; a++)
            x[a] = row[a] - bias;
        out[i] = mc_gmm_logpdf(w->mix, x, scratch);
    }
    free(buf);
    return MC_OK;
}
