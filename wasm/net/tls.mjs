/*
 * synack/tls — the client half of Node's `node:tls` (connect(), TLSSocket)
 * over synack/net, so drivers that call `require('tls').connect(options)`
 * (pg, and most database and mail clients) run their TLS inside the
 * sandbox: the bridge and the path see only ciphertext. The TLS itself is
 * synack-tls.mjs (BearSSL in a wasm module of its own, loaded on first
 * use) reached through the TcpSocket's startTls(); a TLSSocket is a
 * synack/net Socket over that TLS socket, so reads, writes, back-pressure,
 * timers and errors behave as they do for a plain Socket.
 *
 * What differs from node:tls (BearSSL speaks TLS 1.2 with ECDHE and
 * AES-GCM or ChaCha20-Poly1305; see docs/tls.md): trust anchors come from
 * `ca` or setDefaultCA() (no built-in roots: import synack/ca-bundle for
 * Mozilla's); certificates are checked against DNS names only, so an IP
 * `host` needs a `servername`; `rejectUnauthorized: false` skips the
 * check entirely, so `authorized` is false and `authorizationError` says
 * why; no client certificates, sessions, or tls.createServer().
 */
import { Socket, getDefaultStack, isIP } from './net.mjs';

let defaultCA = null;

/** PEM trust anchors used when connect() is given no `ca` (e.g. synack/ca-bundle's). */
export function setDefaultCA(pem) {
  defaultCA = pem ?? null;
}

/* synack's TLS failure reasons as the codes node:tls gives them. */
const CODES = {
  untrusted: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  name: 'ERR_TLS_CERT_ALTNAME_INVALID',
  expired: 'CERT_HAS_EXPIRED',
  certificate: 'ERR_SSL_BAD_CERTIFICATE',
  version: 'ERR_SSL_UNSUPPORTED_PROTOCOL',
  handshake: 'ERR_SSL_HANDSHAKE_FAILURE',
  protocol: 'ERR_SSL_PROTOCOL_ERROR',
  config: 'ERR_SYNACK_TLS_CONFIG',
  load: 'ERR_SYNACK_TLS_LOAD',
};

/* A SynackError of code 'tls' as an Error with node:tls's code; the
 * original stays as `cause` and its `reason` is kept. */
function tlsError(e) {
  if (e?.code !== 'tls') return e;
  const err = new Error(e.message, { cause: e });
  err.code = CODES[e.reason] ?? 'ERR_SYNACK_TLS';
  err.reason = e.reason;
  return err;
}

/* ALPNProtocols: an array of strings / bytes, or the wire format. */
function alpnList(v) {
  if (!v) return undefined;
  const dec = new TextDecoder();
  if (Array.isArray(v)) return v.map((p) => (typeof p === 'string' ? p : dec.decode(p)));
  const b = new Uint8Array(v.buffer ?? v, v.byteOffset ?? 0, v.byteLength);
  const out = [];
  for (let i = 0; i < b.length && i + b[i] < b.length;) {
    out.push(dec.decode(b.subarray(i + 1, i + 1 + b[i])));
    i += 1 + b[i];
  }
  return out;
}

/**
 * A TLS connection: a synack/net Socket whose bytes are TLS's plaintext.
 * 'secureConnect' once the handshake is done; then getProtocol(),
 * getCipher(), alpnProtocol, authorized / authorizationError.
 */
export class TLSSocket extends Socket {
  #info = null;
  #raw;

  /** Made by connect(); `raw` is the synack/net Socket underneath. */
  constructor(raw, options = {}) {
    super({ stack: raw.stack, allowHalfOpen: false, highWaterMark: options.highWaterMark });
    this.#raw = raw;
    this.encrypted = true;
    this.authorized = false;
    this.authorizationError = null;
    this.alpnProtocol = null;
    this.servername = options.servername ?? null;
    /* The TCP connection ends with the TLS one, as in node:tls. */
    this.once('close', () => { if (!raw.destroyed) raw.destroy(); });
  }

  /** The synack/net Socket underneath. */
  get socket() {
    return this.#raw;
  }

  _opened(info) {
    this.#info = info;
    this.alpnProtocol = info.alpn || false;
    this.emit('secureConnect');
    this.emit('ready');
  }

  /* TLS 1.2 has no half-close: after the peer's close_notify the TLS
   * socket has already closed its sending side too, so end() has nothing
   * left to do. */
  _final(cb) {
    super._final((err) => cb(err?.code === 'ERR_INVALID_STATE' ? undefined : err));
  }

  _destroy(err, cb) {
    super._destroy(err ? tlsError(err) : err, cb);
  }

  /** The negotiated version ('TLSv1.2'), or null before the handshake. */
  getProtocol() {
    return this.#info?.protocol ?? null;
  }

