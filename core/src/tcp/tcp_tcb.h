/*
 * TCP internals shared by the tcp_*.c files: the transmission control block
 * (RFC 9293 section 3.3.1), sequence-number arithmetic (RFC 9293 3.4,
 * RFC 1982 style), and the functions one file calls in another.
 *
 * Ownership of a TCB. Every TCB has a handle slot from the moment it exists
 * (embryonic children of a listener included), so trace events can name it.
 * F_USER says the application holds the handle; a TCB without it (closed by
 * the application, or a child not yet accepted) is freed as soon as it
 * reaches CLOSED, or when TIME-WAIT ends.
 *
 * Sequence layout of the send side once the SYN is acknowledged:
 *   snd_una .. snd_una + snd.len   bytes in the send ring (offset 0 = snd_una)
 *   snd_nxt                        next sequence number to send (rewound to
 *                                  snd_una by an RTO: go-back-N)
 *   snd_max                        highest sequence number sent + 1
 *   snd_fin                        sequence number of our FIN (F_FIN_SENT)
 * The receive ring holds the in-order bytes the application has not read;
 * out-of-order data is placed after them with synack_ring_write_at() and
 * tracked by the assembler at offsets relative to rcv_nxt.
 */
#ifndef SYNACK_TCP_TCB_H
#define SYNACK_TCP_TCB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "net/stack.h"
#include "tcp/tcp.h"
#include "tcp/cc.h"
#include "util/assembler.h"
#include "util/ring.h"

/* ---- constants ----------------------------------------------------------- */

/* Default send MSS when the peer sends no MSS option (RFC 9293 3.7.1). */
#define SYNACK_TCP_DEFAULT_MSS 536u
/*
 * Smallest send MSS we accept from a peer (Linux's TCP_MIN_MSS is 88 too):
 * an MSS option of 0 or 1 must never turn a window into a segment storm.
 * On a link whose MTU is below 128 the link's own limit (MTU - 40) wins.
 */
#define SYNACK_TCP_MIN_MSS 88u
/* Largest window-scale shift (RFC 7323 2.3). */
#define SYNACK_TCP_MAX_WS 14u
/* Longest delayed-ACK timer, ms (RFC 1122 4.2.3.2: under 0.5 s). */
#define SYNACK_TCP_MAX_DELACK 499u
/* With link.ack_per_burst, unacknowledged bytes of one burst that send
   the ACK at once (what one GRO packet of Linux covers). */
#define SYNACK_TCP_BURST_ACK_MAX 65536u
/* Duplicate-ACK threshold (RFC 5681 3.2, RFC 6675 DupThresh). */
#define SYNACK_TCP_DUPTHRESH 3u
/* Blocks kept in the SACK scoreboard (further blocks are ignored). */
#define SYNACK_TCP_SB_MAX 32u
/* Limit on segments one output call may emit (a safety bound only). */
#define SYNACK_TCP_MAX_BURST 65536u
/* Receive buffer limit: 65535 << 14. */
#define SYNACK_TCP_MAX_BUF (1u << 30)
#define SYNACK_TCP_MIN_BUF 256u
/*
 * A listener checks SYN cookies only this long after it last sent one
 * (Linux: TCP_SYNCOOKIE_VALID, 2 min): the longest a cookie lives (two
 * 64-second periods, tcp_isn.c), so every cookie sent can still complete,
 * while without a SYN flood an ACK cannot guess its way in.
 */
#define SYNACK_TCP_COOKIE_WINDOW_MS 128000u
/*
 * At most one ACK per this many ms in reply to segments that are out of
 * the window or rejected by PAWS (RFC 9293 3.10.7.4 first, RFC 7323 5.3),
 * per connection, as Linux's tcp_invalid_ratelimit (500 ms): one ACK per
 * bogus segment would let a forged stream reflect ACKs, and two stacks
 * that disagree about the window would ping-pong ACKs forever. Segments
 * with data (no SYN) are always answered: their ACK may have been lost.
 */
#define SYNACK_TCP_INVALID_ACK_MS 500u
/* "No timer" deadline. */
#define SYNACK_TCP_NEVER UINT64_MAX
/* Number of timers (synack_timer_name values). */
#define SYNACK_TCP_NTIMERS 7

