/* json_value.h - configuration values typed for summary.json (private to src/run/;
 * src/run/json_value.c): a key the engine or the point's plug-ins declare numeric, whose value is
 * one finite number that a double holds exactly as written (integers up to 2^53), becomes a JSON
 * number; everything else (names, lists, grid alternatives, larger seeds) stays a string. */
#ifndef MC_RUN_JSON_VALUE_H
#define MC_RUN_JSON_VALUE_H

#include <cjson/cJSON.h>
#include "collapse/experiment.h"

/* The JSON item for section.key = value at point p (a number or a string; NULL: no memory). */
cJSON *mc_json_config_value(const mc_point *p, const char *section, const char *key,
                            const char *value);

/* A JSON number, or the string "nan", "inf" or "-inf" where v is not finite (docs/OUTPUTS.md);
 * NULL: no memory. */
cJSON *mc_json_number(double v);

#endif
