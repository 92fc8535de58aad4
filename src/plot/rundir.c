/* rundir.c - reads a finished run directory (docs/OUTPUTS.md) back into memory. See rundir.h.
 *
 * Checks, in order, so that the message names the first thing wrong: the directory exists;
 * summary.json exists (else "not a run directory"); it parses, says "tool": "collapse", has
 * "complete": true (an interrupted run leaves none, a hand-edited one may say false) and a
 * version whose major.minor is this library's (the format may change between them); then every
 * point, metric and summary array has the shape the header promises.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include "collapse.h"
#include "csvtab.h"
#include "rundir.h"
#include "io/textfile.h"

/* A JSON number, or one of the strings "inf", "-inf", "nan" (how the writer spells them). */
static int json_double(const cJSON *it, double *out)
{
    if (cJSON_IsNumber(it)) {
        *out = it->valuedouble;
        return 1;
    }
    if (cJSON_IsString(it)) {
        const char *s = it->valuestring;
        if (strcmp(s, "inf") == 0)
            *out = INFINITY;
        else if (strcmp(s, "-inf") == 0)
            *out = -INFINITY;
        else if (strcmp(s, "nan") == 0)
            *out = NAN;
        else
            return 0;
        return 1;
    }
    return 0;
}

/* Context for messages: the file and the path inside it. */
typedef struct ctx {
    const char *file;
    mc_error *err;
} ctx;

static int bad(const ctx *c, const char *where, const char *what)
{
    return mc_error_set(c->err, MC_EDATA, "%s: %s: %s", c->file, where, what);
}

static int get_string(const ctx *c, const cJSON *obj, const char *key, const char *where,
                      char **out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    char buf[256];
    if (!cJSON_IsString(it)) {
        snprintf(buf, sizeof buf, "\"%s\" is missing or not a string", key);
        return bad(c, where, buf);
    }
    *out = strdup(it->valuestring);
    return *out ? MC_OK : mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
}

static int get_long(const ctx *c, const cJSON *obj, const char *key, const char *where, long min,
                    long *out)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    char buf[256];
    if (!cJSON_IsNumber(it) || it->valuedouble != floor(it->valuedouble) || it->valuedouble < min ||
        it->valuedouble > 1e15) {
        snprintf(buf, sizeof buf, "\"%s\" is missing or not a whole number >= %ld", key, min);
        return bad(c, where, buf);
    }
    *out = (long)it->valuedouble;
    return MC_OK;
}

static int get_double(const ctx *c, const cJSON *obj, const char *key, const char *where,
                      double *out)
{
    char buf[256];
    if (!json_double(cJSON_GetObjectItemCaseSensitive(obj, key), out)) {
        snprintf(buf, sizeof buf, "\"%s\" is missing or not a number", key);
        return bad(c, where, buf);
    }
    return MC_OK;
}

/* Reads summary[metric][key], an array of G + 1 values, into a new array. */
static int get_series(const ctx *c, const cJSON *obj, const char *key, const char *where, long G,
                      double **out)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(obj, key);
    char buf[256];
    if (!cJSON_IsArray(arr) || cJSON_GetArraySize(arr) != G + 1) {
        snprintf(buf, sizeof buf, "\"%s\" must be an array of %ld values (generations 0..%ld)", key,
                 G + 1, G);
        return bad(c, where, buf);
    }
    double *v = malloc((size_t)(G + 1) * sizeof *v);
    if (!v)
        return mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
    long g = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!json_double(it, &v[g])) {
            free(v);
            snprintf(buf, sizeof buf, "\"%s\"[%ld] is not a number", key, g);
            return bad(c, where, buf);
        }
        g++;
    }
    *out = v;
    return MC_OK;
}

static void metric_free(mc_run_metric *m)
{
    free(m->name);
    free(m->description);
    free(m->subject);
    free(m->unit);
    free(m->n);
    free(m->mean);
    free(m->sd);
    free(m->q05);
    free(m->q50);
    free(m->q95);
    free(m->theory);
    free(m->skew);
}