/* TCB flags (tcb->fl). */
enum {
    SYNACK_TF_USER = 1u << 0,       /* the application holds the handle */
    SYNACK_TF_PASSIVE = 1u << 1,    /* created by a listener */
    SYNACK_TF_ACCEPTQ = 1u << 2,    /* waiting in the listener's accept queue */
    SYNACK_TF_CONNECTED = 1u << 3,  /* reached ESTABLISHED once (sticky) */
    SYNACK_TF_STARTED = 1u << 4,    /* connect() or listen() was called */
    SYNACK_TF_SHUT_WR = 1u << 5,    /* application shut the send side: FIN after data */
    SYNACK_TF_FIN_SENT = 1u << 6,   /* our FIN went out once (snd_fin valid) */
    SYNACK_TF_RCV_FIN = 1u << 7,    /* peer's FIN received in order */
    SYNACK_TF_OOO_FIN = 1u << 8,    /* peer's FIN seen beyond a hole (rcv_fin) */
    SYNACK_TF_WS = 1u << 9,         /* window scaling negotiated */
    SYNACK_TF_SACK = 1u << 10,      /* SACK-permitted negotiated */
    SYNACK_TF_TS = 1u << 11,        /* timestamps negotiated */
    SYNACK_TF_NODELAY = 1u << 12,   /* Nagle off */
    SYNACK_TF_KEEPALIVE = 1u << 13, /* keepalive on */
    SYNACK_TF_ACK_NOW = 1u << 14,   /* an ACK must go out before returning */
    SYNACK_TF_PERSIST = 1u << 15,   /* zero-window probing */
    SYNACK_TF_PROBE_OUT = 1u << 16, /* a window probe carried the byte at snd_max */
    SYNACK_TF_RTT_TIMING = 1u << 17,/* Karn timing of rtt_seq in progress */
    SYNACK_TF_SYN_REXMIT = 1u << 18,/* SYN was retransmitted (RFC 6298 5.7) */
    SYNACK_TF_BOUND = 1u << 19,     /* on the bound-port list */
    SYNACK_TF_RECOVERY = 1u << 20,  /* fast recovery (RFC 6582 / RFC 6675) */
    SYNACK_TF_HASHED = 1u << 21,    /* in the demux hash */
    SYNACK_TF_TW_LIST = 1u << 22,   /* on the TIME-WAIT list */
    SYNACK_TF_RCV_SHUT = 1u << 23,  /* receive side released (close()) */
    SYNACK_TF_RTT_VALID = 1u << 24, /* srtt/rttvar hold a measurement */
    SYNACK_TF_REUSEADDR = 1u << 25, /* bind may share a port with connections */
    SYNACK_TF_DSACK = 1u << 26,     /* a D-SACK block is due (dsack_l/r) */
    SYNACK_TF_V6ONLY = 1u << 27,    /* listener: IPv6 connections only */
};

/* The SACK scoreboard (RFC 6675 section 3), allocated on first use. */
typedef struct synack_tcp_sb {
    uint32_t n;                                /* blocks in use */
    uint32_t sacked;                           /* bytes covered */
    synack_sack_block b[SYNACK_TCP_SB_MAX];    /* sorted, disjoint, > snd_una */
} synack_tcp_sb;

/* RACK (RFC 8985) sent-segment record flags (synack_rack_seg.fl). */
enum {
    SYNACK_RS_REXMIT = 1u << 0, /* retransmitted: xmit_ts is the latest send */
    SYNACK_RS_LOST = 1u << 1,   /* marked lost and not resent since */
    SYNACK_RS_SACKED = 1u << 2, /* selectively acknowledged */
};

/* One transmission: [start, end) last sent at xmit_ts (ms, low 32 bits). */
typedef struct synack_rack_seg {
    uint32_t start, end, xmit_ts, fl;
} synack_rack_seg;

/* Record ring bounds (16 bytes a record: 256 B to 128 KiB). */
#define SYNACK_TCP_RACK_MIN_CAP 16u
#define SYNACK_TCP_RACK_MAX_CAP 8192u

/* RACK state flags (synack_tcp_rack.fl). */
enum {
    SYNACK_RK_VALID = 1u << 0,       /* xmit_ts/end_seq/rtt hold a delivery */
    SYNACK_RK_REORDER = 1u << 1,     /* RACK.reordering_seen */
    SYNACK_RK_DSACK_ROUND = 1u << 2, /* dsack_round is set */
    SYNACK_RK_TLP_OUT = 1u << 3,     /* a TLP episode is open (TLP.end_seq) */
    SYNACK_RK_TLP_REXMIT = 1u << 4,  /* TLP.is_retrans */
    SYNACK_RK_ADVANCED = 1u << 5,    /* this ACK moved SND.UNA (transient) */
};

/*
 * RACK-TLP state (RFC 8985 5.2), allocated on the first send of a
 * connection that negotiated SACK; the record ring (sequence order,
 * disjoint) is allocated and grown on demand and freed when the flight
 * drains.
 */
typedef struct synack_tcp_rack {
    synack_rack_seg *r;
    uint32_t head, n, cap;    /* ring of records; cap a power of two or 0 */
    uint32_t rexmit_high;     /* records above this were never resent */
    uint32_t xmit_ts, end_seq, rtt; /* RACK.xmit_ts, RACK.end_seq, RACK.rtt (ms) */
    uint32_t min_rtt;         /* RACK.min_RTT, ms (UINT32_MAX: none yet) */
    uint32_t fack;            /* RACK.fack */
    uint32_t dsack_round;     /* RACK.dsack_round */
    uint32_t cut_ts;          /* ms of the last congestion response */
    uint32_t tlp_start, tlp_end; /* the probe's first sequence number, TLP.end_seq */
    uint32_t tlp_probes, dsacks; /* counts, for tests and traces */
    uint16_t fl;              /* SYNACK_RK_* */
    uint8_t reo_wnd_mult, reo_wnd_persist;
} synack_tcp_rack;

