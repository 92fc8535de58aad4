/* test_run.c - the run pipeline of the library (src/run/): loading a configuration by name
 * (mc_config_load_named) and running an experiment into its directory (mc_run_to_dir): the
 * callbacks' order and counts, a complete directory on success, nothing that looks complete
 * after a failure, the folder's lock and the refusal (or --force removal) of another run. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include "testutil.h"

static int exists(const char *dir, const char *name)
{
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0;
}

/* How many hidden entries (temporary files, a lock file) dir holds besides . and .. */
static int hidden_files(const char *dir)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *de; d && (de = readdir(d));)
        n += de->d_name[0] == '.' && strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    if (d)
        closedir(d);
    return n;
}

/* Whether the file holds needle. */
static int file_has(const char *dir, const char *name, const char *needle)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static void test_load_preset_overrides_seed(void **state)
{
    (void)state;
    const char *ov[] = {"run.replicates=3", "sampling.temperature=0.7"};
    mc_load_opts o = {.overrides = ov, .noverrides = 2, .seed = "99"};
    mc_config *c = NULL;
    mc_error err = {0};
    assert_int_equal(mc_config_load_named("cats", &o, &c, &err), MC_OK);
    assert_string_equal(mc_config_find(c, "run", "name")->value, "cats");
    assert_string_equal(mc_config_find(c, "run", "replicates")->value, "3");
    assert_string_equal(mc_config_find(c, "sampling", "temperature")->value, "0.7");
    const mc_entry *seed = mc_config_find(c, "run", "seed");
    assert_string_equal(seed->value, "99");
    assert_string_equal(seed->origin.file, "command line");
    mc_config_free(c);
    /* NULL source and NULL options: the default preset as it is */
    assert_int_equal(mc_config_load_named(NULL, NULL, &c, &err), MC_OK);
    assert_string_equal(mc_config_find(c, "run", "name")->value, MC_DEFAULT_PRESET);
    mc_config_free(c);
}

static void warn(const char *msg, void *user)
{
    int *n = user;
    (*n)++;
    assert_non_null(strstr(msg, "written by collapse 0.0.1"));
}

static void test_load_file_and_version_warning(void **state)
{
    (void)state;
    const char *path = tu_write_file("old.ini", "[world]\nweights = a=0.5, b=0.5\n"
                                                "[run]\nversion = 0.0.1\nreplicates = 2\n");
    int warnings = 0;
    mc_load_opts o = {.on_warning = warn, .user = &warnings};
    mc_config *c = NULL;
    mc_error err = {0};
    assert_int_equal(mc_config_load_named(path, &o, &c, &err), MC_OK);
    assert_int_equal(warnings, 1);
    assert_string_equal(mc_config_find(c, "run", "name")->value, "old");
    assert_string_equal(mc_config_find(c, "run", "replicates")->value, "2");
    mc_config_free(c);
}

static void test_load_errors(void **state)
{
    (void)state;
    mc_config *c = NULL;
    mc_error err = {0};
    assert_int_equal(mc_config_load_named("cast", NULL, &c, &err), MC_EUSAGE);
    assert_non_null(strstr(err.msg, "did you mean 'cats'"));
    assert_null(c);
    const char *bad[] = {"replicates=5"}; /* keys are checked by mc_experiment_prepare */
    mc_load_opts o = {.overrides = bad, .noverrides = 1};
    assert_int_equal(mc_config_load_named("cats", &o, &c, &err), MC_EUSAGE);
    assert_non_null(strstr(err.msg, "expected section.key=value"));
    assert_null(c);
    char missing[600];
    snprintf(missing, sizeof missing, "%s/missing.ini", tu_tmpdir());
    assert_int_equal(mc_config_load_named(missing, NULL, &c, &err), MC_EIO);
    assert_null(c);
}

static mc_experiment *small_cats(void)
{
    const char *ov[] = {"run.replicates=3", "run.generations=4"};
    mc_load_opts o = {.overrides = ov, .noverrides = 2};
    mc_config *c = NULL;
    mc_experiment *e = NULL;
    mc_error err = {0};
    assert_int_equal(mc_config_load_named("cats", &o, &c, &err), MC_OK);
    assert_int_equal(mc_experiment_prepare(c, &e, &err), MC_OK);
    assert_true(e->npoints > 1);
    return e;
}

typedef struct seen {
    int starts, summaries, fail_at; /* fail_at: on_summary fails at this point (-1: never) */
    size_t next_point, units;
    size_t progress_calls;
} seen;

static void on_start(const mc_experiment *e, const mc_run_dir_result *res, void *user)
{
    seen *s = user;
    assert_int_equal(s->summaries, 0);
    assert_int_equal(res->npoints, e->npoints);
    s->units = res->units;
    s->starts++;
}

static int on_summary(const mc_summary *sm, void *user, mc_error *err)
{
    seen *s = user;
    assert_int_equal(s->starts, 1);
    assert_int_equal(sm->point->index, s->next_point); /* point order */
    s->next_point++;
    s->summaries++;
    if ((int)sm->point->index == s->fail_at)
        return mc_error_set(err, MC_EIO, "stop here");
    return MC_OK;
}

static void on_progress(size_t done, size_t total, const mc_point *p, void *user)
{
    (void)p;
    seen *s = user;
    assert_true(done >= 1 && done <= total);
    s->progress_calls++;
}

