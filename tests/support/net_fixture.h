/*
 * Two-stack test fixture: stacks A and B on a memory pair, optionally
 * impaired in each direction, on a virtual clock.
 *
 *   A: 10.0.0.1/24, MAC 02:00:00:00:00:01, seed opts.seed_a
 *   B: 10.0.0.2/24, MAC 02:00:00:00:00:02, seed opts.seed_b
 *   with opts.ipv6 also fd00::1/64 (A) and fd00::2/64 (B) (net_ip6())
 *   (no gateway unless opts.gateway_a/gateway_b are set; cfg.ipv6.slaac is
 *   false, so no IPv6 start-up frames, unless opts.tune turns it on)
 *
 * Frame path for what stack X sends:
 *   stack X -> tap (f->tap, may drop) -> impair X->Y (if configured)
 *           -> pair end X -> synack_pair_deliver() -> stack Y
 *
 * Typical use (cmocka):
 *
 *   net_fixture *f = net_fixture_new(NULL);        // defaults
 *   ... synack_udp_open(f->b, 7) ...
 *   assert_true(net_run_until(f, got_reply, &state, 1000));
 *   assert_int_equal(net_fixture_free(f), 0);       // no leaked bytes
 *
 * Time: f->now is the virtual clock (ms), starting at opts.start_ms.
 * net_run_until() repeatedly delivers frames and polls both stacks at
 * f->now, then jumps f->now to the next deadline: the minimum of both
 * stacks' synack_poll_at(), both impair links' poll_at(), and now + 1 ms
 * when nothing is due but frames are pending. It stops when cond returns
 * true (checked after every step) or when max_ms of virtual time have
 * passed, and it is bounded in iterations as well. Calls made by the test
 * directly (send/recv) use f->now.
 *
 * Everything the fixture and the stacks allocate goes through a counting
 * allocator (f->alloc), so net_fixture_free() can report leaks.
 */
#ifndef NET_FIXTURE_H
#define NET_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "synack/synack.h"
#include "synack_links.h"

typedef struct net_fixture net_fixture;

/*
 * Called for every frame a stack sends (side 0 = A, 1 = B), before any
 * impairment. Return false to drop the frame (it never reaches the wire;
 * the stack is told the send succeeded).
 */
typedef bool (*net_tap_fn)(void *ctx, net_fixture *f, int side,
                           const uint8_t *frame, size_t len);

/* Change a stack's configuration before it is created (side 0 = A). */
typedef void (*net_tune_fn)(void *ctx, int side, synack_config *cfg);

typedef struct net_fixture_opts {
    synack_medium medium;                /* default ETHERNET */
    uint32_t mtu;                        /* default 1500 */
    uint64_t seed_a, seed_b;             /* default 1 and 2 */
    uint64_t start_ms;                   /* default 0 */
    bool impair[2];                      /* impair A->B ([0]) / B->A ([1]) */
    synack_impair_config impair_cfg[2];
    synack_ip4 gateway_a, gateway_b;     /* default 0 (none) */
    bool no_addresses;                   /* leave both stacks unconfigured */
    bool ipv6;                           /* also fd00::1/64 (A), fd00::2/64 (B) */
    net_tune_fn tune;                    /* optional */
    void *tune_ctx;
    /* optional: write every frame either stack sends (before impairment)
     * to this pcap file, stamped with f->now; handy when debugging */
    const char *pcap_path;
} net_fixture_opts;

/* Default options (what net_fixture_new(NULL) uses). */
net_fixture_opts net_fixture_defaults(void);

typedef struct net_tap_end {
    net_fixture *f;
    int side;
} net_tap_end;

struct net_fixture {
    synack_allocator alloc;   /* counting allocator over malloc */
    size_t mem_in_use;        /* bytes currently allocated through alloc */
    size_t mem_peak;
    size_t mem_limit;         /* 0 = none; beyond it allocations fail */
    uint64_t now;             /* the virtual clock, ms */
    synack_pair *pair;
    synack_impair *imp[2];    /* NULL when that direction is not impaired */
    synack_stack *a, *b;
    net_tap_fn tap;           /* set any time; NULL = pass everything */
    void *tap_ctx;
    uint64_t tapped[2];       /* frames seen by the tap per side */
    uint64_t tap_dropped[2];  /* frames the tap dropped per side */
    synack_link wire[2];      /* where the tap forwards: impair or pair end */
    net_tap_end tap_end[2];   /* internal: tap link contexts */
    synack_pcap *pcap;        /* internal: opts.pcap_path writer */
    void *pcap_file;          /* internal: its FILE * */
    net_fixture_opts opts;
};

/* Create the fixture (NULL opts = defaults). Returns NULL on failure. */
net_fixture *net_fixture_new(const net_fixture_opts *opts);

/* Free everything; returns the bytes still allocated (0 = no leak). */
size_t net_fixture_free(net_fixture *f);

/* The stack of side 0 (A) or 1 (B). */
synack_stack *net_stack(net_fixture *f, int side);

/* Deliver every pending frame and poll both stacks at f->now, repeating
 * until nothing is due now (bounded). */
void net_settle(net_fixture *f);

typedef bool (*net_cond_fn)(net_fixture *f, void *ctx);

/*
 * Run the virtual clock until cond(f, ctx) is true or max_ms pass.
 * cond may be NULL (run for max_ms). Returns whether cond became true
 * (true for a NULL cond).
 */
bool net_run_until(net_fixture *f, net_cond_fn cond, void *ctx,
                   uint64_t max_ms);

/* Run for `ms` of virtual time (net_run_until with no condition). */
void net_run_for(net_fixture *f, uint64_t ms);

/* The IPv6 address of a side with opts.ipv6 (fd00::1, fd00::2). */
synack_addr net_ip6(int side);

/* Next deadline of the whole fixture (stacks, impairs); UINT64_MAX if none. */
uint64_t net_next_deadline(const net_fixture *f);

#endif