  /** { name, standardName, version } of the negotiated cipher suite, or null. */
  getCipher() {
    if (!this.#info) return null;
    return { name: this.#info.cipher, standardName: this.#info.cipher, version: this.#info.protocol };
  }

  /** Not available (BearSSL gives no parsed peer certificate): an empty object, as node:tls without one. */
  getPeerCertificate() {
    return {};
  }

  /** Sessions are not kept: undefined. */
  getSession() {
    return undefined;
  }

  /** Renegotiation is not supported (as in TLS 1.3): false. */
  renegotiate() {
    return false;
  }
}

/**
 * tls.connect(options[, secureConnectListener]) or connect(port[, host]
 * [, options][, listener]). Options: host, port, socket (a connected or
 * connecting synack/net Socket to upgrade, as after a STARTTLS exchange),
 * stack, servername (default: host when it is a name), ca (PEM string,
 * bytes or an array; default setDefaultCA()'s), rejectUnauthorized
 * (default true), ALPNProtocols, timeout, and handshakeTimeout (ms,
 * default 30 s). key/cert/pfx (client certificates) are refused.
 */
export function connect(...args) {
  const cb = typeof args[args.length - 1] === 'function' ? args.pop() : null;
  let options = {};
  if (args[0] !== null && typeof args[0] === 'object') options = { ...args[0] };
  else {
    options = { port: args[0] };
    if (typeof args[1] === 'string') options.host = args[1];
    const o = args.find((a, i) => i > 0 && a && typeof a === 'object');
    if (o) options = { ...o, ...options };
  }
  const host = options.host || 'localhost';
  const insecure = options.rejectUnauthorized === false;
  const servername = options.servername || (isIP(host) ? null : host);
  let raw = options.socket;
  const own = !raw;
  if (own) raw = new Socket({ stack: options.stack ?? getDefaultStack() });
  if (!(raw instanceof Socket)) throw new TypeError('synack/tls: options.socket must be a synack/net Socket');
  const sock = new TLSSocket(raw, { servername });
  if (options.timeout) sock.setTimeout(options.timeout);
  if (cb) sock.once('secureConnect', cb);

  const fail = (message, code) => {
    const err = new Error(`synack/tls: ${message}`);
    err.code = code;
    setTimeout(() => sock.destroy(err), 0);
    return sock;
  };
  if (options.key || options.cert || options.pfx) return fail('client certificates are not supported', 'ERR_SYNACK_TLS_CONFIG');
  const ca = options.ca ?? defaultCA;
  if (!insecure && !servername) {
    return fail(`a certificate cannot be checked against the IP address ${host}: give servername`, 'ERR_SYNACK_TLS_CONFIG');
  }
  if (!insecure && !ca) {
    return fail('no trust anchors: give ca, or setDefaultCA() (e.g. synack/ca-bundle)', 'ERR_SYNACK_TLS_CONFIG');
  }

  const upgrade = () => {
    if (sock.destroyed) return;
    const tcp = raw._detachTransport();
    if (!tcp?.startTls) {
      sock.destroy(Object.assign(new Error('synack/tls: this socket cannot start TLS (not a synack/net client socket)'),
        { code: 'ERR_SYNACK_TLS_CONFIG' }));
      return;
    }
    sock._useTransport(tcp.startTls({
      alpn: alpnList(options.ALPNProtocols),
      tls: {
        ca, servername: servername ?? undefined, rejectUnauthorized: !insecure,
        handshakeTimeout: options.handshakeTimeout,
      },
    }));
    sock.once('secureConnect', () => {
      sock.authorized = !insecure;
      sock.authorizationError = insecure ? 'synack: certificate not checked (rejectUnauthorized: false)' : null;
    });
  };
  /* The plain socket's failures (refused, reset, time-out) are the TLS socket's. */
  const onRawError = (e) => { if (!sock.destroyed) sock.destroy(e); };
  raw.on('error', onRawError);
  sock.once('close', () => raw.removeListener('error', onRawError));
  if (own) {
    raw.once('connect', () => { sock.emit('connect'); upgrade(); });
    raw.connect({ port: options.port, host, lookup: options.lookup, stack: options.stack });
  } else if (raw.connecting || raw.pending) {
    raw.once('connect', upgrade);
  } else {
    upgrade();
  }
  return sock;
}

/** node:tls's checkServerIdentity: BearSSL checks the name during the handshake, so this accepts. */
export function checkServerIdentity() {
  return undefined;
}

export const DEFAULT_MIN_VERSION = 'TLSv1.2';
export const DEFAULT_MAX_VERSION = 'TLSv1.2';

export default { connect, TLSSocket, setDefaultCA, checkServerIdentity, DEFAULT_MIN_VERSION, DEFAULT_MAX_VERSION };
