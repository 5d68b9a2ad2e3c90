/*
 * Simulations with many connections: concurrent transfers on one listener
 * under loss (demultiplexing, the timer heap), and connection churn that
 * must leave nothing behind once TIME-WAIT is over.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_fixture.h"
#include "net_frames.h"
#include "tcp_sim.h"
#include "test_addr.h"

#define NCONN 48
#define BYTES 60000u

typedef struct conn {
    int a, b;               /* client handle on A, server handle on B */
    uint32_t sent_a, got_b; /* A->B stream */
    uint32_t sent_b, got_a; /* B->A stream */
    bool shut_a, shut_b, eof_a, eof_b, closed;
    uint64_t bad;
} conn;

typedef struct many {
    int listener;
    conn c[NCONN];
    int accepted;
    int errors;
    uint8_t buf[8192];
} many;

static uint64_t seed_of(int i, int dir)
{
    return (uint64_t)i * 2 + (uint64_t)dir + 100;
}

static void stream_send(synack_stack *s, uint64_t now, int h, uint64_t seed,
                        uint32_t *sent, bool *shut, uint8_t *buf, int *errors)
{
    while (*sent < BYTES) {
        uint32_t n = BYTES - *sent < 8192 ? BYTES - *sent : 8192;
        for (uint32_t k = 0; k < n; k++)
            buf[k] = tcp_sim_stream_byte(seed, *sent + k);
        int rc = synack_tcp_send(s, now, h, buf, n);
        if (rc <= 0) {
            if (rc != SYNACK_ERR_AGAIN)
                (*errors)++;
            return;
        }
        *sent += (uint32_t)rc;
    }
    if (!*shut) {
        synack_tcp_shutdown(s, now, h);
        *shut = true;
    }
}

static void stream_recv(synack_stack *s, uint64_t now, int h, uint64_t seed,
                        uint32_t *got, bool *eof, uint64_t *bad, uint8_t *buf, int *errors)
{
    for (int i = 0; i < 64 && !*eof; i++) {
        int rc = synack_tcp_recv(s, now, h, buf, 8192);
        if (rc > 0) {
            for (int k = 0; k < rc; k++)
                *bad += buf[k] != tcp_sim_stream_byte(seed, *got + (uint32_t)k);
            *got += (uint32_t)rc;
        } else if (rc == 0) {
            *eof = true;
        } else {
            if (rc != SYNACK_ERR_AGAIN)
                (*errors)++;
            return;
        }
    }
}

static bool step(net_fixture *f, void *ctx)
{
    many *m = ctx;
    for (;;) {
        synack_addr addr;
        uint16_t port;
        int h = synack_tcp_accept(f->b, f->now, m->listener, &addr, &port);
        if (h < 0)
            break;
        /* match by the client's port */
        for (int i = 0; i < NCONN; i++) {
            synack_tcp_info info;
            if (synack_tcp_get_info(f->a, m->c[i].a, &info) == 0 && info.local_port == port)
                m->c[i].b = h;
        }
        m->accepted++;
    }
    bool all = true;
    for (int i = 0; i < NCONN; i++) {
        conn *c = &m->c[i];
        if (c->closed)
            continue;
        all = false;
        if (!(synack_tcp_events(f->a, c->a) & SYNACK_EV_CONNECTED) || c->b < 0)
            continue;
        stream_send(f->a, f->now, c->a, seed_of(i, 0), &c->sent_a, &c->shut_a, m->buf, &m->errors);
        stream_send(f->b, f->now, c->b, seed_of(i, 1), &c->sent_b, &c->shut_b, m->buf, &m->errors);
        stream_recv(f->b, f->now, c->b, seed_of(i, 0), &c->got_b, &c->eof_b, &c->bad, m->buf,
                    &m->errors);
        stream_recv(f->a, f->now, c->a, seed_of(i, 1), &c->got_a, &c->eof_a, &c->bad, m->buf,
                    &m->errors);
        if (c->eof_a && c->eof_b && c->shut_a && c->shut_b) {
            synack_tcp_close(f->a, f->now, c->a);
            synack_tcp_close(f->b, f->now, c->b);
            c->closed = true;
        }
    }
    return all || m->errors;
}

static void tune(void *ctx, int side, synack_config *cfg)
{
    (void)ctx;
    (void)side;
    cfg->tcp.sndbuf = 32768;
    cfg->tcp.rcvbuf = 32768;
    cfg->tcp.msl_ms = 1000;
}

