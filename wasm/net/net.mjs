/*
 * synack/net — the part of Node's `node:net` that clients use (Socket,
 * Server, createConnection/connect/createServer, isIP*), over a synack
 * stack instead of the kernel. A Socket is a stream.Duplex around one
 * synack TcpSocket (synack.mjs): reads pull from its ReadableStream only
 * while the Duplex wants data, so a paused reader leaves bytes in the
 * stack's receive buffer and TCP closes the window; writes resolve only
 * once the stack's send buffer took them, so write() returns false and
 * 'drain' follows when the send buffer has room. Errors carry Node's
 * `code`, `errno`, `syscall` and message ("connect ECONNREFUSED
 * 10.0.2.2:5432"), so a driver's error handling works unchanged.
 *
 * `#stream`, `#events` and `#buffer` are the package's import map
 * (package.json "imports"): Node's own node:stream / node:events /
 * node:buffer under the "node" condition, and the npm packages that
 * browser bundles use (readable-stream, events, buffer) everywhere else.
 */
import { Duplex } from '#stream';
import { EventEmitter } from '#events';
import { Buffer } from '#buffer';

let defaultStack = null;

/** Set the stack that sockets and servers use when none is given. */
export function setDefaultStack(stack) {
  defaultStack = stack ?? null;
}

/** The stack set with setDefaultStack(), or null. */
export function getDefaultStack() {
  return defaultStack;
}

/* ---- addresses ---- */

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

/** Whether `input` is a dotted-decimal IPv4 address. */
export function isIPv4(input) {
  return typeof input === 'string' && IPV4.test(input);
}

/** Whether `input` is an IPv6 address (RFC 4291 text forms, optional %zone). */
export function isIPv6(input) {
  if (typeof input !== 'string' || input.length > 100) return false;
  let s = input;
  const zone = s.indexOf('%');
  if (zone >= 0) {
    if (zone === s.length - 1) return false;
    s = s.slice(0, zone);
  }
  let groups = 8;
  const lastColon = s.lastIndexOf(':');
  if (lastColon >= 0 && s.includes('.', lastColon)) {
    if (!isIPv4(s.slice(lastColon + 1))) return false;
    s = `${s.slice(0, lastColon + 1)}0:0`; /* an embedded IPv4 counts as two groups */
  }
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const parse = (h) => (h === '' ? [] : h.split(':'));
  const parts = halves.flatMap(parse);
  if (!parts.every((p) => /^[0-9a-fA-F]{1,4}$/.test(p))) return false;
  return halves.length === 2 ? parts.length < groups : parts.length === groups;
}

/** 4 for IPv4, 6 for IPv6, 0 otherwise. */
export function isIP(input) {
  if (isIPv4(input)) return 4;
  if (isIPv6(input)) return 6;
  return 0;
}

/* node:net's family string of an address. */
function familyOf(address) {
  return isIPv6(address) ? 'IPv6' : 'IPv4';
}

/* ---- errors ---- */

/* Linux errno values, as Node reports them (negative, like uv). */
const ERRNO = {
  ECONNREFUSED: -111, ECONNRESET: -104, ETIMEDOUT: -110, EHOSTUNREACH: -113,
  EADDRINUSE: -98, EPIPE: -32, ECONNABORTED: -103, EINVAL: -22, ENOMEM: -12,
  ENOTFOUND: -3008, EAI_AGAIN: -3001, ENETUNREACH: -101,
};
const DESCRIPTION = { EADDRINUSE: 'address already in use' };

/* synack's error codes (SynackError.code) to Node's. */
const CODES = {
  refused: 'ECONNREFUSED', reset: 'ECONNRESET', timeout: 'ETIMEDOUT',
  unreachable: 'EHOSTUNREACH', notfound: 'ENOTFOUND', addrinuse: 'EADDRINUSE',
  closed: 'ECONNABORTED', aborted: 'ECONNABORTED', invalid: 'EINVAL', nomem: 'ENOMEM',
  'link-down': 'ENETUNREACH',
};

