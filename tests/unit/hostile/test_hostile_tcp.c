/*
 * Hostile TCP input (issue 10), one test per bug class of known stack CVEs,
 * each of which fails when its protection is taken out:
 *  - window scale above 14 (RFC 7323 2.3: clamp to 14);
 *  - the urgent pointer 0, past the segment and past the window (RFC 9293
 *    3.8.5 / RFC 6093: urgent data stays inline, the pointer is never an
 *    offset we use);
 *  - blind RST, SYN and data injection (RFC 5961 3, 4, 5);
 *  - a SYN flood during which legitimate clients still connect (SYN cookies,
 *    bounded half-open queue);
 *  - thousands of 1-byte out-of-order segments (bounded assembler);
 *  - SACK blocks with random edges (RFC 2018/6675: blocks outside
 *    (SND.UNA, SND.MAX] ignored), while a real transfer must still complete.
 * MSS 0 and 1 are in test_tcp_options.c, option lengths in test_wire_tcp.c.
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
#define R SYNACK_TCP_RST
#define P SYNACK_TCP_PSH
#define U SYNACK_TCP_URG

#define PEER 7000u

static uint64_t rng_state;

static uint32_t rnd(void)
{
    return (uint32_t)(th_xorshift64(&rng_state) >> 11);
}

static uint8_t pattern[70000];

static int setup(void **state)
{
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(i * 13 + (i >> 8));
    rng_state = 0x2545f4914f6cdd1dULL;
    *state = NULL;
    return 0;
}

static int teardown(void **state)
{
    tcp_harness *th = *state;
    return th_free(th) == 0 ? 0 : -1;
}

/* ---- window scale above 14 --------------------------------------------------- */

static void wscale_above_14_is_clamped(void **state)
{
    static const uint8_t shifts[] = {14, 15, 200, 255};
    for (size_t k = 0; k < sizeof shifts; k++) {
        tcp_harness *th = th_new(NULL);
        *state = th;
        char err[256];
        int l = -1;
        int h = th_passive_open(th, &(th_seg){.seq = PEER, .win = 1, .has_mss = true,
                                               .mss = 1460, .has_ws = true,
                                               .ws = shifts[k]},
                                &l, err, sizeof err);
        if (h < 0)
            fail_msg("ws %u: %s", shifts[k], err);
        /* a window field of 1 means 1 << 14 bytes at most */
        send_segment(th, .flags = A, .seq = PEER + 1, .ack = th->stack_iss + 1, .win = 1);
        synack_tcp_info info;
        assert_int_equal(synack_tcp_get_info(th->s, h, &info), 0);
        assert_int_equal(info.snd_wnd, 1u << 14);
        /* and it sends accordingly: the initial window (10 x 1460), which
         * is below 16384 */
        assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 20000), 20000);
        size_t sent = 0;
        while (th_next(th))
            sent += th->last.payload_len;
        assert_int_equal(sent, 14600);
        assert_int_equal(th_free(th), 0);
        *state = NULL;
    }
}

/* ---- urgent pointer ------------------------------------------------------------- */

static void rcvbuf_4k(synack_config *cfg)
{
    cfg->tcp.rcvbuf = 4096;
}

static void urgent_pointer_is_never_an_offset(void **state)
{
    tcp_harness *th = th_new(&(th_opts){.tune = rcvbuf_4k});
    *state = th;
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                                 .mss = 1460});
    uint32_t una = th->stack_iss + 1;
    /* 0; inside; one past the segment; far past the segment; past the
     * 4096-byte window; the largest value */
    static const uint16_t urg[] = {0, 3, 11, 1000, 5000, 65535};
    uint32_t seq = PEER + 1;
    for (size_t i = 0; i < sizeof urg / sizeof urg[0]; i++) {
        send_segment(th, .flags = A | P | U, .seq = seq, .ack = una, .win = 65535,
                     .urg = urg[i], .data = pattern + 10 * i, .len = 10);
        seq += 10;
    }
    /* a URG segment with no data and a pointer far away */
    send_segment(th, .flags = A | U, .seq = seq, .ack = una, .win = 65535, .urg = 65535);
    uint8_t buf[128];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 60);
    assert_memory_equal(buf, pattern, 60);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(info.rcv_nxt, seq);
}

/* ---- blind injection (RFC 5961) -------------------------------------------------- */

