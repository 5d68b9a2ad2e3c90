/*
 * The `synack` tool's entry point, shared by the native and WASI builds:
 * parse the command line (DESIGN.md, CONTRACT: `synack` command-line
 * tool), set up the link and the stack, run the command.
 * Exit status: 0 success, 1 network failure, 2 bad usage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_platform.h"
#include "cli_run.h"

static const char *const link_option[] = {
    [SYNACK_CLI_LINK_NONE] = "",
    [SYNACK_CLI_LINK_TAP] = "--tap",
    [SYNACK_CLI_LINK_CONNECT] = "--connect",
    [SYNACK_CLI_LINK_STDIO] = "--stdio",
    [SYNACK_CLI_LINK_ACCEPT_FD] = "--accept-fd",
    [SYNACK_CLI_LINK_WS] = "a WebSocket",
};

static void usage_error(const synack_cli_platform *p, const char *why)
{
    char line[320];
    int n = snprintf(line, sizeof line, "synack: %s\n", why);
    if (n > 0)
        p->err_write(p->ctx, line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
    const char *u = synack_cli_usage();
    p->err_write(p->ctx, u, strlen(u));
}

static int run(synack_cli *c)
{
    switch (c->o->cmd) {
    case SYNACK_CLI_CMD_PING:
        return synack_cli_cmd_ping(c);
    case SYNACK_CLI_CMD_CONNECT:
        return synack_cli_cmd_connect(c);
    case SYNACK_CLI_CMD_GET:
        return synack_cli_cmd_get(c);
    case SYNACK_CLI_CMD_LISTEN:
        return synack_cli_cmd_listen(c);
    case SYNACK_CLI_CMD_SEND:
        return synack_cli_cmd_send(c);
    case SYNACK_CLI_CMD_SINK:
        return synack_cli_cmd_sink(c);
    case SYNACK_CLI_CMD_UDP_ECHO:
        return synack_cli_cmd_udp_echo(c);
    default:
        return SYNACK_CLI_EXIT_USAGE;
    }
}

int synack_cli_main(int argc, char *const *argv, const synack_cli_platform *p)
{
    synack_cli_opts o;
    char err[256];
    if (synack_cli_parse(argc, argv, &o, err, sizeof err) != 0) {
        usage_error(p, err);
        return SYNACK_CLI_EXIT_USAGE;
    }
    if (o.help) {
        const char *u = synack_cli_usage();
        p->out_write(p->ctx, u, strlen(u));
        return 0;
    }
    if ((p->links & (1u << o.link)) == 0) {
        snprintf(err, sizeof err, "%s is not available on this platform",
                 link_option[o.link]);
        usage_error(p, err);
        return SYNACK_CLI_EXIT_USAGE;
    }
    synack_cli *c = malloc(sizeof *c);
    if (c == NULL)
        return 1;
    int rc = synack_cli_setup(c, p, &o);
    if (rc == 0)
        rc = run(c);
    if (rc != 0)
        synack_cli_link_report(c);
    synack_cli_teardown(c);
    free(c);
    return rc;
}