/* An Error shaped like Node's uv exceptions: `${syscall} ${code} ${address}:${port}`. */
function netError(code, syscall, address, port, cause) {
  const where = address === undefined ? '' : port === undefined ? ` ${address}` : ` ${address}:${port}`;
  const desc = DESCRIPTION[code] ? `: ${DESCRIPTION[code]}` : '';
  const err = new Error(`${syscall} ${code}${desc}${where}`, cause ? { cause } : undefined);
  err.errno = ERRNO[code] ?? -1;
  err.code = code;
  err.syscall = syscall;
  if (address !== undefined) err.address = address;
  if (port !== undefined) err.port = port;
  return err;
}

/* Node's error for a synack failure `e` in `syscall`. */
function mapError(e, syscall, address, port) {
  const code = CODES[e?.code];
  if (!code) return e instanceof Error ? e : new Error(String(e));
  /* A connection that failed after it was set up failed while reading,
   * the way the kernel reports it to Node. */
  return netError(code, syscall, address, port, e);
}

function lookupError(e, hostname) {
  const code = e?.code === 'notfound' ? 'ENOTFOUND' : e?.code === 'timeout' ? 'EAI_AGAIN' : CODES[e?.code] ?? 'ENOTFOUND';
  const err = new Error(`getaddrinfo ${code} ${hostname}`, { cause: e });
  err.errno = ERRNO[code] ?? -1;
  err.code = code;
  err.syscall = 'getaddrinfo';
  err.hostname = hostname;
  return err;
}

function typeError(code, message) {
  const err = new TypeError(message);
  err.code = code;
  return err;
}

function noStack() {
  const err = new Error('synack/net: no stack (pass { stack } or call setDefaultStack(stack))');
  err.code = 'ERR_SYNACK_NO_STACK';
  return err;
}

/* ---- helpers ---- */

/* Schedule after Node's nextTick queue and readable-stream's, so 'close'
 * comes after 'error' and 'end' as in node:net. */
const later = (fn) => setTimeout(fn, 0);

function toPort(port) {
  const n = typeof port === 'string' && port.trim() !== '' ? Number(port) : port;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 65535) {
    const err = new RangeError(`Port should be >= 0 and < 65536. Received ${port}.`);
    err.code = 'ERR_SOCKET_BAD_PORT';
    throw err;
  }
  return n;
}

/* Arguments of connect()/createConnection(): (options[, cb]),
 * (port[, host][, cb]) or (path[, cb]). */
function normalizeConnectArgs(args) {
  const cb = typeof args[args.length - 1] === 'function' ? args[args.length - 1] : null;
  const a = cb ? args.slice(0, -1) : args;
  let options;
  if (a[0] !== null && typeof a[0] === 'object') options = { ...a[0] };
  else if (typeof a[0] === 'string' && !/^\d+$/.test(a[0])) options = { path: a[0] };
  else {
    options = { port: a[0] };
    if (typeof a[1] === 'string') options.host = a[1];
  }
  return [options, cb];
}

/* ---- Socket ---- */

/**
 * A TCP connection over a synack stack, with the events, properties and
 * errors of node:net's Socket.
 */
export class Socket extends Duplex {
  #stack;
  #tcp = null;
  #reader = null;
  #writer = null;
  #reading = false;
  #readEnded = false;
  #connectWaiters = [];
  #opts;
  #timeoutMs = 0;
  #timer = null;
  #lastActive = 0;
  #refed = true;
  #local = null;
  #remote = null;
  #port = null;
  #closeEmitted = false;
  #hadError = false;
  #written = 0;
  #resetOnDestroy = false;
  #detached = false;
  /**
   * Options: stack (a synack Stack; else the default stack), allowHalfOpen
   * (default false), readable/writable (ignored: always both), and the
   * highWaterMarks of stream.Duplex. A server hands out sockets made with
   * an accepted synack TcpSocket (`tcpSocket`).
   */
  constructor(options = {}) {
    if (typeof options === 'number') options = {}; /* node:net's fd form: not supported here */
    super({
      allowHalfOpen: !!options.allowHalfOpen,
      emitClose: false,
      autoDestroy: true,
      decodeStrings: true,
      highWaterMark: options.highWaterMark,
      readableHighWaterMark: options.readableHighWaterMark,
      writableHighWaterMark: options.writableHighWaterMark,
    });
    this.#stack = options.stack ?? null;
    /* Only what the caller set: the stack's defaults stand otherwise. */
    this.#opts = { noDelay: options.noDelay, keepAlive: options.keepAlive, keepAliveIdle: options.keepAliveInitialDelay };
    this.connecting = false;
    this.pending = true;
    this.bytesRead = 0;
    this.#written = 0;
    this.timeout = undefined;
    /* The Server that accepted this socket (node:http sets it too). */
    this.server = options.server ?? null;
    /* A server's accepted connection, already open. */
    if (options.tcpSocket) this.#adopt(options.tcpSocket, options.tcpInfo);
  }