/*
 * Cold state of a connection: what only out-of-order or duplicate data,
 * loss recovery without RACK, anomalies (challenge ACKs, invalid
 * segments) or a TIME-WAIT reopening need. Allocated on first need (synack_tcb_cold) and freed with the TCB,
 * so an idle connection does not carry it (the 512-byte budget per idle
 * connection). When the allocation fails each user degrades safely:
 *   - SACK blocks go out in sequence order, not most recent first
 *     (RFC 2018 4 asks for the order as a SHOULD; the blocks stay exact);
 *   - no D-SACK block is reported (RFC 2883 is advisory for the peer);
 *   - the challenge ACK or the ACK to an invalid segment (no data) is not
 *     sent, as if the rate limit had been reached (counted the same way);
 *   - the SYN that would reopen TIME-WAIT is dropped (counted), and
 *     TIME-WAIT stays;
 *   - a FIN beyond a hole is not remembered: it is not acknowledged and
 *     the peer sends it again (RFC 9293 3.10.7.4 eighth lets a receiver
 *     process only in-order FINs);
 *   - an RFC 6675 recovery without RACK makes no rescue retransmission
 *     (NextSeg rule 4 is a MAY; the retransmission timer covers the tail).
 */
typedef struct synack_tcp_cold {
    /*
     * A SYN that reopened TIME-WAIT (RFC 1122 4.2.2.13): the child in
     * SYN-RECEIVED and the TIME-WAIT TCB, out of the demux hash, point at
     * each other until the handshake completes (TIME-WAIT is closed) or
     * fails (TIME-WAIT goes back into the hash). Freeing either clears it.
     */
    synack_tcb *twin;
    uint32_t sack_recent[4]; /* left edges of recently received OOO data */
    uint32_t dsack_l, dsack_r; /* duplicate to report (RFC 2883), SYNACK_TF_DSACK */
    uint32_t rcv_fin;    /* peer's FIN beyond a hole (SYNACK_TF_OOO_FIN) */
    uint32_t rescue_rxt; /* RFC 6675 RescueRxt (snd_una at entry; SACK
                            recovery without RACK) */
    uint32_t chal_time;  /* second of the challenge-ACK budget */
    uint32_t oow_ack_at; /* ms (low 32 bits, 0 = never) of the last ACK to
                            an invalid segment */
    uint16_t sack_recent_n;
    uint16_t chal_count; /* challenge ACKs in the current second */
    /* The SACK scoreboard (tcp_sack.c), allocated when the peer first
     * reports SACK blocks: part of a loss episode, like the rest. */
    synack_tcp_sb *sb;
    /* Retransmissions (synack_tcp_info): counted from the first one on;
     * without memory for this block they go uncounted here (the stack's
     * counters still have them). */
    uint64_t rexmit_segs, rexmit_bytes;
} synack_tcp_cold;

/*
 * A transmission control block. Its size is state per idle connection:
 * keep it at or below SYNACK_TCB_MAX_64 bytes on 64-bit targets (checked
 * below and by test_tcp_tcb_size); rarely needed state goes to `cold`,
 * fields are ordered by size (one byte of padding on 64-bit).
 */
struct synack_tcb {
    synack_tcb *hnext;  /* demux hash chain */
    /*
     * List links, by role: a child's `parent` is its listener and
     * prev/next link it into the accept queue; a listener or bound socket
     * is on the bound list; a TIME-WAIT TCB is on the TIME-WAIT list.
     */
    synack_tcb *parent, *prev, *next;
    int32_t handle;
    uint32_t heap_idx;  /* timer heap position, UINT32_MAX when absent */
    uint32_t fl;        /* SYNACK_TF_* */
    uint8_t state;      /* synack_tcp_state */
    int8_t err;         /* sticky error */
    int8_t soft_err;    /* ICMP soft error, reported on time-out */
    uint8_t snd_ws, rcv_ws;
    uint8_t nrexmit;    /* consecutive retransmission time-outs */
    uint8_t npersist;   /* persist backoff */
    uint8_t nkeep;      /* keepalive probes without answer */
    uint8_t nprobe;     /* zero-window probes without answer */
    uint8_t keep_cnt;
    uint8_t cc_algo;
    uint16_t dupacks;
    uint16_t lport, rport;
    uint16_t snd_mss;   /* peer's MSS, clamped: payload + options per segment */
    uint16_t adv_mss;   /* MSS we announced */
    uint16_t rcv_mss;   /* largest segment seen from the peer */

    synack_addr laddr, raddr;
    uint16_t peer_mss;  /* MSS the peer announced (or the default): what a
                           path MTU that ages out raises snd_mss back to
                           (fills the padding before iss: no growth) */

    /* send sequence variables (RFC 9293 3.3.1) */
    uint32_t iss, snd_una, snd_nxt, snd_max, snd_wnd, snd_wl1, snd_wl2;
    uint32_t max_sndwnd, snd_fin;
    uint32_t snd_sml;   /* end of the last small segment sent (Minshall) */
    uint32_t recover;   /* RFC 6582 recover / RFC 6675 RecoveryPoint */
    uint32_t high_rxt;  /* RFC 6675 HighRxt */
    uint32_t rtt_seq, rtt_start;
    /* receive sequence variables */
    uint32_t irs, rcv_nxt, rcv_adv, last_ack_sent;
    uint32_t ack_pending; /* bytes received since the last ACK we sent */
    /* timestamps (RFC 7323) */
    uint32_t ts_recent, ts_recent_at, ts_offset;
    /* RTO (RFC 6298): srtt in 1/8 ms, rttvar in 1/4 ms, rto in ms */
    uint32_t srtt8, rttvar4, rto;
    uint32_t last_rcv;   /* ms (low 32 bits) of the last segment received */
    /* per-socket options */
    uint32_t sndbuf, rcvbuf, rto_min, rto_max, delack_ms, msl_ms;
    uint32_t keep_idle, keep_intvl;

