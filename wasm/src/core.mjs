/*
 * The engine behind one Stack: the wasm-side stack (wasm/glue.c synack_js_ctx),
 * its scratch memory, its link, and the driving loop of DESIGN.md ("the
 * core is sans-IO"): frames from the link are fed with synack_input, API
 * calls go straight to the core, and after each of them ONE setTimeout is
 * armed for synack_poll_at() — there is no polling interval.
 *
 * Re-entrancy: the core calls JS (a frame to send, a trace event) in the
 * middle of a C call. Those callbacks only record; the frames reach the
 * link, and frames the link hands back synchronously reach the core, once
 * the C call has returned (pump). Trace events and readiness checks run in
 * one microtask after a burst of calls (settle), never inside C.
 */
import { SynackError, errorFrom } from './errors.mjs';
import { registerCore, unregisterCore } from './loader.mjs';
import { ADDR_LEN } from './constants.mjs';
import { formatAddr, monotonicMs, nextTask } from './util.mjs';

/** Largest payload chunk moved per call (bytes). */
export const CHUNK = 65536;
/* Largest chunk one read of a socket's default reader takes: each chunk
 * costs a promise turn and a stream queue entry, so fewer larger ones are
 * cheaper (BYOB reads take the reader's buffer size, up to this). */
export const RECV_CHUNK = 262144;
/* Largest frame the scratch holds: Ethernet header plus a 65535-byte MTU. */
const FRAME_MAX = 65535 + 14;
/* Bytes of scratch for results (doubles/uint32) after the data area. */
const OUT_BYTES = 512;
/* Where in the out area addresses cross (wasm/glue.c addr_in/addr_out):
 * one slot for an address going in, two for addresses coming out. */
const ADDR_IN = 384;
const ADDR_OUT = ADDR_IN + 2 * ADDR_LEN;
/* Bound on pump rounds, so a link that echoes forever cannot hang a call. */
const PUMP_MAX = 1 << 20;

const decoder = new TextDecoder();

export class Core {
  /**
   * @param m the shared Emscripten Module
   * @param link the link object ({ send(frame), mtu?, medium? })
   * @param mac 6 bytes
   * @param opts Uint32Array of glue options (wasm/glue.c enum synack_js_opt)
   * @param target the EventTarget that receives 'trace' events
   */
  constructor(m, link, mac, opts, target) {
    this.m = m;
    this.link = link;
    this.target = target;
    this.t0 = monotonicMs();
    this.busy = false;
    this.outbox = [];
    this.spare = [];
    this.inbox = [];
    this.traces = [];
    this.settleQueued = false;
    this.settleTask = () => this.settle();
    /* A direct pair (glue.c synack_js_pair_direct): the Core on the other
     * end of the PairLink takes our frames from wasm memory. */
    this.direct = null;
    this.directQueued = false;
    this.directFrames = 0;
    this.directTask = () => {
      this.directQueued = false;
      const p = this.direct;
      if (p && !p.destroyed) p.enter(() => p.m._synack_js_pair_take(p.ctx, p.now()));
    };
    this.timer = null;
    this.timerAt = Infinity;
    this.watchers = new Set();
    this.destroyed = false;
    this.linkErrors = 0;
    this.oversize = 0;

    const data = Math.max(RECV_CHUNK, FRAME_MAX);
    this.scratch = m._synack_js_malloc(data + OUT_BYTES);
    if (!this.scratch) throw new SynackError('nomem', 'synack: out of memory');
    this.out = this.scratch + data + ((8 - ((this.scratch + data) % 8)) % 8);
    this.id = registerCore(this);

    const heap = m.HEAPU8;
    heap.set(mac, this.out);
    const optPtr = this.out + 8;
    new Uint32Array(heap.buffer, optPtr, opts.length).set(opts);
    const ctxPtr = this.out + 8 + opts.length * 4;
    const err = m._synack_js_new(ctxPtr, this.id, this.out, optPtr, this.now());
    if (err < 0) {
      unregisterCore(this.id);
      m._synack_js_mfree(this.scratch);
      throw errorFrom(err, 'synack: cannot create the stack');
    }
    this.ctx = m.HEAPU32[ctxPtr >> 2];
    this.queueSettle();
  }

  /** The stack's clock: ms since creation (the `t` of trace events). */
  now() {
    return monotonicMs() - this.t0;
  }

