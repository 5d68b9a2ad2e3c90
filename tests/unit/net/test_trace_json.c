/* Trace events as JSON (DESIGN.md trace contract): exact text per kind. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "synack/synack.h"

static synack_trace_event make(synack_trace_kind kind, uint64_t t, int32_t conn)
{
    synack_trace_event ev;
    memset(&ev, 0, sizeof ev);
    ev.kind = kind;
    ev.t = t;
    ev.conn = conn;
    return ev;
}

/* Format into a roomy buffer and compare; also check the returned length. */
static void expect_json(const synack_trace_event *ev, const char *want)
{
    char buf[512];
    size_t n = synack_trace_json(ev, buf, sizeof buf);
    assert_string_equal(buf, want);
    assert_int_equal(n, strlen(want));
}

static void test_seg_syn_with_options(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_SEG, 1234, 3);
    ev.u.seg.out = true;
    ev.u.seg.flags = SYNACK_TCP_SYN;
    ev.u.seg.seq = 305419896;
    ev.u.seg.win = 64240;
    ev.u.seg.has_mss = true;
    ev.u.seg.mss = 1460;
    ev.u.seg.has_ws = true;
    ev.u.seg.ws = 7;
    ev.u.seg.sack_ok = true;
    ev.u.seg.has_ts = true;
    ev.u.seg.tsval = 662316;
    ev.u.seg.tsecr = 0;
    expect_json(&ev, "{\"t\":1234,\"ev\":\"seg\",\"conn\":3,\"dir\":\"out\","
                     "\"flags\":\"S\",\"seq\":305419896,\"ack\":0,"
                     "\"win\":64240,\"len\":0,\"opts\":{\"mss\":1460,"
                     "\"ws\":7,\"sackok\":true,\"ts\":[662316,0]},"
                     "\"rexmit\":false}");
}

static void test_seg_data_with_sack(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_SEG, 0, 0);
    ev.u.seg.out = false;
    ev.u.seg.flags = SYNACK_TCP_ACK;
    ev.u.seg.seq = 4294967295u;
    ev.u.seg.ack = 1;
    ev.u.seg.win = 1048576;
    ev.u.seg.len = 1448;
    ev.u.seg.rexmit = true;
    ev.u.seg.sack_count = 2;
    ev.u.seg.sack[0][0] = 100;
    ev.u.seg.sack[0][1] = 200;
    ev.u.seg.sack[1][0] = 300;
    ev.u.seg.sack[1][1] = 400;
    expect_json(&ev, "{\"t\":0,\"ev\":\"seg\",\"conn\":0,\"dir\":\"in\","
                     "\"flags\":\"A\",\"seq\":4294967295,\"ack\":1,"
                     "\"win\":1048576,\"len\":1448,"
                     "\"opts\":{\"sack\":[[100,200],[300,400]]},"
                     "\"rexmit\":true}");
}

static void test_seg_flag_strings(void **state)
{
    (void)state;
    static const struct {
        uint8_t flags;
        const char *text;
    } cases[] = {
        {SYNACK_TCP_SYN | SYNACK_TCP_ACK, "SA"},
        {SYNACK_TCP_FIN | SYNACK_TCP_ACK, "FA"},
        {SYNACK_TCP_PSH | SYNACK_TCP_ACK, "PA"},
        {SYNACK_TCP_RST | SYNACK_TCP_ACK, "RA"},
        {SYNACK_TCP_RST, "R"},
        {SYNACK_TCP_ACK, "A"},
        {SYNACK_TCP_FIN | SYNACK_TCP_PSH | SYNACK_TCP_ACK, "FPA"},
        {0xff, "SFRPAUEC"},
        {0, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        synack_trace_event ev = make(SYNACK_TRACE_SEG, 5, -1);
        ev.u.seg.flags = cases[i].flags;
        char want[256];
        strcpy(want, "{\"t\":5,\"ev\":\"seg\",\"dir\":\"in\",\"flags\":\"");
        strcat(want, cases[i].text);
        strcat(want, "\",\"seq\":0,\"ack\":0,\"win\":0,\"len\":0,\"opts\":{},"
                     "\"rexmit\":false}");
        expect_json(&ev, want);
    }
}

static void test_state(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_STATE, 18446744073709551615u, 2147483647);
    ev.u.state.from = SYNACK_TCP_SYN_SENT;
    ev.u.state.to = SYNACK_TCP_ESTABLISHED;
    expect_json(&ev, "{\"t\":18446744073709551615,\"ev\":\"state\","
                     "\"conn\":2147483647,\"from\":\"SYN-SENT\","
                     "\"to\":\"ESTABLISHED\"}");
}

