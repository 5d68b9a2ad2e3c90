/*
 * Emscripten glue: thin exported functions over the public API
 * (core/include/synack/synack.h) for the JavaScript API in wasm/src/, which
 * wasm/bundle.mjs puts together with the Emscripten glue into synack.mjs.
 *
 * Boundary conventions, chosen so that no 64-bit integer crosses into JS:
 * - time is a double of milliseconds (DESIGN.md: "double at the JavaScript
 *   boundary"); UINT64_MAX deadlines become +Infinity;
 * - a peer's address crosses as SJ_ADDR_LEN bytes of wasm memory: its
 *   family (SYNACK_AF_IP4 or SYNACK_AF_IP6; 0 for none) and 16 bytes in
 *   network order (IPv4 in the first 4), converted to and from the API's
 *   synack_addr in addr_in/addr_out only (the JS API itself takes and
 *   gives strings); interface configuration keeps IPv4 as uint32_t in host
 *   order, as synack_set_ipv4 does;
 * - results that hold several values are written into caller-provided
 *   scratch memory as doubles or uint32_t, never as C structs, so JS does
 *   not depend on struct layout; the slot of each value is a member of an
 *   `enum synack_js_<name>_out` below, which wasm/gen_constants.mjs turns
 *   into the OUT table of the JS side (OUT.<NAME>.<FIELD>), so the
 *   indexes are written once, here.
 *
 * Outgoing frames and trace events go to JS through two EM_JS imports that
 * only record what happened; JS acts on them once the C call has returned,
 * so a stack is never re-entered from its own callbacks.
 *
 * Each stack gets a small context (synack_js_ctx) that carries the JS-side
 * id; the glue has no global state.
 */
#include <emscripten.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "synack/synack.h"
#include "synack_libc.h"
#include "framing.h"
#include "offload.h"
#include "ipv6/ipv6.h"
#include "wire/wire.h"

/* Bytes of an address at the boundary: family, then 16 address bytes. */
#define SJ_ADDR_LEN 17

/* Bytes of an address of `family` (0 for an unknown family). */
static size_t addr_bytes(uint8_t family)
{
    return family == SYNACK_AF_IP4 ? 4u : family == SYNACK_AF_IP6 ? 16u : 0u;
}

/* The boundary's address at p as the API's synack_addr (family 0 when p
 * names no family the API knows, which the API refuses). */
static synack_addr addr_in(const uint8_t *p)
{
    synack_addr a;
    memset(&a, 0, sizeof a);
    size_t n = addr_bytes(p[0]);
    if (n > 0) {
        a.family = p[0];
        memcpy(a.b, p + 1, n);
    }
    return a;
}

/* An API address for JS, written at p (all zero for none). */
static void addr_out(const synack_addr *a, uint8_t *p)
{
    memset(p, 0, SJ_ADDR_LEN);
    size_t n = addr_bytes(a->family);
    if (n > 0) {
        p[0] = a->family;
        memcpy(p + 1, a->b, n);
    }
}

/* Large enough for any trace event's JSON (a segment with four SACK blocks
 * is about 350 bytes). */
#define SJ_TRACE_CAP 1024u

typedef struct synack_js_ctx {
    synack_stack *stack;
    int32_t id;  /* the JS stack's id, passed back on every callback */
    /* Offload across a stream link (core/link/offload.h): HELLO sent, the
     * bridge agreed, and room to wrap or cut a super-frame. */
    synack_offload_client offload;
    uint8_t *cut;
    /* A PairLink to another synack stack (SJ_OFFLOAD_PAIR) whose stack
     * takes whole super-frames: JS said so (synack_js_pair_super). */
    bool pair_super;
    /* A direct pair (synack_js_pair_direct): the stack on the other end of
     * an unimpaired PairLink, in this module. Frames for it wait in q
     * ([be32 length][frame]...) until JS has it take them, one call per
     * task, with no JS per frame. */
    struct synack_js_ctx *peer;
    struct {
        uint8_t *buf;
        size_t len, cap;
        uint32_t frames; /* queued in all (the PairLink's frame counter) */
    } q;
    char trace_buf[SJ_TRACE_CAP];
} synack_js_ctx;

/* clang-format off */
/* `fix`, when not 0: (offset << 16 | value) of a big-endian 16-bit field
 * that JS sets in its copy of the frame (the TCP checksum of a pair
 * super-frame, whose own buffer the stack keeps const). */
EM_JS(int, synack_js_import_send, (int id, const uint8_t *frame, size_t len, uint32_t fix), {
    return Module.synackLinkSend(id, frame, len, fix);
});

EM_JS(void, synack_js_import_trace, (int id, const char *json, size_t len), {
    Module.synackTrace(id, json, len);
});
/* clang-format on */

static uint64_t ms_from_js(double now)
{
    if (!(now > 0.0))
        return 0;
    if (now >= 18446744073709549568.0)
        return UINT64_MAX;
    return (uint64_t)now;
}

static double ms_to_js(uint64_t t)
{
    return t == UINT64_MAX ? (double)INFINITY : (double)t;
}

/* Bytes of frames a direct pair may hold before it drops (a few windows). */
#define SJ_QUEUE_MAX (8u << 20)

/*
 * Queue a frame for the direct peer; `at` (when not 0) is the offset of a
 * 16-bit field set to `val` in the copy. The first frame of a batch tells
 * JS (an empty send), which has the peer take the batch in a later task.
 */