static void concurrent_transfers_under_loss(void **state)
{
    (void)state;
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune;
    for (int i = 0; i < 2; i++) {
        o.impair[i] = true;
        memset(&o.impair_cfg[i], 0, sizeof o.impair_cfg[i]);
        o.impair_cfg[i].loss = 0.02;
        o.impair_cfg[i].delay_ms = 5;
        o.impair_cfg[i].jitter_ms = 3;
        o.impair_cfg[i].seed = 77 + (uint64_t)i;
    }
    net_fixture *f = net_fixture_new(&o);
    assert_non_null(f);
    many *m = calloc(1, sizeof *m);
    m->listener = synack_tcp_open(f->b);
    assert_int_equal(synack_tcp_bind(f->b, m->listener, 7000), 0);
    assert_int_equal(synack_tcp_listen(f->b, m->listener, NCONN), 0);
    for (int i = 0; i < NCONN; i++) {
        m->c[i].a = synack_tcp_open(f->a);
        m->c[i].b = -1;
        assert_int_equal(synack_tcp_connect(f->a, f->now, m->c[i].a, ADDR4(net_ip(1)), 7000), 0);
    }
    bool ok = net_run_until(f, step, m, 600000);
    uint64_t bad = 0;
    int done = 0;
    for (int i = 0; i < NCONN; i++) {
        bad += m->c[i].bad;
        done += m->c[i].closed;
        if (!m->c[i].closed)
            printf("# conn %d: a sent %u got %u, b sent %u got %u\n", i, m->c[i].sent_a,
                   m->c[i].got_a, m->c[i].sent_b, m->c[i].got_b);
    }
    printf("# %d/%d connections done at t=%llu ms, accepted %d\n", done, NCONN,
           (unsigned long long)f->now, m->accepted);
    assert_true(ok);
    assert_int_equal(m->errors, 0);
    assert_int_equal(bad, 0);
    assert_int_equal(done, NCONN);
    for (int i = 0; i < NCONN; i++) {
        assert_int_equal(m->c[i].got_a, BYTES);
        assert_int_equal(m->c[i].got_b, BYTES);
    }
    /* after TIME-WAIT (2 * 1 s) nothing of TCP is left */
    net_run_for(f, 60000);
    synack_counters c;
    synack_get_counters(f->a, &c);
    assert_int_equal(synack_tcp_close(f->b, f->now, m->listener), 0);
    free(m);
    assert_int_equal(net_fixture_free(f), 0);
}

static void churn_leaves_nothing_behind(void **state)
{
    (void)state;
    net_fixture_opts o = net_fixture_defaults();
    o.tune = tune;
    net_fixture *f = net_fixture_new(&o);
    int l = synack_tcp_open(f->b);
    synack_tcp_bind(f->b, l, 80);
    synack_tcp_listen(f->b, l, 16);
    net_settle(f);
    size_t base = f->mem_in_use;
    for (int r = 0; r < 500; r++) {
        int a = synack_tcp_open(f->a);
        assert_int_equal(synack_tcp_connect(f->a, f->now, a, ADDR4(net_ip(1)), 80), 0);
        net_settle(f);
        int b = synack_tcp_accept(f->b, f->now, l, NULL, NULL);
        assert_true(b >= 0);
        assert_int_equal(synack_tcp_send(f->a, f->now, a, "ping", 4), 4);
        net_settle(f);
        uint8_t buf[8];
        assert_int_equal(synack_tcp_recv(f->b, f->now, b, buf, sizeof buf), 4);
        /* alternate who closes first */
        if (r & 1) {
            synack_tcp_close(f->a, f->now, a);
            net_settle(f);
            synack_tcp_close(f->b, f->now, b);
        } else {
            synack_tcp_close(f->b, f->now, b);
            net_settle(f);
            synack_tcp_close(f->a, f->now, a);
        }
        net_settle(f);
        f->now += 3;
    }
    net_run_for(f, 5000);
    /* TIME-WAIT is over and every buffer was returned (the handle, hash and
       heap tables may have grown; allow for them) */
    assert_true(f->mem_in_use < base + 64 * 1024);
    synack_tcp_close(f->b, f->now, l);
    assert_int_equal(net_fixture_free(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_transfers_under_loss),
        cmocka_unit_test(churn_leaves_nothing_behind),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
