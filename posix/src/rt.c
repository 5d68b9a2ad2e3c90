/*
 * The runtime: one stack per process, on the link the environment names
 * (DESIGN.md, "synack_posix environment"), brought up by the first call
 * that needs it. It reuses the `synack` tool's runtime (host/cli): the
 * same links, framing, pcap, DHCP and loop step; only the platform's
 * wait() is replaced, so that a blocked call also wakes for the
 * program's own descriptors.
 *
 *   SYNACK_LINK  stdio | fd:N (WASI: a preopened listening socket) |
 *                tap:NAME (native) | tcp:HOST:PORT (native: a bridge) |
 *                ws://... or wss://... (Emscripten: a WebSocket to a bridge) |
 *                module (Emscripten: the link the page gave, Module.synackLink)
 *   SYNACK_IP    A.B.C.D/LEN (default: DHCP)   SYNACK_GW, SYNACK_DNS
 *   SYNACK_IP6   ADDR/LEN (static IPv6; alone: IPv6 only, no DHCP) | off
 *   SYNACK_GW6   IPv6 default gateway
 *   SYNACK_MAC, SYNACK_MTU, SYNACK_PCAP=FILE, SYNACK_TRACE=1,
 *   SYNACK_SYN_RETRIES=N
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sp.h"

synack_sp_rt synack_sp_g;

/* How long the process waits at exit for closed connections to deliver
 * what they still hold (the kernel would keep them after exit). */
#define EXIT_LINGER_MS 10000u

