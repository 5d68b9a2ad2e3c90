/*
 * A stream client: DESIGN.md, CONTRACT: stream framing (a 4-byte
 * big-endian length, then that many bytes; 0 or above 65535 is a protocol
 * error that closes the stream). Frames are reassembled across reads by the
 * shared reader of core/link/framing.h.
 */
#include "client.h"
#include "offload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static const char *const reason_names[SYNACK_BR_CLOSE_REASONS] = {
    [SYNACK_BR_OPEN] = "open",
    [SYNACK_BR_CLOSED_EOF] = "eof",
    [SYNACK_BR_CLOSED_ERROR] = "socket_error",
    [SYNACK_BR_CLOSED_FRAMING] = "framing",
    [SYNACK_BR_CLOSED_MALFORMED] = "malformed",
    [SYNACK_BR_CLOSED_AUTH] = "bad_token",
    [SYNACK_BR_CLOSED_AUTH_TIMEOUT] = "token_timeout",
    [SYNACK_BR_CLOSED_SHUTDOWN] = "shutdown",
    [SYNACK_BR_CLOSED_PROXY] = "bad_proxy_header",
    [SYNACK_BR_CLOSED_PROXY_TIMEOUT] = "proxy_timeout",
    [SYNACK_BR_CLOSED_LIMIT] = "per_addr_limit",
    [SYNACK_BR_CLOSED_WS_HANDSHAKE] = "bad_ws_handshake",
    [SYNACK_BR_CLOSED_WS_ORIGIN] = "ws_origin",
    [SYNACK_BR_CLOSED_WS_TIMEOUT] = "ws_handshake_timeout",
    [SYNACK_BR_CLOSED_WS_PROTOCOL] = "ws_protocol",
};

const char *synack_br_close_reason_name(synack_br_close_reason r)
{
    if ((unsigned)r >= SYNACK_BR_CLOSE_REASONS)
        return "?";
    return reason_names[r];
}

int synack_br_client_open(synack_br_client *c, int fd, int32_t port,
                          const char *peer, size_t in_cap, size_t out_cap)
{
    memset(c, 0, sizeof(*c));
    c->fd = -1;
    c->framer = malloc(sizeof(*c->framer));
    c->out_buf = malloc(out_cap);
    if (c->framer == NULL || c->out_buf == NULL) {
        free(c->framer);
        free(c->out_buf);
        c->framer = NULL;
        c->out_buf = NULL;
        return -1;
    }
    synack_framer_init(c->framer);
    c->fd = fd;
    c->port = port;
    c->in_cap = in_cap;
    snprintf(c->peer, sizeof(c->peer), "%s", peer);
    synack_br_outq_init(&c->out, c->out_buf, out_cap);
    return 0;
}

void synack_br_client_close(synack_br_client *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->framer);
    free(c->out_buf);
    free(c->pbuf);
    if (c->ws != NULL)
        free(c->ws->hs);
    free(c->ws);
    memset(c, 0, sizeof(*c));
    c->fd = -1;
}

int synack_br_client_expect_proxy(synack_br_client *c)
{
    c->pbuf = malloc(SYNACK_BR_PROXY_MAX);
    if (c->pbuf == NULL)
        return -1;
    c->plen = 0;
    c->proxy = SYNACK_BR_PROXY_WAIT;
    return 0;
}

/* What a recv() that returned r <= 0 means for the client: the peer's
 * end of stream, nothing yet (try again later), or an error. */
static synack_br_close_reason recv_failed(ssize_t r)
{
    if (r == 0)
        return SYNACK_BR_CLOSED_EOF;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
        return SYNACK_BR_OPEN;
    return SYNACK_BR_CLOSED_ERROR;
}

/* Read only as far as the PROXY header can reach, so that nothing after
 * it is fed to the switch before the caller has checked the address. */
static synack_br_close_reason read_proxy(synack_br_client *c)
{
    ssize_t r = recv(c->fd, c->pbuf + c->plen, SYNACK_BR_PROXY_MAX - c->plen, 0);
    if (r <= 0)
        return recv_failed(r);
    c->plen += (size_t)r;
    switch (synack_br_proxy_parse(c->pbuf, c->plen, &c->paddr, &c->phdr)) {
    case SYNACK_BR_PROXY_DONE:
        c->proxy = SYNACK_BR_PROXY_GOT;
        return SYNACK_BR_OPEN;
    case SYNACK_BR_PROXY_MORE:
        return SYNACK_BR_OPEN;
    default:
        return SYNACK_BR_CLOSED_PROXY;
    }
}

