/* checkpoint.c - finished points kept on disk for a resume (checkpoint.h). */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "collapse.h"
#include "io/atomic.h"
#include "io/textfile.h"
#include "run/checkpoint.h"

#define MAGIC "MCCKPT1"
#define PATH_SIZE 4200

struct mc_ckpt {
    char dir[PATH_SIZE];      /* DIR/.collapse.ckpt */
    char run[PATH_SIZE];      /* DIR */
    uint64_t fingerprint;     /* FNV-1a 64 of config.ini */
    unsigned char *restored;  /* [npoints] */
    size_t npoints, nrestored;
};

typedef struct header {
    char magic[8];
    uint64_t fingerprint, point;
    int64_t replicates, generations;
    uint64_t nmetrics;
} header;

uint64_t mc_ckpt_fnv1a(const void *data, size_t n, uint64_t h)
{
    const unsigned char *p = data;
    for (size_t i = 0; i < n; i++)
        h = (h ^ p[i]) * 0x100000001b3ull;
    return h;
}

/* config.ini of the checkpoint: a line naming the version, then the resolved configuration in
 * its entries' order (read back, the same grid in the same order). */
static char *manifest_text(const mc_experiment *e, size_t *len)
{
    char *text = NULL;
    FILE *f = open_memstream(&text, len);
    if (!f)
        return NULL;
    fprintf(f, "# collapse %s checkpoint (generator %s): the configuration of the run in this "
               "folder\n", MC_VERSION, MC_RNG_NAME);
    int r = mc_config_write_ordered(e->config, f);
    if (fclose(f) != 0 || r != MC_OK) {
        free(text);
        return NULL;
    }
    return text;
}