static int queue_frame(synack_js_ctx *c, const uint8_t *frame, size_t len,
                       size_t at, uint16_t val)
{
    size_t need = c->q.len + 4u + len;
    if (need > c->q.cap) {
        if (need > SJ_QUEUE_MAX)
            return -1;
        size_t cap = c->q.cap ? c->q.cap : 65536u;
        while (cap < need)
            cap *= 2u;
        uint8_t *b = malloc(cap); /* not realloc: it would grow the wasm */
        if (b == NULL)
            return -1;
        if (c->q.len != 0)
            memcpy(b, c->q.buf, c->q.len);
        free(c->q.buf);
        c->q.buf = b;
        c->q.cap = cap;
    }
    uint8_t *p = c->q.buf + c->q.len;
    p[0] = (uint8_t)(len >> 24);
    p[1] = (uint8_t)(len >> 16);
    p[2] = (uint8_t)(len >> 8);
    p[3] = (uint8_t)len;
    memcpy(p + 4, frame, len);
    if (at != 0) {
        p[4 + at] = (uint8_t)(val >> 8);
        p[4 + at + 1] = (uint8_t)val;
    }
    bool first = c->q.len == 0;
    c->q.len = need;
    c->q.frames++;
    if (first)
        synack_js_import_send(c->id, NULL, 0, 0);
    return 0;
}

static int link_send(void *ctx, const uint8_t *frame, size_t len)
{
    synack_js_ctx *c = ctx;
    if (c->peer != NULL)
        return queue_frame(c, frame, len, 0, 0);
    return synack_js_import_send(c->id, frame, len, 0);
}

static int link_send_piece(void *ctx, const uint8_t *frame, size_t len)
{
    return link_send(ctx, frame, len);
}

/*
 * A super-frame to a synack stack on the other end of a PairLink: the
 * receiving stack takes TCP segments above the MTU (as from an offloading
 * TAP) but checks their checksum, so it is completed here. The TCP
 * checksum field holds the folded pseudo-header sum (synack_link.send_gso;
 * IPv4 or IPv6 pseudo-header), so the sum over the segment as it stands,
 * complemented, is the checksum; the field sits 16 bytes into the TCP
 * header (14+20+16 for IPv4 without options, 14+40+16 for IPv6).
 */
static int link_send_pair_super(synack_js_ctx *c, const uint8_t *frame, size_t len,
                                const synack_gso *g)
{
    size_t start = g->csum_start, at = start + g->csum_offset;
    if (len < at + 4u)
        return -1;
    uint16_t sum = synack_csum_finish(synack_csum_add(0, frame + start, len - start));
    if (c->peer != NULL)
        return queue_frame(c, frame, len, at, sum);
    return synack_js_import_send(c->id, frame, len, (uint32_t)(at << 16 | sum));
}

/* The stack's super-frame: whole as a SUPER once the bridge agreed for its
 * family (TX_TCP4, TX_TCP6), whole to a PairLink peer stack that takes
 * them, else cut here into ordinary frames (before the bridge or the peer
 * agrees, or when it never does, as an older bridge for IPv6). */
static int link_send_gso(void *ctx, const uint8_t *frame, size_t len, const synack_gso *g)
{
    synack_js_ctx *c = ctx;
    if (c->pair_super)
        return link_send_pair_super(c, frame, len, g);
    if (g->family == SYNACK_AF_IP6 ? c->offload.tx6 : c->offload.tx) {
        int32_t n = synack_offload_wrap(c->cut, SYNACK_FRAME_MAX, frame, len, g);
        return n < 0 ? -1 : link_send(ctx, c->cut, (size_t)n);
    }
    return synack_offload_cut(frame, len, g, c->cut, SYNACK_FRAME_MAX, link_send_piece, ctx) < 0
               ? -1
               : 0;
}

static void on_trace(void *ctx, const synack_trace_event *ev)
{
    synack_js_ctx *c = ctx;
    size_t n = synack_trace_json(ev, c->trace_buf, sizeof c->trace_buf);
    if (n >= sizeof c->trace_buf)
        return; /* cannot happen with SJ_TRACE_CAP; never half an object */
    synack_js_import_trace(c->id, c->trace_buf, n);
}

/* ---- stack ------------------------------------------------------------- */

/*
 * Indexes of the options array given to synack_js_new. Each value is a
 * uint32_t; SJ_DEFAULT keeps the default of synack_config_default().
 */
enum synack_js_opt {
    SJ_OPT_MTU = 0,
    SJ_OPT_MEDIUM,        /* enum synack_js_medium */
    SJ_OPT_SEED_LO,
    SJ_OPT_SEED_HI,
    SJ_OPT_MAX_CONNS,
    SJ_OPT_SNDBUF,
    SJ_OPT_RCVBUF,
    SJ_OPT_SYN_RETRIES,
    SJ_OPT_DATA_RETRIES,
    SJ_OPT_RTO_INITIAL_MS,
    SJ_OPT_RTO_MIN_MS,
    SJ_OPT_RTO_MAX_MS,
    SJ_OPT_MSL_MS,
    SJ_OPT_DELACK_MS,
    SJ_OPT_NODELAY,       /* 0/1 */
    SJ_OPT_CC,            /* synack_cc_algo (synack.h) */
    SJ_OPT_UDP_MAX_SOCKETS,
    SJ_OPT_ARP_RETRY_MS,
    SJ_OPT_ARP_RETRIES,
    SJ_OPT_TCP_MEM_MAX,   /* bytes: budget for all TCP buffers */
    SJ_OPT_OFFLOAD,       /* enum synack_js_offload (Ethernet only) */
    SJ_OPT_IP6,           /* enum synack_js_ip6 */
    SJ_OPT_STABLE_SECRET, /* 1: the next four words are cfg.ipv6.stable_secret */
    SJ_OPT_SECRET_0,      /* its bytes 0-3, big-endian; then 4-7, 8-11, 12-15 */
    SJ_OPT_SECRET_1,
    SJ_OPT_SECRET_2,
    SJ_OPT_SECRET_3,
    SJ_OPT__COUNT
};

/* An option left at its default (UINT32_MAX; gen_constants.mjs reads the
 * number). */
#define SJ_DEFAULT 0xffffffffu

/* Values of SJ_OPT_MEDIUM. */
enum synack_js_medium { SJ_MEDIUM_ETHERNET = 0, SJ_MEDIUM_IP };

/* Values of SJ_OPT_OFFLOAD: none; ask the bridge for super-frames (HELLO);
 * a PairLink, super-frames once JS says the peer stack takes them
 * (synack_js_pair_super). */
