/*
 * PairLink: the two ends of one virtual Ethernet wire in this JavaScript
 * realm, so two stacks talk with no server (tests, the demo page). Each
 * direction can be impaired like the core's impair driver
 * (core/link/impair.c), from its own seeded generator so a run repeats:
 * loss, duplication, corruption of one byte, serialization at a rate behind
 * a tail-drop queue, a fixed delay, uniform jitter, and reordering (a frame
 * held back by an extra 1..max(delay, 10) ms).
 *
 * Frames are always delivered in a later task, never from inside send(), so
 * a stack is never re-entered from its own link.
 */
import { Rng, Slab, monotonicMs, nextTask } from './util.mjs';

const ETH_HEADER = 14;
/* Largest frame on the wire: a super-frame between two synack stacks. */
const SUPER_MAX = 65535 + ETH_HEADER;
/* Frames from this size up are copied into pooled buffers between two
 * stacks (a fresh 64 KB ArrayBuffer per frame costs more than its copy). */
const POOL_FROM = 2048;
const POOL_MAX = 64;
const DEFAULT_QUEUE_BYTES = 1 << 20;

function probability(v, name) {
  const p = Number(v ?? 0);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`synack: PairLink ${name} must be a probability 0..1`);
  return p;
}

/* One direction of the wire: impairments, then a time-ordered queue. */
class Channel {
  constructor(o, seed) {
    this.loss = probability(o.loss, 'loss');
    this.duplicate = probability(o.duplicate, 'duplicate');
    this.corrupt = probability(o.corrupt, 'corrupt');
    this.reorder = probability(o.reorder, 'reorder');
    this.delay = Math.max(0, Number(o.delay ?? 0));
    this.jitter = Math.max(0, Number(o.jitter ?? 0));
    this.rateMbit = Math.max(0, Number(o.rateMbit ?? 0));
    this.queueBytes = Number(o.queueBytes ?? DEFAULT_QUEUE_BYTES);
    /* Nothing here acts on single frames (a delay acts on all alike). */
    this.plain = o.offload !== false &&
      !(this.loss || this.duplicate || this.corrupt || this.reorder || this.rateMbit);
    this.undelayed = !(this.delay || this.jitter);
    this.rng = new Rng(seed);
    this.queue = [];
    this.head = 0;
    this.busyUntil = 0;
    this.order = 0;
    this.timer = null;
    this.timerAt = Infinity;
    this.taskQueued = false;
    this.receiver = null;
    /* Room for frames (PairLinkEnd.frameBuffer): views of a slab, and
     * buffers of SUPER_MAX bytes lent for super-frames, back after delivery. */
    this.slab = new Slab();
    this.pool = [];
    this.lent = new WeakSet();
    /* Both ends are synack stacks, which copy a frame before they return:
     * the slab is reused once every frame taken from it is delivered. */
    this.reuse = false;
    this.stats = { frames: 0, lost: 0, duplicated: 0, corrupted: 0, reordered: 0, queueDrops: 0 };
  }

  push(frame) {
    const st = this.stats;
    st.frames++;
    if (this.rng.chance(this.loss)) {
      st.lost++;
      return;
    }
    const copies = this.rng.chance(this.duplicate) ? 2 : 1;
    if (copies === 2) st.duplicated++;
    const now = monotonicMs();
    for (let i = 0; i < copies; i++) {
      let f = frame;
      if (this.rng.chance(this.corrupt) && f.length > 0) {
        f = f.slice();
        f[Math.floor(this.rng.next() * f.length)] ^= 1 + Math.floor(this.rng.next() * 255);
        st.corrupted++;
      }
      let due = now;
      if (this.rateMbit > 0) {
        const backlogMs = Math.max(0, this.busyUntil - now);
        if (backlogMs * this.rateMbit * 125 > this.queueBytes) {
          st.queueDrops++;
          continue;
        }
        this.busyUntil = Math.max(this.busyUntil, now) + (f.length * 8) / (this.rateMbit * 1000);
        due = this.busyUntil;
      }
      due += this.delay;
      if (this.jitter > 0) due += this.rng.next() * this.jitter;
      if (this.rng.chance(this.reorder)) {
        due += 1 + this.rng.next() * Math.max(this.delay, 10);
        st.reordered++;
      }
      this.insert({ due, order: this.order++, frame: f });
    }
    this.schedule();
  }

