/*
 * Small helpers shared by the modules: IPv4 and IPv6 text (RFC 4291 section
 * 2.2 in, RFC 5952 out), the glue's address bytes, byte conversion, a
 * seeded random generator, and a fast "next task" scheduler.
 */
import { ADDR_LEN, AF } from './constants.mjs';
import { SynackError } from './errors.mjs';

/** Parse 'A.B.C.D' into a uint32 (host order); null when not a literal. */
export function parseIp4(text) {
  if (typeof text !== 'string') return null;
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return null;
  let v = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return null;
    v = v * 256 + o;
  }
  return v;
}

/** Format a uint32 (host order) as 'A.B.C.D'. */
export function formatIp4(v) {
  v >>>= 0;
  return `${v >>> 24}.${(v >>> 16) & 255}.${(v >>> 8) & 255}.${v & 255}`;
}

/** Parse IPv6 text ('::1', 'fe80::1', '::ffff:10.0.0.1') into 16 bytes; null when not a literal. */
export function parseIp6(text) {
  if (typeof text !== 'string' || text.length > 45 || !text.includes(':')) return null;
  let t = text;
  const dot = t.lastIndexOf(':');
  if (t.includes('.')) { /* an IPv4 tail: two groups */
    const v = parseIp4(t.slice(dot + 1));
    if (v === null) return null;
    t = `${t.slice(0, dot + 1)}${(v >>> 16).toString(16)}:${(v & 0xffff).toString(16)}`;
  }
  const halves = t.split('::');
  if (halves.length > 2) return null;
  const group = (g) => (/^[0-9a-fA-F]{1,4}$/.test(g) ? parseInt(g, 16) : NaN);
  const side = (x) => (x === '' ? [] : x.split(':').map(group));
  const head = side(halves[0]);
  const rest = halves.length === 2 ? side(halves[1]) : [];
  const n = head.length + rest.length;
  if (head.concat(rest).some(Number.isNaN) || (halves.length === 2 ? n > 7 : n !== 8)) return null;
  const groups = head.concat(new Array(8 - n).fill(0), rest);
  const b = new Uint8Array(16);
  groups.forEach((g, i) => { b[2 * i] = g >> 8; b[2 * i + 1] = g & 255; });
  return b;
}

/** Format 16 bytes as RFC 5952 text. */
export function formatIp6(b) {
  const g = [];
  for (let i = 0; i < 8; i++) g.push((b[2 * i] << 8) | b[2 * i + 1]);
  if (g.slice(0, 5).every((x) => x === 0) && g[5] === 0xffff) {
    return `::ffff:${b[12]}.${b[13]}.${b[14]}.${b[15]}`;
  }
  let best = -1, len = 1;
  for (let i = 0; i < 8;) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > len) { best = i; len = j - i; }
    i = j;
  }
  const hex = (a) => a.map((x) => x.toString(16)).join(':');
  return best < 0 ? hex(g) : `${hex(g.slice(0, best))}::${hex(g.slice(best + len))}`;
}

/* The glue's address: ADDR_LEN bytes, the family (AF), then 16 bytes
 * (IPv4 in the first 4). */

/** Parse an IPv4 or IPv6 literal (IPv6 also in brackets) into glue bytes; null when not one. */
export function parseAddr(text) {
  if (typeof text !== 'string') return null;
  const t = text.trim();
  const a = new Uint8Array(ADDR_LEN);
  const v4 = parseIp4(t);
  if (v4 !== null) {
    a[0] = AF.IP4;
    a[1] = v4 >>> 24; a[2] = (v4 >>> 16) & 255; a[3] = (v4 >>> 8) & 255; a[4] = v4 & 255;
    return a;
  }
  const v6 = parseIp6(t.startsWith('[') && t.endsWith(']') ? t.slice(1, -1) : t);
  if (v6 === null) return null;
  a[0] = AF.IP6;
  a.set(v6, 1);
  return a;
}

/** Text of glue address bytes (null for none). */
export function formatAddr(a) {
  if (a[0] === AF.IP4) return `${a[1]}.${a[2]}.${a[3]}.${a[4]}`;
  if (a[0] === AF.IP6) return formatIp6(a.subarray(1, 17));
  return null;
}

