/* registry.h - the tables that let a name in a configuration pick a family or a regime. */
#ifndef COLLAPSE_REGISTRY_H
#define COLLAPSE_REGISTRY_H

#include <stddef.h>
#include "family.h"
#include "regime.h"

/* NULL-terminated tables (src/registry.c). */
extern const mc_family_type *const mc_families[];
extern const mc_regime_type *const mc_regimes[];

/* The family and the regime of a configuration that names none. */
extern const char mc_default_family[];
extern const char mc_default_regime[];

const mc_family_type *mc_family_lookup(const char *name);
const mc_regime_type *mc_regime_lookup(const char *name);

/* The names of the families, or of the regimes with any of the props bits (all: ~0u), joined
 * by ", " into buf (cut at size). Returns buf. */
const char *mc_family_names(char *buf, size_t size);
const char *mc_regime_names(unsigned props, char *buf, size_t size);

/* The first regime of the registry that declares every bit of props, or NULL. */
const mc_regime_type *mc_regime_with(unsigned props);

/* A key's help text with what the registry adds to it: "data regime: replace, fresh, ..." for a
 * key flagged MC_KEY_NAMES_REGIME or MC_KEY_NAMES_FAMILY. Returns buf. */
const char *mc_key_help(const mc_key *k, char *buf, size_t size);

/* The engine's own keys ([run], [regime], [sampling], [model] family). */
extern const mc_key mc_engine_keys[];

#endif
