/*
 * The bridge's switching core, sans-IO: ports, MAC learning, anti-spoofing,
 * per-client rate limits, the slirp allow-list, DHCP for the slirp network
 * and the shared-secret handshake. The event loop (loop.c) feeds it frames with the time and it
 * hands frames back through one `emit` callback; it never blocks, never
 * allocates and never reads a clock.
 *
 * Port 0 is the backend (TAP or slirp; absent with no backend). Ports
 * 1..max_clients are stream clients.
 */
#ifndef SYNACK_BR_SWITCH_H
#define SYNACK_BR_SWITCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mactable.h"
#include "policy.h"
#include "ratelimit.h"

#define SYNACK_BR_BACKEND_PORT 0
#define SYNACK_BR_MAX_FRAME_LIMIT 9018 /* jumbo frame, 9000 MTU + header + tag */
#define SYNACK_BR_MIN_FRAME 14         /* an Ethernet header */
#define SYNACK_BR_TOKEN_MAX 1024
/* IPv6 addresses one client may own at once (link-local, stable and
 * temporary global ones): a bound, so cycling addresses costs no memory;
 * the least recently used one makes room for a new one. */
#define SYNACK_BR_IP6_PER_PORT 8

typedef enum synack_br_backend {
    SYNACK_BR_BACKEND_NONE = 0,
    SYNACK_BR_BACKEND_TAP,
    SYNACK_BR_BACKEND_SLIRP,
} synack_br_backend;

typedef struct synack_br_config {
    synack_br_backend backend;
    uint32_t max_clients;
    uint32_t max_frame;                  /* largest Ethernet frame accepted */
    uint64_t rate_fps, burst_frames;     /* per client; 0 = unlimited */
    uint64_t rate_bps, burst_bytes;      /* bytes per second */
    const uint8_t *token;                /* NULL: no handshake */
    size_t token_len;
    uint64_t mac_age_ms;
    synack_br_allowlist allow;           /* slirp only */
    synack_br_slirp_net net;             /* slirp only */
    bool dhcp_server;                    /* slirp only: answer DHCP here (dhcpd.h) */
    bool isolate;                        /* clients reach only the backend (switch.c) */
    bool offload;                        /* grant super-frames (client.c, core/link/offload.h) */
    bool offload_rx;                     /* ... and offer them to clients (a TSO TAP) */
} synack_br_config;

typedef enum synack_br_port_state {
    SYNACK_BR_PORT_FREE = 0,
    SYNACK_BR_PORT_AUTH,   /* waiting for the token frame */
    SYNACK_BR_PORT_ACTIVE,
} synack_br_port_state;

typedef enum synack_br_ip_source {
    SYNACK_BR_IP_NONE = 0,
    SYNACK_BR_IP_ARP,  /* the sender address of its first ARP */
    SYNACK_BR_IP_DHCP, /* the address of a DHCPACK from the backend */
} synack_br_ip_source;

/* Per-port counters. Drops are counted on the port the frame came from,
 * except drop_queue, counted on the port whose queue was full. */
typedef struct synack_br_stats {
    uint64_t rx_frames, rx_bytes;  /* accepted from the port */
    uint64_t tx_frames, tx_bytes;  /* handed to the port */
    uint64_t drop_rate;            /* over the frames/s or bytes/s budget */
    uint64_t drop_spoof_mac;       /* source MAC (or ARP/DHCP hardware address) not its own */
    uint64_t drop_spoof_ip;        /* source IP not its own (or none yet) */
    uint64_t drop_policy;          /* not allowed by --allow, or EtherType not switched */
    uint64_t drop_invalid;         /* header that does not parse; bad size */
    uint64_t drop_queue;           /* output queue full (slow reader) */
    uint64_t drop_unknown;         /* unicast to a MAC no port owns (see switch.c) */
    uint64_t drop_isolated;        /* unicast to another client while isolated */
    uint64_t rst_sent;             /* resets answered for denied connections */
    uint64_t rx_super;             /* super-frames accepted (each cut into pieces) */
    uint64_t tx_super;             /* super-frames handed to the port whole */
    uint64_t drop_spoof_nd;        /* forged NDP: an RA or Redirect from a client, an
                                      NA for an address it does not own, a link-layer
                                      address option that is not its MAC */
    uint64_t ip6_evicted;          /* owned IPv6 addresses given up to make room */
} synack_br_stats;

