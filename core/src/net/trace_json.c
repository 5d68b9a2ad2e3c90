/*
 * Trace events as JSON text (RFC 8259), one object per event, fields as in
 * DESIGN.md "CONTRACT: trace events". No printf in the core: integers and
 * strings are formatted here, and strings are escaped (RFC 8259 section 7).
 */
#include "synack/synack.h"

/* An output cursor that counts every byte and stores what fits. */
typedef struct json_out {
    char *buf;
    size_t cap;
    size_t len; /* bytes the full text needs so far */
} json_out;

static void put_char(json_out *o, char c)
{
    if (o->cap > 0 && o->len < o->cap - 1)
        o->buf[o->len] = c;
    o->len++;
}

static void put_raw(json_out *o, const char *s)
{
    for (; *s != '\0'; s++)
        put_char(o, *s);
}

static void put_u64(json_out *o, uint64_t v)
{
    char digits[20]; /* 2^64 - 1 has 20 decimal digits */
    int n = 0;
    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        put_char(o, digits[--n]);
}

/* A JSON string: quotes, backslash and control characters escaped. */
static void put_string(json_out *o, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (s == NULL)
        s = "unknown";
    put_char(o, '"');
    for (; *s != '\0'; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            put_char(o, '\\');
            put_char(o, (char)c);
        } else if (c == '\n') {
            put_raw(o, "\\n");
        } else if (c == '\r') {
            put_raw(o, "\\r");
        } else if (c == '\t') {
            put_raw(o, "\\t");
        } else if (c < 0x20 || c == 0x7f) {
            put_raw(o, "\\u00");
            put_char(o, hex[c >> 4]);
            put_char(o, hex[c & 0x0f]);
        } else {
            put_char(o, (char)c);
        }
    }
    put_char(o, '"');
}

/* ,"key": */
static void put_key(json_out *o, const char *key)
{
    put_char(o, ',');
    put_char(o, '"');
    put_raw(o, key);
    put_raw(o, "\":");
}

static void field_u64(json_out *o, const char *key, uint64_t v)
{
    put_key(o, key);
    put_u64(o, v);
}

static void field_str(json_out *o, const char *key, const char *s)
{
    put_key(o, key);
    put_string(o, s);
}

static void field_bool(json_out *o, const char *key, bool v)
{
    put_key(o, key);
    put_raw(o, v ? "true" : "false");
}

/* Control bits in the contract's order S F R P A U E C: SYN|ACK is "SA". */
static void put_flags(json_out *o, uint8_t flags)
{
    static const struct {
        uint8_t bit;
        char letter;
    } order[] = {
        {SYNACK_TCP_SYN, 'S'}, {SYNACK_TCP_FIN, 'F'}, {SYNACK_TCP_RST, 'R'},
        {SYNACK_TCP_PSH, 'P'}, {SYNACK_TCP_ACK, 'A'}, {SYNACK_TCP_URG, 'U'},
        {SYNACK_TCP_ECE, 'E'}, {SYNACK_TCP_CWR, 'C'},
    };
    put_char(o, '"');
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        if (flags & order[i].bit)
            put_char(o, order[i].letter);
    put_char(o, '"');
}

/* "key": inside an object, with a comma unless it is the first member. */
static void member_key(json_out *o, bool *first, const char *key)
{
    if (!*first)
        put_char(o, ',');
    *first = false;
    put_string(o, key);
    put_char(o, ':');
}

static void put_pair(json_out *o, uint32_t a, uint32_t b)
{
    put_char(o, '[');
    put_u64(o, a);
    put_char(o, ',');
    put_u64(o, b);
    put_char(o, ']');
}

/* "opts":{...} with only the options the segment carried. */
static void seg_opts(json_out *o, const synack_trace_event *ev)
{
    bool first = true;
    put_key(o, "opts");
    put_char(o, '{');
    if (ev->u.seg.has_mss) {
        member_key(o, &first, "mss");
        put_u64(o, ev->u.seg.mss);
    }
    if (ev->u.seg.has_ws) {
        member_key(o, &first, "ws");
        put_u64(o, ev->u.seg.ws);
    }
    if (ev->u.seg.sack_ok) {
        member_key(o, &first, "sackok");
        put_raw(o, "true");
    }
    if (ev->u.seg.has_ts) {
        member_key(o, &first, "ts");
        put_pair(o, ev->u.seg.tsval, ev->u.seg.tsecr);
    }
    if (ev->u.seg.sack_count > 0) {
        uint8_t n = ev->u.seg.sack_count < 4 ? ev->u.seg.sack_count : 4;
        member_key(o, &first, "sack");
        put_char(o, '[');
        for (uint8_t i = 0; i < n; i++) {
            if (i > 0)
                put_char(o, ',');
            put_pair(o, ev->u.seg.sack[i][0], ev->u.seg.sack[i][1]);
        }
        put_char(o, ']');
    }
    put_char(o, '}');
}