enum synack_js_offload { SJ_OFFLOAD_OFF = 0, SJ_OFFLOAD_BRIDGE, SJ_OFFLOAD_PAIR };

/* Values of SJ_OPT_IP6: IPv6 off, on with SLAAC (a link-local address and
 * addresses from router advertisements), on with static addresses only. */
enum synack_js_ip6 { SJ_IP6_OFF = 0, SJ_IP6_SLAAC, SJ_IP6_STATIC };

static void set_opt(uint32_t *field, const uint32_t *opt, enum synack_js_opt i)
{
    if (opt[i] != SJ_DEFAULT)
        *field = opt[i];
}

static void set_flag(bool *field, const uint32_t *opt, enum synack_js_opt i)
{
    if (opt[i] != SJ_DEFAULT)
        *field = opt[i] != 0;
}

/* IPv6 on or off, with or without SLAAC (SJ_DEFAULT: the core's default). */
static void set_ip6(synack_config *cfg, uint32_t mode)
{
    if (mode == SJ_DEFAULT)
        return;
    cfg->ipv6.enable = mode != SJ_IP6_OFF;
    cfg->ipv6.slaac = mode == SJ_IP6_SLAAC;
}

/* Number of entries synack_js_new reads from its options array. */
EMSCRIPTEN_KEEPALIVE
int synack_js_opt_count(void)
{
    return SJ_OPT__COUNT;
}

/*
 * Create a stack whose link sends to JS stack `id`. `mac` points at 6 bytes;
 * `opt` at SJ_OPT__COUNT values (enum synack_js_opt). On success stores the
 * context in *out and returns 0; else a negative synack_err
 * (SYNACK_ERR_INVAL for a bad MTU, SYNACK_ERR_NOMEM).
 */
EMSCRIPTEN_KEEPALIVE
int synack_js_new(synack_js_ctx **out, int32_t id, const uint8_t *mac,
                  const uint32_t *opt, double now)
{
    synack_js_ctx *c = calloc(1, sizeof *c);
    if (c == NULL)
        return SYNACK_ERR_NOMEM;
    c->id = id;

    synack_config cfg;
    synack_config_default(&cfg);
    cfg.alloc = synack_libc_allocator();
    cfg.link.send = link_send;
    cfg.link.ctx = c;
    cfg.link.mtu = 1500;
    set_opt(&cfg.link.mtu, opt, SJ_OPT_MTU);
    cfg.link.medium = opt[SJ_OPT_MEDIUM] == SJ_MEDIUM_IP ? SYNACK_MEDIUM_IP
                                                         : SYNACK_MEDIUM_ETHERNET;
    /* No link.ack_per_burst here: a synack sender counts at most 2 MSS per
       ACK in slow start (RFC 3465, L = 2*SMSS), so one ACK per burst between
       two synack stacks on a delayed link slowed slow start (the demo's
       slow-start lesson: 8x in ~10 RTTs instead of 3) */
    memcpy(cfg.mac.b, mac, 6);
    if ((opt[SJ_OPT_OFFLOAD] == SJ_OFFLOAD_BRIDGE || opt[SJ_OPT_OFFLOAD] == SJ_OFFLOAD_PAIR) &&
        cfg.link.medium == SYNACK_MEDIUM_ETHERNET) {
        c->cut = malloc(SYNACK_FRAME_MAX);
        if (c->cut == NULL) {
            free(c);
            return SYNACK_ERR_NOMEM;
        }
        cfg.link.gso_max = SYNACK_OFFLOAD_INNER_MAX - 14u; /* IP bytes */
        cfg.link.send_gso = link_send_gso;
        cfg.link.gso_ip6 = true; /* wrapped as GSO_TCPV6, whole to a pair, or cut */
    }
    cfg.seed = ((uint64_t)opt[SJ_OPT_SEED_HI] << 32) | opt[SJ_OPT_SEED_LO];

    synack_tcp_config *t = &cfg.tcp;
    set_opt(&t->max_conns, opt, SJ_OPT_MAX_CONNS);
    set_opt(&t->sndbuf, opt, SJ_OPT_SNDBUF);
    set_opt(&t->rcvbuf, opt, SJ_OPT_RCVBUF);
    if (opt[SJ_OPT_TCP_MEM_MAX] != SJ_DEFAULT)
        t->mem_max = opt[SJ_OPT_TCP_MEM_MAX];
    set_opt(&t->syn_retries, opt, SJ_OPT_SYN_RETRIES);
    set_opt(&t->data_retries, opt, SJ_OPT_DATA_RETRIES);
    set_opt(&t->rto_initial_ms, opt, SJ_OPT_RTO_INITIAL_MS);
    set_opt(&t->rto_min_ms, opt, SJ_OPT_RTO_MIN_MS);
    set_opt(&t->rto_max_ms, opt, SJ_OPT_RTO_MAX_MS);
    set_opt(&t->msl_ms, opt, SJ_OPT_MSL_MS);
    set_opt(&t->delack_ms, opt, SJ_OPT_DELACK_MS);
    set_flag(&t->nodelay, opt, SJ_OPT_NODELAY);
    if (opt[SJ_OPT_CC] == SYNACK_CC_CUBIC || opt[SJ_OPT_CC] == SYNACK_CC_NEWRENO)
        t->cc = (synack_cc_algo)opt[SJ_OPT_CC];
    set_opt(&cfg.udp_max_sockets, opt, SJ_OPT_UDP_MAX_SOCKETS);
    set_opt(&cfg.arp_retry_ms, opt, SJ_OPT_ARP_RETRY_MS);
    set_opt(&cfg.arp_retries, opt, SJ_OPT_ARP_RETRIES);
    set_ip6(&cfg, opt[SJ_OPT_IP6]);
    if (opt[SJ_OPT_STABLE_SECRET] == 1) {
        cfg.ipv6.has_stable_secret = true;
        for (int i = 0; i < 16; i++)
            cfg.ipv6.stable_secret[i] = (uint8_t)(opt[SJ_OPT_SECRET_0 + i / 4] >> (24 - 8 * (i % 4)));
    }

    int err = synack_stack_new(&c->stack, &cfg, ms_from_js(now));
    if (err < 0) {
        free(c->cut);
        free(c);
        return err;
    }
    if (c->cut != NULL && opt[SJ_OPT_OFFLOAD] == SJ_OFFLOAD_BRIDGE) {
        /* The first frame: a bridge that does not know it drops it. */
        uint8_t hello[SYNACK_OFFLOAD_CTRL_LEN];
        synack_offload_ctrl(hello, SYNACK_OFFLOAD_HELLO, mac,
                            SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP4 |
                                SYNACK_OFFLOAD_F_TX_TCP6 | SYNACK_OFFLOAD_F_RX_TCP6,
                            (uint16_t)SYNACK_OFFLOAD_INNER_MAX);
        c->offload.asked = link_send(c, hello, sizeof hello) >= 0;
    }
    *out = c;
    return 0;
}

