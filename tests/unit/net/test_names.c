/* Error, state and drop names; dotted-quad parse and format. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "synack/synack.h"

static void test_strerror(void **state)
{
    (void)state;
    assert_string_equal(synack_strerror(SYNACK_ERR_REFUSED), "refused");
    assert_string_equal(synack_strerror(SYNACK_ERR_RESET), "reset");
    assert_string_equal(synack_strerror(SYNACK_ERR_TIMEOUT), "timed out");
    assert_string_equal(synack_strerror(SYNACK_ERR_UNREACHABLE), "unreachable");
    assert_string_equal(synack_strerror(SYNACK_OK), "ok");
    assert_string_equal(synack_strerror(12345), "unknown error");
    /* Every code has its own non-empty name. */
    for (int e = SYNACK_OK; e >= SYNACK_ERR_ABORTED; e--) {
        const char *name = synack_strerror(e);
        assert_non_null(name);
        assert_true(strlen(name) > 0);
        assert_true(strcmp(name, "unknown error") != 0);
        for (int f = e - 1; f >= SYNACK_ERR_ABORTED; f--)
            assert_true(strcmp(name, synack_strerror(f)) != 0);
    }
}

static void test_state_names(void **state)
{
    (void)state;
    static const char *const want[] = {
        "CLOSED",     "LISTEN",     "SYN-SENT",   "SYN-RECEIVED",
        "ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT",
        "CLOSING",    "LAST-ACK",   "TIME-WAIT",
    };
    for (int s = SYNACK_TCP_CLOSED; s <= SYNACK_TCP_TIME_WAIT; s++)
        assert_string_equal(synack_tcp_state_name((synack_tcp_state)s), want[s]);
    assert_string_equal(synack_tcp_state_name((synack_tcp_state)99), "UNKNOWN");
}

static void test_drop_names(void **state)
{
    (void)state;
    assert_string_equal(synack_drop_layer(SYNACK_DROP_TCP_BAD_CHECKSUM), "tcp");
    assert_string_equal(synack_drop_reason(SYNACK_DROP_TCP_BAD_CHECKSUM),
                        "bad-checksum");
    assert_string_equal(synack_drop_reason(SYNACK_DROP_TCP_OUT_OF_WINDOW),
                        "out-of-window");
    assert_string_equal(synack_drop_reason(SYNACK_DROP_TCP_NO_SOCKET),
                        "no-socket");
    assert_string_equal(synack_drop_layer(SYNACK_DROP_ETH_RUNT), "eth");
    /* the neighbour cache's, shared by ARP and NDP; ARP's own stay ARP's */
    assert_string_equal(synack_drop_layer(SYNACK_DROP_NEIGH_QUEUE_FULL), "neigh");
    assert_string_equal(synack_drop_reason(SYNACK_DROP_NEIGH_QUEUE_FULL), "queue-full");
    assert_string_equal(synack_drop_layer(SYNACK_DROP_NEIGH_FAILED), "neigh");
    assert_string_equal(synack_drop_layer(SYNACK_DROP_ARP_SPOOF), "arp");
    assert_string_equal(synack_drop_layer(SYNACK_DROP_IPV4_TTL), "ipv4");
    assert_string_equal(synack_drop_layer(SYNACK_DROP_DNS_MALFORMED), "dns");
    assert_string_equal(synack_drop_layer(SYNACK_DROP__COUNT), "unknown");
    assert_string_equal(synack_drop_reason((synack_drop)-1), "unknown");

    /* Every reason is named, in lower-case kebab form, and (layer, reason)
     * pairs are unique. */
    for (int d = 0; d < SYNACK_DROP__COUNT; d++) {
        const char *l = synack_drop_layer((synack_drop)d);
        const char *r = synack_drop_reason((synack_drop)d);
        assert_true(strcmp(l, "unknown") != 0);
        assert_true(strcmp(r, "unknown") != 0);
        for (const char *p = r; *p; p++)
            assert_true((*p >= 'a' && *p <= 'z') || *p == '-');
        for (int e = d + 1; e < SYNACK_DROP__COUNT; e++)
            assert_false(strcmp(l, synack_drop_layer((synack_drop)e)) == 0 &&
                         strcmp(r, synack_drop_reason((synack_drop)e)) == 0);
    }
}

static void test_parse_valid(void **state)
{
    (void)state;
    synack_ip4 a = 0;
    assert_int_equal(synack_ip4_parse_text("10.0.2.15", &a), 0);
    assert_int_equal(a, SYNACK_IP4(10, 0, 2, 15));
    assert_int_equal(synack_ip4_parse_text("0.0.0.0", &a), 0);
    assert_int_equal(a, 0);
    assert_int_equal(synack_ip4_parse_text("255.255.255.255", &a), 0);
    assert_int_equal(a, 0xffffffffu);
    assert_int_equal(synack_ip4_parse_text("192.168.100.1", &a), 0);
    assert_int_equal(a, SYNACK_IP4(192, 168, 100, 1));
}

static void test_parse_invalid(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "", ".", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.256", "1..2.3",
        "1.2.3.", ".1.2.3", "01.2.3.4", "1.2.3.04", "1.2.3.4 ", " 1.2.3.4",
        "1.2.3.4/24", "a.b.c.d", "1.2.3.-4", "+1.2.3.4", "1.2.3.0x4",
        "1000.2.3.4", "1.2.3.4444", "0x0a.0.0.1", "999.999.999.999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        synack_ip4 a = 0x12345678;
        assert_int_equal(synack_ip4_parse_text(bad[i], &a), SYNACK_ERR_INVAL);
        assert_int_equal(a, 0x12345678); /* untouched on failure */
    }
    synack_ip4 a;
    assert_int_equal(synack_ip4_parse_text(NULL, &a), SYNACK_ERR_INVAL);
    assert_int_equal(synack_ip4_parse_text("1.2.3.4", NULL), SYNACK_ERR_INVAL);
}

static void test_format(void **state)
{
    (void)state;
    char buf[16];
    assert_int_equal(synack_ip4_format(SYNACK_IP4(10, 0, 2, 15), buf), 9);
    assert_string_equal(buf, "10.0.2.15");
    assert_int_equal(synack_ip4_format(0xffffffffu, buf), 15);
    assert_string_equal(buf, "255.255.255.255");
    assert_int_equal(synack_ip4_format(0, buf), 7);
    assert_string_equal(buf, "0.0.0.0");
    assert_int_equal(synack_ip4_format(SYNACK_IP4(100, 9, 10, 199), buf), 12);
    assert_string_equal(buf, "100.9.10.199");
}

static void test_format_parse_round_trip(void **state)
{
    (void)state;
    uint32_t v = 0x9e3779b9u;
    for (int i = 0; i < 2000; i++) {
        v = v * 2654435761u + 0x7f4a7c15u;
        char buf[16];
        synack_ip4 back = 0;
        int n = synack_ip4_format(v, buf);
        assert_int_equal((size_t)n, strlen(buf));
        assert_int_equal(synack_ip4_parse_text(buf, &back), 0);
        assert_int_equal(back, v);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_strerror),
        cmocka_unit_test(test_state_names),
        cmocka_unit_test(test_drop_names),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_invalid),
        cmocka_unit_test(test_format),
        cmocka_unit_test(test_format_parse_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