  /** The stack this socket uses (its own, else the default). */
  get stack() {
    return this.#stack ?? defaultStack;
  }

  /** The underlying synack TcpSocket (null before connect()). */
  get tcpSocket() {
    return this.#tcp;
  }

  /**
   * connect(options[, listener]) or connect(port[, host][, listener]).
   * Options: port, host (default 'localhost'), lookup, timeout, noDelay,
   * keepAlive, keepAliveInitialDelay, stack. `path` (IPC) is not
   * supported and fails with ERR_SYNACK_NO_IPC.
   */
  connect(...args) {
    const [options, cb] = normalizeConnectArgs(args);
    if (this.#tcp || this.connecting) {
      const err = new Error('Socket is already connected or connecting');
      err.code = 'ERR_SOCKET_CONNECTION_PENDING';
      throw err;
    }
    if (this.destroyed) {
      /* node:net lets a destroyed socket reconnect; this one cannot. */
      const err = new Error('Cannot call connect on a destroyed synack socket');
      err.code = 'ERR_SOCKET_CLOSED';
      throw err;
    }
    if (options.stack) this.#stack = options.stack;
    if (options.noDelay !== undefined) this.#opts.noDelay = !!options.noDelay;
    if (options.keepAlive !== undefined) this.#opts.keepAlive = !!options.keepAlive;
    if (options.keepAliveInitialDelay !== undefined) this.#opts.keepAliveIdle = options.keepAliveInitialDelay;
    if (options.timeout) this.setTimeout(options.timeout);
    if (cb) this.once('connect', cb);
    this.connecting = true;
    if (typeof options.path === 'string') {
      const err = new Error(`synack/net: IPC paths are not supported (${options.path})`);
      err.code = 'ERR_SYNACK_NO_IPC';
      later(() => this.destroy(err));
      return this;
    }
    let port;
    try {
      port = toPort(options.port);
    } catch (e) {
      this.connecting = false;
      throw e;
    }
    const stack = this.stack;
    if (!stack) {
      later(() => this.destroy(noStack()));
      return this;
    }
    const host = options.host || 'localhost';
    this.#port = port;
    this.#touch();
    if (isIP(host)) {
      /* one interface: a zone (fe80::1%eth0) names nothing more */
      const literal = host.split('%')[0];
      queueMicrotask(() => this.#open(stack, literal, port));
    } else {
      this.#lookup(stack, host, options, (err, address) => {
        if (this.destroyed) return;
        this.emit('lookup', err, address, isIP(address ?? '') || 4, host);
        if (err) this.destroy(err);
        else this.#open(stack, address, port);
      });
    }
    return this;
  }

  #lookup(stack, host, options, cb) {
    const family = options.family === 4 || options.family === 6 ? options.family : 0;
    if (typeof options.lookup === 'function') {
      options.lookup(host, { family, all: false }, (err, address) => cb(err, address));
      return;
    }
    stack.lookup(host, { family }).then((a) => cb(null, a), (e) => cb(lookupError(e, host)));
  }

  #open(stack, address, port) {
    if (this.destroyed) return;
    let tcp;
    try {
      /* 'starttls' only gives the TcpSocket a startTls() that synack/tls
       * may call later; the connection is plain until then. */
      tcp = stack.connect({ hostname: address, port }, {
        secureTransport: 'starttls', allowHalfOpen: true, noDelay: this.#opts.noDelay, keepAlive: this.#opts.keepAlive,
        keepAliveIdle: this.#opts.keepAliveIdle,
      });
    } catch (e) {
      this.destroy(mapError(e, 'connect', address, port));
      return;
    }
    this.#tcp = tcp;
    this.#watchClosed(tcp, address, port);
    tcp.opened.then((info) => {
      if (this.destroyed) return;
      this.#connected(info);
      this.emit('connect');
      this.emit('ready');
    }, (e) => {
      if (!this.destroyed) this.destroy(mapError(e, 'connect', address, port));
    });
  }

  /**
   * synack/tls: run this socket over `tcp` (a TLS socket of synack.mjs
   * whose `opened` settles later); `_opened()` follows once it is open.
   * @internal
   */
  _useTransport(tcp) {
    if (this.destroyed) {
      tcp.close().catch(() => {});
      return;
    }
    this.connecting = true;
    this.#tcp = tcp;
    this.#watchClosed(tcp);
    tcp.opened.then((info) => {
      if (this.destroyed) return;
      this.#connected(info);
      this._opened(info);
    }, (e) => {
      if (!this.destroyed) this.destroy(mapError(e, 'connect'));
    });
  }

  /** What happens once a `_useTransport()` transport is open. @internal */
  _opened() {
    this.emit('connect');
    this.emit('ready');
  }

  /**
   * synack/tls: stop reading and writing this connection and hand its
   * TcpSocket over (to startTls()). Bytes not yet read stay in the stack
   * for the new owner. The socket stays open until destroyed.
   * @internal
   */
  _detachTransport() {
    this.#detached = true;
    this.#reader?.releaseLock?.();
    this.#writer?.releaseLock?.();
    this.#reader = null;
    this.#writer = null;
    return this.#tcp;
  }

  /* A socket handed out by a Server (its `opened` has resolved with `info`). */
  #adopt(tcp, info) {
    this.#tcp = tcp;
    this.#watchClosed(tcp);
    this.#connected(info);
  }

  /* The connection failed after it was set up (RST, retransmission time-out). */
  #watchClosed(tcp, address, port) {
    tcp.closed.catch((e) => {
      if (this.destroyed || this.#detached) return;
      const syscall = this.connecting ? 'connect' : 'read';
      this.destroy(mapError(e, syscall, this.connecting ? address : undefined, this.connecting ? port : undefined));
    });
  }

  #connected(info) {
    this.connecting = false;
    this.pending = false;
    this.#local = { address: info.localAddress, port: info.localPort };
    this.#remote = { address: info.remoteAddress, port: info.remotePort };
    this.#reader = this.#tcp.readable.getReader();
    this.#writer = this.#tcp.writable.getWriter();
    this.#writer.closed.catch(() => {});
    this.#tcp.setOptions?.(this.#opts);
    this.#touch();
    for (const w of this.#connectWaiters.splice(0)) w();
    /* Read ahead up to the highWaterMark, as node:net does, unless paused
     * on purpose (pauseOnConnect). */
    if (this.readableFlowing !== false) this.#pull();
  }

  /* ---- reading ---- */

  _read() {
    if (this.#reader) this.#pull();
  }

  /* Read from the TcpSocket while the Duplex wants more. */
  #pull() {
    if (this.#reading || this.#readEnded || !this.#reader) return;
    this.#reading = true;
    this.#reader.read().then(({ value, done }) => {
      this.#reading = false;
      if (this.destroyed) return;
      if (done) {
        this.#readEnded = true;
        this.push(null);
        /* As node:net does at EOF: with nothing buffered, 'end' comes even
         * when nobody reads. */
        this.read(0);
        return;
      }
      this.bytesRead += value.byteLength;
      this.#touch();
      if (this.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength))) this.#pull();
    }, (e) => {
      this.#reading = false;
      if (!this.destroyed && !this.#detached) this.destroy(mapError(e, 'read'));
    });
  }

  /* ---- writing ---- */

  #whenConnected(fn) {
    if (this.#writer) fn();
    else this.#connectWaiters.push(fn);
  }

  _write(chunk, encoding, cb) {
    this._writev([{ chunk }], cb);
  }

  _writev(chunks, cb) {
    this.#whenConnected(() => {
      const data = chunks.length === 1 ? chunks[0].chunk : Buffer.concat(chunks.map((c) => c.chunk));
      const n = data.byteLength;
      this.#writer.write(data).then(() => {
        this.#written += n;
        this.#touch();
        cb();
      }, (e) => cb(mapError(e, 'write')));
    });
  }

  _final(cb) {
    this.#whenConnected(() => {
      this.#writer.close().then(() => cb(), (e) => cb(mapError(e, 'write')));
    });
  }

  /** Bytes written so far, including those still queued. */
  get bytesWritten() {
    return this.#written + this.writableLength;
  }

  /* ---- closing ---- */

  _destroy(err, cb) {
    this.#clearTimer();
    this.connecting = false;
    this.#hadError = !!err;
    this.#connectWaiters.length = 0;
    const tcp = this.#tcp;
    if (tcp && this.#detached) {
      /* TLS runs over it: closing the TCP connection under TLS ends both. */
      tcp.close().catch(() => {});
    } else if (tcp) {
      this.#reader?.releaseLock?.();
      this.#writer?.releaseLock?.();
      if (this.#resetOnDestroy) tcp.writable.abort().catch(() => {});
      else tcp.close().catch(() => {});
    }
    cb(err);
    later(() => this.#emitClose());
  }

  #emitClose() {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    this.emit('close', this.#hadError);
  }

  /** Close at once with RST instead of FIN. */
  resetAndDestroy() {
    if (!this.#tcp) {
      const err = new Error('Socket is closed');
      err.code = 'ERR_SOCKET_CLOSED';
      return this.destroy(err);
    }
    this.#resetOnDestroy = true;
    return this.destroy();
  }

  /** End the writable side, then destroy once it is finished. */
  destroySoon() {
    if (this.writable) this.end();
    if (this.writableFinished) this.destroy();
    else this.once('finish', () => this.destroy());
  }

  /* ---- options and timers ---- */

  /** Disable (true, the default) or enable Nagle's algorithm. */
  setNoDelay(noDelay = true) {
    this.#opts.noDelay = !!noDelay;
    this.#tcp?.setOptions?.({ noDelay: !!noDelay });
    return this;
  }

  /** Keep-alive probes on or off; initialDelay is the idle time in ms before the first. */
  setKeepAlive(enable = false, initialDelay = 0) {
    this.#opts.keepAlive = !!enable;
    if (initialDelay > 0) this.#opts.keepAliveIdle = initialDelay;
    this.#tcp?.setOptions?.({ keepAlive: !!enable, keepAliveIdle: initialDelay > 0 ? initialDelay : undefined });
    return this;
  }

  /** Emit 'timeout' after `ms` without activity (0 turns it off); does not close. */
  setTimeout(ms, cb) {
    const n = Number(ms);
    if (!Number.isFinite(n) || n < 0) {
      const err = new RangeError(`The value of "msecs" is out of range. It must be a non-negative finite number. Received ${ms}`);
      err.code = 'ERR_OUT_OF_RANGE';
      throw err;
    }
    this.#timeoutMs = n;
    this.timeout = n;
    if (cb) {
      if (n === 0) this.removeListener('timeout', cb);
      else this.once('timeout', cb);
    }
    this.#clearTimer();
    if (n > 0 && !this.destroyed) {
      this.#lastActive = Date.now();
      this.#armTimer(n);
    }
    return this;
  }

  #touch() {
    this.#lastActive = Date.now();
  }

  #armTimer(delay) {
    this.#timer = setTimeout(() => {
      this.#timer = null;
      if (this.destroyed || this.#timeoutMs === 0) return;
      const idle = Date.now() - this.#lastActive;
      if (idle >= this.#timeoutMs) {
        this.#lastActive = Date.now();
        this.#armTimer(this.#timeoutMs);
        this.emit('timeout');
      } else {
        this.#armTimer(this.#timeoutMs - idle);
      }
    }, delay);
    if (!this.#refed) this.#timer?.unref?.();
  }

  #clearTimer() {
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
  }

  /**
   * ref()/unref(): only this socket's idle timer follows them; whether a
   * Node process stays alive is decided by the stack and its link.
   */
  ref() {
    this.#refed = true;
    this.#timer?.ref?.();
    return this;
  }

  unref() {
    this.#refed = false;
    this.#timer?.unref?.();
    return this;
  }

  /* ---- addresses and state ---- */

  /** { address, family: 'IPv4' or 'IPv6', port } of our end; {} before connecting. */
  address() {
    return this.#local ? { address: this.#local.address, family: familyOf(this.#local.address), port: this.#local.port } : {};
  }

  get remoteAddress() {
    return this.#remote?.address;
  }

  get remotePort() {
    return this.#remote?.port;
  }

  get remoteFamily() {
    return this.#remote ? familyOf(this.#remote.address) : undefined;
  }

  get localAddress() {
    return this.#local?.address;
  }

  get localPort() {
    return this.#local?.port;
  }

  get localFamily() {
    return this.#local ? familyOf(this.#local.address) : undefined;
  }

  /** 'opening', 'open', 'readOnly', 'writeOnly' or 'closed', as in node:net. */
  get readyState() {
    if (this.connecting) return 'opening';
    if (this.readable && this.writable) return 'open';
    if (this.readable && !this.writable) return 'readOnly';
    if (!this.readable && this.writable) return 'writeOnly';
    return 'closed';
  }

  /** Bytes queued for writing (node:net's bufferSize, deprecated there). */
  get bufferSize() {
    return this.writableLength;
  }
}

