/*
 * Receiving segment text and the FIN (RFC 9293 3.10.7.4 "seventh" and
 * "eighth"), with reassembly and the ACK policy.
 *
 * In-order data goes to the receive ring with one copy; out-of-order data
 * is placed at its offset with synack_ring_write_at() and recorded in the
 * assembler (bounded by cfg.tcp.ooo_max_segments ranges; beyond that it is
 * dropped and counted). A FIN beyond a hole is remembered and processed
 * when the data before it arrives.
 *
 * Duplicates (below RCV.NXT or inside held data) are reported once as a
 * D-SACK block (RFC 2883).
 * ACKs (RFC 9293 3.8.6.3, RFC 1122 4.2.3.2, RFC 5681 4.2): delayed by up to
 * delack_ms, but sent at once for every second full-sized segment (at the
 * end of the burst with link.ack_per_burst), for out-of-order data, for
 * data that fills a hole, and for a FIN.
 * Data arriving after close() (nobody will read it) resets the connection,
 * as Linux does.
 */
#include "tcp/tcp_tcb.h"

static void fin_received(synack_stack *s, uint64_t now, synack_tcb *t)
{
    t->rcv_nxt++;
    t->fl |= SYNACK_TF_RCV_FIN | SYNACK_TF_ACK_NOW;
    t->fl &= ~(uint32_t)SYNACK_TF_OOO_FIN;
    if (t->ooo.ranges) {
        synack_tcp_buf_free(s, t->ooo.ranges, t->ooo.max * (uint32_t)sizeof *t->ooo.ranges);
        memset(&t->ooo, 0, sizeof t->ooo);
    }
    switch (t->state) {
    case SYNACK_TCP_SYN_RECEIVED:
    case SYNACK_TCP_ESTABLISHED:
        synack_tcb_set_state(s, now, t, SYNACK_TCP_CLOSE_WAIT);
        break;
    case SYNACK_TCP_FIN_WAIT_1:
        /* our FIN not yet acknowledged (else we would be in FIN-WAIT-2) */
        synack_tcb_set_state(s, now, t, SYNACK_TCP_CLOSING);
        break;
    case SYNACK_TCP_FIN_WAIT_2:
        synack_tcb_set_state(s, now, t, SYNACK_TCP_TIME_WAIT);
        break;
    default:
        break;
    }
}

static bool ooo_ready(synack_stack *s, synack_tcb *t)
{
    if (t->ooo.ranges)
        return true;
    uint32_t max = s->cfg.tcp.ooo_max_segments;
    if (max == 0)
        return false;
    if (max > 1024)
        max = 1024;
    synack_range *r = synack_tcp_buf_alloc(s, max * (uint32_t)sizeof *r, true);
    if (!r)
        return false;
    synack_asm_init(&t->ooo, r, max);
    return true;
}

/*
 * Every second full-sized segment owes an ACK (RFC 1122 4.2.3.2). On a link
 * whose driver polls after each burst of frames (link.ack_per_burst) it
 * waits for that poll: the delayed-ACK timer is set to `now`, so one ACK
 * answers the whole burst, as with Linux's GRO, and leaves after the
 * application's reads with their window. The delay is that of one burst,
 * far below the 0.5 s of RFC 1122. A burst reaching half the window we
 * offered (or 64 KiB) is acknowledged at once so the sender never stalls on
 * a window it could already fill again.
 */
static void ack_full_segments(synack_stack *s, uint64_t now, synack_tcb *t)
{
    uint32_t offered = synack_seq_gt(t->rcv_adv, t->last_ack_sent) ? t->rcv_adv - t->last_ack_sent : 0;
    uint32_t cap = offered / 2 < SYNACK_TCP_BURST_ACK_MAX ? offered / 2 : SYNACK_TCP_BURST_ACK_MAX;
    if (!s->cfg.link.ack_per_burst || t->ack_pending >= cap)
        t->fl |= SYNACK_TF_ACK_NOW;
    else if (t->tm[SYNACK_TIMER_DELACK] != now)
        synack_tcp_timer_set(s, t, SYNACK_TIMER_DELACK, now);
}

