/*
 * The `synack` commands end to end (host/cli/), run through
 * synack_cli_main() on a fake platform: the link is a stream (DESIGN.md
 * framing) to a second, in-process stack (the peer, 10.9.0.1) that plays
 * HTTP server, bulk sink, bulk sender or echo client, on a virtual clock
 * that jumps to the next deadline, so nothing waits in real time. The
 * tool under test is 10.9.0.2 (or DHCP from the peer).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bulk.h"
#include "cc_dhcp_server.h"
#include "cc_dns_server.h"
#include "cli_platform.h"
#include "framing.h"
#include "sha256.h"
#include "synack/synack.h"
#include "synack_libc.h"
#include "test_addr.h"

#define PEER_IP SYNACK_IP4(10, 9, 0, 1)
#define VIRTUAL_LIMIT_MS (3600u * 1000u)

/* ---- growable byte buffers --------------------------------------------- */

typedef struct bytes {
    uint8_t *p;
    size_t len, cap, off; /* off: bytes already read */
} bytes;

static void bytes_add(bytes *b, const void *d, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        b->p = realloc(b->p, cap);
        assert_non_null(b->p);
        b->cap = cap;
    }
    memcpy(b->p + b->len, d, n);
    b->len += n;
}

static size_t bytes_avail(const bytes *b)
{
    return b->len - b->off;
}

static bool bytes_has(const bytes *b, const char *text)
{
    size_t n = strlen(text);
    for (size_t i = 0; i + n <= b->len; i++)
        if (memcmp(b->p + i, text, n) == 0)
            return true;
    return false;
}

