/*
 * Bulk TCP transfers between the two stacks of a net_fixture, for
 * simulations: A connects to a listener on B, each side sends its own
 * seeded pseudo-random stream (byte i of a stream is a pure function of the
 * seed and i), verifies what it receives on the fly against the peer's
 * stream, shuts down its sending side when done, and closes once it has
 * read the peer's EOF.
 */
#ifndef TCP_SIM_H
#define TCP_SIM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "net_fixture.h"

/* Byte `i` of the stream with this seed. */
uint8_t tcp_sim_stream_byte(uint64_t seed, uint64_t i);

typedef struct tcp_sim_end {
    int h;                 /* connection handle (-1 until connected/accepted) */
    uint64_t to_send, sent;
    uint64_t received;     /* bytes verified */
    uint64_t bad_bytes;    /* received bytes that differ from the stream */
    bool shut, eof, closed;
    int err;               /* first error seen from send/recv */
} tcp_sim_end;

typedef struct tcp_sim {
    net_fixture *f;
    uint16_t port;
    int listener;
    uint64_t seed[2];      /* stream sent by side 0 / side 1 */
    tcp_sim_end end[2];
    uint32_t chunk;        /* bytes per send/recv call (<= sizeof buf) */
    /*
     * Optional, set after tcp_sim_start(): sees every byte side `side`
     * handed to send() (sent = true) or got from recv(), in order, e.g.
     * to hash both ends of each stream.
     */
    void (*tap)(void *ctx, int side, bool sent, const uint8_t *buf, size_t n);
    void *tap_ctx;
    uint8_t buf[65536];
} tcp_sim;

/* Prepare a transfer of a_to_b bytes one way and b_to_a the other. */
int tcp_sim_start(tcp_sim *sim, net_fixture *f, uint64_t a_to_b, uint64_t b_to_a,
                  uint64_t seed);

/* One round of application work for both sides (non-blocking). */
void tcp_sim_pump(tcp_sim *sim);

/* Both streams fully received and verified, and both sides saw EOF. */
bool tcp_sim_done(const tcp_sim *sim);

/* Run the fixture until done or max_ms of virtual time pass. */
bool tcp_sim_run(tcp_sim *sim, uint64_t max_ms);

#endif
