/* workforce.h - the people who make human data (docs/PIPELINE.md): productive creators,
 * trainees who become productive L generations after they are hired, attrition, layoffs and
 * hiring, and what they produce each generation. Shared by the regimes that take their human
 * data from a workforce (pipeline, web); private to the library (src/regimes/workforce.c). */
#ifndef MC_WORKFORCE_H
#define MC_WORKFORCE_H

#include <stddef.h>
#include <stdint.h>
#include "collapse.h"

enum { MC_HIRE_FIXED, MC_HIRE_REPLACE, MC_HIRE_REACTIVE };

/* The workforce's keys' values. */
typedef struct mc_workforce_params {
    uint64_t workforce; /* W_0 */
    double q;           /* samples per productive creator per generation */
    long lag;           /* L */
    double attrition, layoff;
    int hiring;         /* MC_HIRE_* */
    uint64_t hire, hire_high;
    int stochastic;     /* Poisson production, binomial attrition and layoffs */
} mc_workforce_params;

/* The [regime] rows of the workforce's keys for a regime whose parameter struct T has a member
 * `wf` of type mc_workforce_params. */
#define MC_WORKFORCE_KEYS(T)                                                                      \
    {"regime", "workforce", MC_KEY_COUNT, "100", 0, 1e9, 0, NULL, offsetof(T, wf.workforce),     \
     "pipeline, web: productive creators W_0 at the start"},                                      \
    {"regime", "q", MC_KEY_DOUBLE, "1", 0, 1e12, MC_KEY_MIN_OPEN, NULL, offsetof(T, wf.q),       \
     "pipeline, web: human samples each productive creator makes per generation (q > 0)"},       \
    {"regime", "lag", MC_KEY_INT, "0", 0, 1e6, 0, NULL, offsetof(T, wf.lag),                     \
     "pipeline, web: training lag L: hires become productive L generations later"},              \
    {"regime", "attrition", MC_KEY_DOUBLE, "0", 0, 1, 0, NULL, offsetof(T, wf.attrition),        \
     "pipeline, web: fraction a of the creators who leave each generation"},                     \
    {"regime", "layoff", MC_KEY_DOUBLE, "0", 0, 1, 0, NULL, offsetof(T, wf.layoff),              \
     "pipeline, web: fraction u of the creators let go each generation while the alarm is off"}, \
    {"regime", "hiring", MC_KEY_ENUM, "fixed", 0, 0, 0, "fixed|replace|reactive",                \
     offsetof(T, wf.hiring),                                                                      \
     "pipeline, web: fixed (hire per generation), replace (what attrition took), reactive "      \
     "(hire_high while the alarm is on, else hire)"},                                             \
    {"regime", "hire", MC_KEY_COUNT, "0", 0, 1e9, 0, NULL, offsetof(T, wf.hire),                 \
     "pipeline, web: creators hired per generation (fixed; reactive while the alarm is off)"},   \
    {"regime", "hire_high", MC_KEY_COUNT, "0", 0, 1e9, 0, NULL, offsetof(T, wf.hire_high),       \
     "pipeline, web: creators hired per generation while the alarm is on (reactive)"},           \
    {"regime", "stochastic", MC_KEY_BOOL, "false", 0, 0, 0, NULL, offsetof(T, wf.stochastic),    \
     "pipeline, web: Poisson production, binomial attrition and layoffs (else rounded means)"}

/* The workforce's state. */
typedef struct mc_workforce {
    uint64_t W, trainees, hires, layoffs, leavers;
    uint64_t *queue; /* [L + 1]: hires arriving at generation g wait in queue[g % (L + 1)] */
} mc_workforce;

int mc_workforce_init(mc_workforce *w, const mc_workforce_params *p, mc_error *err);
void mc_workforce_free(mc_workforce *w);
/* Generation u->generation, in this order: attrition (a fraction a leaves), AI substitution (a
 * fraction u let go while alarm_on is 0), hiring (fixed, replace, or reactive on alarm_on),
 * arrivals of the hires made L generations ago; returns what the productive creators make:
 * round(W q), or Poisson(W q) when stochastic. Random numbers come from u->rng. */
double mc_workforce_step(const mc_unit *u, mc_workforce *w, const mc_workforce_params *p,
                         int alarm_on);

#endif
