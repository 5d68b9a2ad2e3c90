/*
 * Buffers that grow with need and the buffer budget (tcp_mem.c):
 *  - a receive ring that grows keeps the out-of-order data placed beyond
 *    its unread bytes, also when they wrap;
 *  - under the budget, out-of-order data is dropped first, in-order data
 *    frees the out-of-order data when that makes room, data that finds no
 *    room is dropped unacknowledged and taken when it comes again, and the
 *    offered window never shrinks (RFC 7323 2.4);
 *  - receive autotuning (DRS): the window grows when the application reads
 *    fast (a bulk transfer over a 50 ms path is not held to the starting
 *    128 KiB) and does not when it does not read.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "tcp_harness.h"
#include "tcp_sim.h"
#include "test_addr.h"

#define S SYNACK_TCP_SYN
#define A SYNACK_TCP_ACK
#define P SYNACK_TCP_PSH

#define PEER 7000u
#define BASE (PEER + 1)

static uint8_t stream[16384];

static int setup_stream(void)
{
    for (size_t i = 0; i < sizeof stream; i++)
        stream[i] = (uint8_t)(i * 7 + (i >> 8) + 1);
    return 0;
}

/* Bytes [from, to) of the peer's stream as one segment. */
static void send_part(tcp_harness *th, uint32_t from, uint32_t to)
{
    send_segment(th, .flags = A, .seq = BASE + from, .ack = th->stack_iss + 1,
                 .win = 65535, .data = stream + from, .len = to - from);
}

/* Right edge of the window the last segment offered. */
static uint32_t right_edge(const tcp_harness *th)
{
    return th->last.ack + th->last.win;
}

/* Take the stack's ACK: ack as expected, window not shrunk. */
static void expect_ack(tcp_harness *th, uint32_t ack, uint32_t *edge)
{
    th_advance(th, 100); /* a delayed ACK too */
    expect_segment(th, .flags = A, .seq = th->stack_iss + 1, .ack = BASE + ack,
                   .any = TH_ANY_WIN);
    if (*edge != 0 && (int32_t)(right_edge(th) - *edge) < 0)
        fail_msg("window shrank: right edge %u after %u", right_edge(th), *edge);
    *edge = right_edge(th);
}

/* Read n bytes and check them against the stream from `from`. */
static void read_check(tcp_harness *th, int h, uint32_t from, uint32_t n)
{
    static uint8_t buf[16384];
    uint32_t got = 0;
    while (got < n) {
        int r = synack_tcp_recv(th->s, th->now, h, buf + got, n - got);
        if (r <= 0)
            fail_msg("read %u of %u bytes: %d", got, n, r);
        got += (uint32_t)r;
    }
    assert_memory_equal(buf, stream + from, n);
}

static int open_conn(tcp_harness *th)
{
    char err[256];
    int l = -1;
    int h = th_passive_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                           .mss = 1460},
                            &l, err, sizeof err);
    if (h < 0)
        fail_msg("%s", err);
    synack_tcp_close(th->s, th->now, l);
    return h;
}

/* The ring starts at 4 KiB and doubles; what it held wraps. */
static void ring_growth_keeps_out_of_order_data(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    uint32_t edge = 0;
    send_part(th, 0, 1400);
    send_part(th, 1400, 3000);
    expect_ack(th, 3000, &edge);
    read_check(th, h, 0, 2500);        /* read position 2500 of 4096 */
    expect_no_segment(th);
    send_part(th, 4000, 5500);         /* wraps around the ring's end */
    expect_ack(th, 3000, &edge);
    send_part(th, 7000, 8000);         /* beyond the ring: it grows */
    expect_ack(th, 3000, &edge);
    send_part(th, 3000, 4000);
    expect_ack(th, 5500, &edge);
    send_part(th, 5500, 7000);
    expect_ack(th, 8000, &edge);
    read_check(th, h, 2500, 5500);
    synack_tcp_abort(th->s, th->now, h);
}

static void tune_budget_8704(synack_config *cfg)
{
    cfg->tcp.mem_max = 8704;
}

static void tune_budget_16k(synack_config *cfg)
{
    cfg->tcp.mem_max = 16384;
}

/*
 * Budget 16 KiB: an out-of-order segment that would need the ring to grow
 * past it is dropped, in-order data below it is taken.
 */
static void out_of_order_data_goes_first(void **state)
{
    (void)state;
    tcp_harness *th = th_new(&(th_opts){.tune = tune_budget_16k});
    *state = th;
    int h = open_conn(th);
    uint32_t edge = 0;
    send_part(th, 10000, 11000);      /* ring of 11000 + ranges: 11.2 KiB */
    expect_ack(th, 0, &edge);
    send_part(th, 13000, 14000);      /* would need 14000 more: dropped */
    expect_ack(th, 0, &edge);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_MEM_PRESSURE), 1);
    for (uint32_t at = 0; at < 10000; at += 1000)
        send_part(th, at, at + 1000);
    th_advance(th, 100);
    while (th_next(th))
        ;
    assert_int_equal(th->last.ack, BASE + 11000); /* the held segment joined them */
    read_check(th, h, 0, 11000);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_OOO_PRUNED), 0);
    synack_tcp_abort(th->s, th->now, h);
}