static void test_cc(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_CC, 100, 1);
    ev.u.cc.cwnd = 14600;
    ev.u.cc.ssthresh = 4294967295u;
    ev.u.cc.srtt = 25;
    ev.u.cc.rttvar = 12;
    ev.u.cc.rto = 200;
    ev.u.cc.inflight = 2920;
    ev.u.cc.phase = SYNACK_CC_SLOW_START;
    expect_json(&ev, "{\"t\":100,\"ev\":\"cc\",\"conn\":1,\"cwnd\":14600,"
                     "\"ssthresh\":4294967295,\"srtt\":25,\"rttvar\":12,"
                     "\"rto\":200,\"inflight\":2920,\"phase\":\"slow-start\"}");
    ev.u.cc.phase = SYNACK_CC_AVOIDANCE;
    char buf[512];
    synack_trace_json(&ev, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"phase\":\"avoidance\"}"));
    ev.u.cc.phase = SYNACK_CC_RECOVERY;
    synack_trace_json(&ev, buf, sizeof buf);
    assert_non_null(strstr(buf, "\"phase\":\"recovery\"}"));
}

static void test_win(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_WIN, 7, 4);
    ev.u.win.snd_una = 1;
    ev.u.win.snd_nxt = 2;
    ev.u.win.snd_wnd = 3;
    ev.u.win.rcv_nxt = 4;
    ev.u.win.rcv_wnd = 5;
    ev.u.win.sndbuf = 6;
    ev.u.win.rcvbuf = 7;
    expect_json(&ev, "{\"t\":7,\"ev\":\"win\",\"conn\":4,\"snd_una\":1,"
                     "\"snd_nxt\":2,\"snd_wnd\":3,\"rcv_nxt\":4,\"rcv_wnd\":5,"
                     "\"sndbuf\":6,\"rcvbuf\":7}");
}

static void test_timer(void **state)
{
    (void)state;
    static const char *const names[] = {"rexmit", "persist", "keepalive",
                                        "delack", "time-wait", "rack", "tlp"};
    static const char *const actions[] = {"set", "fired", "cleared"};
    for (int n = 0; n < 7; n++) {
        for (int a = 0; a < 3; a++) {
            synack_trace_event ev = make(SYNACK_TRACE_TIMER, 10, 9);
            ev.u.timer.name = (synack_timer_name)n;
            ev.u.timer.action = (synack_timer_action)a;
            ev.u.timer.at = 1210;
            char want[256];
            strcpy(want, "{\"t\":10,\"ev\":\"timer\",\"conn\":9,\"name\":\"");
            strcat(want, names[n]);
            strcat(want, "\",\"action\":\"");
            strcat(want, actions[a]);
            strcat(want, "\",\"at\":1210}");
            expect_json(&ev, want);
        }
    }
}

static void test_drop(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_DROP, 42, -1);
    ev.u.drop.layer = synack_drop_layer(SYNACK_DROP_TCP_BAD_CHECKSUM);
    ev.u.drop.reason = synack_drop_reason(SYNACK_DROP_TCP_BAD_CHECKSUM);
    expect_json(&ev, "{\"t\":42,\"ev\":\"drop\",\"layer\":\"tcp\","
                     "\"reason\":\"bad-checksum\"}");
    ev.conn = 6;
    ev.u.drop.reason = "out-of-window";
    expect_json(&ev, "{\"t\":42,\"ev\":\"drop\",\"conn\":6,\"layer\":\"tcp\","
                     "\"reason\":\"out-of-window\"}");
    ev.u.drop.layer = NULL;
    ev.u.drop.reason = NULL;
    expect_json(&ev, "{\"t\":42,\"ev\":\"drop\",\"conn\":6,\"layer\":\"unknown\","
                     "\"reason\":\"unknown\"}");
}