static void bytes_free(bytes *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ---- the peer's roles --------------------------------------------------- */

typedef enum peer_role {
    PEER_IDLE = 0,   /* answers ping, refuses TCP */
    PEER_HTTP,       /* port 80: one response per connection */
    PEER_SINK,       /* port 5001: reads to the end, hashes */
    PEER_SENDER,     /* connects to 10.9.0.2:5001, sends a stream */
    PEER_ECHO_CLIENT,/* connects to 10.9.0.2:7, sends, reads the echo */
    PEER_GARBAGE,    /* the first thing on the link is a zero length */
    PEER_DHCP_DNS,   /* 10.0.0.2: DHCP server and DNS server */
    PEER_IDLE_THEN_ECHO, /* IDLE_CLIENTS connections to port 7 that send one
                            byte and nothing more, then an echo client */
} peer_role;

#define IDLE_CLIENTS 128

/* When the peer's side of the link goes away (the link reads EOF once
 * what was already written has been read). */
typedef enum hangup_mode {
    HANGUP_NEVER = 0,
    HANGUP_DONE,     /* as soon as the peer's connection has closed */
    HANGUP_STARTED,  /* once the peer has the HTTP request (it sends
                        nothing more) */
    HANGUP_RECEIVED, /* once the peer's stack has received any data (it
                        takes and sends nothing more) */
} hangup_mode;

typedef struct fake {
    uint64_t now;
    uint8_t entropy;
    bytes to_cli, out, err, stdin_data;
    synack_framer *framer;
    synack_stack *peer;
    peer_role role;
    /* TCP roles */
    int lh, ch;
    bytes rx;              /* what the peer's connection received */
    uint64_t first_rx_at;  /* when its first byte came (virtual ms) */
    const uint8_t *tx;     /* what it sends */
    size_t tx_len, tx_off;
    bool started, shut, eof;
    /* DHCP/DNS role */
    cc_dhcp_server dhcp;
    cc_dns_server dns;
    cc_dns_record records[1];
    /* files: one written (--out, --pcap), one to read */
    bytes file_w;
    const uint8_t *file_r;
    size_t file_r_len, file_r_off;
    int link_opened;
    hangup_mode hangup;    /* when the peer's end closes the link */
    /* PEER_IDLE_THEN_ECHO */
    int idle_h[IDLE_CLIENTS];
    bool idle_sent[IDLE_CLIENTS];
    int idle_opened;       /* clients opened so far */
    int idle_ready;        /* clients whose byte is queued */
    uint64_t idle_at;      /* when the last of them was */
} fake;

static bool peer_gone(fake *f);

static int peer_send(void *ctx, const uint8_t *frame, size_t len)
{
    fake *f = ctx;
    uint8_t h[4];
    if ((f->hangup == HANGUP_STARTED || f->hangup == HANGUP_RECEIVED) && peer_gone(f))
        return 0; /* gone: nothing more reaches the link */
    assert_int_equal(synack_frame_header(h, len), 0);
    bytes_add(&f->to_cli, h, 4);
    bytes_add(&f->to_cli, frame, len);
    return 0;
}

static void peer_new(fake *f, peer_role role)
{
    synack_config cfg;
    synack_config_default(&cfg);
    cfg.alloc = synack_libc_allocator();
    cfg.link = (synack_link){.send = peer_send, .ctx = f, .mtu = 1500, .medium = SYNACK_MEDIUM_ETHERNET};
    cfg.mac = (synack_mac){{0x02, 0, 0, 0, 0, 0x01}};
    cfg.seed = 99;
    assert_int_equal(synack_stack_new(&f->peer, &cfg, f->now), 0);
    f->role = role;
    f->lh = f->ch = -1;
    if (role == PEER_DHCP_DNS) {
        synack_ip4 me = SYNACK_IP4(10, 0, 0, 2);
        assert_int_equal(synack_set_ipv4(f->peer, f->now, me, 24, 0), 0);
        assert_int_equal(cc_dhcp_server_start(&f->dhcp, f->peer, 3600), 0);
        f->dhcp.dns = me; /* one stack serves both */
        f->records[0] = (cc_dns_record){"peer.test", 1, me, NULL};
        assert_int_equal(cc_dns_server_start(&f->dns, f->peer, 53, f->records, 1), 0);
        return;
    }
    assert_int_equal(synack_set_ipv4(f->peer, f->now, PEER_IP, 24, 0), 0);
    if (role == PEER_HTTP || role == PEER_SINK) {
        f->lh = synack_tcp_open(f->peer);
        assert_true(f->lh >= 0);
        assert_int_equal(synack_tcp_bind(f->peer, f->lh, role == PEER_HTTP ? 80 : 5001), 0);
        assert_int_equal(synack_tcp_listen(f->peer, f->lh, 4), 0);
    }
    if (role == PEER_GARBAGE)
        bytes_add(&f->to_cli, "\0\0\0\0", 4);
}

/* Queue what is left of f->tx. */
static void peer_push(fake *f)
{
    while (f->tx_off < f->tx_len) {
        int n = synack_tcp_send(f->peer, f->now, f->ch, f->tx + f->tx_off,
                                f->tx_len - f->tx_off);
        if (n <= 0)
            return;
        f->tx_off += (size_t)n;
    }
}

/* Read what arrived; returns false at the end or an error. */
static void peer_pull(fake *f)
{
    uint8_t buf[16384];
    for (int i = 0; i < 1000 && !f->eof; i++) {
        int n = synack_tcp_recv(f->peer, f->now, f->ch, buf, sizeof buf);
        if (n == SYNACK_ERR_AGAIN)
            return;
        if (n <= 0) {
            f->eof = true;
            return;
        }
        if (f->rx.len == 0)
            f->first_rx_at = f->now;
        bytes_add(&f->rx, buf, (size_t)n);
    }
}

/* The peer's application, then its timers. */
static void peer_run(fake *f)
{
    if (f->role == PEER_DHCP_DNS) {
        net_fixture nf;
        memset(&nf, 0, sizeof nf);
        nf.now = f->now;
        cc_dhcp_server_service(&f->dhcp, &nf);
        cc_dns_server_service(&f->dns, &nf);
    }
    if (f->lh >= 0 && f->ch < 0)
        f->ch = synack_tcp_accept(f->peer, f->now, f->lh, NULL, NULL);
    if (f->role == PEER_IDLE_THEN_ECHO) {
        /* one client first, so that ARP is resolved for the others */
        int upto = f->idle_opened == 0 ? 1 : (f->idle_sent[0] ? IDLE_CLIENTS : 1);
        for (; f->idle_opened < upto; f->idle_opened++) {
            int i = f->idle_opened;
            f->idle_h[i] = synack_tcp_open(f->peer);
            assert_true(f->idle_h[i] >= 0);
            assert_int_equal(synack_tcp_connect(f->peer, f->now, f->idle_h[i],
                                                 ADDR4(SYNACK_IP4(10, 9, 0, 2)), 7), 0);
        }
        for (int i = 0; i < f->idle_opened; i++) {
            if (!f->idle_sent[i] &&
                (synack_tcp_events(f->peer, f->idle_h[i]) & SYNACK_EV_CONNECTED) &&
                synack_tcp_send(f->peer, f->now, f->idle_h[i], "x", 1) == 1) {
                f->idle_sent[i] = true;
                if (++f->idle_ready == IDLE_CLIENTS)
                    f->idle_at = f->now;
            }
        }
    }
    bool echo_now = f->role == PEER_ECHO_CLIENT ||
                    (f->role == PEER_IDLE_THEN_ECHO && f->idle_ready == IDLE_CLIENTS &&
                     f->now >= f->idle_at + 1000);
    if ((f->role == PEER_SENDER || echo_now) && !f->started) {
        f->started = true;
        f->ch = synack_tcp_open(f->peer);
        assert_true(f->ch >= 0);
        uint16_t port = f->role == PEER_SENDER ? 5001 : 7;
        assert_int_equal(synack_tcp_connect(f->peer, f->now, f->ch,
                                             ADDR4(SYNACK_IP4(10, 9, 0, 2)), port), 0);
    }
    if (f->ch >= 0) {
        peer_pull(f);
        switch (f->role) {
        case PEER_DHCP_DNS: /* a test may give it an HTTP listener too */
        case PEER_HTTP:
            if (!f->started && bytes_has(&f->rx, "\r\n\r\n"))
                f->started = true;
            /* fall through */
        case PEER_SENDER:
        case PEER_ECHO_CLIENT:
        case PEER_IDLE_THEN_ECHO:
            if (f->started && (synack_tcp_events(f->peer, f->ch) & SYNACK_EV_CONNECTED)) {
                peer_push(f);
                if (f->tx_off == f->tx_len && !f->shut) {
                    synack_tcp_shutdown(f->peer, f->now, f->ch);
                    f->shut = true;
                }
            }
            break;
        default:
            break;
        }
        if (f->eof && f->role == PEER_SINK && !f->shut) {
            synack_tcp_shutdown(f->peer, f->now, f->ch);
            f->shut = true;
        }
    }
    synack_poll(f->peer, f->now);
}

/* ---- the platform -------------------------------------------------------- */

static uint64_t p_now(void *ctx)
{
    return ((fake *)ctx)->now;
}

static void p_entropy(void *ctx, uint8_t *buf, size_t len)
{
    fake *f = ctx;
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)(f->entropy++ * 37u + 11u);
}

