/*
 * TCP sockets shaped like the WinterTC Sockets API (connect() as in
 * Cloudflare Workers and Deno): `opened`, `closed`, a ReadableStream and a
 * WritableStream, close(). Backpressure is TCP's own in both directions:
 * the readable stream pulls from the core's receive buffer only while its
 * queue has room (so a slow reader closes the advertised window), and a
 * write resolves only once the core's send buffer has taken all of it.
 *
 * Failures are the connection's sticky error (RFC 9293 §3.10: "connection
 * refused", "connection reset", user timeout; ICMP/ARP unreachable) as a
 * SynackError with code 'refused', 'reset', 'timeout' or 'unreachable'.
 */
import { CHUNK } from './core.mjs';
import { ERR, EV, OUT, TCPOPT, TCP_STATES } from './constants.mjs';
import { SynackError, errorFrom } from './errors.mjs';
import { Inbox } from './inbox.mjs';
import { deferred, toBytes } from './util.mjs';


const noop = () => {};

/* Thin wrappers over the glue's TCP calls. */
function tcpEvents(core, h) {
  return core.m._synack_js_tcp_events(core.ctx, h) >>> 0;
}

function tcpError(core, h) {
  return core.m._synack_js_tcp_error(core.ctx, h);
}

/** Open a TCP handle with the given socket options applied. */
export function tcpOpen(core, options = {}) {
  const h = core.enter(() => core.m._synack_js_tcp_open(core.ctx));
  if (h < 0) throw errorFrom(h, 'synack: cannot open a TCP socket');
  applyOptions(core, h, options);
  return h;
}

/* synack_tcp_opt values for the per-socket options of connect()/listen(). */
function applyOptions(core, h, o) {
  const set = (opt, v) => {
    if (v !== undefined) core.m._synack_js_tcp_setopt(core.ctx, h, opt, Number(v));
  };
  set(TCPOPT.SNDBUF, o.sendBuffer);
  set(TCPOPT.RCVBUF, o.receiveBuffer);
  if (o.noDelay !== undefined) set(TCPOPT.NODELAY, o.noDelay ? 1 : 0);
  if (o.keepAlive !== undefined) set(TCPOPT.KEEPALIVE, o.keepAlive ? 1 : 0);
  if (o.reuseAddr !== undefined) set(TCPOPT.REUSEADDR, o.reuseAddr ? 1 : 0);
  if (o.keepAliveIdle > 0) set(TCPOPT.KEEPIDLE_MS, o.keepAliveIdle);
}

/**
 * One TCP connection. Made by Stack.connect() (active open) or handed out
 * by a TcpServer (passive open); not constructed directly.
 */
export class TcpSocket {
  #core;
  #h = -1;
  #opened = deferred();
  #closed = deferred();
  #rc;
  #wc;
  #readWait = null;
  #writeWait = null;
  #connected = false;
  #readDone = false;
  #rcClosed = false;
  #writeDone = false;
  #writing = false;
  #autoShutdown = false;
  #released = false;
  #failed = null;
  #allowHalfOpen;
  #hwm;
  #peer = null;