static void say(const char *fmt, const char *arg)
{
    char buf[256];
    int n = snprintf(buf, sizeof buf, fmt, arg);
    if (n > 0)
        synack_sp_sys_write(2, buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

uint64_t synack_sp_now(void)
{
    return synack_sp_g.plat.now_ms(synack_sp_g.sys);
}

uint64_t synack_sp_deadline(int64_t ms)
{
    if (ms < 0)
        return UINT64_MAX;
    return synack_sp_now() + (uint64_t)ms;
}

bool synack_sp_link_down(void)
{
    return synack_sp_g.cli.link_down;
}

/* Parse the environment into synack_sp_g.opts. Returns 0 or -1 (reason said). */
static int parse_env(synack_cli_opts *o)
{
    memset(o, 0, sizeof *o);
    o->mtu = 1500;
    const char *link = getenv("SYNACK_LINK");
    if (link == NULL || *link == '\0') {
        say("synack_posix: SYNACK_LINK is not set (stdio, fd:N, tap:NAME%s)\n",
            "");
        return -1;
    }
    if (strcmp(link, "stdio") == 0) {
        o->link = SYNACK_CLI_LINK_STDIO;
    } else if (strncmp(link, "fd:", 3) == 0) {
        char *end;
        long fd = strtol(link + 3, &end, 10);
        if (*end != '\0' || fd < 3 || fd > 1000000) {
            say("synack_posix: SYNACK_LINK=%s: bad descriptor\n", link);
            return -1;
        }
        o->link = SYNACK_CLI_LINK_ACCEPT_FD;
        o->accept_fd = (int32_t)fd;
    } else if (strncmp(link, "tap:", 4) == 0) {
        snprintf(synack_sp_g.tap_name, sizeof synack_sp_g.tap_name, "%s", link + 4);
        o->link = SYNACK_CLI_LINK_TAP;
        o->tap_name = synack_sp_g.tap_name;
    } else if (strncmp(link, "tcp:", 4) == 0) {
        if (synack_cli_parse_hostport(link + 4, o->connect_host,
                                      sizeof o->connect_host, &o->connect_port) != 0) {
            say("synack_posix: SYNACK_LINK=%s: want tcp:HOST:PORT\n", link);
            return -1;
        }
        o->link = SYNACK_CLI_LINK_CONNECT;
    } else if (strncmp(link, "ws://", 5) == 0 || strncmp(link, "wss://", 6) == 0 ||
               strcmp(link, "module") == 0) {
        o->link = SYNACK_CLI_LINK_WS;
        o->ws_url = link; /* the environment's string: lives as long as we do */
    } else {
        say("synack_posix: SYNACK_LINK=%s: unknown link\n", link);
        return -1;
    }
    const char *v;
    if ((v = getenv("SYNACK_IP")) != NULL && *v != '\0' && strcmp(v, "dhcp") != 0) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s%s", v, strchr(v, '/') ? "" : "/24");
        if (synack_cli_parse_cidr(buf, &o->ip, &o->prefix_len) != 0) {
            say("synack_posix: SYNACK_IP=%s: want A.B.C.D/LEN\n", v);
            return -1;
        }
        o->static_ip = true;
    }
    if ((v = getenv("SYNACK_GW")) != NULL && *v != '\0') {
        if (synack_ip4_parse_text(v, &o->gw) != 0) {
            say("synack_posix: SYNACK_GW=%s: bad address\n", v);
            return -1;
        }
        o->has_gw = true;
    }
    if ((v = getenv("SYNACK_DNS")) != NULL && *v != '\0') {
        if (synack_addr_parse(v, &o->dns) != 0) {
            say("synack_posix: SYNACK_DNS=%s: bad address\n", v);
            return -1;
        }
        o->has_dns = true;
    }
    if ((v = getenv("SYNACK_IP6")) != NULL && *v != '\0') {
        if (strcmp(v, "off") == 0) {
            o->ip6_off = true;
        } else if (synack_cli_parse_cidr6(v, &o->ip6, &o->ip6_len) != 0) {
            say("synack_posix: SYNACK_IP6=%s: want ADDR/LEN or off\n", v);
            return -1;
        } else {
            o->has_ip6 = true;
        }
    }
    if ((v = getenv("SYNACK_GW6")) != NULL && *v != '\0') {
        if (synack_addr_parse(v, &o->gw6) != 0 || o->gw6.family != SYNACK_AF_IP6) {
            say("synack_posix: SYNACK_GW6=%s: bad address\n", v);
            return -1;
        }
        o->has_gw6 = true;
    }
    if ((v = getenv("SYNACK_MAC")) != NULL && *v != '\0') {
        if (synack_cli_parse_mac(v, &o->mac) != 0) {
            say("synack_posix: SYNACK_MAC=%s: bad address\n", v);
            return -1;
        }
        o->has_mac = true;
    }
    if ((v = getenv("SYNACK_MTU")) != NULL && *v != '\0') {
        long m = strtol(v, NULL, 10);
        if (m < 576 || m > 65535) {
            say("synack_posix: SYNACK_MTU=%s: 576..65535\n", v);
            return -1;
        }
        o->mtu = (uint32_t)m;
    }
    if ((v = getenv("SYNACK_PCAP")) != NULL && *v != '\0') {
        snprintf(synack_sp_g.pcap_path, sizeof synack_sp_g.pcap_path, "%s", v);
        o->pcap_path = synack_sp_g.pcap_path;
    }
    if ((v = getenv("SYNACK_TRACE")) != NULL && strcmp(v, "1") == 0)
        o->trace = true;
    if ((v = getenv("SYNACK_SYN_RETRIES")) != NULL && *v != '\0')
        o->syn_retries = (uint32_t)strtoul(v, NULL, 10);
    return 0;
}

static void at_exit(void)
{
    if (!synack_sp_g.up || synack_sp_g.depth > 0)
        return;
    /* Under Asyncify a wait inside exit() cannot sleep: there closed
     * connections are not waited for. */
    uint64_t until = synack_sp_now() + EXIT_LINGER_MS;
    while (synack_sp_sys_exit_can_wait() && synack_sp_orphans_count() > 0 &&
           !synack_sp_link_down() && synack_sp_now() < until)
        synack_sp_step(until, NULL, 0);
    synack_sp_g.depth++;
    synack_cli_teardown(&synack_sp_g.cli);
    synack_sp_g.up = false;
}

int synack_sp_up(void)
{
    if (synack_sp_g.up)
        return 0;
    if (synack_sp_g.tried) {
        errno = synack_sp_g.setup_errno;
        return -1;
    }
    synack_sp_g.tried = true;
    synack_sp_g.setup_errno = ENETDOWN;
    synack_sp_g.sys = synack_sp_sys_platform(&synack_sp_g.plat);
    if (parse_env(&synack_sp_g.opts) != 0) {
        errno = ENETDOWN;
        return -1;
    }
    if (!(synack_sp_g.plat.links & (1u << synack_sp_g.opts.link))) {
        say("synack_posix: SYNACK_LINK=%s is not available here\n",
            getenv("SYNACK_LINK"));
        errno = ENETDOWN;
        return -1;
    }
    synack_sp_g.plat.link_open = synack_sp_sys_link_open;
    synack_sp_g.plat.wait = synack_sp_sys_wait;
    synack_sp_g.depth++;
    int rc = synack_cli_setup(&synack_sp_g.cli, &synack_sp_g.plat, &synack_sp_g.opts);
    synack_sp_g.depth--;
    if (rc != 0) {
        synack_sp_g.depth++;
        synack_cli_teardown(&synack_sp_g.cli);
        synack_sp_g.depth--;
        errno = ENETDOWN;
        return -1;
    }
    synack_sp_g.up = true;
    atexit(at_exit);
    return 0;
}

int synack_sp_step(uint64_t until, synack_sp_extra *extra, size_t n_extra)
{
    for (size_t i = 0; i < n_extra; i++)
        extra[i].revents = 0;
    synack_sp_g.extra = extra;
    synack_sp_g.n_extra = n_extra;
    synack_sp_g.depth++;
    int rc = synack_cli_step(&synack_sp_g.cli, until, false);
    synack_sp_g.depth--;
    synack_sp_g.extra = NULL;
    synack_sp_g.n_extra = 0;
    synack_sp_orphans_service();
    return rc < 0 ? -1 : 0;
}

void synack_sp_drain(void)
{
    if (synack_sp_g.up && !synack_sp_link_down())
        synack_sp_step(0, NULL, 0);
}
