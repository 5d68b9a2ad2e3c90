/* Three-way handshake: active, passive, simultaneous open, options (RFC 9293 3.5). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"
#include "test_addr.h"

#define S SYNACK_TCP_SYN
#define A SYNACK_TCP_ACK
#define P SYNACK_TCP_PSH
#define R SYNACK_TCP_RST

static void active_open_full_options(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.trace = true});
    assert_non_null(th);
    int h = synack_tcp_open(th->s);
    assert_true(h >= 0);
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), 7), 0);
    th->peer_port = 7;
    /* SYN: MSS 1460, SACK-permitted, timestamps (TSecr 0), WS 8 for 8 MiB */
    expect_segment(th, .flags = S, .win = 65535, .has_mss = true, .mss = 1460,
                   .sack_ok = true, .has_ts = true, .tsecr = 0, .has_ws = true, .ws = 8,
                   .any = TH_ANY_SEQ | TH_ANY_TSVAL | TH_ANY_PORTS);
    uint32_t iss = th->last.seq;
    uint32_t tsv = th->last.tsval;
    th->local_port = th->last.sport;
    assert_true(th->local_port >= 49152);
    assert_int_equal(synack_tcp_events(th->s, h) & SYNACK_EV_CONNECTED, 0);
    th_advance(th, 5);
    send_segment(th, .flags = S | A, .seq = 5000, .ack = iss + 1, .win = 1000,
                 .has_mss = true, .mss = 1400, .has_ws = true, .ws = 3, .sack_ok = true,
                 .has_ts = true, .tsval = 777, .tsecr = tsv, .sport = 7);
    /* ACK with our scaled window (the starting receive buffer, 128 KiB >> 8
       = 512: the scale is chosen for the 8 MiB the buffer may grow to) and
       the echoed TSval */
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = 5001, .win = 512,
                   .has_ts = true, .tsecr = 777, .any = TH_ANY_TSVAL, .sport = 0, .dport = 7);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_CONNECTED);
    synack_tcp_info info;
    assert_int_equal(synack_tcp_get_info(th->s, h, &info), 0);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    /* RFC 7323 2.2: the window of a SYN-ACK is not scaled */
    assert_int_equal(info.snd_wnd, 1000u);
    assert_int_equal(info.mss, 1400 - 12);
    assert_int_equal(info.srtt_ms, 5);
    /* state trace: CLOSED -> SYN-SENT -> ESTABLISHED */
    const synack_trace_event *e0 = th_find_event(th, SYNACK_TRACE_STATE, 0);
    const synack_trace_event *e1 = th_find_event(th, SYNACK_TRACE_STATE, 1);
    assert_non_null(e0);
    assert_non_null(e1);
    assert_int_equal(e0->u.state.to, SYNACK_TCP_SYN_SENT);
    assert_int_equal(e1->u.state.from, SYNACK_TCP_SYN_SENT);
    assert_int_equal(e1->u.state.to, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(e1->conn, h);
    assert_true(th_count_events(th, SYNACK_TRACE_SEG) >= 3);
    assert_int_equal(th_free(th), 0);
}

static void active_open_no_options_uses_536(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT), 0);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS);
    uint32_t iss = th->last.seq;
    th->local_port = th->last.sport;
    send_segment(th, .flags = S | A, .seq = 100, .ack = iss + 1, .win = 8192);
    /* no WS from the peer: our window is unscaled and capped at 65535 */
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = 101, .win = 65535);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.mss, 536);
    assert_int_equal(info.snd_wnd, 8192);
    assert_int_equal(th_free(th), 0);
}

