/*
 * Command-line parsing for synack-bridge. Values are checked here (ranges,
 * address syntax) so the program never starts half-configured.
 */
#include "options.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "synack/synack.h"

const synack_br_slirp_net synack_br_default_net = {
    .net = SYNACK_IP4(10, 0, 2, 0),
    .mask = SYNACK_IP4(255, 255, 255, 0),
    .host = SYNACK_IP4(10, 0, 2, 2),
    .dns = SYNACK_IP4(10, 0, 2, 3),
    .dhcp_start = SYNACK_IP4(10, 0, 2, 15),
    /* A unique local prefix (RFC 4193; fd00::/8) of our own, /64 for SLAAC. */
    .ip6 = true,
    .prefix6 = {0xfd, 0x00, 0x05, 0xac},
    .prefix6_len = 64,
    .host6 = {0xfd, 0x00, 0x05, 0xac, [15] = 2},
    .dns6 = {0xfd, 0x00, 0x05, 0xac, [15] = 3},
};

static const char usage_text[] =
    "usage: synack-bridge --listen [HOST:]PORT [--tap NAME | --slirp] [options]\n"
    "\n"
    "Switches Ethernet frames between stream-framed clients (4-byte big-endian\n"
    "length + frame) and a backend, learning MAC addresses like a switch.\n"
    "\n"
    "  --listen [HOST:]PORT     where clients connect (HOST default 127.0.0.1)\n"
    "  --listen-ws [HOST:]PORT  also (or only) accept WebSocket clients (RFC 6455,\n"
    "                           binary messages carrying the same stream)\n"
    "  --ws-origin ORIGIN       WebSocket clients must send this Origin\n"
    "                           (repeatable, up to 16; default: any)\n"
    "  --tap NAME               backend: an existing Linux TAP device\n"
    "  --slirp                  backend: user-mode NAT (10.0.2.0/24, host 10.0.2.2,\n"
    "                           DNS 10.0.2.3, DHCP from 10.0.2.15; IPv6\n"
    "                           fd00:5ac::/64 by router advertisements, host ::2)\n"
    "  --allow HOST:PORT        slirp: let guests reach HOST:PORT (repeatable;\n"
    "                           HOST 10.0.2.2 or [::1] is this machine's\n"
    "                           loopback, localhost both; [V6ADDR] and\n"
    "                           ADDR/LEN prefixes; '*' for any host or any port)\n"
    "  --ip6-prefix PREFIX/LEN  slirp: the guests' IPv6 prefix (default\n"
    "                           fd00:5ac::/64; host ::2, DNS ::3 in it)\n"
    "  --no-ip6                 slirp: no IPv6 (no router advertisements)\n"
    "  --allow-all              slirp: let guests reach anything\n"
    "  --slirp-dhcp             slirp: use slirp's DHCP server (16 leases, never\n"
    "                           freed) instead of the bridge's (a lease per client\n"
    "                           connection, freed when it leaves)\n"
    "  --forward [tcp:|udp:][HOSTADDR:]HOSTPORT:GUESTIP:GUESTPORT\n"
    "                           slirp: forward a host port to a guest (repeatable;\n"
    "                           HOSTADDR default 127.0.0.1; IPv6 in [brackets])\n"
    "  --offload                grant clients that ask (HELLO, EtherType 0x88B5)\n"
    "                           TCP super-frames up to 64 KB both ways (TAP: GSO\n"
    "                           and TSO); cut for everyone else (off by default)\n"
    "  --shared-segment         slirp: put all clients on one Ethernet segment, so\n"
    "                           they reach each other (default: each client is\n"
    "                           isolated and reaches only slirp)\n"
    "  --max-clients N          at most N clients at once (default 64)\n"
    "  --max-conn-per-addr N    open connections per client address (default 16,\n"
    "                           0 = off; loopback addresses are not limited)\n"
    "  --conn-rate-per-addr N   new connections per second per client address\n"
    "                           (default 5, in bursts of as many; 0 = off)\n"
    "  --trusted-proxy ADDR     take the client address from the PROXY protocol\n"
    "                           header (v1 or v2) that connections from ADDR must\n"
    "                           begin with (repeatable; IPv4 or IPv6 literal)\n"
    "  --metrics [HOST:]PORT    serve counters in the Prometheus text format over\n"
    "                           HTTP (HOST default 127.0.0.1)\n"
    "  --max-frame N            largest Ethernet frame, bytes (default 1518, max 9018)\n"
    "  --rate-fps N             per-client frames per second (default 20000, 0 = off)\n"
    "  --rate-bps N             per-client bytes per second (default 25000000, 0 = off)\n"
    "  --burst-ms N             bucket depth in ms of rate (default 250)\n"
    "  --queue-bytes N          per-client output buffer (default 262144)\n"
    "  --token SECRET           clients must send SECRET as their first frame\n"
    "  --token-file PATH        the same, SECRET read from PATH (trailing newline dropped)\n"
    "  --mac-age SECONDS        MAC table ageing time (default 300)\n"
    "  --auth-timeout MS        close clients that send no token (or no PROXY header\n"
    "                           from a --trusted-proxy) in time (default 10000)\n"
    "  -v, --verbose            log clients coming and going\n"
    "  -h, --help               this text\n"
    "\n"
    "Signals: SIGUSR1 prints per-client counters on stderr; SIGINT/SIGTERM stop.\n";

