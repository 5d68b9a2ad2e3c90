/*
 * The `synack` option parser (host/cli/args.c) against DESIGN.md's CLI
 * contract: every option, every command, and bad usage (exit status 2).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "cli_opts.h"

#define MAX_ARGS 48

/* Split `line` at spaces into argv (argv[0] = "synack") and parse. */
static int parse_line(const char *line, synack_cli_opts *o, char *err,
                      size_t errcap)
{
    static char buf[1024];
    static char *argv[MAX_ARGS];
    int argc = 0;
    argv[argc++] = "synack";
    assert_true(strlen(line) < sizeof buf);
    strcpy(buf, line);
    for (char *p = strtok(buf, " "); p != NULL; p = strtok(NULL, " ")) {
        assert_true(argc < MAX_ARGS);
        argv[argc++] = p;
    }
    return synack_cli_parse(argc, argv, o, err, errcap);
}

static void ok(const char *line, synack_cli_opts *o)
{
    char err[256];
    int rc = parse_line(line, o, err, sizeof err);
    if (rc != 0)
        fail_msg("'%s' rejected: %s", line, err);
}

/* The line must be rejected with exit 2 and a reason containing `why`. */
static void bad(const char *line, const char *why)
{
    synack_cli_opts o;
    char err[256];
    int rc = parse_line(line, &o, err, sizeof err);
    if (rc != SYNACK_CLI_EXIT_USAGE)
        fail_msg("'%s' accepted", line);
    if (strstr(err, why) == NULL)
        fail_msg("'%s': reason '%s' lacks '%s'", line, err, why);
}

static void links(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap tap0 ping 10.0.0.1", &o);
    assert_int_equal(o.link, SYNACK_CLI_LINK_TAP);
    assert_string_equal(o.tap_name, "tap0");

    ok("--connect bridge.example:8001 udp-echo 7", &o);
    assert_int_equal(o.link, SYNACK_CLI_LINK_CONNECT);
    assert_string_equal(o.connect_host, "bridge.example");
    assert_int_equal(o.connect_port, 8001);

    ok("--stdio --out /tmp/x sink 9000", &o);
    assert_int_equal(o.link, SYNACK_CLI_LINK_STDIO);
    assert_string_equal(o.out_path, "/tmp/x");

    ok("--accept-fd 3 listen 80 --echo", &o);
    assert_int_equal(o.link, SYNACK_CLI_LINK_ACCEPT_FD);
    assert_int_equal(o.accept_fd, 3);

    bad("ping 10.0.0.1", "link option is required");
    bad("--tap tap0 --stdio ping 10.0.0.1", "exactly one link");
    bad("--tap", "needs a value");
    bad("--tap 0123456789abcdef ping 1.2.3.4", "bad device name");
    bad("--connect nohostport ping 1.2.3.4", "HOST:PORT");
    bad("--connect :80 ping 1.2.3.4", "HOST:PORT");
    bad("--connect h:0 ping 1.2.3.4", "HOST:PORT");
    bad("--connect h:65536 ping 1.2.3.4", "HOST:PORT");
    bad("--accept-fd x ping 1.2.3.4", "bad descriptor");
}