  /* Keep the queue sorted by (due, order); frames mostly arrive in order. */
  insert(item) {
    const q = this.queue;
    let lo = this.head;
    let hi = q.length;
    if (hi === lo || q[hi - 1].due <= item.due) {
      q.push(item);
      return;
    }
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (q[mid].due <= item.due) lo = mid + 1;
      else hi = mid;
    }
    q.splice(lo, 0, item);
  }

  schedule() {
    if (this.head >= this.queue.length) return;
    const due = this.queue[this.head].due;
    const wait = due - monotonicMs();
    if (wait <= 0) {
      if (!this.taskQueued) {
        this.taskQueued = true;
        nextTask(() => {
          this.taskQueued = false;
          this.flush();
        });
      }
      return;
    }
    if (this.timer !== null && this.timerAt <= due) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      this.flush();
    }, Math.ceil(wait));
  }

  flush() {
    const now = monotonicMs();
    const q = this.queue;
    while (this.head < q.length && q[this.head].due <= now) {
      const { frame } = q[this.head];
      q[this.head++] = undefined;
      this.receiver?.(frame);
      const buf = frame.buffer;
      if (this.lent.has(buf) && this.pool.length < POOL_MAX) this.pool.push(buf);
    }
    if (this.head >= q.length) {
      /* drained: keep the array (no growth and no copy per round) */
      q.length = 0;
      this.head = 0;
      if (this.reuse) this.slab.reset();
    } else if (this.head > 1024 && this.head * 2 > q.length) {
      this.queue = q.slice(this.head);
      this.head = 0;
    }
    this.schedule();
  }

  /* Room for a frame of len bytes; `whole`: super-frames pass (pool). */
  buffer(len, whole) {
    if (!whole || len < POOL_FROM) return this.slab.take(len);
    let buf = this.pool.pop();
    if (!buf) {
      buf = new ArrayBuffer(SUPER_MAX);
      this.lent.add(buf);
    }
    return new Uint8Array(buf, 0, len);
  }

  clear() {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = Infinity;
    this.queue = [];
    this.head = 0;
  }
}

/** One end of a PairLink: give it to createStack({ link }). */
class PairLinkEnd {
  #tx;
  #rx;
  #closed = false;
  #peer = null;
  #core = null;
  #superOk = false;
  #super = false;

  constructor(tx, rx, mtu, peer) {
    if (peer) {
      this.#peer = peer;
      peer.#peer = this;
    }
    this.#tx = tx;
    this.#rx = rx;
    this.mtu = mtu;
    this.medium = 'ethernet';
    this.onframe = null;
    rx.receiver = (frame) => {
      if (!this.#closed) this.onframe?.(frame);
    };
  }

  /** Put a frame on the wire (dropped when larger than the MTU allows). */
  send(frame) {
    if (this.#closed || frame.length > (this.#super ? SUPER_MAX : this.mtu + ETH_HEADER)) return;
    this.#tx.push(frame);
  }

  /**
   * For the stack on this end (core.mjs): room for an outgoing frame of
   * `len` bytes, a view of a slab (or, between two stacks, of a pooled
   * super-frame buffer) that the wire reuses once the frame is delivered,
   * when both ends are stacks (attachStack).
   */
  frameBuffer(len) {
    return this.#tx.buffer(len, this.#super);
  }

  /**
   * For createStack: whether TCP super-frames (send offload, up to 64 KB)
   * may pass whole here: no impairment acts on single frames.
   */
  get superFrames() {
    return this.#tx.plain && this.#rx.plain;
  }

  /**
   * For createStack: the Core of a synack stack is on this end (`superOk`:
   * it was made for super-frames). Once the other end has one too, both
   * copy each frame before they return, so the wire reuses frame buffers;
   * where superFrames, both send super-frames from then on; and with no
   * delay either, frames go from one stack to the other inside wasm
   * memory (glue.c's direct pair: one call per batch, no JavaScript per
   * frame). An end used without a stack never attaches, so it sees
   * MTU-sized frames through send() and onframe.
   */
  attachStack(core, superOk) {
    const p = this.#peer;
    if (this.#core || this.#closed || p.#closed) return;
    this.#core = core;
    this.#superOk = superOk;
    const q = p.#core;
    if (!q || core.destroyed || q.destroyed) return;
    this.#tx.reuse = this.#rx.reuse = true;
    if (superOk && p.#superOk && this.superFrames) {
      this.#super = p.#super = true;
      core.m._synack_js_pair_super(core.ctx, 1);
      q.m._synack_js_pair_super(q.ctx, 1);
      if (core.m === q.m && this.#tx.undelayed && this.#rx.undelayed) core.pairWith(q);
    }
  }

  /** Impairment counters of the direction this end sends on. */
  stats() {
    const st = { ...this.#tx.stats };
    st.frames += this.#core?.pairFrames() ?? 0;
    return st;
  }

  /** Detach this end: frames to and from it are dropped. */
  close() {
    this.#core?.unpair();
    this.#closed = true;
    this.#tx.clear();
    this.#rx.clear();
  }
}

/** A virtual wire between two stacks in one page or process. */
export class PairLink {
  /**
   * The two ends [a, b] of a new wire. Options (all optional): delay and
   * jitter in ms, loss/reorder/duplicate/corrupt as probabilities 0..1,
   * rateMbit, queueBytes (rate-limit queue, default 1 MiB), seed, mtu
   * (default 1500), offload (default true: TCP super-frames between two
   * synack stacks when none of loss..rateMbit is set). The same options
   * apply to both directions; each has its own generator derived from the
   * seed.
   */
  static pair(options = {}) {
    const mtu = Number(options.mtu ?? 1500);
    if (!(Number.isInteger(mtu) && mtu >= 68 && mtu <= 65535)) {
      throw new RangeError('synack: PairLink mtu must be 68..65535');
    }
    const seed = Number(options.seed ?? Math.floor(Math.random() * 2 ** 32));
    const ab = new Channel(options, seed);
    const ba = new Channel(options, (seed ^ 0x5bd1e995) >>> 0);
    const a = new PairLinkEnd(ab, ba, mtu, null);
    return [a, new PairLinkEnd(ba, ab, mtu, a)];
  }
}
