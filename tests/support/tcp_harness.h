/*
 * Single-stack TCP test harness: the test plays the peer.
 *
 *   stack ("local"): 10.0.0.1, MAC 02:00:00:00:00:01
 *   peer  (the test): 10.0.0.2, MAC 02:00:00:00:00:02
 *
 * send_segment() builds a TCP segment (flags, seq, ack, window, options,
 * payload) wrapped in IPv4 and Ethernet with correct checksums and feeds it
 * to synack_input() at th->now. The stack's outgoing frames are captured
 * from its link; expect_segment() takes the next captured TCP segment,
 * parses it and checks flags, seq, ack, window, options and payload
 * exactly, except the fields named in `.any` (TH_ANY_*). The peer's ARP
 * entry is learned at start-up (the peer sends an ARP request), and any
 * later ARP request from the stack is answered automatically.
 *
 * In a cmocka test:
 *
 *   tcp_harness *th = th_new(NULL);
 *   int h = synack_tcp_open(th->s); ...
 *   expect_segment(th, .flags = SYNACK_TCP_SYN, .any = TH_ANY_SEQ | TH_ANY_OPTS);
 *   send_segment(th, .flags = SYN|ACK, .seq = 1000, .ack = th->last.seq + 1, .win = 65535);
 *   ...
 *   assert_int_equal(th_free(th), 0);   // no leaked bytes
 *
 * The helpers never call cmocka themselves (the support library is built
 * without it): expect_segment is a macro expanded in the test file.
 */
#ifndef TCP_HARNESS_H
#define TCP_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "wire/wire.h"

#define TH_LOCAL_IP SYNACK_IP4(10, 0, 0, 1)
#define TH_PEER_IP SYNACK_IP4(10, 0, 0, 2)
#define TH_PEER_PORT 40000
#define TH_LOCAL_PORT 80

/* Fields expect_segment() does not compare. */
enum {
    TH_ANY_SEQ = 1 << 0,
    TH_ANY_ACK = 1 << 1,
    TH_ANY_WIN = 1 << 2,
    TH_ANY_OPTS = 1 << 3, /* presence and values of all options */
    TH_ANY_TSVAL = 1 << 4,/* only the TSval (presence and TSecr are checked) */
    TH_ANY_LEN = 1 << 5,  /* payload length and contents */
    TH_ANY_DATA = 1 << 6, /* payload contents (length is checked) */
    TH_ANY_SACK = 1 << 7, /* SACK blocks */
    TH_ANY_PSH = 1 << 8,  /* the PSH flag */
    TH_ANY_PORTS = 1 << 9,
};

/* A segment to send or to expect. Ports 0 mean the harness defaults. */
typedef struct th_seg {
    uint16_t sport, dport;
    uint8_t flags;
    uint32_t seq, ack;
    uint16_t win;      /* raw window field */
    uint16_t urg;
    bool has_mss;
    uint16_t mss;
    bool has_ws;
    uint8_t ws;
    bool sack_ok;
    bool has_ts;
    uint32_t tsval, tsecr;
    uint8_t sack_count;
    synack_sack_block sack[4];
    const void *data;
    size_t len;
    uint32_t any;      /* TH_ANY_* (expect only) */
    bool bad_checksum; /* send only: corrupt the TCP checksum */
} th_seg;

/* Options for th_new (NULL = defaults). */
typedef struct th_opts {
    uint32_t mtu;               /* default 1500 */
    uint64_t seed;              /* default 1 */
    uint64_t start_ms;          /* default 1000 */
    void (*tune)(synack_config *cfg); /* adjust the config before creation */
    bool trace;                 /* record trace events */
    bool gso;                   /* send offload: gso_max 65535, GSO packets
                                   checked and captured with the frames */
} th_opts;

#define TH_MAX_FRAMES 4096
#define TH_MAX_EVENTS 4096

typedef struct th_frame {
    uint64_t t;
    size_t len;
    uint8_t *data;
} th_frame;

