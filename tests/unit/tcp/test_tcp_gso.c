/*
 * Send segmentation offload (synack_link.gso_max / send_gso): new data
 * leaves as one IP packet of whole segments with a partial TCP checksum
 * (the pseudo-header sum); retransmissions stay at most one MSS; a link
 * without the knob behaves as before (every other suite).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "tcp_harness.h"

#define A SYNACK_TCP_ACK
#define P SYNACK_TCP_PSH
#define PEER_ISN 1000u
#define ETH 14u

static uint8_t pattern[65536];

/* What the link's send_gso saw (a test-only recorder). */
static struct {
    unsigned calls;
    uint32_t seg;
    synack_gso g; /* the offload values as given */
    size_t len;
    uint8_t frame[14 + 65535];
} gso;

static int record_gso(void *ctx, const uint8_t *frame, size_t len, const synack_gso *g)
{
    (void)ctx;
    gso.calls++;
    gso.seg = g->seg;
    gso.g = *g;
    gso.len = len;
    memcpy(gso.frame, frame, len);
    return 0;
}

static void tune_gso(synack_config *cfg)
{
    cfg->link.gso_max = 65535;
    cfg->link.send_gso = record_gso;
}

/* A harness whose link records send_gso calls, configured by `tune`. */
static tcp_harness *gso_harness(void (*tune)(synack_config *))
{
    for (size_t i = 0; i < sizeof pattern; i++)
        pattern[i] = (uint8_t)(i * 7 + (i >> 8));
    memset(&gso, 0, sizeof gso);
    th_opts o = {.tune = tune};
    return th_new(&o);
}

static int setup(void **state)
{
    *state = gso_harness(tune_gso);
    return *state ? 0 : -1;
}

static void new_data_as_one_gso_packet_rexmit_at_mss(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    synack_counters before;
    synack_get_counters(th->s, &before);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 30000), 30000);
    expect_no_segment(th); /* nothing through the plain send */
    assert_int_equal(gso.calls, 1);
    assert_int_equal(gso.seg, 1460);
    const uint8_t *ip = gso.frame + ETH;
    size_t tl = (size_t)(ip[2] << 8 | ip[3]);
    assert_int_equal(tl, gso.len - ETH);
    const uint8_t *tcp = ip + 20;
    size_t thl = (size_t)(tcp[12] >> 4) * 4;
    size_t payload = tl - 20 - thl;
    assert_true(payload >= 2 * 1460);
    assert_int_equal(payload % 1460, 0);
    assert_true(tl > 1500);
    /* counted as the segments the link will make of it */
    synack_counters cnt;
    synack_get_counters(th->s, &cnt);
    assert_int_equal(cnt.tcp_segs_out - before.tcp_segs_out, payload / 1460);
    assert_int_equal(((uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
                      (uint32_t)tcp[6] << 8 | tcp[7]), una);
    assert_memory_equal(tcp + thl, pattern, payload);
    /* the offsets are given, not left for the driver to find: TCP after
     * Ethernet and a 20-byte IPv4 header, its checksum field at 16 */
    assert_int_equal(gso.g.family, SYNACK_AF_IP4);
    assert_int_equal(gso.g.csum_start, ETH + 20);
    assert_int_equal(gso.g.csum_offset, 16);
    assert_int_equal(gso.g.hdr_len, ETH + 20 + thl);
    /* IP header checksum complete */
    assert_int_equal(synack_csum_finish(synack_csum_add(0, ip, 20)), 0);
    /* TCP checksum field: the pseudo-header sum; summing the segment
     * over it gives the full checksum (what the kernel does per piece) */
    uint64_t ps = synack_csum_pseudo(TH_LOCAL_IP, TH_PEER_IP, 6, (uint32_t)(tl - 20));
    uint16_t field = (uint16_t)(tcp[16] << 8 | tcp[17]);
    assert_int_equal(field, (uint16_t)~synack_csum_finish(ps));
    static uint8_t seg[65535];
    memcpy(seg, tcp, tl - 20);
    seg[16] = seg[17] = 0;
    uint16_t full = synack_csum_finish(synack_csum_add(ps, seg, tl - 20));
    uint16_t fin = synack_csum_finish(synack_csum_add(0, tcp, tl - 20));
    assert_int_equal(full, fin);

    /* no ACK: the RTO resends the head, one MSS, through the plain send */
    unsigned calls = gso.calls;
    assert_true(th_advance_until_segment(th, 5000));
    expect_segment(th, .flags = A, .seq = una, .ack = PEER_ISN + 1, .win = 65535,
                   .data = pattern, .len = 1460);
    assert_int_equal(gso.calls, calls);
    synack_tcp_info info;
    synack_tcp_get_info(th->s, h, &info);
    assert_int_equal(info.bytes_sent, payload);
}

