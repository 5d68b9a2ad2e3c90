/*
 * Memory that grows with need (issue 14, defect 6): what a connection costs
 * is what it holds, not the configured maximum buffer.
 *
 *  - one byte received (by an accepted connection, and by one still in the
 *    accept queue) must not allocate the whole receive buffer;
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"

#define S SYNACK_TCP_SYN
#define A SYNACK_TCP_ACK
#define P SYNACK_TCP_PSH

#define PEER 7000u

/* Most a connection may allocate for one received byte. */
#define ONE_BYTE_COST (16u * 1024u)

/*
 * One byte to an accepted connection and one byte to a connection still in
 * the accept queue: each costs at most ONE_BYTE_COST (the configured
 * receive buffer is 8 MiB), and the byte is acknowledged and readable.
 */
static void one_byte_allocates_little(void **state)
{
    tcp_harness *th = *state;
    char err[256];
    int l = -1;
    int h = th_passive_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                           .mss = 1460},
                            &l, err, sizeof err);
    if (h < 0)
        fail_msg("%s", err);
    size_t base = th->mem_in_use;
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = th->stack_iss + 1,
                 .win = 65535, .data = "x", .len = 1);
    th_advance(th, 200);
    expect_segment(th, .flags = A, .seq = th->stack_iss + 1, .ack = PEER + 2,
                   .any = TH_ANY_WIN);
    size_t cost = th->mem_in_use - base;
    if (cost > ONE_BYTE_COST)
        fail_msg("one byte to an accepted connection allocated %zu bytes", cost);
    uint8_t b[4];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, b, sizeof b), 1);
    assert_int_equal(b[0], 'x');

    /* a second client, never accepted */
    th->peer_port = TH_PEER_PORT + 1;
    send_segment(th, .flags = S, .seq = PEER, .win = 65535, .has_mss = true, .mss = 1460);
    assert_true(th_next(th));
    assert_int_equal(th->last.flags, S | A);
    uint32_t iss2 = th->last.seq;
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = iss2 + 1, .win = 65535);
    base = th->mem_in_use;
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = iss2 + 1, .win = 65535,
                 .data = "y", .len = 1);
    th_advance(th, 200);
    expect_segment(th, .flags = A, .seq = iss2 + 1, .ack = PEER + 2, .any = TH_ANY_WIN);
    cost = th->mem_in_use - base;
    if (cost > ONE_BYTE_COST)
        fail_msg("one byte to a queued connection allocated %zu bytes", cost);
    int h2 = synack_tcp_accept(th->s, th->now, l, NULL, NULL);
    assert_true(h2 >= 0);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h2, b, sizeof b), 1);
    assert_int_equal(b[0], 'y');
    synack_tcp_abort(th->s, th->now, h2);
    synack_tcp_abort(th->s, th->now, h);
    synack_tcp_close(th->s, th->now, l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test(one_byte_allocates_little),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