static void blind_injection_is_refused(void **state)
{
    tcp_harness *th = th_new(NULL);
    *state = th;
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                                 .mss = 1460});
    uint32_t una = th->stack_iss + 1;
    /* move snd_una on: 1000 bytes sent and acknowledged */
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 1000), 1000);
    th_flush(th);
    una += 1000;
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = una, .win = 65535);
    th_flush(th);
    uint64_t bad_ack0 = synack_drops(th->s, SYNACK_DROP_TCP_BAD_ACK);

    /* RST outside the window: ignored, no answer (RFC 5961 3.2) */
    send_segment(th, .flags = R, .seq = PEER + 1 + 3000000, .ack = una);
    expect_no_segment(th);
    /* RST in the window but not exact: challenge ACK, no reset */
    send_segment(th, .flags = R | A, .seq = PEER + 1 + 500, .ack = una);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
    /* SYN in the window: challenge ACK (RFC 5961 4.2) */
    send_segment(th, .flags = S, .seq = PEER + 1 + 20, .win = 1000);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
    /* data whose ACK is far below SND.UNA - MAX.SND.WND (RFC 5961 5.2) */
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = una - 200000, .win = 65535,
                 .data = "INJECTED", .len = 8);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
    /* data acknowledging what was never sent */
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = una + 100000, .win = 65535,
                 .data = "INJECTED", .len = 8);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);
    /* data outside the receive window */
    send_segment(th, .flags = A | P, .seq = PEER + 1 + 5000000, .ack = una, .win = 65535,
                 .data = "INJECTED", .len = 8);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER + 1, .win = 65535);

    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_BAD_ACK) - bad_ack0, 2);
    assert_true(synack_drops(th->s, SYNACK_DROP_TCP_RST_IGNORED) >= 1);
    assert_true(synack_drops(th->s, SYNACK_DROP_TCP_OUT_OF_WINDOW) >= 1);
    uint8_t buf[64];
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), SYNACK_ERR_AGAIN);
    assert_int_equal(synack_tcp_error(th->s, h), 0);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(info.rcv_nxt, PEER + 1);
    /* the real peer's data still goes through */
    send_segment(th, .flags = A | P, .seq = PEER + 1, .ack = una, .win = 65535,
                 .data = "real", .len = 4);
    assert_int_equal(synack_tcp_recv(th->s, th->now, h, buf, sizeof buf), 4);
    assert_memory_equal(buf, "real", 4);
}

/* ---- SYN flood ----------------------------------------------------------------------- */

static void flood_config(synack_config *cfg)
{
    cfg->tcp.sndbuf = 16384;
    cfg->tcp.rcvbuf = 16384;
}

#define FLOOD_SYNS 3000
#define FLOOD_EVERY 150

/* A legitimate client from `port`: SYN, the SYN-ACK (maybe a cookie), ACK. */
static bool legit_connect(tcp_harness *th, uint16_t port, uint32_t isn)
{
    th_flush(th);
    send_segment(th, .flags = S, .sport = port, .seq = isn, .win = 65535, .has_mss = true,
                 .mss = 1460);
    bool got = false;
    uint32_t iss = 0;
    while (th_next(th)) {
        if (th->last.dport == port && th->last.flags == (S | A) && th->last.ack == isn + 1) {
            got = true;
            iss = th->last.seq;
        }
    }
    if (!got)
        return false;
    send_segment(th, .flags = A, .sport = port, .seq = isn + 1, .ack = iss + 1, .win = 65535);
    send_segment(th, .flags = A | P, .sport = port, .seq = isn + 1, .ack = iss + 1,
                 .win = 65535, .data = "hi", .len = 2);
    return true;
}

