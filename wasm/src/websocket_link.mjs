/*
 * WebSocketLink: frames to a bridge (synack-bridge behind websockify) over
 * one WebSocket with the stream framing of DESIGN.md (CONTRACT: stream
 * framing): each frame is a 4-byte big-endian length and that many bytes.
 * WebSocket message boundaries mean nothing: a frame may span messages and
 * a message may hold several frames. A length of 0 or above 65535 is a
 * protocol error that closes the link.
 *
 * Sending batches: every frame the stack produces in one run of JavaScript
 * (up to the next microtask checkpoint) goes out in one WebSocket message,
 * cut at BATCH_MAX bytes, so a 64 KB write is one message rather than ~45
 * (each message costs a send call here, a round in websockify, and a read
 * in the bridge).
 */
import { FRAMING } from './constants.mjs';
import { SynackError } from './errors.mjs';
import { Slab } from './util.mjs';

const FRAME_MAX = FRAMING.MAX;
const HDR = FRAMING.HDR_LEN;
/** Largest batch of frames in one WebSocket message (bytes, with lengths). */
export const BATCH_MAX = 256 * 1024;

/** Reassembles length-prefixed frames from arbitrary chunks of a stream. */
export class FrameReader {
  #hdr = new Uint8Array(HDR);
  #hdrHave = 0;
  #frame = null;
  #have = 0;
  error = false;