/* Free a stack and its context. */
EMSCRIPTEN_KEEPALIVE
void synack_js_free(synack_js_ctx *c)
{
    if (c == NULL)
        return;
    if (c->peer != NULL)
        c->peer->peer = NULL;
    synack_stack_free(c->stack);
    free(c->q.buf);
    free(c->cut);
    free(c);
}

/* Make a and b a direct pair (both NULL-safe); a NULL b unlinks a. */
EMSCRIPTEN_KEEPALIVE
void synack_js_pair_direct(synack_js_ctx *a, synack_js_ctx *b)
{
    if (a == NULL)
        return;
    /* frames still queued were for the old peer: dropped */
    a->q.len = 0;
    if (a->peer != NULL) {
        a->peer->peer = NULL;
        a->peer->q.len = 0;
    }
    a->peer = b;
    if (b != NULL) {
        if (b->peer != NULL)
            b->peer->peer = NULL;
        b->peer = a;
    }
}

void synack_js_input(synack_js_ctx *c, double now, const uint8_t *frame, size_t len);

/*
 * Feed the stack the frames its direct peer queued, in order; returns how
 * many. The peer's buffer is taken first, so the frames this stack sends
 * meanwhile go to its own queue.
 */
EMSCRIPTEN_KEEPALIVE
int synack_js_pair_take(synack_js_ctx *c, double now)
{
    synack_js_ctx *p = c->peer;
    if (p == NULL || p->q.len == 0)
        return 0;
    uint8_t *buf = p->q.buf;
    size_t len = p->q.len, cap = p->q.cap;
    p->q.buf = NULL;
    p->q.len = p->q.cap = 0;
    int n = 0;
    for (size_t off = 0; off + 4u <= len; n++) {
        size_t f = (size_t)buf[off] << 24 | (size_t)buf[off + 1] << 16 |
                   (size_t)buf[off + 2] << 8 | buf[off + 3];
        synack_js_input(c, now, buf + off + 4, f);
        off += 4u + f;
    }
    /* the buffer goes back for the next batch unless the peer went away
     * or made a new one */
    if (c->peer == p && p->q.buf == NULL) {
        p->q.buf = buf;
        p->q.cap = cap;
    } else {
        free(buf);
    }
    return n;
}

/* Frames queued for the direct peer in all (JS reads it with >>> 0). */
EMSCRIPTEN_KEEPALIVE
uint32_t synack_js_pair_frames(const synack_js_ctx *c)
{
    return c->q.frames;
}

/* Whether the bridge agreed to take super-frames, of either family (0/1). */
EMSCRIPTEN_KEEPALIVE
int synack_js_offload_active(const synack_js_ctx *c)
{
    return c->offload.tx || c->offload.tx6 ? 1 : 0;
}

/* The PairLink's other stack takes whole super-frames (0/1). */
EMSCRIPTEN_KEEPALIVE
void synack_js_pair_super(synack_js_ctx *c, int on)
{
    c->pair_super = on != 0 && c->cut != NULL && !c->offload.asked;
}

/* Turn trace events on or off. */
EMSCRIPTEN_KEEPALIVE
void synack_js_set_trace(synack_js_ctx *c, int on)
{
    synack_set_trace(c->stack, on ? on_trace : NULL, on ? c : NULL);
}

/* Feed one received frame. */
EMSCRIPTEN_KEEPALIVE
void synack_js_input(synack_js_ctx *c, double now, const uint8_t *frame,
                     size_t len)
{
    const uint8_t *inner = frame;
    size_t inner_len = len;
    int k = synack_offload_client_input(&c->offload, frame, len, &inner, &inner_len);
    if (k == SYNACK_OFFLOAD_IN_FRAME || k == SYNACK_OFFLOAD_IN_INNER)
        synack_input(c->stack, ms_from_js(now), inner, inner_len);
}

/* Run timers due at `now`. */
EMSCRIPTEN_KEEPALIVE
void synack_js_poll(synack_js_ctx *c, double now)
{
    synack_poll(c->stack, ms_from_js(now));
}

/* Next deadline in ms, +Infinity when none. */
EMSCRIPTEN_KEEPALIVE
double synack_js_poll_at(synack_js_ctx *c)
{
    return ms_to_js(synack_poll_at(c->stack));
}

/* Configure the address (see synack_set_ipv4). */
EMSCRIPTEN_KEEPALIVE
int synack_js_set_ipv4(synack_js_ctx *c, double now, uint32_t addr,
                       uint32_t prefix, uint32_t gateway)
{
    if (prefix > 32)
        return SYNACK_ERR_INVAL;
    return synack_set_ipv4(c->stack, ms_from_js(now), addr, (uint8_t)prefix,
                           gateway);
}

/* ---- IPv6 configuration ------------------------------------------------ */

/* 1 when this synack.wasm has the IPv6 layer (synack_ipv6_built). */
EMSCRIPTEN_KEEPALIVE
int synack_js_ipv6_built(void)
{
    return synack_ipv6_built();
}

