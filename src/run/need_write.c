/* need_write.c - the answer of `collapse need` into a folder: need.csv (one row per grid point)
 * and need.json (the target, the options, per point the answer, its interval and every
 * evaluation), include/collapse/need.h. The folder is locked as a run's is (run.h) and each
 * file is written under a temporary name and renamed into place complete (io/atomic.h). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <cjson/cJSON.h>
#include "collapse.h"
#include "collapse/need.h"
#include "collapse/run.h"
#include "io/atomic.h"
#include "run/folder.h"
#include "io/csvfield.h"
#include "run/json_value.h"

static const char *const need_files[] = {"need.csv", "need.json"};

typedef struct need_doc {
    const char *source;
    const mc_target *t;
    const mc_need_opts *o;
    const mc_need_grid *g;
} need_doc;

/* The evaluation at the answer h (or at h = 1 when not met). */
static const mc_need_eval *at_answer(const mc_need_result *r)
{
    const mc_need_eval *best = r->nevals ? &r->evals[r->nevals - 1] : NULL;
    for (size_t i = 0; r->feasible && i < r->nevals; i++)
        if (r->evals[i].h == r->h)
            best = &r->evals[i];
    return best;
}

static int write_csv(FILE *f, void *user)
{
    const need_doc *d = user;
    const mc_need_grid *g = d->g;
    char b[6][32];
    fputs("point", f);
    for (size_t a = 0; a < g->naxes; a++)
        fprintf(f, ",%s", g->axes[a]);
    fputs(",h,lo,hi,feasible,mean,se,replicates,evaluations\n", f);
    for (size_t i = 0; i < g->npoints; i++) {
        const mc_need_result *r = &g->points[i].result;
        const mc_need_eval *e = at_answer(r);
        fprintf(f, "%zu", i);
        for (size_t a = 0; a < g->naxes; a++) {
            fputc(',', f);
            mc_csv_field(f, g->points[i].values[a]);
        }
        fprintf(f, ",%s,%s,%s,%d,%s,%s,%ld,%zu\n", mc_format_value(r->h, b[0]),
                mc_format_value(r->lo, b[1]), mc_format_value(r->hi, b[2]), r->feasible,
                mc_format_value(e ? e->mean : NAN, b[3]), mc_format_value(e ? e->se : NAN, b[4]),
                r->replicates, r->nevals);
    }
    return MC_OK;
}

/* One point: its setting, the answer, the interval and every evaluation. */
static cJSON *point_json(const mc_need_grid *g, size_t i)
{
    const mc_need_grid_point *q = &g->points[i];
    const mc_need_result *r = &q->result;
    cJSON *p = cJSON_CreateObject(), *set = cJSON_AddObjectToObject(p, "setting");
    cJSON_AddNumberToObject(p, "point", (double)i);
    cJSON_AddStringToObject(p, "label", q->label);
    for (size_t a = 0; a < g->naxes; a++)
        cJSON_AddStringToObject(set, g->axes[a], q->values[a]);
    cJSON_AddBoolToObject(p, "feasible", r->feasible);
    cJSON_AddItemToObject(p, "h", mc_json_number(r->h));
    cJSON *iv = cJSON_AddArrayToObject(p, "interval");
    cJSON_AddItemToArray(iv, mc_json_number(r->lo));
    cJSON_AddItemToArray(iv, mc_json_number(r->hi));
    cJSON_AddItemToObject(p, "reference", mc_json_number(r->reference));
    cJSON_AddItemToObject(p, "threshold", mc_json_number(r->threshold));
    cJSON_AddItemToObject(p, "halfwidth", mc_json_number(r->halfwidth));
    cJSON_AddNumberToObject(p, "replicates", (double)r->replicates);
    cJSON_AddNumberToObject(p, "step", r->step);
    cJSON *ev = cJSON_AddArrayToObject(p, "evaluations");
    for (size_t k = 0; k < r->nevals; k++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddItemToObject(e, "h", mc_json_number(r->evals[k].h));
        cJSON_AddItemToObject(e, "mean", mc_json_number(r->evals[k].mean));
        cJSON_AddItemToObject(e, "se", mc_json_number(r->evals[k].se));
        cJSON_AddNumberToObject(e, "n", (double)r->evals[k].n);
        cJSON_AddItemToArray(ev, e);
    }
    return p;
}

