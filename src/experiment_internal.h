/* experiment_internal.h - what experiment.c (the configuration as a whole: sections,
 * plug-ins, keys, grid axes, defaults) and point.c (one grid point's settings, world, metric list
 * and memory check) share. Not API. */
#ifndef MC_EXPERIMENT_INTERNAL_H
#define MC_EXPERIMENT_INTERNAL_H

#include "collapse.h"

/* The engine's parameter block. */
typedef struct engine_params {
    const char *family;
    const char *regime;
    double h;
    uint64_t n;
    double growth;
    double human_weight;
    const char *schedule;
    int select;              /* curation and detection (collapse/curate.h) */
    uint64_t candidates;
    double beta, verifier_noise, verifier_bias;
    double detector_tpr, detector_fpr;
    int detector_refill;
    double temperature;
    long top_k;
    double top_p;
    double shrink;
    double truncate;
    long generations;
    long replicates;
    uint64_t seed;
    const char *version;
    const char *name;
    long metrics_every;
    int output_metrics;  /* 0 full, 1 none */
    int output_compress; /* 0 none, 1 gzip */
} engine_params;

/* Resolves point p of e (its choice of every axis and its label set): settings, plug-in
 * parameter blocks and checks, its world (created or shared), n_0, metric list, memory check. */
int mc_point_resolve(mc_experiment *e, mc_point *p, mc_error *err);

/* Appends text to a growing string *s of length *len in *cap bytes. MC_OK or MC_ENOMEM. */
int mc_append(char **s, size_t *len, size_t *cap, const char *text);

#endif