static int p_link_open(void *ctx, const synack_cli_opts *o,
                       synack_cli_link_info *info, char *err, size_t cap)
{
    fake *f = ctx;
    (void)o;
    (void)err;
    (void)cap;
    info->stream = true;
    info->medium = SYNACK_MEDIUM_ETHERNET;
    f->link_opened++;
    return 0;
}

static void p_link_close(void *ctx)
{
    ((fake *)ctx)->link_opened--;
}

/* Whether the peer program has gone away (see hangup_mode). */
static bool peer_gone(fake *f)
{
    synack_tcp_info info;
    switch (f->hangup) {
    case HANGUP_DONE:
        /* TIME-WAIT: both FINs sent and acknowledged, like a server
         * that exits right after its connection ends. */
        return f->ch >= 0 && synack_tcp_get_info(f->peer, f->ch, &info) == 0 &&
               (info.state == SYNACK_TCP_TIME_WAIT || info.state == SYNACK_TCP_CLOSED);
    case HANGUP_STARTED:
        return f->started;
    case HANGUP_RECEIVED:
        return f->ch >= 0 && synack_tcp_get_info(f->peer, f->ch, &info) == 0 &&
               info.bytes_received > 0;
    default:
        return false;
    }
}

static int p_wait(void *ctx, uint64_t deadline, unsigned want)
{
    fake *f = ctx;
    for (int i = 0; i < 100000; i++) {
        unsigned ready = 0;
        if (bytes_avail(&f->to_cli) > 0 || peer_gone(f))
            ready |= SYNACK_CLI_READY_LINK; /* frames or EOF */
        if (want & SYNACK_CLI_READY_STDIN)
            ready |= SYNACK_CLI_READY_STDIN; /* data or EOF, always */
        if (want & SYNACK_CLI_READY_LINK_OUT)
            ready |= SYNACK_CLI_READY_LINK_OUT;
        if (ready != 0)
            return (int)ready;
        peer_run(f);
        if (bytes_avail(&f->to_cli) > 0)
            continue;
        uint64_t next = synack_poll_at(f->peer);
        if (deadline < next)
            next = deadline;
        if (next <= f->now) {
            if (deadline <= f->now)
                return 0;
            continue; /* the peer has something due now */
        }
        if (next > VIRTUAL_LIMIT_MS)
            return -1; /* nothing will ever happen: the test would hang */
        f->now = next;
        if (deadline <= f->now) {
            peer_run(f);
            return bytes_avail(&f->to_cli) > 0 ? (int)SYNACK_CLI_READY_LINK : 0;
        }
    }
    return -1;
}

static int32_t p_link_read(void *ctx, uint8_t *buf, size_t cap)
{
    fake *f = ctx;
    size_t n = bytes_avail(&f->to_cli);
    if (n == 0)
        return peer_gone(f) ? 0 : SYNACK_CLI_AGAIN;
    if (n > cap)
        n = cap;
    if (n > 3000)
        n = 3000; /* frames split across reads */
    memcpy(buf, f->to_cli.p + f->to_cli.off, n);
    f->to_cli.off += n;
    return (int32_t)n;
}

static int32_t p_link_write(void *ctx, const uint8_t *data, size_t len)
{
    fake *f = ctx;
    if (f->hangup == HANGUP_RECEIVED && peer_gone(f))
        return (int32_t)len; /* nobody reads the link any more */
    size_t off = 0;
    while (off < len) {
        size_t used;
        synack_framer_status st =
            synack_framer_feed(f->framer, data + off, len - off, &used);
        off += used;
        assert_int_not_equal(st, SYNACK_FRAMER_ERROR);
        if (st == SYNACK_FRAMER_FRAME) {
            size_t flen;
            const uint8_t *fr = synack_framer_frame(f->framer, &flen);
            synack_input(f->peer, f->now, fr, flen);
        }
    }
    return (int32_t)len;
}

static int32_t p_stdin_read(void *ctx, uint8_t *buf, size_t cap)
{
    fake *f = ctx;
    size_t n = bytes_avail(&f->stdin_data);
    if (n > cap)
        n = cap;
    memcpy(buf, f->stdin_data.p + f->stdin_data.off, n);
    f->stdin_data.off += n;
    return (int32_t)n; /* 0: end of stdin */
}

static int p_out(void *ctx, const void *d, size_t n)
{
    bytes_add(&((fake *)ctx)->out, d, n);
    return 0;
}

static int p_err(void *ctx, const void *d, size_t n)
{
    bytes_add(&((fake *)ctx)->err, d, n);
    return 0;
}

static void *p_file_open(void *ctx, const char *path, bool w)
{
    fake *f = ctx;
    if (strcmp(path, "missing") == 0)
        return NULL;
    if (w)
        return &f->file_w;
    f->file_r_off = 0;
    return &f->file_r;
}