synack_br_close_reason synack_br_client_proxy_done(synack_br_client *c,
                                                   synack_br *br, uint64_t now)
{
    uint8_t *buf = c->pbuf;
    size_t off = c->phdr, n = c->plen;
    c->pbuf = NULL;
    c->proxy = SYNACK_BR_NO_PROXY;
    synack_br_close_reason r = SYNACK_BR_OPEN;
    if (n > off)
        r = synack_br_client_input(c, br, buf + off, n - off, now);
    free(buf);
    return r;
}

static synack_br_close_reason verdict_reason(synack_br_verdict v)
{
    switch (v) {
    case SYNACK_BR_CLOSE_MALFORMED:
        return SYNACK_BR_CLOSED_MALFORMED;
    case SYNACK_BR_CLOSE_AUTH:
        return SYNACK_BR_CLOSED_AUTH;
    default:
        return SYNACK_BR_OPEN;
    }
}

/*
 * While the pieces of one super-frame are switched and the backend takes
 * super-frames whole (br->emit_gso), the pieces the switch hands to the
 * backend are only noted here (a bitmap by piece number); afterwards all of
 * them go out as the one super-frame, or, when only some passed (a rate
 * limit ran out half-way), those pieces one by one.
 */
#define MAX_PIECES ((SYNACK_OFFLOAD_INNER_MAX + SYNACK_OFFLOAD_SEG_MIN - 1) / SYNACK_OFFLOAD_SEG_MIN)

typedef struct gso_collect {
    synack_br_emit_fn emit; /* the switch's own */
    void *ctx;
    uint32_t piece;         /* the piece being switched */
    uint32_t to_backend;
    uint8_t ok[(MAX_PIECES + 7) / 8];
} gso_collect;

static bool collect_emit(void *ctx, int32_t port, const uint8_t *frame, size_t len)
{
    gso_collect *g = ctx;
    if (port != SYNACK_BR_BACKEND_PORT || g->piece >= MAX_PIECES)
        return g->emit(g->ctx, port, frame, len);
    g->ok[g->piece / 8] |= (uint8_t)(1u << (g->piece % 8));
    g->to_backend++;
    return true;
}

/* The pieces of a client's super-frame, each switched as if sent alone. */
typedef struct piece_ctx {
    synack_br_client *c;
    synack_br *br;
    uint64_t now;
    synack_br_close_reason r;
    gso_collect *g;  /* NULL unless collecting */
    uint32_t index;
} piece_ctx;

static int piece_in(void *ctx, const uint8_t *frame, size_t len)
{
    piece_ctx *k = ctx;
    if (k->g != NULL)
        k->g->piece = k->index;
    k->index++;
    if (k->r != SYNACK_BR_OPEN)
        return -1;
    k->r = verdict_reason(synack_br_input(k->br, k->c->port, k->now, frame, len));
    return 0;
}

/* Second pass after a partial collection: the noted pieces, one by one. */
static int piece_out(void *ctx, const uint8_t *frame, size_t len)
{
    piece_ctx *k = ctx;
    uint32_t i = k->index++;
    if (i < MAX_PIECES && (k->g->ok[i / 8] & (1u << (i % 8))))
        k->g->emit(k->g->ctx, SYNACK_BR_BACKEND_PORT, frame, len);
    return 0;
}

/*
 * The pieces of super-frame m that the switch passed to the backend (all
 * `pieces`, or some): whole through emit_gso when all passed, else (or
 * when it fails) one by one.
 */