static void passive_open(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.trace = true});
    int l = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, l, 80), 0);
    assert_int_equal(synack_tcp_listen(th->s, l, 4), 0);
    assert_int_equal(synack_tcp_accept(th->s, th->now, l, NULL, NULL), SYNACK_ERR_AGAIN);
    send_segment(th, .flags = S, .seq = 1000, .win = 29200, .has_mss = true, .mss = 1460,
                 .sack_ok = true, .has_ts = true, .tsval = 50, .has_ws = true, .ws = 7);
    expect_segment(th, .flags = S | A, .ack = 1001, .win = 65535, .has_mss = true,
                   .mss = 1460, .sack_ok = true, .has_ts = true, .tsecr = 50, .has_ws = true,
                   .ws = 8, .any = TH_ANY_SEQ | TH_ANY_TSVAL);
    uint32_t iss = th->last.seq;
    uint32_t tsv = th->last.tsval;
    assert_int_equal(synack_tcp_events(th->s, l) & SYNACK_EV_ACCEPT, 0);
    send_segment(th, .flags = A, .seq = 1001, .ack = iss + 1, .win = 229, .has_ts = true,
                 .tsval = 51, .tsecr = tsv);
    expect_no_segment(th);
    assert_true(synack_tcp_events(th->s, l) & SYNACK_EV_ACCEPT);
    synack_addr addr;
    uint16_t port = 0;
    int h = synack_tcp_accept(th->s, th->now, l, &addr, &port);
    assert_true(h >= 0);
    assert_int_equal(addr.family, SYNACK_AF_IP4);
    assert_int_equal(synack_addr_to_ip4(&addr), TH_PEER_IP);
    assert_int_equal(port, TH_PEER_PORT);
    synack_tcp_info info;
    assert_int_equal(synack_tcp_get_info(th->s, h, &info), 0);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(info.snd_wnd, 229u << 7);
    /* LISTEN -> SYN-RECEIVED -> ESTABLISHED on the child's handle */
    const synack_trace_event *e = th_find_event(th, SYNACK_TRACE_STATE, 1);
    assert_non_null(e);
    assert_int_equal(e->conn, h);
    assert_int_equal(e->u.state.from, SYNACK_TCP_LISTEN);
    assert_int_equal(e->u.state.to, SYNACK_TCP_SYN_RECEIVED);
    assert_int_equal(synack_tcp_accept(th->s, th->now, l, NULL, NULL), SYNACK_ERR_AGAIN);
    assert_int_equal(th_free(th), 0);
}

static void passive_open_syn_retransmitted(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int l = synack_tcp_open(th->s);
    synack_tcp_bind(th->s, l, 80);
    synack_tcp_listen(th->s, l, 4);
    send_segment(th, .flags = S, .seq = 1000, .win = 8192);
    expect_segment(th, .flags = S | A, .ack = 1001, .win = 65535, .has_mss = true,
                   .mss = 1460, .any = TH_ANY_SEQ);
    uint32_t iss = th->last.seq;
    /* the SYN-ACK was lost: the repeated SYN gets it again at once */
    th_advance(th, 300);
    send_segment(th, .flags = S, .seq = 1000, .win = 8192);
    expect_segment(th, .flags = S | A, .seq = iss, .ack = 1001, .win = 65535,
                   .has_mss = true, .mss = 1460);
    /* and our own timer retransmits it after the initial RTO (1 s) */
    th_advance(th, 700);
    expect_segment(th, .flags = S | A, .seq = iss, .ack = 1001, .win = 65535,
                   .has_mss = true, .mss = 1460);
    send_segment(th, .flags = A, .seq = 1001, .ack = iss + 1, .win = 8192);
    assert_true(synack_tcp_accept(th->s, th->now, l, NULL, NULL) >= 0);
    assert_int_equal(th_free(th), 0);
}

static void simultaneous_open(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.trace = true});
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, h, 5555), 0);
    th->local_port = 5555;
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT), 0);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN);
    uint32_t iss = th->last.seq;
    /* the peer's own SYN crosses ours (RFC 9293 figure 8) */
    send_segment(th, .flags = S, .seq = 300, .win = 8192, .has_mss = true, .mss = 1000);
    expect_segment(th, .flags = S | A, .seq = iss, .ack = 301, .win = 65535, .has_mss = true,
                   .mss = 1460);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_SYN_RECEIVED);
    /* the peer's SYN-ACK (figure 8 line 6) acknowledges our SYN: both ends
       are ESTABLISHED with no further segment */
    send_segment(th, .flags = S | A, .seq = 300, .ack = iss + 1, .win = 8192,
                 .has_mss = true, .mss = 1000);
    expect_no_segment(th);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_CONNECTED);
    assert_int_equal(info.mss, 1000);
    assert_int_equal(info.snd_una, iss + 1);
    assert_int_equal(info.snd_wnd, 8192);
    /* the retransmission timer of our SYN-ACK is gone */
    assert_false(th_advance_until_segment(th, 10000));
    /* the peer's own ACK of our SYN-ACK is an ordinary duplicate now */
    send_segment(th, .flags = A, .seq = 301, .ack = iss + 1, .win = 8192);
    expect_no_segment(th);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "hi", 2), 2);
    expect_segment(th, .flags = A | P, .seq = iss + 1, .ack = 301, .win = 65535,
                   .data = "hi", .len = 2);
    const synack_trace_event *e = th_find_event(th, SYNACK_TRACE_STATE, 2);
    assert_non_null(e);
    assert_int_equal(e->u.state.from, SYNACK_TCP_SYN_RECEIVED);
    assert_int_equal(e->u.state.to, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(th_free(th), 0);
}