static void addressing(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t ping 1.2.3.4", &o);
    assert_false(o.static_ip); /* DHCP by default */
    assert_false(o.has_gw);
    assert_false(o.has_dns);
    assert_false(o.has_mac);
    assert_int_equal(o.mtu, 1500);

    ok("--tap t --ip 10.77.0.2/24 --gw 10.77.0.1 --dns 10.77.0.53 "
       "--mac 02:aB:cd:00:11:ff --mtu 9000 ping 1.2.3.4", &o);
    assert_true(o.static_ip);
    assert_int_equal(o.ip, SYNACK_IP4(10, 77, 0, 2));
    assert_int_equal(o.prefix_len, 24);
    assert_true(o.has_gw);
    assert_int_equal(o.gw, SYNACK_IP4(10, 77, 0, 1));
    assert_true(o.has_dns);
    assert_int_equal(synack_addr_to_ip4(&o.dns), SYNACK_IP4(10, 77, 0, 53));
    assert_true(o.has_mac);
    const uint8_t mac[6] = {0x02, 0xab, 0xcd, 0x00, 0x11, 0xff};
    assert_memory_equal(o.mac.b, mac, 6);
    assert_int_equal(o.mtu, 9000);
    ok("--tap t --dns fd77::35 ping 1.2.3.4", &o);
    assert_true(o.has_dns);
    assert_int_equal(o.dns.family, SYNACK_AF_IP6);
    assert_int_equal(o.dns.b[15], 0x35);

    ok("--tap t --ip 0.0.0.0/0 ping 1.2.3.4", &o);
    ok("--tap t --ip 1.2.3.4/32 --mtu 68 ping 1.2.3.4", &o);
    ok("--tap t --mtu 65535 ping 1.2.3.4", &o);

    bad("--tap t --ip 10.0.0.1 ping 1.2.3.4", "A.B.C.D/LEN");
    bad("--tap t --ip 10.0.0.1/33 ping 1.2.3.4", "A.B.C.D/LEN");
    bad("--tap t --ip 10.0.0/24 ping 1.2.3.4", "A.B.C.D/LEN");
    bad("--tap t --ip 10.0.0.256/24 ping 1.2.3.4", "A.B.C.D/LEN");
    bad("--tap t --ip 10.0.0.1/ ping 1.2.3.4", "A.B.C.D/LEN");
    bad("--tap t --gw 10.0.0 ping 1.2.3.4", "--gw");
    bad("--tap t --dns x ping 1.2.3.4", "--dns");
    bad("--tap t --mac 02:00:00:00:00 ping 1.2.3.4", "--mac");
    bad("--tap t --mac 02-00-00-00-00-01 ping 1.2.3.4", "--mac");
    bad("--tap t --mac 02:00:00:00:00:zz ping 1.2.3.4", "--mac");
    bad("--tap t --mac 01:00:5e:00:00:01 ping 1.2.3.4", "unicast");
    bad("--tap t --mtu 67 ping 1.2.3.4", "--mtu");
    bad("--tap t --mtu 65536 ping 1.2.3.4", "--mtu");
    bad("--tap t --mtu 1500x ping 1.2.3.4", "--mtu");
    bad("--tap t --mtu -1 ping 1.2.3.4", "--mtu");
}

static void diagnostics(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t ping 1.2.3.4", &o);
    assert_null(o.out_path);
    assert_null(o.pcap_path);
    assert_false(o.trace);
    assert_false(o.impair);
    assert_false(o.has_seed);
    assert_int_equal(o.syn_retries, 0);
    assert_false(o.offload); /* never asked for unless given */

    ok("--connect 127.0.0.1:1 --offload send 1.2.3.4 5 --bytes 1", &o);
    assert_true(o.offload);

    ok("--tap t --out o.txt --pcap p.pcap --trace ping 1.2.3.4", &o);
    assert_string_equal(o.out_path, "o.txt");
    assert_string_equal(o.pcap_path, "p.pcap");
    assert_true(o.trace);
    assert_false(o.impair);

    ok("--tap t --loss 2 --delay 20 --jitter 5 --reorder 1.5 --dup 0.5 "
       "--corrupt 100 --rate 10.5 --seed 18446744073709551615 "
       "--syn-retries 3 ping 1.2.3.4", &o);
    assert_true(o.impair);
    assert_true(o.loss > 0.0199 && o.loss < 0.0201);
    assert_int_equal(o.delay_ms, 20);
    assert_int_equal(o.jitter_ms, 5);
    assert_true(o.reorder > 0.0149 && o.reorder < 0.0151);
    assert_true(o.dup > 0.0049 && o.dup < 0.0051);
    assert_true(o.corrupt > 0.999 && o.corrupt < 1.001);
    assert_true(o.rate_mbit > 10.49 && o.rate_mbit < 10.51);
    assert_true(o.has_seed);
    assert_true(o.seed == UINT64_MAX);
    assert_int_equal(o.syn_retries, 3);
    ok("--tap t --attempt-delay 100 ping 1.2.3.4", &o);
    assert_int_equal(o.attempt_delay_ms, 100);
    bad("--tap t --attempt-delay 5 ping 1.2.3.4", "--attempt-delay");
    bad("--tap t --attempt-delay 2001 ping 1.2.3.4", "--attempt-delay");

    /* Each impairment flag alone turns impairment on. */
    const char *one[] = {"--loss 1", "--delay 1", "--jitter 1", "--reorder 1",
                         "--dup 1", "--corrupt 1", "--rate 1"};
    for (size_t i = 0; i < sizeof one / sizeof one[0]; i++) {
        char line[128];
        strcpy(line, "--tap t ");
        strcat(line, one[i]);
        strcat(line, " ping 1.2.3.4");
        ok(line, &o);
        assert_true(o.impair);
    }
    ok("--tap t --seed 7 ping 1.2.3.4", &o);
    assert_false(o.impair);
    assert_true(o.seed == 7);

    /* Global options may also follow the command. */
    ok("--tap t ping 1.2.3.4 --trace -c 2 --loss 5", &o);
    assert_true(o.trace);
    assert_int_equal(o.count, 2);
    assert_true(o.impair);

    bad("--tap t --loss 101 ping 1.2.3.4", "percentage");
    bad("--tap t --loss -1 ping 1.2.3.4", "percentage");
    bad("--tap t --loss 1% ping 1.2.3.4", "percentage");
    bad("--tap t --reorder x ping 1.2.3.4", "percentage");
    bad("--tap t --dup nan ping 1.2.3.4", "percentage");
    bad("--tap t --corrupt 200 ping 1.2.3.4", "percentage");
    bad("--tap t --delay 1.5 ping 1.2.3.4", "milliseconds");
    bad("--tap t --jitter -3 ping 1.2.3.4", "milliseconds");
    bad("--tap t --rate 0 ping 1.2.3.4", "--rate");
    bad("--tap t --rate fast ping 1.2.3.4", "--rate");
    bad("--tap t --seed 18446744073709551616 ping 1.2.3.4", "--seed");
    bad("--tap t --seed -1 ping 1.2.3.4", "--seed");
    bad("--tap t --syn-retries 0 ping 1.2.3.4", "--syn-retries");
    bad("--tap t ping 1.2.3.4 --out", "needs a value");
    bad("--tap t --bogus ping 1.2.3.4", "unknown option");
}