static void syn_flood_leaves_room_for_real_clients(void **state)
{
    tcp_harness *th = th_new(&(th_opts){.tune = flood_config});
    *state = th;
    int l = synack_tcp_open(th->s);
    assert_int_equal(synack_tcp_bind(th->s, l, 80), 0);
    assert_int_equal(synack_tcp_listen(th->s, l, 16), 0);
    size_t base = th->mem_in_use;
    int legit = 0, accepted = 0;
    for (int i = 0; i < FLOOD_SYNS; i++) {
        /* spoofed SYNs never complete */
        send_segment(th, .flags = S, .sport = (uint16_t)(10000 + i), .seq = rnd(),
                     .win = 65535, .has_mss = true, .mss = 1460);
        if (i % 64 == 0)
            th_flush(th);
        if (i % FLOOD_EVERY == FLOOD_EVERY - 1) {
            uint16_t port = (uint16_t)(50000 + legit);
            if (!legit_connect(th, port, rnd()))
                fail_msg("client %d got no SYN-ACK after %d flood SYNs", legit, i + 1);
            legit++;
            synack_addr a;
            uint16_t p;
            int c = synack_tcp_accept(th->s, th->now, l, &a, &p);
            if (c < 0)
                fail_msg("client %d (port %u) was not accepted: %d", legit, port, c);
            assert_int_equal(p, port);
            uint8_t buf[8];
            assert_int_equal(synack_tcp_recv(th->s, th->now, c, buf, sizeof buf), 2);
            assert_int_equal(synack_tcp_abort(th->s, th->now, c), 0);
            accepted++;
            th_advance(th, 10);
        }
    }
    th_flush(th);
    assert_int_equal(accepted, FLOOD_SYNS / FLOOD_EVERY);
    /* half-open state stays bounded by the backlog, not by the flood */
    assert_true(th->mem_peak - base < 1024u * 1024u);
    synack_counters c;
    synack_get_counters(th->s, &c);
    assert_true(c.tcp_syn_cookies_sent > FLOOD_SYNS / 2);
}

/* ---- thousands of 1-byte out-of-order segments ---------------------------------------- */

static void rcvbuf_64k(synack_config *cfg)
{
    cfg->tcp.rcvbuf = 65536;
}

static void many_tiny_ooo_segments_are_bounded(void **state)
{
    tcp_harness *th = th_new(&(th_opts){.tune = rcvbuf_64k});
    *state = th;
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                                 .mss = 1460, .sack_ok = true});
    uint32_t una = th->stack_iss + 1;
    uint32_t seq = PEER + 1;
    size_t base = th->mem_in_use;
    /* 1-byte segments at every other offset, in a scrambled order: each would
     * be its own range */
    enum { N = 5000 };
    for (uint32_t i = 0; i < N; i++) {
        uint32_t k = (i * 7919u) % N; /* a permutation of 0..N-1 (7919 is prime) */
        uint32_t off = 2 + 2 * k;
        send_segment(th, .flags = A, .seq = seq + off, .ack = una, .win = 65535,
                     .data = pattern + off, .len = 1);
        if (i % 512 == 0)
            th_flush(th);
    }
    th_flush(th);
    /* the default bound of 64 ranges: the rest was refused and counted */
    assert_int_equal(synack_drops(th->s, SYNACK_DROP_TCP_OOO_FULL), N - 64);
    /* memory: the receive buffer and 64 ranges, nothing per segment */
    assert_true(th->mem_peak - base <= 65536 + 64 * sizeof(synack_sack_block) + 256);
    /* the stream still works: the sender fills in everything in order */
    for (uint32_t off = 0; off < 2 * N + 2; off += 1000) {
        uint32_t len = 2 * N + 2 - off < 1000 ? 2 * N + 2 - off : 1000;
        send_segment(th, .flags = A, .seq = seq + off, .ack = una, .win = 65535,
                     .data = pattern + off, .len = len);
        uint8_t buf[2048];
        int n = synack_tcp_recv(th->s, th->now, h, buf, sizeof buf);
        assert_int_equal(n, (int)len);
        assert_memory_equal(buf, pattern + off, len);
    }
}

/* ---- random SACK blocks ------------------------------------------------------------- */

static void sack_config(synack_config *cfg)
{
    cfg->tcp.sndbuf = 65536;
}

/* A SACK block outside (SND.UNA, SND.MAX]: old, beyond what was sent,
 * inverted, or anywhere in the sequence space but the window. */
static synack_sack_block bogus_block(uint32_t una, uint32_t max)
{
    for (;;) {
        uint32_t a = rnd() % 200000, b = 1 + rnd() % 8192;
        synack_sack_block k;
        switch (rnd() % 4) {
        case 0: /* old */
            k = (synack_sack_block){una - a - b, una - a};
            break;
        case 1: /* beyond SND.MAX */
            k = (synack_sack_block){max + 1 + a, max + 1 + a + b};
            break;
        case 2: /* inverted */
            k = (synack_sack_block){una + a + b, una + a};
            break;
        default:
            k = (synack_sack_block){rnd() << 1, rnd() << 1};
            break;
        }
        /* keep only blocks an honest receiver could not send */
        bool inside = k.right - una - 1 < max - una && k.left != k.right &&
                      (int32_t)(k.right - k.left) > 0;
        if (!inside)
            return k;
    }
}

