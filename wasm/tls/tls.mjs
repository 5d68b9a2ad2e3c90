/*
 * synack-tls.mjs: TLS for the JavaScript API, loaded by synack.mjs only
 * when a socket asks for it (secureTransport 'on', or startTls()), so the
 * base module stays within its size budget. The TLS engine is tls/ (the
 * sans-IO layer over BearSSL) in a wasm module of its own; this file
 * moves bytes between it and a TcpSocket's streams.
 *
 * Entropy: crypto.getRandomValues, 48 bytes per connection. Time:
 * Date.now() for certificate validity.
 */
import synackTlsWasm from './synack_tls_glue.mjs';

const AGAIN = -1;
const DEAD = -2;
const OPEN = 1;
const FAILED = 3;
const ERRCAP = 256;
const CHUNK = 16384;
/* Default tls.handshakeTimeout, ms (the tool's SYNACK_CLI_TLS_HANDSHAKE_MS). */
const HANDSHAKE_MS = 30000;

let loading = null;
let source = null;

/** Override where synack-tls.wasm comes from (URL, Response, bytes or Module). */
export function setTlsWasmSource(src) {
  if (loading) throw new Error('synack: the TLS module is already loaded');
  source = src;
}

const NODE_FS = 'node:fs/promises';

async function instantiate(imports) {
  const src = source;
  if (src instanceof WebAssembly.Module) {
    return { instance: await WebAssembly.instantiate(src, imports), module: src };
  }
  if (ArrayBuffer.isView(src) || src instanceof ArrayBuffer) return WebAssembly.instantiate(src, imports);
  const url = src ?? new URL('synack-tls.wasm', import.meta.url);
  if (typeof process === 'object' && typeof process.versions?.node === 'string' && String(url).startsWith('file:')) {
    const { readFile } = await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_FS);
    return WebAssembly.instantiate(await readFile(new URL(url)), imports);
  }
  const response = typeof Response === 'function' && src instanceof Response ? src : await fetch(url);
  if (!response.ok) throw new Error(`synack: cannot load ${response.url || url}: HTTP ${response.status}`);
  return WebAssembly.instantiate(await response.arrayBuffer(), imports);
}