static int32_t p_file_read(void *ctx, void *h, uint8_t *buf, size_t cap)
{
    fake *f = ctx;
    assert_true(h == &f->file_r);
    size_t n = f->file_r_len - f->file_r_off;
    if (n > cap)
        n = cap;
    memcpy(buf, f->file_r + f->file_r_off, n);
    f->file_r_off += n;
    return (int32_t)n;
}

static int p_file_write(void *ctx, void *h, const void *d, size_t n)
{
    fake *f = ctx;
    assert_true(h == &f->file_w);
    bytes_add(&f->file_w, d, n);
    return 0;
}

static void p_file_close(void *ctx, void *h)
{
    (void)ctx;
    (void)h;
}

static synack_cli_platform platform_of(fake *f)
{
    synack_cli_platform p = {
        .ctx = f,
        .links = (1u << SYNACK_CLI_LINK_TAP) | (1u << SYNACK_CLI_LINK_STDIO),
        .now_ms = p_now,
        .entropy = p_entropy,
        .link_open = p_link_open,
        .link_close = p_link_close,
        .wait = p_wait,
        .link_read = p_link_read,
        .link_write = p_link_write,
        .stdin_read = p_stdin_read,
        .out_write = p_out,
        .err_write = p_err,
        .file_open = p_file_open,
        .file_read = p_file_read,
        .file_write = p_file_write,
        .file_close = p_file_close,
    };
    return p;
}

/* ---- running the tool ---------------------------------------------------- */

static fake *fake_new(peer_role role)
{
    fake *f = calloc(1, sizeof *f);
    assert_non_null(f);
    f->now = 1000;
    f->framer = malloc(sizeof *f->framer);
    assert_non_null(f->framer);
    synack_framer_init(f->framer);
    peer_new(f, role);
    return f;
}

static void fake_free(fake *f)
{
    assert_int_equal(f->link_opened, 0); /* the tool closed its link */
    synack_stack_free(f->peer);
    bytes_free(&f->to_cli);
    bytes_free(&f->out);
    bytes_free(&f->err);
    bytes_free(&f->stdin_data);
    bytes_free(&f->rx);
    bytes_free(&f->file_w);
    free(f->framer);
    free(f);
}

/* Run `synack <line>` (split at spaces) on f; returns the exit status. */
static int run(fake *f, const char *line)
{
    char buf[512];
    char *argv[40];
    int argc = 0;
    argv[argc++] = "synack";
    assert_true(strlen(line) < sizeof buf);
    strcpy(buf, line);
    for (char *p = strtok(buf, " "); p != NULL; p = strtok(NULL, " ")) {
        assert_true(argc < 40);
        argv[argc++] = p;
    }
    synack_cli_platform p = platform_of(f);
    int rc = synack_cli_main(argc, argv, &p);
    /* Let the peer's application read what reached it last. */
    peer_run(f);
    bytes_add(&f->out, "", 1); /* NUL-terminate for printing */
    f->out.len--;
    bytes_add(&f->err, "", 1);
    f->err.len--;
    return rc;
}

static void expect_err(fake *f, const char *text)
{
    if (!bytes_has(&f->err, text))
        fail_msg("stderr lacks '%s':\n%s", text, (const char *)f->err.p);
}

static void expect_out(fake *f, const char *text)
{
    if (!bytes_has(&f->out, text))
        fail_msg("stdout lacks '%s':\n%s", text, (const char *)f->out.p);
}

/* The value of "key": in a summary line, as text. */
static void summary_field(fake *f, const char *key, char *val, size_t cap)
{
    char pat[32];
    snprintf(pat, sizeof pat, "\"%s\":", key);
    const char *s = f->out.p != NULL ? strstr((const char *)f->out.p, pat) : NULL;
    if (s == NULL)
        fail_msg("no %s in output: %s", key, f->out.p ? (char *)f->out.p : "");
    s += strlen(pat);
    if (*s == '"')
        s++;
    size_t n = strcspn(s, "\",}");
    assert_true(n < cap);
    memcpy(val, s, n);
    val[n] = '\0';
}

static void sha_hex(const uint8_t *d, size_t n, char hex[65])
{
    synack_sha256 c;
    uint8_t dig[32];
    synack_sha256_init(&c);
    synack_sha256_update(&c, d, n);
    synack_sha256_final(&c, dig);
    synack_sha256_hex(dig, hex);
}

#define ADDR "--tap t --ip 10.9.0.2/24 "

/* ---- tests --------------------------------------------------------------- */

static void ping_replies(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "ping 10.9.0.1 -c 3"), 0);
    expect_out(f, "PING 10.9.0.1 (10.9.0.1) 56 bytes of data.");
    expect_out(f, "64 bytes from 10.9.0.1: icmp_seq=1 time=");
    expect_out(f, "64 bytes from 10.9.0.1: icmp_seq=3 time=");
    expect_out(f, "3 packets transmitted, 3 received, 0% packet loss");
    /* One request a second on the virtual clock. */
    assert_in_range(f->now, 3000, 4000);
    fake_free(f);
}

static void ping_nobody(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "ping 10.9.0.77 -c 2"), 1);
    expect_out(f, "2 packets transmitted, 0 received, 100% packet loss");
    expect_err(f, "synack: ping 10.9.0.77: ");
    assert_true(bytes_has(&f->err, "unreachable") || bytes_has(&f->err, "timed out"));
    fake_free(f);
}

