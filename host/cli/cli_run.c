/*
 * The command runtime: link set-up with the pcap and impair wrappers, the
 * stack, addressing (static, or DHCP per RFC 2131 through the core's
 * client), and the loop step every command is written with. DESIGN.md:
 * "feed received frames, call poll(now), sleep until min(poll_at, next
 * frame)" — there is no fixed tick.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_run.h"
#include "cli_trace.h"
#include "synack_libc.h"

/* Link reads per step before timers run again (fairness, bounded work). */
#define STEP_MAX_READS 256
/* How long DHCP may take before the tool gives up. */
#define DHCP_TIMEOUT_MS 30000u

uint64_t synack_cli_now(synack_cli *c)
{
    return c->p->now_ms(c->p->ctx);
}

/* ---- output ---------------------------------------------------------- */

int synack_cli_out(synack_cli *c, const void *data, size_t len)
{
    if (len == 0)
        return 0;
    if (c->out_file != NULL)
        return c->p->file_write(c->p->ctx, c->out_file, data, len);
    if (c->out_to_stderr)
        return c->p->err_write(c->p->ctx, data, len);
    return c->p->out_write(c->p->ctx, data, len);
}

int synack_cli_outf(synack_cli *c, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n >= sizeof buf)
        n = (int)sizeof buf - 1;
    return synack_cli_out(c, buf, (size_t)n);
}

void synack_cli_msg(synack_cli *c, const char *fmt, ...)
{
    char buf[512];
    int n = snprintf(buf, sizeof buf, "synack: ");
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + n, sizeof buf - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (m < 0)
        m = 0;
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof buf - 2)
        len = sizeof buf - 2;
    buf[len++] = '\n';
    c->p->err_write(c->p->ctx, buf, len);
}

/* ---- the link under the stack ----------------------------------------- */

/* The link is gone: commands stop. The reason is printed when the
 * command fails (synack_cli_link_report); a conversation that had already
 * completed when the peer went away is not an error. */
static void link_lost(synack_cli *c, const char *why)
{
    if (!c->link_down)
        c->link_why = why;
    c->link_down = true;
}

void synack_cli_link_report(synack_cli *c)
{
    if (c->link_down && !c->link_reported)
        synack_cli_msg(c, "link: %s", c->link_why);
    c->link_reported = true;
}

/* Write queued stream bytes until the link stops taking them. */
static void flush_txq(synack_cli *c)
{
    while (c->txq.len > 0 && !c->link_down) {
        size_t len;
        const uint8_t *p = synack_cli_txq_peek(&c->txq, &len);
        int32_t n = c->p->link_write(c->p->ctx, p, len);
        if (n == SYNACK_CLI_AGAIN || n == 0)
            return;
        if (n < 0) {
            link_lost(c, "write error");
            return;
        }
        synack_cli_txq_consume(&c->txq, (size_t)n);
    }
}

/* The innermost link: frames to the platform, framed on stream links. */
static int wire_send(void *ctx, const uint8_t *frame, size_t len)
{
    synack_cli *c = ctx;
    if (c->link_down)
        return -1;
    if (!c->link.stream) {
        int32_t n = c->p->link_write(c->p->ctx, frame, len);
        return n == (int32_t)len ? 0 : -1;
    }
    uint8_t hdr[SYNACK_FRAME_HDR_LEN];
    if (synack_frame_header(hdr, len) != 0)
        return -1;
    if (c->txq.len > 0) {
        /* Behind others: queue whole or drop (a full transmit ring). */
        if (synack_cli_txq_push(&c->txq, hdr, sizeof hdr, frame, len) != 0)
            return -1;
        flush_txq(c);
        return 0;
    }
    /* Header and frame in one write; what the link does not take waits. */
    uint8_t *out = c->tx;
    memcpy(out, hdr, sizeof hdr);
    memcpy(out + sizeof hdr, frame, len);
    size_t total = len + sizeof hdr;
    int32_t n = c->p->link_write(c->p->ctx, out, total);
    if (n == SYNACK_CLI_AGAIN)
        n = 0;
    if (n < 0) {
        link_lost(c, "write error");
        return -1;
    }
    if ((size_t)n < total)
        synack_cli_txq_push(&c->txq, out + n, total - (size_t)n, NULL, 0);
    return 0;
}

