/*
 * The `synack` command line (DESIGN.md, CONTRACT: `synack` command-line
 * tool), parsed into a plain struct. Portable: shared by the native tool
 * and the WASI build.
 *
 *   synack LINK [ADDRESSING] [DIAGNOSTICS] COMMAND [ARGS]
 *
 * Global options (LINK, ADDRESSING, DIAGNOSTICS) may appear anywhere;
 * a command's own options (-c, --echo, --bytes, ...) come after it.
 * Beyond the contract: --attempt-delay MS (Happy Eyeballs, RFC 8305),
 * --syn-retries N (how many times a SYN is resent
 * before "timed out") and -h/--help.
 */
#ifndef SYNACK_CLI_OPTS_H
#define SYNACK_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"

typedef enum synack_cli_link_kind {
    SYNACK_CLI_LINK_NONE = 0,
    SYNACK_CLI_LINK_TAP,       /* --tap NAME */
    SYNACK_CLI_LINK_CONNECT,   /* --connect HOST:PORT */
    SYNACK_CLI_LINK_STDIO,     /* --stdio */
    SYNACK_CLI_LINK_ACCEPT_FD, /* --accept-fd N */
    SYNACK_CLI_LINK_WS,        /* a WebSocket (synack_posix under Emscripten:
                                  SYNACK_LINK=ws://..., ws_url) */
} synack_cli_link_kind;

typedef enum synack_cli_cmd {
    SYNACK_CLI_CMD_NONE = 0,
    SYNACK_CLI_CMD_PING,
    SYNACK_CLI_CMD_CONNECT,
    SYNACK_CLI_CMD_GET,
    SYNACK_CLI_CMD_LISTEN,
    SYNACK_CLI_CMD_SEND,
    SYNACK_CLI_CMD_SINK,
    SYNACK_CLI_CMD_UDP_ECHO,
} synack_cli_cmd;

typedef enum synack_cli_listen_mode {
    SYNACK_CLI_LISTEN_NONE = 0,
    SYNACK_CLI_LISTEN_ECHO,
    SYNACK_CLI_LISTEN_DISCARD,
    SYNACK_CLI_LISTEN_FILE,
} synack_cli_listen_mode;

#define SYNACK_CLI_HOST_MAX 256

typedef struct synack_cli_opts {
    /* LINK */
    synack_cli_link_kind link;
    const char *tap_name;
    char connect_host[SYNACK_CLI_HOST_MAX]; /* --connect HOST */
    uint16_t connect_port;
    int32_t accept_fd;
    const char *ws_url;    /* SYNACK_CLI_LINK_WS: the URL, or "module" (the
                              link object the page gave, Module.synackLink) */

    /* ADDRESSING */
    bool static_ip; /* --ip given; else DHCP */
    synack_ip4 ip;
    uint8_t prefix_len;
    bool has_gw;
    synack_ip4 gw;
    bool has_dns;
    synack_addr dns; /* --dns: IPv4 or IPv6 */
    bool has_ip6;   /* --ip6 ADDR/LEN: a static IPv6 address */
    synack_addr ip6;
    uint8_t ip6_len;
    bool ip6_off;   /* --ip6 off: no IPv6 at all */
    bool has_gw6;   /* --gw6 ADDR */
    synack_addr gw6;
    bool has_mac;
    synack_mac mac;
    /* --stable-secret HEX / --stable-secret-file PATH: the key of the RFC
     * 7217 identifiers (synack_ipv6_config.stable_secret), and of the MAC
     * when --mac is not given, so the IPv6 addresses survive a restart */
    bool has_stable_secret;
    uint8_t stable_secret[16];
    const char *stable_secret_file; /* read at setup */
    uint32_t mtu; /* default 1500 */
    bool offload; /* --offload: ask a stream link's bridge for super-frames */

    /* DIAGNOSTICS */
    const char *out_path;  /* NULL: stdout */
    const char *pcap_path; /* NULL: none */
    bool trace;
    bool impair;           /* any impairment flag given */
    double loss, reorder, dup, corrupt; /* probabilities 0..1 (from %) */
    uint32_t delay_ms, jitter_ms;
    double rate_mbit;
    bool has_seed;
    uint64_t seed;
    uint32_t syn_retries;  /* 0: the stack's default */
    uint32_t attempt_delay_ms; /* --attempt-delay; 0: 250 (RFC 8305) */

    /* COMMAND */
    synack_cli_cmd cmd;
    const char *host;      /* ping, connect, send */
    uint16_t port;         /* connect, send: remote; listen, sink, udp-echo: local */
    const char *url;       /* get */
    const char *cacert;    /* get --cacert FILE: PEM trust anchors (https) */
    bool insecure;         /* get --insecure: no certificate checks (https) */
    uint32_t count;        /* ping -c (default 4); listen/sink --count (0: forever) */
    uint8_t family;        /* ping -4 / -6: SYNACK_AF_IP4 or SYNACK_AF_IP6;
                              0: either (IPv6 when the stack has an IPv6
                              route, as Happy Eyeballs prefers) */
    synack_cli_listen_mode listen_mode;
    const char *file;      /* listen --file */
    uint32_t idle_timeout_s; /* listen --idle-timeout: a connection where
                                nothing moves that long is reset; 0: never */
    uint64_t bytes;        /* send --bytes */
    bool help;             /* -h / --help */
} synack_cli_opts;

/* listen: default --idle-timeout, seconds. */
#define SYNACK_CLI_IDLE_TIMEOUT_S 60u

/* Exit status of bad usage (DESIGN.md: 2). */
#define SYNACK_CLI_EXIT_USAGE 2
/* Exit status of a TLS failure: certificate rejected (untrusted, name,
 * expired), no common protocol version or cipher, handshake broken. */
#define SYNACK_CLI_EXIT_TLS 3

/*
 * Parse argv[1..argc-1] into *o (strings point into argv). Returns 0, or
 * SYNACK_CLI_EXIT_USAGE with a one-line reason in err (errcap bytes).
 * With -h/--help it returns 0 and sets o->help; nothing else is checked.
 */
int synack_cli_parse(int argc, char *const *argv, synack_cli_opts *o,
                     char *err, size_t errcap);

/* The usage text (several lines, ends with a newline). */
const char *synack_cli_usage(void);

/*
 * Parse "A.B.C.D/LEN" (LEN 0..32). Returns 0 or -1.
 */
int synack_cli_parse_cidr(const char *text, synack_ip4 *addr, uint8_t *len);

/* Parse "XX:XX:XX:XX:XX:XX" (hex, either case). Returns 0 or -1. */
int synack_cli_parse_mac(const char *text, synack_mac *mac);
/* A stable secret: 32 hex digits (surrounding whitespace allowed, as in a
 * file), into out. Returns 0 or -1. */
int synack_cli_parse_secret(const char *text, size_t len, uint8_t out[16]);

/* Parse "ADDR/LEN" for an IPv6 address (LEN 1..128). Returns 0 or -1. */
int synack_cli_parse_cidr6(const char *text, synack_addr *addr, uint8_t *len);

/*
 * Parse "HOST:PORT" or "[IPV6]:PORT" (the last colon splits; HOST
 * non-empty, fits host[cap], brackets removed; PORT 1..65535). Returns 0
 * or -1.
 */
int synack_cli_parse_hostport(const char *text, char *host, size_t cap,
                              uint16_t *port);

#endif