/* See synack_add_ipv6; the address at addr. */
EMSCRIPTEN_KEEPALIVE
int synack_js_add_ipv6(synack_js_ctx *c, double now, const uint8_t *addr, uint32_t prefix)
{
    if (prefix > 128)
        return SYNACK_ERR_INVAL;
    synack_addr a = addr_in(addr);
    return synack_add_ipv6(c->stack, ms_from_js(now), &a, (uint8_t)prefix);
}

/* See synack_set_gateway6; the gateway at gw (NULL clears it). */
EMSCRIPTEN_KEEPALIVE
int synack_js_set_gateway6(synack_js_ctx *c, double now, const uint8_t *gw)
{
    synack_addr a = gw != NULL ? addr_in(gw) : (synack_addr){0};
    return synack_set_gateway6(c->stack, ms_from_js(now), &a);
}

/* The static IPv6 gateway, written at addr (family 0: none). */
EMSCRIPTEN_KEEPALIVE
void synack_js_get_gateway6(synack_js_ctx *c, uint8_t *addr)
{
    synack_addr g = synack_get_gateway6(c->stack);
    addr_out(&g, addr);
}

/* Interface addresses synack_js_get_ipv6 can report. */
#define SJ_IP6_MAX 32

/* Doubles synack_js_get_ipv6 writes (times: stack ms, +Infinity for never). */
enum synack_js_ip6addr_out {
    SJ_IP6ADDR_PREFIX = 0,   /* prefix length */
    SJ_IP6ADDR_ORIGIN,       /* enum synack_ip6_origin */
    SJ_IP6ADDR_STATE,        /* enum synack_ip6_addr_state */
    SJ_IP6ADDR_VALID_UNTIL,
    SJ_IP6ADDR_PREFERRED_UNTIL,
    SJ_IP6ADDR__COUNT
};

/*
 * IPv6 interface address i (synack_get_ipv6): its address at addr, out[]
 * by enum synack_js_ip6addr_out. Returns how many there are (i beyond
 * them: nothing written).
 */
EMSCRIPTEN_KEEPALIVE
int synack_js_get_ipv6(synack_js_ctx *c, uint32_t i, uint8_t *addr, double *out)
{
    synack_ip6_addr_info v[SJ_IP6_MAX];
    size_t n = synack_get_ipv6(c->stack, v, SJ_IP6_MAX);
    if (n > SJ_IP6_MAX)
        n = SJ_IP6_MAX;
    if (i < n) {
        addr_out(&v[i].addr, addr);
        out[SJ_IP6ADDR_PREFIX] = v[i].prefix_len;
        out[SJ_IP6ADDR_ORIGIN] = v[i].origin;
        out[SJ_IP6ADDR_STATE] = v[i].state;
        out[SJ_IP6ADDR_VALID_UNTIL] = ms_to_js(v[i].valid_until);
        out[SJ_IP6ADDR_PREFERRED_UNTIL] = ms_to_js(v[i].preferred_until);
    }
    return (int)n;
}

/* uint32_t values synack_js_get_ipv4 writes (addresses in host order). */
enum synack_js_ip4_out {
    SJ_IP4_ADDR = 0,
    SJ_IP4_PREFIX,
    SJ_IP4_GATEWAY,
    SJ_IP4_DNS,              /* the IPv4 resolver (synack_get_dns) */
    SJ_IP4__COUNT
};

/* The IPv4 configuration into out[] by enum synack_js_ip4_out. */
EMSCRIPTEN_KEEPALIVE
void synack_js_get_ipv4(synack_js_ctx *c, uint32_t *out)
{
    synack_ip4 addr = 0, gw = 0;
    uint8_t prefix = 0;
    synack_get_ipv4(c->stack, &addr, &prefix, &gw);
    out[SJ_IP4_ADDR] = addr;
    out[SJ_IP4_PREFIX] = prefix;
    out[SJ_IP4_GATEWAY] = gw;
    out[SJ_IP4_DNS] = synack_get_dns(c->stack);
}

/* Copy our MAC address into out[0..5]. */
EMSCRIPTEN_KEEPALIVE
void synack_js_get_mac(synack_js_ctx *c, uint8_t *out)
{
    synack_mac m = synack_get_mac(c->stack);
    memcpy(out, m.b, 6);
}

/* Number of synack_counters fields written by synack_js_counters: the
 * struct holds only uint64_t (gen_constants.mjs refuses anything else), so
 * it is an array of them in declaration order, the order of COUNTER_NAMES
 * on the JS side, with nothing listed by hand here. */
#define SJ_COUNTERS (sizeof(synack_counters) / sizeof(uint64_t))
_Static_assert(sizeof(synack_counters) % sizeof(uint64_t) == 0, "counters are uint64_t");

/* out[] = the synack_counters fields in declaration order, as doubles;
 * returns how many. */
EMSCRIPTEN_KEEPALIVE
int synack_js_counters(synack_js_ctx *c, double *out)
{
    synack_counters k;
    synack_get_counters(c->stack, &k);
    uint64_t v[SJ_COUNTERS];
    memcpy(v, &k, sizeof v);
    for (size_t i = 0; i < SJ_COUNTERS; i++)
        out[i] = (double)v[i];
    return (int)SJ_COUNTERS;
}

/* Number of drop reasons. */
EMSCRIPTEN_KEEPALIVE
int synack_js_drop_count(void)
{
    return SYNACK_DROP__COUNT;
}

/* Frames dropped for reason d. */
EMSCRIPTEN_KEEPALIVE
double synack_js_drops(synack_js_ctx *c, int d)
{
    if (d < 0 || d >= SYNACK_DROP__COUNT)
        return 0.0;
    return (double)synack_drops(c->stack, (synack_drop)d);
}

/* Layer name of drop reason d ("tcp", ...). */
EMSCRIPTEN_KEEPALIVE
const char *synack_js_drop_layer(int d)
{
    return synack_drop_layer((synack_drop)d);
}