/* The innermost link's send offload (frame links whose platform has it). */
static int wire_send_gso(void *ctx, const uint8_t *frame, size_t len, const synack_gso *g)
{
    synack_cli *c = ctx;
    if (c->link_down)
        return -1;
    int32_t n = c->p->link_write_gso(c->p->ctx, frame, len, g);
    return n == (int32_t)len ? 0 : -1;
}

static int wire_send_piece(void *ctx, const uint8_t *frame, size_t len)
{
    return wire_send(ctx, frame, len);
}

/*
 * Send offload on a stream link (--offload, core/link/offload.h): once
 * the bridge agreed for the frame's family (TX_TCP4, TX_TCP6), a TCP
 * super-frame goes out whole as one SUPER frame; before that (or if it
 * never does, as an older bridge for IPv6) it is cut here into ordinary
 * frames.
 */
static int wire_send_gso_stream(void *ctx, const uint8_t *frame, size_t len,
                                const synack_gso *g)
{
    synack_cli *c = ctx;
    if (c->link_down)
        return -1;
    if (g->family == SYNACK_AF_IP6 ? c->offload.tx6 : c->offload.tx) {
        int32_t n = synack_offload_wrap(c->cut, SYNACK_CLI_FRAME_MAX, frame, len, g);
        return n < 0 ? -1 : wire_send(ctx, c->cut, (size_t)n);
    }
    return synack_offload_cut(frame, len, g, c->cut, SYNACK_CLI_FRAME_MAX,
                              wire_send_piece, ctx) < 0 ? -1 : 0;
}

/* Inner end of the incoming impairment: frames into the stack. */
static int stack_deliver(void *ctx, const uint8_t *frame, size_t len)
{
    synack_cli *c = ctx;
    synack_input(c->stack, synack_cli_now(c), frame, len);
    return 0;
}

/* A frame read from the link. */
static void frame_in(synack_cli *c, uint64_t now, const uint8_t *frame,
                     size_t len)
{
    const uint8_t *inner;
    size_t inner_len;
    switch (synack_offload_client_input(&c->offload, frame, len, &inner, &inner_len)) {
    case SYNACK_OFFLOAD_IN_AGREED:
        if (c->o->trace || c->offload.tx || c->offload.tx6)
            synack_cli_msg(c, "offload: the bridge %s super-frames%s (IPv6: %s%s)",
                           c->offload.tx ? "takes" : "declined",
                           c->offload.rx ? " and sends them" : "",
                           c->offload.tx6 ? "takes" : "declined",
                           c->offload.rx6 ? ", sends" : "");
        return;
    case SYNACK_OFFLOAD_IN_INNER:
        synack_input(c->stack, now, inner, inner_len);
        return;
    case SYNACK_OFFLOAD_IN_DROP:
        return;
    default:
        break;
    }
    if (c->pcap != NULL)
        synack_pcap_record_in(c->pcap, frame, len);
    if (c->im_in != NULL) {
        synack_link l = synack_impair_link(c->im_in);
        l.send(l.ctx, frame, len);
    } else {
        synack_input(c->stack, now, frame, len);
    }
}