  /**
   * @param core the stack's Core
   * @param opts { allowHalfOpen, highWaterMark } plus either { handle } of
   *   an accepted connection or { pending } — a promise of the handle of a
   *   connection being opened.
   */
  constructor(core, opts) {
    this.#core = core;
    this.#allowHalfOpen = !!opts.allowHalfOpen;
    this.#hwm = opts.highWaterMark ?? CHUNK;
    this.#opened.promise.catch(noop);
    this.#closed.promise.catch(noop);

    /* A byte stream, so a BYOB reader's buffer is filled with no chunk
     * allocated; where a runtime has none, a stream of Uint8Arrays. */
    const source = {
      start: (c) => { this.#rc = c; },
      pull: (c) => this.#pull(c),
      cancel: () => this.#cancelRead(),
    };
    try {
      this.readable = new ReadableStream({ ...source, type: 'bytes' }, { highWaterMark: this.#hwm });
    } catch {
      this.readable = new ReadableStream(source, { highWaterMark: this.#hwm, size: (chunk) => chunk.byteLength });
    }

    this.writable = new WritableStream({
      start: (c) => { this.#wc = c; },
      write: (chunk) => this.#write(chunk),
      close: () => this.#closeWrite(),
      abort: () => this.#abort(),
    });

    if (opts.handle !== undefined) {
      this.#attach(opts.handle);
    } else {
      opts.pending.then((h) => {
        if (this.#released) {
          core.enter(() => core.m._synack_js_tcp_abort(core.ctx, core.now(), h));
          return;
        }
        this.#attach(h);
      }, (err) => this.#fail(err));
    }
  }

  #attach(h) {
    this.#h = h;
    this.#core.watch(this);
  }

  /** Resolves with the addresses once connected; rejects with a SynackError. */
  get opened() {
    return this.#opened.promise;
  }

  /** Resolves when the socket is closed; rejects when it failed. */
  get closed() {
    return this.#closed.promise;
  }

  /** The connection's handle (the `conn` of its trace events); -1 before one exists. */
  get conn() {
    return this.#h;
  }

  /**
   * Change options of a connection that has a handle: noDelay, keepAlive,
   * keepAliveIdle (ms of idle before the first probe). Returns false (and
   * changes nothing) before the handle exists or once it is released.
   */
  setOptions(options) {
    if (this.#h < 0 || this.#released || this.#core.destroyed) return false;
    applyOptions(this.#core, this.#h, options);
    return true;
  }

  /** Snapshot of the connection (synack_tcp_info), or null when released. */
  info() {
    if (this.#h < 0 || this.#released) return null;
    const core = this.#core;
    if (core.destroyed || core.m._synack_js_tcp_info(core.ctx, this.#h, core.out, core.addrOut(0)) < 0) return null;
    const v = (i) => core.f64(i);
    return {
      state: TCP_STATES[v(OUT.INFO.STATE)] ?? String(v(OUT.INFO.STATE)),
      localAddress: core.addrText(0), localPort: v(OUT.INFO.LOCAL_PORT),
      remoteAddress: core.addrText(1), remotePort: v(OUT.INFO.REMOTE_PORT),
      snd_una: v(OUT.INFO.SND_UNA), snd_nxt: v(OUT.INFO.SND_NXT), snd_wnd: v(OUT.INFO.SND_WND), rcv_nxt: v(OUT.INFO.RCV_NXT), rcv_wnd: v(OUT.INFO.RCV_WND),
      cwnd: v(OUT.INFO.CWND), ssthresh: v(OUT.INFO.SSTHRESH), srtt: v(OUT.INFO.SRTT), rttvar: v(OUT.INFO.RTTVAR), rto: v(OUT.INFO.RTO),
      mss: v(OUT.INFO.MSS), sndbuf: v(OUT.INFO.SNDBUF), rcvbuf: v(OUT.INFO.RCVBUF),
      bytesSent: v(OUT.INFO.BYTES_SENT), bytesReceived: v(OUT.INFO.BYTES_RECEIVED),
      rexmitSegs: v(OUT.INFO.REXMIT_SEGS), rexmitBytes: v(OUT.INFO.REXMIT_BYTES),
    };
  }

  /**
   * Close both directions: queued data is still sent, then FIN (RST when
   * received data was left unread). Returns `closed`.
   */
  close() {
    if (!this.#released && !this.#failed) {
      const err = new SynackError('closed', 'synack: the socket was closed');
      /* Data still queued in the readable stream was never read by the
       * application: like unread data in the core, that means RST. */
      const unread = !this.#rcClosed && this.#rc.desiredSize !== null && this.#rc.desiredSize < this.#hwm;
      this.#opened.reject(err);
      this.#readDone = true;
      this.#closeReadable();
      this.#writeDone = true;
      this.#wc.error(err);
      this.#wake();
      this.#release(unread);
      this.#closed.resolve();
    }
    return this.#closed.promise;
  }

  /** Readiness check, called by the core after every burst of calls. */
  check() {
    if (this.#released) return false;
    const ev = tcpEvents(this.#core, this.#h);
    if (ev & EV.ERROR || (!this.#connected && ev & EV.CLOSED)) {
      const e = tcpError(this.#core, this.#h);
      this.#fail(errorFrom(e < 0 ? e : ERR.REFUSED, 'synack: connection'));
      return false;
    }
    if (!this.#connected && ev & EV.CONNECTED) {
      this.#connected = true;
      this.#opened.resolve(this.#addresses());
    }
    if (this.#readWait && ev & (EV.READABLE | EV.EOF | EV.CLOSED)) {
      const r = this.#readWait;
      this.#readWait = null;
      r();
    }
    if (this.#writeWait && ev & (EV.WRITABLE | EV.CLOSED)) {
      const r = this.#writeWait;
      this.#writeWait = null;
      r();
    }
    return true;
  }

  /** The stack went away. */
  fail(err) {
    this.#fail(err);
  }

  #addresses() {
    const i = this.info();
    if (!i) return {};
    this.#peer = i;
    return {
      remoteAddress: i.remoteAddress, remotePort: i.remotePort,
      localAddress: i.localAddress, localPort: i.localPort,
    };
  }

  /** Peer address ('A.B.C.D') once connected. */
  get remoteAddress() {
    return this.#peer?.remoteAddress ?? null;
  }

  /** Peer port once connected. */
  get remotePort() {
    return this.#peer?.remotePort ?? null;
  }

  #wait(which) {
    return new Promise((resolve) => {
      if (which === 'read') this.#readWait = resolve;
      else this.#writeWait = resolve;
      this.#core.watch(this);
    });
  }

  #wake() {
    const r = this.#readWait;
    const w = this.#writeWait;
    this.#readWait = this.#writeWait = null;
    r?.();
    w?.();
  }

  async #pull(c) {
    if (!this.#connected) await this.#opened.promise;
    const core = this.#core;
    for (;;) {
      if (this.#readDone || this.#failed) return;
      const h = this.#h;
      /* a BYOB read: copy straight into the reader's buffer */
      const req = c.byobRequest;
      const v = req?.view;
      const r = core.enter(() => {
        const n = core.m._synack_js_tcp_recv(core.ctx, core.now(), h, core.scratch,
          v ? Math.min(v.byteLength, CHUNK) : CHUNK);
        if (n <= 0) return n;
        const from = core.m.HEAPU8.subarray(core.scratch, core.scratch + n);
        if (!v) return from.slice();
        (n === v.byteLength ? v : new Uint8Array(v.buffer, v.byteOffset, n)).set(from);
        return n;
      });
      if (typeof r !== 'number') {
        c.enqueue(r);
        return;
      }
      if (r > 0) {
        req.respond(r);
        return;
      }
      if (r === 0) {
        this.#readDone = true;
        this.#closeReadable();
        this.#onEof();
        return;
      }
      if (r !== ERR.AGAIN) {
        this.#fail(errorFrom(r, 'synack: receive'));
        return;
      }
      await this.#wait('read');
    }
  }

  #closeReadable() {
    if (this.#rcClosed) return;
    this.#rcClosed = true;
    try {
      this.#rc.close();
      /* a waiting BYOB read ends with done (byte streams only) */
      this.#rc.byobRequest?.respond(0);
    } catch {
      /* already errored or cancelled */
    }
  }

  #cancelRead() {
    this.#readDone = true;
    this.#rcClosed = true;
    this.#maybeFinish();
  }

  /*
   * Peer's FIN read. Without allowHalfOpen our side is shut down too, once
   * the writable side has been idle for a task: a pipe that just read the
   * last chunk (readable.pipeTo(writable)) still gets to write it.
   */
  #onEof() {
    if (!this.#allowHalfOpen && !this.#writeDone) {
      this.#autoShutdown = true;
      this.#scheduleAutoShutdown();
    }
    this.#maybeFinish();
  }

  #scheduleAutoShutdown() {
    setTimeout(() => {
      if (this.#writing || this.#writeDone || this.#released) return;
      this.#shutdown();
      this.#maybeFinish();
    }, 0);
  }

  #shutdown() {
    if (this.#writeDone || this.#released) return;
    this.#writeDone = true;
    const core = this.#core;
    const h = this.#h;
    const r = core.enter(() => core.m._synack_js_tcp_shutdown(core.ctx, core.now(), h));
    if (r < 0 && r !== ERR.CLOSED && r !== ERR.STATE) this.#fail(errorFrom(r, 'synack: shutdown'));
  }

  async #write(chunk) {
    if (!this.#connected) await this.#opened.promise;
    const data = toBytes(chunk);
    const core = this.#core;
    this.#writing = true;
    try {
      let off = 0;
      while (off < data.length) {
        if (this.#failed) throw this.#failed;
        if (this.#writeDone) throw new SynackError('closed', 'synack: the sending side is closed');
        const n = Math.min(CHUNK, data.length - off);
        const h = this.#h;
        const r = core.enter(() => {
          core.m.HEAPU8.set(n === data.length ? data : data.subarray(off, off + n), core.scratch);
          return core.m._synack_js_tcp_send(core.ctx, core.now(), h, core.scratch, n);
        });
        if (r > 0) {
          off += r;
        } else if (r === ERR.AGAIN || r === 0) {
          await this.#wait('write');
        } else {
          const e = errorFrom(r, 'synack: send');
          this.#fail(e);
          throw e;
        }
      }
    } finally {
      this.#writing = false;
      if (this.#autoShutdown) this.#scheduleAutoShutdown();
    }
  }

  async #closeWrite() {
    await this.#opened.promise;
    if (this.#failed) throw this.#failed;
    this.#shutdown();
    this.#maybeFinish();
  }

  /* writable.abort(): reset the connection (RST) at once. */
  #abort() {
    if (this.#released) return;
    const err = new SynackError('aborted', 'synack: the connection was aborted');
    this.#failed = err;
    this.#opened.reject(err);
    this.#rc.error(err);
    this.#wake();
    this.#release(true);
    this.#closed.resolve();
  }

  #maybeFinish() {
    if (this.#readDone && this.#writeDone && !this.#released && !this.#failed) {
      this.#release(false);
      this.#closed.resolve();
    }
  }

  #fail(err) {
    if (this.#failed || this.#released) return;
    this.#failed = err;
    this.#opened.reject(err);
    this.#rc.error(err);
    this.#wc.error(err);
    this.#wake();
    this.#release(true);
    this.#closed.reject(err);
  }

  /* Give the handle back: close (FIN, background teardown) or abort (RST). */
  #release(abort) {
    if (this.#released) return;
    this.#released = true;
    const core = this.#core;
    core.unwatch(this);
    const h = this.#h;
    if (h < 0 || core.destroyed) return;
    core.enter(() => (abort ? core.m._synack_js_tcp_abort : core.m._synack_js_tcp_close)(core.ctx, core.now(), h));
  }
}

/* The lazily loaded TLS module, next to this one (wasm/tls/). */
const TLS_MODULE = 'synack-tls.mjs';

/**
 * TLS over `tcp` (secureTransport 'on', startTls(), a TLS listener): a
 * socket shell returned at once, whose streams synack-tls.mjs drives once
 * loaded (on first use), so TLS costs the base module nothing else.
 * Failures reject `opened` with a SynackError of code 'tls' and a
 * `reason`.
 */
export function secureSocket(tcp, options) {
  const rd = new TransformStream();
  const wr = new TransformStream();
  const s = import(/* webpackIgnore: true */ /* @vite-ignore */ new URL(TLS_MODULE, import.meta.url).href).then(
    (m) => m.secure(tcp, options, rd.writable, wr.readable, SynackError),
    (e) => {
      const err = new SynackError('tls', `synack: cannot load ${TLS_MODULE}: ${e.message}`);
      err.reason = 'load';
      tcp.close();
      rd.writable.abort(err).catch(noop);
      wr.readable.cancel(err).catch(noop);
      throw err;
    });
  const opened = s.then((x) => x.opened);
  const closed = s.then((x) => x.closed);
  opened.catch(noop);
  closed.catch(noop);
  return {
    readable: rd.readable, writable: wr.writable, opened, closed,
    close: () => s.then((x) => x.close()),
    /* The TCP connection under it: handle, addresses, info(). */
    get conn() { return tcp.conn; },
    get remoteAddress() { return tcp.remoteAddress; },
    get remotePort() { return tcp.remotePort; },
    info: () => tcp.info(),
  };
}

/**
 * A listening socket: an async iterable of accepted TcpSockets. At most
 * `backlog` connections wait in JS; beyond that they wait in the core's
 * listen queue, and beyond that new SYNs are answered with SYN cookies or
 * dropped, as the core decides.
 */
export class TcpServer {
  #core;
  #h;
  #inbox;
  #closed = false;
  #backlog;
  #socketOpts;
  #tls;

  constructor(core, h, port, opts) {
    this.#core = core;
    this.#h = h;
    this.#backlog = opts.backlog;
    this.#socketOpts = { allowHalfOpen: opts.allowHalfOpen, highWaterMark: opts.highWaterMark };
    this.#tls = opts.secureTransport === 'on' ? { ...opts, server: true } : null;
    this.#inbox = new Inbox('synack: the server is closed', () => core.queueSettle());
    this.port = port;
    core.watch(this);
  }

  /** The next accepted connection; rejects once the server is closed. */
  accept() {
    return this.#inbox.take();
  }

  [Symbol.asyncIterator]() {
    return this.#inbox.iterator(() => this.close());
  }

  /** Readiness check: accept what the core has ready. */
  check() {
    if (this.#closed) return false;
    const core = this.#core;
    if (!(tcpEvents(core, this.#h) & EV.ACCEPT)) return true;
    while (this.#inbox.size < this.#backlog) {
      const h = core.enter(() => core.m._synack_js_tcp_accept(core.ctx, core.now(), this.#h, core.out, core.addrOut()));
      if (h < 0) break;
      const sock = new TcpSocket(core, { ...this.#socketOpts, handle: h });
      this.#inbox.push(this.#tls ? secureSocket(sock, this.#tls) : sock);
    }
    return true;
  }

  /** Stop listening; connections already accepted stay open. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    const core = this.#core;
    core.unwatch(this);
    if (!core.destroyed) core.enter(() => core.m._synack_js_tcp_close(core.ctx, core.now(), this.#h));
    for (const s of this.#inbox.end(true)) s.close();
  }

  /** The stack went away. */
  fail() {
    this.close();
  }
}