static void gso_out(synack_br *br, const synack_offload_msg *m, gso_collect *g,
                    uint32_t pieces)
{
    static uint8_t whole[SYNACK_OFFLOAD_INNER_MAX];
    static uint8_t scratch[65536];
    if (g->to_backend == pieces) {
        memcpy(whole, m->inner, m->inner_len);
        if (synack_offload_partial_csum(whole, m->inner_len) == 0 &&
            br->emit_gso(g->ctx, whole, m->inner_len, m->gso_size)) {
            br->tx_gso++;
            return;
        }
    }
    piece_ctx k = {NULL, br, 0, SYNACK_BR_OPEN, g, 0};
    synack_gso gso; /* checked against the headers (synack_offload_check) */
    memset(&gso, 0, sizeof(gso));
    (void)synack_offload_gso_of(m->inner, m->inner_len, m->gso_size, &gso);
    (void)synack_offload_cut(m->inner, m->inner_len, &gso, scratch, sizeof(scratch),
                             piece_out, &k);
}

/* ---- super-frames from the backend -------------------------------------- */

typedef struct back_collect {
    synack_br *br;
    synack_br_emit_fn emit; /* the switch's own */
    void *ctx;
    uint32_t piece;
    int32_t port;           /* the one client the noted pieces go to, or -1 */
    bool ip6;               /* a TCP/IPv6 super-frame (RX_TCP6 needed) */
    uint32_t noted;
    uint8_t ok[(MAX_PIECES + 7) / 8];
} back_collect;

static bool back_emit(void *ctx, int32_t port, const uint8_t *frame, size_t len)
{
    back_collect *g = ctx;
    if (port > 0 && g->piece < MAX_PIECES && (g->port < 0 || g->port == port) &&
        g->br->takes_super(g->ctx, port, g->ip6)) {
        g->port = port;
        g->ok[g->piece / 8] |= (uint8_t)(1u << (g->piece % 8));
        g->noted++;
        return true;
    }
    return g->emit(g->ctx, port, frame, len);
}

typedef struct back_piece {
    back_collect *g;
    uint64_t now;
    uint32_t index;
    bool second;   /* the second pass: noted pieces out, one by one */
} back_piece;

static int back_piece_in(void *ctx, const uint8_t *frame, size_t len)
{
    back_piece *k = ctx;
    uint32_t i = k->index++;
    if (k->second) {
        if (i < MAX_PIECES && (k->g->ok[i / 8] & (1u << (i % 8))))
            k->g->emit(k->g->ctx, k->g->port, frame, len);
        return 0;
    }
    k->g->piece = i;
    synack_br_input(k->g->br, SYNACK_BR_BACKEND_PORT, k->now, frame, len);
    return 0;
}

void synack_br_backend_super(synack_br *br, uint64_t now, const uint8_t *frame, size_t len,
                             uint32_t seg)
{
    static uint8_t scratch[65536];
    back_collect g;
    memset(&g, 0, sizeof(g));
    g.br = br;
    g.emit = br->emit;
    g.ctx = br->emit_ctx;
    g.port = -1;
    g.ip6 = len >= 14 && frame[12] == 0x86 && frame[13] == 0xdd;
    back_piece k = {&g, now, 0, false};
    /* the kernel's frame: its offsets come from its headers (family 0,
       which the cutter refuses, when it is not TCP) */
    synack_gso gso;
    memset(&gso, 0, sizeof(gso));
    (void)synack_offload_gso_of(frame, len, seg, &gso);
    if (br->takes_super != NULL && br->super_out != NULL) {
        br->emit = back_emit;
        br->emit_ctx = &g;
    }
    int pieces = synack_offload_cut(frame, len, &gso, scratch, sizeof(scratch), back_piece_in, &k);
    br->emit = g.emit;
    br->emit_ctx = g.ctx;
    if (pieces < 0) {
        br->ports[SYNACK_BR_BACKEND_PORT].stats.drop_invalid++;
        return;
    }
    if (g.noted == 0)
        return;
    if (g.noted == (uint32_t)pieces && br->super_out(g.ctx, g.port, frame, len, seg)) {
        br->ports[g.port].stats.tx_super++;
        return;
    }
    k.index = 0;
    k.second = true;
    (void)synack_offload_cut(frame, len, &gso, scratch, sizeof(scratch), back_piece_in, &k);
}

/*
 * An offload message (core/link/offload.h) from an authenticated client.
 * HELLO: grant what this bridge does (only with --offload; otherwise it is
 * dropped like any unswitched EtherType, as an old bridge does). SUPER:
 * only from a client that was granted it, checked, then cut into frames
 * that go through every check a plain frame meets (policy, anti-spoofing,
 * rate limits per piece). A bad or unasked-for SUPER is dropped and
 * counted, never passed on whole.
 */
