/* config_cmd.h - `collapse config PRESET|FILE [k=v ...]`: the plan of an experiment without
 * running it (cli/config_cmd.c). */
#ifndef COLLAPSE_CLI_CONFIG_CMD_H
#define COLLAPSE_CLI_CONFIG_CMD_H

#include <stdio.h>

/* argv[0] is "config". Returns the exit status (0, 1 runtime failure, 2 usage or config). */
int mc_cli_config(int argc, char **argv);
/* Its help text (also the man page's, cli/manpage.c). */
void mc_cli_config_usage(FILE *f);

#endif