/*
 * Budget 8.5 KiB: a 4 KiB ring holds 3000 unread bytes and out-of-order
 * data; the next in-order segment needs 4460 bytes of ring, which the
 * budget allows only once the out-of-order ranges are freed.
 */
static void in_order_data_prunes_out_of_order_data(void **state)
{
    tcp_harness *th = th_new(&(th_opts){.tune = tune_budget_8704});
    *state = th;
    int h = open_conn(th);
    uint32_t edge = 0;
    send_part(th, 0, 1500);
    send_part(th, 1500, 3000);
    expect_ack(th, 3000, &edge);
    send_part(th, 3500, 3600);
    expect_ack(th, 3000, &edge);
    send_part(th, 3000, 4460);
    expect_ack(th, 4460, &edge);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_OOO_PRUNED), 1);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_MEM_PRESSURE), 0);
    read_check(th, h, 0, 4460);
    synack_tcp_abort(th->s, th->now, h);
}

static void tune_budget_8k(synack_config *cfg)
{
    cfg->tcp.mem_max = 8192;
}

/*
 * Budget 8 KiB: in-order data that finds no memory is dropped and not
 * acknowledged (the window offered stays); once the application has read,
 * the same bytes sent again are taken. Nothing acknowledged is lost.
 */
static void no_memory_means_not_acknowledged(void **state)
{
    tcp_harness *th = th_new(&(th_opts){.tune = tune_budget_8k});
    *state = th;
    int h = open_conn(th);
    uint32_t edge = 0;
    for (uint32_t at = 0; at < 4000; at += 1000)
        send_part(th, at, at + 1000);
    expect_ack(th, 2000, &edge);
    expect_ack(th, 4000, &edge);
    send_part(th, 4000, 5000);        /* a 4 KiB ring is full; 8 KiB more is not there */
    expect_ack(th, 4000, &edge);
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_MEM_PRESSURE), 1);
    read_check(th, h, 0, 4000);
    th_flush(th);
    send_part(th, 4000, 5000);
    expect_ack(th, 5000, &edge);
    read_check(th, h, 4000, 1000);
    synack_tcp_abort(th->s, th->now, h);
}

/* ---- autotuning over a 50 ms path --------------------------------------------- */

typedef struct drs_watch {
    tcp_sim *sim;
    uint32_t max_wnd;
} drs_watch;

static bool drs_done(net_fixture *f, void *ctx)
{
    drs_watch *w = ctx;
    tcp_sim_pump(w->sim);
    synack_tcp_info info;
    if (w->sim->end[1].h >= 0 && synack_tcp_get_info(f->b, w->sim->end[1].h, &info) == 0 &&
        info.rcv_wnd > w->max_wnd)
        w->max_wnd = info.rcv_wnd;
    return tcp_sim_done(w->sim);
}

static net_fixture *path_50ms(void)
{
    net_fixture_opts o = net_fixture_defaults();
    o.impair[0] = o.impair[1] = true;
    o.impair_cfg[0].delay_ms = o.impair_cfg[1].delay_ms = 25;
    o.impair_cfg[0].seed = 1;
    o.impair_cfg[1].seed = 2;
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    return f;
}

/*
 * 8 MB over a 50 ms path with a reader that keeps up: the window grows
 * beyond 1 MiB and the transfer takes well under the 3.2 s that a fixed
 * 128 KiB window (or a 64 KiB send buffer) would need.
 */
static void window_grows_with_a_fast_reader(void **state)
{
    (void)state;
    net_fixture *f = path_50ms();
    tcp_sim sim;
    assert_int_equal(tcp_sim_start(&sim, f, 8u * 1000u * 1000u, 0, 3), 0);
    drs_watch w = {&sim, 0};
    uint64_t t0 = f->now;
    assert_true(net_run_until(f, drs_done, &w, 10000));
    assert_int_equal(sim.end[1].bad_bytes, 0);
    if (w.max_wnd <= 1024u * 1024u)
        fail_msg("the window stayed at %u bytes", w.max_wnd);
    if (f->now - t0 > 1500)
        fail_msg("8 MB took %llu ms", (unsigned long long)(f->now - t0));
    assert_in_range(w.max_wnd, 1024u * 1024u, 8u * 1024u * 1024u);
    net_run_for(f, 70000);
    assert_int_equal(net_fixture_free(f), 0);
}

/*
 * A reader that does not read: its window never grows beyond the
 * starting 128 KiB, and that is all the sender can make it hold (text
 * beyond the offered window is trimmed).
 */