/* The other order: the peer's ACK of our SYN-ACK arrives before its SYN-ACK. */
static void simultaneous_open_ack_first(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, h, 5555), 0);
    th->local_port = 5555;
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT), 0);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN);
    uint32_t iss = th->last.seq;
    send_segment(th, .flags = S, .seq = 300, .win = 8192, .has_mss = true, .mss = 1000);
    expect_segment(th, .flags = S | A, .seq = iss, .ack = 301, .win = 65535, .has_mss = true,
                   .mss = 1460);
    /* our SYN-ACK is lost; the peer retransmits its SYN: answered at once */
    send_segment(th, .flags = S, .seq = 300, .win = 8192, .has_mss = true, .mss = 1000);
    expect_segment(th, .flags = S | A, .seq = iss, .ack = 301, .win = 65535, .has_mss = true,
                   .mss = 1460);
    send_segment(th, .flags = A, .seq = 301, .ack = iss + 1, .win = 8192);
    expect_no_segment(th);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    /* a late SYN-ACK from the peer is now an old duplicate: ACK, no change */
    send_segment(th, .flags = S | A, .seq = 300, .ack = iss + 1, .win = 8192,
                 .has_mss = true, .mss = 1000);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = 301, .win = 65535);
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(th_free(th), 0);
}

/*
 * The next hop never answers ARP: the connect fails with "unreachable" as
 * soon as ARP gives up (1 request + 3 retries, 1 s apart), not after the
 * two minutes of SYN retries.
 */
static void arp_failure_is_unreachable_promptly(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.trace = true});
    int h = synack_tcp_open(th->s);
    synack_ip4 dead = SYNACK_IP4(10, 0, 0, 3); /* on-link, nobody home */
    uint64_t start = th->now;
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(dead), 80), 0);
    /* nothing TCP leaves the stack: the SYN waits for ARP */
    expect_no_segment(th);
    for (int i = 0; i < 10 && synack_tcp_error(th->s, h) == 0; i++)
        th_advance_to_deadline(th, 10000);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_UNREACHABLE);
    /* arp_retries (3) x arp_retry_ms (1000) after the first request */
    assert_int_equal(th->now - start, 4000);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_ERROR);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_CLOSED);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_CLOSED);
    const synack_trace_event *e = th_find_event(th, SYNACK_TRACE_ERROR, 0);
    assert_non_null(e);
    assert_int_equal(e->u.error.code, SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "x", 1), SYNACK_ERR_UNREACHABLE);
    /* no TCP timer is left behind */
    expect_no_segment(th);
    assert_false(th_advance_until_segment(th, 200000));
    assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    assert_int_equal(th_free(th), 0);
}

static void synack_with_bad_ack_gets_rst(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    uint32_t iss;
    int h = th_connect_syn_or_fail(th, &iss);
    send_segment(th, .flags = S | A, .seq = 100, .ack = iss + 77, .win = 8192);
    expect_segment(th, .flags = R, .seq = iss + 77, .ack = 0, .win = 0);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_BAD_ACK), 1);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_SYN_SENT);
    /* a bare ACK (no SYN) that is acceptable is dropped */
    send_segment(th, .flags = A, .seq = 100, .ack = iss + 1, .win = 8192);
    expect_no_segment(th);
    /* the real SYN-ACK still works */
    send_segment(th, .flags = S | A, .seq = 100, .ack = iss + 1, .win = 8192);
    expect_segment(th, .flags = A, .seq = iss + 1, .ack = 101, .win = 65535);
    assert_int_equal(th_free(th), 0);
}

static void syn_retries_then_timeout(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.trace = true});
    int h = synack_tcp_open(th->s);
    synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), TH_PEER_PORT);
    expect_segment(th, .flags = S, .any = TH_ANY_SEQ | TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS);
    uint32_t iss = th->last.seq;
    uint64_t start = th->now;
    /* RTO 1 s doubling: retransmissions at 1, 3, 7, 15, 31, 63 s */
    uint64_t expect_at[6] = {1000, 3000, 7000, 15000, 31000, 63000};
    for (int i = 0; i < 6; i++) {
        assert_true(th_advance_until_segment(th, 200000));
        assert_int_equal(th->now - start, expect_at[i]);
        expect_segment(th, .flags = S, .seq = iss,
                       .any = TH_ANY_OPTS | TH_ANY_WIN | TH_ANY_PORTS);
    }
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    assert_false(th_advance_until_segment(th, 59999));
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    th_advance(th, start + 123000 - th->now);
    /* the last wait is capped by rto_max (60 s) */
    assert_int_equal(th->now - start, 123000);
    expect_no_segment(th);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_TIMEOUT);
    assert_true(synack_tcp_events(th->s, h) & SYNACK_EV_ERROR);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, "x", 1), SYNACK_ERR_TIMEOUT);
    const synack_trace_event *e = th_find_event(th, SYNACK_TRACE_ERROR, 0);
    assert_non_null(e);
    assert_int_equal(e->u.error.code, SYNACK_ERR_TIMEOUT);
    assert_int_equal(synack_tcp_close(th->s, th->now, h), 0);
    assert_int_equal(synack_poll_at(th->s), UINT64_MAX);
    assert_int_equal(th_free(th), 0);
}

