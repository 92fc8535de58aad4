/* bind.c - the flat entry points of bind.h: each loads a configuration, prepares it and does
 * one thing, with the library's own functions, and turns an mc_error into text. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "collapse.h"
#include "collapse/bind.h"
#include "io/atomic.h"

static int finish(int r, const mc_error *err, char *msg, size_t msg_size)
{
    if (msg && msg_size)
        snprintf(msg, msg_size, "%s", r == MC_OK ? "" : err->msg);
    return r;
}

/* The prepared experiment of source + overrides; clears the cancel flag. */
static int prepare(const char *source, const char *const *overrides, size_t n,
                   mc_experiment **e, mc_error *err)
{
    mc_cancel_clear();
    mc_load_opts lo = {overrides, n, NULL, NULL, NULL};
    mc_config *c = NULL;
    int r = mc_config_load_named(source, &lo, &c, err);
    return r == MC_OK ? mc_experiment_prepare(c, e, err) : r;
}

static int draw(const mc_run_dir_result *res, void *user, mc_error *err)
{
    (void)user;
    int r = mc_plot_and_report(res->dir, err);
    mc_plot_release();
    return r;
}

int mc_bind_run(const char *source, const char *const *overrides, size_t n, const char *dir,
                int threads, int force, int plots, char *dir_out, size_t dir_size, char *msg,
                size_t msg_size)
{
    mc_error err = {0};
    mc_experiment *e = NULL;
    int r = prepare(source, overrides, n, &e, &err);
    mc_run_dir_result res;
    memset(&res, 0, sizeof res); /* res.dir stays empty when no folder was chosen */
    mc_run_dir_opts o = {.dir = dir, .threads = threads, .force = force,
                         .on_finish = plots ? draw : NULL};
    if (r == MC_OK)
        r = mc_run_to_dir(e, &o, &res, &err);
    if (dir_out && dir_size)
        snprintf(dir_out, dir_size, "%s", res.dir);
    mc_experiment_free(e);
    return finish(r, &err, msg, msg_size);
}

int mc_bind_need(const char *source, const char *const *overrides, size_t n, const char *target,
                 long generation, double confidence, double tolerance, double precision,
                 const char *dir, int threads, int force, char *dir_out, size_t dir_size,
                 char *msg, size_t msg_size)
{
    mc_cancel_clear();
    mc_error err = {0};
    mc_target t;
    mc_config *c = NULL;
    mc_load_opts lo = {overrides, n, NULL, NULL, NULL};
    int r = mc_target_parse(target ? target : "", &t, &err);
    if (r == MC_OK)
        r = mc_config_load_named(source, &lo, &c, &err);
    mc_need_opts o = {.generation = generation, .confidence = confidence,
                      .tolerance = tolerance, .threads = threads, .precision = precision};
    mc_need_grid g = {0};
    if (r == MC_OK)
        r = mc_need_solve_grid(c, &t, &o, &g, &err);
    char written[MC_RUN_DIR_MAX] = "";
    if (r == MC_OK)
        r = mc_need_write(dir, force, source, &t, &o, &g, written, sizeof written, &err);
    if (dir_out && dir_size)
        snprintf(dir_out, dir_size, "%s", written);
    mc_need_grid_free(&g);
    return finish(r, &err, msg, msg_size);
}

/* A CSV field, quoted when it holds a comma or a quote. */
static void csv_text(FILE *f, const char *s)
{
    if (!strpbrk(s, ",\"\n")) {
        fputs(s, f);
        return;
    }
    fputc('"', f);
    for (; *s; s++)
        fprintf(f, *s == '"' ? "\"\"" : "%c", *s);
    fputc('"', f);
}

static int write_theory(FILE *f, void *user)
{
    const mc_experiment *e = user;
    fputs("point,setting,metric,generation,theory_mean\n", f);
    for (size_t i = 0; i < e->npoints; i++) {
        const mc_point *p = &e->points[i];
        size_t first = MC_ENGINE_METRICS, last = p->metrics.n - p->nregime_metrics;
        for (size_t m = first; m < last; m++) {
            long G = p->run.generations, any = 0;
            for (long g = 1; g <= G && !any; g++) /* generation 0 alone is no closed form */
                any = !isnan(mc_point_theory(p, m, (unsigned)g));
            for (long g = 0; any && g <= G; g++) {
                double v = mc_point_theory(p, m, (unsigned)g);
                char b[32];
                if (isnan(v))
                    continue;
                fprintf(f, "%zu,", i);
                csv_text(f, p->label);
                fprintf(f, ",%s,%ld,%s\n", p->metrics.items[m].name, g, mc_format_exact(v, b));
            }
        }
    }
    return MC_OK;
}

int mc_bind_theory(const char *source, const char *const *overrides, size_t n, const char *path,
                   char *msg, size_t msg_size)
{
    mc_error err = {0};
    mc_experiment *e = NULL;
    int r = path && *path ? prepare(source, overrides, n, &e, &err)
                          : mc_error_set(&err, MC_EUSAGE, "theory: no file to write");
    if (r == MC_OK)
        r = mc_write_atomic(path, write_theory, e, &err);
    mc_experiment_free(e);
    return finish(r, &err, msg, msg_size);
}

static int write_config(FILE *f, void *user)
{
    const mc_experiment *e = user;
    return mc_config_write(e->config, f);
}

int mc_bind_config(const char *source, const char *const *overrides, size_t n, const char *path,
                   char *msg, size_t msg_size)
{
    mc_error err = {0};
    mc_experiment *e = NULL;
    int r = path && *path ? prepare(source, overrides, n, &e, &err)
                          : mc_error_set(&err, MC_EUSAGE, "config: no file to write");
    if (r == MC_OK)
        r = mc_write_atomic(path, write_config, e, &err);
    mc_experiment_free(e);
    return finish(r, &err, msg, msg_size);
}