/* Reason name of drop reason d ("bad-checksum", ...). */
EMSCRIPTEN_KEEPALIVE
const char *synack_js_drop_reason(int d)
{
    return synack_drop_reason((synack_drop)d);
}

/* Short name of an error. */
EMSCRIPTEN_KEEPALIVE
const char *synack_js_strerror(int err)
{
    return synack_strerror(err);
}

/* ---- ICMP echo ---------------------------------------------------------- */

/* See synack_ping_open. */
EMSCRIPTEN_KEEPALIVE
int synack_js_ping_open(synack_js_ctx *c)
{
    return synack_ping_open(c->stack);
}

/* See synack_ping_send. */
EMSCRIPTEN_KEEPALIVE
int synack_js_ping_send(synack_js_ctx *c, double now, int h, const uint8_t *dst,
                        uint32_t seq, const uint8_t *payload, size_t len)
{
    synack_addr d = addr_in(dst);
    return synack_ping_send(c->stack, ms_from_js(now), h, &d, (uint16_t)seq,
                            payload, len);
}

/* uint32_t values of a received echo reply, datagram or connection. */
enum synack_js_from_out {
    SJ_FROM_PORT = 0,        /* the peer's port (UDP, TCP accept) */
    SJ_FROM_SEQ,             /* the echo reply's sequence number */
    SJ_FROM__COUNT
};

/* See synack_ping_recv; out[SJ_FROM_SEQ] = sequence, the source at addr. */
EMSCRIPTEN_KEEPALIVE
int synack_js_ping_recv(synack_js_ctx *c, int h, uint32_t *out, uint8_t *buf,
                        size_t cap, uint8_t *addr)
{
    synack_addr src = {0};
    uint16_t seq = 0;
    int n = synack_ping_recv(c->stack, h, &src, &seq, buf, cap);
    addr_out(&src, addr);
    out[SJ_FROM_SEQ] = seq;
    return n;
}

/* See synack_ping_close. */
EMSCRIPTEN_KEEPALIVE
void synack_js_ping_close(synack_js_ctx *c, int h)
{
    synack_ping_close(c->stack, h);
}

/* ---- UDP ---------------------------------------------------------------- */

/* See synack_udp_open. */
EMSCRIPTEN_KEEPALIVE
int synack_js_udp_open(synack_js_ctx *c, uint32_t port)
{
    if (port > 65535)
        return SYNACK_ERR_INVAL;
    return synack_udp_open(c->stack, (uint16_t)port);
}

/* See synack_udp_port. */
EMSCRIPTEN_KEEPALIVE
int synack_js_udp_port(synack_js_ctx *c, int h)
{
    return synack_udp_port(c->stack, h);
}

/* See synack_udp_sendto. */
EMSCRIPTEN_KEEPALIVE
int synack_js_udp_sendto(synack_js_ctx *c, double now, int h, const uint8_t *dst,
                         uint32_t dport, const uint8_t *data, size_t len)
{
    if (dport > 65535)
        return SYNACK_ERR_INVAL;
    synack_addr d = addr_in(dst);
    return synack_udp_sendto(c->stack, ms_from_js(now), h, &d,
                             (uint16_t)dport, data, len);
}

/* See synack_udp_recvfrom; out[SJ_FROM_PORT] = source port, the source
 * at addr. */
EMSCRIPTEN_KEEPALIVE
int synack_js_udp_recvfrom(synack_js_ctx *c, int h, uint8_t *buf, size_t cap,
                           uint32_t *out, uint8_t *addr)
{
    synack_addr src = {0};
    uint16_t sport = 0;
    int n = synack_udp_recvfrom(c->stack, h, buf, cap, &src, &sport);
    addr_out(&src, addr);
    out[SJ_FROM_PORT] = sport;
    return n;
}

/* See synack_udp_close. */
EMSCRIPTEN_KEEPALIVE
void synack_js_udp_close(synack_js_ctx *c, int h)
{
    synack_udp_close(c->stack, h);
}

/* ---- TCP ---------------------------------------------------------------- */

/* See synack_tcp_open. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_open(synack_js_ctx *c)
{
    return synack_tcp_open(c->stack);
}

/* See synack_tcp_bind. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_bind(synack_js_ctx *c, int h, uint32_t port)
{
    if (port > 65535)
        return SYNACK_ERR_INVAL;
    return synack_tcp_bind(c->stack, h, (uint16_t)port);
}

/* See synack_tcp_listen. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_listen(synack_js_ctx *c, int h, uint32_t backlog)
{
    return synack_tcp_listen(c->stack, h, backlog);
}

/* See synack_tcp_accept; out[SJ_FROM_PORT] = peer port, the peer address
 * at addr. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_accept(synack_js_ctx *c, double now, int h, uint32_t *out,
                         uint8_t *addr)
{
    synack_addr peer = {0};
    uint16_t port = 0;
    int r = synack_tcp_accept(c->stack, ms_from_js(now), h, &peer, &port);
    addr_out(&peer, addr);
    out[SJ_FROM_PORT] = port;
    return r;
}

/* See synack_tcp_connect. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_connect(synack_js_ctx *c, double now, int h, const uint8_t *dst,
                          uint32_t dport)
{
    if (dport > 65535)
        return SYNACK_ERR_INVAL;
    synack_addr d = addr_in(dst);
    return synack_tcp_connect(c->stack, ms_from_js(now), h, &d,
                              (uint16_t)dport);
}

/* See synack_tcp_send. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_send(synack_js_ctx *c, double now, int h,
                       const uint8_t *data, size_t len)
{
    return synack_tcp_send(c->stack, ms_from_js(now), h, data, len);
}

/* See synack_tcp_recv. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_recv(synack_js_ctx *c, double now, int h, uint8_t *buf,
                       size_t cap)
{
    return synack_tcp_recv(c->stack, ms_from_js(now), h, buf, cap);
}

/* See synack_tcp_shutdown. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_shutdown(synack_js_ctx *c, double now, int h)
{
    return synack_tcp_shutdown(c->stack, ms_from_js(now), h);
}

/* See synack_tcp_close. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_close(synack_js_ctx *c, double now, int h)
{
    return synack_tcp_close(c->stack, ms_from_js(now), h);
}

/* See synack_tcp_abort. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_abort(synack_js_ctx *c, double now, int h)
{
    return synack_tcp_abort(c->stack, ms_from_js(now), h);
}

/* See synack_tcp_setopt (the value as a double, exact up to 2^53). */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_setopt(synack_js_ctx *c, int h, int opt, double value)
{
    return synack_tcp_setopt(c->stack, h, (synack_tcp_opt)opt, (int64_t)value);
}

