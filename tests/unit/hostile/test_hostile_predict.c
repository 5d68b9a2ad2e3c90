/*
 * Numbers an off-path attacker must not guess (issue 10): ISNs (RFC 6528),
 * ephemeral ports (RFC 6056; for UDP, which DNS uses, RFC 5452 asks for
 * random ports) and IPv4 IDs (RFC 7739). Seen across many 4-tuples and
 * over time, none may show a usable relation: no shared counter, no
 * constant step, balanced bits, and a different secret (seed) gives
 * different numbers for the same 4-tuple at the same time.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"
#include "test_addr.h"

#define N 256

typedef struct conn_sample {
    uint32_t isn;
    uint16_t sport;
} conn_sample;

/* Connect to the peer's ports 1000..1000+n-1 and record each SYN. */
static void sample_connects(tcp_harness *th, conn_sample *out, int n, uint64_t step_ms)
{
    for (int i = 0; i < n; i++) {
        th_flush(th);
        int h = synack_tcp_open(th->s);
        assert_true(h >= 0);
        assert_int_equal(synack_tcp_connect(th->s, th->now, h, ADDR4(TH_PEER_IP),
                                            (uint16_t)(1000 + i)), 0);
        assert_true(th_next(th));
        assert_int_equal(th->last.flags, SYNACK_TCP_SYN);
        out[i].isn = th->last.seq;
        out[i].sport = th->last.sport;
        assert_int_equal(synack_tcp_abort(th->s, th->now, h), 0);
        th_flush(th);
        if (step_ms)
            th_advance(th, step_ms);
    }
}

/* Every bit of the values is set in 25%..75% of them. */
static void assert_bits_balanced(const uint32_t *v, int n, int bits)
{
    for (int b = 0; b < bits; b++) {
        int ones = 0;
        for (int i = 0; i < n; i++)
            ones += (v[i] >> b) & 1;
        if (ones < n / 4 || ones > 3 * n / 4)
            fail_msg("bit %d set in %d of %d values", b, ones, n);
    }
}

/* How often consecutive values differ by the same step as the first pair
 * (a counter, or a counter plus a constant, gives n - 1). */
static int same_steps(const uint32_t *v, int n, uint32_t mask)
{
    int same = 0;
    for (int i = 2; i < n; i++)
        if (((v[i] - v[i - 1]) & mask) == ((v[1] - v[0]) & mask) ||
            ((v[i] - v[i - 1]) & mask) == 1)
            same++;
    return same;
}

static int distinct(const uint32_t *v, int n)
{
    int d = 0;
    for (int i = 0; i < n; i++) {
        bool seen = false;
        for (int j = 0; j < i && !seen; j++)
            seen = v[j] == v[i];
        d += !seen;
    }
    return d;
}

/* N 16-bit values (ports, IP IDs) show no usable relation: a few
 * collisions at most, no constant step, and the low `bits` bits balanced. */
static void assert_looks_random16(const uint32_t *v, int bits)
{
    assert_true(distinct(v, N) >= N - 8);
    assert_true(same_steps(v, N, 0xffff) < 8);
    assert_bits_balanced(v, N, bits);
}

static void isns_show_no_relation(void **state)
{
    (void)state;
    static conn_sample a[N];
    uint32_t v[N];
    /* many 4-tuples at one moment, and (second run) 1 ms apart */
    for (int run = 0; run < 2; run++) {
        tcp_harness *th = th_new(&(th_opts){.seed = 42});
        assert_non_null(th);
        sample_connects(th, a, N, run ? 1 : 0);
        for (int i = 0; i < N; i++)
            v[i] = a[i].isn;
        assert_int_equal(distinct(v, N), N);
        assert_bits_balanced(v, N, 32);
        assert_true(same_steps(v, N, 0xffffffffu) < 4);
        assert_int_equal(th_free(th), 0);
    }
    /* the same 4-tuple at the same time under another secret */
    tcp_harness *t1 = th_new(&(th_opts){.seed = 1});
    tcp_harness *t2 = th_new(&(th_opts){.seed = 2});
    assert_non_null(t1);
    assert_non_null(t2);
    conn_sample s1[8], s2[8];
    sample_connects(t1, s1, 8, 0);
    sample_connects(t2, s2, 8, 0);
    int equal = 0;
    for (int i = 0; i < 8; i++)
        equal += s1[i].isn == s2[i].isn;
    assert_int_equal(equal, 0);
    assert_int_equal(th_free(t1), 0);
    assert_int_equal(th_free(t2), 0);
}

static void tcp_ports_show_no_relation_across_destinations(void **state)
{
    (void)state;
    static conn_sample a[N];
    uint32_t v[N];
    tcp_harness *th = th_new(&(th_opts){.seed = 43});
    assert_non_null(th);
    sample_connects(th, a, N, 3);
    for (int i = 0; i < N; i++) {
        v[i] = a[i].sport;
        assert_true(v[i] >= 49152);
    }
    /* 256 draws from 16384 ports: a few collisions at most */
    assert_looks_random16(v, 8);
    assert_int_equal(th_free(th), 0);
}

static void udp_ports_are_random(void **state)
{
    (void)state;
    uint32_t v[N];
    tcp_harness *th = th_new(&(th_opts){.seed = 44});
    assert_non_null(th);
    /* one socket after another, as DNS queries use them */
    for (int i = 0; i < N; i++) {
        int h = synack_udp_open(th->s, 0);
        assert_true(h >= 0);
        int p = synack_udp_port(th->s, h);
        assert_true(p >= 49152 && p <= 65535);
        v[i] = (uint32_t)p;
        synack_udp_close(th->s, h);
    }
    assert_looks_random16(v, 8);
    assert_int_equal(th_free(th), 0);
}

static void ip_ids_show_no_shared_counter(void **state)
{
    (void)state;
    uint32_t v[N];
    tcp_harness *th = th_new(&(th_opts){.seed = 45});
    assert_non_null(th);
    /* off-link destinations go through the peer as the gateway */
    assert_int_equal(synack_set_ipv4(th->s, th->now, TH_LOCAL_IP, 24, TH_PEER_IP), 0);
    th_flush(th);
    int h = synack_udp_open(th->s, 5000);
    assert_true(h >= 0);
    for (int i = 0; i < N; i++) {
        synack_ip4 dst = SYNACK_IP4(198, 18, (uint8_t)(i >> 4), (uint8_t)(1 + (i & 15)));
        assert_true(synack_udp_sendto(th->s, th->now, h, ADDR4(dst), 9, "x", 1) >= 0);
        assert_int_equal(th->count, 1);
        const th_frame *f = &th->frames[th->head];
        assert_true(f->len >= 14 + 20);
        v[i] = synack_ld_be16(f->data + 14 + 4);
        th_flush(th);
        th_advance(th, 1);
    }
    assert_looks_random16(v, 16);
    /* one destination: an ID may repeat only after 65536 datagrams */
    uint32_t first = 0;
    for (int i = 0; i < 4; i++) {
        synack_udp_sendto(th->s, th->now, h, ADDR4(SYNACK_IP4(198, 18, 0, 1)), 9, "y", 1);
        uint32_t id = synack_ld_be16(th->frames[th->head].data + 18);
        if (i == 0)
            first = id;
        else
            assert_int_not_equal(id, first);
        th_flush(th);
    }
    synack_udp_close(th->s, h);
    assert_int_equal(th_free(th), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(isns_show_no_relation),
        cmocka_unit_test(tcp_ports_show_no_relation_across_destinations),
        cmocka_unit_test(udp_ports_are_random),
        cmocka_unit_test(ip_ids_show_no_shared_counter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