function wasm() {
  if (!loading) {
    let failed;
    const failure = new Promise((_, reject) => { failed = reject; });
    loading = Promise.race([synackTlsWasm({
      instantiateWasm(imports, receive) {
        instantiate(imports).then((r) => receive(r.instance, r.module), (e) => failed(e));
        return {};
      },
    }), failure]);
    loading.catch(() => { loading = null; });
  }
  return loading;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/* PEM text (string, bytes, or an array of them) as bytes, or null. */
function pemBytes(v) {
  if (v === undefined || v === null) return null;
  if (Array.isArray(v)) return pemBytes(v.map((x) => (typeof x === 'string' ? x : dec.decode(x))).join('\n'));
  return typeof v === 'string' ? enc.encode(v) : new Uint8Array(v);
}

/* One TLS engine (synack_tls) in the wasm module's memory. */
class Engine {
  constructor(m, cfg) {
    this.m = m;
    this.buf = m._malloc(CHUNK);
    this.lenp = m._malloc(4);
    const allocs = [];
    const put = (bytes, nul) => {
      if (!bytes) return [0, 0];
      const p = m._malloc(bytes.length + (nul ? 1 : 0) + 1);
      allocs.push(p);
      m.HEAPU8.set(bytes, p);
      if (nul) m.HEAPU8[p + bytes.length] = 0;
      return [p, bytes.length];
    };
    const seed = crypto.getRandomValues(new Uint8Array(48));
    const alpn = cfg.alpn ?? [];
    const [name] = put(cfg.servername ? enc.encode(cfg.servername) : null, true);
    const [ca, caLen] = put(cfg.ca, false);
    const [cert, certLen] = put(cfg.cert, false);
    const [key, keyLen] = put(cfg.key, false);
    const [al] = put(alpn.length ? enc.encode(alpn.map((a) => `${a}\0`).join('')) : null, false);
    const [sd, sdLen] = put(seed, false);
    const err = m._malloc(ERRCAP);
    allocs.push(err);
    m.HEAPU8[err] = 0;
    this.t = m._synack_tlsjs_new(cfg.server ? 1 : 0, name, cfg.insecure ? 1 : 0, ca, caLen,
      cert, certLen, key, keyLen, al, alpn.length, Date.now() / 1000, sd, sdLen, err, ERRCAP);
    this.configError = this.t ? null : this.str(err);
    m.HEAPU8.fill(0, sd, sd + sdLen);
    for (const p of allocs) m._free(p);
  }

  str(p) {
    if (!p) return null;
    const h = this.m.HEAPU8;
    let e = p;
    while (h[e]) e++;
    return dec.decode(h.subarray(p, e));
  }

  /** Ciphertext in: how many bytes were taken (or DEAD). */
  feed(bytes) {
    if (!this.t) return DEAD;
    const n = Math.min(bytes.length, CHUNK);
    this.m.HEAPU8.set(bytes.subarray(0, n), this.buf);
    return this.m._synack_tls_feed(this.t, this.buf, n);
  }

  /** Ciphertext out (a copy, consumed), or null. */
  output() {
    if (!this.t) return null;
    const p = this.m._synack_tlsjs_output(this.t, this.lenp);
    const n = this.m.HEAPU32[this.lenp >> 2];
    if (!p || !n) return null;
    const out = this.m.HEAPU8.slice(p, p + n);
    this.m._synack_tls_output_done(this.t, n);
    return out;
  }

  /** Plaintext in: bytes, 0 (closed cleanly), AGAIN or DEAD. */
  read() {
    if (!this.t) return DEAD;
    const n = this.m._synack_tls_read(this.t, this.buf, CHUNK);
    return n > 0 ? this.m.HEAPU8.slice(this.buf, this.buf + n) : n;
  }

  write(bytes) {
    if (!this.t) return DEAD;
    const n = Math.min(bytes.length, CHUNK);
    this.m.HEAPU8.set(bytes.subarray(0, n), this.buf);
    return this.m._synack_tls_write(this.t, this.buf, n);
  }

  /* After free() (a socket closed while a loop still runs) every call is
   * a no-op and the engine reads as failed. */
  flush() { if (this.t) this.m._synack_tls_flush(this.t); }
  close() { if (this.t) this.m._synack_tls_close(this.t); }
  eof() { if (this.t) this.m._synack_tls_eof(this.t); }
  state() { return this.t ? this.m._synack_tls_get_state(this.t) : FAILED; }

  error() {
    const m = this.m;
    if (!this.t) return { reason: 'closed', message: 'the socket was closed' };
    return {
      reason: this.str(m._synack_tls_error_name(m._synack_tls_error_code(this.t))),
      message: this.str(m._synack_tls_error_message(this.t)),
    };
  }

  info() {
    const m = this.m;
    return {
      protocol: this.str(m._synack_tls_version(this.t)),
      cipher: this.str(m._synack_tls_cipher(this.t)),
      alpn: this.str(m._synack_tls_alpn(this.t)),
    };
  }

  free() {
    if (!this.t && !this.buf) return;
    if (this.t) this.m._synack_tls_free(this.t);
    this.m._free(this.buf);
    this.m._free(this.lenp);
    this.t = this.buf = 0;
  }
}

/*
 * Run TLS over `tcp` (a TcpSocket that nobody else reads or writes):
 * ciphertext through its streams, plaintext out to `plainOut` (a
 * WritableStream the application reads from the other end of) and in from
 * `plainIn`. Returns { opened, closed, close() } for the socket shell of
 * synack.mjs (tcp.mjs: secureSocket).
 *   options: { server, servername, alpn, tls: { ca, cert, key,
 *              servername, rejectUnauthorized, handshakeTimeout } }
 */
export function secure(tcp, options, plainOut, plainIn, SynackError) {
  const tls = options.tls ?? {};
  let eng = null;
  let failed = null;
  let pending = null;
  let closing = false;
  let resolveOpened;
  let rejectOpened;
  let resolveClosed;
  let rejectClosed;
  const opened = new Promise((a, b) => { resolveOpened = a; rejectOpened = b; });
  const closed = new Promise((a, b) => { resolveClosed = a; rejectClosed = b; });
  opened.catch(() => {});
  closed.catch(() => {});
  const reader = tcp.readable.getReader();
  const writer = tcp.writable.getWriter();
  const out = plainOut.getWriter();
  const inp = plainIn.getReader();

  const tlsError = (reason, message) => {
    const e = new SynackError('tls', `synack: TLS: ${message}`);
    e.reason = reason;
    return e;
  };

  /* Send what the engine has; the writes queue in order. */
  const flushOut = async () => {
    for (;;) {
      const b = eng.output();
      if (!b) return;
      await writer.write(b);
    }
  };

  /* More ciphertext in (one TCP chunk, or what the engine left). */
  const readMore = async () => {
    if (!pending) {
      const { value, done } = await reader.read();
      if (done) {
        eng.eof();
        await flushOut();
        return;
      }
      pending = value;
    }
    const n = eng.feed(pending);
    if (n > 0) pending = n < pending.length ? pending.subarray(n) : null;
    await flushOut();
  };

  const failWith = (e) => {
    if (failed || closing) return;
    failed = e;
    rejectOpened(e);
    out.abort(e).catch(() => {});
    inp.cancel(e).catch(() => {});
    /* The fatal alert, if any, then TCP's own close. */
    const done = () => { eng?.free(); tcp.close(); rejectClosed(e); };
    (eng?.t ? flushOut().then(() => writer.close()) : Promise.resolve()).then(done, done);
  };
  const check = () => {
    if (eng.state() === FAILED) {
      const { reason, message } = eng.error();
      throw tlsError(reason, message);
    }
  };

  let readDone = false;
  let writeDone = false;
  const maybeClosed = () => {
    if (readDone && writeDone && !failed) {
      eng.free();
      tcp.close();
      resolveClosed();
    }
  };

  const readLoop = async () => {
    for (;;) {
      const r = eng.read();
      if (typeof r !== 'number') {
        await out.write(r);
        continue;
      }
      if (r === 0) {
        /* close_notify: TLS 1.2 has no half-close, the engine answered
         * with its own and both directions are over. */
        await flushOut().catch(() => {});
        readDone = true;
        inp.cancel(new SynackError('closed', 'synack: TLS: the peer closed the connection')).catch(() => {});
        await out.close();
        return;
      }
      if (r === DEAD) check();
      if (closing) return;
      await readMore();
    }
  };

  const writeLoop = async () => {
    for (;;) {
      const { value, done } = await inp.read();
      if (done || closing) {
        if (!failed && eng.state() === OPEN) {
          eng.close();
          await flushOut();
        }
        writeDone = true;
        return;
      }
      const data = typeof value === 'string' ? enc.encode(value)
        : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
          : new Uint8Array(value);
      let off = 0;
      while (off < data.length) {
        const n = eng.write(data.subarray(off));
        if (n === DEAD) {
          check();
          throw new SynackError('closed', 'synack: TLS: the peer closed the connection (close_notify)');
        }
        if (n > 0) off += n;
        eng.flush();
        await flushOut();
        if (n <= 0) await readMore(); /* the handshake or a full buffer: let input move */
      }
    }
  };

  (async () => {
    const info = await tcp.opened;
    const m = await wasm().catch((e) => {
      throw tlsError('load', `cannot load synack-tls.wasm: ${e.message}`);
    });
    const insecure = tls.rejectUnauthorized === false;
    const servername = tls.servername ?? options.servername;
    eng = new Engine(m, {
      server: !!options.server,
      servername: insecure && !servername ? null : servername,
      insecure,
      ca: pemBytes(tls.ca),
      cert: pemBytes(tls.cert),
      key: pemBytes(tls.key),
      alpn: options.alpn ?? tls.alpn,
    });
    if (eng.configError) throw tlsError('config', eng.configError);
    /* A server that accepts TCP and then says nothing must not leave
     * `opened` pending forever (the tool waits as long). */
    const ms = tls.handshakeTimeout ?? HANDSHAKE_MS;
    const timer = setTimeout(() => failWith(tlsError('handshake',
      `handshake failure: no answer within ${ms / 1000} s`)), ms);
    try {
      await flushOut();
      while (eng.state() !== OPEN) {
        check();
        await readMore();
      }
    } finally {
      clearTimeout(timer);
    }
    if (failed) return;
    resolveOpened({ ...info, ...eng.info() });
    await Promise.all([
      readLoop().then(() => { readDone = true; }),
      writeLoop(),
    ]);
    maybeClosed();
  })().catch((e) => {
    failWith(e?.code ? e : tlsError('handshake', String(e?.message ?? e)));
  });

  return {
    opened,
    closed,
    close() {
      if (!failed && !closing) {
        closing = true;
        const err = new SynackError('closed', 'synack: the socket was closed');
        rejectOpened(err);
        if (eng?.t && eng.state() === OPEN) {
          eng.close();
          flushOut().catch(() => {});
        }
        out.abort(err).catch(() => {});
        inp.cancel(err).catch(() => {});
        writer.close().catch(() => {}).finally(() => {
          eng?.free();
          tcp.close();
          resolveClosed();
        });
      }
      return closed;
    },
  };
}