static void remainder_below_two_segments_goes_plain(void **state)
{
    tcp_harness *th = *state;
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;
    /* 1.5 segments: too little for offload, sent as before */
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 2190), 2190);
    assert_int_equal(gso.calls, 0);
    expect_segment(th, .flags = A, .seq = una, .ack = PEER_ISN + 1, .win = 65535,
                   .data = pattern, .len = 1460);
    /* no small segment is unacknowledged: the tail goes (Minshall's Nagle,
       as without offload) */
    expect_segment(th, .flags = A | P, .seq = una + 1460, .ack = PEER_ISN + 1,
                   .win = 65535, .data = pattern + 1460, .len = 730);
    assert_int_equal(gso.calls, 0);
    /* 3.5 segments: three in one GSO packet, the half plain, as before */
    send_segment(th, .flags = A, .seq = PEER_ISN + 1, .ack = una + 2190, .win = 65535);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 5110), 5110);
    assert_int_equal(gso.calls, 1);
    assert_int_equal(gso.len, ETH + 20 + 20 + 3 * 1460);
    expect_segment(th, .flags = A | P, .seq = una + 2190 + 3 * 1460, .ack = PEER_ISN + 1,
                   .win = 65535, .data = pattern + 3 * 1460, .len = 730);
    /* a second small write waits while that tail is unacknowledged */
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 100), 100);
    expect_no_segment(th);
}

static void tune_gso_short_arp(synack_config *cfg)
{
    tune_gso(cfg);
    cfg->arp_timeout_ms = 1000;
    cfg->neigh_cache_size = 1;
}

static uint16_t be16_at(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}


/* Whether the front frame is an ARP packet (dropped if so). */
static bool drop_arp(tcp_harness *th)
{
    if (th->count == 0)
        return false;
    const th_frame *f = &th->frames[th->head];
    if (f->len < ETH || be16_at(f->data + 12) != SYNACK_ETHERTYPE_ARP)
        return false;
    th_drop_frame(th);
    return true;
}

/*
 * The send-offload packet of `tl` IP octets in gso.frame: TCP sequence
 * number `seq`, whole segments of 1460 octets of the pattern, complete IP
 * checksum and the pseudo-header sum in the TCP checksum field (the link
 * finishes each piece). Returns its payload length.
 */
static size_t check_gso_packet(uint32_t seq)
{
    const uint8_t *ip = gso.frame + ETH;
    size_t tl = (size_t)(ip[2] << 8 | ip[3]);
    assert_int_equal(tl, gso.len - ETH);
    assert_true(tl > 1500);
    assert_int_equal(synack_csum_finish(synack_csum_add(0, ip, 20)), 0);
    const uint8_t *tcp = ip + 20;
    size_t thl = (size_t)(tcp[12] >> 4) * 4;
    size_t payload = tl - 20 - thl;
    assert_int_equal(payload % 1460, 0);
    assert_int_equal(((uint32_t)tcp[4] << 24 | (uint32_t)tcp[5] << 16 |
                      (uint32_t)tcp[6] << 8 | tcp[7]), seq);
    assert_memory_equal(tcp + thl, pattern, payload);
    uint64_t ps = synack_csum_pseudo(TH_LOCAL_IP, TH_PEER_IP, 6, (uint32_t)(tl - 20));
    assert_int_equal((uint16_t)(tcp[16] << 8 | tcp[17]), (uint16_t)~synack_csum_finish(ps));
    return payload;
}