static void get_content_length(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_HTTP);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world";
    f->tx = (const uint8_t *)resp;
    f->tx_len = strlen(resp);
    assert_int_equal(run(f, ADDR "get http://10.9.0.1/x?y=1"), 0);
    assert_int_equal(f->out.len, 11);
    assert_memory_equal(f->out.p, "hello world", 11);
    expect_err(f, "HTTP/1.1 200 OK\n");
    assert_true(bytes_has(&f->rx, "GET /x?y=1 HTTP/1.1\r\nHost: 10.9.0.1\r\n"));
    assert_true(bytes_has(&f->rx, "Connection: close\r\n\r\n"));
    fake_free(f);
}

static void get_chunked_large(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_HTTP);
    /* 300 chunks of 1000 bytes. */
    bytes body = {0}, resp = {0};
    const char *head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    bytes_add(&resp, head, strlen(head));
    for (int i = 0; i < 300; i++) {
        uint8_t chunk[1000];
        for (size_t k = 0; k < sizeof chunk; k++)
            chunk[k] = (uint8_t)(i * 7 + k);
        bytes_add(&body, chunk, sizeof chunk);
        bytes_add(&resp, "3e8\r\n", 5);
        bytes_add(&resp, chunk, sizeof chunk);
        bytes_add(&resp, "\r\n", 2);
    }
    bytes_add(&resp, "0\r\n\r\n", 5);
    f->tx = resp.p;
    f->tx_len = resp.len;
    assert_int_equal(run(f, ADDR "get http://10.9.0.1:80/big"), 0);
    assert_int_equal(f->out.len, body.len);
    assert_memory_equal(f->out.p, body.p, body.len);
    bytes_free(&body);
    bytes_free(&resp);
    fake_free(f);
}

static void get_cut_short(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_HTTP);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this";
    f->tx = (const uint8_t *)resp;
    f->tx_len = strlen(resp);
    assert_int_equal(run(f, ADDR "get http://10.9.0.1/"), 1);
    expect_err(f, "bad response: connection closed before the end of the body");
    fake_free(f);
}

static void get_refused_and_bad_url(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "get http://10.9.0.1:8080/"), 1);
    expect_err(f, "synack: get 10.9.0.1 port 8080: connection refused\n");
    fake_free(f);

    f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "get ftp://10.9.0.1/"), 2);
    expect_err(f, "expected an http:// or https:// URL");
    fake_free(f);
}

/* https needs the platform's CSPRNG: without one (this fake has only the
 * stack's entropy, which mixes in the clock) TLS refuses to start, exit 3,
 * and the connection is not left open. */
static void get_https_needs_csprng(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_HTTP);
    assert_int_equal(run(f, ADDR "get https://10.9.0.1:80/ --insecure"), SYNACK_CLI_EXIT_TLS);
    expect_err(f, "WARNING: --insecure");
    expect_err(f, "random number generator failed; no TLS without it");
    fake_free(f);
}

static void connect_stdin_to_stdout(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_HTTP);
    static const char resp[] = "HTTP/1.0 200 OK\r\n\r\nraw reply";
    f->tx = (const uint8_t *)resp;
    f->tx_len = strlen(resp);
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    bytes_add(&f->stdin_data, req, strlen(req));
    assert_int_equal(run(f, ADDR "connect 10.9.0.1 80"), 0);
    assert_int_equal(f->out.len, strlen(resp));
    assert_memory_equal(f->out.p, resp, strlen(resp));
    assert_int_equal(f->rx.len, strlen(req));
    assert_true(f->eof); /* stdin's end became our FIN */
    fake_free(f);

    f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "connect 10.9.0.1 81"), 1);
    expect_err(f, "synack: connect 10.9.0.1 port 81: connection refused\n");
    fake_free(f);
}

/* The peer's program exits as soon as its connection has closed: the
 * link ends in the same read that brings the reply and the FIN. What the
 * stack holds still reaches stdout, and the completed conversation is
 * not an error. */
static void connect_peer_exits_after_close(void **state)
{
    (void)state;
    static const char resp[] = "HTTP/1.0 200 OK\r\n\r\nthe whole reply";
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    fake *f = fake_new(PEER_HTTP);
    f->hangup = HANGUP_DONE;
    f->tx = (const uint8_t *)resp;
    f->tx_len = strlen(resp);
    bytes_add(&f->stdin_data, req, strlen(req));
    assert_int_equal(run(f, ADDR "connect 10.9.0.1 80"), 0);
    assert_int_equal(f->out.len, strlen(resp));
    assert_memory_equal(f->out.p, resp, strlen(resp));
    assert_false(bytes_has(&f->err, "link:"));
    fake_free(f);

    /* The same for get: the response is complete. */
    static const char ok[] = "HTTP/1.0 200 OK\r\n\r\nbody";
    f = fake_new(PEER_HTTP);
    f->hangup = HANGUP_DONE;
    f->tx = (const uint8_t *)ok;
    f->tx_len = strlen(ok);
    assert_int_equal(run(f, ADDR "get http://10.9.0.1/"), 0);
    assert_int_equal(f->out.len, 4);
    assert_memory_equal(f->out.p, "body", 4);
    fake_free(f);
}

/* The link goes away in the middle of the conversation: exit 1 with the
 * link's reason, whatever the command. */
