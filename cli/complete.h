/* complete.h - the words the shell completion asks for (completion/collapse.bash), from the same
 * tables as --help: subcommands, presets, section.key= names and a key's values. */
#ifndef COLLAPSE_CLI_COMPLETE_H
#define COLLAPSE_CLI_COMPLETE_H

#include <stddef.h>

/* `collapse --complete WHAT [KEY]`: argv[0] is "--complete". WHAT: commands (the subcommand
 * names given), presets, keys (every section.key= of the engine and the plug-ins, once each),
 * values KEY (a family, regime or choice key's values). One word a line on stdout. Returns the
 * exit status (2 after a message for an unknown WHAT). */
int mc_cli_complete(int argc, char **argv, const char *const *commands, size_t ncommands);

#endif
