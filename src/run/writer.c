/* writer.c - the run directory (format: docs/OUTPUTS.md; API: include/collapse/writer.h).
 *
 * metrics.csv, summary.csv, extinction.csv and summary.json are streamed point by point into
 * temporary files with unique names (".NAME.XXXXXX", src/io/atomic.h); config.ini and points.csv
 * are written at the end; then every file is fsync'ed and renamed into place, the folder is
 * fsync'ed, and summary.json is renamed last (and the folder synced again), so its presence marks
 * a complete run that is on disk.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "collapse.h"
#include "io/atomic.h"
#include "run/folder.h"
#include "run/json_value.h"
#include "io/csvfield.h"

enum { F_METRICS, F_SUMMARY, F_EXTINCTION, F_JSON, F_CONFIG, F_POINTS, NFILES };
const char *const mc_writer_files[MC_WRITER_NFILES] = {"metrics.csv", "summary.csv",
                                                       "extinction.csv", "summary.json",
                                                       "config.ini", "points.csv"};
_Static_assert(NFILES == MC_WRITER_NFILES, "one name per file of the writer");
/* rename order: summary.json last */
static const int rename_order[NFILES] = {F_CONFIG, F_POINTS, F_METRICS, F_SUMMARY, F_EXTINCTION,
                                         F_JSON};

struct mc_writer {
    const mc_experiment *e;
    char *dir;
    mc_out *out[NFILES];
    FILE *f[NFILES]; /* mc_out_file(out[i]) */
    size_t points_written;
};

void mc_writer_abort(mc_writer *w)
{
    if (!w)
        return;
    for (int i = 0; i < NFILES; i++)
        mc_out_free(w->out[i]); /* removes the temporary file unless renamed */
    free(w->dir);
    free(w);
}

/* Whether file i is one of the CSV files that output.compress = gzip compresses. */
static int is_csv(int i)
{
    return i == F_METRICS || i == F_SUMMARY || i == F_EXTINCTION || i == F_POINTS;
}

/* Opens every file under its temporary name: NAME.gz for the CSV files under output.compress =
 * gzip; no metrics.csv under output.metrics = none. */
static int open_files(mc_writer *w, const char *dir, mc_error *err)
{
    const mc_run_settings *run = &w->e->points[0].run;
    for (int i = 0; i < NFILES; i++) {
        if (i == F_METRICS && run->metrics_none)
            continue;
        int gz = run->gzip && is_csv(i);
        size_t n = strlen(dir) + strlen(mc_writer_files[i]) + 5;
        char *path = malloc(n);
        if (!path)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
        snprintf(path, n, "%s/%s%s", dir, mc_writer_files[i], gz ? ".gz" : "");
        int r = mc_out_open(path, &w->out[i], err);
        free(path);
        if (r == MC_OK && gz)
            r = mc_out_set_gzip(w->out[i], err);
        if (r != MC_OK)
            return r;
        w->f[i] = mc_out_file(w->out[i]);
    }
    return MC_OK;
}

static void write_csv_heads(mc_writer *w)
{
    if (w->f[F_METRICS])
        fputs("point,replicate,generation,metric,value\n", w->f[F_METRICS]);
    fputs("point,generation,metric,n,mean,sd,q05,q50,q95,theory_mean,skew\n", w->f[F_SUMMARY]);
    fputs("point,category,metric,replicates,alive_end,extinct,first_extinct_mean,"
          "first_extinct_q05,first_extinct_q50,first_extinct_q95\n",
          w->f[F_EXTINCTION]);
}

/* {"run": {"seed": 5, "name": "cats", ...}, ...}: the resolved configuration by section, numbers
 * typed as the first point's keys declare them (json_value.h). */
static cJSON *config_json(const mc_experiment *e)
{
    const mc_config *c = e->config;
    cJSON *config = cJSON_CreateObject();
    for (size_t i = 0; config && i < c->n; i++) {
        const mc_entry *en = &c->entries[i];
        cJSON *sec = cJSON_GetObjectItemCaseSensitive(config, en->section);
        if (!sec)
            sec = cJSON_AddObjectToObject(config, en->section);
        cJSON_AddItemToObject(sec, en->key,
                              mc_json_config_value(&e->points[0], en->section, en->key,
                                                   en->value));
    }
    return config;
}

