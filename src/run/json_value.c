/* json_value.c - configuration values typed for summary.json (json_value.h). */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "collapse.h"
#include "run/json_value.h"

static const mc_key *table_find(const mc_key *t, const char *section, const char *key)
{
    for (; t && t->name; t++)
        if (!strcmp(t->section, section) && !strcmp(t->name, key))
            return t;
    return NULL;
}

/* The declaration of section.key: the engine's, the point's family's or its regime's. */
static const mc_key *key_of(const mc_point *p, const char *section, const char *key)
{
    const mc_key *k = table_find(mc_engine_keys, section, key);
    if (!k)
        k = table_find(p->family->keys, section, key);
    if (!k)
        k = table_find(p->regime->keys, section, key);
    return k;
}

/* Whether text is one finite number (whole text, no list) and integers stay exact. */
static int one_number(const mc_key *k, const char *text, double *v)
{
    if (!k || (k->kind != MC_KEY_DOUBLE && k->kind != MC_KEY_INT && k->kind != MC_KEY_COUNT))
        return 0;
    char *end;
    *v = strtod(text, &end);
    while (end != text && (*end == ' ' || *end == '\t'))
        end++;
    if (end == text || *end || !isfinite(*v))
        return 0;
    return k->kind == MC_KEY_DOUBLE || fabs(*v) <= 9007199254740992.0; /* 2^53 */
}

cJSON *mc_json_config_value(const mc_point *p, const char *section, const char *key,
                            const char *value)
{
    double v;
    if (value && one_number(key_of(p, section, key), value, &v))
        return cJSON_CreateNumber(v);
    return cJSON_CreateString(value ? value : "");
}

cJSON *mc_json_number(double v)
{
    if (isnan(v))
        return cJSON_CreateString("nan");
    if (isinf(v))
        return cJSON_CreateString(v > 0 ? "inf" : "-inf");
    return cJSON_CreateNumber(v);
}