  /** uint32 result slot i of the out area. */
  u32(i) {
    return this.m.HEAPU32[(this.out >> 2) + i];
  }

  /** double result slot i of the out area. */
  f64(i) {
    return this.m.HEAPF64[(this.out >> 3) + i];
  }

  /** Copy glue address bytes (util.mjs parseAddr) in; returns where they are. */
  putAddr(a) {
    this.m.HEAPU8.set(a, this.out + ADDR_IN);
    return this.out + ADDR_IN;
  }

  /** Where the glue writes out-address slot i (0 or 1). */
  addrOut(i = 0) {
    return this.out + ADDR_OUT + i * ADDR_LEN;
  }

  /** Text of out-address slot i, null for none. */
  addrText(i = 0) {
    const p = this.addrOut(i);
    return formatAddr(this.m.HEAPU8.subarray(p, p + ADDR_LEN));
  }

  /** A copy of out-address slot i (glue bytes). */
  addrBytes(i = 0) {
    const p = this.addrOut(i);
    return this.m.HEAPU8.slice(p, p + ADDR_LEN);
  }

  /** Copy bytes into the scratch area and return its address. */
  put(bytes) {
    this.m.HEAPU8.set(bytes, this.scratch);
    return this.scratch;
  }

  /** Copy a NUL-terminated UTF-8 string into the scratch area. */
  putString(text) {
    const bytes = new TextEncoder().encode(text);
    if (bytes.length >= CHUNK || bytes.includes(0)) {
      throw new SynackError('invalid', 'synack: bad name');
    }
    this.m.HEAPU8.set(bytes, this.scratch);
    this.m.HEAPU8[this.scratch + bytes.length] = 0;
    return this.scratch;
  }

  /** A NUL-terminated string at ptr. */
  string(ptr) {
    const heap = this.m.HEAPU8;
    let end = ptr;
    while (heap[end] !== 0 && end - ptr < 4096) end++;
    return decoder.decode(heap.subarray(ptr, end));
  }

  /**
   * Run fn, which calls into the core, then move the frames it produced to
   * the link and queue one settle. Returns what fn returns.
   */
  enter(fn) {
    if (this.destroyed) throw new SynackError('closed', 'synack: the stack is closed');
    if (this.busy) return fn();
    this.busy = true;
    try {
      const r = fn();
      this.pump();
      return r;
    } finally {
      this.busy = false;
      this.queueSettle();
    }
  }

  /* Hand recorded frames to the link and queued frames to the core. */
  pump() {
    let next = 0;
    for (let round = 0; round < PUMP_MAX && !this.destroyed; round++) {
      if (this.outbox.length) {
        /* two arrays in turn: no allocation per call */
        const frames = this.outbox;
        this.outbox = this.spare;
        for (const f of frames) this.sendToLink(f);
        frames.length = 0;
        this.spare = frames;
      } else if (next < this.inbox.length) {
        this.inputNow(this.inbox[next++]);
      } else {
        break;
      }
    }
    if (next < this.inbox.length) this.inbox = this.inbox.slice(next);
    else if (this.inbox.length) this.inbox.length = 0;
  }

  sendToLink(frame) {
    try {
      this.link.send(frame);
    } catch {
      this.linkErrors++;
    }
  }

  /** A frame from the link. */
  input(frame) {
    if (this.destroyed) return;
    if (this.busy) {
      this.inbox.push(frame);
      return;
    }
    /* enter(), without a closure per frame */
    this.busy = true;
    try {
      this.inputNow(frame);
      this.pump();
    } finally {
      this.busy = false;
      this.queueSettle();
    }
  }

  inputNow(frame) {
    const n = frame.length;
    if (n === 0 || n > FRAME_MAX) {
      this.oversize++;
      return;
    }
    this.m.HEAPU8.set(frame, this.scratch);
    this.m._synack_js_input(this.ctx, this.now(), this.scratch, n);
  }

