/* load.c - a configuration by name: a built-in preset or an INI file, then the overrides of a
 * command line (include/collapse/presets.h). */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "collapse.h"

const mc_preset *mc_preset_lookup(const char *name)
{
    for (size_t k = 0; k < mc_npresets; k++)
        if (strcmp(mc_presets[k].name, name) == 0)
            return &mc_presets[k];
    return NULL;
}

static int regular_file(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

/* A path, an .ini name or an existing regular file is a file; anything else a preset name. */
static int names_file(const char *source)
{
    return strchr(source, '/') || strstr(source, ".ini") || regular_file(source);
}

static int unknown_preset(const char *name, mc_error *err)
{
    const char *names[256];
    size_t n = 0;
    for (size_t i = 0; i < mc_npresets && n < 256; i++)
        names[n++] = mc_presets[i].name;
    const char *near = mc_did_you_mean(name, names, n);
    if (near)
        return mc_error_set(err, MC_EUSAGE, "unknown preset '%s' (did you mean '%s'?; "
                            "`collapse presets` lists them)", name, near);
    return mc_error_set(err, MC_EUSAGE, "unknown preset or file '%s' (`collapse presets` lists "
                        "the presets)", name);
}

static int read_preset(mc_config *c, const char *name, mc_error *err)
{
    const mc_preset *p = mc_preset_lookup(name);
    if (!p)
        return unknown_preset(name, err);
    char origin[128];
    snprintf(origin, sizeof origin, "preset %s", p->name);
    int r = mc_config_read_string(c, p->text, origin, err);
    if (r == MC_OK && !mc_config_find(c, "run", "name")) {
        mc_origin o = {"preset", 0};
        r = mc_config_set(c, "run", "name", p->name, o, err);
    }
    return r;
}

/* run.version other than ours: a warning, not an error (the file still runs). */
static void check_version(const mc_config *c, const char *source, const mc_load_opts *o)
{
    const mc_entry *v = mc_config_find(c, "run", "version");
    if (!v || strcmp(v->value, MC_VERSION) == 0 || !o || !o->on_warning)
        return;
    char msg[512];
    snprintf(msg, sizeof msg, "%s was written by collapse %s; this is %s, results may differ",
             source, v->value, MC_VERSION);
    o->on_warning(msg, o->user);
}

static int layer_command_line(mc_config *c, const mc_load_opts *o, mc_error *err)
{
    int r = MC_OK;
    for (size_t i = 0; o && r == MC_OK && i < o->noverrides; i++)
        r = mc_config_override(c, o->overrides[i], err);
    const mc_entry *given = o && o->seed ? mc_config_find(c, "run", "seed") : NULL;
    if (r == MC_OK && given && given->origin.file && !strcmp(given->origin.file, "command line")
        && strcmp(given->value, o->seed) != 0)
        return mc_error_set(err, MC_EUSAGE, "command line: --seed %s and run.seed=%s disagree; "
                            "give one", o->seed, given->value);
    if (r == MC_OK && o && o->seed) {
        mc_origin origin = {"command line", 0};
        r = mc_config_set(c, "run", "seed", o->seed, origin, err);
    }
    return r;
}

int mc_config_load_named(const char *source, const mc_load_opts *o, mc_config **out,
                         mc_error *err)
{
    mc_config *c = mc_config_alloc();
    if (!c)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    const char *name = source ? source : MC_DEFAULT_PRESET;
    int r = source && names_file(source) ? mc_config_read_file(c, source, err)
                                         : read_preset(c, name, err);
    if (r == MC_OK && !mc_config_find(c, "run", "name")) {
        mc_origin origin = {"default", 0};
        r = mc_config_set(c, "run", "name", c->name, origin, err);
    }
    if (r == MC_OK)
        check_version(c, name, o);
    if (r == MC_OK)
        r = layer_command_line(c, o, err);
    if (r != MC_OK) {
        mc_config_free(c);
        return r;
    }
    *out = c;
    return MC_OK;
}