/* [{"key": "regime.name", "values": [...]}, ...]: the grid axes. */
static cJSON *axes_json(const mc_experiment *e)
{
    cJSON *axes = cJSON_CreateArray();
    for (size_t a = 0; axes && a < e->naxes; a++) {
        cJSON *ax = cJSON_CreateObject();
        char key[256];
        snprintf(key, sizeof key, "%s.%s", e->axes[a].section, e->axes[a].key);
        cJSON_AddStringToObject(ax, "key", key);
        cJSON *vals = cJSON_AddArrayToObject(ax, "values");
        for (size_t v = 0; v < e->axes[a].nvalues; v++)
            cJSON_AddItemToArray(vals, cJSON_CreateString(e->axes[a].values[v]));
        cJSON_AddItemToArray(axes, ax);
    }
    return axes;
}

/* summary.json: the head now, points streamed, the tail at close. */
static int write_json_head(mc_writer *w, mc_error *err)
{
    const mc_experiment *e = w->e;
    const mc_point *p0 = &e->points[0];
    cJSON *head = cJSON_CreateObject();
    cJSON *config = config_json(e);
    cJSON *axes = axes_json(e);
    if (!head || !config || !axes) {
        cJSON_Delete(head);
        cJSON_Delete(config);
        cJSON_Delete(axes);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    char *cs = cJSON_PrintUnformatted(config), *as = cJSON_PrintUnformatted(axes);
    char *name = cJSON_PrintUnformatted(cJSON_AddStringToObject(head, "n", e->name));
    FILE *j = w->f[F_JSON];
    fprintf(j, "{\"tool\":\"collapse\",\"version\":\"%s\",\"generator\":\"%s\",", MC_VERSION,
            MC_RNG_NAME);
    if (p0->run.seed <= (1ULL << 53))
        fprintf(j, "\"seed\":%llu,", (unsigned long long)p0->run.seed);
    else
        fprintf(j, "\"seed\":\"%llu\",", (unsigned long long)p0->run.seed);
    fprintf(j, "\"name\":%s,\"generations\":%ld,\"replicates\":%ld,\"metrics_every\":%ld,"
               "\"config\":%s,\"axes\":%s,\"points\":[",
            name ? name : "\"\"", p0->run.generations, p0->run.replicates,
            p0->run.metrics_every, cs ? cs : "{}", as ? as : "[]");
    cJSON_free(cs);
    cJSON_free(as);
    cJSON_free(name);
    cJSON_Delete(head);
    cJSON_Delete(config);
    cJSON_Delete(axes);
    return MC_OK;
}

int mc_writer_open(const char *dir, const mc_experiment *e, mc_writer **out, mc_error *err)
{
    *out = NULL;
    int r = mc_make_dirs(dir, err);
    if (r != MC_OK)
        return r;
    mc_writer *w = calloc(1, sizeof *w);
    if (!w)
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    w->e = e;
    w->dir = strdup(dir);
    if (!w->dir)
        r = mc_error_set(err, MC_ENOMEM, "out of memory");
    if (r == MC_OK)
        r = open_files(w, dir, err);
    if (r == MC_OK) {
        write_csv_heads(w);
        r = write_json_head(w, err);
    }
    if (r != MC_OK) {
        mc_writer_abort(w);
        return r;
    }
    *out = w;
    return MC_OK;
}

/* What the point's regime declares (regime.h), so that readers of summary.json never need its
 * name. */
static void add_regime_declares(cJSON *o, const mc_point *p)
{
    cJSON *decl = cJSON_AddObjectToObject(o, "regime_declares");
    unsigned props = p->regime->props;
    cJSON_AddBoolToObject(decl, "uses_h", (props & MC_REGIME_USES_H) != 0);
    cJSON_AddBoolToObject(decl, "uses_schedule", (props & MC_REGIME_USES_SCHEDULE) != 0);
    cJSON_AddBoolToObject(decl, "pool_grows", (props & MC_REGIME_POOL_GROWS) != 0);
    cJSON_AddBoolToObject(decl, "draws_whole", (props & MC_REGIME_DRAWS_WHOLE) != 0);
    cJSON_AddBoolToObject(decl, "draws_subsampled", (props & MC_REGIME_DRAWS_SUBSAMPLED) != 0);
    cJSON_AddBoolToObject(decl, "h_is_fresh", (props & MC_REGIME_H_IS_FRESH) != 0);
    cJSON_AddBoolToObject(decl, "curates", (props & MC_REGIME_CURATES) != 0);
    cJSON_AddBoolToObject(decl, "detects", (props & MC_REGIME_DETECTS) != 0);
    cJSON_AddStringToObject(decl, "law", mc_train_law_name(p->regime->law));
}

/* "params": {"section.key": the value chosen at this point, ...} */
static void add_params(cJSON *o, const mc_point *p)
{
    const mc_config *c = p->exp->config;
    cJSON *params = cJSON_AddObjectToObject(o, "params");
    for (size_t i = 0; i < c->n; i++) {
        const mc_entry *en = &c->entries[i];
        char key[256];
        snprintf(key, sizeof key, "%s.%s", en->section, en->key);
        const char *v = mc_point_value(p, en->section, en->key);
        cJSON_AddItemToObject(params, key, mc_json_config_value(p, en->section, en->key, v));
    }
}

/* "metrics": every metric's declaration (name, role, unit, direction, ...) */
static void add_metric_decls(cJSON *o, const mc_point *p, size_t M)
{
    cJSON *metrics = cJSON_AddArrayToObject(o, "metrics");
    for (size_t m = 0; m < M; m++) {
        const mc_metric *mt = &p->metrics.items[m];
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "name", mt->name);
        cJSON_AddStringToObject(d, "description", mt->description ? mt->description : "");
        cJSON_AddNumberToObject(d, "direction", mt->direction);
        cJSON_AddStringToObject(d, "role", mc_metric_role_name(mt->role));
        cJSON_AddStringToObject(d, "unit", mt->unit ? mt->unit : "");
        cJSON_AddBoolToObject(d, "presence", mt->role == MC_ROLE_PRESENCE);
        cJSON_AddBoolToObject(d, "headline", (mt->flags & MC_METRIC_HEADLINE) != 0);
        cJSON_AddStringToObject(d, "subject", mt->subject);
        cJSON_AddItemToArray(metrics, d);
    }
}

