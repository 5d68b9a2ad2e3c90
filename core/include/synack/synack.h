/*
 * synack — a sans-IO userspace TCP/IP stack in portable C11.
 *
 * This is the one public header a program needs. A stack is one value
 * (synack_stack) that owns all of its state; nothing here has a clock or does
 * I/O. Every call that can change state takes `now`, monotonic milliseconds.
 * The caller's loop: feed received frames with synack_input(), call
 * synack_poll(now), sleep until min(synack_poll_at(), next frame).
 *
 * Conventions: functions return 0 (or a non-negative length/handle) on
 * success and a negative synack_err on failure. IPv4 addresses are uint32_t
 * in host byte order (10.0.2.15 is 0x0A00020F). Ports are host order.
 */
#ifndef SYNACK_SYNACK_H
#define SYNACK_SYNACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */
/* ------------------------------------------------------------------------ */

/* Negative error codes returned by the API. 0 is success. */
typedef enum synack_err {
    SYNACK_OK = 0,
    SYNACK_ERR_INVAL = -1,       /* bad argument */
    SYNACK_ERR_NOMEM = -2,       /* allocator failed or a configured limit reached */
    SYNACK_ERR_AGAIN = -3,       /* would block: try again after the next poll/input */
    SYNACK_ERR_ADDRINUSE = -4,   /* port (or 4-tuple) already bound */
    SYNACK_ERR_NOTCONN = -5,     /* socket not connected */
    SYNACK_ERR_REFUSED = -6,     /* peer answered with RST / ICMP port unreachable */
    SYNACK_ERR_RESET = -7,       /* connection reset by peer */
    SYNACK_ERR_TIMEOUT = -8,     /* retransmission / resolution gave up */
    SYNACK_ERR_UNREACHABLE = -9, /* no route, ARP failed, or ICMP unreachable */
    SYNACK_ERR_CLOSED = -10,     /* socket (or its sending side) is closed */
    SYNACK_ERR_MSGSIZE = -11,    /* datagram too large */
    SYNACK_ERR_STATE = -12,      /* operation not valid in the socket's state */
    SYNACK_ERR_BADF = -13,       /* not a valid handle */
    SYNACK_ERR_ISCONN = -14,     /* already connected / connecting */
    SYNACK_ERR_ABORTED = -15,    /* aborted locally */
    SYNACK_ERR_NOTFOUND = -16,   /* DNS: no such name (NXDOMAIN) or no address */
} synack_err;

/* Short lower-case name of an error ("refused", "timed out", ...). Never NULL. */
const char *synack_strerror(int err);

/* ------------------------------------------------------------------------ */
/* Addresses                                                                */
/* ------------------------------------------------------------------------ */

typedef uint32_t synack_ip4; /* host byte order */

typedef struct synack_mac {
    uint8_t b[6];
} synack_mac;