/* Read what the link has (bounded), feeding every complete frame. */
static void drain_link(synack_cli *c, uint64_t now)
{
    for (int i = 0; i < STEP_MAX_READS && !c->link_down; i++) {
        int32_t n = c->p->link_read(c->p->ctx, c->rx, SYNACK_CLI_FRAME_MAX + 4);
        if (n == SYNACK_CLI_AGAIN)
            return;
        if (n == 0) {
            link_lost(c, "closed by the other end");
            return;
        }
        if (n < 0) {
            link_lost(c, "read error");
            return;
        }
        if (!c->link.stream) {
            frame_in(c, now, c->rx, (size_t)n);
            continue;
        }
        size_t off = 0;
        while (off < (size_t)n) {
            size_t used = 0;
            synack_framer_status st =
                synack_framer_feed(c->framer, c->rx + off, (size_t)n - off, &used);
            off += used;
            if (st == SYNACK_FRAMER_ERROR) {
                link_lost(c, "framing error (frame length 0 or above 65535)");
                return;
            }
            if (st == SYNACK_FRAMER_MORE)
                break;
            size_t flen;
            const uint8_t *f = synack_framer_frame(c->framer, &flen);
            frame_in(c, now, f, flen);
        }
    }
}

/* Timers of the wrappers and the stack at `now`. */
static void run_timers(synack_cli *c, uint64_t now)
{
    if (c->pcap != NULL)
        synack_pcap_set_time(c->pcap, now);
    if (c->im_in != NULL)
        synack_impair_poll(c->im_in, now);
    synack_poll(c->stack, now);
    if (c->im_out != NULL)
        synack_impair_poll(c->im_out, now);
}

static uint64_t next_deadline(synack_cli *c, uint64_t until)
{
    uint64_t d = synack_poll_at(c->stack);
    if (until < d)
        d = until;
    if (c->im_in != NULL && synack_impair_poll_at(c->im_in) < d)
        d = synack_impair_poll_at(c->im_in);
    if (c->im_out != NULL && synack_impair_poll_at(c->im_out) < d)
        d = synack_impair_poll_at(c->im_out);
    return d;
}

/* Addresses the stack configured itself (link-local, SLAAC from a
 * router's advertisement) once usable, and any that DAD found in use:
 * one line each, so the user (and a test) learns them. */
static void report_ipv6(synack_cli *c)
{
    synack_ip6_addr_info a[8];
    /* nothing after a link error: its line stays the last */
    size_t n = c->stack != NULL && !c->link_down ? synack_get_ipv6(c->stack, a, 8) : 0;
    for (size_t i = 0; i < n && i < 8; i++) {
        bool dup = a[i].state == SYNACK_IP6_DUPLICATE;
        bool usable = a[i].state == SYNACK_IP6_PREFERRED || a[i].state == SYNACK_IP6_DEPRECATED;
        /* a static address is the user's own (setup reports its DAD) */
        if ((!dup && !usable) || a[i].origin == SYNACK_IP6_ORIGIN_STATIC)
            continue;
        bool told = false;
        for (uint8_t k = 0; k < c->v6_told_n && !told; k++)
            told = synack_addr_equal(&c->v6_told[k], &a[i].addr);
        if (told || c->v6_told_n == 8)
            continue;
        c->v6_told[c->v6_told_n++] = a[i].addr;
        char t[SYNACK_ADDR_STRLEN];
        synack_addr_format(&a[i].addr, t);
        if (dup)
            synack_cli_msg(c, "ipv6: %s: duplicate address (DAD), not used", t);
        else
            synack_cli_msg(c, "ipv6: %s/%u (%s)", t, (unsigned)a[i].prefix_len,
                           a[i].origin == SYNACK_IP6_ORIGIN_SLAAC ? "slaac" : "link-local");
    }
    /* an IPv6 resolver not given with --dns came from a router's RDNSS
     * option */
    synack_addr r;
    if (n > 0 && !c->o->has_dns && synack_get_resolver(c->stack, &r) == 0 &&
        r.family == SYNACK_AF_IP6 &&
        !synack_addr_equal(&r, &c->dns6_told)) {
        c->dns6_told = r;
        char t[SYNACK_ADDR_STRLEN];
        synack_addr_format(&r, t);
        synack_cli_msg(c, "ipv6: dns %s (router advertisement)", t);
    }
}