static void rst_in_syn_sent_is_refused(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    uint32_t iss;
    int h = th_connect_syn_or_fail(th, &iss);
    /* RST without an acceptable ACK is ignored */
    send_segment(th, .flags = R | A, .seq = 0, .ack = iss + 5);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    send_segment(th, .flags = R, .seq = 0);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    send_segment(th, .flags = R | A, .seq = 0, .ack = iss + 1);
    expect_no_segment(th);
    assert_int_equal(synack_tcp_error(th->s, h), SYNACK_ERR_REFUSED);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, (char[4]){0}, 4), SYNACK_ERR_REFUSED);
    synack_tcp_close(th->s, th->now, h);
    assert_int_equal(th_free(th), 0);
}

static void connect_errors(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    int h = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), 0), SYNACK_ERR_INVAL);
    /* off-link, no gateway */
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(SYNACK_IP4(8, 8, 8, 8)), 80),
                     SYNACK_ERR_UNREACHABLE);
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), 80), 0);
    assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP), 80), SYNACK_ERR_ISCONN);
    assert_int_equal(synack_tcp_connect(th->s, th->now, 99, ADDR4(TH_PEER_IP), 80), SYNACK_ERR_BADF);
    /* bind conflicts */
    int a = synack_tcp_open(th->s), b = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, a, 8080), 0);
    assert_int_equal(synack_tcp_bind(th->s, b, 8080), SYNACK_ERR_ADDRINUSE);
    assert_int_equal(synack_tcp_bind(th->s, a, 8081), SYNACK_ERR_STATE);
    synack_tcp_close(th->s, th->now, a);
    assert_int_equal(synack_tcp_bind(th->s, b, 8080), 0);
    assert_int_equal(th_free(th), 0);
}

static void handles_and_limits(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = NULL});
    synack_stack *s = th->s;
    int hs[40];
    for (int i = 0; i < 40; i++) {
        hs[i] = synack_tcp_open(s);
        assert_int_equal(hs[i], i);
    }
    synack_tcp_close(s, th->now, hs[5]);
    assert_int_equal(synack_tcp_open(s), 5);
    for (int i = 0; i < 40; i++)
        synack_tcp_close(s, th->now, hs[i]);
    assert_int_equal(synack_tcp_close(s, th->now, 3), SYNACK_ERR_BADF);
    assert_int_equal(th_free(th), 0);
}

static void tune_two_conns(synack_config *cfg)
{
    cfg->tcp.max_conns = 2;
}

static void conn_limit(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_two_conns});
    int a = synack_tcp_open(th->s), b = synack_tcp_open(th->s);
    assert_true(a >= 0 && b >= 0);
    assert_int_equal(synack_tcp_open(th->s), SYNACK_ERR_NOMEM);
    synack_tcp_close(th->s, th->now, a);
    /* a listener at the limit drops SYNs and counts them */
    synack_tcp_bind(th->s, b, 80);
    synack_tcp_listen(th->s, b, 4);
    int c = synack_tcp_open(th->s);
    assert_true(c >= 0);
    send_segment(th, .flags = S, .seq = 1, .win = 1000);
    expect_no_segment(th);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_CONN_LIMIT), 1);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(active_open_full_options),
        cmocka_unit_test(active_open_no_options_uses_536),
        cmocka_unit_test(passive_open),
        cmocka_unit_test(passive_open_syn_retransmitted),
        cmocka_unit_test(simultaneous_open),
        cmocka_unit_test(simultaneous_open_ack_first),
        cmocka_unit_test(arp_failure_is_unreachable_promptly),
        cmocka_unit_test(synack_with_bad_ack_gets_rst),
        cmocka_unit_test(syn_retries_then_timeout),
        cmocka_unit_test(rst_in_syn_sent_is_refused),
        cmocka_unit_test(connect_errors),
        cmocka_unit_test(handles_and_limits),
        cmocka_unit_test(conn_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