static void ev_seg(json_out *o, const synack_trace_event *ev)
{
    field_str(o, "dir", ev->u.seg.out ? "out" : "in");
    put_key(o, "flags");
    put_flags(o, ev->u.seg.flags);
    field_u64(o, "seq", ev->u.seg.seq);
    field_u64(o, "ack", ev->u.seg.ack);
    field_u64(o, "win", ev->u.seg.win);
    field_u64(o, "len", ev->u.seg.len);
    seg_opts(o, ev);
    field_bool(o, "rexmit", ev->u.seg.rexmit);
}

static const char *phase_name(synack_cc_phase p)
{
    switch (p) {
    case SYNACK_CC_SLOW_START: return "slow-start";
    case SYNACK_CC_AVOIDANCE:  return "avoidance";
    case SYNACK_CC_RECOVERY:   return "recovery";
    default:                   return "unknown";
    }
}

static const char *timer_name(synack_timer_name n)
{
    switch (n) {
    case SYNACK_TIMER_REXMIT:    return "rexmit";
    case SYNACK_TIMER_PERSIST:   return "persist";
    case SYNACK_TIMER_KEEPALIVE: return "keepalive";
    case SYNACK_TIMER_DELACK:    return "delack";
    case SYNACK_TIMER_TIME_WAIT: return "time-wait";
    case SYNACK_TIMER_RACK:      return "rack";
    case SYNACK_TIMER_TLP:       return "tlp";
    default:                     return "unknown";
    }
}

static const char *timer_action(synack_timer_action a)
{
    switch (a) {
    case SYNACK_TIMER_SET:     return "set";
    case SYNACK_TIMER_FIRED:   return "fired";
    case SYNACK_TIMER_CLEARED: return "cleared";
    default:                   return "unknown";
    }
}

/* The contract's error codes; other errors use their synack_strerror name. */
static const char *error_code(int code)
{
    switch (code) {
    case SYNACK_ERR_REFUSED:     return "refused";
    case SYNACK_ERR_RESET:       return "reset";
    case SYNACK_ERR_TIMEOUT:     return "timeout";
    case SYNACK_ERR_UNREACHABLE: return "unreachable";
    default:                     return synack_strerror(code);
    }
}

/* An address in its text form (dotted quad, RFC 5952). */
static void field_addr(json_out *o, const char *key, const synack_addr *a)
{
    char text[SYNACK_ADDR_STRLEN];
    synack_addr_format(a, text);
    field_str(o, key, text);
}

/* aa:bb:cc:dd:ee:ff */
static void field_mac(json_out *o, const char *key, const synack_mac *m)
{
    static const char hex[] = "0123456789abcdef";
    put_key(o, key);
    put_char(o, '"');
    for (int i = 0; i < 6; i++) {
        if (i > 0)
            put_char(o, ':');
        put_char(o, hex[m->b[i] >> 4]);
        put_char(o, hex[m->b[i] & 0x0f]);
    }
    put_char(o, '"');
}

/* RFC 4861 7.3.2's names (NONE and FAILED: no entry). */
static const char *nud_name(synack_nud_state st)
{
    switch (st) {
    case SYNACK_NUD_NONE:       return "NONE";
    case SYNACK_NUD_INCOMPLETE: return "INCOMPLETE";
    case SYNACK_NUD_REACHABLE:  return "REACHABLE";
    case SYNACK_NUD_STALE:      return "STALE";
    case SYNACK_NUD_DELAY:      return "DELAY";
    case SYNACK_NUD_PROBE:      return "PROBE";
    case SYNACK_NUD_FAILED:     return "FAILED";
    default:                    return "unknown";
    }
}

/* RFC 4862's address states; `none` is a new address's `from`, `removed`
 * a removed one's `to`. */
static const char *addr_state_name(uint8_t st, bool to)
{
    switch (st) {
    case SYNACK_IP6_TENTATIVE:  return "tentative";
    case SYNACK_IP6_PREFERRED:  return "preferred";
    case SYNACK_IP6_DEPRECATED: return "deprecated";
    case SYNACK_IP6_DUPLICATE:  return "duplicate";
    case SYNACK_IP6_NONE:       return to ? "removed" : "none";
    default:                    return "unknown";
    }
}

static const char *origin_name(uint8_t origin)
{
    switch (origin) {
    case SYNACK_IP6_ORIGIN_LINKLOCAL: return "link-local";
    case SYNACK_IP6_ORIGIN_STATIC:    return "static";
    case SYNACK_IP6_ORIGIN_SLAAC:     return "slaac";
    default:                          return "unknown";
    }
}

