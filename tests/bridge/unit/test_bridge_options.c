/* synack-bridge command line parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "options.h"

static synack_br_options o;
static char err[256];

static int parse(const char *line)
{
    static char copy[1024];
    char *argv[64];
    int argc = 0;
    strcpy(copy, line);
    argv[argc++] = "synack-bridge";
    for (char *t = strtok(copy, " "); t != NULL && argc < 63; t = strtok(NULL, " "))
        argv[argc++] = t;
    argv[argc] = NULL;
    err[0] = '\0';
    return synack_br_options_parse(&o, argc, argv, err, sizeof(err));
}

static void test_defaults(void **state)
{
    (void)state;
    assert_int_equal(parse("--listen 8001"), 0);
    assert_string_equal(o.listen_host, "127.0.0.1");
    assert_string_equal(o.listen_port, "8001");
    assert_int_equal(o.backend, SYNACK_BR_BACKEND_NONE);
    assert_int_equal(o.max_clients, 64);
    assert_int_equal(o.max_frame, 1518);
    assert_int_equal(o.rate_fps, 20000);
    assert_int_equal(o.queue_bytes, 262144);
    assert_false(o.allow_all);
    assert_null(o.token);
}

static void test_listen_forms(void **state)
{
    (void)state;
    assert_int_equal(parse("--listen 0.0.0.0:9000"), 0);
    assert_string_equal(o.listen_host, "0.0.0.0");
    assert_string_equal(o.listen_port, "9000");
    assert_int_equal(parse("--listen=[::1]:80"), 0);
    assert_string_equal(o.listen_host, "::1");
    assert_int_equal(parse("--listen :0"), 0);
    assert_string_equal(o.listen_host, "127.0.0.1");
    assert_int_equal(parse("--listen 127.0.0.1:70000"), -1);
    assert_int_equal(parse("--listen"), -1);
    assert_int_equal(parse("--slirp"), -1); /* --listen or --listen-ws is required */
}

static void test_websocket_options(void **state)
{
    (void)state;
    assert_int_equal(parse("--listen-ws 8080 --slirp"), 0); /* alone: no --listen */
    assert_null(o.listen_port);
    assert_string_equal(o.ws_host, "127.0.0.1");
    assert_string_equal(o.ws_port, "8080");
    assert_int_equal(parse("--listen 8001 --listen-ws=[::1]:8080 --ws-origin https://a.example "
                           "--ws-origin http://127.0.0.1:8000"), 0);
    assert_string_equal(o.listen_port, "8001");
    assert_string_equal(o.ws_host, "::1");
    assert_int_equal(o.ws_origin_count, 2);
    assert_string_equal(o.ws_origins[1], "http://127.0.0.1:8000");
    assert_int_equal(parse("--listen 8001 --ws-origin https://a.example"), -1); /* needs --listen-ws */
    assert_int_equal(parse("--listen-ws 99999"), -1);
    char line[1024] = "--listen-ws 8080";
    for (int i = 0; i < SYNACK_BR_WS_ORIGIN_MAX + 1; i++)
        strcat(line, " --ws-origin http://o.example");
    assert_int_equal(parse(line), -1); /* 17 origins */
}