typedef struct tcp_harness {
    synack_stack *s;
    uint64_t now;
    uint16_t local_port, peer_port;   /* defaults for th_seg ports */
    /* captured frames, FIFO */
    th_frame frames[TH_MAX_FRAMES];
    size_t head, count;
    uint64_t frames_sent;             /* total frames the stack sent */
    /* the last segment taken by th_next / expect_segment */
    synack_tcp_repr last;
    uint8_t last_payload[65536];
    size_t last_len;
    uint32_t stack_iss;               /* seq of the last SYN the stack sent */
    /* trace events (when opts.trace) */
    synack_trace_event events[TH_MAX_EVENTS];
    size_t nevents;
    /* memory accounting */
    size_t mem_in_use, mem_peak, mem_limit;
    th_opts opts;
} tcp_harness;

/* A stack at 10.0.0.1 that knows the peer's MAC. NULL on failure. */
tcp_harness *th_new(const th_opts *opts);

/* Free the stack and the harness; returns the bytes still allocated. */
size_t th_free(tcp_harness *th);

/* Feed a segment from the peer at th->now. */
void th_send(tcp_harness *th, const th_seg *seg);
/*
 * An ACK from the peer (window 65535, sequence number `seq`) acknowledging
 * una + ack_off and carrying n SACK blocks given as offsets from una.
 */
void th_send_sack(tcp_harness *th, uint32_t seq, uint32_t una, uint32_t ack_off,
                  uint8_t n, const uint32_t (*blocks)[2]);

/*
 * Feed raw TCP bytes (header and payload as given) from the peer; the
 * checksum field is filled in when fix_checksum is set.
 */
void th_send_raw(tcp_harness *th, const uint8_t *l4, size_t len, bool fix_checksum);

/*
 * The peer (as a router would) sends ICMP destination unreachable with
 * `code`, quoting the IP header and first 8 octets of the stack's segment
 * with this sequence number (ports from th->local_port / peer_port).
 */
void th_send_icmp_unreach(tcp_harness *th, uint8_t code, uint32_t seq);

/*
 * Take the next captured TCP segment into th->last (payload in
 * th->last_payload). Returns false when none is queued.
 */
bool th_next(tcp_harness *th);

/* Answer and drop the ARP requests at the front of the captured frames
 * (what th_next does on its way); returns how many were answered. The
 * frames behind them stay, unparsed, in th->frames. */
size_t th_answer_arp(tcp_harness *th);

/* Feed an ARP request (to broadcast) or reply (to us) for our address
 * from host spa at sha. */
void th_send_arp_from(tcp_harness *th, uint16_t op, synack_mac sha, synack_ip4 spa);

/* Drop the captured frame at the front (after reading th->frames[th->head]). */
void th_drop_frame(tcp_harness *th);

/* Compare the next segment with *e; on mismatch false with text in err. */
bool th_expect(tcp_harness *th, const th_seg *e, char *err, size_t cap);

/* Captured TCP segments not yet taken. */
size_t th_pending(tcp_harness *th);

/* Drop every captured frame. */
void th_flush(tcp_harness *th);

/* Advance the clock by ms and poll. */
void th_advance(tcp_harness *th, uint64_t ms);

/* Jump to the stack's next deadline (if any, and at most max_ms ahead) and poll. */
bool th_advance_to_deadline(tcp_harness *th, uint64_t max_ms);

/*
 * Step from deadline to deadline (other layers' timers included) until the
 * stack has sent a TCP segment or max_ms have passed. Returns whether one
 * is pending.
 */
bool th_advance_until_segment(tcp_harness *th, uint64_t max_ms);

/* Number of recorded trace events of a kind. */
size_t th_count_events(const tcp_harness *th, synack_trace_kind k);

/* Find the n-th recorded event of a kind, or NULL. */
const synack_trace_event *th_find_event(const tcp_harness *th, synack_trace_kind k,
                                        size_t n);

/*
 * Open a connection actively from the stack (local port chosen by the
 * stack) to the peer port and complete the handshake with the options in
 * *synack (its seq is the peer's ISN; flags/ack filled in). Returns the
 * handle, or a negative value if the exchange went wrong (err explains).
 */