  /**
   * wasm import: the core sends a frame (valid only during the call);
   * `fix` (when not 0) is offset << 16 | value of a 16-bit field to set in
   * the copy (glue.c: a pair super-frame's TCP checksum).
   */
  onLinkSend(ptr, len, fix) {
    if (len === 0) {
      /* frames wait for the direct peer: it takes them in a later task */
      if (!this.directQueued) {
        this.directQueued = true;
        nextTask(this.directTask);
      }
      return 0;
    }
    /* a link may lend a buffer it gets back once the frame is delivered */
    let f = this.link.frameBuffer?.(len);
    /* never throw inside a C call: a wrong buffer is not used */
    if (!(f instanceof Uint8Array) || f.length !== len) f = new Uint8Array(len);
    const heap = this.m.HEAPU8;
    if (len <= 128) {
      /* an ACK: a loop costs less than a view of the heap to copy from */
      for (let i = 0; i < len; i++) f[i] = heap[ptr + i];
    } else {
      f.set(heap.subarray(ptr, ptr + len));
    }
    if (fix) {
      f[fix >>> 16] = (fix >>> 8) & 255;
      f[(fix >>> 16) + 1] = fix & 255;
    }
    this.outbox.push(f);
    return 0;
  }

  /** wasm import: one trace event as JSON text. */
  onTrace(ptr, len) {
    this.traces.push(decoder.decode(this.m.HEAPU8.subarray(ptr, ptr + len)));
  }

  /** Schedule one settle for the end of this burst of calls. */
  queueSettle() {
    if (this.settleQueued || this.destroyed) return;
    this.settleQueued = true;
    queueMicrotask(this.settleTask);
  }

  /* Deliver trace events, let watchers look at readiness, arm the timer. */
  settle() {
    this.settleQueued = false;
    if (this.destroyed) return;
    if (this.traces.length) {
      const traces = this.traces;
      this.traces = [];
      for (const json of traces) {
        this.target.dispatchEvent(new CustomEvent('trace', { detail: JSON.parse(json) }));
      }
    }
    for (const w of this.watchers) {
      if (this.destroyed) return;
      let keep = false;
      try {
        keep = w.check();
      } catch (e) {
        w.fail?.(e);
      }
      if (!keep) this.watchers.delete(w);
    }
    this.arm();
  }

  /*
   * One timer for the core's next deadline (synack_poll_at). In Node it
   * keeps the process alive only while something in JS waits on the stack
   * (a socket, a listener, a lookup): a TIME-WAIT or a DHCP renewal alone
   * does not.
   */
  arm() {
    const at = this.m._synack_js_poll_at(this.ctx);
    /* A timer due no later than the deadline stays: it polls early (a
     * no-op) and arms again, which costs less than moving a timer at every
     * ACK (the retransmission deadline moves later with each one). */
    if (this.timer !== null ? this.timerAt <= at : at === Infinity) {
      this.refTimer();
      return;
    }
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAt = at;
    if (at === Infinity) return;
    const delay = Math.max(0, Math.ceil(at - this.now()));
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAt = Infinity;
      if (!this.destroyed) this.enter(() => this.m._synack_js_poll(this.ctx, this.now()));
    }, delay);
    this.refTimer();
  }

  refTimer() {
    const t = this.timer;
    if (t === null || typeof t !== 'object') return;
    if (this.watchers.size) t.ref?.();
    else t.unref?.();
  }

  /** Call w.check() at every settle until it returns false. */
  watch(w) {
    this.watchers.add(w);
    this.queueSettle();
  }

  /** Stop calling w.check(). */
  unwatch(w) {
    this.watchers.delete(w);
  }

  /** Make this Core and `peer` (same module) a direct pair. */
  pairWith(peer) {
    this.m._synack_js_pair_direct(this.ctx, peer.ctx);
    this.direct = peer;
    peer.direct = this;
  }

  /** Frames sent to a direct peer in all. */
  pairFrames() {
    return this.destroyed ? this.directFrames : this.m._synack_js_pair_frames(this.ctx) >>> 0;
  }

  /** Stop being a direct pair (frames go through the link again). */
  unpair() {
    const p = this.direct;
    if (!p) return;
    this.direct = p.direct = null;
    if (!this.destroyed) this.m._synack_js_pair_direct(this.ctx, 0);
    else if (!p.destroyed) p.m._synack_js_pair_direct(p.ctx, 0);
  }

  /** Free everything; watchers get w.fail(err) when they have it. */
  destroy() {
    if (this.destroyed) return;
    this.directFrames = this.pairFrames();
    this.unpair();
    this.destroyed = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    const err = new SynackError('closed', 'synack: the stack is closed');
    for (const w of this.watchers) w.fail?.(err);
    this.watchers.clear();
    unregisterCore(this.id);
    this.m._synack_js_free(this.ctx);
    this.m._synack_js_mfree(this.scratch);
    this.outbox = [];
    this.inbox = [];
  }
}
