/* registry.h - the tables that let a name in a configuration pick a family or a regime. */
#ifndef COLLAPSE_REGISTRY_H
#define COLLAPSE_REGISTRY_H

#include <stddef.h>
#include "family.h"
#include "regime.h"

/* NULL-terminated tables (src/registry.c). */
extern const mc_family_type *const mc_families[];
extern const mc_regime_type *const mc_regimes[];

const mc_family_type *mc_family_lookup(const char *name);
const mc_regime_type *mc_regime_lookup(const char *name);

/* The engine's own keys ([run], [regime], [sampling], [model] family). */
extern const mc_key mc_engine_keys[];

#endif
