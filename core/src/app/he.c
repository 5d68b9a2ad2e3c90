/*
 * Connecting by name with Happy Eyeballs v2 (RFC 8305), sans-IO: the DNS
 * client and TCP do the I/O, this module only decides when to start and
 * stop connection attempts, on the time passed in.
 *
 * Section 3: AAAA and A queries go out together; a positive AAAA answer
 * starts attempts at once, an A answer first waits the Resolution Delay
 * (50 ms) for AAAA. Section 4: addresses are interleaved by family, IPv6
 * first (unless there is no IPv6 route: then IPv4 first); an AAAA answer
 * arriving after attempts began joins the list. Section 5: a new attempt
 * starts every Connection Attempt Delay (default 250 ms, 10 ms..2 s), or
 * at once when the previous attempt failed; earlier attempts keep going.
 * The first to complete wins and the others are aborted (RST when
 * synchronized). When all fail, the error of the last attempt started is
 * the result.
 */
#include <string.h>

#include "app/he.h"
#include "ipv6/ipv6.h"
#include "net/stack.h"
#include "tcp/tcp.h"

/* Family index 0 asks AAAA, 1 asks A. */
static const int family_of[2] = {SYNACK_AF_IP6, SYNACK_AF_IP4};

static synack_he_op *op_get(synack_stack *s, int h)
{
    if (h < 0 || h >= SYNACK_CONNECT_NAME_MAX || !s->he.op[h].used)
        return NULL;
    return &s->he.op[h];
}

static int remaining(const synack_he_op *o, int f)
{
    return o->n[f] - o->next[f];
}

static int active(const synack_he_op *o)
{
    int a = 0;
    for (int i = 0; i < o->nconn; i++)
        a += o->conn[i] >= 0;
    return a;
}

/* Take a finished DNS answer for family index f. */
static void collect(synack_stack *s, uint64_t now, synack_he_op *o, int f)
{
    if (o->q[f] < 0)
        return;
    int rc = synack_dns_result_all(s, o->q[f], o->addr[f], SYNACK_DNS_MAX_ADDRS);
    if (rc == SYNACK_ERR_AGAIN)
        return;
    synack_dns_close(s, o->q[f]);
    o->q[f] = -1;
    if (rc > 0) {
        o->n[f] = (uint8_t)rc;
        if (f == 1 && o->q[0] >= 0)
            o->a_at = now; /* A first: the resolution delay runs */
        if (f == 0) {
            /* Section 4 via the host's routes: no IPv6 route, IPv4 first. */
            synack_addr src, hop;
            o->prefer4 = synack_ipv6_route(s, &o->addr[0][0], &src, &hop) != 0;
        }
    } else {
        o->qerr[f] = rc;
    }
}

/* Release an attempt's connection (RST when synchronized). */
static void drop_attempt(synack_stack *s, uint64_t now, synack_he_op *o, int i)
{
    if (o->conn[i] >= 0) {
        synack_tcp_abort(s, now, o->conn[i]);
        o->conn[i] = -1;
    }
}

/* Look at the running attempts: a winner ends the operation. */
static bool reap(synack_stack *s, uint64_t now, synack_he_op *o)
{
    for (int i = 0; i < o->nconn; i++) {
        if (o->conn[i] < 0)
            continue;
        uint32_t ev = synack_tcp_events(s, o->conn[i]);
        if ((ev & SYNACK_EV_CONNECTED) != 0 && (ev & SYNACK_EV_ERROR) == 0) {
            o->winner = i;
            for (int k = 0; k < o->nconn; k++)
                if (k != i)
                    drop_attempt(s, now, o, k);
            o->result = SYNACK_OK;
            return true;
        }
        /* a connection still connecting has no event bits: look for
         * the error, or a handle that is gone */
        int e = synack_tcp_error(s, o->conn[i]);
        synack_tcp_info info;
        if (e == 0 && synack_tcp_get_info(s, o->conn[i], &info) != 0)
            e = SYNACK_ERR_BADF;
        if ((ev & SYNACK_EV_ERROR) != 0 || e != 0) {
            o->err[i] = e != 0 ? e : SYNACK_ERR_RESET;
            drop_attempt(s, now, o, i);
            o->next_at = now; /* a failure lets the next one start at once */
        }
    }
    return false;
}