static synack_br_close_reason offload_input(synack_br_client *c, synack_br *br,
                                            const synack_offload_msg *m, uint64_t now)
{
    static uint8_t scratch[65536];
    synack_br_stats *st = &br->ports[c->port].stats;
    switch (m->type) {
    case SYNACK_OFFLOAD_HELLO: {
        if (!br->cfg.offload) {
            st->drop_policy++;
            return SYNACK_BR_OPEN;
        }
        /* Each family on its own: a client that names only the IPv4
         * flags (the first clients) never gets an IPv6 SUPER. */
        uint16_t rx = SYNACK_OFFLOAD_F_RX_TCP4 | SYNACK_OFFLOAD_F_RX_TCP6;
        uint16_t grant = m->flags & (SYNACK_OFFLOAD_F_TX_TCP4 | SYNACK_OFFLOAD_F_TX_TCP6 |
                                     (br->cfg.offload_rx ? rx : 0));
        if (m->max < SYNACK_OFFLOAD_INNER_MAX)
            grant &= (uint16_t)~rx; /* it takes less than we send */
        uint8_t reply[SYNACK_OFFLOAD_CTRL_LEN];
        size_t n = synack_offload_ctrl(reply, SYNACK_OFFLOAD_AGREE, m->mac, grant,
                                       (uint16_t)SYNACK_OFFLOAD_INNER_MAX);
        if (!synack_br_client_queue(c, reply, n)) {
            st->drop_queue++;
            return SYNACK_BR_OPEN; /* no AGREE: it keeps sending plain frames */
        }
        c->offload = grant;
        if (grant)
            c->in_cap = SYNACK_FRAME_MAX; /* room for a SUPER */
        return SYNACK_BR_OPEN;
    }
    case SYNACK_OFFLOAD_SUPER: {
        /* the family's own grant (offload_check ties gso_type to it) */
        uint16_t need = m->gso_type == 4 ? SYNACK_OFFLOAD_F_TX_TCP6 : SYNACK_OFFLOAD_F_TX_TCP4;
        if (!(c->offload & need) || synack_offload_check(m, br->cfg.max_frame) < 0) {
            st->drop_invalid++;
            return SYNACK_BR_OPEN;
        }
        gso_collect g;
        piece_ctx k = {c, br, now, SYNACK_BR_OPEN, NULL, 0};
        if (br->emit_gso != NULL) {
            memset(&g, 0, sizeof(g));
            g.emit = br->emit;
            g.ctx = br->emit_ctx;
            br->emit = collect_emit;
            br->emit_ctx = &g;
            k.g = &g;
        }
        synack_gso gso; /* the SUPER's offsets, checked against its headers */
        memset(&gso, 0, sizeof(gso));
        (void)synack_offload_gso_of(m->inner, m->inner_len, m->gso_size, &gso);
        int pieces = synack_offload_cut(m->inner, m->inner_len, &gso, scratch,
                                        sizeof(scratch), piece_in, &k);
        if (k.g != NULL) {
            br->emit = g.emit;
            br->emit_ctx = g.ctx;
        }
        if (pieces < 0) {
            st->drop_invalid++;
            return SYNACK_BR_OPEN;
        }
        st->rx_super++;
        if (k.g != NULL && g.to_backend > 0)
            gso_out(br, m, &g, (uint32_t)pieces);
        return k.r;
    }
    default:
        st->drop_invalid++; /* an AGREE from a client means nothing */
        return SYNACK_BR_OPEN;
    }
}

static synack_br_close_reason deliver(synack_br_client *c, synack_br *br,
                                      const uint8_t *frame, size_t len,
                                      uint64_t now)
{
    /* Longer than this client may send: the switch closes it, as before. */
    if (len >= 14 && len <= c->in_cap && frame[12] == (SYNACK_OFFLOAD_ETHERTYPE >> 8) &&
        frame[13] == (SYNACK_OFFLOAD_ETHERTYPE & 0xff) &&
        synack_br_port_active(br, c->port)) {
        synack_offload_msg m;
        int r = synack_offload_parse(frame, len, &m);
        if (r < 0) {
            br->ports[c->port].stats.drop_invalid++;
            return SYNACK_BR_OPEN;
        }
        if (r > 0)
            return offload_input(c, br, &m, now);
    }
    return verdict_reason(synack_br_input(br, c->port, now, frame, len));
}