static void cmd_ping(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t ping example.com", &o);
    assert_int_equal(o.cmd, SYNACK_CLI_CMD_PING);
    assert_string_equal(o.host, "example.com");
    assert_int_equal(o.count, 4);
    ok("--tap t ping 10.0.0.1 -c 1", &o);
    assert_int_equal(o.count, 1);
    bad("--tap t ping", "missing HOST");
    bad("--tap t ping -c 3", "missing HOST");
    bad("--tap t ping 1.2.3.4 -c 0", "count");
    bad("--tap t ping 1.2.3.4 -c", "count");
    bad("--tap t ping 1.2.3.4 -c x", "count");
    bad("--tap t ping 1.2.3.4 -c 1 -c 2", "twice");
    bad("--tap t ping 1.2.3.4 5.6.7.8", "unexpected argument");
    bad("--tap t ping 1.2.3.4 --count 2", "unknown option");
}

static void cmd_connect_get(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t connect 10.0.0.1 80", &o);
    assert_int_equal(o.cmd, SYNACK_CLI_CMD_CONNECT);
    assert_string_equal(o.host, "10.0.0.1");
    assert_int_equal(o.port, 80);
    bad("--tap t connect 10.0.0.1", "missing HOST PORT");
    bad("--tap t connect 10.0.0.1 0", "bad port");
    bad("--tap t connect 10.0.0.1 65536", "bad port");
    bad("--tap t connect 10.0.0.1 http", "bad port");
    bad("--stdio connect 10.0.0.1 80", "not available with --stdio");

    ok("--tap t get http://10.0.0.1:8080/x", &o);
    assert_int_equal(o.cmd, SYNACK_CLI_CMD_GET);
    assert_string_equal(o.url, "http://10.0.0.1:8080/x");
    bad("--tap t get", "missing URL");
    bad("--tap t get http://a http://b", "unexpected argument");
    assert_null(o.cacert);
    assert_false(o.insecure);

    ok("--tap t get https://server.test/ --cacert ca.pem", &o);
    assert_string_equal(o.cacert, "ca.pem");
    assert_false(o.insecure);
    ok("--tap t get --insecure https://server.test/", &o);
    assert_null(o.cacert);
    assert_true(o.insecure);
    bad("--tap t get https://h/ --cacert", "--cacert needs a FILE");
    bad("--tap t get https://h/ --cacert a --cacert b", "given twice");
    bad("--tap t get https://h/ --cacert a --insecure", "exclude each other");
    bad("--tap t connect h 1 --insecure", "unknown option");
}