int synack_cli_step(synack_cli *c, uint64_t until, bool want_stdin)
{
    if (c->link_down)
        return -1;
    uint64_t now = synack_cli_now(c);
    run_timers(c, now);
    uint64_t deadline = next_deadline(c, until);
    unsigned want = want_stdin ? SYNACK_CLI_READY_STDIN : 0u;
    if (c->txq.len > 0)
        want |= SYNACK_CLI_READY_LINK_OUT;
    int ready = c->p->wait(c->p->ctx, deadline < now ? now : deadline, want);
    if (ready < 0) {
        link_lost(c, "wait failed");
        return -1;
    }
    now = synack_cli_now(c);
    if (c->pcap != NULL)
        synack_pcap_set_time(c->pcap, now);
    if (c->im_in != NULL)
        synack_impair_poll(c->im_in, now);
    if ((unsigned)ready & SYNACK_CLI_READY_LINK_OUT)
        flush_txq(c);
    if ((unsigned)ready & SYNACK_CLI_READY_LINK)
        drain_link(c, now);
    /* A link that went down in this step still returns normally once: the
     * frames it brought before its end are in the stack, and the command
     * gets a turn to take them. The next call returns -1. */
    run_timers(c, now);
    report_ipv6(c);
    return ((unsigned)ready & SYNACK_CLI_READY_STDIN) ? (int)SYNACK_CLI_READY_STDIN
                                                      : 0;
}

/* ---- set-up ------------------------------------------------------------ */

static int pcap_write(void *ctx, const void *data, size_t len)
{
    synack_cli *c = ctx;
    return c->p->file_write(c->p->ctx, c->pcap_file, data, len);
}

static void random_mac(synack_cli *c, synack_mac *mac)
{
    c->p->entropy(c->p->ctx, mac->b, sizeof mac->b);
    /* IEEE 802: unicast (I/G bit 0), locally administered (U/L bit 1). */
    mac->b[0] = (uint8_t)((mac->b[0] & 0xfeu) | 0x02u);
}

/* --stable-secret / --stable-secret-file into cfg.ipv6. Returns 0 or 1
 * (a message printed). */
static int stable_secret(synack_cli *c, synack_config *cfg)
{
    const synack_cli_opts *o = c->o;
    if (o->has_stable_secret) {
        cfg->ipv6.has_stable_secret = true;
        memcpy(cfg->ipv6.stable_secret, o->stable_secret, 16);
        return 0;
    }
    if (o->stable_secret_file == NULL)
        return 0;
    void *f = c->p->file_open(c->p->ctx, o->stable_secret_file, false);
    if (f == NULL) {
        synack_cli_msg(c, "--stable-secret-file %s: cannot open", o->stable_secret_file);
        return 1;
    }
    char text[128];
    size_t n = 0;
    int32_t r;
    while (n < sizeof text &&
           (r = c->p->file_read(c->p->ctx, f, (uint8_t *)text + n, sizeof text - n)) > 0)
        n += (size_t)r;
    c->p->file_close(c->p->ctx, f);
    if (n == sizeof text || synack_cli_parse_secret(text, n, cfg->ipv6.stable_secret) != 0) {
        synack_cli_msg(c, "--stable-secret-file %s: expected 32 hex digits",
                       o->stable_secret_file);
        return 1;
    }
    cfg->ipv6.has_stable_secret = true;
    return 0;
}

/* Stack the wrappers: stack -> impair -> pcap -> wire; wire -> pcap
 * record -> impair -> stack. Returns the link the stack sends on. */