synack_br_close_reason synack_br_client_feed(synack_br_client *c, synack_br *br,
                                             const uint8_t *data, size_t n,
                                             uint64_t now)
{
    size_t off = 0;
    synack_framer *f = c->framer;
    while (off < n) {
        /* The reader holds nothing and a whole frame lies in the input:
         * switch it from there, without copying it into the reader. The
         * checks are the ones the reader and the switch make. */
        if ((f->ready || f->have == 0) && !f->error && n - off >= SYNACK_FRAME_HDR_LEN) {
            const uint8_t *h = data + off;
            uint32_t len = ((uint32_t)h[0] << 24) | ((uint32_t)h[1] << 16) |
                           ((uint32_t)h[2] << 8) | (uint32_t)h[3];
            if (len == 0 || len > SYNACK_FRAME_MAX)
                return SYNACK_BR_CLOSED_FRAMING;
            if (n - off - SYNACK_FRAME_HDR_LEN >= len) {
                synack_framer_init(f); /* forget a frame taken before */
                off += SYNACK_FRAME_HDR_LEN + len;
                synack_br_close_reason r =
                    deliver(c, br, h + SYNACK_FRAME_HDR_LEN, len, now);
                if (r != SYNACK_BR_OPEN)
                    return r;
                continue;
            }
        }
        size_t used = 0;
        synack_framer_status st =
            synack_framer_feed(c->framer, data + off, n - off, &used);
        off += used;
        if (st == SYNACK_FRAMER_ERROR)
            return SYNACK_BR_CLOSED_FRAMING;
        if (st == SYNACK_FRAMER_MORE) {
            /* Valid framing but larger than any frame we accept: close as
             * soon as the header says so rather than gather 64 KiB. */
            if (c->framer->need > c->in_cap) {
                br->ports[c->port].stats.drop_invalid++;
                return SYNACK_BR_CLOSED_MALFORMED;
            }
            break;
        }
        size_t len;
        const uint8_t *frame = synack_framer_frame(c->framer, &len);
        synack_br_close_reason r = deliver(c, br, frame, len, now);
        if (r != SYNACK_BR_OPEN)
            return r;
    }
    return SYNACK_BR_OPEN;
}

synack_br_close_reason synack_br_client_read(synack_br_client *c, synack_br *br,
                                             uint8_t *rx, size_t rxlen,
                                             uint64_t now)
{
    if (c->proxy == SYNACK_BR_PROXY_WAIT)
        return read_proxy(c);
    if (c->proxy == SYNACK_BR_PROXY_GOT)
        return SYNACK_BR_OPEN; /* the caller finishes it first */
    ssize_t r = recv(c->fd, rx, rxlen, 0);
    if (r <= 0)
        return recv_failed(r);
    return synack_br_client_input(c, br, rx, (size_t)r, now);
}

/* ---- WebSocket clients (--listen-ws) ----------------------------------- */

int synack_br_client_expect_ws(synack_br_client *c, const char *const *origins,
                               size_t norigins)
{
    synack_br_wsconn *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return -1;
    w->hs = malloc(SYNACK_BR_WS_HS_MAX);
    if (w->hs == NULL) {
        free(w);
        return -1;
    }
    w->origins = origins;
    w->norigins = norigins;
    w->pong_len = -1;
    synack_br_ws_init(&w->rd);
    c->ws = w;
    return 0;
}

bool synack_br_client_ws_waiting(const synack_br_client *c)
{
    return c->ws != NULL && !c->ws->open;
}

/* Write a short reply (handshake response, close frame) at once; the
 * socket's buffer is empty or nearly so at those moments. */
static bool send_now(int fd, const void *p, size_t n)
{
    return send(fd, p, n, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)n;
}

static int ws_data(void *ctx, const uint8_t *p, size_t n)
{
    synack_br_wsconn *w = ctx;
    w->stop = synack_br_client_feed(w->c, w->br, p, n, w->now);
    return w->stop != SYNACK_BR_OPEN;
}

