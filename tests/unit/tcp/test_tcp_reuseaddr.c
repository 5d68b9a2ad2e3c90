/*
 * Binding a port that a connection uses (RFC 9293 3.6.1 keeps a closed
 * connection in TIME-WAIT for 2 MSL): as Linux's bind() does, it fails with
 * SYNACK_ERR_ADDRINUSE unless the new socket set SYNACK_TCPOPT_REUSEADDR
 * (SO_REUSEADDR). A listener or bound socket on the port refuses the bind
 * either way.
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
#define F SYNACK_TCP_FIN

#define PEER 9000u

static void tune_msl(synack_config *cfg)
{
    cfg->tcp.msl_ms = 500;
}

/* A server connection on th->local_port that closes first and ends in
 * TIME-WAIT; its listener is closed. Returns the connection's handle. */
static int server_in_time_wait(tcp_harness *th)
{
    char err[128];
    int l = -1;
    int h = th_passive_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                           .mss = 1460}, &l, err, sizeof err);
    assert_true(h >= 0);
    synack_tcp_close(th->s, th->now, l);
    uint32_t una = th->last.seq + 1;
    synack_tcp_shutdown(th->s, th->now, h);
    expect_segment(th, .flags = A | F, .seq = una, .ack = PEER + 1, .any = TH_ANY_WIN);
    send_segment(th, .flags = A | F, .seq = PEER + 1, .ack = una + 1, .win = 65535);
    expect_segment(th, .flags = A, .seq = una + 1, .ack = PEER + 2, .any = TH_ANY_WIN);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_TIME_WAIT);
    assert_int_equal(info.local_port, th->local_port);
    return h;
}

static void bind_refused_during_time_wait_then_accepted(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_msl});
    int h = server_in_time_wait(th);
    int l = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, l, th->local_port), SYNACK_ERR_ADDRINUSE);
    th_advance(th, 999);
    assert_int_equal(synack_tcp_bind(th->s, l, th->local_port), SYNACK_ERR_ADDRINUSE);
    th_advance(th, 1);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_CLOSED);
    assert_int_equal(synack_tcp_bind(th->s, l, th->local_port), 0);
    assert_int_equal(synack_tcp_listen(th->s, l, 4), 0);
    synack_tcp_close(th->s, th->now, h);
    synack_tcp_close(th->s, th->now, l);
    assert_int_equal(th_free(th), 0);
}

static void reuseaddr_binds_during_time_wait(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_msl});
    int h = server_in_time_wait(th);
    int l = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_setopt(th->s, l, SYNACK_TCPOPT_REUSEADDR, 1), 0);
    assert_int_equal(synack_tcp_bind(th->s, l, th->local_port), 0);
    assert_int_equal(synack_tcp_listen(th->s, l, 4), 0);
    /* a listener holds the port even against REUSEADDR */
    int m = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_setopt(th->s, m, SYNACK_TCPOPT_REUSEADDR, 1), 0);
    assert_int_equal(synack_tcp_bind(th->s, m, th->local_port), SYNACK_ERR_ADDRINUSE);
    /* and the option can be turned off again */
    assert_int_equal(synack_tcp_setopt(th->s, m, SYNACK_TCPOPT_REUSEADDR, 0), 0);
    synack_tcp_close(th->s, th->now, l);
    assert_int_equal(synack_tcp_bind(th->s, m, th->local_port), SYNACK_ERR_ADDRINUSE);
    synack_tcp_close(th->s, th->now, h);
    synack_tcp_close(th->s, th->now, m);
    assert_int_equal(th_free(th), 0);
}

/* An established connection holds its port too (Linux: any socket using it). */
static void bind_refused_while_a_connection_uses_the_port(void **state)
{
    (void)state;
    tcp_harness *th = th_new(NULL);
    char err[128];
    int l = -1;
    int h = th_passive_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                           .mss = 1460}, &l, err, sizeof err);
    assert_true(h >= 0);
    synack_tcp_close(th->s, th->now, l);
    int b = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, b, th->local_port), SYNACK_ERR_ADDRINUSE);
    assert_int_equal(synack_tcp_bind(th->s, b, (uint16_t)(th->local_port + 1)), 0);
    synack_tcp_close(th->s, th->now, b);
    synack_tcp_abort(th->s, th->now, h);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bind_refused_during_time_wait_then_accepted),
        cmocka_unit_test(reuseaddr_binds_during_time_wait),
        cmocka_unit_test(bind_refused_while_a_connection_uses_the_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