static void window_stays_without_reading(void **state)
{
    (void)state;
    net_fixture *f = path_50ms();
    int l = synack_tcp_open(f->b);
    assert_int_equal(synack_tcp_bind(f->b, l, 80), 0);
    assert_int_equal(synack_tcp_listen(f->b, l, 4), 0);
    int a = synack_tcp_open(f->a);
    assert_int_equal(synack_tcp_connect(f->a, f->now, a, ADDR4(net_ip(1)), 80), 0);
    net_run_for(f, 200);
    int b = synack_tcp_accept(f->b, f->now, l, NULL, NULL);
    assert_true(b >= 0);
    size_t sent = 0;
    for (int round = 0; round < 100; round++) {
        int n;
        while ((n = synack_tcp_send(f->a, f->now, a, stream, sizeof stream)) > 0)
            sent += (size_t)n;
        net_run_for(f, 50);
    }
    synack_tcp_info info;
    assert_int_equal(synack_tcp_get_info(f->b, b, &info), 0);
    assert_int_equal(info.rcv_wnd, 0);
    /* 128 KiB, and what the scaled window's rounding up (never shrinking,
       RFC 7323 2.4) added while it closed: under 256 bytes per ACK */
    assert_in_range(info.rcvbuf_used, 128u * 1024u - 4096u, 144u * 1024u);
    assert_true(sent > info.rcvbuf_used);
    synack_tcp_abort(f->a, f->now, a);
    synack_tcp_abort(f->b, f->now, b);
    synack_tcp_close(f->b, f->now, l);
    assert_int_equal(net_fixture_free(f), 0);
}

static void tune_tiny(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    (void)side;
    cfg->tcp.mem_max = 64u * 1024u;
    cfg->tcp.sndbuf = cfg->tcp.rcvbuf = 256u * 1024u;
}

/*
 * Both stacks with a 64 KiB budget and 256 KiB buffers (the JavaScript
 * defaults, with a budget smaller than one buffer): a 1 MB transfer each
 * way completes intact, in reasonable time (the window is offered only
 * as far as the ring can grow within the budget).
 */
static void tiny_budget_still_carries_data(void **state)
{
    (void)state;
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune_tiny;
    o.impair[0] = o.impair[1] = true;
    o.impair_cfg[0].delay_ms = o.impair_cfg[1].delay_ms = 5;
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    tcp_sim sim;
    assert_int_equal(tcp_sim_start(&sim, f, 1000000, 1000000, 5), 0);
    sim.chunk = 10000;
    uint64_t t0 = f->now;
    if (!tcp_sim_run(&sim, 60000))
        fail_msg("moved %llu and %llu of 1000000 bytes",
                 (unsigned long long)sim.end[1].received, (unsigned long long)sim.end[0].received);
    assert_int_equal(sim.end[0].bad_bytes + sim.end[1].bad_bytes, 0);
    if (f->now - t0 > 5000)
        fail_msg("1 MB each way took %llu ms", (unsigned long long)(f->now - t0));
    net_run_for(f, 70000);
    assert_int_equal(net_fixture_free(f), 0);
    /* one way, no delay */
    o.impair[0] = o.impair[1] = false;
    f = net_fixture_new(&o);
    assert_non_null(f);
    assert_int_equal(tcp_sim_start(&sim, f, 300000, 0, 6), 0);
    sim.chunk = 10000;
    if (!tcp_sim_run(&sim, 60000))
        fail_msg("one way: moved %llu of 300000 bytes", (unsigned long long)sim.end[1].received);
    net_run_for(f, 70000);
    assert_int_equal(net_fixture_free(f), 0);
}

/* POLLOUT must mean that a send takes something: once a send has been
 * refused for lack of room, the connection is not reported writable
 * (the ring may be larger than the send limit: it grows by doubling). */
static void writable_agrees_with_send(void **state)
{
    tcp_harness *th = *state;
    int h = open_conn(th);
    static uint8_t data[4096];
    int n = 0;
    for (int i = 0; i < 1000; i++) {
        n = synack_tcp_send(th->s, th->now, h, data, sizeof data);
        if (n < 0)
            break;
        assert_true(n > 0);
    }
    assert_int_equal(n, SYNACK_ERR_AGAIN);
    if (synack_tcp_events(th->s, h) & SYNACK_EV_WRITABLE)
        fail_msg("writable, but send says AGAIN");
}

static int teardown_th(void **state)
{
    tcp_harness *th = *state;
    return th == NULL || th_free(th) == 0 ? 0 : -1;
}

static int setup_null(void **state)
{
    *state = NULL;
    return setup_stream();
}

int main(void)
{
    setup_stream();
    const struct CMUnitTest tests[] = {
        th_unit_test(ring_growth_keeps_out_of_order_data),
        th_unit_test(writable_agrees_with_send),
        cmocka_unit_test_setup_teardown(out_of_order_data_goes_first, setup_null, teardown_th),
        cmocka_unit_test_setup_teardown(in_order_data_prunes_out_of_order_data, setup_null,
                                        teardown_th),
        cmocka_unit_test_setup_teardown(no_memory_means_not_acknowledged, setup_null,
                                        teardown_th),
        cmocka_unit_test(window_grows_with_a_fast_reader),
        cmocka_unit_test(window_stays_without_reading),
        cmocka_unit_test(tiny_budget_still_carries_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