/* Start the next address's attempt; false when there is none to start. */
static bool start_one(synack_stack *s, uint64_t now, synack_he_op *o)
{
    int f;
    if (o->last_fam < 0)
        f = o->prefer4 ? 1 : 0;
    else
        f = 1 - o->last_fam; /* interleave (section 4) */
    if (remaining(o, f) == 0)
        f = 1 - f;
    if (remaining(o, f) == 0 || o->nconn >= SYNACK_HE_MAX_ATTEMPTS)
        return false;
    int i = o->nconn++;
    o->last_fam = (int8_t)f;
    o->peer[i] = o->addr[f][o->next[f]++];
    o->conn[i] = -1;
    o->err[i] = 0;
    o->next_at = now + o->attempt_delay;
    int h = synack_tcp_open(s);
    if (h < 0) {
        o->err[i] = h;
        o->next_at = now;
        return true;
    }
    int rc = o->tmpl >= 0 ? synack_tcp_copy_options(s, h, o->tmpl) : 0;
    if (rc == 0)
        rc = synack_tcp_connect(s, now, h, &o->peer[i], o->port);
    if (rc < 0) {
        o->err[i] = rc;
        o->next_at = now;
        synack_tcp_abort(s, now, h);
        return true;
    }
    o->conn[i] = h;
    return true;
}

static void step(synack_stack *s, uint64_t now, synack_he_op *o)
{
    if (o->result != SYNACK_ERR_AGAIN)
        return;
    collect(s, now, o, 0);
    collect(s, now, o, 1);
    if (!o->started) {
        bool aaaa_done = o->q[0] < 0, a_done = o->q[1] < 0;
        if ((aaaa_done && o->n[0] > 0) || (aaaa_done && a_done) ||
            (a_done && o->n[1] > 0 &&
             now >= o->a_at + SYNACK_HE_RESOLUTION_DELAY_MS))
            o->started = true;
    }
    if (!o->started)
        return;
    /* Bounded: each pass either starts an attempt (at most
     * SYNACK_HE_MAX_ATTEMPTS) or leaves the loop. */
    for (int pass = 0; pass <= SYNACK_HE_MAX_ATTEMPTS; pass++) {
        if (reap(s, now, o))
            return;
        if (active(o) > 0 && now < o->next_at)
            break;
        if (!start_one(s, now, o))
            break;
    }
    if (active(o) > 0 || o->q[0] >= 0 || o->q[1] >= 0 ||
        remaining(o, 0) > 0 || remaining(o, 1) > 0)
        return;
    /* Every attempt failed, or there was nothing to try. */
    if (o->nconn > 0) {
        o->result = o->err[o->nconn - 1];
    } else {
        int e = o->qerr[1] != SYNACK_ERR_NOTFOUND ? o->qerr[1] : o->qerr[0];
        o->result = e != 0 ? e : SYNACK_ERR_NOTFOUND;
    }
}