    uint64_t tkey;                       /* min of tm[] (timer heap key) */
    uint64_t tm[SYNACK_TCP_NTIMERS];     /* deadlines by synack_timer_name */
    union {
        synack_cc cc;                    /* a connection's congestion control */
        struct {                         /* a listener's queues */
            uint32_t backlog, syn_len, acc_len;
            synack_tcb *acc_head, *acc_tail;
            uint64_t cookies_until; /* cookie ACKs checked before this (ms) */
        };
    };
    /* Buffers that grow with need (tcp_mem.c): snd.limit is the send buffer
       the application may fill now, rcv.limit the receive buffer the window
       is offered from; sndbuf/rcvbuf are the most they grow to. The
       receive-autotuning state lives behind the receive ring's storage. */
    synack_ring snd, rcv;
    synack_assembler ooo;
    synack_tcp_rack *rack;
    synack_tcp_cold *cold; /* NULL until needed (synack_tcb_cold) */
    uint64_t bytes_sent, bytes_received;
};

/* The SACK scoreboard, NULL until the peer sent SACK blocks. */
static inline synack_tcp_sb *synack_tcb_sb(const synack_tcb *t)
{
    return t->cold ? t->cold->sb : NULL;
}

/*
 * Bound on sizeof(struct synack_tcb) with 64-bit pointers: with its share
 * of the handle table, demux hash and timer heap an idle connection must
 * stay within 512 bytes (README, Scale). ILP32 (wasm32) is smaller still.
 */
#define SYNACK_TCB_MAX_64 512u
_Static_assert(sizeof(void *) != 8 || sizeof(struct synack_tcb) <= SYNACK_TCB_MAX_64,
               "struct synack_tcb grew beyond its per-connection budget");

/* State of the whole TCP layer beyond synack_tcp (s->tcp.priv). */
typedef struct synack_tcp_priv {
    synack_tcb **buckets;   /* demux hash, power-of-two size */
    synack_tcb *last;       /* last connection found (bulk transfers skip the hash) */
    uint32_t nbuckets, nhashed;
    synack_tcb **heap;      /* timer min-heap on tkey */
    uint32_t heap_len, heap_cap;
    int32_t *free_h;        /* free handle stack */
    uint32_t nfree;
    synack_tcb *bound;      /* listeners and bound, unconnected sockets */
    synack_tcb *tw_head, *tw_tail; /* TIME-WAIT, oldest first */
    uint32_t next_ephemeral; /* RFC 6056 algorithm 3 counter */
    uint64_t mem_used;      /* buffer memory held (cfg.tcp.mem_max budget) */
} synack_tcp_priv;

/* ---- sequence numbers (modulo 2^32) -------------------------------------- */

static inline bool synack_seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool synack_seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }
static inline bool synack_seq_gt(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }
static inline bool synack_seq_ge(uint32_t a, uint32_t b) { return (int32_t)(a - b) >= 0; }
static inline uint32_t synack_seq_max(uint32_t a, uint32_t b) { return synack_seq_gt(a, b) ? a : b; }
static inline uint32_t synack_seq_min(uint32_t a, uint32_t b) { return synack_seq_lt(a, b) ? a : b; }

static inline synack_tcp_priv *synack_tcp_priv_of(const synack_stack *s)
{
    return (synack_tcp_priv *)s->tcp.priv;
}

static inline bool synack_tcb_synchronized(const synack_tcb *t)
{
    return t->state >= SYNACK_TCP_ESTABLISHED;
}

/* Sequence number just past the last queued data byte (SYN acknowledged). */
static inline uint32_t synack_tcb_data_end(const synack_tcb *t)
{
    return t->snd_una + t->snd.len;
}

/* Our timestamp clock (RFC 7323 5.4: 1 ms ticks, per-connection offset). */
static inline uint32_t synack_tcb_ts_now(const synack_tcb *t, uint64_t now)
{
    return (uint32_t)now + t->ts_offset;
}

/* ---- tcp_api.c / tcp_table.c: TCBs, handles, demux ------------------------ */

/* A new TCB with a handle and the stack's TCP defaults, or NULL (limit/NOMEM). */
synack_tcb *synack_tcb_new(synack_stack *s, uint64_t now);
/* Unlink a TCB from every table, free its buffers and its handle. */
void synack_tcb_free(synack_stack *s, synack_tcb *t);
/* The TCB's cold state, allocated (zeroed) on first call; NULL on NOMEM. */
synack_tcp_cold *synack_tcb_cold(synack_stack *s, synack_tcb *t);
/* Free the SACK scoreboard (if any); the cold block stays. */
void synack_tcb_sb_free(synack_stack *s, synack_tcb *t);
/* The TIME-WAIT twin of a reopening child, or the child of a TIME-WAIT
   TCB (synack_tcp_cold.twin); NULL when none. */
