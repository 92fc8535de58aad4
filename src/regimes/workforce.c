/* workforce.c - the people who make human data (workforce.h; docs/PIPELINE.md, "The human
 * pipeline"): one generation's attrition, layoffs, hiring with a training lag, and production. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "workforce.h"
#include "collapse/randist.h"

int mc_workforce_init(mc_workforce *w, const mc_workforce_params *p, mc_error *err)
{
    *w = (mc_workforce){.W = p->workforce};
    w->queue = calloc((size_t)p->lag + 1, sizeof *w->queue);
    return w->queue ? MC_OK : mc_error_set(err, MC_ENOMEM, "out of memory");
}

void mc_workforce_free(mc_workforce *w)
{
    free(w->queue);
    w->queue = NULL;
}

/* round(f x), or Binomial(x, f) when stochastic */
static uint64_t portion(const mc_unit *u, int stochastic, double f, uint64_t x)
{
    if (f <= 0 || x == 0)
        return 0;
    if (stochastic)
        return mc_ran_binomial(u->rng, f, x);
    double v = round(f * (double)x);
    return v >= (double)x ? x : (uint64_t)v;
}

double mc_workforce_step(const mc_unit *u, mc_workforce *w, const mc_workforce_params *p,
                         int alarm_on)
{
    w->leavers = portion(u, p->stochastic, p->attrition, w->W);
    w->W -= w->leavers;
    w->layoffs = alarm_on ? 0 : portion(u, p->stochastic, p->layoff, w->W);
    w->W -= w->layoffs;
    switch (p->hiring) {
    case MC_HIRE_REPLACE: w->hires = w->leavers; break;
    case MC_HIRE_REACTIVE: w->hires = alarm_on ? p->hire_high : p->hire; break;
    default: w->hires = p->hire; break;
    }
    size_t slots = (size_t)p->lag + 1;
    w->queue[((size_t)u->generation + (size_t)p->lag) % slots] += w->hires;
    w->trainees += w->hires;
    uint64_t arriving = w->queue[u->generation % slots];
    w->queue[u->generation % slots] = 0;
    w->trainees -= arriving;
    w->W += arriving;
    double mean = (double)w->W * p->q;
    return p->stochastic ? (mean > 0 ? (double)gsl_ran_poisson(u->rng, mean) : 0) : round(mean);
}