static int build_links(synack_cli *c, synack_link *top)
{
    const synack_cli_opts *o = c->o;
    synack_allocator alloc = synack_libc_allocator();
    synack_link wire = {.send = wire_send, .ctx = c, .mtu = o->mtu, .medium = c->link.medium};
    if (!c->link.stream && c->link.gso_max > o->mtu && c->p->link_write_gso) {
        wire.gso_max = c->link.gso_max;
        wire.send_gso = wire_send_gso;
        wire.gso_ip6 = true; /* the TAP's virtio_net_hdr has GSO_TCPV6 */
    }
    if (c->link.stream && o->offload && !o->impair && o->pcap_path == NULL) {
        c->cut = malloc(SYNACK_CLI_FRAME_MAX);
        if (c->cut == NULL)
            return 1;
        wire.gso_max = SYNACK_OFFLOAD_INNER_MAX - 14u; /* IP bytes */
        wire.send_gso = wire_send_gso_stream;
        wire.gso_ip6 = true; /* wrapped as GSO_TCPV6, or cut here */
    }
    *top = wire;

    if (o->pcap_path != NULL) {
        c->pcap_file = c->p->file_open(c->p->ctx, o->pcap_path, true);
        if (c->pcap_file == NULL) {
            synack_cli_msg(c, "--pcap %s: cannot open for writing", o->pcap_path);
            return 1;
        }
        if (synack_pcap_new(&c->pcap, alloc, wire, pcap_write, c) != 0) {
            synack_cli_msg(c, "--pcap %s: cannot write", o->pcap_path);
            return 1;
        }
        synack_pcap_set_time(c->pcap, synack_cli_now(c));
        *top = synack_pcap_link(c->pcap);
    }
    if (o->impair) {
        uint64_t seed = o->has_seed ? o->seed : 0;
        if (!o->has_seed)
            c->p->entropy(c->p->ctx, (uint8_t *)&seed, sizeof seed);
        synack_impair_config ic;
        memset(&ic, 0, sizeof ic);
        ic.loss = o->loss;
        ic.reorder = o->reorder;
        ic.duplicate = o->dup;
        ic.corrupt = o->corrupt;
        ic.delay_ms = o->delay_ms;
        ic.jitter_ms = o->jitter_ms;
        ic.rate_mbit = o->rate_mbit;
        ic.seed = seed;
        if (synack_impair_new(&c->im_out, alloc, &ic, *top) != 0)
            return 1;
        /* The way in gets the same impairment from a seed of its own. */
        synack_link in = {.send = stack_deliver, .ctx = c, .mtu = o->mtu, .medium = c->link.medium};
        ic.seed = seed ^ 0x5bd1e9955bd1e995ull;
        if (synack_impair_new(&c->im_in, alloc, &ic, in) != 0)
            return 1;
        uint64_t now = synack_cli_now(c);
        synack_impair_poll(c->im_out, now);
        synack_impair_poll(c->im_in, now);
        *top = synack_impair_link(c->im_out);
    }
    return 0;
}

/* A static IPv6 address is tentative this long at most (DAD: one
 * solicitation and RetransTimer, 1 s by default, RFC 4861 10). */
#define IP6_DAD_TIMEOUT_MS 5000u

/* DHCP (RFC 2131): wait for a lease, bounded. */
static int dhcp(synack_cli *c)
{
    uint64_t now = synack_cli_now(c);
    uint64_t until = now + DHCP_TIMEOUT_MS;
    if (synack_dhcp_start(c->stack, now) != 0) {
        synack_cli_msg(c, "dhcp: cannot start");
        return 1;
    }
    synack_dhcp_lease lease;
    while (synack_dhcp_get_lease(c->stack, &lease) != 0) {
        if (synack_cli_now(c) >= until)
            return synack_cli_fail(c, "dhcp", SYNACK_ERR_TIMEOUT);
        if (synack_cli_step(c, until, false) < 0)
            return 1;
    }
    char a[16], g[16], d[16];
    synack_ip4_format(lease.addr, a);
    synack_ip4_format(lease.gateway, g);
    synack_ip4_format(lease.dns[0], d);
    synack_cli_msg(c, "dhcp: %s/%u gateway %s dns %s", a,
                   (unsigned)lease.prefix_len, g, d);
    if (c->o->has_gw)
        synack_set_ipv4(c->stack, synack_cli_now(c), lease.addr,
                        lease.prefix_len, c->o->gw);
    return 0;
}

