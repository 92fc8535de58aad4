/* fuzz_util.h - what the libFuzzer harnesses of fuzz/ share: a private scratch folder per process
 * (in /dev/shm when it exists, so that writing an input to a file costs no disk), writing an
 * input into a file there, and splitting an input into parts at a marker line.
 *
 * Everything here is static: each harness is one executable (fuzz/README.md). */
#ifndef MC_FUZZ_UTIL_H
#define MC_FUZZ_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

/* Separates the files of one input (harnesses that need several files): a line "%%%". */
#define FUZZ_PART_MARK "\n%%%\n"

static char fuzz_dir[256];

static inline void fuzz_rmdir(void)
{
    char cmd[300];
    if (fuzz_dir[0]) {
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir);
        if (system(cmd) != 0)
            fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
    }
}

/* Creates this process's scratch folder (once) and returns it; exits on failure, which is the
 * harness's environment failing, not the library. */
static inline const char *fuzz_scratch(void)
{
    if (fuzz_dir[0])
        return fuzz_dir;
    const char *base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/collapse-fuzz-XXXXXX", base);
    if (!mkdtemp(fuzz_dir)) {
        perror("fuzz: mkdtemp");
        exit(1);
    }
    atexit(fuzz_rmdir);
    return fuzz_dir;
}

/* Whether MC_FUZZ_SKIP (a comma-separated list) names this known defect: its inputs are then
 * skipped, so that fuzzing can go on past a defect reported but not yet fixed in the tree. */
static inline int fuzz_skip(const char *defect)
{
    const char *s = getenv("MC_FUZZ_SKIP");
    size_t n = strlen(defect);
    for (const char *p = s; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (strncmp(p, defect, n) == 0 && (p[n] == ',' || p[n] == '\0'))
            return 1;
    return 0;
}

/* With MC_FUZZ_VERBOSE set, prints what a call returned (to see why a seed is refused). */
static inline void fuzz_say(const char *what, int status, const char *msg)
{
    static int verbose = -1;
    if (verbose < 0)
        verbose = getenv("MC_FUZZ_VERBOSE") != NULL;
    if (verbose)
        fprintf(stderr, "fuzz: %s: %d %s\n", what, status, status ? msg : "ok");
}

/* Creates folder dir/name when missing and empties it (it holds only files the harness wrote).
 * Returns its path in a static buffer; exits on failure. */
static inline const char *fuzz_folder(const char *dir, const char *name)
{
    static char folder[320];
    snprintf(folder, sizeof folder, "%s/%s", dir, name);
    DIR *d = opendir(folder);
    if (!d) {
        if (mkdir(folder, 0700) != 0) {
            perror(folder);
            exit(1);
        }
        return folder;
    }
    struct dirent *ent;
    char path[600];
    while ((ent = readdir(d)))
        if (strcmp(ent->d_name, ".") != 0 && strcmp(ent->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", folder, ent->d_name);
            unlink(path);
        }
    closedir(d);
    return folder;
}

/* Writes n bytes to dir/name (replacing it); exits on failure. Returns the path in a static
 * buffer of 4 slots, so a few paths can be held at once. */
static inline const char *fuzz_write(const char *dir, const char *name, const void *data, size_t n)
{
    static char paths[4][320];
    static int slot;
    char *path = paths[slot++ & 3];
    snprintf(path, sizeof paths[0], "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
        perror(path);
        exit(1);
    }
    return path;
}

/* The next part of [*p, end) up to the marker (or the end); *p moves past the marker. Returns
 * the part's length, or (size_t)-1 when nothing is left. */
static inline size_t fuzz_part(const char **p, const char *end, const char **part)
{
    if (!*p || *p > end)
        return (size_t)-1;
    size_t ml = strlen(FUZZ_PART_MARK);
    const char *m = NULL;
    for (const char *q = *p; q + ml <= end; q++)
        if (memcmp(q, FUZZ_PART_MARK, ml) == 0) {
            m = q;
            break;
        }
    *part = *p;
    size_t len = (size_t)((m ? m : end) - *p);
    *p = m ? m + ml : end + 1;
    return len;
}

#endif
