/* fuzz_target.c - libFuzzer harness of the target grammar (collapse/target.h).
 *
 * The input is a target's text ("alive(yellow) >= 0.95", "heldout_ppl <= 1.05 * gen0"). A
 * parsed target is then looked up in a metric list like a categorical point's (engine metrics,
 * per-category alive/share metrics, a few family metrics) and evaluated on a few values, so
 * that parse, find and met all see every accepted text. Promises checked besides the
 * sanitizers': an accepted target's metric name and text are NUL-terminated within their
 * arrays, and a refused one leaves a message. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"
#include "collapse/metric.h"
#include "collapse/target.h"

static const mc_metric_def DEFS[] = {
    {"n", MC_ROLE_SIZE, "samples", 0, 0, "training-set size"},
    {"human_share", MC_ROLE_HUMAN_SHARE, "fraction", 1, 0, "human share"},
    {"entropy", MC_ROLE_DIVERSITY, "nats", 1, 0, "entropy"},
    {"heldout_ppl", MC_ROLE_HELDOUT_FIT, "", -1, 0, "held-out perplexity"},
    {"trace_ratio", MC_ROLE_SPREAD, "ratio", 1, 0, "spread"},
};
static const mc_metric_def PER_SUBJECT[] = {
    {"alive_%s", MC_ROLE_PRESENCE, "", 1, 0, "alive"},
    {"share_%s", MC_ROLE_SHARE, "fraction", 0, 0, "share"},
};
static const char *const SUBJECTS[] = {"blue", "yellow", "the"};

static mc_metric_list metrics;

static void build_metrics(void)
{
    if (metrics.n)
        return;
    if (mc_metric_declare_all(&metrics, DEFS, sizeof DEFS / sizeof *DEFS) != MC_OK)
        abort();
    for (size_t s = 0; s < sizeof SUBJECTS / sizeof *SUBJECTS; s++)
        for (size_t d = 0; d < sizeof PER_SUBJECT / sizeof *PER_SUBJECT; d++)
            if (mc_metric_declare(&metrics, &PER_SUBJECT[d], SUBJECTS[s]) != MC_OK)
                abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    build_metrics();
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    mc_target t;
    mc_error err = {0};
    int r = mc_target_parse(text, &t, &err);
    if (r != MC_OK) {
        if (!err.msg[0]) /* a refusal must say why */
            abort();
    } else {
        if (!memchr(t.metric, '\0', sizeof t.metric) || !memchr(t.text, '\0', sizeof t.text))
            abort();
        mc_error e2 = {0};
        long i = mc_target_find(&t, &metrics, &e2);
        if (i >= (long)metrics.n || (i < 0 && !e2.msg[0]))
            abort();
        static const double xs[] = {0, 1, -1, 0.5, 1e300, INFINITY, -INFINITY, NAN};
        for (size_t a = 0; a < sizeof xs / sizeof *xs; a++)
            for (size_t b = 0; b < sizeof xs / sizeof *xs; b++)
                if (mc_target_met(&t, xs[a], xs[b]) && isnan(xs[a])) /* NaN never meets */
                    abort();
        (void)mc_target_upward(&t);
    }
    free(text);
    return 0;
}