static void cmd_listen(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t listen 8080 --echo", &o);
    assert_int_equal(o.cmd, SYNACK_CLI_CMD_LISTEN);
    assert_int_equal(o.port, 8080);
    assert_int_equal(o.listen_mode, SYNACK_CLI_LISTEN_ECHO);
    assert_int_equal(o.count, 0); /* forever */
    ok("--tap t listen 9 --discard --count 3", &o);
    assert_int_equal(o.listen_mode, SYNACK_CLI_LISTEN_DISCARD);
    assert_int_equal(o.count, 3);
    ok("--tap t listen --file index.html 80", &o);
    assert_int_equal(o.listen_mode, SYNACK_CLI_LISTEN_FILE);
    assert_string_equal(o.file, "index.html");
    assert_int_equal(o.port, 80);

    assert_int_equal(o.idle_timeout_s, SYNACK_CLI_IDLE_TIMEOUT_S);
    ok("--tap t listen 80 --discard --idle-timeout 5", &o);
    assert_int_equal(o.idle_timeout_s, 5);
    ok("--tap t listen 80 --idle-timeout 0 --echo", &o);
    assert_int_equal(o.idle_timeout_s, 0);
    bad("--tap t listen 80 --echo --idle-timeout", "--idle-timeout: expected seconds");
    bad("--tap t listen 80 --echo --idle-timeout x", "--idle-timeout: expected seconds");
    bad("--tap t listen 80 --echo --idle-timeout 86401", "--idle-timeout: expected seconds");
    bad("--tap t sink 80 --idle-timeout 5", "");
    bad("--tap t listen 80", "--echo, --discard, --file PATH");
    bad("--tap t listen --echo", "missing PORT");
    bad("--tap t listen 80 --echo --discard", "exactly one");
    bad("--tap t listen 80 --file", "needs a PATH");
    bad("--tap t listen 80 --echo --count 0", "count");
    bad("--tap t listen 80 --echo -c 2", "unknown option");
    bad("--tap t listen 80 --echo --bytes 5", "unknown option");
}

static void cmd_send_sink_udp(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t send 10.0.0.1 5001 --bytes 100000000", &o);
    assert_int_equal(o.cmd, SYNACK_CLI_CMD_SEND);
    assert_string_equal(o.host, "10.0.0.1");
    assert_int_equal(o.port, 5001);
    assert_true(o.bytes == 100000000u);
    ok("--tap t send h 1 --bytes 0", &o);
    assert_true(o.bytes == 0);
    bad("--tap t send 10.0.0.1 5001", "--bytes N is required");
    bad("--tap t send 10.0.0.1 --bytes 5", "missing HOST PORT");
    bad("--tap t send 10.0.0.1 5001 --bytes", "--bytes");
    bad("--tap t send 10.0.0.1 5001 --bytes 1k", "--bytes");
    bad("--tap t send 10.0.0.1 5001 --bytes 1 --bytes 2", "twice");

    ok("--tap t sink 5001", &o);
    assert_int_equal(o.cmd, SYNACK_CLI_CMD_SINK);
    assert_int_equal(o.port, 5001);
    assert_int_equal(o.count, 0);
    ok("--tap t sink 5001 --count 1", &o);
    assert_int_equal(o.count, 1);
    bad("--tap t sink", "missing PORT");
    bad("--tap t sink 5001 --echo", "unknown option");

    ok("--tap t udp-echo 7", &o);
    assert_int_equal(o.cmd, SYNACK_CLI_CMD_UDP_ECHO);
    assert_int_equal(o.port, 7);
    bad("--tap t udp-echo", "missing PORT");
    bad("--tap t udp-echo 7 --count 1", "unknown option");
    bad("--tap t udp-echo 70000", "bad port");

    bad("--tap t", "command is required");
    bad("--tap t fly 1", "unknown command");
}

