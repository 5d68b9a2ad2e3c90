/*
 * A stream client: DESIGN.md, CONTRACT: stream framing (a 4-byte
 * big-endian length, then that many bytes; 0 or above 65535 is a protocol
 * error that closes the stream). Frames are reassembled across reads by the
 * shared reader of core/link/framing.h.
 */
#include "client.h"

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
        r = synack_br_client_feed(c, br, buf + off, n - off, now);
    free(buf);
    return r;
}

static synack_br_close_reason deliver(synack_br_client *c, synack_br *br,
                                      const uint8_t *frame, size_t len,
                                      uint64_t now)
{
    switch (synack_br_input(br, c->port, now, frame, len)) {
    case SYNACK_BR_CLOSE_MALFORMED:
        return SYNACK_BR_CLOSED_MALFORMED;
    case SYNACK_BR_CLOSE_AUTH:
        return SYNACK_BR_CLOSED_AUTH;
    default:
        return SYNACK_BR_OPEN;
    }
}

synack_br_close_reason synack_br_client_feed(synack_br_client *c, synack_br *br,
                                             const uint8_t *data, size_t n,
                                             uint64_t now)
{
    size_t off = 0;
    while (off < n) {
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
    return synack_br_client_feed(c, br, rx, (size_t)r, now);
}

bool synack_br_client_queue(synack_br_client *c, const uint8_t *frame,
                            size_t len)
{
    return synack_br_outq_push_frame(&c->out, frame, len);
}

bool synack_br_client_pending(const synack_br_client *c)
{
    return c->out.len > 0;
}

int synack_br_client_flush(synack_br_client *c)
{
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