static inline synack_tcb *synack_tcb_twin(const synack_tcb *t)
{
    return t->cold ? t->cold->twin : NULL;
}
/* The TCB of a handle, or NULL. */
synack_tcb *synack_tcb_get(const synack_stack *s, int h);
/* Demux: the connection for a 4-tuple, or NULL. */
/* Write laddr then raddr as on the wire (4 bytes each for IPv4, 16 for
 * IPv6) into k, for the keyed hashes; returns the bytes written. */
static inline size_t synack_tcp_put_addrs(uint8_t *k, const synack_addr *laddr,
                                          const synack_addr *raddr)
{
    size_t n = laddr->family == SYNACK_AF_IP6 ? 16 : 4;
    memcpy(k, laddr->b, n);
    memcpy(k + n, raddr->b, n);
    return 2 * n;
}

synack_tcb *synack_tcb_lookup(const synack_stack *s, const synack_addr *laddr,
                              uint16_t lport, const synack_addr *raddr, uint16_t rport);
/* Put a connection with its 4-tuple set into the demux hash (0 or NOMEM). */
int synack_tcb_hash_insert(synack_stack *s, synack_tcb *t);
void synack_tcb_hash_remove(synack_stack *s, synack_tcb *t);
/* The listener bound to lport, or NULL. */
synack_tcb *synack_tcb_find_listener(const synack_stack *s, uint16_t lport);
/* Whether a listener or a bound socket holds lport. */
bool synack_tcb_port_bound(const synack_stack *s, uint16_t lport);
/* True when a connection (any state, TIME-WAIT included) uses lport. */
bool synack_tcb_port_used(const synack_stack *s, uint16_t lport);
void synack_tcb_bound_add(synack_stack *s, synack_tcb *t);
void synack_tcb_bound_remove(synack_stack *s, synack_tcb *t);
/* TIME-WAIT list (reclaimed oldest first when the connection limit is hit). */
void synack_tcb_tw_add(synack_stack *s, synack_tcb *t);
void synack_tcb_tw_remove(synack_stack *s, synack_tcb *t);
/* Release buffers that a state no longer needs. */
void synack_tcb_release_snd(synack_stack *s, synack_tcb *t);
void synack_tcb_release_rcv(synack_stack *s, synack_tcb *t);
/* Free the TCB if it is CLOSED and nobody holds its handle. */
void synack_tcb_reap(synack_stack *s, synack_tcb *t);

/* ---- tcp_mem.c: buffers that grow with need, the memory budget ---------- */

/*
 * Buffer memory (rings, out-of-order ranges) charged to cfg.tcp.mem_max:
 * NULL when it would exceed the budget or the allocator fails. Ring
 * storage is not zeroed (`zero` false); structures are.
 */
void *synack_tcp_buf_alloc(synack_stack *s, uint32_t size, bool zero);
void synack_tcp_buf_free(synack_stack *s, void *p, uint32_t size);
/* The budget is 3/4 spent: buffers stop growing, less new window. */
bool synack_tcp_mem_pressure(const synack_stack *s);
/* Starting sizes (snd.limit, rcv.limit) after sndbuf/rcvbuf were set. */
void synack_tcb_bufs_init(synack_tcb *t);
/* Free a ring's storage (rcv: with the autotuning state); keeps limit. */
void synack_tcb_ring_free(synack_stack *s, synack_tcb *t, synack_ring *r);
/*
 * The receive buffer the window may be offered from: rcv.limit, but no
 * more than the ring can grow to within the budget, and under pressure no
 * more than it holds (at least four segments, so a reader keeps going).
 */
uint32_t synack_tcb_rcv_reach(const synack_stack *s, const synack_tcb *t);
/* All sent data acknowledged: under pressure the send ring goes back. */
void synack_tcb_snd_drained(synack_stack *s, synack_tcb *t);
/*
 * Make the receive ring hold `end` bytes from its read position (unread
 * bytes, then the window). Out-of-order data is freed (counted) to make
 * room for in-order data (`in_order`) when the budget is spent. False
 * when there is no memory: the caller drops the segment.
 */
bool synack_tcb_rcv_reserve(synack_stack *s, synack_tcb *t, uint32_t end,
                            bool in_order);
/*
 * Room in the send ring for up to `want` more bytes, growing snd.limit
 * when the application is limited by it (like Linux's tcp_sndbuf_expand)
 * and the ring within it. Returns the room (0: none; NOMEM is the caller's
 * call when the ring is empty).
 */
uint32_t synack_tcb_snd_reserve(synack_stack *s, synack_tcb *t, uint32_t want);
/* Whether a send would queue something now (room, or room to grow). */
bool synack_tcb_snd_writable(const synack_stack *s, const synack_tcb *t);
/* Receiver-side RTT from an in-order data segment (RFC 7323 TSecr, or the
   time to receive a window's worth). */
void synack_tcp_rcv_rtt_sample(const synack_tcb *t, uint64_t now,
                               const synack_tcp_repr *seg, uint32_t len);
/* After the application read: autotune rcv.limit (DRS), and give memory
   back under pressure. */
void synack_tcp_rcv_space_adjust(synack_stack *s, uint64_t now, synack_tcb *t);

/* ---- tcp_state (tcp_api.c) ----------------------------------------------- */