/* See synack_tcp_events. */
EMSCRIPTEN_KEEPALIVE
uint32_t synack_js_tcp_events(synack_js_ctx *c, int h)
{
    return synack_tcp_events(c->stack, h);
}

/* See synack_tcp_error. */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_error(synack_js_ctx *c, int h)
{
    return synack_tcp_error(c->stack, h);
}

/* Doubles synack_js_tcp_info writes (synack_tcp_info's fields). */
enum synack_js_info_out {
    SJ_INFO_STATE = 0,       /* synack_tcp_state */
    SJ_INFO_LOCAL_FAMILY,
    SJ_INFO_LOCAL_PORT,
    SJ_INFO_REMOTE_FAMILY,
    SJ_INFO_REMOTE_PORT,
    SJ_INFO_SND_UNA,
    SJ_INFO_SND_NXT,
    SJ_INFO_SND_WND,
    SJ_INFO_RCV_NXT,
    SJ_INFO_RCV_WND,
    SJ_INFO_CWND,
    SJ_INFO_SSTHRESH,
    SJ_INFO_SRTT,            /* ms */
    SJ_INFO_RTTVAR,          /* ms */
    SJ_INFO_RTO,             /* ms */
    SJ_INFO_MSS,
    SJ_INFO_SNDBUF,          /* bytes in the send buffer */
    SJ_INFO_RCVBUF,          /* bytes in the receive buffer */
    SJ_INFO_BYTES_SENT,
    SJ_INFO_BYTES_RECEIVED,
    SJ_INFO_REXMIT_SEGS,
    SJ_INFO_REXMIT_BYTES,
    SJ_INFO__COUNT
};

/*
 * See synack_tcp_get_info: out[] by enum synack_js_info_out; the local
 * address at addrs, the remote one SJ_ADDR_LEN bytes after it. Returns
 * SJ_INFO__COUNT, or the error.
 */
EMSCRIPTEN_KEEPALIVE
int synack_js_tcp_info(synack_js_ctx *c, int h, double *out, uint8_t *addrs)
{
    synack_tcp_info i;
    int r = synack_tcp_get_info(c->stack, h, &i);
    if (r < 0)
        return r;
    addr_out(&i.local_addr, addrs);
    addr_out(&i.remote_addr, addrs + SJ_ADDR_LEN);
    out[SJ_INFO_STATE] = i.state;
    out[SJ_INFO_LOCAL_FAMILY] = i.local_addr.family;
    out[SJ_INFO_LOCAL_PORT] = i.local_port;
    out[SJ_INFO_REMOTE_FAMILY] = i.remote_addr.family;
    out[SJ_INFO_REMOTE_PORT] = i.remote_port;
    out[SJ_INFO_SND_UNA] = i.snd_una;
    out[SJ_INFO_SND_NXT] = i.snd_nxt;
    out[SJ_INFO_SND_WND] = i.snd_wnd;
    out[SJ_INFO_RCV_NXT] = i.rcv_nxt;
    out[SJ_INFO_RCV_WND] = i.rcv_wnd;
    out[SJ_INFO_CWND] = i.cwnd;
    out[SJ_INFO_SSTHRESH] = i.ssthresh;
    out[SJ_INFO_SRTT] = i.srtt_ms;
    out[SJ_INFO_RTTVAR] = i.rttvar_ms;
    out[SJ_INFO_RTO] = i.rto_ms;
    out[SJ_INFO_MSS] = i.mss;
    out[SJ_INFO_SNDBUF] = i.sndbuf_used;
    out[SJ_INFO_RCVBUF] = i.rcvbuf_used;
    out[SJ_INFO_BYTES_SENT] = (double)i.bytes_sent;
    out[SJ_INFO_BYTES_RECEIVED] = (double)i.bytes_received;
    out[SJ_INFO_REXMIT_SEGS] = (double)i.rexmit_segs;
    out[SJ_INFO_REXMIT_BYTES] = (double)i.rexmit_bytes;
    return SJ_INFO__COUNT;
}

/* RFC 9293 name of a TCP state. */
EMSCRIPTEN_KEEPALIVE
const char *synack_js_tcp_state_name(int st)
{
    return synack_tcp_state_name((synack_tcp_state)st);
}

/* ---- DHCP and DNS ------------------------------------------------------ */

/* See synack_dhcp_start. */
EMSCRIPTEN_KEEPALIVE
int synack_js_dhcp_start(synack_js_ctx *c, double now)
{
    return synack_dhcp_start(c->stack, ms_from_js(now));
}

/* See synack_dhcp_stop. */
EMSCRIPTEN_KEEPALIVE
void synack_js_dhcp_stop(synack_js_ctx *c, double now)
{
    synack_dhcp_stop(c->stack, ms_from_js(now));
}

/* See synack_dhcp_get_state. */
EMSCRIPTEN_KEEPALIVE
int synack_js_dhcp_state(synack_js_ctx *c)
{
    return (int)synack_dhcp_get_state(c->stack);
}

/* uint32_t values synack_js_dhcp_lease writes (addresses in host order). */
enum synack_js_lease_out {
    SJ_LEASE_ADDR = 0,
    SJ_LEASE_GATEWAY,
    SJ_LEASE_DNS0,
    SJ_LEASE_DNS1,
    SJ_LEASE_SERVER,
    SJ_LEASE_PREFIX,
    SJ_LEASE_SECONDS,
    SJ_LEASE__COUNT
};