/*
 * Duplicate address detection (RFC 4862 5.4) of the static IPv6 address:
 * wait until it is usable, bounded. A duplicate is a failure.
 */
static int ip6_ready(synack_cli *c, const synack_addr *addr)
{
    uint64_t until = synack_cli_now(c) + IP6_DAD_TIMEOUT_MS;
    for (;;) {
        synack_ip6_addr_info info[8];
        size_t n = synack_get_ipv6(c->stack, info, 8);
        int state = -1;
        for (size_t i = 0; i < n && i < 8; i++)
            if (synack_addr_equal(&info[i].addr, addr))
                state = info[i].state;
        if (state == SYNACK_IP6_PREFERRED || state == SYNACK_IP6_DEPRECATED)
            return 0;
        if (state != SYNACK_IP6_TENTATIVE) {
            char t[SYNACK_ADDR_STRLEN];
            synack_addr_format(addr, t);
            synack_cli_msg(c, "--ip6: %s is used by another node (duplicate address)", t);
            return 1;
        }
        if (synack_cli_now(c) >= until)
            return synack_cli_fail(c, "--ip6: duplicate address detection", SYNACK_ERR_TIMEOUT);
        if (synack_cli_step(c, until, false) < 0)
            return 1;
    }
}

int synack_cli_setup(synack_cli *c, const synack_cli_platform *p,
                     const synack_cli_opts *o)
{
    memset(c, 0, sizeof *c);
    c->p = p;
    c->o = o;
    char err[256] = "";

    if (o->out_path != NULL) {
        c->out_file = p->file_open(p->ctx, o->out_path, true);
        if (c->out_file == NULL) {
            synack_cli_msg(c, "--out %s: cannot open for writing", o->out_path);
            return 1;
        }
    } else if (o->link == SYNACK_CLI_LINK_STDIO) {
        c->out_to_stderr = true; /* stdout carries the link */
    }

    c->rx = malloc(SYNACK_CLI_FRAME_MAX + 4);
    c->tx = malloc(SYNACK_CLI_FRAME_MAX + 4);
    c->framer = malloc(sizeof *c->framer);
    uint8_t *q = malloc(SYNACK_CLI_TXQ_BYTES);
    synack_cli_txq_init(&c->txq, q, SYNACK_CLI_TXQ_BYTES);
    if (c->rx == NULL || c->tx == NULL || c->framer == NULL || q == NULL) {
        synack_cli_msg(c, "out of memory");
        return 1;
    }
    synack_framer_init(c->framer);

    c->link.medium = SYNACK_MEDIUM_ETHERNET;
    if (p->link_open(p->ctx, o, &c->link, err, sizeof err) != 0) {
        synack_cli_msg(c, "link: %s", err);
        return 1;
    }
    c->link_open = true;

    synack_link top;
    int rc = build_links(c, &top);
    if (rc != 0)
        return rc;

    synack_config cfg;
    synack_config_default(&cfg);
    cfg.alloc = synack_libc_allocator();
    cfg.link = top;
    if ((rc = stable_secret(c, &cfg)) != 0)
        return rc;
    /* synack_cli_step feeds all a wake-up brings, then polls: one ACK per
       burst of in-order data (synack_link.ack_per_burst) */
    cfg.link.ack_per_burst = true;
    if (o->has_mac)
        cfg.mac = o->mac;
    else if (!cfg.ipv6.has_stable_secret) /* else the stack derives it */
        random_mac(c, &cfg.mac);
    p->entropy(p->ctx, (uint8_t *)&cfg.seed, sizeof cfg.seed);
    if (o->syn_retries != 0)
        cfg.tcp.syn_retries = o->syn_retries;
    if (o->ip6_off)
        cfg.ipv6.enable = false;
    if (o->trace) {
        cfg.trace = synack_cli_trace_print;
        cfg.trace_ctx = c;
    }
    uint64_t now = synack_cli_now(c);
    rc = synack_stack_new(&c->stack, &cfg, now);
    if (rc != 0) {
        synack_cli_msg(c, "cannot create the stack: %s", synack_strerror(rc));
        return 1;
    }
    if (c->cut != NULL) {
        /* The first frame: a bridge that does not know it drops it. */
        uint8_t hello[SYNACK_OFFLOAD_CTRL_LEN];
        synack_offload_ctrl(hello, SYNACK_OFFLOAD_HELLO, cfg.mac.b,
                            SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP4 |
                                SYNACK_OFFLOAD_F_TX_TCP6 | SYNACK_OFFLOAD_F_RX_TCP6,
                            (uint16_t)SYNACK_OFFLOAD_INNER_MAX);
        c->offload.asked = wire_send(c, hello, sizeof hello) == 0;
    }
    if (o->has_dns)
        synack_set_resolver(c->stack, &o->dns);
    if (o->has_ip6) {
        rc = synack_add_ipv6(c->stack, now, &o->ip6, o->ip6_len);
        if (rc != 0) {
            synack_cli_msg(c, "--ip6: %s", synack_strerror(rc));
            return SYNACK_CLI_EXIT_USAGE;
        }
    }
    if (o->has_gw6 && (rc = synack_set_gateway6(c->stack, now, &o->gw6)) != 0) {
        synack_cli_msg(c, "--gw6: %s", synack_strerror(rc));
        return SYNACK_CLI_EXIT_USAGE;
    }
    if (o->static_ip) {
        rc = synack_set_ipv4(c->stack, now, o->ip, o->prefix_len,
                             o->has_gw ? o->gw : 0);
        if (rc != 0) {
            synack_cli_msg(c, "--ip: %s", synack_strerror(rc));
            return SYNACK_CLI_EXIT_USAGE;
        }
    } else if (!o->has_ip6 && (rc = dhcp(c)) != 0) {
        return rc; /* with --ip6 only: IPv6 alone, no DHCP */
    }
    return o->has_ip6 ? ip6_ready(c, &o->ip6) : 0;
}

