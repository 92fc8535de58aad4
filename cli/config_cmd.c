/* config_cmd.c - `collapse config PRESET|FILE [k=v ...]`: what a run would do, without running
 * it. Prints the resolved configuration (config.ini as the run would write it, every default
 * filled in), the grid (its axes and points), the units of work, the memory they need, the size
 * of the files, and a time estimate from a few units run and timed here.
 *
 * The estimate: units of distinct points are run (replicate 0, then 1, ...) round-robin until
 * about MC_CONFIG_TIMING_S seconds have passed (at least one unit); a point's unit time is the
 * mean of its timed units, a point not reached gets the mean of those that were. Total time =
 * sum over points of unit time x replicates / threads, the ideal parallel schedule: a lower
 * bound when a few long units dominate, within a small factor otherwise. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "collapse.h"
#include "collapse/budget.h"
#include "config_cmd.h"
#include "options.h"

#define MC_CONFIG_TIMING_S 1.0
#define MC_CONFIG_MAX_LISTED 50 /* points listed; then a count */

void mc_cli_config_usage(FILE *f)
{
    fprintf(f,
            "usage: collapse config [PRESET|FILE.ini] [section.key=value ...] [options]\n"
            "\n"
            "Prints the plan of an experiment without running it: the resolved configuration\n"
            "(config.ini as `collapse run` would write it, defaults filled in), the grid axes and\n"
            "points, the units of work (point x replicate), the memory and disk they need, and a\n"
            "time estimate from a few units run and timed now (about %g s).\n"
            "Grid values: a comma list \"0.1, 0.2\", range(start, stop[, step]) (stop left out)\n"
            "or linspace(a, b, k) (k values, both ends in).\n"
            "\n",
            MC_CONFIG_TIMING_S);
    mc_cli_print_options(f, MC_CMD_CONFIG);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void print_grid(const mc_experiment *e)
{
    char where[256];
    if (!e->naxes)
        printf("\ngrid: one point (no key has several values)\n");
    else
        printf("\ngrid: %zu %s, %zu points\n", e->naxes, e->naxes == 1 ? "axis" : "axes",
               e->npoints);
    for (size_t a = 0; a < e->naxes; a++) {
        const mc_axis *ax = &e->axes[a];
        printf("  %s.%s (%s): ", ax->section, ax->key,
               mc_origin_format(where, sizeof where, &ax->origin, ax->section, ax->key));
        int lists = 0; /* a list-valued key's alternatives hold commas: '|' between them */
        for (size_t v = 0; v < ax->nvalues; v++)
            lists |= strchr(ax->values[v], ',') != NULL;
        for (size_t v = 0; v < ax->nvalues; v++)
            printf("%s%s", v ? (lists ? " | " : ", ") : "", ax->values[v]);
        printf("  [%zu]\n", ax->nvalues);
    }
    printf("\npoints:\n");
    for (size_t i = 0; i < e->npoints; i++) {
        if (i == MC_CONFIG_MAX_LISTED && e->npoints > MC_CONFIG_MAX_LISTED + 1) {
            printf("  ... and %zu more\n", e->npoints - i);
            break;
        }
        const mc_point *p = &e->points[i];
        printf("  %3zu  %s  (n_0 %llu, %ld generations, %ld replicates, %zu metrics)\n", i,
               p->label[0] ? p->label : "-", (unsigned long long)p->regime_settings.n,
               p->run.generations, p->run.replicates, p->metrics.n);
    }
}

/* Seconds per unit of each point, from units run for about MC_CONFIG_TIMING_S seconds. */
static int time_units(const mc_experiment *e, double *secs, size_t *timed, mc_error *err)
{
    double *sum = calloc(e->npoints, sizeof *sum);
    size_t *count = calloc(e->npoints, sizeof *count);
    int r = sum && count ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
    double t0 = now();
    *timed = 0;
    for (long rep = 0; r == MC_OK && now() - t0 < MC_CONFIG_TIMING_S; rep++) {
        int any = 0;
        for (size_t i = 0; r == MC_OK && i < e->npoints && now() - t0 < MC_CONFIG_TIMING_S; i++) {
            const mc_point *p = &e->points[i];
            if (rep >= p->run.replicates)
                continue;
            double *values = malloc(sizeof(double) * (size_t)(p->run.generations + 1) * p->metrics.n);
            double t = now();
            r = values ? mc_unit_run(p, rep, values, err)
                       : mc_error_set(err, MC_ENOMEM, "out of memory");
            free(values);
            sum[i] += now() - t;
            count[i]++;
            (*timed)++;
            any = 1;
        }
        if (!any)
            break;
    }
    double all = 0;
    size_t nall = 0;
    for (size_t i = 0; i < e->npoints; i++)
        if (count && count[i]) {
            all += sum[i];
            nall += count[i];
        }
    for (size_t i = 0; r == MC_OK && i < e->npoints; i++)
        secs[i] = count[i] ? sum[i] / (double)count[i] : all / (double)nall;
    free(sum);
    free(count);
    return r;
}

static void print_budget(const mc_experiment *e, int threads)
{
    size_t units = 0;
    double unit_max = 0;
    for (size_t i = 0; i < e->npoints; i++) {
        units += (size_t)e->points[i].run.replicates;
        double b = mc_point_unit_bytes(&e->points[i]);
        unit_max = b > unit_max ? b : unit_max;
    }
    size_t at_once = (size_t)threads < units ? (size_t)threads : units;
    printf("\nunits: %zu (point x replicate), %d thread%s\n", units, threads,
           threads == 1 ? "" : "s");
    printf("memory: up to %.3g MB per unit, %.3g MB for %zu at once (this machine: %.3g GB)\n",
           unit_max / 1e6, unit_max * (double)at_once / 1e6, at_once, mc_memory_bytes() / 1e9);
    printf("files: metrics.csv about %.3g MB\n", mc_experiment_output_bytes(e) / 1e6);
}

/* "under a second", "40 s", "12 min", "3.5 h" */
static const char *duration(double s, char *buf, size_t size)
{
    if (s < 1)
        snprintf(buf, size, "under a second");
    else if (s < 120)
        snprintf(buf, size, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, size, "%.0f min", s / 60);
    else
        snprintf(buf, size, "%.1f h", s / 3600);
    return buf;
}

static int print_time(const mc_experiment *e, int threads, mc_error *err)
{
    double *secs = calloc(e->npoints, sizeof *secs);
    size_t timed = 0;
    int r = secs ? time_units(e, secs, &timed, err) : mc_error_set(err, MC_ENOMEM, "out of memory");
    if (r == MC_OK) {
        double cpu = 0;
        for (size_t i = 0; i < e->npoints; i++)
            cpu += secs[i] * (double)e->points[i].run.replicates;
        double total = cpu / (double)threads;
        char b1[32], b2[32];
        duration(total, b1, sizeof b1);
        printf("time: %s%s with %d thread%s (%s of computing; from %zu unit%s run now, "
               "one thread)\n", total < 1 ? "" : "about ", b1, threads, threads == 1 ? "" : "s",
               duration(cpu, b2, sizeof b2), timed, timed == 1 ? "" : "s");
    }
    free(secs);
    return r;
}

/* Prints the plan of a's experiment; the status of the first failure. */
static int plan(const mc_cli_args *a, mc_error *err)
{
    mc_config *c = NULL;
    mc_experiment *e = NULL;
    int r = mc_cli_load_config(a, &c, err);
    if (r != MC_OK || (r = mc_experiment_prepare(c, &e, err)) != MC_OK)
        return r;
    int threads = a->threads > 0 ? (int)a->threads : omp_get_max_threads();
    printf("# collapse config %s: the configuration a run would use\n\n",
           a->source ? a->source : MC_DEFAULT_PRESET);
    fflush(stdout);
    if (mc_config_write(e->config, stdout) != MC_OK)
        r = mc_error_set(err, MC_EIO, "cannot write the configuration to stdout");
    if (r == MC_OK) {
        print_grid(e);
        print_budget(e, threads);
        fflush(stdout);
        r = mc_experiment_check_threads(e, threads, err);
    }
    if (r == MC_OK)
        r = print_time(e, threads, err);
    mc_experiment_free(e);
    return r;
}

int mc_cli_config(int argc, char **argv)
{
    static const mc_cli_command cmd = {"config", MC_CMD_CONFIG, "config: ", mc_cli_config_usage};
    mc_cli_args a = {0};
    int st = mc_cli_parse(&cmd, argc, argv, &a);
    if (st < 0) {
        mc_error err = {0};
        int r = plan(&a, &err);
        if (r != MC_OK)
            fprintf(stderr, "collapse: %s\n", err.msg);
        st = mc_exit_status(r);
    }
    mc_cli_args_free(&a);
    return st;
}