/* Change state (traces `state`), with the bookkeeping each state needs. */
void synack_tcb_set_state(synack_stack *s, uint64_t now, synack_tcb *t,
                          synack_tcp_state to);
/* Enter CLOSED with a sticky error (0 for none); traces `error`. */
void synack_tcb_close_with(synack_stack *s, uint64_t now, synack_tcb *t, int err);
/*
 * Before a SYN or SYN-ACK: our MSS (MTU - 40), receive window scale (when
 * SYNACK_TF_WS is set) and the congestion controller.
 */
void synack_tcp_conn_prepare(synack_stack *s, synack_tcb *t);
/* Connection became ESTABLISHED: sizes, congestion control, accept queue. */
void synack_tcb_established(synack_stack *s, uint64_t now, synack_tcb *t);

/* ---- tcp_isn.c ----------------------------------------------------------- */

/* RFC 6528 ISN and the RFC 7323 timestamp offset of a 4-tuple. */
uint32_t synack_tcp_isn(const synack_stack *s, uint64_t now, const synack_addr *laddr,
                        uint16_t lport, const synack_addr *raddr, uint16_t rport,
                        uint32_t *ts_offset);
/* RFC 6056 algorithm 3: pick a free ephemeral port for raddr:rport. */
int synack_tcp_ephemeral_port(synack_stack *s, const synack_addr *laddr,
                              const synack_addr *raddr, uint16_t rport, uint16_t *out);
/* RFC 4987 SYN cookie for a SYN (the ISS of the SYN-ACK). */
uint32_t synack_tcp_cookie_make(const synack_stack *s, uint64_t now,
                                const synack_ip_rx *ip,
                                const synack_tcp_repr *syn, uint16_t *mss_out);
/* Check the cookie echoed in an ACK; returns the MSS it encodes or 0. */
uint16_t synack_tcp_cookie_check(const synack_stack *s, uint64_t now,
                                 const synack_ip_rx *ip,
                                 const synack_tcp_repr *ack);

/* ---- tcp_output.c -------------------------------------------------------- */

/* Send whatever the windows allow and any pending ACK. */
void synack_tcp_output(synack_stack *s, uint64_t now, synack_tcb *t);
/* Send a pure ACK now. */
void synack_tcp_send_ack(synack_stack *s, uint64_t now, synack_tcb *t);
/* Send our SYN (SYN-SENT) or SYN-ACK (SYN-RECEIVED). */
void synack_tcp_send_syn(synack_stack *s, uint64_t now, synack_tcb *t, bool rexmit);
/* Send RST for a TCB: <SEQ=snd_max><CTL=RST>. */
void synack_tcp_send_rst(synack_stack *s, uint64_t now, synack_tcb *t);
/*
 * Reply with RST to a segment that has no connection (RFC 9293 3.10.7.1):
 * <SEQ=SEG.ACK><CTL=RST> or <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>.
 */
void synack_tcp_reply_rst(synack_stack *s, uint64_t now, const synack_ip_rx *ip,
                          const synack_tcp_repr *seg);
/* A SYN-ACK for a SYN cookie (no TCB); rcvbuf is the listener's. */
void synack_tcp_send_cookie_synack(synack_stack *s, uint64_t now,
                                   const synack_ip_rx *ip,
                                   const synack_tcp_repr *syn, uint32_t iss,
                                   uint32_t rcvbuf);
/* Resend [seq, seq + len) (a FIN when it reaches the end of the data). */
void synack_tcp_resend(synack_stack *s, uint64_t now, synack_tcb *t, uint32_t seq,
                       uint32_t len);
/* Send one segment of new data ignoring cwnd and Nagle (a TLP); 0: none. */
uint32_t synack_tcp_send_new(synack_stack *s, uint64_t now, synack_tcb *t);
/* Retransmit one segment at snd_una (fast retransmit / NewReno partial ACK). */
void synack_tcp_retransmit_head(synack_stack *s, uint64_t now, synack_tcb *t);
/* Send a zero-window probe or force out what the window allows (persist). */
void synack_tcp_send_probe(synack_stack *s, uint64_t now, synack_tcb *t);
/* Keepalive probe <SEQ=SND.UNA-1><ACK=RCV.NXT> (RFC 9293 3.8.4). */
void synack_tcp_send_keepalive(synack_stack *s, uint64_t now, synack_tcb *t);
/* The receive window to announce now, in bytes (SWS-avoided, never
   shrinking; under memory pressure no more than the ring holds). */
uint32_t synack_tcp_rcv_window(const synack_stack *s, const synack_tcb *t);
/* Window update after the application read: send one if it grew enough. */
void synack_tcp_window_update(synack_stack *s, uint64_t now, synack_tcb *t);
/*
 * Answer a segment dropped as out of window or by PAWS with an ACK,
 * rate-limited by SYNACK_TCP_INVALID_ACK_MS unless it carries data.
 */
void synack_tcp_invalid_ack(synack_stack *s, uint64_t now, synack_tcb *t,
                            const synack_tcp_repr *seg);
/* Send a challenge ACK, rate-limited (RFC 5961 section 7). */
void synack_tcp_challenge_ack(synack_stack *s, uint64_t now, synack_tcb *t);
/* Effective payload per segment given our options (RFC 6691); inline:
   it is asked several times per segment. */
