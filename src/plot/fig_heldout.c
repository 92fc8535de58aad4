/* fig_heldout.c - heldout-fit: how well each generation's model fits held-out human data (the
 * metric of role heldout_fit, a headline one first: perplexity, negative log-likelihood, ...),
 * and the same as a ratio to generation 0's median, so that runs of different sizes compare. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include "figset.h"

static void heldout_text(mc_figure *f, const mc_run *run, const mc_run_metric *m0)
{
    snprintf(f->title, sizeof f->title, "Held-out fit to human data: %s", m0->name);
    mc_fig_run_subtitle(run, "median across replicates", f->subtitle, sizeof f->subtitle);
    f->main = 1;
    snprintf(f->caption, sizeof f->caption,
             "%s (%s) of held-out human data under each generation's model (%s), and the same "
             "relative to generation 0: a move away from 1 is the model forgetting the human "
             "data.", m0->name, m0->description,
             m0->direction < 0   ? "lower is better"
             : m0->direction > 0 ? "higher is better"
                                 : "neither direction is better");
    snprintf(f->panels[0].title, sizeof f->panels[0].title, "held-out fit");
    mc_fig_metric_ylabel(m0, f->panels[0].ylabel, sizeof f->panels[0].ylabel);
    snprintf(f->panels[1].title, sizeof f->panels[1].title, "relative to generation 0");
    snprintf(f->panels[1].ylabel, sizeof f->panels[1].ylabel, "median / median at g = 0");
}

int mc_fig_heldout(const mc_run *run, const double *x, mc_figset *out)
{
    const mc_run_metric *m0 = mc_run_metric_role(&run->points[0], MC_ROLE_HELDOUT_FIT, NULL, NULL);
    if (!m0)
        return MC_OK;
    mc_figure *f = mc_fig_alloc("heldout-fit", 2, 2);
    size_t G1 = (size_t)run->generations + 1;
    double *ratio = malloc(G1 * sizeof *ratio);
    int st = f && ratio ? MC_OK : MC_ENOMEM, theory = 0;
    if (st == MC_OK)
        heldout_text(f, run, m0);
    for (size_t i = 0; st == MC_OK && i < run->npoints; i++) {
        const mc_run_metric *m =
            mc_run_metric_role(&run->points[i], MC_ROLE_HELDOUT_FIT, NULL, NULL);
        if (!m)
            continue;
        st = mc_fig_point_metric(f, 0, run, i, x, m, MC_FIG_MEDIAN, &theory);
        for (size_t g = 0; g < G1; g++)
            ratio[g] = m->q50[0] > 0 ? m->q50[g] / m->q50[0] : NAN;
        if (st == MC_OK)
            st = mc_fig_point_line(f, 1, i, run->points[i].legend, G1, x, ratio);
    }
    if (st == MC_OK && run->npoints <= MC_FIG_MAX_BANDS)
        st = mc_fig_legend(f, MC_PLOT_BAND, "5-95 % of replicates", MC_FIG_GREY);
    free(ratio);
    if (!f)
        return MC_ENOMEM;
    return mc_figset_finish(out, f, st);
}