/* An address from text, for the IPv6 events. */
static synack_addr addr_of(const char *text)
{
    synack_addr a;
    assert_int_equal(synack_addr_parse(text, &a), 0);
    return a;
}

/* Neighbour states, both families: RFC 4861 names, the MAC as text. */
static void test_neigh(void **state)
{
    (void)state;
    static const char *const names[] = {"NONE", "INCOMPLETE", "REACHABLE", "STALE",
                                        "DELAY", "PROBE", "FAILED"};
    for (int from = 0; from < 7; from++) {
        synack_trace_event ev = make(SYNACK_TRACE_NEIGH, 5, -1);
        ev.u.neigh.addr = addr_of("fe80::1");
        ev.u.neigh.mac = (synack_mac){{0x02, 0xaa, 0, 0x0f, 0x10, 0xff}};
        ev.u.neigh.from = (synack_nud_state)from;
        ev.u.neigh.to = (synack_nud_state)((from + 1) % 7);
        char want[256];
        strcpy(want, "{\"t\":5,\"ev\":\"neigh\",\"addr\":\"fe80::1\","
                     "\"mac\":\"02:aa:00:0f:10:ff\",\"from\":\"");
        strcat(want, names[from]);
        strcat(want, "\",\"to\":\"");
        strcat(want, names[(from + 1) % 7]);
        strcat(want, "\"}");
        expect_json(&ev, want);
    }
    synack_trace_event ev = make(SYNACK_TRACE_NEIGH, 6, -1);
    ev.u.neigh.addr = addr_of("10.0.0.2");
    ev.u.neigh.from = SYNACK_NUD_NONE;
    ev.u.neigh.to = SYNACK_NUD_INCOMPLETE;
    expect_json(&ev, "{\"t\":6,\"ev\":\"neigh\",\"addr\":\"10.0.0.2\","
                     "\"mac\":\"00:00:00:00:00:00\",\"from\":\"NONE\",\"to\":\"INCOMPLETE\"}");
}

static void test_addr(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_ADDR, 900, -1);
    ev.u.addr.addr = addr_of("fd00::a8bb:ccff:fedd:eeff");
    ev.u.addr.prefix_len = 64;
    ev.u.addr.origin = SYNACK_IP6_ORIGIN_SLAAC;
    ev.u.addr.from = SYNACK_IP6_NONE;
    ev.u.addr.to = SYNACK_IP6_TENTATIVE;
    expect_json(&ev, "{\"t\":900,\"ev\":\"addr\",\"addr\":\"fd00::a8bb:ccff:fedd:eeff\","
                     "\"plen\":64,\"origin\":\"slaac\",\"from\":\"none\",\"to\":\"tentative\"}");
    ev.u.addr.origin = SYNACK_IP6_ORIGIN_LINKLOCAL;
    ev.u.addr.from = SYNACK_IP6_TENTATIVE;
    ev.u.addr.to = SYNACK_IP6_PREFERRED;
    expect_json(&ev, "{\"t\":900,\"ev\":\"addr\",\"addr\":\"fd00::a8bb:ccff:fedd:eeff\","
                     "\"plen\":64,\"origin\":\"link-local\",\"from\":\"tentative\","
                     "\"to\":\"preferred\"}");
    ev.u.addr.origin = SYNACK_IP6_ORIGIN_STATIC;
    ev.u.addr.from = SYNACK_IP6_DEPRECATED;
    ev.u.addr.to = SYNACK_IP6_NONE;
    expect_json(&ev, "{\"t\":900,\"ev\":\"addr\",\"addr\":\"fd00::a8bb:ccff:fedd:eeff\","
                     "\"plen\":64,\"origin\":\"static\",\"from\":\"deprecated\","
                     "\"to\":\"removed\"}");
    ev.u.addr.from = SYNACK_IP6_TENTATIVE;
    ev.u.addr.to = SYNACK_IP6_DUPLICATE;
    expect_json(&ev, "{\"t\":900,\"ev\":\"addr\",\"addr\":\"fd00::a8bb:ccff:fedd:eeff\","
                     "\"plen\":64,\"origin\":\"static\",\"from\":\"tentative\","
                     "\"to\":\"duplicate\"}");
}

