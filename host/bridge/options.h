/*
 * The synack-bridge command line (DESIGN.md, CONTRACT: synack-bridge),
 * parsed into plain values with no I/O, so it can be tested.
 */
#ifndef SYNACK_BR_OPTIONS_H
#define SYNACK_BR_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addrlimit.h"
#include "policy.h"
#include "switch.h"
#include "ws.h"

#define SYNACK_BR_MAX_ALLOW 64
#define SYNACK_BR_MAX_FORWARD 32
#define SYNACK_BR_MAX_CLIENTS_LIMIT 1024
#define SYNACK_BR_MAX_TRUSTED 16

/* One --forward: a host port that slirp forwards to a guest. Either side
 * may be IPv6 ([ADDR] on the command line): then host6/guest6 hold it. */
typedef struct synack_br_forward {
    bool udp;
    uint32_t host_addr; /* host order; default 127.0.0.1 */
    uint16_t host_port;
    uint32_t guest_ip;
    uint16_t guest_port;
    bool host_is6, guest_is6;
    uint8_t host6[16], guest6[16];
} synack_br_forward;

typedef struct synack_br_options {
    const char *listen_host; /* default 127.0.0.1; NULL port: no --listen */
    const char *listen_port;
    const char *ws_host;     /* --listen-ws; NULL port = off */
    const char *ws_port;
    char ws_buf[256];
    size_t ws_origin_count;  /* --ws-origin allow-list */
    const char *ws_origins[SYNACK_BR_WS_ORIGIN_MAX];
    synack_br_backend backend;
    const char *tap_name;
    bool allow_all;
    bool slirp_dhcp; /* --slirp-dhcp: slirp's own DHCP server, not the bridge's */
    size_t allow_count;
    synack_br_allow allow[SYNACK_BR_MAX_ALLOW];
    synack_br_slirp_net net; /* slirp's network: the default, --ip6-prefix, --no-ip6 */
    size_t forward_count;
    synack_br_forward forward[SYNACK_BR_MAX_FORWARD];
    uint32_t max_clients;
    uint32_t max_frame;
    uint64_t rate_fps, rate_bps;
    uint32_t burst_ms;
    uint32_t queue_bytes;
    const char *token;      /* --token */
    const char *token_file; /* --token-file */
    uint32_t mac_age_s;
    uint32_t auth_timeout_ms;
    bool shared_segment; /* --shared-segment: slirp clients see each other */
    bool offload;        /* --offload: grant TCP super-frames (core/link/offload.h) */
    size_t trusted_count;
    synack_br_addr trusted[SYNACK_BR_MAX_TRUSTED]; /* --trusted-proxy */
    uint32_t max_conn_per_addr;  /* 0 = off */
    uint32_t conn_rate_per_addr; /* new connections/s; 0 = off */
    const char *metrics_host;    /* --metrics; NULL = off */
    const char *metrics_port;
    char metrics_buf[256];
    bool verbose;
    bool help;
    /* storage for the listen address text when HOST:PORT is split */
    char listen_buf[256];
} synack_br_options;

/* The slirp network: 10.0.2.0/24, host .2, DNS .3, DHCP from .15;
 * IPv6 fd00:5ac::/64, host ::2, DNS ::3. */
extern const synack_br_slirp_net synack_br_default_net;

/*
 * Parse argv[1..argc). On error returns -1 and writes a one-line message
 * into err (errlen bytes). --help sets o->help and returns 0.
 */
int synack_br_options_parse(synack_br_options *o, int argc, char **argv,
                            char *err, size_t errlen);

/* The usage text. */
const char *synack_br_usage(void);

#endif