/* "role" and "unit" of a metric; a run that predates them gets "presence" or "other" and ""
 * (rundir.h). A role this version does not know (a later one may add roles) reads as "other". */
static int read_role(const ctx *c, const cJSON *desc, const char *where, mc_run_metric *m)
{
    const cJSON *role = cJSON_GetObjectItemCaseSensitive(desc, "role");
    const cJSON *unit = cJSON_GetObjectItemCaseSensitive(desc, "unit");
    if ((role && !cJSON_IsString(role)) || (unit && !cJSON_IsString(unit)))
        return bad(c, where, "\"role\" and \"unit\" must be strings");
    if (role)
        m->role = mc_metric_role_parse(role->valuestring);
    else
        m->role = m->presence ? MC_ROLE_PRESENCE : MC_ROLE_OTHER;
    m->unit = strdup(unit ? unit->valuestring : "");
    return m->unit ? MC_OK : mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
}

static int read_metric(const ctx *c, const cJSON *desc, const cJSON *summary, long G, size_t pi,
                       mc_run_metric *m)
{
    char where[256];
    snprintf(where, sizeof where, "points[%zu].metrics", pi);
    if (!cJSON_IsObject(desc))
        return bad(c, where, "an entry is not an object");
    int st = get_string(c, desc, "name", where, &m->name);
    if (st == MC_OK)
        st = get_string(c, desc, "description", where, &m->description);
    if (st == MC_OK)
        st = get_string(c, desc, "subject", where, &m->subject);
    if (st != MC_OK)
        return st;
    long dir;
    snprintf(where, sizeof where, "points[%zu].metrics[\"%s\"]", pi, m->name);
    const cJSON *d = cJSON_GetObjectItemCaseSensitive(desc, "direction");
    if (!cJSON_IsNumber(d) || (d->valuedouble != -1 && d->valuedouble != 0 && d->valuedouble != 1))
        return bad(c, where, "\"direction\" must be -1, 0 or 1");
    dir = (long)d->valuedouble;
    m->direction = (int)dir;
    const cJSON *pr = cJSON_GetObjectItemCaseSensitive(desc, "presence");
    const cJSON *hl = cJSON_GetObjectItemCaseSensitive(desc, "headline");
    if (!cJSON_IsBool(pr) || !cJSON_IsBool(hl))
        return bad(c, where, "\"presence\" and \"headline\" must be true or false");
    m->presence = cJSON_IsTrue(pr);
    m->headline = cJSON_IsTrue(hl);
    st = read_role(c, desc, where, m);
    if (st != MC_OK)
        return st;
    snprintf(where, sizeof where, "points[%zu].summary[\"%s\"]", pi, m->name);
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(summary, m->name);
    if (!cJSON_IsObject(s))
        return bad(c, where, "missing: every listed metric needs its summary");
    static const char *const keys[] = {"n", "mean", "sd", "q05", "q50", "q95", "theory_mean"};
    double **dst[] = {&m->n, &m->mean, &m->sd, &m->q05, &m->q50, &m->q95, &m->theory};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        st = get_series(c, s, keys[k], where, G, dst[k]);
        if (st != MC_OK)
            return st;
    }
    if (cJSON_GetObjectItemCaseSensitive(s, "skew"))
        return get_series(c, s, "skew", where, G, &m->skew);
    if (!(m->skew = malloc((size_t)(G + 1) * sizeof *m->skew)))
        return mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
    for (long g = 0; g <= G; g++)
        m->skew[g] = NAN;
    return MC_OK;
}

