/* complete.c - words for the shell's completion (complete.h), read from the registry and the
 * subcommand table at the moment of completing, so they never differ from what the program
 * takes. */
#include <stdio.h>
#include <string.h>
#include "collapse.h"
#include "complete.h"

/* Whether t's key section.name came before index i in t or in an earlier table. */
static int seen(const mc_key *const *tables, size_t ntab, size_t tab, size_t i, const mc_key *k)
{
    for (size_t a = 0; a <= tab && a < ntab; a++)
        for (size_t j = 0; tables[a] && tables[a][j].name && (a < tab || j < i); j++)
            if (!strcmp(tables[a][j].section, k->section) && !strcmp(tables[a][j].name, k->name))
                return 1;
    return 0;
}

/* Every key table of the registry: the engine's, each family's, each regime's. */
static size_t key_tables(const mc_key **out, size_t max)
{
    size_t n = 0;
    out[n++] = mc_engine_keys;
    for (size_t i = 0; mc_families[i] && n < max; i++)
        out[n++] = mc_families[i]->keys;
    for (size_t i = 0; mc_regimes[i] && n < max; i++)
        out[n++] = mc_regimes[i]->keys;
    return n;
}

static void print_keys(void)
{
    const mc_key *tables[256];
    size_t n = key_tables(tables, 256);
    for (size_t t = 0; t < n; t++)
        for (size_t i = 0; tables[t] && tables[t][i].name; i++)
            if (!seen(tables, n, t, i, &tables[t][i]))
                printf("%s.%s=\n", tables[t][i].section, tables[t][i].name);
}

/* The values of section.key: plug-in names, or an enum's choices. */
static void print_values(const char *key)
{
    const mc_key *tables[256];
    size_t n = key_tables(tables, 256);
    for (size_t t = 0; t < n; t++)
        for (const mc_key *k = tables[t]; k && k->name; k++) {
            char full[128];
            snprintf(full, sizeof full, "%s.%s", k->section, k->name);
            if (strcmp(full, key) != 0)
                continue;
            if (k->flags & MC_KEY_NAMES_FAMILY)
                for (size_t i = 0; mc_families[i]; i++)
                    printf("%s\n", mc_families[i]->name);
            else if (k->flags & MC_KEY_NAMES_REGIME)
                for (size_t i = 0; mc_regimes[i]; i++)
                    printf("%s\n", mc_regimes[i]->name);
            else if (k->kind == MC_KEY_ENUM && k->choices)
                for (const char *c = k->choices; *c;) {
                    size_t len = strcspn(c, "|");
                    printf("%.*s\n", (int)len, c);
                    c += len + (c[len] == '|');
                }
            else if (k->kind == MC_KEY_BOOL)
                printf("true\nfalse\n");
            return;
        }
}

int mc_cli_complete(int argc, char **argv, const char *const *commands, size_t ncommands)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (!strcmp(what, "commands")) {
        for (size_t i = 0; i < ncommands; i++)
            printf("%s\n", commands[i]);
    } else if (!strcmp(what, "presets")) {
        for (size_t i = 0; i < mc_npresets; i++)
            printf("%s\n", mc_presets[i].name);
    } else if (!strcmp(what, "keys")) {
        print_keys();
    } else if (!strcmp(what, "values") && argc > 2) {
        print_values(argv[2]);
    } else {
        fprintf(stderr, "collapse: --complete commands|presets|keys|values KEY\n");
        return 2;
    }
    return 0;
}