/* What the stream link has not yet taken (the last ACK, a FIN or RST of
 * the close) still goes out before the link closes, for up to
 * EXIT_FLUSH_MS. */
#define EXIT_FLUSH_MS 1000u
static void flush_before_exit(synack_cli *c)
{
    uint64_t until = synack_cli_now(c) + EXIT_FLUSH_MS;
    while (c->link_open && c->txq.len > 0 && !c->link_down &&
           synack_cli_now(c) < until) {
        int ready = c->p->wait(c->p->ctx, until, SYNACK_CLI_READY_LINK_OUT);
        if (ready < 0)
            return;
        if ((unsigned)ready & SYNACK_CLI_READY_LINK_OUT)
            flush_txq(c);
    }
}

void synack_cli_teardown(synack_cli *c)
{
    flush_before_exit(c);
    if (c->stack != NULL) {
        synack_stack_free(c->stack);
        c->stack = NULL;
    }
    if (c->im_out != NULL)
        synack_impair_free(c->im_out);
    if (c->im_in != NULL)
        synack_impair_free(c->im_in);
    if (c->pcap != NULL)
        synack_pcap_free(c->pcap);
    if (c->pcap_file != NULL)
        c->p->file_close(c->p->ctx, c->pcap_file);
    if (c->out_file != NULL)
        c->p->file_close(c->p->ctx, c->out_file);
    if (c->link_open)
        c->p->link_close(c->p->ctx);
    free(c->rx);
    free(c->tx);
    free(c->cut);
    free(c->txq.buf);
    free(c->framer);
    memset(c, 0, sizeof *c);
}