int synack_connect_name(synack_stack *s, uint64_t now, const char *name,
                        uint16_t port, uint32_t attempt_delay_ms, int tmpl)
{
    if (name == NULL || port == 0)
        return SYNACK_ERR_INVAL;
    synack_tcp_info ti;
    if (tmpl >= 0 && (synack_tcp_get_info(s, tmpl, &ti) != 0 ||
                      ti.state != SYNACK_TCP_CLOSED))
        return SYNACK_ERR_BADF;
    if (now > s->now)
        s->now = now;
    int h = -1;
    for (int i = 0; i < SYNACK_CONNECT_NAME_MAX; i++) {
        if (!s->he.op[i].used) {
            h = i;
            break;
        }
    }
    if (h < 0)
        return SYNACK_ERR_NOMEM;
    synack_he_op *o = &s->he.op[h];
    memset(o, 0, sizeof *o);
    if (attempt_delay_ms == 0)
        attempt_delay_ms = SYNACK_HE_ATTEMPT_DELAY_MS;
    if (attempt_delay_ms < SYNACK_HE_ATTEMPT_DELAY_MIN_MS)
        attempt_delay_ms = SYNACK_HE_ATTEMPT_DELAY_MIN_MS;
    if (attempt_delay_ms > SYNACK_HE_ATTEMPT_DELAY_MAX_MS)
        attempt_delay_ms = SYNACK_HE_ATTEMPT_DELAY_MAX_MS;
    o->attempt_delay = attempt_delay_ms;
    o->port = port;
    o->tmpl = tmpl >= 0 ? tmpl : -1;
    o->last_fam = -1;
    o->winner = -1;
    o->result = SYNACK_ERR_AGAIN;
    o->q[0] = o->q[1] = -1;
    for (int f = 0; f < 2; f++) {
        int q = synack_dns_query_family(s, now, name, NULL, family_of[f]);
        if (q < 0) {
            for (int k = 0; k < f; k++)
                synack_dns_close(s, o->q[k]);
            return q;
        }
        o->q[f] = q;
    }
    o->used = true;
    step(s, now, o); /* literals: the first attempt starts now */
    return h;
}

int synack_connect_name_result(synack_stack *s, uint64_t now, int h, int *conn,
                               synack_addr *peer)
{
    synack_he_op *o = op_get(s, h);
    if (o == NULL)
        return SYNACK_ERR_BADF;
    if (now > s->now)
        s->now = now;
    step(s, now, o);
    if (o->result == SYNACK_OK) {
        o->handed = true;
        if (conn != NULL)
            *conn = o->conn[o->winner];
        if (peer != NULL)
            *peer = o->peer[o->winner];
    }
    return o->result;
}

int synack_connect_name_attempts(const synack_stack *s, int h)
{
    if (h < 0 || h >= SYNACK_CONNECT_NAME_MAX || !s->he.op[h].used)
        return SYNACK_ERR_BADF;
    return s->he.op[h].nconn;
}

void synack_connect_name_close(synack_stack *s, uint64_t now, int h)
{
    synack_he_op *o = op_get(s, h);
    if (o == NULL)
        return;
    for (int f = 0; f < 2; f++)
        if (o->q[f] >= 0)
            synack_dns_close(s, o->q[f]);
    for (int i = 0; i < o->nconn; i++)
        if (i != o->winner || !o->handed)
            drop_attempt(s, now, o, i);
    memset(o, 0, sizeof *o);
}

void synack_he_poll(synack_stack *s, uint64_t now)
{
    for (int i = 0; i < SYNACK_CONNECT_NAME_MAX; i++)
        if (s->he.op[i].used)
            step(s, now, &s->he.op[i]);
}

uint64_t synack_he_poll_at(const synack_stack *s)
{
    uint64_t t = UINT64_MAX;
    for (int i = 0; i < SYNACK_CONNECT_NAME_MAX; i++) {
        const synack_he_op *o = &s->he.op[i];
        if (!o->used || o->result != SYNACK_ERR_AGAIN)
            continue;
        if (!o->started && o->q[1] < 0 && o->n[1] > 0) {
            uint64_t d = o->a_at + SYNACK_HE_RESOLUTION_DELAY_MS;
            t = d < t ? d : t;
        }
        if (o->started && active(o) > 0 &&
            (remaining(o, 0) > 0 || remaining(o, 1) > 0))
            t = o->next_at < t ? o->next_at : t;
    }
    return t;
}