static void test_router_and_pmtu(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_ROUTER, 10, -1);
    ev.u.router.addr = addr_of("fe80::fe");
    ev.u.router.added = true;
    ev.u.router.lifetime = 1800;
    ev.u.router.pref = -1;
    expect_json(&ev, "{\"t\":10,\"ev\":\"router\",\"addr\":\"fe80::fe\",\"action\":\"added\","
                     "\"lifetime\":1800,\"pref\":-1}");
    ev.u.router.added = false;
    expect_json(&ev, "{\"t\":10,\"ev\":\"router\",\"addr\":\"fe80::fe\","
                     "\"action\":\"removed\"}");
    ev = make(SYNACK_TRACE_PMTU, 11, -1);
    ev.u.pmtu.dst = addr_of("2001:db8::2");
    ev.u.pmtu.mtu = 1280;
    expect_json(&ev, "{\"t\":11,\"ev\":\"pmtu\",\"dst\":\"2001:db8::2\",\"mtu\":1280}");
}

static void test_string_escaping(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_DROP, 1, -1);
    ev.u.drop.layer = "a\"b\\c";
    ev.u.drop.reason = "\n\t\r\x01\x1f\x7f\xc3\xa9";
    expect_json(&ev, "{\"t\":1,\"ev\":\"drop\",\"layer\":\"a\\\"b\\\\c\","
                     "\"reason\":\"\\n\\t\\r\\u0001\\u001f\\u007f\xc3\xa9\"}");
}

static void test_error(void **state)
{
    (void)state;
    static const struct {
        int code;
        const char *text;
    } cases[] = {
        {SYNACK_ERR_REFUSED, "refused"},
        {SYNACK_ERR_RESET, "reset"},
        {SYNACK_ERR_TIMEOUT, "timeout"},
        {SYNACK_ERR_UNREACHABLE, "unreachable"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        synack_trace_event ev = make(SYNACK_TRACE_ERROR, 3000, 2);
        ev.u.error.code = cases[i].code;
        char want[128];
        strcpy(want, "{\"t\":3000,\"ev\":\"error\",\"conn\":2,\"code\":\"");
        strcat(want, cases[i].text);
        strcat(want, "\"}");
        expect_json(&ev, want);
    }
}

/* Small buffers: the needed length is returned and the text truncated. */
static void test_truncation(void **state)
{
    (void)state;
    synack_trace_event ev = make(SYNACK_TRACE_STATE, 1, 1);
    ev.u.state.from = SYNACK_TCP_LISTEN;
    ev.u.state.to = SYNACK_TCP_SYN_RECEIVED;
    const char *full = "{\"t\":1,\"ev\":\"state\",\"conn\":1,\"from\":\"LISTEN\","
                       "\"to\":\"SYN-RECEIVED\"}";
    size_t need = strlen(full);
    char buf[128];
    for (size_t cap = 1; cap <= need + 1; cap++) {
        memset(buf, 'X', sizeof buf);
        assert_int_equal(synack_trace_json(&ev, buf, cap), need);
        assert_int_equal(strlen(buf), cap - 1);
        assert_memory_equal(buf, full, cap - 1);
        assert_int_equal(buf[cap], 'X'); /* nothing written past cap */
    }
    assert_int_equal(synack_trace_json(&ev, NULL, 0), need);
    buf[0] = 'X';
    assert_int_equal(synack_trace_json(&ev, buf, 0), need);
    assert_int_equal(buf[0], 'X');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seg_syn_with_options),
        cmocka_unit_test(test_seg_data_with_sack),
        cmocka_unit_test(test_seg_flag_strings),
        cmocka_unit_test(test_state),
        cmocka_unit_test(test_cc),
        cmocka_unit_test(test_win),
        cmocka_unit_test(test_timer),
        cmocka_unit_test(test_drop),
        cmocka_unit_test(test_neigh),
        cmocka_unit_test(test_addr),
        cmocka_unit_test(test_router_and_pmtu),
        cmocka_unit_test(test_string_escaping),
        cmocka_unit_test(test_error),
        cmocka_unit_test(test_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
