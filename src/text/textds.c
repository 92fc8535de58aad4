/* textds.c - the dataset operations of the text families (textds.h). */
#include "textds.h"
#include "ngram/ngram.h"

static int oom(mc_error *err) { return mc_error_set(err, MC_ENOMEM, "out of memory"); }

int mc_text_ds_copy(const void *vds, void **out, mc_error *err)
{
    mc_ngram_ds *ds = mc_ngram_ds_alloc();
    if (!ds || mc_ngram_ds_merge(ds, vds)) {
        mc_ngram_ds_free(ds);
        return oom(err);
    }
    *out = ds;
    return MC_OK;
}

int mc_text_ds_merge(void *into, const void *from, mc_error *err)
{
    return mc_ngram_ds_merge(into, from) ? oom(err) : MC_OK;
}

int mc_text_ds_subsample(gsl_rng *r, const void *pool, uint64_t n, void **out, mc_error *err)
{
    return mc_ngram_ds_subsample(r, pool, n, (mc_ngram_ds **)out, err);
}

uint64_t mc_text_ds_size(const void *ds) { return ((const mc_ngram_ds *)ds)->nsent; }
uint64_t mc_text_ds_human(const void *ds) { return ((const mc_ngram_ds *)ds)->nhuman; }
void mc_text_ds_free(void *ds) { mc_ngram_ds_free(ds); }

int mc_text_draw_reserve(gsl_rng *r, const void *reserve, uint64_t n, void **out,
                         mc_error *err)
{
    const mc_ngram_ds *res = reserve;
    *out = NULL;
    if (n > 0 && res->nsent == 0)
        return mc_error_set(err, MC_ECONFIG,
                            "[world] reserve keeps no document, so there is no fresh human "
                            "text to draw (set world.reserve > 0)");
    mc_ngram_ds *ds = NULL;
    int rc = mc_ngram_ds_subsample(r, res, n ? n % res->nsent : 0, &ds, err);
    if (rc)
        return rc;
    for (uint64_t k = 0; n && k < n / res->nsent; k++)
        if (mc_ngram_ds_merge(ds, res)) {
            mc_ngram_ds_free(ds);
            return oom(err);
        }
    *out = ds;
    return MC_OK;
}

int mc_text_draw_train(gsl_rng *r, const void *train, uint64_t n, const char *family, void **out,
                       mc_error *err)
{
    const mc_ngram_ds *t = train;
    if (n > t->nsent)
        return mc_error_set(err, MC_ECONFIG,
                            "%s: regime.n = %llu exceeds the %llu sentences of the corpus's "
                            "training split",
                            family, (unsigned long long)n, (unsigned long long)t->nsent);
    return mc_ngram_ds_subsample(r, t, n, (mc_ngram_ds **)out, err);
}