static void help_and_usage(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--help", &o);
    assert_true(o.help);
    ok("--tap t -h", &o);
    assert_true(o.help);
    const char *u = synack_cli_usage();
    const char *words[] = {"--tap", "--connect", "--stdio", "--accept-fd",
                           "--ip", "--gw", "--dns", "--ip6", "--gw6", "--mac",
                           "--stable-secret", "--stable-secret-file",
                           "--mtu", "--out",
                           "--pcap", "--trace", "--loss", "--delay", "--jitter",
                           "--reorder", "--dup", "--corrupt", "--rate",
                           "--seed", "--attempt-delay", "ping", "connect", "get", "listen",
                           "send", "sink", "udp-echo"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strstr(u, words[i]) == NULL)
            fail_msg("usage lacks %s", words[i]);
}

static void helpers(void **state)
{
    (void)state;
    synack_ip4 a;
    uint8_t l;
    assert_int_equal(synack_cli_parse_cidr("192.168.1.7/16", &a, &l), 0);
    assert_int_equal(a, SYNACK_IP4(192, 168, 1, 7));
    assert_int_equal(l, 16);
    assert_int_equal(synack_cli_parse_cidr("192.168.1.7/016x", &a, &l), -1);
    assert_int_equal(synack_cli_parse_cidr("192.168.1.7.1.2.3.4.5/1", &a, &l), -1);

    char host[8];
    uint16_t port;
    assert_int_equal(synack_cli_parse_hostport("a:b:9", host, sizeof host, &port), 0);
    assert_string_equal(host, "a:b");
    assert_int_equal(port, 9);
    assert_int_equal(synack_cli_parse_hostport("toolonghost:9", host,
                                               sizeof host, &port), -1);
    assert_int_equal(synack_cli_parse_hostport("h:", host, sizeof host, &port), -1);
    /* [IPv6]:PORT */
    char h6[64];
    assert_int_equal(synack_cli_parse_hostport("[::1]:8001", h6, sizeof h6, &port), 0);
    assert_string_equal(h6, "::1");
    assert_int_equal(port, 8001);
    assert_int_equal(synack_cli_parse_hostport("[::1]8001", h6, sizeof h6, &port), -1);
    assert_int_equal(synack_cli_parse_hostport("[]:80", h6, sizeof h6, &port), -1);
    assert_int_equal(synack_cli_parse_hostport("[::1:80", h6, sizeof h6, &port), -1);
    assert_int_equal(synack_cli_parse_hostport("[::1]:0", h6, sizeof h6, &port), -1);

    synack_addr a6;
    assert_int_equal(synack_cli_parse_cidr6("fd00::2/64", &a6, &l), 0);
    assert_int_equal(a6.family, SYNACK_AF_IP6);
    assert_int_equal(l, 64);
    assert_int_equal(synack_cli_parse_cidr6("fd00::2/0", &a6, &l), -1);
    assert_int_equal(synack_cli_parse_cidr6("fd00::2/129", &a6, &l), -1);
    assert_int_equal(synack_cli_parse_cidr6("fd00::2", &a6, &l), -1);
    assert_int_equal(synack_cli_parse_cidr6("10.0.0.1/24", &a6, &l), -1);
}

static void addressing6(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t --ip6 fd00::2/64 --gw6 fe80::1 ping fd00::1", &o);
    assert_true(o.has_ip6);
    assert_int_equal(o.ip6_len, 64);
    assert_int_equal(o.ip6.b[0], 0xfd);
    assert_true(o.has_gw6);
    assert_int_equal(o.gw6.b[0], 0xfe);
    assert_false(o.static_ip);
    assert_string_equal(o.host, "fd00::1");
    ok("--tap t --ip6 off --ip 10.0.0.2/24 ping 10.0.0.1", &o);
    assert_true(o.ip6_off);
    assert_false(o.has_ip6);
    ok("--connect [::1]:8001 --ip6 fd00::2/64 connect fd00::1 80", &o);
    assert_string_equal(o.connect_host, "::1");
    assert_int_equal(o.connect_port, 8001);
    ok("--tap t --ip6 fd00::2/64 get http://[fd00::1]:8080/", &o);
    bad("--tap t --ip6 fd00::2 ping ::1", "--ip6");
    bad("--tap t --ip6 10.0.0.1/24 ping ::1", "--ip6");
    bad("--tap t --ip6 on ping ::1", "--ip6");
    bad("--tap t --gw6 10.0.0.1 ping ::1", "--gw6");
    bad("--tap t --gw6 ping ::1", "--gw6");
}