static int read_extinction(const ctx *c, const cJSON *e, size_t pi, mc_run_extinction *x)
{
    char where[256];
    snprintf(where, sizeof where, "points[%zu].extinction", pi);
    if (!cJSON_IsObject(e))
        return bad(c, where, "an entry is not an object");
    int st = get_string(c, e, "category", where, &x->category);
    if (st == MC_OK)
        st = get_string(c, e, "metric", where, &x->metric);
    if (st == MC_OK)
        st = get_long(c, e, "replicates", where, 0, &x->replicates);
    if (st == MC_OK)
        st = get_double(c, e, "alive_end", where, &x->alive_end);
    if (st == MC_OK)
        st = get_double(c, e, "extinct", where, &x->extinct);
    if (st != MC_OK)
        return st;
    if (!(x->alive_end >= 0 && x->alive_end <= 1 && x->extinct >= 0 && x->extinct <= 1))
        return bad(c, where, "\"alive_end\" and \"extinct\" must be fractions in [0, 1]");
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(e, "first_extinct");
    if (!cJSON_IsObject(f))
        return bad(c, where, "\"first_extinct\" is missing");
    st = get_double(c, f, "mean", where, &x->first_mean);
    if (st == MC_OK)
        st = get_double(c, f, "q05", where, &x->first_q05);
    if (st == MC_OK)
        st = get_double(c, f, "q50", where, &x->first_q50);
    if (st == MC_OK)
        st = get_double(c, f, "q95", where, &x->first_q95);
    return st;
}

static void point_free(mc_run_point *p)
{
    free(p->label);
    free(p->family);
    free(p->regime);
    free(p->legend);
    free(p->declares.law);
    for (size_t m = 0; m < p->nmetrics; m++)
        metric_free(&p->metrics[m]);
    free(p->metrics);
    for (size_t e = 0; e < p->nextinction; e++) {
        free(p->extinction[e].category);
        free(p->extinction[e].metric);
    }
    free(p->extinction);
    for (size_t k = 0; k < p->nparams; k++) {
        free(p->param_keys[k]);
        free(p->param_values[k]);
    }
    free(p->param_keys);
    free(p->param_values);
}

/* summary.json's params of a point ("section.key" -> value; numbers in their shortest exact
 * text, as written). */
static int read_params(const ctx *c, const cJSON *jp, const char *where, mc_run_point *p)
{
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(jp, "params");
    if (params && !cJSON_IsObject(params))
        return bad(c, where, "\"params\" is not an object");
    size_t np = params ? (size_t)cJSON_GetArraySize(params) : 0;
    p->param_keys = calloc(np + 1, sizeof *p->param_keys);
    p->param_values = calloc(np + 1, sizeof *p->param_values);
    if (!p->param_keys || !p->param_values)
        return mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
    const cJSON *it;
    if (params) {
        cJSON_ArrayForEach(it, params)
        {
            char num[64];
            const char *v = NULL;
            if (cJSON_IsString(it))
                v = it->valuestring;
            else if (cJSON_IsNumber(it)) {
                v = mc_format_exact(it->valuedouble, num);
            } else
                return bad(c, where, "a value of \"params\" is not a string or a number");
            p->param_keys[p->nparams] = strdup(it->string);
            p->param_values[p->nparams] = strdup(v);
            p->nparams++;
            if (!p->param_keys[p->nparams - 1] || !p->param_values[p->nparams - 1])
                return mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
        }
    }
    return MC_OK;
}

/* A point's regime_declares (rundir.h: a run without it is legacy and declares nothing). */
static int read_declares(const ctx *c, const cJSON *jp, const char *where, mc_run_declares *d)
{
    const cJSON *o = cJSON_GetObjectItemCaseSensitive(jp, "regime_declares");
    if (!o) {
        d->legacy = 1;
        d->law = strdup("");
        return d->law ? MC_OK : mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
    }
    if (!cJSON_IsObject(o))
        return bad(c, where, "\"regime_declares\" is not an object");
    static const char *const keys[] = {"uses_h", "uses_schedule", "pool_grows", "draws_whole",
                                       "draws_subsampled"};
    int *dst[] = {&d->uses_h, &d->uses_schedule, &d->pool_grows, &d->draws_whole,
                  &d->draws_subsampled};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(o, keys[k]);
        if (!cJSON_IsBool(b)) {
            char buf[128];
            snprintf(buf, sizeof buf, "\"regime_declares\".\"%s\" must be true or false", keys[k]);
            return bad(c, where, buf);
        }
        *dst[k] = cJSON_IsTrue(b);
    }
    return get_string(c, o, "law", where, &d->law);
}

