/*
 * commands.h - the entry points of the magnet subcommands (src/cli/cmd_*.c).
 * Each takes the arguments after "magnet" (argv[0] is the command name) and
 * returns the process exit status (see cli.h).
 */
#ifndef MAGNET_CLI_COMMANDS_H
#define MAGNET_CLI_COMMANDS_H

int cmd_init(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_batches(int argc, char **argv);
int cmd_gen(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_chains(int argc, char **argv);
int cmd_screen(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_chain(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_user(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_audit(int argc, char **argv);

#endif
