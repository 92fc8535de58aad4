/* testutil.c - helpers shared by the cmocka tests (see testutil.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "testutil.h"

int tu_prepare_status(const char *ini, const char *const *overrides, mc_experiment **out,
                      mc_error *err)
{
    mc_config *c = mc_config_alloc();
    assert_non_null(c);
    int r = mc_config_read_string(c, ini, "test.ini", err);
    for (size_t i = 0; r == MC_OK && overrides && overrides[i]; i++)
        r = mc_config_override(c, overrides[i], err);
    if (r != MC_OK) {
        mc_config_free(c);
        return r;
    }
    return mc_experiment_prepare(c, out, err);
}

mc_experiment *tu_prepare(const char *ini, const char *const *overrides)
{
    mc_experiment *e = NULL;
    mc_error err = {0};
    int r = tu_prepare_status(ini, overrides, &e, &err);
    if (r != MC_OK)
        fail_msg("prepare failed: %s", err.msg);
    return e;
}

void tu_expect_error(const char *ini, const char *const *overrides, int code, const char *needle,
                     const char *needle2)
{
    mc_experiment *e = NULL;
    mc_error err = {0};
    int r = tu_prepare_status(ini, overrides, &e, &err);
    if (r != code || !strstr(err.msg, needle) || (needle2 && !strstr(err.msg, needle2)))
        fail_msg("expected status %d and a message with '%s'%s%s%s; got %d: '%s'", code, needle,
                 needle2 ? " and '" : "", needle2 ? needle2 : "", needle2 ? "'" : "", r,
                 r == MC_OK ? "(accepted)" : err.msg);
    assert_null(e);
}

double *tu_run_point(const mc_point *p)
{
    size_t rows = (size_t)(p->run.generations + 1) * p->metrics.n;
    double *v = malloc(sizeof(double) * rows * (size_t)p->run.replicates);
    assert_non_null(v);
    for (long r = 0; r < p->run.replicates; r++) {
        mc_error err = {0};
        int st = mc_unit_run(p, r, v + (size_t)r * rows, &err);
        if (st != MC_OK)
            fail_msg("unit failed: %s", err.msg);
    }
    return v;
}

size_t tu_metric(const mc_point *p, const char *name)
{
    long i = mc_metric_find(&p->metrics, name);
    if (i < 0)
        fail_msg("no metric %s", name);
    return (size_t)i;
}

void tu_assert_close_(double x, double expected, double se, double k, const char *what,
                      const char *file, int line)
{
    if (!(fabs(x - expected) <= k * se)) {
        print_error("%s = %.10g, expected %.10g +- %g (%g standard errors of %.3g)\n", what, x,
                    expected, k * se, k, se);
        _fail(file, line);
    }
}

const char *tu_source_dir(void)
{
    const char *s = getenv("MC_SOURCE_DIR");
    return s && *s ? s : MC_SOURCE_DIR;
}

const char *tu_data_path(const char *rel)
{
    static char buf[4096];
    snprintf(buf, sizeof buf, "%s/tests/data/%s", tu_source_dir(), rel);
    return buf;
}

const char *tu_tmpdir(void)
{
    static char dir[256];
    if (!dir[0]) {
        snprintf(dir, sizeof dir, "/tmp/collapse-test-XXXXXX");
        if (!mkdtemp(dir))
            fail_msg("mkdtemp failed");
    }
    return dir;
}

const char *tu_write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", tu_tmpdir(), name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
    return path;
}

void tu_mean_se(const mc_point *p, const double *v, size_t m, long g, double *mean, double *se)
{
    size_t M = p->metrics.n, G1 = (size_t)p->run.generations + 1;
    long R = p->run.replicates;
    double s = 0, ss = 0;
    for (long r = 0; r < R; r++)
        s += v[((size_t)r * G1 + (size_t)g) * M + m];
    double mu = s / (double)R;
    for (long r = 0; r < R; r++) {
        double d = v[((size_t)r * G1 + (size_t)g) * M + m] - mu;
        ss += d * d;
    }
    *mean = mu;
    *se = sqrt(ss / (double)(R - 1) / (double)R);
}

void tu_check_theory_every_generation(const mc_point *p, const double *v, const char *name,
                                      double k, const char *what)
{
    size_t m = tu_metric(p, name);
    for (long g = 0; g <= p->run.generations; g++) {
        double mean, se;
        tu_mean_se(p, v, m, g, &mean, &se);
        double th = p->family->theory(p, p->world, m - MC_ENGINE_METRICS, (unsigned)g);
        if (isnan(th))
            fail_msg("%s: %s has no closed form at g = %ld", what, name, g);
        if (fabs(mean - th) > k * se + 1e-12 * fabs(th))
            fail_msg("%s: %s at g = %ld: mean %g, theory %g, SE %g", what, name, g, mean, th, se);
    }
}