/*
 * ARP and offload. An expired entry still sends at once (revalidated while
 * in use), so the packet still goes to send_gso. Without an entry the
 * packet waits for ARP; it must not leave as IP fragments carrying TCP
 * segments above the peer's MSS (RFC 9293 3.7.1, the effective MSS): once
 * the address is resolved it goes to send_gso like any offload packet,
 * and the link cuts it into MSS-sized segments.
 */
static void arp_unresolved_gso_packet_waits_then_goes_to_send_gso(void **state)
{
    (void)state;
    tcp_harness *th = gso_harness(tune_gso_short_arp);
    assert_non_null(th);
    int h = th_open_or_fail(th, PEER_ISN, 65535, 1460, false);
    uint32_t una = th->stack_iss + 1;

    th_advance(th, 2000); /* the entry expires */
    expect_no_segment(th);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 10000), 10000);
    assert_int_equal(gso.calls, 1);
    assert_true(drop_arp(th)); /* the revalidation request */
    assert_int_equal(th_answer_arp(th), 0);
    uint32_t sent = (uint32_t)(gso.len - ETH - 20 - 20);
    while (th->count > 0)
        th_drop_frame(th);
    send_segment(th, .flags = A, .seq = PEER_ISN + 1, .ack = una + sent, .win = 65535);
    while (th->count > 0) /* the 10000-byte tail, plain */
        th_drop_frame(th);
    send_segment(th, .flags = A, .seq = PEER_ISN + 1, .ack = una + 10000, .win = 65535);
    una += 10000;

    /* An ARP request from another host (10.0.0.9): with a one-entry cache
     * its entry takes the peer's place. */
    th_send_arp_from(th, SYNACK_ARP_REQUEST, (synack_mac){{0x02, 0, 0, 0, 0, 0x09}},
                     SYNACK_IP4(10, 0, 0, 9));
    while (th->count > 0)
        th_drop_frame(th); /* our reply to the stranger */
    gso.calls = 0;
    synack_counters before;
    synack_get_counters(th->s, &before);
    assert_int_equal(synack_tcp_send(th->s, th->now, h, pattern, 30000), 30000);
    assert_int_equal(gso.calls, 0); /* waiting for ARP */
    assert_int_equal(th_answer_arp(th), 1);
    /* resolved: the offload packet, whole, to send_gso, with the offload
     * values it was queued with */
    assert_int_equal(gso.calls, 1);
    assert_int_equal(gso.seg, 1460);
    assert_int_equal(gso.g.family, SYNACK_AF_IP4);
    assert_int_equal(gso.g.csum_start, ETH + 20);
    assert_int_equal(gso.g.csum_offset, 16);
    assert_int_equal(gso.g.hdr_len, ETH + 20 + ((gso.frame[ETH + 20 + 12] >> 4) * 4));
    size_t payload = check_gso_packet(una);
    assert_true(payload >= 2 * 1460);
    /* and no IP fragments, no frame above the MTU */
    synack_counters after;
    synack_get_counters(th->s, &after);
    assert_int_equal(after.ip_frags_out, before.ip_frags_out);
    while (th->count > 0) {
        assert_true(th->frames[th->head].len <= ETH + 1500);
        th_drop_frame(th);
    }
    th_free(th);
}

static void tune_no_send_gso(synack_config *cfg)
{
    cfg->link.gso_max = 65535;
}

static void tune_too_big(synack_config *cfg)
{
    cfg->link.gso_max = 65536;
    cfg->link.send_gso = record_gso;
}

static void config_checks_the_knob(void **state)
{
    (void)state;
    th_opts o = {.tune = tune_no_send_gso};
    assert_null(th_new(&o));
    o.tune = tune_too_big;
    assert_null(th_new(&o));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(new_data_as_one_gso_packet_rexmit_at_mss, setup,
                                        th_teardown),
        cmocka_unit_test_setup_teardown(remainder_below_two_segments_goes_plain, setup,
                                        th_teardown),
        cmocka_unit_test(arp_unresolved_gso_packet_waits_then_goes_to_send_gso),
        cmocka_unit_test(config_checks_the_knob),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