  /**
   * Feed bytes; calls onFrame(frame) for each complete frame (a view into
   * `bytes` when the frame lies whole inside it: no copy). Returns false
   * (and stays failed) on a length of 0 or above 65535.
   */
  feed(bytes, onFrame) {
    let i = 0;
    while (i < bytes.length && !this.error) {
      if (this.#frame === null && this.#hdrHave === 0 && bytes.length - i >= HDR) {
        // A whole frame inside this chunk: hand on a view, no copy.
        const len = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
        if (len === 0 || len > FRAME_MAX) {
          this.error = true;
          break;
        }
        if (bytes.length - i - HDR >= len) {
          onFrame(new Uint8Array(bytes.buffer, bytes.byteOffset + i + HDR, len));
          i += HDR + len;
          continue;
        }
      }
      if (this.#frame === null) {
        const take = Math.min(HDR - this.#hdrHave, bytes.length - i);
        this.#hdr.set(bytes.subarray(i, i + take), this.#hdrHave);
        this.#hdrHave += take;
        i += take;
        if (this.#hdrHave < HDR) break;
        const h = this.#hdr;
        const len = ((h[0] << 24) | (h[1] << 16) | (h[2] << 8) | h[3]) >>> 0;
        if (len === 0 || len > FRAME_MAX) {
          this.error = true;
          break;
        }
        this.#frame = new Uint8Array(len);
        this.#have = 0;
        this.#hdrHave = 0;
      }
      const f = this.#frame;
      const take = Math.min(f.length - this.#have, bytes.length - i);
      f.set(bytes.subarray(i, i + take), this.#have);
      this.#have += take;
      i += take;
      if (this.#have === f.length) {
        this.#frame = null;
        onFrame(f);
      }
    }
    return !this.error;
  }

  /** Whether part of a frame is buffered. */
  get partial() {
    return this.#frame !== null || this.#hdrHave > 0;
  }
}

/** Encode one frame with its 4-byte big-endian length. */
export function encodeFrame(frame) {
  if (frame.length === 0 || frame.length > FRAME_MAX) {
    throw new RangeError('synack: frame length must be 1..65535');
  }
  const out = new Uint8Array(HDR + frame.length);
  new DataView(out.buffer).setUint32(0, frame.length);
  out.set(frame, HDR);
  return out;
}

/**
 * A link over a WebSocket to a bridge. `ready` resolves once connected and
 * rejects with a SynackError('unreachable') when the bridge cannot be
 * reached; `closed` resolves when close() is called and rejects with a
 * SynackError('link-down') when the bridge drops the connection or breaks
 * the framing. Options: protocols (default ['binary']), mtu (1500), medium
 * ('ethernet' or 'ip'), WebSocket (a constructor, for runtimes without a
 * global one), offload (ask synack-bridge --offload to take TCP
 * super-frames: the stack sends a HELLO first and, once the bridge agrees,
 * ~45 frames' worth of data as one frame; stack.offloadActive says so).
 */
export class WebSocketLink {
  #ws;
  #reader = new FrameReader();
  #opened = false;
  #closing = false;
  #closed;
  #closedResolve;
  #closedReject;
  #pending = [];
  #slab = new Slab();
  #pendingBytes = 0;
  #flushQueued = false;
  #flushTask = () => {
    this.#flushQueued = false;
    this.#flush();
    /* Every frame of this run of JavaScript is in the message now (the
     * stack hands each to send() before it returns): reuse their room. */
    this.#slab.reset();
  };

  constructor(url, options = {}) {
    const WS = options.WebSocket ?? globalThis.WebSocket;
    if (typeof WS !== 'function') {
      throw new SynackError('unsupported',
        'synack: no WebSocket in this runtime (Node 20: run with --experimental-websocket, or pass { WebSocket })');
    }
    this.url = String(url);
    this.mtu = options.mtu ?? 1500;
    this.medium = options.medium ?? 'ethernet';
    this.offload = options.offload === true;
    this.onframe = null;
    this.framesIn = 0;
    this.framesOut = 0;
    this.messagesIn = 0;
    this.messagesOut = 0;
    this.#closed = new Promise((res, rej) => {
      this.#closedResolve = res;
      this.#closedReject = rej;
    });
    this.#closed.catch(() => {});

    const ws = new WS(this.url, options.protocols ?? ['binary']);
    ws.binaryType = 'arraybuffer';
    this.#ws = ws;
    this.ready = new Promise((resolve, reject) => {
      ws.onopen = () => {
        this.#opened = true;
        resolve();
      };
      ws.onerror = () => {
        if (!this.#opened) {
          reject(new SynackError('unreachable', `synack: cannot reach the bridge at ${this.url}`));
        }
      };
      ws.onclose = (ev) => {
        if (!this.#opened) {
          reject(new SynackError('unreachable',
            `synack: cannot reach the bridge at ${this.url} (WebSocket closed, code ${ev.code})`));
        }
        this.#onClose(ev);
      };
    });
    this.ready.catch(() => {});
    ws.onmessage = (ev) => this.#onMessage(ev.data);
  }

  /** Settles when the link is closed; rejects when the bridge dropped it. */
  get closed() {
    return this.#closed;
  }

  /**
   * Send one frame (dropped when the socket is not open). It goes out with
   * the other frames of this run of JavaScript, in one message; the frame
   * must not change afterwards (the stack hands over its own copy).
   */
  send(frame) {
    if (this.#ws.readyState !== 1) return;
    if (frame.length === 0 || frame.length > FRAME_MAX) {
      throw new RangeError('synack: frame length must be 1..65535');
    }
    this.#pending.push(frame);
    this.#pendingBytes += HDR + frame.length;
    this.framesOut++;
    if (this.#pendingBytes >= BATCH_MAX) {
      this.#flush();
    } else if (!this.#flushQueued) {
      this.#flushQueued = true;
      queueMicrotask(this.#flushTask);
    }
  }

  /** For the stack (core.mjs): room for an outgoing frame (a view of a shared slab). */
  frameBuffer(len) {
    return this.#slab.take(len);
  }

  /* The pending frames as one message. */
  #flush() {
    const frames = this.#pending;
    if (frames.length === 0) return;
    const out = new Uint8Array(this.#pendingBytes);
    this.#pending = [];
    this.#pendingBytes = 0;
    if (this.#ws.readyState !== 1) return;
    let o = 0;
    for (const f of frames) {
      const n = f.length;
      out[o] = n >>> 24;
      out[o + 1] = (n >>> 16) & 255;
      out[o + 2] = (n >>> 8) & 255;
      out[o + 3] = n & 255;
      out.set(f, o + HDR);
      o += HDR + n;
    }
    this.#ws.send(out);
    this.messagesOut++;
  }

  /** Close the WebSocket (frames still pending are sent first). */
  close() {
    if (this.#closing) return;
    this.#flush();
    this.#closing = true;
    try {
      this.#ws.close(1000, 'synack: closed');
    } catch {
      /* already closed */
    }
    this.#closedResolve();
  }

  #onMessage(data) {
    if (typeof data === 'string') {
      this.#protocolError('the bridge sent text; expected binary frames');
      return;
    }
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data)
      : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    this.messagesIn++;
    const ok = this.#reader.feed(bytes, (frame) => {
      this.framesIn++;
      this.onframe?.(frame);
    });
    if (!ok) this.#protocolError('bad frame length (0 or above 65535)');
  }

  #protocolError(why) {
    this.#closedReject(new SynackError('link-down', `synack: ${this.url}: ${why}`));
    this.#closing = true;
    try {
      this.#ws.close(4000, 'synack: framing error');
    } catch {
      /* already closed */
    }
  }

  #onClose(ev) {
    if (this.#closing) {
      this.#closedResolve();
      return;
    }
    this.#closing = true;
    const why = this.#reader.partial ? ', in the middle of a frame' : '';
    this.#closedReject(new SynackError('link-down',
      `synack: the bridge at ${this.url} closed the connection (code ${ev.code}${why})`));
  }
}
