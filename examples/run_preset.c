/* run_preset.c - runs a built-in preset (or an INI file) into a run directory with libcollapse
 * alone: what `collapse run PRESET -o DIR --no-plots` does, in a few library calls.
 *
 *   usage: run_preset [PRESET|FILE.ini [DIR [section.key=value ...]]]
 *
 * Writes DIR/config.ini, points.csv, metrics.csv, summary.csv, extinction.csv and summary.json
 * (docs/OUTPUTS.md) and prints one line per finished grid point. */
#include <stdio.h>
#include "collapse.h"

/* Called once per finished grid point, in point order, after its rows were written. */
static int on_summary(const mc_summary *s, void *user, mc_error *err)
{
    (void)user;
    (void)err;
    printf("point %zu done: %s\n", s->point->index, s->point->label);
    return MC_OK;
}

int main(int argc, char **argv)
{
    const char *source = argc > 1 ? argv[1] : "cats";
    mc_load_opts load = {.overrides = argc > 3 ? (const char *const *)argv + 3 : NULL,
                         .noverrides = argc > 3 ? (size_t)argc - 3 : 0};
    mc_run_dir_opts opts = {.dir = argc > 2 ? argv[2] : "run_preset-out",
                            .on_summary = on_summary};
    mc_error err = {0};
    mc_config *c = NULL;
    mc_experiment *e = NULL;
    mc_run_dir_result res;
    int st = mc_config_load_named(source, &load, &c, &err);    /* preset or file + overrides */
    if (st == MC_OK)
        st = mc_experiment_prepare(c, &e, &err);               /* takes c */
    if (st == MC_OK)
        st = mc_run_to_dir(e, &opts, &res, &err);              /* runs, summarises, writes */
    if (st == MC_OK)
        printf("%s: %zu points, %zu runs on %d threads: %s/summary.json\n", e->name,
               res.npoints, res.units, res.threads, res.dir);
    else
        fprintf(stderr, "run_preset: %s\n", err.msg);
    mc_experiment_free(e);
    return mc_exit_status(st);
}