static inline uint32_t synack_tcp_maxseg(const synack_tcb *t)
{
    uint32_t opt = (t->fl & SYNACK_TF_TS) ? 12u : 0u;
    return t->snd_mss > opt ? t->snd_mss - opt : 1u;
}

/* ---- tcp_input.c / tcp_ack.c / tcp_rcv.c --------------------------------- */

/* Process a segment for an existing TCB (RFC 9293 3.10.7.3 / 3.10.7.4). */
void synack_tcp_segment(synack_stack *s, uint64_t now, synack_tcb *t,
                        const synack_ip_rx *ip, synack_tcp_repr *seg);
/*
 * The ACK field of a synchronized-state segment (RFC 9293 3.10.7.4 fifth).
 * Returns false when the segment must be dropped.
 */
bool synack_tcp_ack_process(synack_stack *s, uint64_t now, synack_tcb *t,
                            const synack_tcp_repr *seg);
/* Segment text and FIN (RFC 9293 3.10.7.4 seventh and eighth). */
void synack_tcp_rcv_text(synack_stack *s, uint64_t now, synack_tcb *t,
                         const synack_tcp_repr *seg, uint32_t seq,
                         const uint8_t *data, uint32_t len, bool fin);
/* Apply the peer's SYN options (MSS, WS, SACK-permitted, TS). */
void synack_tcp_apply_syn_options(synack_stack *s, synack_tcb *t,
                                  const synack_tcp_repr *syn);
/*
 * Enter fast recovery (RFC 5681 3.2, RFC 6582 3.2, RFC 6675 5): recover,
 * the congestion response, and the head resent when rexmit_head (RACK
 * leaves that to NextSeg over what it marked lost).
 */
void synack_tcp_enter_recovery(synack_stack *s, uint64_t now, synack_tcb *t,
                               bool rexmit_head);
/* Feed an RTT sample in ms (RFC 6298 2.2/2.3). */
void synack_tcp_rtt_sample(synack_tcb *t, uint32_t rtt_ms);
/* Current RTO (ms) from srtt/rttvar, clamped. */
uint32_t synack_tcp_rto_calc(const synack_tcb *t);

/* ---- tcp_listen.c -------------------------------------------------------- */

/* A segment for a listener (RFC 9293 3.10.7.2), SYN cookies included. */
void synack_tcp_listen_input(synack_stack *s, uint64_t now, synack_tcb *l,
                             const synack_ip_rx *ip, synack_tcp_repr *seg);
/*
 * A SYN that may reopen the TIME-WAIT connection tw (RFC 6191): a child of
 * l with an ISS above tw's SND.MAX, tw parked as its twin. Returns false,
 * with the SYN counted as dropped and tw untouched, when no child can be
 * made (queues full, connection limit, memory).
 */
bool synack_tcp_listen_reopen(synack_stack *s, uint64_t now, synack_tcb *l,
                              synack_tcb *tw, const synack_ip_rx *ip,
                              synack_tcp_repr *seg);
/* A child reached ESTABLISHED: move it to the accept queue. */
void synack_tcp_listen_child_ready(synack_stack *s, synack_tcb *c);
/* A child is going away: unlink it from its listener. */
void synack_tcp_listen_child_gone(synack_stack *s, synack_tcb *c);
/* Close a listener: abort every child. */
void synack_tcp_listen_close(synack_stack *s, uint64_t now, synack_tcb *l);

/* ---- tcp_sack.c ---------------------------------------------------------- */

/* Merge received SACK blocks; returns bytes newly SACKed. */
uint32_t synack_tcp_sb_update(synack_stack *s, synack_tcb *t,
                              const synack_tcp_repr *seg);
/* Drop scoreboard data below snd_una. */
void synack_tcp_sb_advance(synack_tcb *t);
void synack_tcp_sb_clear(synack_tcb *t);
/* RFC 6675 IsLost(snd_una): enough SACKed above the first hole. */
bool synack_tcp_sb_head_lost(const synack_tcb *t);
/* RFC 6675 SetPipe(). */
uint32_t synack_tcp_sb_pipe(const synack_tcb *t);
/*
 * RFC 6675 NextSeg() rules (1) and (3): the next hole to retransmit at or
 * above high_rxt; `rescue` allows holes that are not yet lost. Returns false
 * when there is none; else *seq and *len (len <= maxseg).
 */
bool synack_tcp_sb_next_hole(const synack_tcb *t, uint32_t maxseg, bool rescue,
                             uint32_t *seq, uint32_t *len);
/*
 * RFC 6675 NextSeg() rule (4), the rescue retransmission: the segment of at
 * most maxseg octets ending at the highest unSACKed octet below snd_max.
 * False when everything outstanding is SACKed.
 */
bool synack_tcp_sb_rescue(const synack_tcb *t, uint32_t maxseg, uint32_t *seq,
                          uint32_t *len);
/* If seq lies in a SACKed block, the block's right edge; else seq. */
uint32_t synack_tcp_sb_skip(const synack_tcb *t, uint32_t seq);
/* SACK blocks we send (RFC 2018 section 4): most recent first. */
uint8_t synack_tcp_sack_blocks(const synack_tcb *t, synack_sack_block *out,
                               uint8_t max);