/* "summary": {metric: {"n": [G + 1], "mean": [G + 1], ...}} */
static void add_summary(cJSON *o, const mc_summary *s, size_t M, size_t G1)
{
    cJSON *summary = cJSON_AddObjectToObject(o, "summary");
    static const char *const cols[] = {"n", "mean", "sd", "q05", "q50", "q95", "theory_mean",
                                       "skew"};
    for (size_t m = 0; m < M; m++) {
        cJSON *mo = cJSON_AddObjectToObject(summary, s->point->metrics.items[m].name);
        cJSON *arr[8];
        for (int c = 0; c < 8; c++)
            arr[c] = cJSON_AddArrayToObject(mo, cols[c]);
        for (size_t g = 0; g < G1; g++) {
            const mc_stat *st = &s->stats[g * M + m];
            cJSON_AddItemToArray(arr[0], cJSON_CreateNumber((double)st->n));
            cJSON_AddItemToArray(arr[1], mc_json_number(st->mean));
            cJSON_AddItemToArray(arr[2], mc_json_number(st->sd));
            cJSON_AddItemToArray(arr[3], mc_json_number(st->q05));
            cJSON_AddItemToArray(arr[4], mc_json_number(st->q50));
            cJSON_AddItemToArray(arr[5], mc_json_number(st->q95));
            cJSON_AddItemToArray(arr[6], mc_json_number(s->theory[g * M + m]));
            cJSON_AddItemToArray(arr[7], mc_json_number(st->skew));
        }
    }
}

