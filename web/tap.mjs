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
   *   returned, 'filtered' (by filterIn) or 'lost' (by the wire).
   */
  constructor(inner, hooks) {
    this.#inner = inner;
    this.hooks = hooks;
    this.mtu = inner.mtu ?? 1500;
    this.medium = inner.medium ?? 'ethernet';
    this.onframe = null;
    /** (pkt) => null to send an outgoing frame, or the fate to drop it with. */
    this.dropOut = null;
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
    const pkt = parseFrame(frame);
    const fate = this.dropOut?.(pkt);
    if (fate) {
      this.hooks.onSend(frame, pkt, fate);
      return;
    }
    const before = this.#inner.stats?.();
    this.#inner.send(frame);
    const after = before && this.#inner.stats();
    const lost = after && after.lost + after.queueDrops > before.lost + before.queueDrops;
    this.hooks.onSend(frame, pkt, lost ? 'lost' : null);
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