static int read_point(const ctx *c, const cJSON *jp, size_t pi, long G, mc_run_point *p)
{
    char where[64];
    snprintf(where, sizeof where, "points[%zu]", pi);
    if (!cJSON_IsObject(jp))
        return bad(c, where, "not an object");
    long index = -1;
    int st = get_long(c, jp, "point", where, 0, &index);
    if (st != MC_OK)
        return st;
    if ((size_t)index != pi)
        return bad(c, where, "\"point\" does not match its position in \"points\"");
    p->index = pi;
    st = get_string(c, jp, "label", where, &p->label);
    if (st == MC_OK)
        st = get_string(c, jp, "family", where, &p->family);
    if (st == MC_OK)
        st = get_string(c, jp, "regime", where, &p->regime);
    if (st != MC_OK)
        return st;

    if ((st = read_declares(c, jp, where, &p->declares)) != MC_OK ||
        (st = read_params(c, jp, where, p)) != MC_OK)
        return st;

    const cJSON *it;
    const cJSON *metrics = cJSON_GetObjectItemCaseSensitive(jp, "metrics");
    const cJSON *summary = cJSON_GetObjectItemCaseSensitive(jp, "summary");
    if (!cJSON_IsArray(metrics) || cJSON_GetArraySize(metrics) == 0)
        return bad(c, where, "\"metrics\" is missing or empty");
    if (!cJSON_IsObject(summary))
        return bad(c, where, "\"summary\" is missing");
    size_t nm = (size_t)cJSON_GetArraySize(metrics);
    p->metrics = calloc(nm, sizeof *p->metrics);
    if (!p->metrics)
        return mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
    cJSON_ArrayForEach(it, metrics)
    {
        st = read_metric(c, it, summary, G, pi, &p->metrics[p->nmetrics]);
        p->nmetrics++;
        if (st != MC_OK)
            return st;
    }

    const cJSON *ext = cJSON_GetObjectItemCaseSensitive(jp, "extinction");
    if (ext && !cJSON_IsArray(ext))
        return bad(c, where, "\"extinction\" is not an array");
    size_t ne = ext ? (size_t)cJSON_GetArraySize(ext) : 0;
    p->extinction = calloc(ne + 1, sizeof *p->extinction);
    if (!p->extinction)
        return mc_error_set(c->err, MC_ENOMEM, "%s: out of memory", c->file);
    if (ext) {
        cJSON_ArrayForEach(it, ext)
        {
            st = read_extinction(c, it, pi, &p->extinction[p->nextinction]);
            p->nextinction++;
            if (st != MC_OK)
                return st;
        }
    }
    return MC_OK;
}

/* The format is promised within a minor version: this library's major.minor reads, and so does
 * 0.1, the last format before metric roles, units and regime declarations were recorded (a 0.1
 * run without them is read as legacy: rundir.h). */
static int readable_format(const char *v)
{
    unsigned a, b, x, y;
    if (sscanf(v, "%u.%u", &a, &b) != 2 || sscanf(MC_VERSION, "%u.%u", &x, &y) != 2)
        return 0;
    return (a == x && b == y) || (a == 0 && b == 1);
}

static int appendf(char *buf, size_t size, size_t *len, const char *fmt, const char *a,
                   const char *b)
{
    int n = snprintf(buf + *len, size - *len, fmt, a, b);
    if (n < 0 || (size_t)n >= size - *len)
        return 0;
    *len += (size_t)n;
    return 1;
}

/* Short legend text of each point: the settings that differ between points, without section
 * prefixes ("replace, temperature=0.9"). Axis values come from points.csv's axis columns. */