/* See synack_dhcp_get_lease: out[] by enum synack_js_lease_out. */
EMSCRIPTEN_KEEPALIVE
int synack_js_dhcp_lease(synack_js_ctx *c, uint32_t *out)
{
    synack_dhcp_lease l;
    int r = synack_dhcp_get_lease(c->stack, &l);
    if (r < 0)
        return r;
    out[SJ_LEASE_ADDR] = l.addr;
    out[SJ_LEASE_GATEWAY] = l.gateway;
    out[SJ_LEASE_DNS0] = l.dns[0];
    out[SJ_LEASE_DNS1] = l.dns[1];
    out[SJ_LEASE_SERVER] = l.server;
    out[SJ_LEASE_PREFIX] = l.prefix_len;
    out[SJ_LEASE_SECONDS] = l.lease_s;
    return 0;
}

/* See synack_set_dns. */
EMSCRIPTEN_KEEPALIVE
void synack_js_set_dns(synack_js_ctx *c, uint32_t server)
{
    synack_set_dns(c->stack, server);
}

/* See synack_dns_query_family; `name` is NUL-terminated UTF-8. */
EMSCRIPTEN_KEEPALIVE
int synack_js_dns_query(synack_js_ctx *c, double now, const char *name, int family)
{
    return synack_dns_query_family(c->stack, ms_from_js(now), name, NULL, family);
}

/* Addresses synack_js_dns_lookup can write: every answer of both queries. */
#define SJ_DNS_MAX (2 * SYNACK_DNS_MAX_ADDRS)

/* Take the addresses of finished query h (-1: none asked) into a[], *n of
 * them; *err keeps its error. False while the query waits. */
static bool dns_take(synack_js_ctx *c, int h, synack_addr *a, int *n, int *err)
{
    *n = 0;
    *err = SYNACK_ERR_NOTFOUND;
    if (h < 0)
        return true;
    int r = synack_dns_result_all(c->stack, h, a, SYNACK_DNS_MAX_ADDRS);
    if (r == SYNACK_ERR_AGAIN)
        return false;
    if (r > 0)
        *n = r;
    else
        *err = r;
    return true;
}

/*
 * The answer to a lookup of both families, or of one: h6 the AAAA query,
 * h4 the A query (either -1 when not asked). Once both have finished,
 * writes their addresses at addrs (SJ_ADDR_LEN bytes each, at most
 * SJ_DNS_MAX) in the order synack_connect_name tries them (RFC 8305
 * section 4): the families interleaved, IPv6 first unless the stack has
 * no route to the first IPv6 address, each family in its answer's order.
 * Returns how many (>= 1), SYNACK_ERR_AGAIN while a query waits, or, with
 * no address at all, the error synack_connect_name reports: the A query's
 * unless it is NOTFOUND, else the AAAA query's (NOTFOUND, TIMEOUT, ...).
 */
EMSCRIPTEN_KEEPALIVE
int synack_js_dns_lookup(synack_js_ctx *c, int h6, int h4, uint8_t *addrs)
{
    synack_addr a[2][SYNACK_DNS_MAX_ADDRS];
    int n[2], err[2];
    bool done6 = dns_take(c, h6, a[0], &n[0], &err[0]);
    bool done4 = dns_take(c, h4, a[1], &n[1], &err[1]);
    if (!done6 || !done4)
        return SYNACK_ERR_AGAIN;
    if (n[0] + n[1] == 0)
        return err[1] != SYNACK_ERR_NOTFOUND || h6 < 0 ? err[1] : err[0];
    synack_addr src, hop;
    int f = n[0] > 0 && synack_ipv6_route(c->stack, &a[0][0], &src, &hop) == 0 ? 0 : 1;
    int next[2] = {0, 0}, count = 0;
    while (count < n[0] + n[1]) {
        if (next[f] == n[f])
            f = 1 - f;
        addr_out(&a[f][next[f]++], addrs + (size_t)count++ * SJ_ADDR_LEN);
        f = 1 - f;
    }
    return count;
}

/* See synack_dns_close. */
EMSCRIPTEN_KEEPALIVE
void synack_js_dns_close(synack_js_ctx *c, int h)
{
    synack_dns_close(c->stack, h);
}

/* See synack_connect_name (Happy Eyeballs); `name` NUL-terminated UTF-8. */
EMSCRIPTEN_KEEPALIVE
int synack_js_connect_name(synack_js_ctx *c, double now, const char *name,
                           uint32_t port, uint32_t attempt_delay_ms, int tmpl)
{
    if (port == 0 || port > 65535)
        return SYNACK_ERR_INVAL;
    return synack_connect_name(c->stack, ms_from_js(now), name, (uint16_t)port,
                               attempt_delay_ms, tmpl);
}

/* See synack_connect_name_result: the winning TCP handle (>= 0, now the
 * caller's), SYNACK_ERR_AGAIN, or the error. */
EMSCRIPTEN_KEEPALIVE
int synack_js_connect_name_result(synack_js_ctx *c, double now, int h)
{
    int conn = -1;
    int r = synack_connect_name_result(c->stack, ms_from_js(now), h, &conn, NULL);
    return r == SYNACK_OK ? conn : r;
}

/* See synack_connect_name_close. */
EMSCRIPTEN_KEEPALIVE
void synack_js_connect_name_close(synack_js_ctx *c, double now, int h)
{
    synack_connect_name_close(c->stack, ms_from_js(now), h);
}

/* ---- memory for JS ----------------------------------------------------- */

/* Allocate `len` bytes of scratch memory for JS (NULL on failure). */
EMSCRIPTEN_KEEPALIVE
uint8_t *synack_js_malloc(size_t len)
{
    return malloc(len);
}

/* Free memory from synack_js_malloc. */
EMSCRIPTEN_KEEPALIVE
void synack_js_mfree(uint8_t *p)
{
    free(p);
}
