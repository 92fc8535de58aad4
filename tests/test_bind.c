/* test_bind.c - the flat entry points for bindings (src/bind.c) and the cancel flag
 * (src/cancel.c): what the Python package calls, checked here under the sanitizers too. */
#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "testutil.h"
#include "collapse/bind.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Entries of a folder other than . and .. */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
    closedir(d);
    return n;
}

static void test_bind_run_and_errors(void **state)
{
    (void)state;
    char dir[512], out[512], msg[1024], path[600];
    snprintf(dir, sizeof dir, "%s/bind-run", tu_tmpdir());
    const char *ov[] = {"run.replicates=3", "run.generations=4", "regime.h=0.05, 0.1"};
    assert_int_equal(mc_bind_run("cats", ov, 3, dir, 1, 0, 0, out, sizeof out, msg, sizeof msg),
                     MC_OK);
    assert_string_equal(out, dir);
    assert_string_equal(msg, "");
    snprintf(path, sizeof path, "%s/summary.json", dir);
    assert_non_null(strstr(slurp(path), "\"complete\":true"));
    /* the same folder again: refused, with the library's message */
    assert_int_equal(mc_bind_run("cats", ov, 3, dir, 1, 0, 0, out, sizeof out, msg, sizeof msg),
                     MC_EUSAGE);
    assert_non_null(strstr(msg, "holds the files of another run"));
    assert_int_equal(mc_bind_run("cast", NULL, 0, dir, 1, 0, 0, out, sizeof out, msg, sizeof msg),
                     MC_EUSAGE);
    assert_non_null(strstr(msg, "did you mean 'cats'"));
    const char *bad[] = {"regime.n=lots"};
    assert_int_equal(mc_bind_config("cats", bad, 1, path, msg, sizeof msg), MC_ECONFIG);
    assert_non_null(strstr(msg, "regime.n: 'lots' is not a whole number"));
    assert_int_equal(mc_bind_config("cats", NULL, 0, NULL, msg, sizeof msg), MC_EUSAGE);
    assert_int_equal(mc_bind_theory("cats", NULL, 0, "", msg, sizeof msg), MC_EUSAGE);
    /* config: every default filled in */
    snprintf(path, sizeof path, "%s/config.ini", tu_tmpdir());
    assert_int_equal(mc_bind_config("cats", NULL, 0, path, msg, sizeof msg), MC_OK);
    assert_non_null(strstr(slurp(path), "\nzipf_s = 1.1\n"));
}

/* theory as data: under replace, trace_ratio of a Gaussian with n = 10 is ((n - 1) / n)^(g + 1)
 * (docs/THEORY.md); metrics with no closed form are not in the file. */
static void test_bind_theory(void **state)
{
    (void)state;
    char path[600], msg[1024];
    snprintf(path, sizeof path, "%s/theory.csv", tu_tmpdir());
    const char *ov[] = {"run.generations=12"};
    assert_int_equal(mc_bind_theory("gaussian-regimes", ov, 1, path, msg, sizeof msg), MC_OK);
    char *text = slurp(path);
    assert_true(strncmp(text, "point,setting,metric,generation,theory_mean\n", 44) == 0);
    int seen = 0;
    for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
        long point, g;
        char metric[64];
        double v;
        const char *rest = strstr(line, ",trace_ratio,");
        if (sscanf(line, "%ld,", &point) != 1 || point != 0 || !rest)
            continue;
        assert_int_equal(sscanf(rest, ",%63[^,],%ld,%lf", metric, &g, &v), 3);
        assert_true(fabs(v - pow(0.9, (double)g + 1)) < 1e-12);
        seen++;
    }
    assert_int_equal(seen, 13);
    assert_int_equal(mc_bind_theory("cats", NULL, 0, path, msg, sizeof msg), MC_OK);
    assert_null(strstr(slurp(path), ",alive,")); /* no closed form beyond generation 0 */
}

static void test_bind_need(void **state)
{
    (void)state;
    char dir[512], out[512], msg[1024], path[600];
    snprintf(dir, sizeof dir, "%s/bind-need", tu_tmpdir());
    const char *ov[] = {"run.replicates=10", "sampling.temperature=1.0, 0.9"};
    assert_int_equal(mc_bind_need("cats", ov, 2, "alive(yellow) >= 0.9", 10, 0, 0, 0, dir, 1, 0,
                                  out, sizeof out, msg, sizeof msg), MC_OK);
    snprintf(path, sizeof path, "%s/need.csv", dir);
    char *csv = slurp(path);
    assert_non_null(strstr(csv, "\n0,1.0,"));
    assert_non_null(strstr(csv, "\n1,0.9,"));
    assert_int_equal(mc_bind_need("cats", ov, 2, "alive(yellow) >> 0.9", 10, 0, 0, 0, dir, 1, 0,
                                  out, sizeof out, msg, sizeof msg), MC_EUSAGE);
    assert_non_null(strstr(msg, "grammar"));
}

/* A raised flag stops a run at once; cleared, the same run goes through. */
static void test_cancel_flag(void **state)
{
    (void)state;
    const char *ov[] = {"run.replicates=4", "run.generations=3", NULL};
    mc_experiment *e = tu_prepare("[world]\nweights = a=0.5, b=0.5\n", ov);
    mc_error err = {0};
    mc_run_opts o = {.threads = 2};
    mc_cancel_request();
    assert_true(mc_cancel_requested());
    assert_int_equal(mc_experiment_run(e, &o, &err), MC_ECANCELED);
    assert_non_null(strstr(err.msg, "canceled"));
    mc_cancel_clear();
    assert_int_equal(mc_experiment_run(e, &o, &err), MC_OK);
    mc_experiment_free(e);
}

static void *cancel_soon(void *arg)
{
    (void)arg;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
    mc_cancel_request();
    return NULL;
}

/* From another thread, mid-run: MC_ECANCELED and the folder left without a file. */
static void test_cancel_mid_run(void **state)
{
    (void)state;
    char dir[512], out[512], msg[1024];
    snprintf(dir, sizeof dir, "%s/bind-cancel", tu_tmpdir());
    /* minutes of work: 40 points x 200 replicates x 2000 generations */
    const char *ov[] = {"regime.name=fresh", "sampling.temperature=1",
                        "regime.h=linspace(0, 0.5, 40)", "run.replicates=200",
                        "run.generations=2000"};
    pthread_t t;
    assert_int_equal(mkdir(dir, 0777), 0);
    assert_int_equal(pthread_create(&t, NULL, cancel_soon, NULL), 0);
    int r = mc_bind_run("cats", ov, 5, dir, 2, 0, 0, out, sizeof out, msg, sizeof msg);
    pthread_join(t, NULL);
    assert_int_equal(r, MC_ECANCELED);
    assert_non_null(strstr(msg, "canceled"));
    assert_int_equal(entries(dir), 0);
    mc_cancel_clear();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bind_run_and_errors),
        cmocka_unit_test(test_bind_theory),
        cmocka_unit_test(test_bind_need),
        cmocka_unit_test(test_cancel_flag),
        cmocka_unit_test(test_cancel_mid_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