static int write_json(FILE *f, void *user)
{
    const need_doc *d = user;
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "version", MC_VERSION);
    cJSON_AddStringToObject(root, "source", d->source);
    cJSON_AddStringToObject(root, "target", d->t->text);
    cJSON_AddStringToObject(root, "metric", d->t->metric);
    cJSON_AddNumberToObject(root, "generation", (double)d->o->generation);
    cJSON_AddNumberToObject(root, "confidence", d->o->confidence > 0 ? d->o->confidence : 0.95);
    cJSON_AddStringToObject(root, "left_out", d->g->dropped);
    if (d->g->npoints) { /* the knob searched ("regime.h", ...) and the regime searched with */
        cJSON_AddStringToObject(root, "over", d->g->points[0].result.over);
        cJSON_AddStringToObject(root, "regime", d->g->points[0].result.regime);
    }
    cJSON *axes = cJSON_AddArrayToObject(root, "axes");
    for (size_t a = 0; a < d->g->naxes; a++)
        cJSON_AddItemToArray(axes, cJSON_CreateString(d->g->axes[a]));
    cJSON *pts = cJSON_AddArrayToObject(root, "points");
    for (size_t i = 0; i < d->g->npoints; i++)
        cJSON_AddItemToArray(pts, point_json(d->g, i));
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text)
        return MC_ENOMEM;
    fprintf(f, "%s\n", text);
    cJSON_free(text);
    return MC_OK;
}

/* need.csv or need.json already in dir: refused unless force. */
static int check_free(const char *dir, int force, mc_error *err)
{
    for (size_t i = 0; !force && i < sizeof need_files / sizeof *need_files; i++) {
        char path[MC_RUN_DIR_MAX + 32];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, need_files[i]);
        if (stat(path, &st) == 0)
            return mc_error_set(err, MC_EUSAGE, "%s: the folder holds the answer of another "
                                "`collapse need` (%s); choose another folder or --force",
                                dir, need_files[i]);
    }
    return MC_OK;
}

/* A new folder results/NAME-need-STAMP for source NAME (its file name without .ini). */
static int default_folder(const char *source, char *out, size_t n, mc_error *err)
{
    const char *base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
    char name[128];
    snprintf(name, sizeof name, "%.*s-need", (int)strcspn(base, "."), base);
    time_t now = time(NULL);
    struct tm tm;
    localtime_r(&now, &tm);
    char ts[32];
    strftime(ts, sizeof ts, "%Y%m%d-%H%M%S", &tm);
    return mc_folder_make_new(name, ts, out, n, err);
}

int mc_need_write(const char *dir, int force, const char *source, const mc_target *t,
                  const mc_need_opts *o, const mc_need_grid *g, char *written, size_t size,
                  mc_error *err)
{
    source = source ? source : MC_DEFAULT_PRESET;
    int fd = -1, r = MC_OK;
    if (dir && (!*dir || strlen(dir) >= size))
        return mc_error_set(err, MC_EUSAGE, "need: an empty or too long folder name");
    if (dir)
        snprintf(written, size, "%s", dir);
    else if ((r = default_folder(source, written, size, err)) != MC_OK)
        return r;
    dir = written;
    r = mc_make_dirs(dir, err);
    if (r == MC_OK)
        r = mc_run_lock(dir, &fd, err);
    if (r != MC_OK)
        return r;
    need_doc d = {source, t, o, g};
    char path[MC_RUN_DIR_MAX + 32];
    if ((r = check_free(dir, force, err)) == MC_OK) {
        snprintf(path, sizeof path, "%s/need.json", dir);
        r = mc_write_atomic(path, write_json, &d, err);
    }
    if (r == MC_OK) {
        snprintf(path, sizeof path, "%s/need.csv", dir);
        r = mc_write_atomic(path, write_csv, &d, err);
    }
    mc_run_unlock(dir, fd);
    return r;
}
