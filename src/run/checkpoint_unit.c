/* checkpoint_unit.c - the states of units inside the run's checkpoint (checkpoint.h): the
 * engine's bytes of a unit (src/unit_state.c) kept in DIR/.collapse.ckpt/unit-P-R.bin between a
 * header (magic, the run's fingerprint, P, R, the length) and a checksum (FNV-1a 64 of all
 * before it), written atomically as every checkpoint file. A file of another run (another
 * configuration or version: its fingerprint) is refused; one that does not check out (cut
 * short: it cannot be after an atomic rename, but a disk can lose it) is ignored and the unit
 * computed from its start. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "collapse.h"
#include "io/atomic.h"
#include "io/textfile.h"
#include "run/checkpoint.h"

#define UNIT_MAGIC "MCUNITF"

typedef struct unit_header {
    char magic[8];
    uint64_t fingerprint, point;
    int64_t replicate;
    uint64_t nbytes;
} unit_header;

typedef struct unit_file {
    unit_header h;
    const void *bytes;
} unit_file;

static int write_unit(FILE *f, void *user)
{
    const unit_file *uf = user;
    uint64_t sum = mc_ckpt_fnv1a(uf->bytes, uf->h.nbytes,
                                 mc_ckpt_fnv1a(&uf->h, sizeof uf->h, MC_CKPT_FNV_START));
    int ok = fwrite(&uf->h, sizeof uf->h, 1, f) == 1 &&
             fwrite(uf->bytes, 1, uf->h.nbytes, f) == uf->h.nbytes &&
             fwrite(&sum, sizeof sum, 1, f) == 1;
    return ok ? MC_OK : MC_EIO;
}

static int unit_save(const mc_point *p, long rep, const void *bytes, size_t n, void *user,
                     mc_error *err)
{
    mc_ckpt *ck = user;
    unit_file uf;
    memset(&uf, 0, sizeof uf);
    memcpy(uf.h.magic, UNIT_MAGIC, 8);
    uf.h.fingerprint = mc_ckpt_fingerprint(ck);
    uf.h.point = p->index;
    uf.h.replicate = rep;
    uf.h.nbytes = n;
    uf.bytes = bytes;
    char path[4400];
    mc_ckpt_unit_path(ck, p, rep, path, sizeof path);
    return mc_write_atomic(path, write_unit, &uf, err);
}

/* The whole file at path, or NULL (absent, unreadable or not a regular file). */
static void *slurp(const char *path, size_t *n)
{
    FILE *f;
    if (mc_open_regular(path, &f) != 0)
        return NULL;
    struct stat st;
    void *buf = NULL;
    if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && (buf = malloc((size_t)st.st_size)) &&
        fread(buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *n = buf ? (size_t)st.st_size : 0;
    return buf;
}

static int unit_load(const mc_point *p, long rep, void **bytes, size_t *n, void *user,
                     mc_error *err)
{
    mc_ckpt *ck = user;
    *bytes = NULL;
    *n = 0;
    char path[4400];
    mc_ckpt_unit_path(ck, p, rep, path, sizeof path);
    size_t len;
    unsigned char *buf = slurp(path, &len);
    unit_header h;
    if (!buf || len < sizeof h + 8) {
        free(buf);
        return MC_OK;
    }
    memcpy(&h, buf, sizeof h);
    if (memcmp(h.magic, UNIT_MAGIC, 8) || h.fingerprint != mc_ckpt_fingerprint(ck) ||
        h.point != p->index || h.replicate != rep) {
        free(buf);
        return mc_error_set(err, MC_EUSAGE,
                            "%s: the checkpoint of a unit of another run (another configuration "
                            "or version of collapse): resume with the version and configuration "
                            "that wrote it, or start the run over with --force", path);
    }
    uint64_t sum;
    memcpy(&sum, buf + len - 8, 8);
    if (h.nbytes != len - sizeof h - 8 ||
        sum != mc_ckpt_fnv1a(buf, len - 8, MC_CKPT_FNV_START)) { /* computed again */
        free(buf);
        return MC_OK;
    }
    memmove(buf, buf + sizeof h, h.nbytes);
    *bytes = buf;
    *n = h.nbytes;
    return MC_OK;
}

void mc_ckpt_unit_path(const mc_ckpt *ck, const mc_point *p, long rep, char *buf, size_t n)
{
    snprintf(buf, n, "%s/%s/unit-%zu-%ld.bin", mc_ckpt_run_dir(ck), MC_CKPT_DIR, p->index, rep);
}

void mc_ckpt_unit_store(mc_ckpt *ck, double seconds, mc_unit_store *out)
{
    *out = (mc_unit_store){seconds, unit_save, unit_load, ck, mc_ckpt_run_dir(ck)};
}
