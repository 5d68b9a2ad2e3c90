/*
 * Option parser for the `synack` tool: DESIGN.md, CONTRACT: `synack`
 * command-line tool. Strict: every number is checked for syntax and range,
 * every missing or repeated piece is a usage error (exit 2) with a reason.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_opts.h"

static const char usage_text[] =
    "usage: synack LINK [ADDRESSING] [DIAGNOSTICS] COMMAND [ARGS]\n"
    "LINK (exactly one)\n"
    "  --tap NAME              attach to an existing TAP device\n"
    "  --connect HOST:PORT     stream framing over TCP to a bridge\n"
    "  --stdio                 stream framing on stdin/stdout\n"
    "  --accept-fd N           stream framing on a preopened listening socket (WASI)\n"
    "ADDRESSING\n"
    "  --ip A.B.C.D/LEN        static address   (default: DHCP)\n"
    "  --gw A.B.C.D            default gateway  (default: from DHCP)\n"
    "  --dns ADDR              resolver, IPv4 or IPv6 (default: DHCP or RA)\n"
    "  --ip6 ADDR/LEN|off      static IPv6 address, or no IPv6 at all\n"
    "                          (--ip6 without --ip: no DHCP)\n"
    "  --gw6 ADDR              IPv6 default gateway\n"
    "  --mac XX:XX:XX:XX:XX:XX (default: random locally administered, or\n"
    "                          derived from --stable-secret)\n"
    "  --stable-secret HEX     32 hex digits: key of the RFC 7217 IPv6\n"
    "                          identifiers (and of the MAC), so the link-local\n"
    "                          and SLAAC addresses survive a restart\n"
    "  --stable-secret-file PATH  the same, read from a file\n"
    "  --mtu N                 (default 1500)\n"
    "  --offload               stream links: ask synack-bridge --offload to take\n"
    "                          TCP super-frames (send offload when it agrees)\n"
    "DIAGNOSTICS\n"
    "  --out PATH              write what the command prints to PATH\n"
    "                          (default stdout; stderr with --stdio)\n"
    "  --pcap FILE             write every frame to FILE\n"
    "  --trace                 one JSON object per line on stderr\n"
    "  --loss P --delay MS --jitter MS --reorder P --dup P --corrupt P\n"
    "  --rate MBIT --seed N    impair the link (percentages for P)\n"
    "  --syn-retries N         SYN retransmissions before \"timed out\"\n"
    "  --attempt-delay MS      Happy Eyeballs: between connection attempts\n"
    "                          to a name's addresses (default 250, 10..2000)\n"
    "COMMANDS\n"
    "  ping HOST [-c N] [-4|-6]\n"
    "                          a name: AAAA and A, IPv6 first when the stack\n"
    "                          has an IPv6 route; -4/-6: that family only\n"
    "  connect HOST PORT\n"
    "  get URL [--cacert FILE] [--insecure]\n"
    "                          http:// or https:// (TLS 1.2; --cacert: PEM\n"
    "                          CA certificates to trust; --insecure: no checks)\n"
    "  listen PORT --echo|--discard|--file PATH [--count N]\n"
    "         [--idle-timeout SECONDS]  (default 60; 0: never)\n"
    "  send HOST PORT --bytes N\n"
    "  sink PORT [--count N]\n"
    "  udp-echo PORT\n";

const char *synack_cli_usage(void)
{
    return usage_text;
}

static int fail(char *err, size_t cap, const char *fmt, ...)
{
    if (err != NULL && cap > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, cap, fmt, ap);
        va_end(ap);
    }
    return SYNACK_CLI_EXIT_USAGE;
}

/* Decimal digits only, value <= max. */
static int parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    uint64_t v = 0;
    if (s == NULL || *s == '\0')
        return -1;
    for (const char *p = s; *p != '\0'; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        uint64_t d = (uint64_t)(*p - '0');
        if (v > (max - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

static int parse_u32(const char *s, uint32_t min, uint32_t max, uint32_t *out)
{
    uint64_t v;
    if (parse_u64(s, max, &v) != 0 || v < min)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static int parse_port(const char *s, uint16_t *out)
{
    uint32_t v;
    if (parse_u32(s, 1, 65535, &v) != 0)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* A non-negative decimal number (digits with an optional fraction). */
static int parse_real(const char *s, double max, double *out)
{
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    char *end = NULL;
    double v = strtod(s, &end);
    if (end == NULL || *end != '\0' || !(v >= 0.0) || v > max)
        return -1;
    *out = v;
    return 0;
}

int synack_cli_parse_cidr(const char *text, synack_ip4 *addr, uint8_t *len)
{
    char buf[20];
    const char *slash = strchr(text, '/');
    if (slash == NULL || (size_t)(slash - text) >= sizeof buf)
        return -1;
    memcpy(buf, text, (size_t)(slash - text));
    buf[slash - text] = '\0';
    uint32_t l;
    if (synack_ip4_parse_text(buf, addr) != 0 ||
        parse_u32(slash + 1, 0, 32, &l) != 0)
        return -1;
    *len = (uint8_t)l;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int synack_cli_parse_mac(const char *text, synack_mac *mac)
{
    if (strlen(text) != 17)
        return -1;
    for (int i = 0; i < 6; i++) {
        const char *p = text + 3 * i;
        int hi = hexval(p[0]), lo = hexval(p[1]);
        if (hi < 0 || lo < 0 || (i < 5 && p[2] != ':'))
            return -1;
        mac->b[i] = (uint8_t)(hi * 16 + lo);
    }
    return 0;
}

int synack_cli_parse_secret(const char *text, size_t len, uint8_t out[16])
{
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    for (int k = 0; k < 16; k++, i += 2) {
        if (i + 2 > len)
            return -1;
        int hi = hexval(text[i]), lo = hexval(text[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[k] = (uint8_t)(hi * 16 + lo);
    }
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r'))
        i++;
    return i == len ? 0 : -1;
}

int synack_cli_parse_cidr6(const char *text, synack_addr *addr, uint8_t *len)
{
    const char *slash = strchr(text, '/');
    char buf[SYNACK_ADDR_STRLEN];
    uint32_t l;
    if (slash == NULL || (size_t)(slash - text) >= sizeof buf ||
        parse_u32(slash + 1, 1, 128, &l) != 0)
        return -1;
    memcpy(buf, text, (size_t)(slash - text));
    buf[slash - text] = '\0';
    if (synack_addr_parse(buf, addr) != 0 || addr->family != SYNACK_AF_IP6)
        return -1;
    *len = (uint8_t)l;
    return 0;
}

int synack_cli_parse_hostport(const char *text, char *host, size_t cap,
                              uint16_t *port)
{
    if (text[0] == '[') { /* RFC 3986 3.2.2: an IPv6 literal in brackets */
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':' || close == text + 1 ||
            (size_t)(close - text - 1) >= cap || parse_port(close + 2, port) != 0)
            return -1;
        memcpy(host, text + 1, (size_t)(close - text - 1));
        host[close - text - 1] = '\0';
        return 0;
    }
    const char *colon = strrchr(text, ':');
    if (colon == NULL || colon == text || (size_t)(colon - text) >= cap)
        return -1;
    if (parse_port(colon + 1, port) != 0)
        return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    return 0;
}

typedef struct cmd_name {
    const char *name;
    synack_cli_cmd cmd;
} cmd_name;

static const cmd_name commands[] = {
    {"ping", SYNACK_CLI_CMD_PING},     {"connect", SYNACK_CLI_CMD_CONNECT},
    {"get", SYNACK_CLI_CMD_GET},       {"listen", SYNACK_CLI_CMD_LISTEN},
    {"send", SYNACK_CLI_CMD_SEND},     {"sink", SYNACK_CLI_CMD_SINK},
    {"udp-echo", SYNACK_CLI_CMD_UDP_ECHO},
};

/* Number of positional arguments each command takes. */
static int positional_count(synack_cli_cmd c)
{
    switch (c) {
    case SYNACK_CLI_CMD_CONNECT:
    case SYNACK_CLI_CMD_SEND:
        return 2;
    default:
        return 1;
    }
}

/* Parser state beyond the result itself. */
typedef struct parse_state {
    int positional;  /* positional args of the command seen */
    bool seen_count; /* -c / --count */
    bool seen_bytes;
} parse_state;

static int set_link(synack_cli_opts *o, synack_cli_link_kind k, char *err,
                    size_t cap)
{
    if (o->link != SYNACK_CLI_LINK_NONE)
        return fail(err, cap, "exactly one link option "
                              "(--tap, --connect, --stdio, --accept-fd)");
    o->link = k;
    return 0;
}

static int percent(const char *opt, const char *v, double *out, char *err,
                   size_t cap)
{
    double p;
    if (parse_real(v, 100.0, &p) != 0)
        return fail(err, cap, "%s: expected a percentage 0..100, got '%s'",
                    opt, v);
    *out = p / 100.0;
    return 0;
}

/*
 * A global option at argv[*i] (its value, if any, at argv[*i + 1]).
 * Returns 0 when handled, -1 when `a` is not a global option, or
 * SYNACK_CLI_EXIT_USAGE.
 */
static int global_option(int argc, char *const *argv, int *i,
                         synack_cli_opts *o, char *err, size_t cap)
{
    const char *a = argv[*i];
    static const char *const with_value[] = {
        "--tap", "--connect", "--accept-fd", "--ip", "--gw", "--dns", "--ip6",
        "--gw6",
        "--mac", "--stable-secret", "--stable-secret-file",
        "--mtu", "--out", "--pcap", "--loss", "--delay", "--jitter",
        "--reorder", "--dup", "--corrupt", "--rate", "--seed", "--syn-retries",
        "--attempt-delay",
    };
    bool known = false;
    for (size_t k = 0; k < sizeof with_value / sizeof with_value[0]; k++)
        if (strcmp(a, with_value[k]) == 0)
            known = true;
    if (!known) {
        if (strcmp(a, "--stdio") == 0)
            return set_link(o, SYNACK_CLI_LINK_STDIO, err, cap);
        if (strcmp(a, "--trace") == 0) {
            o->trace = true;
            return 0;
        }
        if (strcmp(a, "--offload") == 0) {
            o->offload = true;
            return 0;
        }
        return -1;
    }
    if (*i + 1 >= argc)
        return fail(err, cap, "%s needs a value", a);
    const char *v = argv[++*i];
    uint32_t u;
    int rc;

    if (strcmp(a, "--tap") == 0) {
        if ((rc = set_link(o, SYNACK_CLI_LINK_TAP, err, cap)) != 0)
            return rc;
        if (*v == '\0' || strlen(v) >= 16)
            return fail(err, cap, "--tap: bad device name '%s'", v);
        o->tap_name = v;
    } else if (strcmp(a, "--connect") == 0) {
        if ((rc = set_link(o, SYNACK_CLI_LINK_CONNECT, err, cap)) != 0)
            return rc;
        if (synack_cli_parse_hostport(v, o->connect_host,
                                      sizeof o->connect_host,
                                      &o->connect_port) != 0)
            return fail(err, cap, "--connect: expected HOST:PORT, got '%s'", v);
    } else if (strcmp(a, "--accept-fd") == 0) {
        if ((rc = set_link(o, SYNACK_CLI_LINK_ACCEPT_FD, err, cap)) != 0)
            return rc;
        if (parse_u32(v, 0, 0x7fffffff, &u) != 0)
            return fail(err, cap, "--accept-fd: bad descriptor '%s'", v);
        o->accept_fd = (int32_t)u;
    } else if (strcmp(a, "--ip") == 0) {
        if (synack_cli_parse_cidr(v, &o->ip, &o->prefix_len) != 0)
            return fail(err, cap, "--ip: expected A.B.C.D/LEN, got '%s'", v);
        o->static_ip = true;
    } else if (strcmp(a, "--gw") == 0) {
        if (synack_ip4_parse_text(v, &o->gw) != 0)
            return fail(err, cap, "--gw: expected A.B.C.D, got '%s'", v);
        o->has_gw = true;
    } else if (strcmp(a, "--ip6") == 0) {
        if (strcmp(v, "off") == 0) {
            o->ip6_off = true;
            o->has_ip6 = false;
        } else if (synack_cli_parse_cidr6(v, &o->ip6, &o->ip6_len) == 0) {
            o->has_ip6 = true;
            o->ip6_off = false;
        } else {
            return fail(err, cap, "--ip6: expected ADDR/LEN or off, got '%s'", v);
        }
    } else if (strcmp(a, "--gw6") == 0) {
        if (synack_addr_parse(v, &o->gw6) != 0 || o->gw6.family != SYNACK_AF_IP6)
            return fail(err, cap, "--gw6: expected an IPv6 address, got '%s'", v);
        o->has_gw6 = true;
    } else if (strcmp(a, "--dns") == 0) {
        if (synack_addr_parse(v, &o->dns) != 0)
            return fail(err, cap, "--dns: expected an IPv4 or IPv6 address, got '%s'", v);
        o->has_dns = true;
    } else if (strcmp(a, "--mac") == 0) {
        if (synack_cli_parse_mac(v, &o->mac) != 0 || (o->mac.b[0] & 1) != 0)
            return fail(err, cap, "--mac: expected a unicast "
                                  "XX:XX:XX:XX:XX:XX, got '%s'", v);
        o->has_mac = true;
    } else if (strcmp(a, "--stable-secret") == 0 || strcmp(a, "--stable-secret-file") == 0) {
        if (o->has_stable_secret || o->stable_secret_file != NULL)
            return fail(err, cap, "%s: a stable secret was already given", a);
        if (strcmp(a, "--stable-secret-file") == 0) {
            o->stable_secret_file = v;
        } else if (synack_cli_parse_secret(v, strlen(v), o->stable_secret) != 0) {
            return fail(err, cap, "--stable-secret: expected 32 hex digits, got '%s'", v);
        } else {
            o->has_stable_secret = true;
        }
    } else if (strcmp(a, "--mtu") == 0) {
        if (parse_u32(v, 68, 65535, &o->mtu) != 0)
            return fail(err, cap, "--mtu: expected 68..65535, got '%s'", v);
    } else if (strcmp(a, "--out") == 0) {
        o->out_path = v;
    } else if (strcmp(a, "--pcap") == 0) {
        o->pcap_path = v;
    } else if (strcmp(a, "--loss") == 0) {
        o->impair = true;
        return percent(a, v, &o->loss, err, cap);
    } else if (strcmp(a, "--reorder") == 0) {
        o->impair = true;
        return percent(a, v, &o->reorder, err, cap);
    } else if (strcmp(a, "--dup") == 0) {
        o->impair = true;
        return percent(a, v, &o->dup, err, cap);
    } else if (strcmp(a, "--corrupt") == 0) {
        o->impair = true;
        return percent(a, v, &o->corrupt, err, cap);
    } else if (strcmp(a, "--delay") == 0 || strcmp(a, "--jitter") == 0) {
        if (parse_u32(v, 0, 3600000, &u) != 0)
            return fail(err, cap, "%s: expected milliseconds, got '%s'", a, v);
        *(a[2] == 'd' ? &o->delay_ms : &o->jitter_ms) = u;
        o->impair = true;
    } else if (strcmp(a, "--rate") == 0) {
        if (parse_real(v, 1e6, &o->rate_mbit) != 0 || !(o->rate_mbit > 0.0))
            return fail(err, cap, "--rate: expected Mbit/s > 0, got '%s'", v);
        o->impair = true;
    } else if (strcmp(a, "--seed") == 0) {
        if (parse_u64(v, UINT64_MAX, &o->seed) != 0)
            return fail(err, cap, "--seed: expected a number, got '%s'", v);
        o->has_seed = true;
    } else if (strcmp(a, "--attempt-delay") == 0) {
        if (parse_u32(v, SYNACK_HE_ATTEMPT_DELAY_MIN_MS, SYNACK_HE_ATTEMPT_DELAY_MAX_MS,
                      &o->attempt_delay_ms) != 0)
            return fail(err, cap, "--attempt-delay: expected 10..2000, got '%s'", v);
    } else if (strcmp(a, "--syn-retries") == 0) {
        if (parse_u32(v, 1, 20, &o->syn_retries) != 0)
            return fail(err, cap, "--syn-retries: expected 1..20, got '%s'", v);
    }
    return 0;
}

/* An option or argument after the command name. */
static int command_arg(int argc, char *const *argv, int *i,
                       synack_cli_opts *o, parse_state *ps, char *err,
                       size_t cap)
{
    const char *a = argv[*i];
    const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
    synack_cli_cmd c = o->cmd;

    if (a[0] == '-' && a[1] != '\0') {
        bool count_opt = (c == SYNACK_CLI_CMD_PING && strcmp(a, "-c") == 0) ||
                         ((c == SYNACK_CLI_CMD_LISTEN || c == SYNACK_CLI_CMD_SINK) &&
                          strcmp(a, "--count") == 0);
        if (count_opt) {
            if (ps->seen_count)
                return fail(err, cap, "%s given twice", a);
            if (v == NULL || parse_u32(v, 1, 0x7fffffff, &o->count) != 0)
                return fail(err, cap, "%s: expected a count >= 1", a);
            ps->seen_count = true;
            ++*i;
            return 0;
        }
        if (c == SYNACK_CLI_CMD_PING && (strcmp(a, "-4") == 0 || strcmp(a, "-6") == 0)) {
            uint8_t f = a[1] == '4' ? SYNACK_AF_IP4 : SYNACK_AF_IP6;
            if (o->family != 0 && o->family != f)
                return fail(err, cap, "ping: only one of -4 and -6");
            o->family = f;
            return 0;
        }
        if (c == SYNACK_CLI_CMD_LISTEN) {
            synack_cli_listen_mode m = SYNACK_CLI_LISTEN_NONE;
            if (strcmp(a, "--echo") == 0)
                m = SYNACK_CLI_LISTEN_ECHO;
            else if (strcmp(a, "--discard") == 0)
                m = SYNACK_CLI_LISTEN_DISCARD;
            else if (strcmp(a, "--file") == 0)
                m = SYNACK_CLI_LISTEN_FILE;
            if (m != SYNACK_CLI_LISTEN_NONE) {
                if (o->listen_mode != SYNACK_CLI_LISTEN_NONE)
                    return fail(err, cap, "listen: exactly one of "
                                          "--echo, --discard, --file PATH");
                o->listen_mode = m;
                if (m == SYNACK_CLI_LISTEN_FILE) {
                    if (v == NULL || *v == '\0')
                        return fail(err, cap, "--file needs a PATH");
                    o->file = v;
                    ++*i;
                }
                return 0;
            }
            if (strcmp(a, "--idle-timeout") == 0) {
                if (v == NULL || parse_u32(v, 0, 86400, &o->idle_timeout_s) != 0)
                    return fail(err, cap, "--idle-timeout: expected seconds 0..86400");
                ++*i;
                return 0;
            }
        }
        if (c == SYNACK_CLI_CMD_GET && strcmp(a, "--cacert") == 0) {
            if (o->cacert != NULL)
                return fail(err, cap, "--cacert given twice");
            if (v == NULL || *v == '\0')
                return fail(err, cap, "--cacert needs a FILE");
            o->cacert = v;
            ++*i;
            return 0;
        }
        if (c == SYNACK_CLI_CMD_GET && strcmp(a, "--insecure") == 0) {
            o->insecure = true;
            return 0;
        }
        if (c == SYNACK_CLI_CMD_SEND && strcmp(a, "--bytes") == 0) {
            if (ps->seen_bytes)
                return fail(err, cap, "--bytes given twice");
            if (v == NULL || parse_u64(v, UINT64_MAX, &o->bytes) != 0)
                return fail(err, cap, "--bytes: expected a number of bytes");
            ps->seen_bytes = true;
            ++*i;
            return 0;
        }
        return fail(err, cap, "unknown option '%s'", a);
    }

    if (ps->positional >= positional_count(c))
        return fail(err, cap, "unexpected argument '%s'", a);
    int n = ps->positional++;
    switch (c) {
    case SYNACK_CLI_CMD_PING:
        o->host = a;
        break;
    case SYNACK_CLI_CMD_GET:
        o->url = a;
        break;
    case SYNACK_CLI_CMD_CONNECT:
    case SYNACK_CLI_CMD_SEND:
        if (n == 0) {
            if (strlen(a) >= SYNACK_CLI_HOST_MAX)
                return fail(err, cap, "host name too long");
            o->host = a;
        } else if (parse_port(a, &o->port) != 0) {
            return fail(err, cap, "bad port '%s' (1..65535)", a);
        }
        break;
    default: /* listen, sink, udp-echo */
        if (parse_port(a, &o->port) != 0)
            return fail(err, cap, "bad port '%s' (1..65535)", a);
        break;
    }
    return 0;
}

static const char *cmd_label(synack_cli_cmd c)
{
    for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
        if (commands[k].cmd == c)
            return commands[k].name;
    return "?";
}

/* Whole-command checks once everything is read. */
static int check(const synack_cli_opts *o, const parse_state *ps, char *err,
                 size_t cap)
{
    if (o->link == SYNACK_CLI_LINK_NONE)
        return fail(err, cap, "a link option is required "
                              "(--tap, --connect, --stdio, --accept-fd)");
    if (o->cmd == SYNACK_CLI_CMD_NONE)
        return fail(err, cap, "a command is required "
                              "(ping, connect, get, listen, send, sink, udp-echo)");
    if (ps->positional < positional_count(o->cmd)) {
        static const char *const what[] = {
            [SYNACK_CLI_CMD_PING] = "HOST",
            [SYNACK_CLI_CMD_CONNECT] = "HOST PORT",
            [SYNACK_CLI_CMD_GET] = "URL",
            [SYNACK_CLI_CMD_LISTEN] = "PORT",
            [SYNACK_CLI_CMD_SEND] = "HOST PORT",
            [SYNACK_CLI_CMD_SINK] = "PORT",
            [SYNACK_CLI_CMD_UDP_ECHO] = "PORT",
        };
        return fail(err, cap, "%s: missing %s", cmd_label(o->cmd),
                    what[o->cmd]);
    }
    if (o->cmd == SYNACK_CLI_CMD_LISTEN &&
        o->listen_mode == SYNACK_CLI_LISTEN_NONE)
        return fail(err, cap, "listen: one of --echo, --discard, --file PATH "
                              "is required");
    if (o->cmd == SYNACK_CLI_CMD_PING && o->family != 0) {
        const char *fl = o->family == SYNACK_AF_IP4 ? "-4" : "-6";
        synack_addr lit;
        if (synack_addr_parse(o->host, &lit) == 0 && lit.family != o->family)
            return fail(err, cap, "ping %s: %s is an %s address", fl, o->host,
                        lit.family == SYNACK_AF_IP6 ? "IPv6" : "IPv4");
        if (o->family == SYNACK_AF_IP6 && o->ip6_off)
            return fail(err, cap, "ping -6: IPv6 is off (--ip6 off)");
    }
    if (o->cacert != NULL && o->insecure)
        return fail(err, cap, "get: --cacert and --insecure exclude each other");
    if (o->cmd == SYNACK_CLI_CMD_SEND && !ps->seen_bytes)
        return fail(err, cap, "send: --bytes N is required");
    if (o->cmd == SYNACK_CLI_CMD_CONNECT && o->link == SYNACK_CLI_LINK_STDIO)
        return fail(err, cap, "connect is not available with --stdio "
                              "(stdin is the link)");
    return 0;
}

int synack_cli_parse(int argc, char *const *argv, synack_cli_opts *o,
                     char *err, size_t errcap)
{
    parse_state ps = {0, false, false};
    memset(o, 0, sizeof *o);
    o->mtu = 1500;
    o->accept_fd = -1;
    o->idle_timeout_s = SYNACK_CLI_IDLE_TIMEOUT_S;
    if (err != NULL && errcap > 0)
        err[0] = '\0';

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            o->help = true;
            return 0;
        }
        int rc = global_option(argc, argv, &i, o, err, errcap);
        if (rc > 0)
            return rc;
        if (rc == 0)
            continue;
        if (o->cmd == SYNACK_CLI_CMD_NONE) {
            for (size_t k = 0; k < sizeof commands / sizeof commands[0]; k++)
                if (strcmp(a, commands[k].name) == 0)
                    o->cmd = commands[k].cmd;
            if (o->cmd == SYNACK_CLI_CMD_NONE && a[0] == '-')
                return fail(err, errcap, "unknown option '%s'", a);
            if (o->cmd == SYNACK_CLI_CMD_NONE)
                return fail(err, errcap, "unknown command '%s'", a);
            continue;
        }
        rc = command_arg(argc, argv, &i, o, &ps, err, errcap);
        if (rc != 0)
            return rc;
    }
    int rc = check(o, &ps, err, errcap);
    if (rc != 0)
        return rc;
    if (o->cmd == SYNACK_CLI_CMD_PING && !ps.seen_count)
        o->count = 4;
    return 0;
}