void synack_tcp_rcv_text(synack_stack *s, uint64_t now, synack_tcb *t,
                         const synack_tcp_repr *seg, uint32_t seq,
                         const uint8_t *data, uint32_t len, bool fin)
{
    /* drop what we already have (RFC 9293: "only the new parts") */
    if (synack_seq_lt(seq, t->rcv_nxt)) {
        uint32_t skip = t->rcv_nxt - seq;
        if (skip > len) {
            skip = len;
            fin = false; /* the FIN was seen before as well */
        }
        synack_tcp_dsack_note(s, t, seq, seq + skip); /* RFC 2883 */
        data += skip;
        len -= skip;
        seq += skip;
    }
    if (len && (t->fl & SYNACK_TF_RCV_SHUT)) {
        synack_tcp_send_rst(s, now, t);
        synack_tcb_close_with(s, now, t, 0);
        return;
    }
    if (len) {
        uint32_t off = seq - t->rcv_nxt;
        /* what we offered, or what the autotuned buffer would offer now
           (tcp_mem.c): text beyond it is trimmed (RFC 9293 3.10.7.4) */
        uint32_t room = synack_seq_gt(t->rcv_adv, t->rcv_nxt) ? t->rcv_adv - t->rcv_nxt : 0;
        if (t->rcv.limit > t->rcv.len && t->rcv.limit - t->rcv.len > room)
            room = t->rcv.limit - t->rcv.len;
        if (off >= room) {
            synack_count_drop(s, SYNACK_DROP_TCP_OUT_OF_WINDOW);
            t->fl |= SYNACK_TF_ACK_NOW;
            return;
        }
        if (len > room - off) {
            len = room - off; /* beyond the buffer: trim, FIN goes too */
            fin = false;
        }
        /* memory for it (tcp_mem.c); without, the segment is dropped
           unacknowledged and the sender repeats it */
        uint32_t need = t->rcv.len + off + len;
        bool fits = t->ooo.count == 0 && need <= t->rcv.cap; /* the common case */
        if (!fits && !synack_tcb_rcv_reserve(s, t, need, off == 0)) {
            t->fl |= SYNACK_TF_ACK_NOW;
            return;
        }
        if (off == 0)
            synack_tcp_rcv_rtt_sample(t, now, seg, len);
        /* RFC 1122 4.2.3.2 counts full-sized segments: a super-frame from
         * a receive-offloading link (TSO output not yet cut) counts as our
         * MSS, else one 64 KB frame would defer ACKs to every 128 KB. */
        uint32_t seen = t->adv_mss != 0 && len > t->adv_mss ? t->adv_mss : len;
        if (seen > t->rcv_mss)
            t->rcv_mss = (uint16_t)(seen > 65535 ? 65535 : seen);
        if (off == 0 && synack_asm_empty(&t->ooo)) {
            synack_ring_write(&t->rcv, data, len);
            t->rcv_nxt += len;
            t->bytes_received += len;
            t->ack_pending += len;
        } else if (off > 0 && synack_tcp_ooo_holds(t, off, len)) {
            /* RFC 2883: a duplicate of held data; its block comes second */
            synack_tcp_dsack_note(s, t, seq, seq + len);
            synack_tcp_sack_note(s, t, seq);
            t->fl |= SYNACK_TF_ACK_NOW;
        } else if (!ooo_ready(s, t) || !synack_asm_add(&t->ooo, off, len)) {
            t->fl |= SYNACK_TF_ACK_NOW;
            if (off != 0) {
                synack_count_drop(s, SYNACK_DROP_TCP_OOO_FULL);
                return;
            }
            /* RFC 9293 3.10.7.4 seventh: text at RCV.NXT is always taken.
               The add was refused, so it touches no held range (else it
               had merged) and needs none: it goes in order, and the held
               ranges, all beyond it, move down by its length. */
            synack_ring_write(&t->rcv, data, len);
            synack_asm_advance(&t->ooo, len);
            t->rcv_nxt += len;
            t->bytes_received += len;
            t->ack_pending += len;
        } else {
            synack_ring_write_at(&t->rcv, t->rcv.len + off, data, len);
            if (off > 0)
                synack_tcp_sack_note(s, t, seq);
            uint32_t n = synack_asm_take_front(&t->ooo);
            if (n) {
                synack_ring_commit(&t->rcv, n);
                t->rcv_nxt += n;
                t->bytes_received += n;
                t->ack_pending += n;
            }
            /* RFC 5681 4.2: immediate ACK for out-of-order data or a filled hole */
            t->fl |= SYNACK_TF_ACK_NOW;
        }
    }
    if (fin) {
        uint32_t fin_seq = seq + len;
        if (fin_seq == t->rcv_nxt) {
            fin_received(s, now, t);
        } else if (synack_seq_gt(fin_seq, t->rcv_nxt)) {
            /* no memory to remember it: the peer sends the FIN again */
            synack_tcp_cold *c = synack_tcb_cold(s, t);
            t->fl |= SYNACK_TF_ACK_NOW;
            if (c) {
                t->fl |= SYNACK_TF_OOO_FIN;
                c->rcv_fin = fin_seq;
            }
        }
    } else if ((t->fl & SYNACK_TF_OOO_FIN) && t->cold->rcv_fin == t->rcv_nxt) {
        fin_received(s, now, t);
    }
    if (t->fl & SYNACK_TF_ACK_NOW)
        return;
    if (t->delack_ms == 0)
        t->fl |= SYNACK_TF_ACK_NOW;
    else if (t->ack_pending >= 2u * t->rcv_mss)
        ack_full_segments(s, now, t);
    else if (t->ack_pending && t->tm[SYNACK_TIMER_DELACK] == SYNACK_TCP_NEVER)
        synack_tcp_timer_set(s, t, SYNACK_TIMER_DELACK, now + t->delack_ms);
}
