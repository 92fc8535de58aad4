/* presets.h - built-in experiments, compiled from the presets folder (*.ini). */
#ifndef COLLAPSE_PRESETS_H
#define COLLAPSE_PRESETS_H

#include <stddef.h>

typedef struct mc_preset {
    const char *name;        /* file stem: "cats" */
    const char *description; /* the first comment line of the file */
    const char *text;        /* the INI text */
} mc_preset;

extern const mc_preset mc_presets[];
extern const size_t mc_npresets;

const mc_preset *mc_preset_lookup(const char *name);

#endif