static int alloc_ckpt(const char *dir, const mc_experiment *e, mc_ckpt **out, mc_error *err)
{
    mc_ckpt *ck = calloc(1, sizeof *ck);
    if (ck)
        ck->restored = calloc(e->npoints ? e->npoints : 1, 1);
    if (!ck || !ck->restored) {
        free(ck);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    ck->npoints = e->npoints;
    snprintf(ck->dir, sizeof ck->dir, "%s/%s", dir, MC_CKPT_DIR);
    snprintf(ck->run, sizeof ck->run, "%s", dir);
    *out = ck;
    return MC_OK;
}

int mc_ckpt_exists(const char *dir)
{
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/%s/config.ini", dir, MC_CKPT_DIR);
    return access(path, F_OK) == 0;
}

int mc_ckpt_discard(const char *dir, mc_error *err)
{
    char path[PATH_SIZE], file[PATH_SIZE + 256];
    snprintf(path, sizeof path, "%s/%s", dir, MC_CKPT_DIR);
    DIR *d = opendir(path);
    if (!d)
        return errno == ENOENT ? MC_OK
                               : mc_error_set(err, MC_EIO, "%s: cannot read: %s", path,
                                              strerror(errno));
    int st = MC_OK;
    for (struct dirent *de; st == MC_OK && (de = readdir(d));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        snprintf(file, sizeof file, "%s/%s", path, de->d_name);
        if (unlink(file) != 0 && errno != ENOENT)
            st = mc_error_set(err, MC_EIO, "%s: cannot remove: %s", file, strerror(errno));
    }
    closedir(d);
    if (st == MC_OK && rmdir(path) != 0 && errno != ENOENT)
        st = mc_error_set(err, MC_EIO, "%s: cannot remove: %s", path, strerror(errno));
    return st == MC_OK ? mc_sync_dir(dir, err) : st;
}

static int write_text(FILE *f, void *user)
{
    const char *text = user;
    return fputs(text, f) < 0 ? MC_EIO : MC_OK;
}

int mc_ckpt_start(const char *dir, const mc_experiment *e, mc_ckpt **out, mc_error *err)
{
    *out = NULL;
    size_t len;
    char *text = manifest_text(e, &len);
    if (!text)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    mc_ckpt *ck = NULL;
    int r = mc_ckpt_discard(dir, err);
    if (r == MC_OK)
        r = alloc_ckpt(dir, e, &ck, err);
    int made = r == MC_OK && mkdir(ck->dir, 0777) == 0;
    if (r == MC_OK && !made)
        r = mc_error_set(err, MC_EIO, "%s: cannot create: %s", ck->dir, strerror(errno));
    char path[PATH_SIZE + 16];
    if (r == MC_OK) {
        ck->fingerprint = mc_ckpt_fnv1a(text, len, MC_CKPT_FNV_START);
        snprintf(path, sizeof path, "%s/config.ini", ck->dir);
        r = mc_write_atomic(path, write_text, text, err);
    }
    if (r == MC_OK)
        r = mc_sync_dir(dir, err);
    free(text);
    if (r != MC_OK) {
        mc_error ignore;
        if (made) /* a failed start leaves nothing behind */
            mc_ckpt_discard(dir, &ignore);
        mc_ckpt_free(ck);
        return r;
    }
    *out = ck;
    return MC_OK;
}

/* Line n (1-based) of text, at most size - 1 characters, into buf. */
static const char *line_of(const char *text, size_t n, char *buf, size_t size)
{
    for (; n > 1 && text; n--) {
        text = strchr(text, '\n');
        text = text ? text + 1 : NULL;
    }
    size_t len = text ? strcspn(text, "\n") : 0;
    snprintf(buf, size, "%.*s", (int)(len < size ? len : size - 1), text ? text : "");
    return buf;
}

/* The stored manifest against this version and e's configuration: MC_OK or MC_EUSAGE. */
static int compare_manifest(const char *path, const char *stored, const char *now, mc_error *err)
{
    char version[64] = "";
    if (sscanf(stored, "# collapse %63s checkpoint", version) != 1)
        return mc_error_set(err, MC_EUSAGE, "%s:1: not a collapse checkpoint", path);
    if (strcmp(version, MC_VERSION) != 0)
        return mc_error_set(err, MC_EUSAGE,
                            "%s: the run was started by collapse %s, this is collapse %s: "
                            "resume it with that version, or start it over with --force",
                            path, version, MC_VERSION);
    size_t line = 1;
    const char *a = stored, *b = now;
    while (*a && *a == *b) {
        line += *a == '\n';
        a++;
        b++;
    }
    if (!*a && !*b)
        return MC_OK;
    char was[160], is[160];
    return mc_error_set(err, MC_EUSAGE,
                        "%s:%zu: the configuration differs from the run in this folder (there "
                        "'%s', now '%s'): resume it with the same configuration and version, or "
                        "start it over with --force",
                        path, line, line_of(stored, line, was, sizeof was),
                        line_of(now, line, is, sizeof is));
}

int mc_ckpt_resume(const char *dir, const mc_experiment *e, mc_ckpt **out, mc_error *err)
{
    *out = NULL;
    char path[PATH_SIZE];
    snprintf(path, sizeof path, "%s/%s/config.ini", dir, MC_CKPT_DIR);
    if (access(path, F_OK) != 0)
        return mc_error_set(err, MC_EUSAGE, "%s: nothing to resume: no checkpoint (%s/config.ini)",
                            dir, MC_CKPT_DIR);
    size_t len, nlen;
    char *stored = NULL, *now = manifest_text(e, &nlen);
    if (!now)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    int r = mc_read_text(path, &stored, &len, err);
    if (r == MC_OK)
        r = compare_manifest(path, stored, now, err);
    mc_ckpt *ck = NULL;
    if (r == MC_OK)
        r = alloc_ckpt(dir, e, &ck, err);
    if (r == MC_OK)
        ck->fingerprint = mc_ckpt_fnv1a(now, nlen, MC_CKPT_FNV_START);
    free(stored);
    free(now);
    if (r == MC_OK)
        *out = ck;
    return r;
}

static void point_path(const mc_ckpt *ck, size_t index, char *buf, size_t n)
{
    snprintf(buf, n, "%s/point-%zu.bin", ck->dir, index);
}

static size_t point_count(const mc_point *p)
{
    return (size_t)p->run.replicates * (size_t)(p->run.generations + 1) * p->metrics.n;
}

/* Reads path into values if it is point p's file, whole and checked. */
static int read_point(const mc_ckpt *ck, const mc_point *p, const char *path, double *values)
{
    FILE *f;
    if (mc_open_regular(path, &f) != 0) /* absent, or not a regular file: computed again */
        return 0;
    size_t n = point_count(p);
    header h;
    uint64_t sum = 0;
    int ok = fread(&h, sizeof h, 1, f) == 1 && !memcmp(h.magic, MAGIC, 8) &&
             h.fingerprint == ck->fingerprint && h.point == p->index &&
             h.replicates == p->run.replicates && h.generations == p->run.generations &&
             h.nmetrics == p->metrics.n && fread(values, sizeof *values, n, f) == n &&
             fread(&sum, sizeof sum, 1, f) == 1 && fgetc(f) == EOF;
    fclose(f);
    return ok && sum == mc_ckpt_fnv1a(values, n * sizeof *values,
                                      mc_ckpt_fnv1a(&h, sizeof h, MC_CKPT_FNV_START));
}

int mc_ckpt_restore(const mc_point *p, double *values, mc_ckpt *ck)
{
    char path[PATH_SIZE + 32];
    point_path(ck, p->index, path, sizeof path);
    if (p->index >= ck->npoints || !read_point(ck, p, path, values))
        return 0;
    ck->restored[p->index] = 1;
    ck->nrestored++;
    return 1;
}

typedef struct point_file {
    header h;
    const double *values;
    size_t n;
} point_file;

static int write_point(FILE *f, void *user)
{
    const point_file *pf = user;
    uint64_t sum = mc_ckpt_fnv1a(pf->values, pf->n * sizeof *pf->values,
                                 mc_ckpt_fnv1a(&pf->h, sizeof pf->h, MC_CKPT_FNV_START));
    int ok = fwrite(&pf->h, sizeof pf->h, 1, f) == 1 &&
             fwrite(pf->values, sizeof *pf->values, pf->n, f) == pf->n &&
             fwrite(&sum, sizeof sum, 1, f) == 1;
    return ok ? MC_OK : MC_EIO;
}

int mc_ckpt_save(mc_ckpt *ck, const mc_point_result *res, mc_error *err)
{
    const mc_point *p = res->point;
    if (p->index < ck->npoints && ck->restored[p->index])
        return MC_OK;
    point_file pf;
    memset(&pf, 0, sizeof pf);
    memcpy(pf.h.magic, MAGIC, 8);
    pf.h.fingerprint = ck->fingerprint;
    pf.h.point = p->index;
    pf.h.replicates = res->replicates;
    pf.h.generations = res->generations;
    pf.h.nmetrics = res->nmetrics;
    pf.values = res->values;
    pf.n = point_count(p);
    char path[PATH_SIZE + 32];
    point_path(ck, p->index, path, sizeof path);
    int r = mc_write_atomic(path, write_point, &pf, err);
    for (long rep = 0; r == MC_OK && mc_unit_resumable(p) && rep < res->replicates; rep++) {
        mc_ckpt_unit_path(ck, p, rep, path, sizeof path); /* the point's file holds them now */
        unlink(path);
    }
    return r;
}

size_t mc_ckpt_restored(const mc_ckpt *ck) { return ck ? ck->nrestored : 0; }
const char *mc_ckpt_run_dir(const mc_ckpt *ck) { return ck->run; }
uint64_t mc_ckpt_fingerprint(const mc_ckpt *ck) { return ck->fingerprint; }

int mc_ckpt_attach(const char *dir, const mc_experiment *e, mc_ckpt **out, mc_error *err)
{
    *out = NULL;
    size_t len;
    char *text = manifest_text(e, &len);
    int r = text ? alloc_ckpt(dir, e, out, err) : mc_error_set(err, MC_ENOMEM, "out of memory");
    if (r == MC_OK)
        (*out)->fingerprint = mc_ckpt_fnv1a(text, len, MC_CKPT_FNV_START);
    free(text);
    return r;
}

int mc_ckpt_remove(mc_ckpt *ck, mc_error *err)
{
    char dir[PATH_SIZE];
    snprintf(dir, sizeof dir, "%.*s", (int)(strlen(ck->dir) - strlen(MC_CKPT_DIR) - 1), ck->dir);
    mc_ckpt_free(ck);
    return mc_ckpt_discard(dir, err);
}

void mc_ckpt_free(mc_ckpt *ck)
{
    if (!ck)
        return;
    free(ck->restored);
    free(ck);
}

int mc_run_resume_config(const char *dir, char *path, size_t n, mc_error *err)
{
    if (mc_ckpt_exists(dir)) {
        snprintf(path, n, "%s/%s/config.ini", dir, MC_CKPT_DIR);
        return MC_OK;
    }
    snprintf(path, n, "%s/summary.json", dir);
    if (access(path, F_OK) == 0) { /* complete: its own config.ini repeats it */
        snprintf(path, n, "%s/config.ini", dir);
        return MC_OK;
    }
    return mc_error_set(err, MC_EUSAGE,
                        "%s: nothing to resume: no checkpoint (%s/config.ini; a run killed before "
                        "it wrote one, or not a run folder): run it again (--force removes what "
                        "is left)", dir, MC_CKPT_DIR);
}