static int make_legends(mc_run *run, const mc_csvtab *pts, mc_error *err)
{
    int regime_varies = 0, family_varies = 0;
    for (size_t i = 1; i < run->npoints; i++) {
        regime_varies |= strcmp(run->points[i].regime, run->points[0].regime) != 0;
        family_varies |= strcmp(run->points[i].family, run->points[0].family) != 0;
    }
    for (size_t i = 0; i < run->npoints; i++) {
        mc_run_point *p = &run->points[i];
        char buf[512];
        size_t len = 0;
        buf[0] = '\0';
        if (family_varies)
            appendf(buf, sizeof buf, &len, "%s%s", p->family, "");
        if (regime_varies || run->npoints == 1) {
            appendf(buf, sizeof buf, &len, "%s%s", len ? ", " : "", p->regime);
            const char *h = mc_run_point_param(p, "regime.h");
            int h_axis = 0;
            for (size_t a = 0; a < run->naxes; a++)
                h_axis |= strcmp(run->axis_keys[a], "regime.h") == 0;
            if (h && !h_axis && p->declares.uses_h)
                appendf(buf, sizeof buf, &len, " h=%s%s", h, "");
        }
        for (size_t c = 4; pts && c < pts->ncols; c++) {
            const char *key = pts->cell[c];
            const char *dot = strrchr(key, '.');
            const char *val = mc_csvtab_get(pts, i, c);
            if (len)
                appendf(buf, sizeof buf, &len, "%s%s", ", ", "");
            appendf(buf, sizeof buf, &len, "%s=%s", dot ? dot + 1 : key, val);
        }
        if (len == 0)
            appendf(buf, sizeof buf, &len, "%s%s", run->name, "");
        p->legend = strdup(buf);
        if (!p->legend)
            return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    return MC_OK;
}

static int parse_summary(mc_run *run, const cJSON *root, const ctx *c)
{
    if (!cJSON_IsObject(root))
        return bad(c, "top level", "not a JSON object");
    const cJSON *tool = cJSON_GetObjectItemCaseSensitive(root, "tool");
    if (!cJSON_IsString(tool) || strcmp(tool->valuestring, "collapse") != 0)
        return mc_error_set(c->err, MC_EDATA, "%s: not written by collapse (no \"tool\": \"collapse\")",
                            c->file);
    const cJSON *complete = cJSON_GetObjectItemCaseSensitive(root, "complete");
    if (!cJSON_IsTrue(complete))
        return mc_error_set(c->err, MC_EDATA,
                            "%s: the run is incomplete (\"complete\" is not true); rerun it", c->file);
    int st = get_string(c, root, "version", "top level", &run->version);
    if (st != MC_OK)
        return st;
    if (!readable_format(run->version))
        return mc_error_set(c->err, MC_EDATA,
                            "%s: written by collapse %s, whose format this collapse %s does not "
                            "read; rerun the experiment with this version",
                            c->file, run->version, MC_VERSION);
    if ((st = get_string(c, root, "generator", "top level", &run->generator)) != MC_OK ||
        (st = get_string(c, root, "name", "top level", &run->name)) != MC_OK ||
        (st = get_long(c, root, "generations", "top level", 0, &run->generations)) != MC_OK ||
        (st = get_long(c, root, "replicates", "top level", 1, &run->replicates)) != MC_OK)
        return st;
    run->metrics_every = 1; /* runs before metrics.every measured every generation */
    if (cJSON_GetObjectItemCaseSensitive(root, "metrics_every") &&
        (st = get_long(c, root, "metrics_every", "top level", 1, &run->metrics_every)) != MC_OK)
        return st;
    const cJSON *seed = cJSON_GetObjectItemCaseSensitive(root, "seed");
    char num[64];
    if (cJSON_IsString(seed))
        run->seed = strdup(seed->valuestring);
    else if (cJSON_IsNumber(seed)) {
        snprintf(num, sizeof num, "%.17g", seed->valuedouble);
        run->seed = strdup(num);
    } else
        return bad(c, "top level", "\"seed\" is missing");
    if (!run->seed)
        return mc_error_set(c->err, MC_ENOMEM, "out of memory");

    const cJSON *axes = cJSON_GetObjectItemCaseSensitive(root, "axes");
    if (!cJSON_IsArray(axes))
        return bad(c, "top level", "\"axes\" is missing");
    run->axis_keys = calloc((size_t)cJSON_GetArraySize(axes) + 1, sizeof *run->axis_keys);
    if (!run->axis_keys)
        return mc_error_set(c->err, MC_ENOMEM, "out of memory");
    const cJSON *it;
    cJSON_ArrayForEach(it, axes)
    {
        st = get_string(c, it, "key", "axes", &run->axis_keys[run->naxes]);
        if (st != MC_OK)
            return st;
        run->naxes++;
    }

    const cJSON *points = cJSON_GetObjectItemCaseSensitive(root, "points");
    if (!cJSON_IsArray(points) || cJSON_GetArraySize(points) == 0)
        return bad(c, "top level", "\"points\" is missing or empty");
    run->points = calloc((size_t)cJSON_GetArraySize(points), sizeof *run->points);
    if (!run->points)
        return mc_error_set(c->err, MC_ENOMEM, "out of memory");
    cJSON_ArrayForEach(it, points)
    {
        st = read_point(c, it, run->npoints, run->generations, &run->points[run->npoints]);
        run->npoints++;
        if (st != MC_OK)
            return st;
    }
    return MC_OK;
}

int mc_run_read(const char *dir, mc_run **out, mc_error *err)
{
    *out = NULL;
    struct stat sb;
    if (stat(dir, &sb) != 0)
        return mc_error_set(err, MC_EIO, "%s: %s", dir, strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return mc_error_set(err, MC_EDATA, "%s: not a directory (expected a run directory)", dir);
    char path[4096];
    snprintf(path, sizeof path, "%s/summary.json", dir);
    if (stat(path, &sb) != 0) {
        if (errno == ENOENT)
            return mc_error_set(err, MC_EDATA,
                                "%s: not a finished run directory (no summary.json; a run that "
                                "was interrupted leaves none)",
                                dir);
        return mc_error_set(err, MC_EIO, "%s: %s", path, strerror(errno));
    }
    mc_run *run = calloc(1, sizeof *run);
    if (!run || !(run->dir = strdup(dir))) {
        free(run);
        return mc_error_set(err, MC_ENOMEM, "out of memory");
    }
    char *text;
    size_t len;
    int st = mc_read_text(path, &text, &len, err);
    if (st != MC_OK) {
        mc_run_free(run);
        return st;
    }
    cJSON *root = cJSON_Parse(text);
    if (!root) {
        const char *at = cJSON_GetErrorPtr();
        long line = 1;
        for (const char *q = text; at && q < at && *q; q++)
            line += *q == '\n';
        free(text);
        mc_run_free(run);
        return mc_error_set(err, MC_EDATA, "%s:%ld: malformed JSON", path, line);
    }
    free(text);
    ctx c = {path, err};
    st = parse_summary(run, root, &c);
    cJSON_Delete(root);

    mc_csvtab *pts = NULL;
    if (st == MC_OK) {
        snprintf(path, sizeof path, "%s/points.csv", dir);
        st = mc_csvtab_read(path, &pts, err);
        if (st == MC_OK && (pts->nrows != run->npoints || pts->ncols < 4 ||
                            mc_csvtab_column(pts, "label") != 1))
            st = mc_error_set(err, MC_EDATA,
                              "%s: expected the header point,label,family,regime,... and %zu rows "
                              "(one per point of summary.json)",
                              path, run->npoints);
    }
    if (st == MC_OK)
        st = make_legends(run, pts, err);
    mc_csvtab_free(pts);
    if (st == MC_OK) {
        snprintf(path, sizeof path, "%s/config.ini", dir);
        size_t clen;
        mc_error ignore;
        if (mc_read_text(path, &run->config_ini, &clen, &ignore) != MC_OK) /* optional: the */
            run->config_ini = NULL;                                         /* report says so */
    }
    if (st != MC_OK) {
        mc_run_free(run);
        return st;
    }
    *out = run;
    return MC_OK;
}

void mc_run_free(mc_run *run)
{
    if (!run)
        return;
    free(run->dir);
    free(run->version);
    free(run->generator);
    free(run->name);
    free(run->seed);
    free(run->config_ini);
    for (size_t a = 0; a < run->naxes; a++)
        free(run->axis_keys[a]);
    free(run->axis_keys);
    for (size_t i = 0; i < run->npoints; i++)
        point_free(&run->points[i]);
    free(run->points);
    free(run);
}

const mc_run_metric *mc_run_metric_find(const mc_run_point *p, const char *name)
{
    for (size_t m = 0; m < p->nmetrics; m++)
        if (strcmp(p->metrics[m].name, name) == 0)
            return &p->metrics[m];
    return NULL;
}

const mc_run_metric *mc_run_metric_role(const mc_run_point *p, mc_metric_role role,
                                        const char *subject, const char *unit)
{
    const mc_run_metric *first = NULL;
    for (size_t m = 0; m < p->nmetrics; m++) {
        const mc_run_metric *mm = &p->metrics[m];
        if (mm->role != role || (subject && strcmp(mm->subject, subject) != 0) ||
            (unit && strcmp(mm->unit, unit) != 0))
            continue;
        if (mm->headline)
            return mm;
        if (!first)
            first = mm;
    }
    return first;
}

int mc_run_metric_list(const mc_run_point *p, mc_metric_list *out)
{
    memset(out, 0, sizeof *out);
    out->items = calloc(p->nmetrics ? p->nmetrics : 1, sizeof *out->items);
    if (!out->items)
        return MC_ENOMEM;
    out->cap = p->nmetrics;
    for (size_t m = 0; m < p->nmetrics; m++) {
        const mc_run_metric *rm = &p->metrics[m];
        mc_metric *it = &out->items[out->n++];
        snprintf(it->name, sizeof it->name, "%s", rm->name);
        snprintf(it->subject, sizeof it->subject, "%s", rm->subject);
        it->description = rm->description;
        it->unit = rm->unit;
        it->role = rm->role;
        it->direction = rm->direction;
        it->flags = rm->headline ? MC_METRIC_HEADLINE : 0;
    }
    return MC_OK;
}

const mc_run_extinction *mc_run_extinction_find(const mc_run_point *p, const char *metric)
{
    for (size_t e = 0; e < p->nextinction; e++)
        if (strcmp(p->extinction[e].metric, metric) == 0)
            return &p->extinction[e];
    return NULL;
}

int mc_run_always_alive(const mc_run *run, const char *name)
{
    for (size_t i = 0; i < run->npoints; i++) {
        const mc_run_metric *m = mc_run_metric_find(&run->points[i], name);
        for (long g = 0; m && g <= run->generations; g++)
            if (!(m->mean[g] == 1))
                return 0;
    }
    return 1;
}

const char *mc_run_point_param(const mc_run_point *p, const char *key)
{
    for (size_t k = 0; k < p->nparams; k++)
        if (strcmp(p->param_keys[k], key) == 0)
            return p->param_values[k];
    return NULL;
}

/* Weight of name in "a=0.9, b=0.09, c=0.01" normalised by their sum; NaN when absent. */
static double weight_of(const char *list, const char *name)
{
    double total = 0, mine = NAN;
    size_t nlen = strlen(name);
    const char *p = list;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *eq = strchr(p, '=');
        if (!eq)
            break;
        const char *key = p, *kend = eq;
        while (kend > key && kend[-1] == ' ')
            kend--;
        char *end;
        double w = strtod(eq + 1, &end);
        if (end == eq + 1 || !(w >= 0) || !isfinite(w))
            return NAN;
        total += w;
        if ((size_t)(kend - key) == nlen && strncmp(key, name, nlen) == 0)
            mine = w;
        p = end;
    }
    return total > 0 ? mine / total : NAN;
}

int mc_run_world_share(const mc_run *run, const char *category, double *share)
{
    const char *weights = mc_run_point_param(&run->points[0], "world.weights");
    if (weights) {
        double w = weight_of(weights, category);
        if (!isnan(w)) {
            *share = w;
            return 1;
        }
    }
    double sum = 0;
    size_t n = 0;
    for (size_t i = 0; i < run->npoints; i++) {
        const mc_run_metric *m = mc_run_metric_role(&run->points[i], MC_ROLE_SHARE, category, NULL);
        if (m && isfinite(m->mean[0])) {
            sum += m->mean[0];
            n++;
        }
    }
    *share = n ? sum / (double)n : NAN;
    return n ? 0 : -1;
}