const char *synack_br_usage(void)
{
    return usage_text;
}

static int fail(char *err, size_t errlen, const char *what, const char *arg)
{
    snprintf(err, errlen, "%s: %s", what, arg ? arg : "(missing)");
    return -1;
}

/* Decimal integer in [lo, hi]. */
static bool parse_u64(const char *s, uint64_t lo, uint64_t hi, uint64_t *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return false;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end != '\0' || v < lo || v > hi)
        return false;
    *out = v;
    return true;
}

static bool parse_port(const char *s, uint16_t *out)
{
    uint64_t v;
    if (!parse_u64(s, 1, 65535, &v))
        return false;
    *out = (uint16_t)v;
    return true;
}

/* Copy the text before the last ':' into buf; return the text after it. */
static const char *split_last_colon(const char *s, char *buf, size_t buflen)
{
    const char *c = strrchr(s, ':');
    if (c == NULL || (size_t)(c - s) >= buflen)
        return NULL;
    memcpy(buf, s, (size_t)(c - s));
    buf[c - s] = '\0';
    return c + 1;
}

/* "ADDR" or "ADDR/LEN" (LEN in 1..max) into text (without /LEN) and *plen. */
static bool split_prefix(const char *s, char *text, size_t cap, unsigned max, uint8_t *plen)
{
    const char *slash = strchr(s, '/');
    size_t n = slash ? (size_t)(slash - s) : strlen(s);
    if (n >= cap)
        return false;
    memcpy(text, s, n);
    text[n] = '\0';
    *plen = 0;
    if (slash != NULL) {
        uint64_t v;
        if (!parse_u64(slash + 1, 1, max, &v))
            return false;
        *plen = (uint8_t)v;
    }
    return true;
}

/*
 * HOST of --allow as the guest sees it: '*' (any), 'localhost' (the host's
 * loopback in both families), 127.x (the host's IPv4 loopback, which slirp
 * offers as 10.0.2.2), IPv4 text, '[::1]' (the host's IPv6 loopback, which
 * slirp offers as its IPv6 host address), or '[IPv6 text]'; an address
 * may carry a prefix length (10.1.0.0/16, [2001:db8::/32]).
 */
static bool parse_allow_host(const char *s, synack_br_allow *a)
{
    memset(a, 0, sizeof(*a));
    if (strcmp(s, "*") == 0)
        return true;
    if (strcmp(s, "localhost") == 0) {
        a->ip = synack_br_default_net.host;
        a->host6 = true;
        return true;
    }
    char text[64];
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        char inner[64];
        if (n - 2 >= sizeof(inner))
            return false;
        memcpy(inner, s + 1, n - 2);
        inner[n - 2] = '\0';
        if (!split_prefix(inner, text, sizeof(text), 128, &a->plen) ||
            inet_pton(AF_INET6, text, a->addr6) != 1 ||
            synack_br_ip6_is_unspecified(a->addr6))
            return false;
        a->ip6 = true;
        static const uint8_t loopback[16] = {[15] = 1};
        if (memcmp(a->addr6, loopback, 16) == 0 && a->plen == 0)
            a->host6 = true;
        return true;
    }
    synack_ip4 ip;
    if (!split_prefix(s, text, sizeof(text), 32, &a->plen) ||
        synack_ip4_parse_text(text, &ip) != 0 || ip == 0)
        return false;
    if ((ip >> 24) == 127) {
        ip = synack_br_default_net.host;
        a->plen = 0;
    }
    a->ip = ip;
    return true;
}