/* "extinction": one entry per presence metric */
static void add_extinction(cJSON *o, const mc_summary *s)
{
    cJSON *ext = cJSON_AddArrayToObject(o, "extinction");
    for (size_t i = 0; i < s->npresence; i++) {
        const mc_presence *pr = &s->presence[i];
        const mc_metric *mt = &s->point->metrics.items[pr->metric];
        cJSON *x = cJSON_CreateObject();
        cJSON_AddStringToObject(x, "category", mt->subject);
        cJSON_AddStringToObject(x, "metric", mt->name);
        cJSON_AddNumberToObject(x, "replicates", (double)pr->replicates);
        cJSON_AddItemToObject(x, "alive_end", mc_json_number((double)pr->alive_end / (double)pr->replicates));
        cJSON_AddItemToObject(x, "extinct", mc_json_number((double)pr->extinct / (double)pr->replicates));
        cJSON *fe = cJSON_AddObjectToObject(x, "first_extinct");
        cJSON_AddItemToObject(fe, "mean", mc_json_number(pr->first_extinct.mean));
        cJSON_AddItemToObject(fe, "q05", mc_json_number(pr->first_extinct.q05));
        cJSON_AddItemToObject(fe, "q50", mc_json_number(pr->first_extinct.q50));
        cJSON_AddItemToObject(fe, "q95", mc_json_number(pr->first_extinct.q95));
        cJSON_AddItemToArray(ext, x);
    }
}

/* One finished point as summary.json's "points" entry. */
static cJSON *point_json(const mc_point_result *res, const mc_summary *s)
{
    const mc_point *p = res->point;
    const size_t M = res->nmetrics, G1 = (size_t)res->generations + 1;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddNumberToObject(o, "point", (double)p->index);
    cJSON_AddStringToObject(o, "label", p->label);
    cJSON_AddStringToObject(o, "family", p->family->name);
    cJSON_AddStringToObject(o, "regime", p->regime->name);
    add_regime_declares(o, p);
    cJSON_AddNumberToObject(o, "generations", (double)res->generations);
    cJSON_AddNumberToObject(o, "replicates", (double)res->replicates);
    add_params(o, p);
    add_metric_decls(o, p, M);
    add_summary(o, s, M, G1);
    add_extinction(o, s);
    return o;
}

/* Appends the decimal digits of u to *q. */
static void put_uint(char **q, unsigned long long u)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n)
        *(*q)++ = tmp[--n];
}

/* The metric names as CSV fields (quoted where needed), each with its comma: ",NAME," */
static char **metric_fields(const mc_point *p)
{
    char **out = calloc(p->metrics.n ? p->metrics.n : 1, sizeof *out);
    for (size_t m = 0; out && m < p->metrics.n; m++) {
        char *text = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&text, &len);
        if (f) {
            fputc(',', f);
            mc_csv_field(f, p->metrics.items[m].name);
            fputc(',', f);
            fclose(f);
        }
        out[m] = text;
    }
    return out;
}

static void free_fields(char **names, size_t M)
{
    for (size_t m = 0; names && m < M; m++)
        free(names[m]);
    free(names);
}

/* Rows [from, to) of the point's metrics.csv (row i: replicate, generation, metric in that
 * order of nesting) into q, which has room for them (see write_metric_rows); returns the end. */
static char *format_rows(const mc_point_result *res, char *const *names, size_t from, size_t to,
                         char *q)
{
    const size_t M = res->nmetrics, G1 = (size_t)res->generations + 1;
    for (size_t i = from; i < to; i++) {
        size_t m = i % M, g = (i / M) % G1, r = i / (M * G1);
        put_uint(&q, res->point->index);
        *q++ = ',';
        put_uint(&q, r);
        *q++ = ',';
        put_uint(&q, g);
        size_t n = strlen(names[m]);
        memcpy(q, names[m], n);
        q += n;
        mc_format_exact(res->values[i], q);
        q += strlen(q);
        *q++ = '\n';
    }
    return q;
}

#define ROWS_PER_PIECE 4096
#define PIECES 64