static void ws_ping(void *ctx, const uint8_t *p, size_t n)
{
    synack_br_wsconn *w = ctx;
    memcpy(w->pong, p, n); /* only the latest ping is answered (RFC 6455 5.5.3) */
    w->pong_len = (int)n;
}

/* The upgrade request, gathered across reads. */
static synack_br_close_reason ws_handshake(synack_br_client *c, synack_br *br,
                                           uint8_t *data, size_t n, uint64_t now)
{
    synack_br_wsconn *w = c->ws;
    size_t take = SYNACK_BR_WS_HS_MAX - w->hslen;
    if (take > n)
        take = n;
    memcpy(w->hs + w->hslen, data, take);
    w->hslen += take;
    synack_br_ws_handshake hs;
    synack_br_ws_hs_status st =
        synack_br_ws_handshake_parse(w->hs, w->hslen, w->origins, w->norigins, &hs);
    if (st == SYNACK_BR_WS_HS_MORE)
        return SYNACK_BR_OPEN;
    char resp[256];
    size_t rl = synack_br_ws_handshake_response(st, &hs, resp, sizeof(resp));
    bool sent = send_now(c->fd, resp, rl);
    if (st == SYNACK_BR_WS_HS_ORIGIN)
        return SYNACK_BR_CLOSED_WS_ORIGIN;
    if (st != SYNACK_BR_WS_HS_OK)
        return SYNACK_BR_CLOSED_WS_HANDSHAKE;
    if (!sent)
        return SYNACK_BR_CLOSED_ERROR;
    w->open = true;
    /* Frames the client sent right behind its request. */
    uint8_t *hsbuf = w->hs;
    size_t extra = w->hslen - hs.used;
    w->hs = NULL;
    synack_br_close_reason r = SYNACK_BR_OPEN;
    if (extra > 0)
        r = synack_br_client_input(c, br, hsbuf + hs.used, extra, now);
    free(hsbuf);
    if (r == SYNACK_BR_OPEN && take < n)
        r = synack_br_client_input(c, br, data + take, n - take, now);
    return r;
}

synack_br_close_reason synack_br_client_input(synack_br_client *c, synack_br *br,
                                              uint8_t *data, size_t n, uint64_t now)
{
    synack_br_wsconn *w = c->ws;
    if (w == NULL)
        return synack_br_client_feed(c, br, data, n, now);
    if (!w->open)
        return ws_handshake(c, br, data, n, now);
    static const synack_br_ws_cb cb = {ws_data, ws_ping};
    w->c = c;
    w->br = br;
    w->now = now;
    w->stop = SYNACK_BR_OPEN;
    switch (synack_br_ws_feed(&w->rd, data, n, &cb, w)) {
    case SYNACK_BR_WS_OK:
        return SYNACK_BR_OPEN;
    case SYNACK_BR_WS_CLOSED:
        w->close_code = 1000;
        return SYNACK_BR_CLOSED_EOF;
    case SYNACK_BR_WS_STOPPED:
        return w->stop;
    case SYNACK_BR_WS_TEXT:
        w->close_code = 1003;
        return SYNACK_BR_CLOSED_WS_PROTOCOL;
    case SYNACK_BR_WS_TOO_BIG:
        w->close_code = 1009;
        return SYNACK_BR_CLOSED_WS_PROTOCOL;
    default:
        w->close_code = 1002;
        return SYNACK_BR_CLOSED_WS_PROTOCOL;
    }
}

void synack_br_client_ws_goodbye(synack_br_client *c, synack_br_close_reason why)
{
    synack_br_wsconn *w = c->ws;
    if (w == NULL || !w->open || w->msg_left > 0 || w->stage_off < w->stage_len)
        return; /* mid-message: a close frame cannot be put in */
    uint16_t code = w->close_code;
    if (code == 0) {
        switch (why) {
        case SYNACK_BR_CLOSED_ERROR:
        case SYNACK_BR_CLOSED_EOF: /* the TCP stream ended: nobody to tell */
            return;
        case SYNACK_BR_CLOSED_SHUTDOWN:
            code = 1001;
            break;
        case SYNACK_BR_CLOSED_AUTH:
        case SYNACK_BR_CLOSED_AUTH_TIMEOUT:
        case SYNACK_BR_CLOSED_LIMIT:
            code = 1008;
            break;
        default:
            code = 1002;
            break;
        }
    }
    uint8_t f[4];
    synack_br_ws_frame_header(f, SYNACK_BR_WS_OP_CLOSE, 2);
    f[2] = (uint8_t)(code >> 8);
    f[3] = (uint8_t)code;
    send_now(c->fd, f, sizeof(f));
}