/* Up to 3 SACK blocks for what `got` holds above `rcv` (offsets from base). */
static uint8_t honest_blocks(const uint8_t *got, uint32_t total, uint32_t rcv_off,
                             uint32_t base, synack_sack_block *out)
{
    uint8_t n = 0;
    uint32_t o = rcv_off;
    while (o < total && n < 3) {
        while (o < total && !got[o])
            o++;
        if (o >= total)
            break;
        uint32_t l = o;
        while (o < total && got[o])
            o++;
        out[n++] = (synack_sack_block){base + l, base + o};
    }
    return n;
}

static void random_sack_blocks_do_not_derail_a_transfer(void **state)
{
    tcp_harness *th = th_new(&(th_opts){.tune = sack_config});
    *state = th;
    int h = th_active_open_or_fail(th, &(th_seg){.seq = PEER, .win = 65535, .has_mss = true,
                                                 .mss = 1000, .sack_ok = true});
    uint32_t iss1 = th->stack_iss + 1;
    enum { TOTAL = 60000, LOST = 20500 };
    static uint8_t got[TOTAL];
    memset(got, 0, sizeof got);
    uint64_t start = th->now;
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, TOTAL), TOTAL);
    size_t base = th->mem_in_use;
    /* Before anything near LOST is sent: a block claiming that the bytes
     * around it arrived. The peer then loses the first copy of LOST; an
     * honest SACK receiver gets it back by fast retransmit only if that
     * claim was ignored (otherwise the hole looks SACKed until an RTO). */
    send_segment(th, .flags = A, .seq = PEER + 1, .ack = iss1, .win = 65535, .sack_count = 1,
                 .sack = {{iss1 + LOST - 500, iss1 + LOST + 1500}});
    /* the peer: a SACK receiver that checks every byte */
    uint32_t rcv = 0;
    bool lost = false;
    int rounds = 0;
    while (rcv != TOTAL && rounds < 3000) {
        rounds++;
        while (th_next(th)) {
            const synack_tcp_repr *g = &th->last;
            uint32_t off = g->seq - iss1, len = (uint32_t)g->payload_len;
            if (len == 0 || off >= TOTAL || len > TOTAL - off)
                continue;
            if (!lost && off <= LOST && off + len > LOST) {
                lost = true; /* the first copy of LOST never arrives */
                continue;
            }
            assert_memory_equal(th->last_payload, pattern + off, len);
            memset(got + off, 1, len);
        }
        while (rcv < TOTAL && got[rcv])
            rcv++;
        synack_tcp_info info;
        synack_tcp_get_info(th->s, h, &info);
        /* a hostile ACK: the right ACK number, impossible SACK blocks */
        th_seg bad = {.flags = A, .seq = PEER + 1, .ack = iss1 + rcv, .win = 65535,
                      .sack_count = (uint8_t)(1 + rnd() % 4)};
        for (int b = 0; b < bad.sack_count; b++)
            bad.sack[b] = bogus_block(info.snd_una, info.snd_nxt);
        th_send(th, &bad);
        /* the honest ACK */
        th_seg ok = {.flags = A, .seq = PEER + 1, .ack = iss1 + rcv, .win = 65535};
        ok.sack_count = honest_blocks(got, TOTAL, rcv, iss1, ok.sack);
        th_send(th, &ok);
        if (rounds % 8 == 0)
            th_advance_to_deadline(th, 5000);
    }
    assert_true(lost);
    assert_int_equal(rcv, TOTAL);
    synack_tcp_info info;
    assert_int_equal(synack_tcp_get_info(th->s, h, &info), 0);
    assert_int_equal(info.state, SYNACK_TCP_ESTABLISHED);
    assert_int_equal(info.snd_una, iss1 + TOTAL);
    assert_int_equal(info.sndbuf_used, 0);
    /* the one lost segment came back by fast retransmit, before any RTO */
    assert_true(info.rexmit_bytes <= 2000);
    assert_true(th->now - start < info.rto_ms);
    assert_true(th->mem_peak - base < 4096);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(wscale_above_14_is_clamped, setup, teardown),
        cmocka_unit_test_setup_teardown(urgent_pointer_is_never_an_offset, setup, teardown),
        cmocka_unit_test_setup_teardown(blind_injection_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(syn_flood_leaves_room_for_real_clients, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(many_tiny_ooo_segments_are_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(random_sack_blocks_do_not_derail_a_transfer, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