/* metrics.csv: one row per (replicate, generation, metric), exact values. The writer's hot loop
 * (a row per value): pieces of 4096 rows are formatted in parallel, 64 at a time, each into its
 * own buffer (where OpenMP threads are free: MPI's rank 0, whose dealing thread writes beside
 * its computing thread; inside the engine's parallel region it runs on one thread), and written in order, so the bytes are the
 * same; the buffers take a fixed few tens of MB. MC_OK or MC_ENOMEM. */
static int write_metric_rows(FILE *f, const mc_point_result *res)
{
    const size_t M = res->nmetrics, rows = (size_t)res->replicates *
                                           (size_t)(res->generations + 1) * M;
    char **names = metric_fields(res->point);
    size_t longest = 0;
    int ok = names != NULL;
    for (size_t m = 0; ok && m < M; m++) {
        ok = names[m] != NULL;
        longest = ok && strlen(names[m]) > longest ? strlen(names[m]) : longest;
    }
    /* a row: three numbers (<= 20 digits each), the name with its commas, a value (< 32) */
    size_t room = ROWS_PER_PIECE * (3 * 21 + longest + 33);
    char *buf = ok ? malloc(PIECES * room) : NULL;
    size_t len[PIECES];
    for (size_t p0 = 0; buf && p0 < rows; p0 += PIECES * ROWS_PER_PIECE) {
        long n = (long)((rows - p0 + ROWS_PER_PIECE - 1) / ROWS_PER_PIECE);
        n = n < PIECES ? n : PIECES;
#pragma omp parallel for schedule(dynamic, 1) if (n > 1)
        for (long k = 0; k < n; k++) {
            size_t from = p0 + (size_t)k * ROWS_PER_PIECE;
            size_t to = from + ROWS_PER_PIECE < rows ? from + ROWS_PER_PIECE : rows;
            char *q = buf + (size_t)k * room;
            len[k] = (size_t)(format_rows(res, names, from, to, q) - q);
        }
        for (long k = 0; k < n; k++)
            fwrite(buf + (size_t)k * room, 1, len[k], f);
    }
    int st = ok && buf ? MC_OK : MC_ENOMEM;
    free(buf);
    free_fields(names, M);
    return st;
}

/* summary.csv: one row per (generation, metric). */
static void write_summary_rows(FILE *f, const mc_summary *s)
{
    const mc_point *p = s->point;
    const size_t M = s->nmetrics, G1 = (size_t)s->generations + 1;
    char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32], b7[32];
    for (size_t g = 0; g < G1; g++)
        for (size_t m = 0; m < M; m++) {
            const mc_stat *st = &s->stats[g * M + m];
            fprintf(f, "%zu,%zu,", p->index, g);
            mc_csv_field(f, p->metrics.items[m].name);
            fprintf(f, ",%zu,%s,%s,%s,%s,%s,%s,%s\n", st->n, mc_format_value(st->mean, b1),
                    mc_format_value(st->sd, b2), mc_format_value(st->q05, b3),
                    mc_format_value(st->q50, b4), mc_format_value(st->q95, b5),
                    mc_format_value(s->theory[g * M + m], b6), mc_format_value(st->skew, b7));
        }
}

/* extinction.csv: one row per presence metric. */
static void write_extinction_rows(FILE *f, const mc_summary *s)
{
    const mc_point *p = s->point;
    char b1[32], b2[32], b3[32], b4[32], b5[32], b6[32];
    for (size_t i = 0; i < s->npresence; i++) {
        const mc_presence *pr = &s->presence[i];
        const mc_metric *mt = &p->metrics.items[pr->metric];
        fprintf(f, "%zu,", p->index);
        mc_csv_field(f, mt->subject);
        fputc(',', f);
        mc_csv_field(f, mt->name);
        fprintf(f, ",%ld,%s,%s,%s,%s,%s,%s\n", pr->replicates,
                mc_format_value((double)pr->alive_end / (double)pr->replicates, b1),
                mc_format_value((double)pr->extinct / (double)pr->replicates, b2),
                mc_format_value(pr->first_extinct.mean, b3),
                mc_format_value(pr->first_extinct.q05, b4),
                mc_format_value(pr->first_extinct.q50, b5),
                mc_format_value(pr->first_extinct.q95, b6));
    }
}

