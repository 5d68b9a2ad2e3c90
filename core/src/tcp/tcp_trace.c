/*
 * TCP trace events (DESIGN.md "trace events" contract): seg, state, cc,
 * win, timer and error. Callers check synack_tracing() first where building
 * the event costs anything; these functions check again.
 */
#include "tcp/tcp_tcb.h"

static void ev_init(synack_trace_event *ev, synack_trace_kind k, int32_t conn)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = k;
    ev->conn = conn;
}

void synack_tcp_trace_seg(synack_stack *s, int32_t conn, bool out,
                          const synack_tcp_repr *r, uint32_t len, bool rexmit,
                          uint8_t ws)
{
    if (!synack_tracing(s))
        return;
    synack_trace_event ev;
    ev_init(&ev, SYNACK_TRACE_SEG, conn);
    ev.u.seg.out = out;
    ev.u.seg.flags = r->flags;
    ev.u.seg.seq = r->seq;
    ev.u.seg.ack = r->ack;
    ev.u.seg.win = (uint32_t)r->win << (ws > SYNACK_TCP_MAX_WS ? SYNACK_TCP_MAX_WS : ws);
    ev.u.seg.len = len;
    ev.u.seg.rexmit = rexmit;
    ev.u.seg.has_mss = r->has_mss;
    ev.u.seg.mss = r->mss;
    ev.u.seg.has_ws = r->has_ws;
    ev.u.seg.ws = r->ws;
    ev.u.seg.sack_ok = r->sack_ok;
    ev.u.seg.has_ts = r->has_ts;
    ev.u.seg.tsval = r->tsval;
    ev.u.seg.tsecr = r->tsecr;
    uint8_t n = r->sack_count > 4 ? 4 : r->sack_count;
    ev.u.seg.sack_count = n;
    for (uint8_t i = 0; i < n; i++) {
        ev.u.seg.sack[i][0] = r->sack[i].left;
        ev.u.seg.sack[i][1] = r->sack[i].right;
    }
    synack_trace(s, &ev);
}

void synack_tcp_trace_state(synack_stack *s, synack_tcb *t, synack_tcp_state from,
                            synack_tcp_state to)
{
    if (!synack_tracing(s))
        return;
    synack_trace_event ev;
    ev_init(&ev, SYNACK_TRACE_STATE, t->handle);
    ev.u.state.from = from;
    ev.u.state.to = to;
    synack_trace(s, &ev);
}

void synack_tcp_trace_cc(synack_stack *s, synack_tcb *t)
{
    if (!synack_tracing(s))
        return;
    synack_trace_event ev;
    ev_init(&ev, SYNACK_TRACE_CC, t->handle);
    ev.u.cc.cwnd = t->cc.cwnd;
    ev.u.cc.ssthresh = t->cc.ssthresh;
    ev.u.cc.inflight = t->snd_max - t->snd_una;
    ev.u.cc.srtt = t->srtt8 >> 3;
    ev.u.cc.rttvar = t->rttvar4 >> 2;
    ev.u.cc.rto = t->rto;
    ev.u.cc.phase = (t->fl & SYNACK_TF_RECOVERY) ? SYNACK_CC_RECOVERY
                                                  : synack_cc_phase_of(&t->cc);
    synack_trace(s, &ev);
}

void synack_tcp_trace_timer(synack_stack *s, synack_tcb *t, synack_timer_name n,
                            synack_timer_action a, uint64_t at)
{
    if (!synack_tracing(s))
        return;
    synack_trace_event ev;
    ev_init(&ev, SYNACK_TRACE_TIMER, t->handle);
    ev.u.timer.name = n;
    ev.u.timer.action = a;
    ev.u.timer.at = at;
    synack_trace(s, &ev);
}

void synack_tcp_trace_error(synack_stack *s, synack_tcb *t, int code)
{
    if (!synack_tracing(s))
        return;
    synack_trace_event ev;
    ev_init(&ev, SYNACK_TRACE_ERROR, t->handle);
    ev.u.error.code = code;
    synack_trace(s, &ev);
}

void synack_tcp_win_snap(const synack_tcb *t, synack_tcp_winsnap *w)
{
    w->v[0] = t->snd_una;
    w->v[1] = t->snd_nxt;
    w->v[2] = t->snd_wnd;
    w->v[3] = t->rcv_nxt;
    w->v[4] = synack_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
    w->v[5] = t->snd.len;
    w->v[6] = t->rcv.len;
}

void synack_tcp_trace_win(synack_stack *s, synack_tcb *t,
                          const synack_tcp_winsnap *before)
{
    if (!synack_tracing(s))
        return;
    synack_tcp_winsnap now;
    synack_tcp_win_snap(t, &now);
    if (memcmp(&now, before, sizeof now) == 0)
        return;
    synack_trace_event ev;
    ev_init(&ev, SYNACK_TRACE_WIN, t->handle);
    ev.u.win.snd_una = now.v[0];
    ev.u.win.snd_nxt = now.v[1];
    ev.u.win.snd_wnd = now.v[2];
    ev.u.win.rcv_nxt = now.v[3];
    ev.u.win.rcv_wnd = now.v[4];
    ev.u.win.sndbuf = now.v[5];
    ev.u.win.rcvbuf = now.v[6];
    synack_trace(s, &ev);
}