/* --ip6-prefix PREFIX/LEN: slirp's prefix, its host ::2 and DNS ::3. */
static int parse_ip6_prefix(synack_br_options *o, const char *arg, char *err,
                            size_t errlen)
{
    char text[64];
    uint8_t plen;
    uint8_t p[16];
    if (arg == NULL || !split_prefix(arg, text, sizeof(text), 126, &plen) || plen == 0 ||
        inet_pton(AF_INET6, text, p) != 1 || synack_br_ip6_is_multicast(p) ||
        synack_br_ip6_is_link_local(p))
        return fail(err, errlen, "--ip6-prefix needs PREFIX/LEN (LEN 1..126, not link-local)",
                    arg);
    for (unsigned bit = plen; bit < 128; bit++)
        p[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
    memcpy(o->net.prefix6, p, 16);
    o->net.prefix6_len = plen;
    memcpy(o->net.host6, p, 16);
    o->net.host6[15] |= 2;
    memcpy(o->net.dns6, p, 16);
    o->net.dns6[15] |= 3;
    o->net.ip6 = true;
    return 0;
}

static int parse_allow(synack_br_options *o, const char *arg, char *err,
                       size_t errlen)
{
    char host[64];
    const char *port = arg ? split_last_colon(arg, host, sizeof(host)) : NULL;
    if (port == NULL)
        return fail(err, errlen, "--allow needs HOST:PORT", arg);
    if (o->allow_count == SYNACK_BR_MAX_ALLOW)
        return fail(err, errlen, "too many --allow", arg);
    synack_br_allow *a = &o->allow[o->allow_count];
    if (!parse_allow_host(host, a))
        return fail(err, errlen, "--allow: bad host", arg);
    if (strcmp(port, "*") == 0)
        a->port = 0;
    else if (!parse_port(port, &a->port))
        return fail(err, errlen, "--allow: bad port", arg);
    o->allow_count++;
    return 0;
}

/* Split s at the colons outside brackets into at most max parts (brackets
 * kept); returns the count, or -1 for too many parts or a stray bracket. */
static int split_colons(char *s, char **part, int max)
{
    int n = 0, depth = 0;
    part[n++] = s;
    for (char *p = s; *p; p++) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        else if (*p == ':' && depth == 0) {
            if (n == max)
                return -1;
            *p = '\0';
            part[n++] = p + 1;
        }
        if (depth < 0 || depth > 1)
            return -1;
    }
    return depth == 0 ? n : -1;
}

/* "A.B.C.D" into *v4, or "[IPv6]" into v6 with *is6 set. */
static bool parse_fwd_addr(char *s, uint32_t *v4, uint8_t v6[16], bool *is6)
{
    size_t n = strlen(s);
    if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
        s[n - 1] = '\0';
        *is6 = true;
        return inet_pton(AF_INET6, s + 1, v6) == 1;
    }
    *is6 = false;
    synack_ip4 ip;
    if (synack_ip4_parse_text(s, &ip) != 0)
        return false;
    *v4 = ip;
    return true;
}

/* [tcp:|udp:][HOSTADDR:]HOSTPORT:GUESTIP:GUESTPORT, IPv6 addresses in brackets */
static int parse_forward(synack_br_options *o, const char *arg, char *err,
                         size_t errlen)
{
    if (arg == NULL)
        return fail(err, errlen, "--forward needs HOSTPORT:GUESTIP:GUESTPORT", arg);
    if (o->forward_count == SYNACK_BR_MAX_FORWARD)
        return fail(err, errlen, "too many --forward", arg);
    synack_br_forward *fw = &o->forward[o->forward_count];
    memset(fw, 0, sizeof(*fw));
    fw->host_addr = SYNACK_IP4(127, 0, 0, 1);
    if (strncmp(arg, "tcp:", 4) == 0) {
        arg += 4;
    } else if (strncmp(arg, "udp:", 4) == 0) {
        fw->udp = true;
        arg += 4;
    }
    char buf[160];
    if (strlen(arg) >= sizeof(buf))
        return fail(err, errlen, "--forward: too long", arg);
    strcpy(buf, arg);
    char *part[5];
    int n = split_colons(buf, part, 5);
    if (n != 3 && n != 4)
        return fail(err, errlen, "--forward: expected HOSTPORT:GUESTIP:GUESTPORT", arg);
    int i = 0;
    if (n == 4) {
        if (!parse_fwd_addr(part[0], &fw->host_addr, fw->host6, &fw->host_is6))
            return fail(err, errlen, "--forward: bad host address", arg);
        i = 1;
    }
    if (!parse_port(part[i], &fw->host_port) ||
        !parse_fwd_addr(part[i + 1], &fw->guest_ip, fw->guest6, &fw->guest_is6) ||
        !parse_port(part[i + 2], &fw->guest_port))
        return fail(err, errlen, "--forward: bad port or guest address", arg);
    o->forward_count++;
    return 0;
}