/* ---- Server ---- */

const EPHEMERAL_LOW = 49152;

/**
 * A TCP server on a synack stack: 'listening', 'connection', 'close',
 * 'error' (EADDRINUSE), maxConnections, close(), address().
 */
export class Server extends EventEmitter {
  #stack;
  #tcpServer = null;
  #host = null;
  #port = null;
  #connections = new Set();
  #closing = false;
  #opts;

  /**
   * createServer([options][, connectionListener]). Options: stack,
   * allowHalfOpen, pauseOnConnect, noDelay, keepAlive,
   * keepAliveInitialDelay, highWaterMark.
   */
  constructor(options, listener) {
    super();
    if (typeof options === 'function') {
      listener = options;
      options = {};
    }
    this.#opts = options ?? {};
    this.#stack = this.#opts.stack ?? null;
    this.maxConnections = undefined;
    if (listener) this.on('connection', listener);
  }

  /** Whether the server listens. */
  get listening() {
    return this.#tcpServer !== null;
  }

  /**
   * listen(port[, host][, backlog][, cb]) or listen({ port, host, backlog,
   * stack }[, cb]). Port 0 picks a free port from 49152-65535. Only the
   * stack's own address (or 0.0.0.0) can be listened on.
   */
  listen(...args) {
    const cb = typeof args[args.length - 1] === 'function' ? args.pop() : null;
    let o;
    if (args[0] !== null && typeof args[0] === 'object') o = { ...args[0] };
    else if (typeof args[0] === 'string' && !/^\d+$/.test(args[0])) o = { path: args[0] };
    else {
      o = { port: args[0] ?? 0 };
      if (typeof args[1] === 'string') {
        o.host = args[1];
        if (typeof args[2] === 'number') o.backlog = args[2];
      } else if (typeof args[1] === 'number') o.backlog = args[1];
    }
    if (typeof o.path === 'string') {
      const err = new Error(`synack/net: IPC paths are not supported (${o.path})`);
      err.code = 'ERR_SYNACK_NO_IPC';
      throw err;
    }
    if (this.#tcpServer) {
      const err = new Error('Listen method has been called more than once without closing.');
      err.code = 'ERR_SERVER_ALREADY_LISTEN';
      throw err;
    }
    if (o.stack) this.#stack = o.stack;
    const stack = this.#stack ?? defaultStack;
    if (!stack) throw noStack();
    const port = toPort(o.port ?? 0);
    if (cb) this.once('listening', cb);
    /* No host: IPv4's any address, as before IPv6 (the listener takes
     * both families either way; '::' reports itself as IPv6's). */
    this.#host = o.host ? o.host : '0.0.0.0';
    const backlog = Number.isInteger(o.backlog) && o.backlog > 0 ? o.backlog : 511;
    const socketOpts = { allowHalfOpen: true, noDelay: this.#opts.noDelay, keepAlive: this.#opts.keepAlive };
    let server = null;
    let error = null;
    const tries = port === 0 ? 64 : 1;
    for (let i = 0; i < tries && !server; i++) {
      const p = port || EPHEMERAL_LOW + Math.floor(Math.random() * (65536 - EPHEMERAL_LOW));
      try {
        server = stack.listen({ port: p, backlog, ...socketOpts });
      } catch (e) {
        error = e;
        if (e?.code !== 'addrinuse') break;
      }
    }
    if (!server) {
      const err = mapError(error, 'listen', this.#host, port);
      later(() => this.emit('error', err));
      return this;
    }
    this.#tcpServer = server;
    this.#closing = false;
    this.#port = server.port;
    this.#accept(server);
    later(() => this.emit('listening'));
    return this;
  }

  async #accept(server) {
    for (;;) {
      let tcp;
      try {
        tcp = await server.accept();
      } catch {
        return; /* closed */
      }
      let info;
      try {
        info = await tcp.opened;
      } catch {
        continue; /* reset before we saw it */
      }
      if (this.maxConnections !== undefined && this.#connections.size >= this.maxConnections) {
        tcp.close().catch(() => {});
        this.emit('drop', { localPort: this.#port });
        continue;
      }
      const sock = new Socket({
        tcpSocket: tcp, tcpInfo: info, server: this, allowHalfOpen: !!this.#opts.allowHalfOpen,
        highWaterMark: this.#opts.highWaterMark,
      });
      if (this.#opts.pauseOnConnect) sock.pause();
      this.#connections.add(sock);
      sock.once('close', () => {
        this.#connections.delete(sock);
        this.#maybeClosed();
      });
      this.emit('connection', sock);
    }
  }

  /** { address, family: 'IPv4' or 'IPv6', port }, or null when not listening. */
  address() {
    if (!this.#tcpServer) return null;
    return { address: this.#host, family: familyOf(this.#host), port: this.#port };
  }

  /**
   * Stop accepting; 'close' (and cb) once every connection has ended.
   * cb gets ERR_SERVER_NOT_RUNNING when the server was not listening.
   */
  close(cb) {
    if (!this.#tcpServer) {
      if (cb) {
        const err = new Error('Server is not running.');
        err.code = 'ERR_SERVER_NOT_RUNNING';
        later(() => cb(err));
      }
      return this;
    }
    if (cb) this.once('close', cb);
    this.#tcpServer.close();
    this.#tcpServer = null;
    this.#closing = true;
    this.#maybeClosed();
    return this;
  }

  #maybeClosed() {
    if (this.#closing && this.#connections.size === 0) {
      this.#closing = false;
      later(() => this.emit('close'));
    }
  }

  /** cb(null, number of open connections). */
  getConnections(cb) {
    const n = this.#connections.size;
    later(() => cb(null, n));
    return this;
  }

  /** Accepted and ignored: the stack and its link keep a process alive, not the server. */
  ref() {
    return this;
  }

  unref() {
    return this;
  }

  [Symbol.asyncDispose]() {
    return new Promise((resolve) => {
      if (!this.#tcpServer) resolve();
      else this.close(() => resolve());
    });
  }
}

/** A Socket connected with connect(options | port[, host])[, listener]. */
export function createConnection(...args) {
  const [options, cb] = normalizeConnectArgs(args);
  const sock = new Socket(options);
  return sock.connect(options, ...(cb ? [cb] : []));
}

export const connect = createConnection;

/** A Server: createServer([options][, connectionListener]). */
export function createServer(options, listener) {
  return new Server(options, listener);
}

export default {
  Socket, Server, createConnection, connect, createServer,
  isIP, isIPv4, isIPv6, setDefaultStack, getDefaultStack,
};
