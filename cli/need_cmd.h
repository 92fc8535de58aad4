/* need_cmd.h - `collapse need`: the smallest fresh human fraction that meets a target. */
#ifndef COLLAPSE_NEED_CMD_H
#define COLLAPSE_NEED_CMD_H

/* argv[0] is "need". Returns the exit status. */
int mc_cli_need(int argc, char **argv);

#endif
