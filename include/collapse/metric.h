/* metric.h - named, self-describing metrics: what a number means (its role) and its unit.
 *
 * Every value a run records is a metric of a point's list: the engine's two (n, human_share),
 * then the family's, then the regime's. A metric declares its role, so that whatever presents
 * results (figures, the report, the closing tables) chooses metrics by what they mean and never
 * by their names; summary.json records role and unit, and readers of a run directory take them
 * from there. One name per meaning across families (docs/OUTPUTS.md lists the names).
 */
#ifndef COLLAPSE_METRIC_H
#define COLLAPSE_METRIC_H

#include <stddef.h>

/* What a metric measures. The names (mc_metric_role_name) are what summary.json records. */
typedef enum mc_metric_role {
    MC_ROLE_OTHER = 0,     /* "other": nothing downstream treats it specially */
    MC_ROLE_SIZE,          /* "size": the training-set size n_g */
    MC_ROLE_HUMAN_SHARE,   /* "human_share": provenance, the human-made fraction of a training set */
    MC_ROLE_PRESENCE,      /* "presence": 0/1 survival indicator of a subject; gets the
                              extinction analysis (first extinction, alive at the end) */
    MC_ROLE_SHARE,         /* "share": the model's probability of one subject (a category) */
    MC_ROLE_DIVERSITY,     /* "diversity": entropy, surviving categories, distinct words */
    MC_ROLE_DIVERGENCE,    /* "divergence": a distance between the model and the world */
    MC_ROLE_HELDOUT_FIT,   /* "heldout_fit": fit to held-out human data (NLL, perplexity, MSE) */
    MC_ROLE_SPREAD,        /* "spread": the model's spread over the world's (1 = the world's) */
    MC_ROLE_LOCATION,      /* "location": squared distance of the model's centre from the world's */
    MC_ROLE_TAIL,          /* "tail": model mass in the world's tail */
    MC_ROLE_ERROR,         /* "error": error of the estimated parameters against the truth */
    MC_ROLE_DIAGNOSTIC,    /* "diagnostic": the fit's own bookkeeping (iterations, flags) */
    MC_ROLE_WORKFORCE,     /* "workforce": people who make human data, and their flows */
    MC_ROLE_SIGNAL,        /* "signal": what an operator sees of the model's output */
    MC_ROLE_ALARM,         /* "alarm": 1 while an operator's alarm is on */
    MC_ROLE_ALARM_GEN,     /* "alarm_generation": first generation with the alarm on */
    MC_ROLE_DAMAGE,        /* "damage": 1 while a watched metric fails its target */
    MC_ROLE_DAMAGE_GEN,    /* "damage_generation": first generation with damage */
    MC_ROLE_LEAD_TIME,     /* "lead_time": generations from the alarm to the damage */
    MC_ROLE_WATCH_MIN,     /* "watched_minimum": lowest value so far of the watched metric */
    MC_ROLE_RECOVERY,      /* "recovery": generations a damage episode lasted */
    MC_ROLE_SELECTION,     /* "selection": what a curation or detection step kept or let
                              through (a fraction of its input) */
    MC_ROLE_SCORE,         /* "score": a verifier's mean score of samples (collapse/curate.h) */
    MC_ROLE_COUNT
} mc_metric_role;

/* The role's name as summary.json writes it; "other" for an unknown value. */
const char *mc_metric_role_name(mc_metric_role role);
/* The role of a name written by mc_metric_role_name, or MC_ROLE_OTHER when unknown. */
mc_metric_role mc_metric_role_parse(const char *name);
/* Whether a role is bookkeeping of a regime (workforce, alarm, damage and their events) rather
 * than a property of the model: presentation shows these in the regime's own figure and table. */
int mc_metric_role_is_bookkeeping(mc_metric_role role);

/* Flags of a metric. */
enum {
    MC_METRIC_HEADLINE = 1u << 1  /* shown in the CLI's closing table */
};

#define MC_METRIC_NAME_MAX 64

/* A named, self-describing metric. Values may be +inf (e.g. KL after an extinction) or NaN
 * (undefined); files write them as inf / nan. */
typedef struct mc_metric {
    char name[MC_METRIC_NAME_MAX]; /* [a-z0-9_] plus a category name for per-category metrics */
    const char *description;       /* static text: what it measures */
    const char *unit;              /* static text: "nats", "samples", "fraction", "" (none) */
    mc_metric_role role;
    int direction;                 /* +1 higher is healthier, -1 lower is healthier, 0 neither */
    unsigned flags;
    char subject[MC_METRIC_NAME_MAX]; /* the category a per-category metric is about, or "" */
} mc_metric;

/* A metric as a plug-in declares it, in a static table indexed by the plug-in's own enum of its
 * metrics (the same enum indexes its values in metrics() and theory()). */
typedef struct mc_metric_def {
    const char *name;        /* the name; with a subject, a format with one %s for it */
    mc_metric_role role;
    const char *unit;
    int direction;
    unsigned flags;
    const char *description;
} mc_metric_def;

typedef struct mc_metric_list {
    mc_metric *items;
    size_t n, cap;
} mc_metric_list;

/* Appends the metric d declares; subject (or NULL) fills the %s of d->name. Returns MC_OK,
 * MC_ENOMEM, or MC_ERANGE for a name or subject longer than MC_METRIC_NAME_MAX - 1. */
int mc_metric_declare(mc_metric_list *l, const mc_metric_def *d, const char *subject);
/* Appends defs[0..n) (no subject). */
int mc_metric_declare_all(mc_metric_list *l, const mc_metric_def *defs, size_t n);
void mc_metric_list_free(mc_metric_list *l);
/* Index of a metric by name, or -1 (for user input that names a metric: targets, tracking). */
long mc_metric_find(const mc_metric_list *l, const char *name);
/* Index of the first metric with this role (and subject, unless NULL), or -1. */
long mc_metric_find_role(const mc_metric_list *l, mc_metric_role role, const char *subject);

#endif