static void link_lost_midway(void **state)
{
    (void)state;
    static const char resp[] = "HTTP/1.0 200 OK\r\n\r\nnever sent";
    const char *req = "GET / HTTP/1.0\r\n\r\n";
    const char *cmds[] = {"connect 10.9.0.1 80", "get http://10.9.0.1/"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        fake *f = fake_new(PEER_HTTP);
        f->hangup = HANGUP_STARTED;
        f->tx = (const uint8_t *)resp;
        f->tx_len = strlen(resp); /* never reaches the link */
        bytes_add(&f->stdin_data, req, strlen(req));
        char line[200];
        snprintf(line, sizeof line, ADDR "%s", cmds[i]);
        assert_int_equal(run(f, line), 1);
        expect_err(f, "synack: link: closed by the other end\n");
        fake_free(f);
    }
}

static void send_to_peer(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_SINK);
    assert_int_equal(run(f, ADDR "send 10.9.0.1 5001 --bytes 1000000 --seed 9"), 0);
    /* The peer got the seeded stream. */
    uint8_t *want = malloc(1000000);
    assert_non_null(want);
    synack_cli_stream g;
    synack_cli_stream_init(&g, 9);
    synack_cli_stream_fill(&g, want, 1000000);
    assert_int_equal(f->rx.len, 1000000);
    assert_memory_equal(f->rx.p, want, 1000000);
    char hex[65], val[80];
    sha_hex(want, 1000000, hex);
    summary_field(f, "sha256", val, sizeof val);
    assert_string_equal(val, hex);
    summary_field(f, "bytes", val, sizeof val);
    assert_string_equal(val, "1000000");
    summary_field(f, "retransmits", val, sizeof val);
    assert_string_equal(val, "0");
    expect_out(f, "\"mbit_per_s\":");
    expect_out(f, "}\n");
    free(want);
    fake_free(f);
}

static void send_impaired(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_SINK);
    assert_int_equal(run(f, ADDR "--loss 5 --reorder 5 --seed 3 "
                                "send 10.9.0.1 5001 --bytes 300000"), 0);
    char val[80];
    summary_field(f, "bytes", val, sizeof val);
    assert_string_equal(val, "300000");
    summary_field(f, "retransmits", val, sizeof val);
    assert_true(atoi(val) > 0);
    char hex[65];
    sha_hex(f->rx.p, f->rx.len, hex);
    summary_field(f, "sha256", val, sizeof val);
    assert_string_equal(val, hex);
    fake_free(f);
}

static void sink_from_peer(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_SENDER);
    size_t n = 700000;
    uint8_t *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 131 + (i >> 9));
    f->tx = data;
    f->tx_len = n;
    assert_int_equal(run(f, ADDR "sink 5001 --count 1"), 0);
    expect_err(f, "synack: listening on 10.9.0.2 port 5001 (tcp)\n");
    char hex[65], val[80];
    sha_hex(data, n, hex);
    summary_field(f, "sha256", val, sizeof val);
    assert_string_equal(val, hex);
    summary_field(f, "bytes", val, sizeof val);
    assert_string_equal(val, "700000");
    free(data);
    fake_free(f);
}

static void listen_echo(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_ECHO_CLIENT);
    size_t n = 200000;
    uint8_t *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i ^ (i >> 8));
    f->tx = data;
    f->tx_len = n;
    assert_int_equal(run(f, ADDR "listen 7 --echo --count 1"), 0);
    assert_true(f->eof);
    assert_int_equal(f->rx.len, n);
    assert_memory_equal(f->rx.p, data, n);
    free(data);
    fake_free(f);
}

/*
 * 128 clients connect, send one byte each and then nothing; a client that
 * comes a second later is still served (the listener takes as many
 * connections as the stack does), and the idle ones are reset after
 * --idle-timeout: 129 connections end, so --count 129 completes.
 */
static void listen_serves_past_idle_clients(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_IDLE_THEN_ECHO);
    size_t n = 30000;
    uint8_t *data = malloc(n);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (uint8_t)(i * 3 + (i >> 7));
    f->tx = data;
    f->tx_len = n;
    assert_int_equal(run(f, ADDR "listen 7 --echo --count 129 --idle-timeout 5"), 0);
    assert_true(f->eof);
    assert_int_equal(f->rx.len, n);
    assert_memory_equal(f->rx.p, data, n);
    /* the idle clients were reset, not served forever */
    int reset = 0;
    for (int i = 0; i < IDLE_CLIENTS; i++)
        if (synack_tcp_error(f->peer, f->idle_h[i]) == SYNACK_ERR_RESET)
            reset++;
    assert_int_equal(reset, IDLE_CLIENTS);
    for (int i = 0; i < IDLE_CLIENTS; i++)
        synack_tcp_abort(f->peer, f->now, f->idle_h[i]);
    free(data);
    fake_free(f);
}

/* The echo client's program exits as soon as its connection has closed,
 * taking the link with it: the listener still counts the connection and
 * exits 0. */
