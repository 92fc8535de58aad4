/* fig_metric.c - metric-<m>: one metric against generation. Where the metric has a closed form
 * (theory_mean, an expectation) at some point, per grid point the replicate mean with the band
 * mean +- 1.96 SE and the closed form dashed, so that like is compared with like; otherwise the
 * replicate median (q50) with the 5-95 % band (q05..q95). The subtitle, legend and caption say
 * which; the y axis is the metric's description in words with its unit. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "figset.h"

/* A file stem "metric-<name>" safe in a path and an HTML attribute: bytes other than
 * [A-Za-z0-9_.-] become '_' (category names come from user data), made unique in the set. */
static void metric_stem(const mc_figset *set, const char *name, char *stem, size_t size)
{
    char base[64];
    size_t n = 0;
    for (const unsigned char *c = (const unsigned char *)name; *c && n + 1 < sizeof base; c++)
        base[n++] = (isalnum(*c) && *c < 128) || *c == '_' || *c == '-' || *c == '.' ? (char)*c
                                                                                       : '_';
    base[n] = '\0';
    snprintf(stem, size, "metric-%s", base);
    for (int k = 2;; k++) {
        int taken = 0;
        for (size_t i = 0; i < set->n && !taken; i++)
            taken = strcmp(set->v[i]->name, stem) == 0;
        if (!taken)
            return;
        snprintf(stem, size, "metric-%.63s-%d", base, k % 1000);
    }
}

static const char *direction_text(int direction)
{
    return direction > 0   ? "higher is healthier"
           : direction < 0 ? "lower is healthier"
                           : "neither direction is better";
}

int mc_fig_metric(const mc_run *run, const mc_run_metric *m, const double *x, mc_figset *out)
{
    char stem[96];
    metric_stem(out, m->name, stem, sizeof stem);
    mc_figure *f = mc_fig_alloc(stem, 1, 1);
    if (!f)
        return MC_ENOMEM;
    if (m->subject[0] && !strstr(m->description, m->subject))
        snprintf(f->title, sizeof f->title, "%s: %s (%s)", m->name, m->description, m->subject);
    else
        snprintf(f->title, sizeof f->title, "%s: %s", m->name, m->description);
    /* like with like: the closed form is an expectation, so where it is drawn the mean is */
    mc_fig_stat stat = mc_fig_stat_theory(run, m->name) ? MC_FIG_MEAN : MC_FIG_MEDIAN;
    int bands = run->npoints <= MC_FIG_MAX_BANDS;
    mc_fig_run_subtitle(run,
                        stat == MC_FIG_MEAN ? "mean across replicates, +-1.96 SE band"
                                            : "median across replicates, 5-95 % band",
                        f->subtitle, sizeof f->subtitle);
    mc_fig_metric_ylabel(m, f->panels[0].ylabel, sizeof f->panels[0].ylabel);
    f->main = m->headline;
    int theory = 0;
    int st = mc_fig_metric_series(f, 0, run, x, m->name, stat, &theory);
    if (st == MC_OK && bands)
        st = mc_fig_legend(f, MC_PLOT_BAND,
                           stat == MC_FIG_MEAN ? "mean +-1.96 SE (its 95 % interval)"
                                               : "5-95 % of replicates", MC_FIG_GREY);
    if (st == MC_OK && theory)
        st = mc_fig_legend(f, MC_PLOT_THEORY, "closed-form expectation", MC_FIG_GREY);
    if (stat == MC_FIG_MEAN)
        snprintf(f->caption, sizeof f->caption,
                 "%s (%s). Lines: the mean over %ld replicates; %s; dashed: the closed-form "
                 "expectation, which the mean estimates.", f->title, direction_text(m->direction),
                 run->replicates, bands ? "shaded: the mean +-1.96 standard errors"
                                        : "bands are left out with this many grid points");
    else
        snprintf(f->caption, sizeof f->caption,
                 "%s (%s). Lines: the median over %ld replicates; %s.", f->title,
                 direction_text(m->direction), run->replicates,
                 bands ? "shaded: 5-95 % of replicates"
                       : "5-95 % bands are left out with this many grid points");
    return mc_figset_finish(out, f, st);
}