/* Remember that OOO data starting at seq just arrived (for block order). */
void synack_tcp_sack_note(synack_stack *s, synack_tcb *t, uint32_t seq);
/*
 * RFC 2883: [l, r) arrived again (below rcv_nxt, or inside held
 * out-of-order data); the next ACK reports it as a D-SACK block.
 */
void synack_tcp_dsack_note(synack_stack *s, synack_tcb *t, uint32_t l, uint32_t r);
/* Whether [off, off + len) (relative to rcv_nxt) is all held out of order. */
bool synack_tcp_ooo_holds(const synack_tcb *t, uint32_t off, uint32_t len);

/* ---- tcp_rack.c: RACK-TLP (RFC 8985) ------------------------------------- */

/* Allocate the RACK state (SACK negotiated only); false otherwise or NOMEM. */
bool synack_rack_init(synack_stack *s, synack_tcb *t);
void synack_rack_free(synack_stack *s, synack_tcb *t);
/* [seq, end) went out at now (new data, or a retransmission). */
void synack_rack_on_send(synack_stack *s, uint64_t now, synack_tcb *t,
                         uint32_t seq, uint32_t end, bool rexmit);
/*
 * An acceptable ACK, before snd_una moves: deliveries (RACK.xmit_ts, rtt,
 * min_RTT, reordering), D-SACK (RFC 2883) and the TLP episode.
 */
void synack_rack_on_ack(synack_stack *s, uint64_t now, synack_tcb *t,
                        const synack_tcp_repr *seg, uint32_t newly_sacked);
/* After the ACK: loss detection, recovery entry, the rack and tlp timers. */
void synack_rack_after_ack(synack_stack *s, uint64_t now, synack_tcb *t);
/* Expiry of the reordering timer (SYNACK_TIMER_RACK). */
void synack_rack_on_timer(synack_stack *s, uint64_t now, synack_tcb *t);
/* Expiry of the probe timeout (SYNACK_TIMER_TLP): send the probe. */
void synack_rack_on_tlp_timer(synack_stack *s, uint64_t now, synack_tcb *t);
/* (Re)arm the probe timeout after new data or an ACK (RFC 8985 7.2). */
void synack_rack_tlp_arm(synack_stack *s, uint64_t now, synack_tcb *t);
/* Fast recovery ended: the widened reordering window ages. */
void synack_rack_recovery_end(synack_tcb *t);
/* Retransmission timeout: records restart with go-back-N, timers off. */
void synack_rack_on_rto(synack_stack *s, synack_tcb *t);
/* RFC 6675 pipe with RACK's losses: outstanding, not SACKed, not lost. */
uint32_t synack_rack_pipe(const synack_tcb *t);
/* NextSeg rule (1) with RACK: the first piece marked lost. */
bool synack_rack_next_lost(const synack_tcb *t, uint32_t maxseg, uint32_t *seq,
                           uint32_t *len);

/* ---- tcp_timer.c --------------------------------------------------------- */

/* Set (at != NEVER) or clear a timer, keeping the heap and traces. */
void synack_tcp_timer_set(synack_stack *s, synack_tcb *t, synack_timer_name n,
                          uint64_t at);
static inline void synack_tcp_timer_clear(synack_stack *s, synack_tcb *t,
                                          synack_timer_name n)
{
    synack_tcp_timer_set(s, t, n, SYNACK_TCP_NEVER);
}
/* Clear every timer and leave the heap. */
void synack_tcp_timer_clear_all(synack_stack *s, synack_tcb *t);
/* Grow the heap to hold `cap` TCBs (false on NOMEM). */
bool synack_tcp_heap_reserve(synack_stack *s, uint32_t cap);
/* (Re)arm the retransmission timer at now + rto (backed off). */
void synack_tcp_rexmit_arm(synack_stack *s, uint64_t now, synack_tcb *t);
/* Arm the persist timer with its backoff. */
void synack_tcp_persist_arm(synack_stack *s, uint64_t now, synack_tcb *t);
/* Arm the keepalive timer from the last segment received. */
void synack_tcp_keepalive_arm(synack_stack *s, uint64_t now, synack_tcb *t);

/* ---- tcp_trace.c --------------------------------------------------------- */

/* Snapshot of what a `win` event reports. */
typedef struct synack_tcp_winsnap {
    uint32_t v[7];
} synack_tcp_winsnap;

void synack_tcp_trace_seg(synack_stack *s, int32_t conn, bool out,
                          const synack_tcp_repr *r, uint32_t len, bool rexmit,
                          uint8_t snd_ws_for_win);
void synack_tcp_trace_state(synack_stack *s, synack_tcb *t, synack_tcp_state from,
                            synack_tcp_state to);
void synack_tcp_trace_cc(synack_stack *s, synack_tcb *t);
void synack_tcp_trace_timer(synack_stack *s, synack_tcb *t, synack_timer_name n,
                            synack_timer_action a, uint64_t at);
void synack_tcp_trace_error(synack_stack *s, synack_tcb *t, int code);
void synack_tcp_win_snap(const synack_tcb *t, synack_tcp_winsnap *w);
/* Emit `win` when the snapshot differs from the current values. */
void synack_tcp_trace_win(synack_stack *s, synack_tcb *t,
                          const synack_tcp_winsnap *before);

#endif
