/*
 * `synack`, the native command-line tool (DESIGN.md, CONTRACT: `synack`
 * command-line tool). The commands live in host/cli/ (shared with WASI);
 * this file only wires them to Linux.
 */
#define _GNU_SOURCE
#include <signal.h>

#include "cli_platform.h"
#include "native.h"

int main(int argc, char **argv)
{
    /* A closed link or pipe shows up as a write error, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    synack_native n;
    synack_cli_platform p;
    synack_native_platform(&p, &n);
    return synack_cli_main(argc, argv, &p);
}
