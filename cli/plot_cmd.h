/* plot_cmd.h - `collapse plot DIR` and `collapse report DIR`. */
#ifndef COLLAPSE_CLI_PLOT_CMD_H
#define COLLAPSE_CLI_PLOT_CMD_H

/* argv[0] is the subcommand's name ("plot" / "report"); the rest its arguments: one run
 * directory, or -h/--help. Errors go to stderr as "collapse: <message>". Returns the exit
 * status: 0 done, 1 runtime failure (unreadable or unwritable files), 2 usage or a directory
 * that is not a finished run of this version. */
int mc_cli_plot(int argc, char **argv);
int mc_cli_report(int argc, char **argv);

#endif