static const char *kind_name(synack_trace_kind k)
{
    switch (k) {
    case SYNACK_TRACE_SEG:   return "seg";
    case SYNACK_TRACE_STATE: return "state";
    case SYNACK_TRACE_CC:    return "cc";
    case SYNACK_TRACE_WIN:   return "win";
    case SYNACK_TRACE_TIMER: return "timer";
    case SYNACK_TRACE_DROP:  return "drop";
    case SYNACK_TRACE_ERROR: return "error";
    case SYNACK_TRACE_NEIGH: return "neigh";
    case SYNACK_TRACE_ADDR:  return "addr";
    case SYNACK_TRACE_ROUTER: return "router";
    case SYNACK_TRACE_PMTU:  return "pmtu";
    default:                 return "unknown";
    }
}

size_t synack_trace_json(const synack_trace_event *ev, char *buf, size_t cap)
{
    json_out o = {buf, buf != NULL ? cap : 0, 0};

    put_raw(&o, "{\"t\":");
    put_u64(&o, ev->t);
    field_str(&o, "ev", kind_name(ev->kind));
    if (ev->conn >= 0)
        field_u64(&o, "conn", (uint64_t)ev->conn);

    switch (ev->kind) {
    case SYNACK_TRACE_SEG:
        ev_seg(&o, ev);
        break;
    case SYNACK_TRACE_STATE:
        field_str(&o, "from", synack_tcp_state_name(ev->u.state.from));
        field_str(&o, "to", synack_tcp_state_name(ev->u.state.to));
        break;
    case SYNACK_TRACE_CC:
        field_u64(&o, "cwnd", ev->u.cc.cwnd);
        field_u64(&o, "ssthresh", ev->u.cc.ssthresh);
        field_u64(&o, "srtt", ev->u.cc.srtt);
        field_u64(&o, "rttvar", ev->u.cc.rttvar);
        field_u64(&o, "rto", ev->u.cc.rto);
        field_u64(&o, "inflight", ev->u.cc.inflight);
        field_str(&o, "phase", phase_name(ev->u.cc.phase));
        break;
    case SYNACK_TRACE_WIN:
        field_u64(&o, "snd_una", ev->u.win.snd_una);
        field_u64(&o, "snd_nxt", ev->u.win.snd_nxt);
        field_u64(&o, "snd_wnd", ev->u.win.snd_wnd);
        field_u64(&o, "rcv_nxt", ev->u.win.rcv_nxt);
        field_u64(&o, "rcv_wnd", ev->u.win.rcv_wnd);
        field_u64(&o, "sndbuf", ev->u.win.sndbuf);
        field_u64(&o, "rcvbuf", ev->u.win.rcvbuf);
        break;
    case SYNACK_TRACE_TIMER:
        field_str(&o, "name", timer_name(ev->u.timer.name));
        field_str(&o, "action", timer_action(ev->u.timer.action));
        field_u64(&o, "at", ev->u.timer.at);
        break;
    case SYNACK_TRACE_DROP:
        field_str(&o, "layer", ev->u.drop.layer);
        field_str(&o, "reason", ev->u.drop.reason);
        break;
    case SYNACK_TRACE_ERROR:
        field_str(&o, "code", error_code(ev->u.error.code));
        break;
    case SYNACK_TRACE_NEIGH:
        field_addr(&o, "addr", &ev->u.neigh.addr);
        field_mac(&o, "mac", &ev->u.neigh.mac);
        field_str(&o, "from", nud_name(ev->u.neigh.from));
        field_str(&o, "to", nud_name(ev->u.neigh.to));
        break;
    case SYNACK_TRACE_ADDR:
        field_addr(&o, "addr", &ev->u.addr.addr);
        field_u64(&o, "plen", ev->u.addr.prefix_len);
        field_str(&o, "origin", origin_name(ev->u.addr.origin));
        field_str(&o, "from", addr_state_name(ev->u.addr.from, false));
        field_str(&o, "to", addr_state_name(ev->u.addr.to, true));
        break;
    case SYNACK_TRACE_ROUTER:
        field_addr(&o, "addr", &ev->u.router.addr);
        field_str(&o, "action", ev->u.router.added ? "added" : "removed");
        if (ev->u.router.added) {
            field_u64(&o, "lifetime", ev->u.router.lifetime);
            put_key(&o, "pref");
            put_raw(&o, ev->u.router.pref < 0 ? "-1" : ev->u.router.pref > 0 ? "1" : "0");
        }
        break;
    case SYNACK_TRACE_PMTU:
        field_addr(&o, "dst", &ev->u.pmtu.dst);
        field_u64(&o, "mtu", ev->u.pmtu.mtu);
        break;
    default:
        break;
    }
    put_char(&o, '}');

    if (o.cap > 0)
        o.buf[o.len < o.cap ? o.len : o.cap - 1] = '\0';
    return o.len;
}