static void test_allow_ip6_and_prefixes(void **state)
{
    (void)state;
    static const uint8_t doc[16] = {0x20, 0x01, 0x0d, 0xb8};
    static const uint8_t one[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    assert_int_equal(parse("--listen 1 --slirp --allow [::1]:8000 --allow [2001:db8::/32]:443 "
                           "--allow [2001:db8::1]:* --allow 10.1.0.0/16:80 --allow localhost:53"), 0);
    assert_int_equal(o.allow_count, 5);
    assert_true(o.allow[0].ip6 && o.allow[0].host6); /* the host's ::1: slirp's IPv6 host */
    assert_int_equal(o.allow[0].port, 8000);
    assert_true(o.allow[1].ip6 && !o.allow[1].host6);
    assert_memory_equal(o.allow[1].addr6, doc, 16);
    assert_int_equal(o.allow[1].plen, 32);
    assert_memory_equal(o.allow[2].addr6, one, 16);
    assert_int_equal(o.allow[2].plen, 0);
    assert_int_equal(o.allow[2].port, 0);
    assert_false(o.allow[3].ip6);
    assert_int_equal(o.allow[3].ip, SYNACK_IP4(10, 1, 0, 0));
    assert_int_equal(o.allow[3].plen, 16);
    assert_int_equal(o.allow[4].ip, SYNACK_IP4(10, 0, 2, 2)); /* localhost: both families */
    assert_true(o.allow[4].host6 && !o.allow[4].ip6);
    assert_int_equal(parse("--listen 1 --slirp --allow [::]:80"), -1);
    assert_int_equal(parse("--listen 1 --slirp --allow [2001:db8::/129]:80"), -1);
    assert_int_equal(parse("--listen 1 --slirp --allow [nonsense]:80"), -1);
    assert_int_equal(parse("--listen 1 --slirp --allow 10.0.0.0/33:80"), -1);

    /* the IPv6 network: default, another prefix, off */
    assert_int_equal(parse("--listen 1 --slirp"), 0);
    assert_true(o.net.ip6);
    assert_int_equal(o.net.prefix6_len, 64);
    assert_int_equal(o.net.host6[0], 0xfd);
    assert_int_equal(o.net.host6[15], 2);
    assert_int_equal(o.net.dns6[15], 3);
    assert_int_equal(parse("--listen 1 --slirp --ip6-prefix fd12:3456:789a:1::77/64"), 0);
    static const uint8_t host6[16] = {0xfd, 0x12, 0x34, 0x56, 0x78, 0x9a, 0, 1, [15] = 2};
    assert_memory_equal(o.net.host6, host6, 16); /* the host bits were cleared */
    assert_int_equal(o.net.prefix6[15], 0);
    assert_int_equal(parse("--listen 1 --slirp --no-ip6"), 0);
    assert_false(o.net.ip6);
    assert_int_equal(parse("--listen 1 --slirp --ip6-prefix fe80::/64"), -1);
    assert_int_equal(parse("--listen 1 --slirp --ip6-prefix fd00::"), -1);   /* no length */
    assert_int_equal(parse("--listen 1 --tap t0 --no-ip6"), -1);           /* slirp only */
    assert_int_equal(parse("--listen 1 --slirp --no-ip6 --ip6-prefix fd00::/64"), -1);

    /* --forward with IPv6 on either side */
    static const uint8_t loop6[16] = {[15] = 1};
    static const uint8_t guest6[16] = {0xfd, 0, 5, 0xac, [15] = 0xa1};
    assert_int_equal(parse("--listen 1 --slirp --forward tcp:[::1]:8080:[fd00:5ac::a1]:80 "
                           "--forward udp:9090:[fd00:5ac::a1]:53 --forward 127.0.0.1:7070:10.0.2.15:7"), 0);
    assert_int_equal(o.forward_count, 3);
    assert_true(o.forward[0].host_is6 && o.forward[0].guest_is6);
    assert_memory_equal(o.forward[0].host6, loop6, 16);
    assert_memory_equal(o.forward[0].guest6, guest6, 16);
    assert_int_equal(o.forward[0].host_port, 8080);
    assert_int_equal(o.forward[0].guest_port, 80);
    assert_true(o.forward[1].udp && !o.forward[1].host_is6 && o.forward[1].guest_is6);
    assert_int_equal(o.forward[1].host_addr, SYNACK_IP4(127, 0, 0, 1));
    assert_false(o.forward[2].host_is6 || o.forward[2].guest_is6);
    assert_int_equal(o.forward[2].guest_ip, SYNACK_IP4(10, 0, 2, 15));
    assert_int_equal(parse("--listen 1 --slirp --forward [::1:8080:[fd00::1]:80"), -1);
    assert_int_equal(parse("--listen 1 --slirp --forward 8080:[fd00::zz]:80"), -1);
    assert_int_equal(parse("--listen 1 --slirp --forward 8080:fd00::1:80"), -1);
}

static void test_slirp_allow_forward(void **state)
{
    (void)state;
    assert_int_equal(parse("--listen 1 --slirp --allow 10.0.2.2:8000 --allow "
                           "localhost:9000 --allow 127.0.0.1:22 --allow *:443 "
                           "--allow 1.2.3.4:*"), 0);
    assert_int_equal(o.backend, SYNACK_BR_BACKEND_SLIRP);
    assert_int_equal(o.allow_count, 5);
    assert_int_equal(o.allow[0].ip, SYNACK_IP4(10, 0, 2, 2));
    assert_int_equal(o.allow[0].port, 8000);
    assert_int_equal(o.allow[1].ip, SYNACK_IP4(10, 0, 2, 2));
    assert_int_equal(o.allow[2].ip, SYNACK_IP4(10, 0, 2, 2)); /* loopback = the host */
    assert_int_equal(o.allow[3].ip, 0);
    assert_int_equal(o.allow[3].port, 443);
    assert_int_equal(o.allow[4].ip, SYNACK_IP4(1, 2, 3, 4));
    assert_int_equal(o.allow[4].port, 0);

    assert_int_equal(parse("--listen 1 --slirp --forward 8080:10.0.2.15:80 "
                           "--forward udp:0.0.0.0:5353:10.0.2.16:53"), 0);
    assert_int_equal(o.forward_count, 2);
    assert_false(o.forward[0].udp);
    assert_int_equal(o.forward[0].host_addr, SYNACK_IP4(127, 0, 0, 1));
    assert_int_equal(o.forward[0].host_port, 8080);
    assert_int_equal(o.forward[0].guest_ip, SYNACK_IP4(10, 0, 2, 15));
    assert_int_equal(o.forward[0].guest_port, 80);
    assert_true(o.forward[1].udp);
    assert_int_equal(o.forward[1].host_addr, 0);
    assert_int_equal(o.forward[1].guest_port, 53);

    assert_int_equal(parse("--listen 1 --slirp --forward 8080:10.0.2.15"), -1);
    assert_int_equal(parse("--listen 1 --slirp --forward 1:2:3:4:5:6"), -1);
    assert_int_equal(parse("--listen 1 --slirp --allow 10.0.2.2"), -1);
    assert_int_equal(parse("--listen 1 --slirp --allow nohost:80"), -1);
    assert_int_equal(parse("--listen 1 --allow 10.0.2.2:80"), -1); /* needs --slirp */
}

static void test_limits_and_errors(void **state)
{
    (void)state;
    assert_int_equal(parse("--listen 1 --max-clients 2 --max-frame 9018 --rate-fps 0 "
                           "--rate-bps=1000 --queue-bytes 100000 --token abc "
                           "--mac-age 10 --auth-timeout 500 -v"), 0);
    assert_int_equal(o.max_clients, 2);
    assert_int_equal(o.max_frame, 9018);
    assert_int_equal(o.rate_fps, 0);
    assert_int_equal(o.rate_bps, 1000);
    assert_string_equal(o.token, "abc");
    assert_int_equal(o.auth_timeout_ms, 500);
    assert_true(o.verbose);
    assert_int_equal(parse("--listen 1 --max-frame 9019"), -1);
    assert_int_equal(parse("--listen 1 --max-clients 0"), -1);
    assert_int_equal(parse("--listen 1 --max-clients 12x"), -1);
    assert_int_equal(parse("--listen 1 --rate-fps -1"), -1);
    assert_int_equal(parse("--listen 1 --bogus"), -1);
    assert_true(strstr(err, "--bogus") != NULL);
    assert_int_equal(parse("--listen 1 --tap t0 --slirp"), -1);
    assert_int_equal(parse("--listen 1 --slirp --tap t0"), -1);
    assert_int_equal(parse("--listen 1 --tap averyveryverylongname"), -1);
    assert_int_equal(parse("--listen 1 --token a --token-file f"), -1);
    assert_int_equal(parse("--help"), 0);
    assert_true(o.help);
}

/* Issue 21's options: isolation, per-address limits, trusted proxies,
 * metrics. */
static void test_service_options(void **state)
{
    (void)state;
    assert_int_equal(parse("--listen 1 --slirp"), 0);
    assert_false(o.shared_segment);
    assert_int_equal(o.max_conn_per_addr, 16);
    assert_int_equal(o.conn_rate_per_addr, 5);
    assert_int_equal(o.trusted_count, 0);
    assert_null(o.metrics_port);
    assert_int_equal(parse("--listen 1 --slirp --shared-segment"), 0);
    assert_true(o.shared_segment);
    assert_int_equal(parse("--listen 1 --shared-segment"), -1); /* slirp only */
    assert_int_equal(parse("--listen 1 --tap t0 --shared-segment"), -1);
    assert_int_equal(parse("--listen 1 --max-conn-per-addr 0 --conn-rate-per-addr=0"), 0);
    assert_int_equal(o.max_conn_per_addr, 0);
    assert_int_equal(o.conn_rate_per_addr, 0);
    assert_int_equal(parse("--listen 1 --max-conn-per-addr 1025"), -1);
    assert_int_equal(parse("--listen 1 --conn-rate-per-addr x"), -1);
    assert_int_equal(parse("--listen 1 --trusted-proxy 127.0.0.1 --trusted-proxy ::1"), 0);
    assert_int_equal(o.trusted_count, 2);
    assert_int_equal(o.trusted[0].b[10], 0xff);
    assert_int_equal(o.trusted[0].b[12], 127);
    assert_int_equal(o.trusted[1].b[15], 1);
    assert_int_equal(parse("--listen 1 --trusted-proxy localhost"), -1);
    assert_int_equal(parse("--listen 1 --trusted-proxy 10.0.0.0/8"), -1);
    assert_int_equal(parse("--listen 1 --metrics 9100"), 0);
    assert_string_equal(o.metrics_host, "127.0.0.1");
    assert_string_equal(o.metrics_port, "9100");
    assert_int_equal(parse("--listen 1 --metrics [::1]:0"), 0);
    assert_string_equal(o.metrics_host, "::1");
    assert_int_equal(parse("--listen 1 --metrics 0.0.0.0:99999"), -1);
    assert_int_equal(parse("--listen 1 --metrics"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_listen_forms),
        cmocka_unit_test(test_websocket_options),
        cmocka_unit_test(test_slirp_allow_forward),
        cmocka_unit_test(test_allow_ip6_and_prefixes),
        cmocka_unit_test(test_limits_and_errors),
        cmocka_unit_test(test_service_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