static void listen_echo_peer_exits(void **state)
{
    (void)state;
    static const char msg[] = "echo this, then go";
    fake *f = fake_new(PEER_ECHO_CLIENT);
    f->hangup = HANGUP_DONE;
    f->tx = (const uint8_t *)msg;
    f->tx_len = strlen(msg);
    assert_int_equal(run(f, ADDR "listen 7 --echo --count 1"), 0);
    assert_int_equal(f->rx.len, strlen(msg));
    assert_memory_equal(f->rx.p, msg, strlen(msg));
    assert_false(bytes_has(&f->err, "link:"));
    fake_free(f);

    /* It goes as soon as the echo starts coming back: that connection did
     * not finish, so the listener fails with the link's reason. */
    static uint8_t big[100000];
    f = fake_new(PEER_ECHO_CLIENT);
    f->hangup = HANGUP_RECEIVED;
    f->tx = big;
    f->tx_len = sizeof big;
    assert_int_equal(run(f, ADDR "listen 7 --echo --count 1"), 1);
    expect_err(f, "synack: link: closed by the other end\n");
    fake_free(f);
}

static void listen_file(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_ECHO_CLIENT);
    static const uint8_t content[] = "the file, served whole\n";
    f->file_r = content;
    f->file_r_len = sizeof content - 1;
    f->tx = (const uint8_t *)"request that is read and dropped";
    f->tx_len = 32;
    assert_int_equal(run(f, ADDR "listen 7 --file some.txt --count 1"), 0);
    assert_int_equal(f->rx.len, sizeof content - 1);
    assert_memory_equal(f->rx.p, content, sizeof content - 1);
    fake_free(f);
}

static void out_trace_pcap(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_HTTP);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    f->tx = (const uint8_t *)resp;
    f->tx_len = strlen(resp);
    assert_int_equal(run(f, ADDR "--trace --out o.txt get http://10.9.0.1/"), 0);
    assert_int_equal(f->out.len, 0);
    assert_int_equal(f->file_w.len, 2);
    assert_memory_equal(f->file_w.p, "ok", 2);
    expect_err(f, "{\"t\":");
    expect_err(f, "\"ev\":\"state\",\"conn\":");
    expect_err(f, "\"from\":\"SYN-SENT\",\"to\":\"ESTABLISHED\"}\n");
    /* the neighbour events too (ARP here; NDP's are the same) */
    expect_err(f, ",\"ev\":\"neigh\",\"addr\":\"10.9.0.1\",\"mac\":\"00:00:00:00:00:00\","
                  "\"from\":\"NONE\",\"to\":\"INCOMPLETE\"}\n");
    expect_err(f, "\"ev\":\"neigh\",\"addr\":\"10.9.0.1\",\"mac\":\"");
    expect_err(f, "\"from\":\"INCOMPLETE\",\"to\":\"REACHABLE\"}\n");
    fake_free(f);

    f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "--pcap p.pcap ping 10.9.0.1 -c 1"), 0);
    /* pcap global header (magic a1b2c3d4 little-endian, linktype 1), then
     * records: at least ARP both ways and the echo both ways. */
    assert_true(f->file_w.len > 24 + 4 * 16);
    assert_memory_equal(f->file_w.p, "\xd4\xc3\xb2\xa1", 4);
    assert_int_equal(f->file_w.p[20], 1);
    fake_free(f);

    f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "--out missing ping 10.9.0.1 -c 1"), 1);
    expect_err(f, "synack: --out missing: cannot open for writing\n");
    fake_free(f);
}

/* The link-local address line the tool printed ("ipv6: ADDR/64
 * (link-local)"), into out; false when there is none. */
static bool linklocal_line(fake *f, char *out, size_t cap)
{
    const char *p = strstr((const char *)f->err.p, "synack: ipv6: fe80:");
    if (p == NULL)
        return false;
    const char *e = strchr(p, '\n');
    size_t n = e != NULL ? (size_t)(e - p) : strlen(p);
    assert_true(n < cap);
    memcpy(out, p, n);
    out[n] = '\0';
    return strstr(out, "(link-local)") != NULL;
}

/* The link-local address of one run (ping's wait is long enough for DAD)
 * with the extra options `opts`. */
static void linklocal_of_run(const char *opts, uint8_t entropy, char *out, size_t cap)
{
    char line[256];
    snprintf(line, sizeof line, ADDR "%s ping 10.9.0.99 -c 1", opts);
    fake *f = fake_new(PEER_IDLE);
    f->entropy = entropy; /* another start: other random bytes */
    static const uint8_t file[] = "  00112233445566778899aabbccddeeff\n";
    f->file_r = file;
    f->file_r_len = sizeof file - 1;
    (void)run(f, line);
    if (!linklocal_line(f, out, cap))
        fail_msg("no link-local address reported:\n%s", (const char *)f->err.p);
    fake_free(f);
}

/*
 * --stable-secret: the same secret gives the same link-local address on
 * another start (other entropy: without it the MAC and the key differ),
 * from the option or a file; another secret gives another address.
 */
static void stable_secret_keeps_address(void **state)
{
    (void)state;
    char a[128], b[128], c[128], d[128], e[128], g[128];
    linklocal_of_run("--stable-secret 00112233445566778899aabbccddeeff", 1, a, sizeof a);
    linklocal_of_run("--stable-secret 00112233445566778899aabbccddeeff", 77, b, sizeof b);
    assert_string_equal(a, b);
    linklocal_of_run("--stable-secret-file key.txt", 5, c, sizeof c);
    assert_string_equal(a, c);
    linklocal_of_run("--stable-secret 00112233445566778899aabbccddeef0", 1, d, sizeof d);
    assert_true(strcmp(a, d) != 0);
    linklocal_of_run("", 1, e, sizeof e);
    linklocal_of_run("", 77, g, sizeof g);
    assert_true(strcmp(e, g) != 0); /* without one: a new address each start */

    fake *f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "--stable-secret-file missing ping 10.9.0.1 -c 1"), 1);
    expect_err(f, "synack: --stable-secret-file missing: cannot open\n");
    fake_free(f);
    f = fake_new(PEER_IDLE);
    static const uint8_t shortkey[] = "0011";
    f->file_r = shortkey;
    f->file_r_len = 4;
    assert_int_equal(run(f, ADDR "--stable-secret-file k ping 10.9.0.1 -c 1"), 1);
    expect_err(f, "synack: --stable-secret-file k: expected 32 hex digits\n");
    fake_free(f);
}

