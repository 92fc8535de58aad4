/* registry.c - name -> type tables for families and regimes.
 *
 * Adding a family or a regime: one new file in src/families/ or src/regimes/ that defines
 * `const mc_family_type mc_family_NAME` (or `const mc_regime_type mc_regime_NAME`), plus one
 * declaration and one table line below. The engine never switches on a name. */
#include <stdio.h>
#include <string.h>
#include "collapse/registry.h"

extern const mc_family_type mc_family_categorical;
extern const mc_family_type mc_family_gaussian;
extern const mc_family_type mc_family_linreg;
extern const mc_family_type mc_family_gmm;
extern const mc_family_type mc_family_kde;
extern const mc_family_type mc_family_ngram;
extern const mc_family_type mc_family_gpt;
extern const mc_family_type mc_family_poisson;

extern const mc_regime_type mc_regime_replace;
extern const mc_regime_type mc_regime_accumulate;
extern const mc_regime_type mc_regime_accumulate_subsample;
extern const mc_regime_type mc_regime_fresh;
extern const mc_regime_type mc_regime_keep_original;
extern const mc_regime_type mc_regime_pipeline;
extern const mc_regime_type mc_regime_web;

const mc_family_type *const mc_families[] = {
    &mc_family_categorical,
    &mc_family_gaussian,
    &mc_family_linreg,
    &mc_family_gmm,
    &mc_family_kde,
    &mc_family_ngram,
    &mc_family_gpt,
    &mc_family_poisson,
    NULL,
};

const mc_regime_type *const mc_regimes[] = {
    &mc_regime_replace,
    &mc_regime_accumulate,
    &mc_regime_accumulate_subsample,
    &mc_regime_fresh,
    &mc_regime_keep_original,
    &mc_regime_pipeline,
    &mc_regime_web,
    NULL,
};

/* What model.family and regime.name are when a configuration does not say. */
const char mc_default_family[] = "categorical";
const char mc_default_regime[] = "replace";

const mc_family_type *mc_family_lookup(const char *name)
{
    for (size_t i = 0; mc_families[i]; i++)
        if (strcmp(mc_families[i]->name, name) == 0)
            return mc_families[i];
    return NULL;
}

const mc_regime_type *mc_regime_lookup(const char *name)
{
    for (size_t i = 0; mc_regimes[i]; i++)
        if (strcmp(mc_regimes[i]->name, name) == 0)
            return mc_regimes[i];
    return NULL;
}

const char *mc_train_law_name(mc_train_law law)
{
    switch (law) {
    case MC_LAW_MODEL_ONLY:
        return "model_only";
    case MC_LAW_ACCUMULATE:
        return "accumulate";
    case MC_LAW_ACCUMULATE_SUBSAMPLE:
        return "accumulate_subsample";
    default:
        return "other";
    }
}

const mc_regime_type *mc_regime_with(unsigned props)
{
    for (size_t i = 0; mc_regimes[i]; i++)
        if ((mc_regimes[i]->props & props) == props)
            return mc_regimes[i];
    return NULL;
}

/* Appends ", name" (or "name" first) to buf of size, cutting at size. */
static void append_name(char *buf, size_t size, const char *name)
{
    size_t len = strlen(buf);
    if (len + 1 < size)
        snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
}

const char *mc_family_names(char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; mc_families[i]; i++)
        append_name(buf, size, mc_families[i]->name);
    return buf;
}

const char *mc_regime_names(unsigned props, char *buf, size_t size)
{
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; mc_regimes[i]; i++)
        if (props == ~0u || (mc_regimes[i]->props & props))
            append_name(buf, size, mc_regimes[i]->name);
    return buf;
}

const char *mc_key_help(const mc_key *k, char *buf, size_t size)
{
    char names[512] = "";
    if (k->flags & MC_KEY_NAMES_FAMILY)
        mc_family_names(names, sizeof names);
    else if (k->flags & MC_KEY_NAMES_REGIME)
        mc_regime_names(~0u, names, sizeof names);
    snprintf(buf, size, "%s%s%s", k->help ? k->help : "", names[0] ? ": " : "", names);
    return buf;
}