/* --stable-secret HEX / --stable-secret-file PATH (RFC 7217's key). */
static void stable_secret(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t --stable-secret 000102030405060708090a0B0c0D0e0F ping fd00::1", &o);
    assert_true(o.has_stable_secret);
    for (int i = 0; i < 16; i++)
        assert_int_equal(o.stable_secret[i], i);
    assert_null(o.stable_secret_file);
    ok("--tap t --stable-secret-file /etc/synack.secret ping fd00::1", &o);
    assert_false(o.has_stable_secret);
    assert_string_equal(o.stable_secret_file, "/etc/synack.secret");
    bad("--tap t --stable-secret 000102030405060708090a0b0c0d0e ping ::1", "--stable-secret");
    bad("--tap t --stable-secret 000102030405060708090a0b0c0d0e0f00 ping ::1",
        "--stable-secret");
    bad("--tap t --stable-secret 000102030405060708090a0b0c0d0e0g ping ::1", "--stable-secret");
    bad("--tap t --stable-secret 000102030405060708090a0b0c0d0e0f "
        "--stable-secret-file f ping ::1", "already");
    bad("--tap t --stable-secret ping ::1", "--stable-secret");
    /* the file form: whitespace around the digits, nothing else */
    uint8_t k[16];
    const char *file = " 000102030405060708090a0b0c0d0e0f\n";
    assert_int_equal(synack_cli_parse_secret(file, strlen(file), k), 0);
    assert_int_equal(k[15], 15);
    assert_int_equal(synack_cli_parse_secret("000102030405060708090a0b0c0d0e0f x", 34, k), -1);
    assert_int_equal(synack_cli_parse_secret("", 0, k), -1);
}

/* ping -4 / -6 (Linux ping's flags): one family only; neither: 0, both
 * families asked (AAAA and A); conflicting flags, a literal of the other
 * family and -6 with IPv6 off are usage errors. */
static void ping_family(void **state)
{
    (void)state;
    synack_cli_opts o;
    ok("--tap t ping he.test", &o);
    assert_int_equal(o.family, 0);
    assert_string_equal(o.host, "he.test");
    ok("--tap t ping -4 he.test", &o);
    assert_int_equal(o.family, SYNACK_AF_IP4);
    assert_string_equal(o.host, "he.test");
    ok("--tap t ping he.test -6 -c 2", &o);
    assert_int_equal(o.family, SYNACK_AF_IP6);
    assert_int_equal(o.count, 2);
    ok("--tap t ping -6 -6 he.test", &o); /* repeated: as Linux's ping */
    assert_int_equal(o.family, SYNACK_AF_IP6);
    ok("--tap t ping -6 fd77::1", &o);
    ok("--tap t ping -4 10.0.0.1", &o);
    ok("--tap t --ip6 off ping -4 he.test", &o);
    bad("--tap t ping -4 -6 he.test", "only one of -4 and -6");
    bad("--tap t ping he.test -6 -4", "only one of -4 and -6");
    bad("--tap t ping -4 fd77::1", "fd77::1 is an IPv6 address");
    bad("--tap t ping -6 10.0.0.1", "10.0.0.1 is an IPv4 address");
    bad("--tap t --ip6 off ping -6 he.test", "IPv6 is off");
    bad("--tap t ping -4", "missing HOST");
    /* -4/-6 belong to ping only */
    bad("--tap t connect he.test 80 -6", "unknown option '-6'");
    bad("--tap t get http://he.test/ -4", "unknown option '-4'");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(links),
        cmocka_unit_test(addressing),
        cmocka_unit_test(diagnostics),
        cmocka_unit_test(cmd_ping),
        cmocka_unit_test(cmd_connect_get),
        cmocka_unit_test(cmd_listen),
        cmocka_unit_test(cmd_send_sink_udp),
        cmocka_unit_test(help_and_usage),
        cmocka_unit_test(helpers),
        cmocka_unit_test(addressing6),
        cmocka_unit_test(stable_secret),
        cmocka_unit_test(ping_family),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
