/*
 * main.c - the magnet command: dispatch to src/cli/cmd_*.c through the
 * command table in cli/cli.h.
 */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
