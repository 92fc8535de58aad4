/* test_faults.c - the atomic file layer (src/io/atomic.c) and the run directory when writes fail:
 * unique temporary names (two writers of one file never share one), the names a dead run leaves
 * recognised, and the fault-injection hook MC_FAULT_WRITE_AFTER (a full disk after N bytes):
 * the message names the file and "No space left on device", and nothing that looks complete,
 * nor any temporary file, is left behind. The hook is read once per process, so this file sets
 * it in main() before anything is written. */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "io/atomic.h"
#include "testutil.h"

#define BUDGET 3000 /* bytes before the injected full disk */

static int put_bytes(FILE *f, void *user)
{
    size_t n = *(const size_t *)user;
    for (size_t i = 0; i < n; i++)
        fputc('a' + (int)(i % 26), f);
    return MC_OK;
}

static size_t file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (size_t)st.st_size : (size_t)-1;
}

/* Entries of dir other than . and .. (names up to 64 in names[]). */
static int entries(const char *dir, char names[][256], int max)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *de; d && (de = readdir(d));)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") && n < max)
            snprintf(names[n++], 256, "%s", de->d_name);
    if (d)
        closedir(d);
    return n;
}

static const char *sub(const char *name)
{
    static char dir[700];
    snprintf(dir, sizeof dir, "%s/%s", tu_tmpdir(), name);
    mkdir(dir, 0777);
    return dir;
}

/* Two writers of one path at once get two temporary files; each commit is whole. */
static void test_unique_temporary_names(void **state)
{
    (void)state;
    char path[800];
    snprintf(path, sizeof path, "%s/f.csv", sub("unique"));
    mc_out *a = NULL, *b = NULL;
    mc_error err = {0};
    assert_int_equal(mc_out_open(path, &a, &err), MC_OK);
    assert_int_equal(mc_out_open(path, &b, &err), MC_OK);
    assert_string_not_equal(mc_out_tmp_path(a), mc_out_tmp_path(b));
    const char *base = strrchr(mc_out_tmp_path(a), '/') + 1;
    assert_true(mc_is_temp_name(base, "f.csv", NULL, 0));
    fputs("first\n", mc_out_file(a));
    fputs("second, longer\n", mc_out_file(b));
    assert_int_equal(mc_out_finish(a, &err), MC_OK);
    assert_int_equal(mc_out_finish(b, &err), MC_OK);
    assert_int_equal(mc_out_commit(a, &err), MC_OK);
    assert_int_equal(file_size(path), 6);
    assert_int_equal(mc_out_commit(b, &err), MC_OK);
    assert_int_equal(file_size(path), 15);
    mc_out_free(a);
    mc_out_free(b);
    char names[8][256];
    assert_int_equal(entries(sub("unique"), names, 8), 1); /* f.csv alone */
}

static void test_temp_name_recognised(void **state)
{
    (void)state;
    char base[64];
    assert_true(mc_is_temp_name(".metrics.csv.aB3dE9", NULL, base, sizeof base));
    assert_string_equal(base, "metrics.csv");
    assert_true(mc_is_temp_name(".summary.json.tmp", "summary.json", NULL, 0));
    assert_false(mc_is_temp_name(".summary.json.tmp", "summary.csv", NULL, 0));
    assert_false(mc_is_temp_name("metrics.csv.aB3dE9", NULL, base, sizeof base));
    assert_false(mc_is_temp_name(".metrics.csv.aB3d-9", NULL, base, sizeof base));
    assert_false(mc_is_temp_name(".collapse.lock", NULL, base, sizeof base));
    assert_false(mc_is_temp_name(".x", NULL, base, sizeof base));
}

/* Within the budget a file is written whole; past it the write fails with the reason, the old
 * file stays as it was, and no temporary file remains. */
static void test_injected_full_disk(void **state)
{
    (void)state;
    const char *dir = sub("full");
    char path[800];
    snprintf(path, sizeof path, "%s/data.txt", dir);
    size_t n = BUDGET / 2;
    mc_error err = {0};
    assert_int_equal(mc_write_atomic(path, put_bytes, &n, &err), MC_OK);
    assert_int_equal(file_size(path), n);
    n = 100000; /* far beyond what is left */
    assert_int_equal(mc_write_atomic(path, put_bytes, &n, &err), MC_EIO);
    assert_non_null(strstr(err.msg, path));
    assert_non_null(strstr(err.msg, "write error: No space left on device"));
    assert_int_equal(file_size(path), BUDGET / 2);
    char names[8][256];
    assert_int_equal(entries(dir, names, 8), 1);
}

/* A run on a full disk: MC_EIO naming a file of the folder and the reason; no summary.json, no
 * temporary file, no lock left. */
static void test_run_on_full_disk(void **state)
{
    (void)state;
    mc_experiment *e = tu_prepare("[world]\nweights = blue=0.9, yellow=0.1\n"
                                  "[run]\nreplicates = 20\ngenerations = 20\n", NULL);
    char dir[700];
    snprintf(dir, sizeof dir, "%s/run", tu_tmpdir());
    mc_run_dir_opts o = {.dir = dir};
    mc_run_dir_result res;
    mc_error err = {0};
    assert_int_equal(mc_run_to_dir(e, &o, &res, &err), MC_EIO);
    assert_non_null(strstr(err.msg, dir));
    assert_non_null(strstr(err.msg, "No space left on device"));
    char names[8][256];
    int k = entries(dir, names, 8);
    for (int i = 0; i < k; i++)
        fail_msg("left behind: %s", names[i]);
    mc_experiment_free(e);
}

int main(void)
{
    char budget[32];
    snprintf(budget, sizeof budget, "%d", BUDGET);
    setenv("MC_FAULT_WRITE_AFTER", budget, 1);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_temp_name_recognised),
        cmocka_unit_test(test_unique_temporary_names), /* 21 bytes of the budget */
        cmocka_unit_test(test_injected_full_disk),
        cmocka_unit_test(test_run_on_full_disk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
