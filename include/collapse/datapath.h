/* datapath.h - where the real data installed by `make data` lives. */
#ifndef COLLAPSE_DATAPATH_H
#define COLLAPSE_DATAPATH_H

#include <stddef.h>

/* The data folder: $MC_DATA_DIR if set, else the first folder of mc_data_dirs() that exists
 * (the source tree's data/, then the installed PREFIX/share/collapse/data), else the last. */
const char *mc_data_dir(void);

/* The folders searched when MC_DATA_DIR is unset, in order (compiled in): at most n into out;
 * returns how many. */
size_t mc_data_dirs(const char **out, size_t n);

/* Resolves a path from a configuration: a name of the data registry ("subtlex" for the SUBTLEX
 * table, "brown" for the Brown corpus folder) maps into mc_data_dir(); an absolute path stays;
 * a relative path is taken relative to base_dir (the INI file's folder). Writes into buf. */
const char *mc_data_resolve(const char *value, const char *base_dir, char *buf, size_t size);

/* What a data-registry name stands for ("the Brown corpus"), or NULL when value is a path. */
const char *mc_data_package(const char *value);

#endif