/* Build an address from four octets: SYNACK_IP4(10,0,2,15). */
#define SYNACK_IP4(a, b, c, d)                                                 \
    ((synack_ip4)(((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) |              \
                  ((uint32_t)(c) << 8) | (uint32_t)(d)))

/* Parse dotted-quad text into *out. Returns 0 or SYNACK_ERR_INVAL. */
int synack_ip4_parse_text(const char *text, synack_ip4 *out);
/* Format into buf (at least 16 bytes). Returns the length written. */
int synack_ip4_format(synack_ip4 addr, char *buf);

/*
 * An address of either family: what sockets, connections, pings and DNS
 * answers carry. `family` is SYNACK_AF_IP4 or SYNACK_AF_IP6 (0: none);
 * `b` is in network byte order, an IPv4 address in b[0..3] with the rest
 * zero (so two addresses compare equal exactly when all 17 bytes do).
 * Interface configuration (synack_set_ipv4, DHCP) keeps synack_ip4.
 */
#define SYNACK_AF_IP4 4
#define SYNACK_AF_IP6 6
/* Room for any formatted address with its NUL (INET6_ADDRSTRLEN). */
#define SYNACK_ADDR_STRLEN 46

typedef struct synack_addr {
    uint8_t family;
    uint8_t b[16];
} synack_addr;

/* The IPv4 address `ip` as a synack_addr. */
synack_addr synack_addr_from_ip4(synack_ip4 ip);
/* The IPv4 address in `a` (host order); 0 when `a` is not IPv4. */
synack_ip4 synack_addr_to_ip4(const synack_addr *a);
/*
 * Parse dotted-quad IPv4 or RFC 4291 section 2.2 IPv6 text ("::1",
 * "fe80::1", "::ffff:10.0.0.1") into *out. Returns 0 or SYNACK_ERR_INVAL.
 */
int synack_addr_parse(const char *text, synack_addr *out);
/*
 * Format into buf (at least SYNACK_ADDR_STRLEN bytes): dotted quad, or
 * IPv6 in RFC 5952 form. Returns the length written ("" for family 0).
 */
int synack_addr_format(const synack_addr *a, char *buf);
/* Whether a and b are the same address (family and bytes). */
bool synack_addr_equal(const synack_addr *a, const synack_addr *b);

/* ------------------------------------------------------------------------ */
/* Allocation and links                                                     */
/* ------------------------------------------------------------------------ */

/* The single allocator hook. `free` receives the size that was allocated. */
typedef struct synack_allocator {
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} synack_allocator;

typedef enum synack_medium {
    SYNACK_MEDIUM_ETHERNET = 0, /* Ethernet II frames, ARP */
    SYNACK_MEDIUM_IP = 1,       /* raw IPv4 packets, no L2 header */
} synack_medium;

/*
 * A link: where the stack's outgoing frames go. `send` is called with one
 * complete frame (the buffer is only valid during the call). It returns 0, or
 * a negative value when the frame was dropped (counted, never fatal).
 * `mtu` is the IP MTU (Ethernet payload size), 68..65535.
 */
/*
 * What the stack says about a send-offload packet besides its bytes
 * (synack_link.send_gso), so that a driver builds its offload header
 * (virtio_net_hdr, a SUPER) from these values instead of parsing the
 * headers again. Offsets count from the start of the frame (the Ethernet
 * header for SYNACK_MEDIUM_ETHERNET).
 */
typedef struct synack_gso {
    uint32_t seg;         /* payload bytes of each piece (virtio gso_size) */
    uint16_t hdr_len;     /* link, IP and TCP headers: the payload starts here */
    uint16_t csum_start;  /* the L4 header: the checksum sums from here to the end */
    uint16_t csum_offset; /* the checksum field, from csum_start (16 for TCP) */
    uint8_t family;       /* SYNACK_AF_IP4 or SYNACK_AF_IP6 (GSO_TCPV4/V6) */
} synack_gso;

typedef struct synack_link {
    int (*send)(void *ctx, const uint8_t *frame, size_t len);
    void *ctx;
    uint32_t mtu;
    synack_medium medium;
    /*
     * Send segmentation offload (optional; 0 = off, the default). When
     * gso_max > mtu, new TCP data may leave as one IP packet of up to
     * gso_max bytes (at most 65535) whose payload is a multiple of the
     * connection's segment size (the last piece may be shorter). Such a
     * packet goes to send_gso, never to send: `gso` says the payload size
     * of each piece (virtio's gso_size), where the headers end and where
     * the checksum is (synack_gso); the IP header checksum is complete and
     * the TCP checksum field holds the folded pseudo-header sum over the
     * whole segment (Linux's CHECKSUM_PARTIAL), for the driver or the kernel
     * to cut it and finish each piece. Retransmissions stay <= MSS.
     */
    uint32_t gso_max;
    int (*send_gso)(void *ctx, const uint8_t *frame, size_t len, const synack_gso *gso);
    /*
     * The driver feeds frames in bursts (what one wake-up of its device
     * brings) and calls synack_poll(now) after each burst, as the loop at
     * the top of this header says. With this set (default false), the ACK
     * that in-order data owes for every second full-sized segment waits
     * for that poll instead of leaving from inside synack_input: one ACK
     * per burst, as Linux's GRO and smoltcp's poll give, carrying the
     * window after the application's reads. synack_poll_at() says `now`
     * while such an ACK waits. Out-of-order data, a filled hole, a FIN and
     * duplicates are still answered at once, and so is a burst that reaches
     * half the window last offered or 64 KiB.
     */
    bool ack_per_burst;
    /* send_gso also takes TCP/IPv6 packets (TCP right after the fixed
       header); false: IPv6 connections send only wire-sized segments */
    bool gso_ip6;
} synack_link;

/* ------------------------------------------------------------------------ */
/* Trace events (DESIGN.md "trace events" contract)                         */
/* ------------------------------------------------------------------------ */

typedef enum synack_trace_kind {
    SYNACK_TRACE_SEG = 0,
    SYNACK_TRACE_STATE,
    SYNACK_TRACE_CC,
    SYNACK_TRACE_WIN,
    SYNACK_TRACE_TIMER,
    SYNACK_TRACE_DROP,
    SYNACK_TRACE_ERROR,
    SYNACK_TRACE_NEIGH,  /* a neighbour cache entry changed state (ARP, NDP) */
    SYNACK_TRACE_ADDR,   /* an IPv6 interface address changed state */
    SYNACK_TRACE_ROUTER, /* a default router was added or removed (NDP) */
    SYNACK_TRACE_PMTU,   /* the path MTU towards a destination changed */
} synack_trace_kind;

/*
 * Neighbour states in trace events, RFC 4861 7.3.2's names for both
 * families (ARP's entries go INCOMPLETE -> REACHABLE -> STALE -> PROBE
 * too). REACHABLE turns STALE without a timer (lazily): that change is
 * reported as the `from` of the entry's next one. NONE: no entry (the
 * `from` of a new one, the `to` of one evicted or flushed); FAILED:
 * resolution gave up and the entry is gone.
 */
typedef enum synack_nud_state {
    SYNACK_NUD_NONE = 0,
    SYNACK_NUD_INCOMPLETE,
    SYNACK_NUD_REACHABLE,
    SYNACK_NUD_STALE,
    SYNACK_NUD_DELAY,
    SYNACK_NUD_PROBE,
    SYNACK_NUD_FAILED,
} synack_nud_state;

/* TCP states, RFC 9293 names via synack_tcp_state_name(). */
typedef enum synack_tcp_state {
    SYNACK_TCP_CLOSED = 0,
    SYNACK_TCP_LISTEN,
    SYNACK_TCP_SYN_SENT,
    SYNACK_TCP_SYN_RECEIVED,
    SYNACK_TCP_ESTABLISHED,
    SYNACK_TCP_FIN_WAIT_1,
    SYNACK_TCP_FIN_WAIT_2,
    SYNACK_TCP_CLOSE_WAIT,
    SYNACK_TCP_CLOSING,
    SYNACK_TCP_LAST_ACK,
    SYNACK_TCP_TIME_WAIT,
} synack_tcp_state;

/* "ESTABLISHED", "SYN-SENT", ... */
const char *synack_tcp_state_name(synack_tcp_state st);

typedef enum synack_timer_name {
    SYNACK_TIMER_REXMIT = 0,
    SYNACK_TIMER_PERSIST,
    SYNACK_TIMER_KEEPALIVE,
    SYNACK_TIMER_DELACK,
    SYNACK_TIMER_TIME_WAIT,
    SYNACK_TIMER_RACK,      /* RACK reordering timer (RFC 8985 6.3) */
    SYNACK_TIMER_TLP,       /* tail loss probe timeout (RFC 8985 7.2) */
} synack_timer_name;

typedef enum synack_timer_action {
    SYNACK_TIMER_SET = 0,
    SYNACK_TIMER_FIRED,
    SYNACK_TIMER_CLEARED,
} synack_timer_action;

typedef enum synack_cc_phase {
    SYNACK_CC_SLOW_START = 0,
    SYNACK_CC_AVOIDANCE,
    SYNACK_CC_RECOVERY,
} synack_cc_phase;

/* TCP flag bits as on the wire. */
#define SYNACK_TCP_FIN 0x01
#define SYNACK_TCP_SYN 0x02
#define SYNACK_TCP_RST 0x04
#define SYNACK_TCP_PSH 0x08
#define SYNACK_TCP_ACK 0x10
#define SYNACK_TCP_URG 0x20
#define SYNACK_TCP_ECE 0x40
#define SYNACK_TCP_CWR 0x80

/* One trace event. Fields not used by `kind` are zero. */
typedef struct synack_trace_event {
    synack_trace_kind kind;
    uint64_t t;   /* the stack's clock, ms */
    int32_t conn; /* connection handle, -1 when none */
    union {
        struct {
            bool out;      /* dir: out (sent) or in (received) */
            uint8_t flags; /* SYNACK_TCP_* bits */
            uint32_t seq, ack;
            uint32_t win; /* bytes, after scaling */
            uint32_t len;
            bool rexmit;
            /* options as present */
            bool has_mss, has_ws, sack_ok, has_ts;
            uint16_t mss;
            uint8_t ws;
            uint32_t tsval, tsecr;
            uint8_t sack_count;
            uint32_t sack[4][2];
        } seg;
        struct {
            synack_tcp_state from, to;
        } state;
        struct {
            uint32_t cwnd, ssthresh, inflight;
            uint32_t srtt, rttvar, rto; /* ms */
            synack_cc_phase phase;
        } cc;
        struct {
            uint32_t snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd;
            uint32_t sndbuf, rcvbuf; /* bytes queued */
        } win;
        struct {
            synack_timer_name name;
            synack_timer_action action;
            uint64_t at;
        } timer;
        struct {
            const char *layer;  /* "eth", "arp", "ipv4", "icmp", "udp", "tcp", ... */
            const char *reason; /* "bad-checksum", "out-of-window", ... */
        } drop;
        struct {
            int code; /* SYNACK_ERR_REFUSED / RESET / TIMEOUT / UNREACHABLE */
        } error;
        struct {
            synack_addr addr;          /* the neighbour (IPv4 or IPv6) */
            synack_mac mac;            /* its link address (zero while
                                          INCOMPLETE) */
            synack_nud_state from, to;
        } neigh;
        struct {
            synack_addr addr;
            uint8_t prefix_len;
            uint8_t origin;            /* synack_ip6_origin */
            /* synack_ip6_addr_state, or SYNACK_IP6_NONE: `from` of a new
               address, `to` of a removed one */
            uint8_t from, to;
        } addr;
        struct {
            synack_addr addr;          /* the router's link-local address */
            bool added;                /* false: removed (lifetime 0, expired,
                                          no longer a router) */
            uint32_t lifetime;         /* s, when added */
            int8_t pref;               /* RFC 4191: -1, 0, 1 */
        } router;
        struct {
            synack_addr dst;
            uint32_t mtu;              /* the new path MTU */
        } pmtu;
    } u;
} synack_trace_event;

typedef void (*synack_trace_fn)(void *ctx, const synack_trace_event *ev);

/*
 * Format one event as a single JSON object (no newline) per DESIGN.md.
 * Returns the length written (excluding the NUL), or the length needed when
 * it does not fit in `cap` (then buf holds a truncated, NUL-terminated text).
 */
size_t synack_trace_json(const synack_trace_event *ev, char *buf, size_t cap);

/* ------------------------------------------------------------------------ */
/* Drop counters                                                            */
/* ------------------------------------------------------------------------ */

/* Every reason a frame can be dropped, by layer. */
typedef enum synack_drop {
    SYNACK_DROP_ETH_RUNT = 0,       /* shorter than an Ethernet header */
    SYNACK_DROP_ETH_NOT_FOR_US,     /* destination MAC is not ours */
    SYNACK_DROP_ETH_ETHERTYPE,      /* unknown ethertype */
    SYNACK_DROP_ARP_MALFORMED,
    SYNACK_DROP_ARP_NOT_FOR_US,
    SYNACK_DROP_NEIGH_QUEUE_FULL,   /* outgoing packet waiting for ARP/NDP
                                       resolution dropped: the queue is full */
    SYNACK_DROP_NEIGH_FAILED,       /* resolution (ARP or NDP) gave up */
    SYNACK_DROP_ARP_SPOOF,          /* reply that tried to take over an entry */
    SYNACK_DROP_IPV4_TRUNCATED,
    SYNACK_DROP_IPV4_BAD_VERSION,
    SYNACK_DROP_IPV4_BAD_HDR_LEN,
    SYNACK_DROP_IPV4_BAD_TOTAL_LEN,
    SYNACK_DROP_IPV4_BAD_CHECKSUM,
    SYNACK_DROP_IPV4_NOT_FOR_US,
    SYNACK_DROP_IPV4_BAD_SOURCE,    /* broadcast/multicast/loopback source */
    SYNACK_DROP_IPV4_TTL,           /* TTL 0 on arrival */
    SYNACK_DROP_IPV4_NO_ROUTE,      /* output: no route to destination */
    SYNACK_DROP_IPV4_FRAG_OVERLAP,  /* conflicting/overlapping fragment */
    SYNACK_DROP_IPV4_FRAG_TOO_BIG,  /* reassembly beyond 65535 bytes */
    SYNACK_DROP_IPV4_FRAG_NOMEM,    /* reassembly memory cap reached */
    SYNACK_DROP_IPV4_FRAG_TIMEOUT,  /* incomplete set expired */
    SYNACK_DROP_IPV4_FRAG_BAD,      /* malformed fragment (tiny, bad offset) */
    SYNACK_DROP_IPV4_PROTO,         /* unknown protocol */
    SYNACK_DROP_IPV4_DF,            /* output larger than MTU with DF set */
    SYNACK_DROP_ICMP_MALFORMED,
    SYNACK_DROP_ICMP_BAD_CHECKSUM,
    SYNACK_DROP_ICMP_UNHANDLED,     /* type we do not act on */
    SYNACK_DROP_ICMP_RATE,          /* outgoing error rate-limited */
    SYNACK_DROP_UDP_MALFORMED,
    SYNACK_DROP_UDP_BAD_CHECKSUM,
    SYNACK_DROP_UDP_NO_SOCKET,
    SYNACK_DROP_UDP_QUEUE_FULL,
    SYNACK_DROP_TCP_MALFORMED,
    SYNACK_DROP_TCP_BAD_CHECKSUM,
    SYNACK_DROP_TCP_BAD_OPTION,
    SYNACK_DROP_TCP_NO_SOCKET,
    SYNACK_DROP_TCP_OUT_OF_WINDOW,
    SYNACK_DROP_TCP_BAD_ACK,
    SYNACK_DROP_TCP_PAWS,
    SYNACK_DROP_TCP_BACKLOG_FULL,
    SYNACK_DROP_TCP_OOO_FULL,       /* out-of-order data beyond the bound */
    SYNACK_DROP_TCP_RST_IGNORED,    /* RST outside the window */
    SYNACK_DROP_TCP_CHALLENGE_LIMIT,/* challenge ACK rate-limited */
    SYNACK_DROP_TCP_CONN_LIMIT,     /* connection limit reached */
    SYNACK_DROP_TCP_INVALID_ACK_LIMIT, /* ACK to an out-of-window or PAWS-
                                          rejected segment rate-limited */
    SYNACK_DROP_LINK_SEND,          /* the link refused a frame */
    SYNACK_DROP_DHCP_MALFORMED,
    SYNACK_DROP_DNS_MALFORMED,
    SYNACK_DROP_DNS_MISMATCH,       /* answer not from our server/port, or not
                                       for our ID/question: maybe spoofed */
    SYNACK_DROP_DHCP_FOREIGN,       /* another client's transaction, or
                                       another server's answer */
    SYNACK_DROP_TCP_MEM_PRESSURE,   /* segment data not stored: the TCP
                                       buffer budget (mem_max) is spent */
    SYNACK_DROP_TCP_OOO_PRUNED,     /* out-of-order data freed to make room
                                       for in-order data under the budget */
    SYNACK_DROP_IPV6_TRUNCATED,     /* shorter than its header or payload length */
    SYNACK_DROP_IPV6_BAD_VERSION,
    SYNACK_DROP_IPV6_NOT_FOR_US,    /* destination not one of ours */
    SYNACK_DROP_IPV6_BAD_SOURCE,    /* multicast source, or :: where not allowed */
    SYNACK_DROP_IPV6_EXT_HDR,       /* extension header refused (bad chain,
                                       unknown option/header, too many) */
    SYNACK_DROP_IPV6_PROTO,         /* unknown upper-layer protocol */
    SYNACK_DROP_IPV6_NO_ROUTE,      /* output: no route or no source address */
    SYNACK_DROP_IPV6_TOO_BIG,       /* output above the path MTU, not fragmented */
    SYNACK_DROP_IPV6_FRAG_OVERLAP,  /* overlapping fragment: set dropped (RFC 5722) */
    SYNACK_DROP_IPV6_FRAG_NOMEM,    /* reassembly memory or set cap reached */
    SYNACK_DROP_IPV6_FRAG_TIMEOUT,  /* incomplete set expired */
    SYNACK_DROP_IPV6_FRAG_BAD,      /* malformed fragment (length, offset) */
    SYNACK_DROP_IPV6_DISABLED,      /* IPv6 received with ipv6.enable false */
    SYNACK_DROP_ICMP6_MALFORMED,
    SYNACK_DROP_ICMP6_BAD_CHECKSUM,
    SYNACK_DROP_ICMP6_UNHANDLED,    /* type we do not act on */
    SYNACK_DROP_ICMP6_RATE,         /* outgoing error rate-limited */
    SYNACK_DROP_ICMP6_BAD_PTB,      /* Packet Too Big ignored (bogus MTU or quote) */
    SYNACK_DROP_ND_MALFORMED,       /* Neighbour Discovery message invalid
                                       (RFC 4861 validation, ipv6/nd.c) */
    SYNACK_DROP_ND_TABLE_FULL,      /* neighbour cache: no entry made for an
                                       unsolicited NS/RA, every slot is in use */
    SYNACK_DROP_MLD_MALFORMED,      /* MLD message invalid (ipv6/mld.c) */
    SYNACK_DROP_ND_ROUTERS_FULL,    /* RA from a new router, Default Router
                                       List full (cfg.ipv6.max_routers) */
    SYNACK_DROP_ND_PREFIXES_FULL,   /* new on-link prefix, Prefix List full
                                       (cfg.ipv6.max_prefixes) */
    SYNACK_DROP_ND_ADDRS_FULL,      /* SLAAC address not formed, address
                                       table full (cfg.ipv6.max_addrs) */
    SYNACK_DROP_ND_DAD_CONFLICT,    /* NS/NA showing another node uses one of
                                       our addresses (RFC 4862 5.4.3/5.4.4) */
    SYNACK_DROP_ND_UNSOLICITED,     /* NA for a neighbour we hold no entry
                                       for (RFC 4861 7.2.5) */
    SYNACK_DROP_MLD_GROUPS_FULL,    /* group not joined: SYNACK_MLD_MAX_GROUPS */
    SYNACK_DROP__COUNT
} synack_drop;

/* Layer name ("ipv4") and reason ("bad-checksum") of a drop reason. */
const char *synack_drop_layer(synack_drop d);
const char *synack_drop_reason(synack_drop d);

/* ------------------------------------------------------------------------ */
/* Configuration and the stack                                              */
/* ------------------------------------------------------------------------ */

typedef enum synack_cc_algo {
    SYNACK_CC_CUBIC = 0, /* default, RFC 9438 */
    SYNACK_CC_NEWRENO,   /* RFC 5681 + RFC 6582 */
} synack_cc_algo;

/* Largest syn_retries / data_retries; larger settings are lowered to it. */
#define SYNACK_TCP_MAX_RETRIES 127u

/* TCP defaults applied to new sockets (each can be changed per socket). */
typedef struct synack_tcp_config {
    /*
     * Largest send and receive buffer of a connection, bytes; default 8 MiB
     * (> 1 Gbit/s x 50 ms). Buffers start small (a 4 KiB ring, a 64 KiB
     * receive window) and grow with the measured bandwidth-delay product up
     * to these (receive: Linux-style DRS; send: 2 x cwnd when the
     * application is limited by it).
     */
    uint32_t sndbuf;
    uint32_t rcvbuf;
    uint32_t rto_min_ms;        /* default 200 */
    uint32_t rto_max_ms;        /* default 60000 */
    uint32_t rto_initial_ms;    /* default 1000 (RFC 6298) */
    uint32_t syn_retries;       /* SYN give-up: default 6, at most 127 */
    uint32_t data_retries;      /* data give-up: default 15, at most 127 */
    uint32_t msl_ms;            /* TIME-WAIT lasts 2*msl; default 30000 */
    uint32_t delack_ms;         /* delayed ACK timer; default 40, at most 499 */
    uint32_t keepalive_idle_ms; /* default 7200000 */
    uint32_t keepalive_intvl_ms;/* default 75000 */
    uint32_t keepalive_count;   /* default 9 */
    uint32_t max_conns;         /* connection limit; default 1024 */
    /*
     * Budget for the buffer memory of all TCP connections together (send
     * and receive rings, out-of-order ranges), bytes; default 64 MiB (the
     * JavaScript API's default is 16 MiB). From 3/4 of it on no buffer
     * grows and new receive window is offered only from memory already
     * held; at the budget, out-of-order data is freed to make room for
     * in-order data, and data that still finds no room is dropped (not
     * acknowledged). Acknowledged data is never dropped. Counted as drops
     * "tcp/mem-pressure" and "tcp/ooo-pruned".
     */
    uint64_t mem_max;
    uint32_t ooo_max_segments;  /* out-of-order holes kept; default 64 */
    uint32_t challenge_ack_per_s; /* per connection; default 10 */
    synack_cc_algo cc;          /* default CUBIC */
    bool nodelay;               /* default false: Nagle on */
    bool keepalive;             /* default false */
    bool sack;                  /* default true */
    bool rack;                  /* RACK-TLP loss detection when SACK is on
                                   (RFC 8985); false: RFC 6675 DupThresh;
                                   default true */
    bool timestamps;            /* default true */
    bool window_scaling;        /* default true */
    bool syn_cookies;           /* default true */
} synack_tcp_config;

/*
 * IPv6 (RFC 8200, RFC 4443, RFC 4861, RFC 4862). A zero in a size or time
 * limit means its default; the two switches are plain booleans, true in
 * synack_config_default (a zeroed config leaves IPv6 off).
 */
typedef struct synack_ipv6_config {
    bool enable;               /* IPv6 at all; default true */
    bool slaac;                /* link-local address and SLAAC from router
                                  advertisements (ipv6/nd.c); default true */
    uint8_t hop_limit;         /* default 64 (a router's RA may change it) */
    uint32_t max_addrs;        /* interface addresses; default 8 */
    uint32_t max_routers;      /* default router list; default 4 */
    uint32_t max_prefixes;     /* on-link prefix list; default 8 */
    uint32_t pmtu_cache_size;  /* path MTU entries (RFC 8201); default 32 */
    uint32_t pmtu_timeout_ms;  /* a lowered path MTU is retried after this;
                                  default 600000 (RFC 8201 section 4) */
    uint32_t dad_transmits;    /* DupAddrDetectTransmits; default 1 */
    /*
     * The key of RFC 7217's stable interface identifiers (the link-local
     * address and those SLAAC forms), as Linux's stable_secret sysctl:
     * with has_stable_secret, a host that keeps the secret and its MAC
     * forms the same addresses after a restart. Default (false): a key
     * drawn from the stack's random source at creation, so addresses
     * change with every start. Keys nothing else (ISNs, ports and cookies
     * keep their own random key) but the MAC when `mac` is left zero (a
     * keyed hash of it, locally administered, instead of a random one).
     */
    bool has_stable_secret;
    uint8_t stable_secret[16];
} synack_ipv6_config;

typedef struct synack_config {
    synack_allocator alloc;      /* required */
    synack_link link;            /* required */
    synack_mac mac;              /* our MAC (ethernet medium) */
    uint64_t seed;               /* seeds all randomness when random is NULL */
    /* Optional entropy source; if set, used instead of the seed. */
    void (*random)(void *ctx, uint8_t *buf, size_t len);
    void *random_ctx;
    synack_trace_fn trace;       /* optional; no cost when NULL */
    void *trace_ctx;

    uint8_t ttl;                 /* default 64 */
    /* The neighbour cache, shared by ARP (IPv4) and NDP (IPv6). */
    uint32_t neigh_cache_size;   /* entries of both families; default 64 */
    uint32_t neigh_queue_len;    /* packets waiting for resolution; default 16 */
    /* ARP only (NDP's are RFC 4861's: ReachableTime, RetransTimer, 3
       solicitations, or what a router advertises). */
    uint32_t arp_timeout_ms;     /* IPv4 entry lifetime; default 60000 */
    uint32_t arp_retry_ms;       /* request retry; default 1000 */
    uint32_t arp_retries;        /* default 3 */
    uint32_t reasm_max_bytes;    /* reassembly memory cap; default 256 KiB */
    uint32_t reasm_timeout_ms;   /* default 30000 */
    uint32_t reasm_max_sets;     /* concurrent datagrams; default 16 */
    uint32_t udp_max_sockets;    /* default 64 */
    uint32_t udp_queue_len;      /* datagrams queued per socket; default 64 */
    uint32_t icmp_max_sockets;   /* ping handles; default 16 */
    uint32_t icmp_errors_per_s;  /* rate limit of ICMP errors sent; default 100 */
    bool verify_checksums;       /* default true */
    synack_tcp_config tcp;
    synack_ipv6_config ipv6;
} synack_config;

typedef struct synack_stack synack_stack;

/* Fill *cfg with defaults (everything except alloc and link). */
void synack_config_default(synack_config *cfg);

/*
 * Create a stack. Copies *cfg. Errors: SYNACK_ERR_INVAL (missing allocator,
 * link send, or MTU outside 68..65535), SYNACK_ERR_NOMEM.
 */
int synack_stack_new(synack_stack **out, const synack_config *cfg, uint64_t now);

/* Free a stack and everything it owns. Sends nothing. NULL is allowed. */
void synack_stack_free(synack_stack *s);

/*
 * Configure the interface address. `prefix_len` 0..32; `gateway` 0 for none.
 * On an Ethernet link a gratuitous ARP announces the address.
 */
int synack_set_ipv4(synack_stack *s, uint64_t now, synack_ip4 addr,
                    uint8_t prefix_len, synack_ip4 gateway);

/* Current address, prefix length and gateway (any pointer may be NULL). */
void synack_get_ipv4(const synack_stack *s, synack_ip4 *addr,
                     uint8_t *prefix_len, synack_ip4 *gateway);

/* Our MAC address. */
synack_mac synack_get_mac(const synack_stack *s);

/* ---- IPv6 interface addresses --------------------------------------------- */

/* The state of an IPv6 interface address (RFC 4862 section 2). */
typedef enum synack_ip6_addr_state {
    SYNACK_IP6_TENTATIVE = 0, /* duplicate address detection running */
    SYNACK_IP6_PREFERRED,     /* in use */
    SYNACK_IP6_DEPRECATED,    /* still valid, not chosen for new traffic */
    SYNACK_IP6_DUPLICATE,     /* DAD found another node using it: unused */
    SYNACK_IP6_NONE,          /* trace events only: not in the table */
} synack_ip6_addr_state;

/* Where an IPv6 interface address came from. */
typedef enum synack_ip6_origin {
    SYNACK_IP6_ORIGIN_LINKLOCAL = 0, /* fe80::/64, RFC 4862 5.3 (RFC 7217) */
    SYNACK_IP6_ORIGIN_STATIC,        /* synack_add_ipv6 */
    SYNACK_IP6_ORIGIN_SLAAC,         /* a router advertisement's prefix */
} synack_ip6_origin;

/* One IPv6 interface address, as synack_get_ipv6 reports it. */
typedef struct synack_ip6_addr_info {
    synack_addr addr;
    uint8_t prefix_len;
    uint8_t origin;            /* synack_ip6_origin */
    uint8_t state;             /* synack_ip6_addr_state */
    uint64_t valid_until;      /* stack time (ms) it expires; UINT64_MAX: never */
    uint64_t preferred_until;  /* stack time it becomes deprecated */
} synack_ip6_addr_info;

/*
 * Add a static IPv6 address with its on-link prefix (prefix_len 1..128).
 * On an Ethernet link it starts TENTATIVE and becomes PREFERRED after
 * duplicate address detection; on the IP medium it is PREFERRED at once.
 * Errors: INVAL (not a unicast IPv6 address, bad prefix length, IPv6
 * disabled), ADDRINUSE (already configured), NOMEM (table full).
 */
int synack_add_ipv6(synack_stack *s, uint64_t now, const synack_addr *addr,
                    uint8_t prefix_len);

/* Remove a configured IPv6 address (any origin). Errors: NOTFOUND. */
int synack_del_ipv6(synack_stack *s, uint64_t now, const synack_addr *addr);

/*
 * Set the static IPv6 default gateway (link-local or on-link; NULL or
 * family 0 clears it). Routers learnt from advertisements come after it.
 * Errors: INVAL.
 */
int synack_set_gateway6(synack_stack *s, uint64_t now, const synack_addr *gw);

/* The static IPv6 gateway (family 0 when none). */
synack_addr synack_get_gateway6(const synack_stack *s);

/*
 * Copy up to `max` interface addresses into out (out may be NULL with max
 * 0). Returns how many there are in all.
 */
size_t synack_get_ipv6(const synack_stack *s, synack_ip6_addr_info *out,
                       size_t max);

/*
 * Whether this build has the IPv6 layer (CMake SYNACK_IPV6, default ON).
 * Without it every IPv6 destination is SYNACK_ERR_UNREACHABLE, received
 * IPv6 is dropped and synack_add_ipv6 fails with SYNACK_ERR_INVAL.
 */
bool synack_ipv6_built(void);

/*
 * The source address the stack would send from to reach dst (either
 * family): IPv4 from its address when dst is on-link or a gateway is set,
 * IPv6 by RFC 6724 source selection when an on-link prefix, a router or
 * the static gateway gives a next hop. Tools use it to pick a family the
 * way Happy Eyeballs does (IPv6 first only with an IPv6 route). Returns 0
 * (and *src unless src is NULL) or SYNACK_ERR_UNREACHABLE.
 */
int synack_route_source(const synack_stack *s, const synack_addr *dst, synack_addr *src);

/* Feed one received frame. Malformed input is counted and dropped. */
void synack_input(synack_stack *s, uint64_t now, const uint8_t *frame,
                  size_t len);

/* Run timers and send whatever is due at `now`. */
void synack_poll(synack_stack *s, uint64_t now);

/* The next deadline (ms) at which synack_poll must be called; UINT64_MAX if none. */
uint64_t synack_poll_at(const synack_stack *s);

/* Number of frames dropped for reason `d`. */
uint64_t synack_drops(const synack_stack *s, synack_drop d);

/* General counters. */
typedef struct synack_counters {
    uint64_t frames_in, frames_out, bytes_in, bytes_out;
    uint64_t ip_in, ip_out, ip_frags_out, ip_reassembled;
    uint64_t tcp_segs_in, tcp_segs_out, tcp_rexmit_segs, tcp_rexmit_bytes;
    uint64_t tcp_challenge_acks, tcp_syn_cookies_sent;
    uint64_t drops_total;
    uint64_t ip6_in, ip6_out, ip6_frags_out, ip6_reassembled;
} synack_counters;

/* Copy the stack's counters into *out. */
void synack_get_counters(const synack_stack *s, synack_counters *out);

/* Set or replace the trace callback (NULL turns tracing off). */
void synack_set_trace(synack_stack *s, synack_trace_fn fn, void *ctx);

/* ------------------------------------------------------------------------ */
/* ICMP echo (ping)                                                         */
/* ------------------------------------------------------------------------ */

/* Open a ping handle (its own ICMP identifier). Returns a handle >= 0. */
int synack_ping_open(synack_stack *s);

/*
 * Send an echo request with sequence `seq` and `len` bytes of payload.
 * Errors: SYNACK_ERR_BADF, SYNACK_ERR_UNREACHABLE (no route, or a family
 * the stack does not speak), SYNACK_ERR_MSGSIZE.
 */
int synack_ping_send(synack_stack *s, uint64_t now, int h, const synack_addr *dst,
                     uint16_t seq, const void *payload, size_t len);

/*
 * Take one received echo reply: source, sequence and payload (truncated to
 * cap). Returns the payload length, or SYNACK_ERR_AGAIN when none is queued,
 * or the sticky error (e.g. SYNACK_ERR_UNREACHABLE from ARP failure or ICMP
 * destination unreachable) once, when one happened.
 */
int synack_ping_recv(synack_stack *s, int h, synack_addr *src, uint16_t *seq,
                     void *buf, size_t cap);

/* Close a ping handle. */
void synack_ping_close(synack_stack *s, int h);

/* ------------------------------------------------------------------------ */
/* UDP                                                                      */
/* ------------------------------------------------------------------------ */

/*
 * Open a UDP socket bound to `port` (0: an ephemeral port, RFC 6056).
 * Returns a handle >= 0. Errors: SYNACK_ERR_ADDRINUSE, SYNACK_ERR_NOMEM.
 */
int synack_udp_open(synack_stack *s, uint16_t port);

/* The local port of a UDP socket, or a negative error. */
int synack_udp_port(const synack_stack *s, int h);

/*
 * Send a datagram (fragmented when larger than the MTU; up to 65507 bytes).
 * Errors: SYNACK_ERR_BADF, SYNACK_ERR_MSGSIZE, SYNACK_ERR_UNREACHABLE.
 */
int synack_udp_sendto(synack_stack *s, uint64_t now, int h, const synack_addr *dst,
                      uint16_t dport, const void *data, size_t len);

/*
 * Receive one datagram into buf (truncated to cap). Returns its full length,
 * SYNACK_ERR_AGAIN when none is queued, or a pending ICMP error once
 * (SYNACK_ERR_REFUSED for port unreachable, SYNACK_ERR_UNREACHABLE).
 */
int synack_udp_recvfrom(synack_stack *s, int h, void *buf, size_t cap,
                        synack_addr *src, uint16_t *sport);

/* Close a UDP socket. */
void synack_udp_close(synack_stack *s, int h);

/* UDP socket options. */
typedef enum synack_udp_opt {
    SYNACK_UDPOPT_V6ONLY = 0, /* 0/1: receive IPv6 datagrams only; default 0 */
} synack_udp_opt;

/* Set a UDP socket option. Errors: BADF, INVAL. */
int synack_udp_setopt(synack_stack *s, int h, synack_udp_opt opt, int64_t value);

/* ------------------------------------------------------------------------ */
/* TCP sockets                                                              */
/* ------------------------------------------------------------------------ */

/* Readiness bits returned by synack_tcp_events(). */
#define SYNACK_EV_READABLE 0x01  /* data to read, or EOF */
#define SYNACK_EV_WRITABLE 0x02  /* send buffer has room */
#define SYNACK_EV_CONNECTED 0x04 /* handshake completed (sticky) */
#define SYNACK_EV_CLOSED 0x08    /* fully closed (CLOSED or TIME-WAIT) */
#define SYNACK_EV_ERROR 0x10     /* sticky error set */
#define SYNACK_EV_ACCEPT 0x20    /* listener: a connection is ready */
#define SYNACK_EV_EOF 0x40       /* peer's FIN received and all data read */

typedef enum synack_tcp_opt {
    SYNACK_TCPOPT_SNDBUF = 0,
    SYNACK_TCPOPT_RCVBUF,
    SYNACK_TCPOPT_NODELAY,        /* 0/1 */
    SYNACK_TCPOPT_KEEPALIVE,      /* 0/1 */
    SYNACK_TCPOPT_KEEPIDLE_MS,
    SYNACK_TCPOPT_KEEPINTVL_MS,
    SYNACK_TCPOPT_KEEPCNT,
    SYNACK_TCPOPT_CC,             /* synack_cc_algo */
    SYNACK_TCPOPT_RTO_MIN_MS,
    SYNACK_TCPOPT_RTO_MAX_MS,
    SYNACK_TCPOPT_DELACK_MS,
    SYNACK_TCPOPT_MSL_MS,
    SYNACK_TCPOPT_REUSEADDR,      /* 0/1: bind() may take a port that a
                                     connection (e.g. in TIME-WAIT) still
                                     uses; default 0, as SO_REUSEADDR */
    SYNACK_TCPOPT_V6ONLY,         /* 0/1: a listener accepts IPv6
                                     connections only (IPV6_V6ONLY);
                                     default 0: both families */
} synack_tcp_opt;

/* Snapshot of a connection for tools and the demo. */
typedef struct synack_tcp_info {
    synack_tcp_state state;
    synack_addr local_addr, remote_addr;
    uint16_t local_port, remote_port;
    uint32_t snd_una, snd_nxt, snd_wnd, rcv_nxt, rcv_wnd;
    uint32_t cwnd, ssthresh, srtt_ms, rttvar_ms, rto_ms;
    uint32_t mss;
    uint32_t sndbuf_used, rcvbuf_used;
    uint64_t bytes_sent, bytes_received, rexmit_segs, rexmit_bytes;
} synack_tcp_info;

/* Create a TCP socket. Returns a handle >= 0 or SYNACK_ERR_NOMEM. */
int synack_tcp_open(synack_stack *s);

/*
 * Bind to a local port (0: ephemeral at connect). Errors: ADDRINUSE when a
 * listener or bound socket has the port, or a connection uses it (also in
 * TIME-WAIT) and SYNACK_TCPOPT_REUSEADDR is not set; STATE.
 */
int synack_tcp_bind(synack_stack *s, int h, uint16_t port);

/* Listen with a bounded backlog (accepted-but-unclaimed connections). */
int synack_tcp_listen(synack_stack *s, int h, uint32_t backlog);

/*
 * Take an established connection from a listener. Returns the new handle,
 * or SYNACK_ERR_AGAIN. The peer address is stored when pointers are non-NULL.
 */
int synack_tcp_accept(synack_stack *s, uint64_t now, int h, synack_addr *addr,
                      uint16_t *port);

/*
 * Start an active open (sends SYN). Completion: SYNACK_EV_CONNECTED, or
 * SYNACK_EV_ERROR with REFUSED, TIMEOUT (SYN retries), or UNREACHABLE as
 * soon as ARP for the next hop gives up (at once for a family with no
 * route).
 */
int synack_tcp_connect(synack_stack *s, uint64_t now, int h, const synack_addr *dst,
                       uint16_t dport);

/*
 * Queue up to len bytes for sending. Returns the number accepted (maybe less
 * than len), SYNACK_ERR_AGAIN when the buffer is full, SYNACK_ERR_CLOSED after
 * shutdown, SYNACK_ERR_NOMEM when nothing is queued and the buffer budget
 * (mem_max) has no room for a send buffer, or the sticky error.
 */
int synack_tcp_send(synack_stack *s, uint64_t now, int h, const void *data,
                    size_t len);

/*
 * Read up to cap bytes. Returns the count, 0 at end of stream (peer's FIN),
 * SYNACK_ERR_AGAIN when nothing is available yet, or the sticky error.
 */
int synack_tcp_recv(synack_stack *s, uint64_t now, int h, void *buf,
                    size_t cap);

/* Shut down the sending side (FIN after queued data); keep receiving. */
int synack_tcp_shutdown(synack_stack *s, uint64_t now, int h);

/*
 * Close: shut down sending and release the handle; the connection finishes
 * its teardown in the background (FIN, TIME-WAIT). Unread data causes RST.
 */
int synack_tcp_close(synack_stack *s, uint64_t now, int h);

/* Abort: send RST (when synchronized) and release the handle at once. */
int synack_tcp_abort(synack_stack *s, uint64_t now, int h);

/* Set an option (see synack_tcp_opt). Errors: BADF, INVAL. */
int synack_tcp_setopt(synack_stack *s, int h, synack_tcp_opt opt,
                      int64_t value);

/* Readiness bits (SYNACK_EV_*); 0 for an invalid handle. */
uint32_t synack_tcp_events(const synack_stack *s, int h);

/* Sticky error of the socket (0 if none). */
int synack_tcp_error(const synack_stack *s, int h);

/* Fill *out. Errors: SYNACK_ERR_BADF. */
int synack_tcp_get_info(const synack_stack *s, int h, synack_tcp_info *out);

/* ------------------------------------------------------------------------ */
/* DHCP client (RFC 2131, RFC 2132) and DNS stub resolver (RFC 1035)        */
/* ------------------------------------------------------------------------ */

/* What the DHCP server handed out. */
typedef struct synack_dhcp_lease {
    synack_ip4 addr;      /* our address (yiaddr) */
    synack_ip4 gateway;   /* first router (option 3), 0 if none */
    synack_ip4 dns[2];    /* domain name servers (option 6), 0 if none */
    synack_ip4 server;    /* server identifier (option 54) */
    uint8_t prefix_len;   /* from the subnet mask (option 1) */
    uint32_t lease_s;     /* lease time (option 51); UINT32_MAX = infinite */
} synack_dhcp_lease;

/* Where the DHCP client is (RFC 2131 figure 5). */
typedef enum synack_dhcp_state {
    SYNACK_DHCP_STOPPED = 0,
    SYNACK_DHCP_SELECTING,  /* DISCOVER sent, waiting for an OFFER */
    SYNACK_DHCP_REQUESTING, /* REQUEST sent, waiting for the ACK */
    SYNACK_DHCP_BOUND,
    SYNACK_DHCP_RENEWING,   /* past T1: REQUEST unicast to the server */
    SYNACK_DHCP_REBINDING,  /* past T2: REQUEST broadcast */
} synack_dhcp_state;

/*
 * Start the DHCP client: DISCOVER now, then OFFER/REQUEST/ACK; once bound the
 * address, prefix, gateway (synack_set_ipv4) and resolver (unless one was set
 * with synack_set_dns) are applied, renewed at T1, rebound at T2, and removed
 * when the lease expires (then the client starts over). Its timers run in
 * synack_poll. Errors: SYNACK_ERR_ISCONN (already running).
 */
int synack_dhcp_start(synack_stack *s, uint64_t now);

/* Stop the client (sends nothing). The configured address stays as it is. */
void synack_dhcp_stop(synack_stack *s, uint64_t now);

/* The client's state. */
synack_dhcp_state synack_dhcp_get_state(const synack_stack *s);

/* Copy the current lease. Errors: SYNACK_ERR_AGAIN until bound. */
int synack_dhcp_get_lease(const synack_stack *s, synack_dhcp_lease *out);

/*
 * Set the resolver used when synack_dns_query gets server 0. A non-zero
 * address set here takes precedence over the one from DHCP; 0 lets DHCP
 * set it again.
 */
void synack_set_dns(synack_stack *s, synack_ip4 server);

/*
 * Set the resolver of either family (an IPv4 or IPv6 address) as
 * synack_set_dns does; NULL or family 0 withdraws it (DHCP's comes back).
 */
void synack_set_resolver(synack_stack *s, const synack_addr *server);

/* The resolver address (from synack_set_dns or DHCP); 0 when none. */
synack_ip4 synack_get_dns(const synack_stack *s);

/*
 * The resolver synack_dns_query uses with server NULL, of either family
 * (static, DHCP, or an IPv6 router advertisement's RDNSS option, in that
 * order). Returns 0 and *out, or SYNACK_ERR_NOTFOUND when there is none.
 */
int synack_get_resolver(const synack_stack *s, synack_addr *out);

/*
 * Retransmission schedule of DNS queries: the first answer is awaited
 * `first_ms` (default 1000), each retry doubles it, and the query gives up
 * after `tries` transmissions (default 3: 1 s, 2 s, 4 s). 0 keeps a value.
 */
void synack_dns_set_timeouts(synack_stack *s, uint32_t first_ms, uint32_t tries);

/*
 * Start resolving `name` to an IPv4 address (A record, following CNAMEs)
 * by asking `server` (NULL: the resolver from synack_set_dns/DHCP) over UDP from
 * a fresh ephemeral port with a random ID. A dotted-quad name resolves at
 * once. Returns a handle >= 0. Errors: SYNACK_ERR_INVAL (bad name),
 * SYNACK_ERR_UNREACHABLE (no resolver or no route), SYNACK_ERR_NOMEM (all
 * query slots or UDP sockets in use).
 */
int synack_dns_query(synack_stack *s, uint64_t now, const char *name,
                     const synack_addr *server);

/* Addresses kept from one answer (more records of the type are ignored). */
#define SYNACK_DNS_MAX_ADDRS 4

/*
 * Like synack_dns_query, for one address family: `family` SYNACK_AF_IP4
 * asks for A records, SYNACK_AF_IP6 for AAAA records (RFC 3596), both
 * following CNAMEs. A literal address of that family resolves at once; a
 * literal of the other family ends as SYNACK_ERR_NOTFOUND. The answer is
 * read with synack_dns_result (the first address) or synack_dns_result_all.
 * Errors: as synack_dns_query, and SYNACK_ERR_INVAL for another family.
 */
int synack_dns_query_family(synack_stack *s, uint64_t now, const char *name,
                            const synack_addr *server, int family);

/*
 * Every address of a finished query (up to `max`, at most
 * SYNACK_DNS_MAX_ADDRS, in the answer's order) into out[]. Returns the
 * count (>= 1), or the errors of synack_dns_result; a NOERROR answer with
 * no record of the asked type (NODATA, RFC 2308) is SYNACK_ERR_NOTFOUND.
 */
int synack_dns_result_all(synack_stack *s, int h, synack_addr *out, size_t max);

/*
 * The outcome of a query: 0 with *addr set (the first address), SYNACK_ERR_AGAIN while waiting,
 * SYNACK_ERR_TIMEOUT (no answer after all tries), SYNACK_ERR_NOTFOUND
 * (NXDOMAIN, or no record of the asked type), SYNACK_ERR_REFUSED (the server answered with
 * an error, or ICMP port unreachable), SYNACK_ERR_MSGSIZE (truncated answer:
 * TCP fallback is not implemented), SYNACK_ERR_UNREACHABLE, SYNACK_ERR_BADF.
 */
int synack_dns_result(synack_stack *s, int h, synack_addr *addr);

/* Release a query handle (and its socket). */
void synack_dns_close(synack_stack *s, int h);

/* ------------------------------------------------------------------------ */
/* Connecting by name: Happy Eyeballs v2 (RFC 8305)                         */
/* ------------------------------------------------------------------------ */

#define SYNACK_CONNECT_NAME_MAX 4          /* operations at once per stack */
#define SYNACK_HE_RESOLUTION_DELAY_MS 50   /* wait for AAAA after A (8305 3) */
#define SYNACK_HE_ATTEMPT_DELAY_MS 250     /* Connection Attempt Delay (8305 5) */
#define SYNACK_HE_ATTEMPT_DELAY_MIN_MS 10
#define SYNACK_HE_ATTEMPT_DELAY_MAX_MS 2000

/*
 * Start connecting to `name` (a host name or a literal of either family)
 * on TCP `port`: AAAA and A queries go out together (the stack's
 * resolver); attempts start when an AAAA answer comes, or an A answer
 * plus SYNACK_HE_RESOLUTION_DELAY_MS, or both answers. Addresses are tried
 * alternating families, IPv6 first unless the stack has no IPv6 route to
 * the first one; a new attempt starts every `attempt_delay_ms` (0: 250;
 * clamped to 10..2000) or as soon as one fails, while earlier attempts
 * continue. The first connection to complete wins; the others are aborted.
 * `tmpl` (-1: none) is a TCP handle never connected, e.g. fresh from
 * synack_tcp_open and configured with synack_tcp_setopt: every attempt
 * gets its per-socket options (buffers, NODELAY, keep-alive, timers, CC);
 * it stays the caller's. Runs in synack_poll (its deadlines are in
 * synack_poll_at). Returns a handle >= 0. Errors: INVAL (bad name or
 * port 0), BADF (tmpl not a fresh TCP handle), NOMEM (all
 * SYNACK_CONNECT_NAME_MAX in use, or no DNS query slot), UNREACHABLE (no
 * resolver).
 */
int synack_connect_name(synack_stack *s, uint64_t now, const char *name,
                        uint16_t port, uint32_t attempt_delay_ms, int tmpl);

/*
 * The outcome: 0 with *conn (an ESTABLISHED TCP handle, now the caller's)
 * and *peer (the address that won; either pointer may be NULL),
 * SYNACK_ERR_AGAIN while trying, or the error: when every attempt failed,
 * that of the last attempt started (REFUSED, TIMEOUT, UNREACHABLE, ...);
 * when no address was found, the DNS error (NOTFOUND, TIMEOUT, ...).
 * Errors: BADF.
 */
int synack_connect_name_result(synack_stack *s, uint64_t now, int h, int *conn,
                               synack_addr *peer);

/*
 * Attempts started so far (each address tried counts once); for tools
 * and tests. Errors: BADF.
 */
int synack_connect_name_attempts(const synack_stack *s, int h);

/*
 * Release the handle: attempts still running are aborted, and so is a
 * winner that synack_connect_name_result has not handed out.
 */
void synack_connect_name_close(synack_stack *s, uint64_t now, int h);

#ifdef __cplusplus
}
#endif

#endif /* SYNACK_SYNACK_H */