int mc_writer_point(mc_writer *w, const mc_point_result *res, const mc_summary *s, mc_error *err)
{
    if (w->f[F_METRICS] && write_metric_rows(w->f[F_METRICS], res) != MC_OK)
        return mc_error_set(err, MC_ENOMEM, "out of memory while writing metrics.csv");
    write_summary_rows(w->f[F_SUMMARY], s);
    write_extinction_rows(w->f[F_EXTINCTION], s);
    cJSON *o = point_json(res, s);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text)
        return mc_error_set(err, MC_ENOMEM, "out of memory while writing summary.json");
    fprintf(w->f[F_JSON], "%s\n%s", w->points_written ? "," : "", text);
    cJSON_free(text);
    w->points_written++;
    int r = MC_OK;
    for (int i = 0; r == MC_OK && i < NFILES; i++)
        if (w->out[i])
            r = mc_out_check(w->out[i], err);
    return r;
}

/* Whether axis ax gets its own points.csv column: model.family and regime.name have theirs. */
static int axis_column(const mc_axis *ax)
{
    return !((strcmp(ax->section, "model") == 0 && strcmp(ax->key, "family") == 0) ||
             (strcmp(ax->section, "regime") == 0 && strcmp(ax->key, "name") == 0));
}

/* points.csv: each grid point's label, family, regime and axis values. */
static void write_points_csv(FILE *f, const mc_experiment *e)
{
    fputs("point,label,family,regime", f);
    for (size_t a = 0; a < e->naxes; a++) {
        const mc_axis *ax = &e->axes[a];
        if (!axis_column(ax))
            continue;
        char key[256];
        snprintf(key, sizeof key, "%s.%s", ax->section, ax->key);
        fputc(',', f);
        mc_csv_field(f, key);
    }
    fputc('\n', f);
    for (size_t i = 0; i < e->npoints; i++) {
        const mc_point *p = &e->points[i];
        fprintf(f, "%zu,", i);
        mc_csv_field(f, p->label);
        fprintf(f, ",%s,%s", p->family->name, p->regime->name);
        for (size_t a = 0; a < e->naxes; a++)
            if (axis_column(&e->axes[a])) {
                fputc(',', f);
                mc_csv_field(f, e->axes[a].values[p->choice[a]]);
            }
        fputc('\n', f);
    }
}

/* Syncs and closes every file, renames all but summary.json, syncs the folder, then renames
 * summary.json and syncs the folder again: complete means on disk. */
static int commit_files(mc_writer *w, mc_error *err)
{
    int r = MC_OK;
    for (int i = 0; r == MC_OK && i < NFILES; i++)
        if (w->out[i])
            r = mc_out_finish(w->out[i], err);
    for (int k = 0; r == MC_OK && k < NFILES; k++) {
        if (rename_order[k] == F_JSON && (r = mc_sync_dir(w->dir, err)) != MC_OK)
            break;
        if (w->out[rename_order[k]])
            r = mc_out_commit(w->out[rename_order[k]], err);
    }
    return r == MC_OK ? mc_sync_dir(w->dir, err) : r;
}

int mc_writer_close(mc_writer *w, mc_error *err)
{
    const mc_experiment *e = w->e;
    write_points_csv(w->f[F_POINTS], e);
    /* config.ini */
    FILE *f = w->f[F_CONFIG];
    fprintf(f, "# collapse %s: the fully resolved configuration of this run.\n"
               "# `collapse run %s/config.ini` repeats it exactly (generator %s, seed %llu).\n",
            MC_VERSION, w->dir, MC_RNG_NAME, (unsigned long long)e->points[0].run.seed);
    int r = mc_config_write(e->config, f);
    if (r == MC_ERANGE) {
        int st = mc_error_set(err, MC_ERANGE,
                              "config.ini: a value has a list item too long for an INI line");
        mc_writer_abort(w);
        return st;
    }
    fputs("\n],\"complete\":true}\n", w->f[F_JSON]);
    int status = commit_files(w, err);
    mc_writer_abort(w); /* removes what was not renamed, frees */
    return status;
}