static void test_run_to_dir(void **state)
{
    (void)state;
    mc_experiment *e = small_cats();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/run/sub", tu_tmpdir());
    seen s = {.fail_at = -1};
    mc_run_dir_opts o = {.dir = dir, .threads = 2, .on_start = on_start, .on_summary = on_summary,
                         .on_progress = on_progress, .user = &s};
    mc_run_dir_result res;
    mc_error err = {0};
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_OK);
    assert_string_equal(res.dir, dir);
    assert_int_equal(s.starts, 1);
    assert_int_equal(s.summaries, (int)e->npoints);
    assert_int_equal(res.units, 3 * e->npoints);
    assert_int_equal(s.units, res.units);
    assert_int_equal(s.progress_calls, res.units);
    assert_int_equal(res.threads, 2);
    assert_true(file_has(dir, "summary.json", "\"complete\":true}"));
    static const char *const files[] = {"config.ini", "points.csv", "metrics.csv",
                                        "summary.csv", "extinction.csv"};
    for (size_t i = 0; i < 5; i++)
        assert_true(exists(dir, files[i]));
    assert_int_equal(hidden_files(dir), 0);
    mc_experiment_free(e);
}

static void test_run_to_dir_failures(void **state)
{
    (void)state;
    mc_experiment *e = small_cats();
    mc_error err = {0};
    mc_run_dir_result res;
    /* on_summary stops the run at point 1: its status comes back, nothing looks complete */
    char dir[600];
    snprintf(dir, sizeof dir, "%s/stopped", tu_tmpdir());
    seen s = {.fail_at = 1};
    mc_run_dir_opts o = {.dir = dir, .on_start = on_start, .on_summary = on_summary, .user = &s};
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_EIO);
    assert_string_equal(err.msg, "stop here");
    assert_int_equal(s.summaries, 2);
    assert_false(exists(dir, "summary.json"));
    assert_int_equal(hidden_files(dir), 0); /* no temporary file, no lock */
    /* a directory that cannot be made: MC_EIO before anything runs */
    const char *file = tu_write_file("afile", "x");
    snprintf(dir, sizeof dir, "%s/sub", file);
    seen s2 = {.fail_at = -1};
    o.user = &s2;
    o.dir = dir;
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_EIO);
    assert_non_null(strstr(err.msg, "cannot create output directory"));
    assert_int_equal(s2.starts, 0);
    mc_experiment_free(e);
}

/* A folder locked by another run (its lock file held, pid 12345 in it) is refused at once,
 * naming the folder and the pid; released, it takes the run. */
static void test_run_to_dir_locked(void **state)
{
    (void)state;
    mc_experiment *e = small_cats();
    char dir[600], lock[700];
    snprintf(dir, sizeof dir, "%s/locked", tu_tmpdir());
    snprintf(lock, sizeof lock, "%s/.collapse.lock", dir);
    assert_int_equal(mkdir(dir, 0777), 0);
    int fd = open(lock, O_RDWR | O_CREAT, 0666);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "12345\n", 6), 6);
    assert_int_equal(flock(fd, LOCK_EX), 0); /* another open file description: conflicts */
    seen s = {.fail_at = -1};
    mc_run_dir_opts o = {.dir = dir, .on_start = on_start, .user = &s};
    mc_run_dir_result res;
    mc_error err = {0};
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_EIO);
    assert_non_null(strstr(err.msg, dir));
    assert_non_null(strstr(err.msg, "another collapse run (pid 12345) is writing into this"));
    assert_int_equal(s.starts, 0);
    assert_true(exists(dir, ".collapse.lock")); /* not ours to remove */
    close(fd); /* the other run is gone (killed: its lock file stays) */
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_OK);
    assert_true(file_has(dir, "summary.json", "\"complete\":true}"));
    assert_false(exists(dir, ".collapse.lock"));
    mc_experiment_free(e);
}

/* on_finish runs once the folder is complete and still locked by this process. */
static int on_finish(const mc_run_dir_result *res, void *user, mc_error *err)
{
    (void)err;
    int *calls = user;
    (*calls)++;
    char pid[32];
    snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    assert_true(file_has(res->dir, ".collapse.lock", pid));
    assert_true(file_has(res->dir, "summary.json", "\"complete\":true}"));
    return MC_OK;
}

/* A folder that holds another run: refused, naming its files; force removes them (and the
 * temporary files of a dead run) but nothing else. An empty name is refused. */
static void test_run_to_dir_force(void **state)
{
    (void)state;
    mc_experiment *e = small_cats();
    char dir[600];
    snprintf(dir, sizeof dir, "%s/again", tu_tmpdir());
    int calls = 0;
    mc_run_dir_opts o = {.dir = dir, .user = &calls, .on_finish = on_finish};
    mc_run_dir_result res;
    mc_error err = {0};
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_OK);
    assert_int_equal(calls, 1);
    char other[700];
    snprintf(other, sizeof other, "%s/notes.txt", dir);
    fclose(fopen(other, "w"));
    snprintf(other, sizeof other, "%s/.metrics.csv.aB3dE9", dir);
    fclose(fopen(other, "w"));
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_EUSAGE);
    assert_non_null(strstr(err.msg, "holds the files of another run ("));
    assert_non_null(strstr(err.msg, "summary.json"));
    assert_non_null(strstr(err.msg, "run that did not finish (.metrics.csv.aB3dE9)"));
    assert_int_equal(calls, 1);
    o.force = 1;
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_OK);
    assert_int_equal(calls, 2);
    assert_false(exists(dir, ".metrics.csv.aB3dE9"));
    assert_true(exists(dir, "notes.txt"));
    o.dir = "";
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_EUSAGE);
    assert_string_equal(err.msg, "output directory: the name is empty");
    mc_experiment_free(e);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_preset_overrides_seed),
        cmocka_unit_test(test_load_file_and_version_warning),
        cmocka_unit_test(test_load_errors),
        cmocka_unit_test(test_run_to_dir),
        cmocka_unit_test(test_run_to_dir_failures),
        cmocka_unit_test(test_run_to_dir_locked),
        cmocka_unit_test(test_run_to_dir_force),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
