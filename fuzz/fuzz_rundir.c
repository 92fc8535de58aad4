/* fuzz_rundir.c - libFuzzer harness of the run-folder reader of `collapse plot` and `collapse
 * report` (src/plot/rundir.c: mc_run_read).
 *
 * Input: the files of a run folder separated by lines "%%%": summary.json, then points.csv,
 * then config.ini (a missing part is a missing file). A run that is read is then queried the
 * way the figures and the report query it: each point's metric list for the target grammar,
 * metrics by role, extinction entries, parameters, the world's shares. Promises checked besides
 * the sanitizers': a refusal says why; a run read has a point for every points.csv row and
 * G + 1 values in every metric array it names. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"
#include "plot/rundir.h"
#include "fuzz_util.h"

static const char *const FILES[] = {"summary.json", "points.csv", "config.ini"};

static void query_point(const mc_run *run, const mc_run_point *p)
{
    mc_metric_list l = {0};
    if (mc_run_metric_list(p, &l) == MC_OK && l.n != p->nmetrics)
        abort();
    mc_metric_list_free(&l);
    for (size_t m = 0; m < p->nmetrics; m++) {
        const mc_run_metric *rm = &p->metrics[m];
        if (mc_run_metric_find(p, rm->name) == NULL)
            abort();
        (void)mc_run_metric_role(p, rm->role, rm->subject, rm->unit);
        (void)mc_run_extinction_find(p, rm->name);
        double sum = 0;
        for (long g = 0; g <= run->generations; g++) /* every array holds G + 1 values */
            sum += rm->n[g] + rm->mean[g] + rm->sd[g] + rm->q05[g] + rm->q50[g] + rm->q95[g] +
                   rm->theory[g] + rm->skew[g];
        (void)sum;
        if (rm->role == MC_ROLE_PRESENCE)
            (void)mc_run_always_alive(run, rm->name);
        if (rm->subject && rm->subject[0]) {
            double share;
            (void)mc_run_world_share(run, rm->subject, &share);
        }
    }
    for (size_t k = 0; k < p->nparams; k++)
        if (!mc_run_point_param(p, p->param_keys[k]))
            abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *dir = fuzz_folder(fuzz_scratch(), "run");
    const char *p = (const char *)data, *end = p + size, *part;
    size_t len;
    for (int i = 0; i < 3 && (len = fuzz_part(&p, end, &part)) != (size_t)-1; i++)
        fuzz_write(dir, FILES[i], part, len);
    mc_run *run = NULL;
    mc_error err = {0};
    int r = mc_run_read(dir, &run, &err);
    fuzz_say("mc_run_read", r, err.msg);
    if (r != MC_OK && !err.msg[0])
        abort();
    if (r == MC_OK) {
        if (run->generations < 0 || run->replicates < 0)
            abort();
        for (size_t i = 0; i < run->npoints; i++)
            query_point(run, &run->points[i]);
    }
    mc_run_free(run);
    return 0;
}