static int parse_listen(synack_br_options *o, const char *arg, char *err,
                        size_t errlen)
{
    if (arg == NULL || *arg == '\0')
        return fail(err, errlen, "--listen needs [HOST:]PORT", arg);
    const char *port = split_last_colon(arg, o->listen_buf, sizeof(o->listen_buf));
    if (port == NULL) {
        o->listen_host = "127.0.0.1";
        port = arg;
    } else {
        char *h = o->listen_buf;
        size_t hl = strlen(h);
        if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') { /* [v6]:port */
            h[hl - 1] = '\0';
            h++;
        }
        o->listen_host = *h ? h : "127.0.0.1";
    }
    uint64_t p; /* 0 asks the kernel for a free port (printed at start) */
    if (!parse_u64(port, 0, 65535, &p))
        return fail(err, errlen, "--listen: bad port", arg);
    o->listen_port = port;
    return 0;
}

static int parse_trusted(synack_br_options *o, const char *arg, char *err,
                         size_t errlen)
{
    if (arg == NULL)
        return fail(err, errlen, "--trusted-proxy needs an address", arg);
    if (o->trusted_count == SYNACK_BR_MAX_TRUSTED)
        return fail(err, errlen, "too many --trusted-proxy", arg);
    uint8_t b[16];
    synack_br_addr *a = &o->trusted[o->trusted_count];
    if (inet_pton(AF_INET, arg, b) == 1)
        synack_br_addr_from4(a, b);
    else if (inet_pton(AF_INET6, arg, b) == 1)
        synack_br_addr_from6(a, b);
    else
        return fail(err, errlen, "--trusted-proxy: not an IPv4 or IPv6 address", arg);
    o->trusted_count++;
    return 0;
}

/* [HOST:]PORT of --metrics or --listen-ws into *host and *port (HOST
 * defaults to 127.0.0.1; buf keeps the split text). */
static int parse_host_port(const char *opt, const char *arg, char *buf, size_t cap,
                           const char **host, const char **port_out, char *err,
                           size_t errlen)
{
    char what[64];
    if (arg == NULL || *arg == '\0') {
        snprintf(what, sizeof(what), "%s needs [HOST:]PORT", opt);
        return fail(err, errlen, what, arg);
    }
    const char *port = split_last_colon(arg, buf, cap);
    if (port == NULL) {
        *host = "127.0.0.1";
        port = arg;
    } else {
        char *h = buf;
        size_t hl = strlen(h);
        if (hl >= 2 && h[0] == '[' && h[hl - 1] == ']') {
            h[hl - 1] = '\0';
            h++;
        }
        *host = *h ? h : "127.0.0.1";
    }
    uint64_t p;
    if (!parse_u64(port, 0, 65535, &p)) {
        snprintf(what, sizeof(what), "%s: bad port", opt);
        return fail(err, errlen, what, arg);
    }
    *port_out = port;
    return 0;
}

static int parse_metrics(synack_br_options *o, const char *arg, char *err,
                         size_t errlen)
{
    return parse_host_port("--metrics", arg, o->metrics_buf, sizeof(o->metrics_buf),
                           &o->metrics_host, &o->metrics_port, err, errlen);
}

/* The value of "--name=value" or of the next argument. */
static const char *value_of(const char *a, const char *name, int argc,
                            char **argv, int *i)
{
    size_t n = strlen(name);
    if (a[n] == '=')
        return a + n + 1;
    if (*i + 1 < argc)
        return argv[++*i];
    return NULL;
}

static bool is_opt(const char *a, const char *name)
{
    size_t n = strlen(name);
    return strncmp(a, name, n) == 0 && (a[n] == '\0' || a[n] == '=');
}