/* An IPv6 address a client owns (RFC 6620 first-come, first-served). */
typedef struct synack_br_ip6_owned {
    bool used;
    uint8_t addr[16];
    uint64_t last; /* ms of its claim or last use: the oldest makes room */
} synack_br_ip6_owned;

typedef struct synack_br_port {
    synack_br_port_state state;
    bool has_mac;
    uint8_t mac[6];
    synack_br_ip_source ip_source;
    uint32_t ip;
    synack_br_ip6_owned ip6[SYNACK_BR_IP6_PER_PORT];
    uint64_t since; /* ms when the port was attached */
    synack_br_bucket fps, bps;
    synack_br_stats stats;
} synack_br_port;

/* What the caller must do after synack_br_input. */
typedef enum synack_br_verdict {
    SYNACK_BR_KEEP = 0,
    SYNACK_BR_CLOSE_MALFORMED, /* not an Ethernet frame, too big, group source */
    SYNACK_BR_CLOSE_AUTH,      /* the first frame was not the token */
} synack_br_verdict;

/*
 * Send `len` bytes of `frame` out of `port` (queue it to that client, or
 * write it to the backend). Returns false when it was dropped (queue full,
 * device busy); the switch counts that. Must not call back into the switch
 * for the same port; it may feed the backend's answer through
 * synack_br_input(port 0) (slirp does).
 */
typedef bool (*synack_br_emit_fn)(void *ctx, int32_t port, const uint8_t *frame,
                                  size_t len);

/*
 * Write the TCP/IPv4 or TCP/IPv6 super-frame f[0..len) to the backend whole, for it to
 * cut into pieces of `seg` payload bytes (a TAP with IFF_VNET_HDR: GSO).
 * The TCP checksum field holds the pseudo-header sum. False when it could
 * not (the caller then writes the pieces).
 */
typedef bool (*synack_br_emit_gso_fn)(void *ctx, const uint8_t *frame, size_t len,
                                      uint32_t seg);

typedef struct synack_br {
    synack_br_config cfg;
    synack_br_mactable macs;
    synack_br_port *ports; /* max_clients + 1 */
    synack_br_emit_fn emit;
    void *emit_ctx;
    synack_br_emit_gso_fn emit_gso; /* NULL: the backend takes only plain frames */
    /* A backend super-frame to client `port` whole (it agreed to RX_TCP4,
     * or RX_TCP6 for an IPv6 one: `ip6`): takes_super says whether the
     * port may get one, super_out queues it (false: full, the caller sends
     * the pieces). NULL: never. */
    bool (*takes_super)(void *ctx, int32_t port, bool ip6);
    bool (*super_out)(void *ctx, int32_t port, const uint8_t *frame, size_t len, uint32_t seg);
    uint64_t tx_gso;                /* super-frames written whole to the backend */
    uint8_t reply[640];    /* room for a RST or DHCP reply frame */
} synack_br;

/*
 * Set up a switch. `ports` has cfg->max_clients + 1 entries; `mac_slots`
 * mac_size entries (a power of two >= 16). In slirp mode slirp's MAC
 * addresses (52:55 followed by the host and resolver IPv4 addresses) are
 * pinned to the backend. Returns 0, or -1 for a bad configuration.
 */
int synack_br_init(synack_br *br, const synack_br_config *cfg,
                   synack_br_port *ports, synack_br_mac_entry *mac_slots,
                   uint32_t mac_size, synack_br_emit_fn emit, void *emit_ctx,
                   uint64_t now);

/* Take a free client port: its number (1..max_clients), or -1 when full. */
int32_t synack_br_attach(synack_br *br, uint64_t now);

/* Release a client port and forget its addresses. */
void synack_br_detach(synack_br *br, int32_t port);

/*
 * A frame arrived on `port` (0 = from the backend). Checks it, learns from
 * it and forwards it. Returns what to do with the port; the backend is
 * never closed (its bad frames are dropped and counted).
 */
synack_br_verdict synack_br_input(synack_br *br, int32_t port, uint64_t now,
                                  const uint8_t *frame, size_t len);

/* Whether frames may be delivered to `port` (attached and authenticated). */
bool synack_br_port_active(const synack_br *br, int32_t port);

/* MAC address text "xx:xx:xx:xx:xx:xx" (buf of at least 18 bytes). */
void synack_br_mac_format(const uint8_t mac[6], char *buf);

#endif