/* Stage what goes before the next message's payload: a pong owed, and the
 * header of a binary message holding everything queued now. */
static void ws_stage(synack_br_wsconn *w, const synack_br_outq *q)
{
    w->stage_len = w->stage_off = 0;
    if (w->pong_len >= 0) {
        w->stage_len = synack_br_ws_frame_header(w->stage, SYNACK_BR_WS_OP_PONG,
                                                 (uint64_t)w->pong_len);
        memcpy(w->stage + w->stage_len, w->pong, (size_t)w->pong_len);
        w->stage_len += (size_t)w->pong_len;
        w->pong_len = -1;
    }
    if (q->len > 0) {
        w->stage_len += synack_br_ws_frame_header(w->stage + w->stage_len,
                                                  SYNACK_BR_WS_OP_BINARY, q->len);
        w->msg_left = q->len;
        w->msgs_out++;
    }
}

static int ws_flush(synack_br_client *c)
{
    synack_br_wsconn *w = c->ws;
    if (!w->open)
        return 0; /* frames wait for the upgrade */
    for (int pass = 0; pass < 4; pass++) {
        if (w->msg_left == 0 && w->stage_off == w->stage_len) {
            ws_stage(w, &c->out);
            if (w->stage_len == 0)
                return 0;
        }
        struct iovec iov[3];
        int k = 0;
        if (w->stage_off < w->stage_len) {
            iov[k].iov_base = w->stage + w->stage_off;
            iov[k].iov_len = w->stage_len - w->stage_off;
            k++;
        }
        const uint8_t *piece[2];
        size_t plen[2];
        int np = synack_br_outq_peek(&c->out, piece, plen);
        uint64_t room = w->msg_left;
        for (int i = 0; i < np && room > 0; i++) {
            size_t l = plen[i] < room ? plen[i] : (size_t)room;
            iov[k].iov_base = (void *)piece[i];
            iov[k].iov_len = l;
            room -= l;
            k++;
        }
        struct msghdr msg;
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)k;
        ssize_t wr = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (wr < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return 0;
            return -1;
        }
        size_t done = (size_t)wr;
        size_t st = w->stage_len - w->stage_off;
        if (st > done)
            st = done;
        w->stage_off += st;
        done -= st;
        synack_br_outq_consume(&c->out, done);
        w->msg_left -= done;
    }
    return 0;
}

bool synack_br_client_queue(synack_br_client *c, const uint8_t *frame,
                            size_t len)
{
    return synack_br_outq_push_frame(&c->out, frame, len);
}

bool synack_br_client_pending(const synack_br_client *c)
{
    const synack_br_wsconn *w = c->ws;
    if (w != NULL)
        return w->open && (c->out.len > 0 || w->pong_len >= 0 ||
                           w->stage_off < w->stage_len);
    return c->out.len > 0;
}

int synack_br_client_flush(synack_br_client *c)
{
    if (c->ws != NULL)
        return ws_flush(c);
    /* Bounded: each pass either sends bytes or stops. */
    for (int pass = 0; pass < 4 && c->out.len > 0; pass++) {
        const uint8_t *piece[2];
        size_t plen[2];
        int k = synack_br_outq_peek(&c->out, piece, plen);
        struct iovec iov[2];
        for (int i = 0; i < k; i++) {
            iov[i].iov_base = (void *)piece[i];
            iov[i].iov_len = plen[i];
        }
        struct msghdr msg;
        memset(&msg, 0, sizeof(msg));
        msg.msg_iov = iov;
        msg.msg_iovlen = (size_t)k;
        ssize_t w = sendmsg(c->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                return 0;
            return -1;
        }
        synack_br_outq_consume(&c->out, (size_t)w);
    }
    return 0;
}
