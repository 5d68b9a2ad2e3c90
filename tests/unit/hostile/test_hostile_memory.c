/*
 * Memory that grows with need (issue 14, defect 6): what a connection costs
 * is what it holds, not the configured maximum buffer.
 *
 *  - one byte received (by an accepted connection, and by one still in the
 *    accept queue) must not allocate the whole receive buffer;
 *  - 1,000 clients that each send one byte (half accepted, half still
 *    queued) keep the stack within its buffer budget, the default one
 *    (64 MiB) and a small one (4 MiB), while an honest bulk transfer on the
 *    same stack completes with every byte checked.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"
#include "net_frames.h"
#include "tcp_sim.h"
#include "test_addr.h"

#include <stdio.h>
#include <stdlib.h>

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

/* ---- 1,000 one-byte clients ------------------------------------------------- */

#define CLIENTS 1000
#define BULK_BYTES (4u * 1024u * 1024u)

/* A counting allocator for the stack under test (side B). */
typedef struct mem_count {
    size_t in_use, peak;
    uint64_t budget; /* cfg.tcp.mem_max, 0 = default */
} mem_count;

static void *mc_alloc(void *ctx, size_t size)
{
    mem_count *m = ctx;
    void *p = malloc(size);
    if (p) {
        m->in_use += size;
        if (m->in_use > m->peak)
            m->peak = m->in_use;
    }
    return p;
}

static void mc_free(void *ctx, void *p, size_t size)
{
    mem_count *m = ctx;
    if (p) {
        m->in_use -= size;
        free(p);
    }
}

static void tune_b(void *ctx, int side, synack_config *cfg)
{
    mem_count *m = ctx;
    cfg->tcp.max_conns = 1100;
    if (side != 1)
        return;
    cfg->alloc = (synack_allocator){mc_alloc, mc_free, m};
    if (m->budget)
        cfg->tcp.mem_max = m->budget;
}

/*
 * CLIENTS connections from A to B each send one byte; B accepts half of
 * them (and reads nothing), the other half stay in the accept queue. Then
 * a BULK_BYTES transfer runs from A to B on the same stack. B's peak
 * allocation, beyond what it held with every connection open and no data,
 * stays within its budget; with the default budget the whole stack stays
 * within 64 MiB.
 */
static void one_byte_clients_within(uint64_t budget)
{
    mem_count m = {0, 0, budget};
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune_b;
    o.tune_ctx = &m;
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    int l = synack_tcp_open(f->b);
    assert_int_equal(synack_tcp_bind(f->b, l, 80), 0);
    assert_int_equal(synack_tcp_listen(f->b, l, CLIENTS), 0);
    net_settle(f);
    static int ha[CLIENTS];
    for (int i = 0; i < CLIENTS; i++) {
        ha[i] = synack_tcp_open(f->a);
        assert_true(ha[i] >= 0);
        assert_int_equal(synack_tcp_connect(f->a, f->now, ha[i], ADDR4(net_ip(1)), 80), 0);
        if (i % 100 == 99)
            net_run_for(f, 10);
    }
    net_run_for(f, 100);
    int accepted = 0;
    while (accepted < CLIENTS / 2 && synack_tcp_accept(f->b, f->now, l, NULL, NULL) >= 0)
        accepted++;
    assert_int_equal(accepted, CLIENTS / 2);
    size_t base = m.in_use; /* every connection, no data */
    for (int i = 0; i < CLIENTS; i++)
        assert_int_equal(synack_tcp_send(f->a, f->now, ha[i], "!", 1), 1);
    net_run_for(f, 500);
    size_t idle_peak = m.peak;

    tcp_sim sim;
    assert_int_equal(tcp_sim_start(&sim, f, BULK_BYTES, 0, 14), 0);
    if (!tcp_sim_run(&sim, 600000))
        fail_msg("bulk transfer did not complete: %llu of %u bytes",
                 (unsigned long long)sim.end[1].received, BULK_BYTES);
    assert_int_equal(sim.end[1].bad_bytes, 0);

    uint64_t max = budget ? budget : 64u * 1024u * 1024u;
    if (m.peak - base > max)
        fail_msg("buffers took %zu bytes (budget %llu; %zu with the one-byte clients only)",
                 m.peak - base, (unsigned long long)max, idle_peak - base);
    if (!budget && m.peak > max)
        fail_msg("the stack took %zu bytes in all", m.peak);
    /* every client's byte is acknowledged or will be: nothing was lost */
    printf("budget %llu: base %zu, one-byte clients +%zu, peak +%zu, drops mem %llu\n",
           (unsigned long long)max, base, idle_peak - base, m.peak - base,
           (unsigned long long)synack_drops(f->b, SYNACK_DROP_TCP_MEM_PRESSURE));
    assert_int_equal(net_fixture_free(f), 0);
    assert_int_equal(m.in_use, 0);
}

static void one_byte_clients_default_budget(void **state)
{
    (void)state;
    one_byte_clients_within(0);
}

static void one_byte_clients_small_budget(void **state)
{
    (void)state;
    one_byte_clients_within(4u * 1024u * 1024u);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        th_unit_test(one_byte_allocates_little),
        cmocka_unit_test(one_byte_clients_default_budget),
        cmocka_unit_test(one_byte_clients_small_budget),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