int synack_br_options_parse(synack_br_options *o, int argc, char **argv,
                            char *err, size_t errlen)
{
    memset(o, 0, sizeof(*o));
    o->max_clients = 64;
    o->max_frame = 1518;
    o->rate_fps = 20000;
    o->rate_bps = 25000000;
    o->burst_ms = 250;
    o->queue_bytes = 262144;
    o->mac_age_s = 300;
    o->auth_timeout_ms = 10000;
    o->max_conn_per_addr = 16;
    o->conn_rate_per_addr = 5;
    o->net = synack_br_default_net;
    bool no_ip6 = false, prefix6 = false;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v;
        uint64_t n;
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = true;
            return 0;
        } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
            o->verbose = true;
        } else if (strcmp(a, "--slirp") == 0) {
            if (o->backend == SYNACK_BR_BACKEND_TAP)
                return fail(err, errlen, "--slirp and --tap exclude each other", a);
            o->backend = SYNACK_BR_BACKEND_SLIRP;
        } else if (strcmp(a, "--allow-all") == 0) {
            o->allow_all = true;
        } else if (strcmp(a, "--slirp-dhcp") == 0) {
            o->slirp_dhcp = true;
        } else if (strcmp(a, "--no-ip6") == 0) {
            no_ip6 = true;
        } else if (is_opt(a, "--ip6-prefix")) {
            if (parse_ip6_prefix(o, value_of(a, "--ip6-prefix", argc, argv, &i), err, errlen) < 0)
                return -1;
            prefix6 = true;
        } else if (strcmp(a, "--offload") == 0) {
            o->offload = true;
        } else if (strcmp(a, "--shared-segment") == 0) {
            o->shared_segment = true;
        } else if (is_opt(a, "--trusted-proxy")) {
            if (parse_trusted(o, value_of(a, "--trusted-proxy", argc, argv, &i), err, errlen) < 0)
                return -1;
        } else if (is_opt(a, "--metrics")) {
            if (parse_metrics(o, value_of(a, "--metrics", argc, argv, &i), err, errlen) < 0)
                return -1;
        } else if (is_opt(a, "--max-conn-per-addr")) {
            v = value_of(a, "--max-conn-per-addr", argc, argv, &i);
            if (!parse_u64(v, 0, SYNACK_BR_MAX_CLIENTS_LIMIT, &n))
                return fail(err, errlen, "--max-conn-per-addr: 0..1024", v);
            o->max_conn_per_addr = (uint32_t)n;
        } else if (is_opt(a, "--conn-rate-per-addr")) {
            v = value_of(a, "--conn-rate-per-addr", argc, argv, &i);
            if (!parse_u64(v, 0, 100000, &n))
                return fail(err, errlen, "--conn-rate-per-addr: 0..100000", v);
            o->conn_rate_per_addr = (uint32_t)n;
        } else if (is_opt(a, "--listen-ws")) {
            if (parse_host_port("--listen-ws", value_of(a, "--listen-ws", argc, argv, &i),
                                o->ws_buf, sizeof(o->ws_buf), &o->ws_host, &o->ws_port,
                                err, errlen) < 0)
                return -1;
        } else if (is_opt(a, "--ws-origin")) {
            v = value_of(a, "--ws-origin", argc, argv, &i);
            if (v == NULL || *v == '\0' || strlen(v) > 255)
                return fail(err, errlen, "--ws-origin needs an origin (scheme://host[:port])", v);
            if (o->ws_origin_count == SYNACK_BR_WS_ORIGIN_MAX)
                return fail(err, errlen, "too many --ws-origin (16 at most)", v);
            o->ws_origins[o->ws_origin_count++] = v;
        } else if (is_opt(a, "--listen")) {
            if (parse_listen(o, value_of(a, "--listen", argc, argv, &i), err, errlen) < 0)
                return -1;
        } else if (is_opt(a, "--tap")) {
            v = value_of(a, "--tap", argc, argv, &i);
            if (v == NULL || *v == '\0' || strlen(v) >= 16)
                return fail(err, errlen, "--tap needs a device name (< 16 chars)", v);
            if (o->backend == SYNACK_BR_BACKEND_SLIRP)
                return fail(err, errlen, "--slirp and --tap exclude each other", a);
            o->backend = SYNACK_BR_BACKEND_TAP;
            o->tap_name = v;
        } else if (is_opt(a, "--allow")) {
            if (parse_allow(o, value_of(a, "--allow", argc, argv, &i), err, errlen) < 0)
                return -1;
        } else if (is_opt(a, "--forward")) {
            if (parse_forward(o, value_of(a, "--forward", argc, argv, &i), err, errlen) < 0)
                return -1;
        } else if (is_opt(a, "--max-clients")) {
            v = value_of(a, "--max-clients", argc, argv, &i);
            if (!parse_u64(v, 1, SYNACK_BR_MAX_CLIENTS_LIMIT, &n))
                return fail(err, errlen, "--max-clients: 1..1024", v);
            o->max_clients = (uint32_t)n;
        } else if (is_opt(a, "--max-frame")) {
            v = value_of(a, "--max-frame", argc, argv, &i);
            if (!parse_u64(v, 60, SYNACK_BR_MAX_FRAME_LIMIT, &n))
                return fail(err, errlen, "--max-frame: 60..9018", v);
            o->max_frame = (uint32_t)n;
        } else if (is_opt(a, "--rate-fps")) {
            v = value_of(a, "--rate-fps", argc, argv, &i);
            if (!parse_u64(v, 0, 1000000000u, &n))
                return fail(err, errlen, "--rate-fps: 0..1e9", v);
            o->rate_fps = n;
        } else if (is_opt(a, "--rate-bps")) {
            v = value_of(a, "--rate-bps", argc, argv, &i);
            if (!parse_u64(v, 0, 1000000000000ull, &n))
                return fail(err, errlen, "--rate-bps: 0..1e12", v);
            o->rate_bps = n;
        } else if (is_opt(a, "--burst-ms")) {
            v = value_of(a, "--burst-ms", argc, argv, &i);
            if (!parse_u64(v, 1, 60000, &n))
                return fail(err, errlen, "--burst-ms: 1..60000", v);
            o->burst_ms = (uint32_t)n;
        } else if (is_opt(a, "--queue-bytes")) {
            v = value_of(a, "--queue-bytes", argc, argv, &i);
            if (!parse_u64(v, 65536 + 4, 1u << 30, &n))
                return fail(err, errlen, "--queue-bytes: 65540..1073741824", v);
            o->queue_bytes = (uint32_t)n;
        } else if (is_opt(a, "--token")) {
            v = value_of(a, "--token", argc, argv, &i);
            if (v == NULL || *v == '\0' || strlen(v) > SYNACK_BR_TOKEN_MAX)
                return fail(err, errlen, "--token: 1..1024 bytes", v);
            o->token = v;
        } else if (is_opt(a, "--token-file")) {
            v = value_of(a, "--token-file", argc, argv, &i);
            if (v == NULL || *v == '\0')
                return fail(err, errlen, "--token-file needs a path", v);
            o->token_file = v;
        } else if (is_opt(a, "--mac-age")) {
            v = value_of(a, "--mac-age", argc, argv, &i);
            if (!parse_u64(v, 1, 86400, &n))
                return fail(err, errlen, "--mac-age: 1..86400 seconds", v);
            o->mac_age_s = (uint32_t)n;
        } else if (is_opt(a, "--auth-timeout")) {
            v = value_of(a, "--auth-timeout", argc, argv, &i);
            if (!parse_u64(v, 1, 3600000, &n))
                return fail(err, errlen, "--auth-timeout: 1..3600000 ms", v);
            o->auth_timeout_ms = (uint32_t)n;
        } else {
            return fail(err, errlen, "unknown option", a);
        }
    }
    if (o->listen_port == NULL && o->ws_port == NULL)
        return fail(err, errlen, "missing option", "--listen [HOST:]PORT or --listen-ws [HOST:]PORT");
    if (o->ws_origin_count > 0 && o->ws_port == NULL)
        return fail(err, errlen, "--ws-origin needs", "--listen-ws");
    if (o->token != NULL && o->token_file != NULL)
        return fail(err, errlen, "--token and --token-file exclude each other", "");
    if (o->backend != SYNACK_BR_BACKEND_SLIRP &&
        (o->allow_count > 0 || o->allow_all || o->forward_count > 0 || o->slirp_dhcp ||
         o->shared_segment || no_ip6 || prefix6))
        return fail(err, errlen,
                    "--allow, --allow-all, --forward, --slirp-dhcp, --shared-segment, "
                    "--ip6-prefix and --no-ip6 need",
                    "--slirp");
    if (no_ip6 && prefix6)
        return fail(err, errlen, "--ip6-prefix and --no-ip6 exclude each other", "");
    if (no_ip6)
        o->net.ip6 = false;
    return 0;
}