/** Parse 'A.B.C.D/LEN' into { addr, prefix }; throws SynackError('invalid'). */
export function parseCidr(text) {
  const [ip, len, extra] = String(text).split('/');
  const addr = parseIp4(ip);
  const prefix = len === undefined ? 24 : Number(len);
  if (addr === null || extra !== undefined || !Number.isInteger(prefix) ||
      prefix < 0 || prefix > 32) {
    throw new SynackError('invalid', `synack: bad address '${text}' (want 'A.B.C.D/LEN' or 'dhcp')`);
  }
  return { addr, prefix };
}

/** Parse 'xx:xx:xx:xx:xx:xx' into 6 bytes; throws SynackError('invalid'). */
export function parseMac(text) {
  const parts = String(text).split(/[:-]/);
  if (parts.length !== 6 || parts.some((p) => !/^[0-9a-fA-F]{1,2}$/.test(p))) {
    throw new SynackError('invalid', `synack: bad MAC address '${text}'`);
  }
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

/** Format 6 bytes as 'xx:xx:xx:xx:xx:xx'. */
export function formatMac(b) {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(':');
}

const encoder = new TextEncoder();

/** Bytes of a write: Uint8Array as is, other views and buffers wrapped, strings UTF-8. */
export function toBytes(data) {
  if (data instanceof Uint8Array) return data;
  if (typeof data === 'string') return encoder.encode(data);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data);
  }
  throw new TypeError('synack: data must be a Uint8Array, ArrayBuffer, view or string');
}

/** Random bytes from the platform (Web Crypto, in browsers and Node). */
export function randomBytes(n) {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/**
 * A seeded generator (SplitMix32 seeding an xorshift128): uniform floats in
 * [0, 1). The same seed gives the same sequence everywhere.
 */
export class Rng {
  constructor(seed) {
    let x = (Number(seed) >>> 0) ^ 0x9e3779b9;
    const mix = () => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s = [mix() || 1, mix(), mix(), mix()];
  }

  /** The next uint32. */
  u32() {
    const s = this.s;
    let t = s[3];
    const x = s[0];
    s[3] = s[2]; s[2] = s[1]; s[1] = x;
    t ^= t << 11; t ^= t >>> 8;
    s[0] = (t ^ x ^ (x >>> 19)) >>> 0;
    return s[0];
  }

  /** A float in [0, 1). */
  next() {
    return this.u32() / 4294967296;
  }

  /** True with probability p. */
  chance(p) {
    return p > 0 && (p >= 1 || this.next() < p);
  }
}

/*
 * Run fn as a new task soon, without the 4 ms clamp of nested setTimeout:
 * setImmediate in Node, a MessageChannel in browsers and workers.
 */
export const nextTask = (() => {
  if (typeof globalThis.setImmediate === 'function') return (fn) => globalThis.setImmediate(fn);
  if (typeof MessageChannel === 'function') {
    const q = [];
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      const fn = q.shift();
      if (fn) fn();
    };
    return (fn) => {
      q.push(fn);
      ch.port2.postMessage(0);
    };
  }
  return (fn) => setTimeout(fn, 0);
})();

/**
 * Views of `len` bytes cut one after the other from 64 KB buffers, for
 * outgoing frames: one allocation per many frames (a fresh ArrayBuffer per
 * frame costs more than copying the frame). A view's bytes are handed out
 * again only after reset(); a buffer is freed once no view of it is left.
 */
export class Slab {
  #buf = null;
  #off = 0;

  take(len) {
    if (!this.#buf || this.#off + len > 65536) {
      if (len > 16384) return new Uint8Array(len);
      this.#buf = new Uint8Array(65536);
      this.#off = 0;
    }
    const v = this.#buf.subarray(this.#off, this.#off + len);
    this.#off += len;
    return v;
  }

  /** Start over in the current buffer: only once no view taken is in use. */
  reset() {
    this.#off = 0;
  }
}

/** Milliseconds from a monotonic clock. */
export function monotonicMs() {
  return performance.now();
}

/** A promise plus its resolve/reject (Promise.withResolvers is not in Node 20). */
export function deferred() {
  let resolve, reject;
  const promise = new Promise((res, rej) => { resolve = res; reject = rej; });
  return { promise, resolve, reject };
}
