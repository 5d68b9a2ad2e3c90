/*
 * Hostile input: seeded random segments (flags, sequence and ACK numbers
 * near and far from the windows, options, payloads) and raw garbage
 * headers against a listener and established connections. Nothing may
 * crash, every bad segment is counted, and the stack never answers with
 * more than one segment per segment received (plus its own timers).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tcp_harness.h"

#define PEER 20000u

static uint64_t rng_state;

static uint32_t rnd(void)
{
    return (uint32_t)(th_xorshift64(&rng_state) >> 16);
}

static uint32_t near(uint32_t base)
{
    switch (rnd() % 4) {
    case 0:
        return base;
    case 1:
        return base + rnd() % 70000;
    case 2:
        return base - rnd() % 70000;
    default:
        return rnd();
    }
}

/* Seeds to run: 4, or SYNACK_FUZZ_SEEDS for a longer hunt. */
static uint64_t seeds(void)
{
    const char *e = getenv("SYNACK_FUZZ_SEEDS");
    long v = e ? strtol(e, NULL, 10) : 4;
    return v > 0 ? (uint64_t)v : 4;
}

static void random_segments(void **state)
{
    (void)state;
    uint64_t nseeds = seeds();
    for (uint64_t seed = 1; seed <= nseeds; seed++) {
        rng_state = seed * 0x9e3779b97f4a7c15ULL;
        tcp_harness *th = th_new(&(th_opts){.seed = seed, .trace = seed == 1});
        assert_non_null(th);
        char err[256];
        int h = th_active_open(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                              .mss = 1000, .sack_ok = true, .has_ts = true,
                                              .tsval = 5, .has_ws = true, .ws = 2},
                               err, sizeof err);
        assert_true(h >= 0);
        uint16_t conn_port = th->local_port;
        uint32_t una = th->stack_iss + 1;
        int l = synack_tcp_open(th->s);
        assert_int_equal(synack_tcp_bind(th->s, l, 80), 0);
        assert_int_equal(synack_tcp_listen(th->s, l, 8), 0);
        synack_tcp_send(th->s, th->now, h, "some data to have in flight", 27);
        uint8_t payload[1500];
        for (size_t i = 0; i < sizeof payload; i++)
            payload[i] = (uint8_t)rnd();
        uint64_t sent_before = th->frames_sent;
        unsigned n = 20000;
        for (unsigned i = 0; i < n; i++) {
            if (rnd() % 8 == 0) {
                /* raw bytes with a plausible or absurd header */
                uint8_t raw[80];
                for (size_t k = 0; k < sizeof raw; k++)
                    raw[k] = (uint8_t)rnd();
                synack_wr_be16(raw, TH_PEER_PORT);
                synack_wr_be16(raw + 2, rnd() % 2 ? conn_port : 80);
                th_send_raw(th, raw, rnd() % sizeof raw, rnd() % 4 != 0);
            } else {
                th_seg g;
                memset(&g, 0, sizeof g);
                g.dport = rnd() % 3 ? conn_port : 80;
                g.sport = rnd() % 4 ? TH_PEER_PORT : (uint16_t)(1024 + rnd() % 8);
                g.flags = (uint8_t)rnd();
                g.seq = near(PEER + 1);
                g.ack = near(una);
                g.win = (uint16_t)rnd();
                g.urg = (uint16_t)rnd();
                g.has_mss = rnd() % 4 == 0;
                g.mss = (uint16_t)rnd();
                g.has_ws = rnd() % 4 == 0;
                g.ws = (uint8_t)(rnd() % 20);
                g.sack_ok = rnd() % 4 == 0;
                g.has_ts = rnd() % 2 == 0;
                g.tsval = near(5);
                g.tsecr = rnd();
                g.sack_count = (uint8_t)(rnd() % 4);
                for (int k = 0; k < 4; k++) {
                    g.sack[k].left = near(una);
                    g.sack[k].right = g.sack[k].left + rnd() % 5000;
                }
                if (g.has_ts && g.sack_count > 3)
                    g.sack_count = 3;
                g.data = payload;
                g.len = rnd() % 3 ? 0 : rnd() % sizeof payload;
                g.bad_checksum = rnd() % 16 == 0;
                th_send(th, &g);
            }
            if (rnd() % 50 == 0)
                th_advance(th, rnd() % 3000);
            th_flush(th);
            if (rnd() % 100 == 0) {
                uint8_t buf[4096];
                synack_tcp_recv(th->s, th->now, h, buf, sizeof buf);
                int c = synack_tcp_accept(th->s, th->now, l, NULL, NULL);
                if (c >= 0)
                    synack_tcp_close(th->s, th->now, c);
            }
        }
        /* replies are bounded by what came in (and by the timers that ran) */
        uint64_t replies = th->frames_sent - sent_before;
        assert_true(replies <= 2 * (uint64_t)n);
        synack_counters c;
        synack_get_counters(th->s, &c);
        assert_true(c.drops_total > 0);
        /* the stack still works: a fresh connection on the listener */
        th->local_port = 80;
        th->peer_port = 999;
        send_segment(th, .flags = SYNACK_TCP_SYN, .seq = 1, .win = 1000);
        if (th_pending(th) < 1) {
            for (int d = 0; d < SYNACK_DROP__COUNT; d++)
                if (synack_drops(th->s, (synack_drop)d))
                    printf("# drop %s %llu\n", synack_drop_reason((synack_drop)d),
                                  (unsigned long long)synack_drops(th->s, (synack_drop)d));
        }
        assert_true(th_pending(th) >= 1);
        synack_tcp_close(th->s, th->now, h);
        synack_tcp_close(th->s, th->now, l);
        th_advance(th, 200000);
        assert_int_equal(th_free(th), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_segments),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
