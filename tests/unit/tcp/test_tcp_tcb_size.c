/*
 * State per idle connection. The TCB is most of it (with its share of the
 * handle table, demux hash and timer heap an idle connection must stay
 * within 512 bytes, README "Scale"); state only anomalies and out-of-order
 * or loss episodes need lives in the lazily allocated cold block
 * (synack_tcp_cold, tcp_tcb.h), whose allocation failures degrade safely.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "tcp_harness.h"
#include "tcp/tcp_tcb.h"

#define S SYNACK_TCP_SYN
#define A SYNACK_TCP_ACK

#define PEER_ISN 1000u

/* The size bound, so that it cannot creep back silently (64-bit: also a
   _Static_assert in tcp_tcb.h; ILP32 / wasm32 has 4-byte pointers). */
static void tcb_size_within_budget(void **state)
{
    (void)state;
    size_t sz = sizeof(struct synack_tcb);
    printf("sizeof(struct synack_tcb) = %u, cold block %u\n", (unsigned)sz,
                  (unsigned)sizeof(synack_tcp_cold));
    if (sizeof(void *) == 8)
        assert_in_range(sz, 1, SYNACK_TCB_MAX_64);
    else
        assert_in_range(sz, 1, SYNACK_TCB_MAX_64 - 40);
}

/* An in-order exchange both ways leaves no cold state behind. */
static void in_order_connection_has_no_cold_state(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, true);
    uint32_t una = th->stack_iss + 1, seq = PEER_ISN + 1;
    static const uint8_t data[1000] = {1};
    send_segment(th, .flags = A, .seq = seq, .ack = una, .win = 65535, .data = data,
                 .len = sizeof data);
    uint8_t buf[1000];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), (int)sizeof data);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, data, sizeof data), (int)sizeof data);
    th_advance(th, 10);
    while (th_next(th))
        ;
    send_segment(th, .flags = A, .seq = seq + 1000, .ack = una + 1000, .win = 65535);
    th_advance(th, 1000);
    const synack_tcb *t = synack_tcb_get(th->s, h);
    assert_non_null(t);
    assert_int_equal(t->snd_una, una + 1000);
    assert_null(t->cold);
}

/*
 * Without memory for the cold block, the ACK to an invalid segment and the
 * challenge ACK are withheld and counted as rate-limited; with memory back
 * both go out again.
 */
static void no_memory_for_cold_state_withholds_acks(void **state)
{
    tcp_harness *th = *state;
    th_open_or_fail(th, PEER_ISN, 65535, 1460, true);
    uint32_t una = th->stack_iss + 1, seq = PEER_ISN + 1;
    th->mem_limit = th->mem_in_use; /* no allocation succeeds */
    send_segment(th, .flags = A, .seq = seq + 0x40000000u, .ack = una, .win = 65535);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_INVALID_ACK_LIMIT), 1);
    send_segment(th, .flags = S, .seq = seq + 100, .win = 65535);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_CHALLENGE_LIMIT), 1);
    th->mem_limit = 0;
    send_segment(th, .flags = A, .seq = seq + 0x40000000u, .ack = una, .win = 65535);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .any = TH_ANY_WIN | TH_ANY_OPTS);
    send_segment(th, .flags = S, .seq = seq + 100, .win = 65535);
    expect_segment(th, .flags = A, .seq = una, .ack = seq, .any = TH_ANY_WIN | TH_ANY_OPTS);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_INVALID_ACK_LIMIT), 1);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_CHALLENGE_LIMIT), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tcb_size_within_budget),
        th_unit_test(in_order_connection_has_no_cold_state),
        th_unit_test(no_memory_for_cold_state_withholds_acks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
