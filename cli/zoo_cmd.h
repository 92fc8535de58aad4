/* zoo_cmd.h - `collapse zoo`: the paper zoo (docs/ZOO.md). */
#ifndef COLLAPSE_ZOO_CMD_H
#define COLLAPSE_ZOO_CMD_H

/* argv[0] is "zoo". Returns the exit status. */
int mc_cli_zoo(int argc, char **argv);

#endif
