/*
 * TapLink: a link that wraps another (a PairLink end or a WebSocketLink)
 * and sits between it and a stack, like a capture point on the wire. It
 * reports every frame in both directions, can drop frames on purpose
 * ("drop the next segment", "a port whose SYNs vanish"), and tells which
 * frames the wrapped PairLink lost (its loss counters move during send()).
 */
import { parseFrame } from './packet.mjs';

export class TapLink {
  #inner;

  /**
   * @param inner the wrapped link
   * @param hooks { onSend(frame, pkt, fate), onReceive(frame, pkt, fate) }
   *   called for every frame; fate is null (delivered), what dropOut
   *   returned, 'filtered' (by filterIn), 'lost' (by the wire) or
   *   'corrupted' (delivered with a byte changed, by corruptOut or the
   *   wire); onSend's fourth argument is { duplicated } (the wire
   *   delivers it twice).
   */
  constructor(inner, hooks) {
    this.#inner = inner;
    this.hooks = hooks;
    this.mtu = inner.mtu ?? 1500;
    this.medium = inner.medium ?? 'ethernet';
    this.onframe = null;
    /** (pkt) => null to send an outgoing frame, or the fate to drop it with. */
    this.dropOut = null;
    /** (pkt) => true to corrupt an outgoing frame (one payload byte flipped). */
    this.corruptOut = null;
    /** (pkt) => true to drop an incoming frame before the stack sees it. */
    this.filterIn = null;
    inner.onframe = (frame) => this.#receive(frame);
  }

  get ready() {
    return this.#inner.ready;
  }

  get closed() {
    return this.#inner.closed;
  }

  /** Wire counters of the wrapped link, when it has them. */
  stats() {
    return this.#inner.stats?.() ?? null;
  }

  send(frame) {
    let pkt = parseFrame(frame);
    const fate = this.dropOut?.(pkt);
    if (fate) {
      this.hooks.onSend(frame, pkt, fate);
      return;
    }
    let corrupted = false;
    if (this.corruptOut?.(pkt)) {
      /* Flip the last payload byte: the frame still parses, its TCP checksum no longer matches. */
      frame = frame.slice();
      frame[frame.length - 1] ^= 0x5a;
      pkt = parseFrame(frame);
      corrupted = true;
    }
    const before = this.#inner.stats?.();
    this.#inner.send(frame);
    const after = before && this.#inner.stats();
    const lost = after && after.lost + after.queueDrops > before.lost + before.queueDrops;
    if (after && after.corrupted > before.corrupted) corrupted = true;
    const duplicated = !!after && after.duplicated > before.duplicated;
    this.hooks.onSend(frame, pkt, lost ? 'lost' : corrupted ? 'corrupted' : null, { duplicated });
  }

  #receive(frame) {
    const pkt = parseFrame(frame);
    if (this.filterIn?.(pkt)) {
      this.hooks.onReceive(frame, pkt, 'filtered');
      return;
    }
    this.hooks.onReceive(frame, pkt, null);
    this.onframe?.(frame);
  }

  close() {
    this.#inner.onframe = null;
    this.#inner.close?.();
  }
}
