/*
 * Helpers to build raw frames for injection into a stack and to capture
 * what stacks send (a net_fixture tap). Addresses follow net_fixture.h:
 * side 0 = A (10.0.0.1, 02:00:00:00:00:01), side 1 = B (10.0.0.2, ...:02).
 */
#ifndef NET_FRAMES_H
#define NET_FRAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_fixture.h"
#include "wire/wire.h"

/* MAC and IPv4 address of a fixture side. */
synack_mac net_mac(int side);
synack_ip4 net_ip(int side);

/* A default IPv4 header: ttl 64, df off, id 1, the given addresses. */
synack_ip4_repr net_ip_repr(synack_ip4 src, synack_ip4 dst, uint8_t proto);

/*
 * Ethernet header (dst, src, IPv4), the IP header from *ip (total_len set
 * from l4len unless ip->total_len is non-zero) and l4. Returns the frame
 * length. buf needs 14 + 20 + l4len bytes.
 */
size_t net_build_ip(uint8_t *buf, synack_mac dst, synack_mac src,
                    const synack_ip4_repr *ip, const uint8_t *l4, size_t l4len);

/* A complete UDP datagram frame (valid checksums) from side `from` to `to`. */
size_t net_build_udp(uint8_t *buf, int from, int to, uint16_t sport,
                     uint16_t dport, const void *data, size_t len);

/* An ICMP echo request frame from side `from` to `to`. */
size_t net_build_echo(uint8_t *buf, int from, int to, uint16_t id,
                      uint16_t seq, const void *data, size_t len);

/* ---- capture ----------------------------------------------------------- */

#define NET_CAPTURE_MAX 512
#define NET_CAPTURE_SNAP 1600

typedef struct net_frame {
    int side;                 /* who sent it */
    uint64_t t;               /* f->now when sent */
    size_t len;               /* original length */
    uint8_t data[NET_CAPTURE_SNAP]; /* first NET_CAPTURE_SNAP bytes */
} net_frame;

typedef struct net_capture {
    size_t count;             /* frames recorded (at most NET_CAPTURE_MAX) */
    size_t seen;              /* frames seen, including those not recorded */
    net_frame frames[NET_CAPTURE_MAX];
    /* optional: drop frames for which this returns true */
    bool (*drop)(void *ctx, int side, const uint8_t *frame, size_t len);
    void *drop_ctx;
} net_capture;

/* Allocate an empty capture and install it as f's tap. Free with free(). */
net_capture *net_capture_attach(net_fixture *f);

/*
 * The usual start of a frame-level test: net_fixture_new(opts) (NULL for
 * the defaults), run for 1 ms so both stacks' announcements are delivered,
 * then a capture attached and stored in *cap. NULL on failure.
 */
net_fixture *net_fixture_captured(const net_fixture_opts *opts, net_capture **cap);

/* Free a fixture from net_fixture_captured and its capture; returns the bytes leaked. */
size_t net_fixture_captured_free(net_fixture *f, net_capture *cap);

/* The state of a frame-level cmocka test: a fixture from net_fixture_captured. */
typedef struct net_setup {
    net_fixture *f;
    net_capture *cap;
} net_setup;

/* cmocka setup: *state becomes a net_setup over net_fixture_captured(opts); 0 or -1. */
int net_setup_with(void **state, const net_fixture_opts *opts);

/* cmocka setup with the default options, and the teardown (-1 when bytes leaked). */
int net_setup_default(void **state);
int net_teardown(void **state);

#ifdef cmocka_unit_test_setup_teardown
/* A CMUnitTest with the default net_setup in *state. */
#define net_unit_test(f) cmocka_unit_test_setup_teardown(f, net_setup_default, net_teardown)
#endif

/* The tap function itself (ctx = net_capture *), if you install it by hand. */
bool net_capture_tap(void *ctx, net_fixture *f, int side, const uint8_t *frame,
                     size_t len);

/* Forget recorded frames. */
void net_capture_clear(net_capture *c);

/*
 * Count recorded frames from `side` (-1 any) with this ethertype (0 any)
 * and, for IPv4, this IP protocol (0 any).
 */
size_t net_capture_count(const net_capture *c, int side, uint16_t ethertype,
                         uint8_t proto);

/* The n-th (0-based) such frame, or NULL. */
const net_frame *net_capture_find(const net_capture *c, int side,
                                  uint16_t ethertype, uint8_t proto, size_t n);

#endif
