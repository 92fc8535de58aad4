/* fuzz_ini.c - libFuzzer harness of the INI reader and experiment preparation.
 *
 * The input is INI text. It is read with mc_config_read_string, then, when it stays within the
 * harness's bounds (below), prepared with mc_experiment_prepare (every key validated, grid
 * axes split, every point resolved, worlds created, data files read), and when every point's
 * training sets are small, one unit (point 0, replicate 0) is run.
 *
 * Bounds, so that one execution never allocates gigabytes or runs for seconds (a large size is
 * a legitimate request, not a defect, and refusing what does not fit is tested elsewhere):
 *   - run.generations and run.replicates are overridden to 1 after reading;
 *   - a count key's value (a sample size) above SIZE_CAP, or an integer key's (a dimension, a
 *     number of categories or components) above INT_CAP, that the key would accept skips
 *     preparation (seeds excepted: they size nothing); a Gaussian of d = 400 takes seconds to
 *     create under the sanitizers, with the reference BLAS;
 *   - more than GRID_CAP grid points skip preparation;
 *   - a value naming a path outside the sandbox ('/' or '..') skips preparation: data paths
 *     resolve inside fuzz/sandbox/, whose data/ stands in for the installed data (MC_DATA_DIR).
 * MC_FUZZ_SKIP=cr skips inputs holding '\r' (issue 13's defect 1, the INI reader's overflow on
 * trailing '\r'; only for a tree without its fix). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"
#include "fuzz_util.h"

#define SIZE_CAP 1000.0 /* counts: sample sizes */
#define INT_CAP 64.0    /* integers: dimensions, categories, components, orders */
#define GRID_CAP 16
#define SANDBOX MC_SOURCE_DIR "/fuzz/sandbox"

static int skip_cr;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    setenv("MC_DATA_DIR", SANDBOX "/data", 1);
    skip_cr = fuzz_skip("cr");
    return 0;
}

/* The first key named section.key in the engine's, the families' or the regimes' tables. */
static const mc_key *find_key(const char *section, const char *name)
{
    const mc_key *tables[64];
    size_t n = 0;
    tables[n++] = mc_engine_keys;
    for (size_t i = 0; mc_families[i] && n < 64; i++)
        tables[n++] = mc_families[i]->keys;
    for (size_t i = 0; mc_regimes[i] && n < 64; i++)
        if (mc_regimes[i]->keys)
            tables[n++] = mc_regimes[i]->keys;
    for (size_t t = 0; t < n; t++)
        for (const mc_key *k = tables[t]; k && k->name; k++)
            if (strcmp(k->section, section) == 0 && strcmp(k->name, name) == 0)
                return k;
    return NULL;
}

/* 1 when an alternative of the entry asks for a size above the cap that the key accepts. */
static int too_big(const mc_key *k, char **alt, size_t nalt)
{
    if (k->kind != MC_KEY_INT && k->kind != MC_KEY_COUNT)
        return 0;
    size_t len = strlen(k->name);
    if (len >= 4 && strcmp(k->name + len - 4, "seed") == 0) /* run.seed, world.split_seed */
        return 0;
    double cap = k->kind == MC_KEY_COUNT ? SIZE_CAP : INT_CAP;
    for (size_t a = 0; a < nalt; a++) {
        double v;
        if (mc_parse_double(alt[a], &v) == MC_OK && v > cap && v <= k->max)
            return 1;
    }
    return 0;
}

/* run.generations and run.replicates: replaced by 1 whatever they say. */
static int overridden(const mc_entry *e)
{
    return strcmp(e->section, "run") == 0 &&
           (strcmp(e->key, "generations") == 0 || strcmp(e->key, "replicates") == 0);
}

/* 1 when the configuration stays within the harness's bounds (see the top). */
static int within_bounds(const mc_config *c)
{
    double points = 1;
    for (size_t i = 0; i < c->n; i++) {
        const mc_entry *e = &c->entries[i];
        if (strchr(e->value, '/') || strstr(e->value, ".."))
            return 0;
        if (overridden(e))
            continue;
        const mc_key *k = find_key(e->section, e->key);
        if (!k)
            continue; /* preparation refuses it before anything is allocated */
        char **alt = NULL;
        mc_error err = {0};
        int n = mc_split_alternatives(e->value, k->kind, &alt, &err);
        if (n < 0)
            continue;
        int big = too_big(k, alt, (size_t)n);
        mc_strings_free(alt, (size_t)n);
        points *= n;
        if (big || points > GRID_CAP)
            return 0;
    }
    return 1;
}

/* Runs replicate 0 of point 0 when every point's training sets are small. */
static void run_one_unit(const mc_experiment *e)
{
    for (size_t i = 0; i < e->npoints; i++)
        for (unsigned g = 0; g <= (unsigned)e->points[i].run.generations; g++)
            if ((double)mc_point_n(&e->points[i], g) > SIZE_CAP)
                return;
    const mc_point *p = &e->points[0];
    size_t m = p->metrics.n * (size_t)(p->run.generations + 1);
    double *values = malloc((m ? m : 1) * sizeof *values);
    mc_error err = {0};
    int r = values ? mc_unit_run(p, 0, values, &err) : MC_OK;
    fuzz_say("mc_unit_run", r, err.msg);
    if (r != MC_OK && !err.msg[0])
        abort(); /* a failure must say why */
    free(values);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (skip_cr && memchr(data, '\r', size))
        return 0;
    char *text = malloc(size + 1);
    mc_config *c = mc_config_alloc();
    if (!text || !c) {
        free(text);
        mc_config_free(c);
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    mc_error err = {0};
    int r = mc_config_read_string(c, text, "fuzz.ini", &err);
    free(text);
    fuzz_say("mc_config_read_string", r, err.msg);
    if (r != MC_OK || !within_bounds(c)) {
        if (r != MC_OK && !err.msg[0])
            abort(); /* a refusal must say why */
        mc_config_free(c);
        return 0;
    }
    char *base = strdup(SANDBOX); /* relative data paths resolve there */
    if (!base) {
        mc_config_free(c);
        return 0;
    }
    free(c->base_dir);
    c->base_dir = base;
    mc_origin o = {"fuzz", 0};
    mc_experiment *e = NULL;
    if (mc_config_set(c, "run", "generations", "1", o, &err) != MC_OK ||
        mc_config_set(c, "run", "replicates", "1", o, &err) != MC_OK) {
        mc_config_free(c);
        return 0;
    }
    r = mc_experiment_prepare(c, &e, &err); /* takes c */
    fuzz_say("mc_experiment_prepare", r, err.msg);
    if (r != MC_OK && !err.msg[0])
        abort();
    if (r == MC_OK)
        run_one_unit(e);
    mc_experiment_free(e);
    return 0;
}