int th_active_open(tcp_harness *th, const th_seg *synack, char *err, size_t cap);

/*
 * Listen on th->local_port, send *syn (flags/ports filled in), expect the
 * SYN-ACK, ACK it, accept. Returns the accepted handle or negative.
 * *listener receives the listening handle.
 */
int th_passive_open(tcp_harness *th, const th_seg *syn, int *listener, char *err,
                    size_t cap);

/*
 * cmocka fixtures (the setup/teardown of a CMUnitTest): th_setup puts a
 * fresh harness with default options in *state, th_setup_traced one that
 * records trace events; th_teardown frees it and fails when bytes leaked.
 */
int th_setup(void **state);
int th_setup_traced(void **state);
int th_teardown(void **state);

/*
 * th_active_open against the usual peer: its SYN-ACK has ISN peer_iss,
 * window `win`, MSS `mss` and SACK-permitted when sack_ok, nothing else.
 */
int th_open(tcp_harness *th, uint32_t peer_iss, uint16_t win, uint16_t mss, bool sack_ok,
            char *err, size_t cap);

/*
 * Open a connection from the stack to th->peer_port and take its SYN:
 * flags exactly SYN, no payload, ack 0 (seq, options, window and ports
 * are not compared). th->local_port becomes the SYN's source port and
 * *iss its seq. Returns the handle, or -1 with the reason in err.
 */
int th_connect_syn(tcp_harness *th, uint32_t *iss, char *err, size_t cap);

/* One xorshift64 step (Marsaglia 2003) on *state, never 0: the seeded,
 * repeatable random numbers of the hostile-input tests. */
static inline uint64_t th_xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

#ifdef fail_msg
/* In a cmocka test: th_active_open, failing the test when it goes wrong. */
static inline int th_active_open_or_fail(tcp_harness *th, const th_seg *synack)
{
    char err[512];
    int h = th_active_open(th, synack, err, sizeof err);
    if (h < 0)
        fail_msg("%s", err);
    return h;
}

/* In a cmocka test: th_connect_syn, failing the test when it goes wrong. */
static inline int th_connect_syn_or_fail(tcp_harness *th, uint32_t *iss)
{
    char err[512];
    int h = th_connect_syn(th, iss, err, sizeof err);
    if (h < 0)
        fail_msg("%s", err);
    return h;
}

/* A CMUnitTest that gets a fresh harness in *state (th_setup / th_setup_traced). */
#define th_unit_test(f) cmocka_unit_test_setup_teardown(f, th_setup, th_teardown)
#define th_unit_test_traced(f) cmocka_unit_test_setup_teardown(f, th_setup_traced, th_teardown)

/* In a cmocka test: th_open, failing the test when the handshake goes wrong. */
static inline int th_open_or_fail(tcp_harness *th, uint32_t peer_iss, uint16_t win,
                                  uint16_t mss, bool sack_ok)
{
    char err[256];
    int h = th_open(th, peer_iss, win, mss, sack_ok, err, sizeof err);
    if (h < 0)
        fail_msg("%s", err);
    return h;
}
#endif

#define send_segment(th, ...) th_send((th), &(th_seg){__VA_ARGS__})

#define expect_segment(th, ...)                                                \
    do {                                                                       \
        char th_err_[512];                                                     \
        if (!th_expect((th), &(th_seg){__VA_ARGS__}, th_err_, sizeof th_err_)) \
            fail_msg("%s", th_err_);                                           \
    } while (0)

#define expect_no_segment(th)                                                  \
    do {                                                                       \
        if (th_pending(th) != 0) {                                             \
            th_next(th);                                                       \
            fail_msg("unexpected segment flags 0x%02x seq %u ack %u len %u",   \
                     (th)->last.flags, (unsigned)(th)->last.seq,               \
                     (unsigned)(th)->last.ack, (unsigned)(th)->last.payload_len); \
        }                                                                      \
    } while (0)

#endif