static void link_framing_error(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_GARBAGE);
    assert_int_equal(run(f, ADDR "ping 10.9.0.1 -c 1"), 1);
    expect_err(f, "synack: link: framing error");
    fake_free(f);
}

static void usage_errors(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "ping"), 2);
    expect_err(f, "synack: ping: missing HOST\n");
    expect_err(f, "usage: synack LINK");
    assert_int_equal(f->link_opened, 0);
    fake_free(f);

    f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, "--connect h:1 ping 10.9.0.1"), 2);
    expect_err(f, "--connect is not available on this platform");
    fake_free(f);

    f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, "--help"), 0);
    expect_out(f, "usage: synack");
    fake_free(f);
}

static void dhcp_and_dns(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_DHCP_DNS);
    assert_int_equal(run(f, "--tap t ping peer.test -c 1"), 0);
    expect_err(f, "synack: dhcp: 10.0.0.15/24 gateway 10.0.0.2 dns 10.0.0.2\n");
    expect_out(f, "PING peer.test (10.0.0.2)");
    expect_out(f, "1 received");
    fake_free(f);

    f = fake_new(PEER_DHCP_DNS);
    assert_int_equal(run(f, "--tap t ping nowhere.test -c 1"), 1);
    expect_err(f, "synack: resolve nowhere.test: not found\n");
    fake_free(f);

    /* No DHCP server: the tool gives up, naming it. */
    f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, "--tap t ping 10.9.0.1 -c 1"), 1);
    expect_err(f, "synack: dhcp: timed out\n");
    fake_free(f);

    /* Static address without a resolver: a name cannot be looked up. */
    f = fake_new(PEER_IDLE);
    assert_int_equal(run(f, ADDR "ping peer.test -c 1"), 1);
    expect_err(f, "no DNS server");
    fake_free(f);
}

/* Connecting by name on a link with no IPv6 beyond the stack's own
 * link-local address (no router, no --ip6): the link-local address's
 * duplicate address detection (up to a second of solicitation delay, then
 * a second of DAD) cannot give a source for the name's addresses, so the
 * IPv4 connection must not wait for it. It did, ~1-2 s per named
 * connection (the tls step's `synack get https://server.test` calls). */
static void name_connect_does_not_wait_for_link_local_dad(void **state)
{
    (void)state;
    fake *f = fake_new(PEER_DHCP_DNS); /* DNS at 10.0.0.2: peer.test A only */
    f->lh = synack_tcp_open(f->peer);
    assert_true(f->lh >= 0);
    assert_int_equal(synack_tcp_bind(f->peer, f->lh, 80), 0);
    assert_int_equal(synack_tcp_listen(f->peer, f->lh, 4), 0);
    static const char resp[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
    f->tx = (const uint8_t *)resp;
    f->tx_len = strlen(resp);
    uint64_t start = f->now;
    assert_int_equal(run(f, "--tap t --ip 10.0.0.15/24 --dns 10.0.0.2 get http://peer.test/"), 0);
    assert_int_equal(f->out.len, 2);
    expect_err(f, "connected to 10.0.0.2 (IPv4, attempt 1)");
    /* the request reached the server at once on the virtual clock */
    assert_true(bytes_has(&f->rx, "GET / HTTP/1.1\r\nHost: peer.test\r\n"));
    assert_true(f->first_rx_at != 0);
    if (f->first_rx_at - start >= 200)
        fail_msg("the request came %llu ms after the start (DAD wait)",
                 (unsigned long long)(f->first_rx_at - start));
    fake_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(ping_replies),
        cmocka_unit_test(ping_nobody),
        cmocka_unit_test(get_content_length),
        cmocka_unit_test(get_chunked_large),
        cmocka_unit_test(get_cut_short),
        cmocka_unit_test(get_refused_and_bad_url),
        cmocka_unit_test(get_https_needs_csprng),
        cmocka_unit_test(connect_stdin_to_stdout),
        cmocka_unit_test(connect_peer_exits_after_close),
        cmocka_unit_test(link_lost_midway),
        cmocka_unit_test(send_to_peer),
        cmocka_unit_test(send_impaired),
        cmocka_unit_test(sink_from_peer),
        cmocka_unit_test(listen_echo),
        cmocka_unit_test(listen_echo_peer_exits),
        cmocka_unit_test(listen_serves_past_idle_clients),
        cmocka_unit_test(listen_file),
        cmocka_unit_test(out_trace_pcap),
        cmocka_unit_test(stable_secret_keeps_address),
        cmocka_unit_test(link_framing_error),
        cmocka_unit_test(usage_errors),
        cmocka_unit_test(dhcp_and_dns),
        cmocka_unit_test(name_connect_does_not_wait_for_link_local_dad),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
