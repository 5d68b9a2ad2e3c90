/*
 * Stack: the public object of the JavaScript API (DESIGN.md, CONTRACT:
 * JavaScript API). One stack is one synack_stack in the shared wasm module
 * plus its Core; any number of stacks live side by side.
 *
 * Addressing is static ('A.B.C.D/LEN') or DHCP (RFC 2131; createStack
 * resolves once a lease is bound); IPv6 is SLAAC (RFC 4862: a link-local
 * address and those of router advertisements) or static ('ADDR/LEN';
 * createStack resolves once duplicate address detection has passed). Names are resolved by the core's DNS
 * stub resolver (RFC 1035). ping() is ICMP echo (RFC 792).
 */
import { Core } from './core.mjs';
import {
  AF, ADDR_LEN, CC, COUNTER_NAMES, DHCP_STATE, ERR, GLUE_DEFAULT, GLUE_IP6, GLUE_MEDIUM, GLUE_OFFLOAD,
  GLUE_OPT, IP6_ORIGINS, IP6_STATES, OUT,
} from './constants.mjs';
import { SynackError, errorFrom } from './errors.mjs';
import { wasmModule } from './loader.mjs';
import { TcpServer, TcpSocket, secureSocket, tcpOpen } from './tcp.mjs';
import { UdpSocket } from './udp.mjs';
import {
  deferred, formatAddr, formatIp4, formatMac, parseAddr, parseCidr, parseIp4, parseMac,
  randomBytes, toBytes,
} from './util.mjs';

/* TCP buffers default to 256 KiB each way in JS (the core's 4 MiB default
 * is sized for native bulk transfers, and wasm memory is shared). */
const JS_TCP_BUFFER = 256 * 1024;
/* Budget for all TCP buffers of a stack (cfg.tcp.mem_max): 16 MiB in JS,
 * against the core's 64 MiB native default. */
const JS_TCP_MEM = 16 * 1024 * 1024;

function u32opt(v, name, min = 0, max = 0xfffffffe) {
  if (v === undefined || v === null) return GLUE_DEFAULT;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new RangeError(`synack: option ${name} must be an integer ${min}..${max}`);
  }
  return n;
}

function buildOptions(link, o) {
  const t = o.tcp ?? {};
  const opts = new Uint32Array(Object.keys(GLUE_OPT).length).fill(GLUE_DEFAULT);
  opts[GLUE_OPT.MTU] = u32opt(link.mtu ?? 1500, 'mtu', 68, 65535);
  opts[GLUE_OPT.MEDIUM] = link.medium === 'ip' ? GLUE_MEDIUM.IP : GLUE_MEDIUM.ETHERNET;
  /* PAIR: a PairLink that can carry super-frames to another synack stack */
  opts[GLUE_OPT.OFFLOAD] = link.offload === true ? GLUE_OFFLOAD.BRIDGE
    : link.superFrames === true ? GLUE_OFFLOAD.PAIR : GLUE_OFFLOAD.OFF;
  const seed = o.seed === undefined ? null : Number(o.seed);
  if (seed !== null && !(Number.isSafeInteger(seed) && seed >= 0)) {
    throw new RangeError('synack: seed must be a non-negative safe integer');
  }
  const rnd = new Uint32Array(randomBytes(8).buffer);
  opts[GLUE_OPT.SEED_LO] = seed === null ? rnd[0] : seed % 2 ** 32;
  opts[GLUE_OPT.SEED_HI] = seed === null ? rnd[1] : Math.floor(seed / 2 ** 32);
  opts[GLUE_OPT.MAX_CONNS] = u32opt(t.maxConnections, 'tcp.maxConnections', 1);
  opts[GLUE_OPT.SNDBUF] = u32opt(t.sendBuffer ?? JS_TCP_BUFFER, 'tcp.sendBuffer', 256);
  opts[GLUE_OPT.RCVBUF] = u32opt(t.receiveBuffer ?? JS_TCP_BUFFER, 'tcp.receiveBuffer', 256);
  opts[GLUE_OPT.TCP_MEM_MAX] = u32opt(t.maxBufferMemory ?? JS_TCP_MEM, 'tcp.maxBufferMemory', 4096);
  opts[GLUE_OPT.SYN_RETRIES] = u32opt(t.synRetries, 'tcp.synRetries');
  opts[GLUE_OPT.DATA_RETRIES] = u32opt(t.dataRetries, 'tcp.dataRetries');
  opts[GLUE_OPT.RTO_INITIAL_MS] = u32opt(t.rtoInitial, 'tcp.rtoInitial', 1);
  opts[GLUE_OPT.RTO_MIN_MS] = u32opt(t.rtoMin, 'tcp.rtoMin', 1);
  opts[GLUE_OPT.RTO_MAX_MS] = u32opt(t.rtoMax, 'tcp.rtoMax', 1);
  opts[GLUE_OPT.MSL_MS] = u32opt(t.msl, 'tcp.msl');
  opts[GLUE_OPT.DELACK_MS] = u32opt(t.delayedAck, 'tcp.delayedAck');
  if (t.noDelay !== undefined) opts[GLUE_OPT.NODELAY] = t.noDelay ? 1 : 0;
  if (t.cc !== undefined) {
    /* the names of synack_cc_algo, in lower case */
    const cc = typeof t.cc === 'string' && t.cc === t.cc.toLowerCase() ? CC[t.cc.toUpperCase()] : undefined;
    if (cc === undefined) throw new RangeError(`synack: tcp.cc is one of ${Object.keys(CC).map((k) => `'${k.toLowerCase()}'`).join(', ')}`);
    opts[GLUE_OPT.CC] = cc;
  }
  opts[GLUE_OPT.UDP_MAX_SOCKETS] = u32opt(o.udpMaxSockets, 'udpMaxSockets', 1);
  opts[GLUE_OPT.ARP_RETRY_MS] = u32opt(o.arpRetryMs, 'arpRetryMs', 1);
  opts[GLUE_OPT.ARP_RETRIES] = u32opt(o.arpRetries, 'arpRetries', 1);
  opts[GLUE_OPT.IP6] = ip6Mode(o.ip6);
  const secret = stableSecret(o.stableSecret);
  if (secret) {
    opts[GLUE_OPT.STABLE_SECRET] = 1;
    const dv = new DataView(secret.buffer, secret.byteOffset, 16);
    opts[GLUE_OPT.SECRET_0] = dv.getUint32(0);
    opts[GLUE_OPT.SECRET_1] = dv.getUint32(4);
    opts[GLUE_OPT.SECRET_2] = dv.getUint32(8);
    opts[GLUE_OPT.SECRET_3] = dv.getUint32(12);
  }
  return opts;
}

/* createStack's ip6: 'slaac' (the default), 'ADDR/LEN' (static) or false. */
function ip6Mode(ip6) {
  if (ip6 === false) return GLUE_IP6.OFF;
  if (ip6 === undefined || ip6 === 'slaac') return GLUE_IP6.SLAAC;
  parseCidr6(ip6);
  return GLUE_IP6.STATIC;
}

/* 'ADDR/LEN' (IPv6; LEN defaults to 64) into { addr (glue bytes), prefix }. */
function parseCidr6(text) {
  const [ip, len, extra] = String(text).split('/');
  const addr = parseAddr(ip);
  const prefix = len === undefined ? 64 : Number(len);
  if (!addr || addr[0] !== AF.IP6 || extra !== undefined || !Number.isInteger(prefix) ||
      prefix < 1 || prefix > 128) {
    throw new SynackError('invalid', `synack: bad IPv6 address '${text}' (want 'ADDR/LEN', 'slaac' or false)`);
  }
  return { addr, prefix };
}

/* A glue IPv6 address from text, or throw. */
function addr6(text, what) {
  const a = parseAddr(String(text));
  if (!a || a[0] !== AF.IP6) throw new SynackError('invalid', `synack: bad ${what} '${text}'`);
  return a;
}

/* stableSecret: 16 bytes (a Uint8Array or 32 hex digits) keying the RFC
 * 7217 IPv6 identifiers, so a page that keeps it (e.g. in localStorage)
 * keeps its SLAAC addresses across reloads; undefined: none. */
function stableSecret(v) {
  if (v === undefined || v === null) return null;
  let b = v;
  if (typeof v === 'string' && /^[0-9a-fA-F]{32}$/.test(v)) {
    b = new Uint8Array(16);
    for (let i = 0; i < 16; i++) b[i] = parseInt(v.slice(2 * i, 2 * i + 2), 16);
  }
  if (!(b instanceof Uint8Array) || b.length !== 16) {
    throw new SynackError('invalid', 'synack: stableSecret must be 16 bytes (a Uint8Array or 32 hex digits)');
  }
  return b;
}

function defaultMac() {
  const b = randomBytes(6);
  b[0] = (b[0] & 0xfe) | 0x02; /* unicast, locally administered */
  return b;
}

/* Parse 'host:port', '[v6]:port' or { hostname, port } (WinterTC SocketAddress). */
function socketAddress(address) {
  if (typeof address === 'string') {
    const i = address.lastIndexOf(':');
    if (i <= 0) throw new SynackError('invalid', `synack: bad address '${address}' (want 'host:port')`);
    let hostname = address.slice(0, i);
    if (hostname.startsWith('[') && hostname.endsWith(']')) hostname = hostname.slice(1, -1);
    return { hostname, port: Number(address.slice(i + 1)) };
  }
  return { hostname: address?.hostname, port: Number(address?.port) };
}

function checkPort(port, allowZero) {
  if (!Number.isInteger(port) || port < (allowZero ? 0 : 1) || port > 65535) {
    throw new SynackError('invalid', `synack: bad port ${port}`);
  }
}

/* A watcher that polls `probe` at each settle until it returns non-undefined. */
function waitFor(core, probe, timeoutMs, onTimeout) {
  const d = deferred();
  let timer = null;
  const w = {
    check() {
      let r;
      try {
        r = probe();
      } catch (e) {
        d.reject(e);
        return cleanup();
      }
      if (r === undefined) return true;
      d.resolve(r);
      return cleanup();
    },
    fail(err) {
      d.reject(err);
      cleanup();
    },
  };
  function cleanup() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    core.unwatch(w);
    return false;
  }
  if (timeoutMs !== undefined && timeoutMs !== Infinity) {
    timer = setTimeout(() => {
      timer = null;
      core.unwatch(w);
      d.reject(onTimeout());
    }, timeoutMs);
  }
  core.watch(w);
  return d.promise;
}

/** A userspace TCP/IP stack. Made by createStack(). */
export class Stack extends EventTarget {
  #core;
  #link;
  #traceOn = false;
  #pingSeq = 0;

  constructor(core, link) {
    super();
    this.#core = core;
    this.#link = link;
    core.target = this;
  }

  /** Trace events ('trace') turn on the core's tracing when first listened to. */
  addEventListener(type, listener, options) {
    if (type === 'trace') this.trace = true;
    super.addEventListener(type, listener, options);
  }

  /** Whether trace events are produced. */
  get trace() {
    return this.#traceOn;
  }

  set trace(on) {
    on = !!on;
    if (on === this.#traceOn || this.#core.destroyed) return;
    this.#traceOn = on;
    this.#core.m._synack_js_set_trace(this.#core.ctx, on ? 1 : 0);
  }

  #ipv4() {
    const c = this.#core;
    c.m._synack_js_get_ipv4(c.ctx, c.out);
    return { addr: c.u32(OUT.IP4.ADDR), prefix: c.u32(OUT.IP4.PREFIX), gw: c.u32(OUT.IP4.GATEWAY), dns: c.u32(OUT.IP4.DNS) };
  }

  /** Our address 'A.B.C.D' (null while DHCP has none). */
  get address() {
    const a = this.#ipv4().addr;
    return a ? formatIp4(a) : null;
  }

  /** Prefix length of our address. */
  get prefix() {
    return this.#ipv4().prefix;
  }

  /** Default gateway, or null. */
  get gateway() {
    const g = this.#ipv4().gw;
    return g ? formatIp4(g) : null;
  }

  /** Resolver address, or null. */
  get dns() {
    const d = this.#ipv4().dns;
    return d ? formatIp4(d) : null;
  }

  /**
   * Whether the bridge agreed to take TCP super-frames (IPv4 or IPv6)
   * from this stack (a link with `offload: true`, e.g. WebSocketLink({
   * offload: true }) to synack-bridge --offload; core/link/offload.h).
   */
  get offloadActive() {
    if (this.#core.destroyed) return false;
    return this.#core.m._synack_js_offload_active(this.#core.ctx) === 1;
  }

  /**
   * The addresses in use, IPv4 first: { address, family ('IPv4' or
   * 'IPv6'), prefix, state ('preferred'; IPv6 also 'tentative' during
   * duplicate address detection, 'deprecated', 'duplicate'), origin
   * ('static', 'dhcp'; IPv6 'link-local', 'static', 'slaac') }, IPv6 ones
   * with validUntil and preferredUntil (stack ms, Infinity for never).
   */
  get addresses() {
    const c = this.#core;
    const out = [];
    const v4 = this.#ipv4();
    if (v4.addr) {
      const dhcp = c.m._synack_js_dhcp_state(c.ctx) === DHCP_STATE.BOUND;
      out.push({ address: formatIp4(v4.addr), family: 'IPv4', prefix: v4.prefix, state: 'preferred',
        origin: dhcp ? 'dhcp' : 'static' });
    }
    const n = c.m._synack_js_get_ipv6(c.ctx, 0, c.addrOut(), c.out);
    for (let i = 0; i < n; i++) {
      c.m._synack_js_get_ipv6(c.ctx, i, c.addrOut(), c.out);
      out.push({
        address: c.addrText(), family: 'IPv6', prefix: c.f64(OUT.IP6ADDR.PREFIX),
        state: IP6_STATES[c.f64(OUT.IP6ADDR.STATE)], origin: IP6_ORIGINS[c.f64(OUT.IP6ADDR.ORIGIN)],
        validUntil: c.f64(OUT.IP6ADDR.VALID_UNTIL), preferredUntil: c.f64(OUT.IP6ADDR.PREFERRED_UNTIL),
      });
    }
    return out;
  }

  /** Our preferred IPv6 address beyond link-local (static or SLAAC), or null. */
  get address6() {
    const a = this.addresses.find((x) => x.family === 'IPv6' && x.state === 'preferred' &&
      x.origin !== 'link-local');
    return a ? a.address : null;
  }

  /** The static IPv6 gateway, or null. */
  get gateway6() {
    const c = this.#core;
    c.m._synack_js_get_gateway6(c.ctx, c.addrOut());
    return c.addrText();
  }

  /**
   * Add a static IPv6 address 'ADDR/LEN' (on Ethernet it is tentative
   * until duplicate address detection passes; see waitAddress6) and, when
   * given, the IPv6 gateway.
   */
  addAddress6(cidr, gateway6) {
    const { addr, prefix } = parseCidr6(cidr);
    const c = this.#core;
    let r = c.enter(() => c.m._synack_js_add_ipv6(c.ctx, c.now(), c.putAddr(addr), prefix));
    if (r >= 0 && gateway6) {
      const gw = addr6(gateway6, 'IPv6 gateway');
      r = c.enter(() => c.m._synack_js_set_gateway6(c.ctx, c.now(), c.putAddr(gw)));
    }
    if (r < 0) throw errorFrom(r, 'synack: add IPv6 address');
  }

  /**
   * Wait until the stack has an IPv6 address to use beyond link-local (a
   * static one past duplicate address detection, or one from a router
   * advertisement); resolves with it. Rejects with 'timeout' (default
   * 10000 ms), or 'addrinuse' when the only candidate turned out to be a
   * duplicate.
   */
  waitAddress6({ timeout = 10000 } = {}) {
    return waitFor(this.#core, () => {
      const mine = this.addresses.filter((x) => x.family === 'IPv6' && x.origin !== 'link-local');
      const ok = mine.find((x) => x.state === 'preferred');
      if (ok) return ok.address;
      if (mine.length && mine.every((x) => x.state === 'duplicate')) {
        throw new SynackError('addrinuse', `synack: ${mine[0].address} is in use on the link`);
      }
      return undefined;
    }, timeout, () => new SynackError('timeout', 'synack: no IPv6 address (timed out)'));
  }

  /** Our MAC address 'xx:xx:xx:xx:xx:xx'. */
  get mac() {
    const c = this.#core;
    c.m._synack_js_get_mac(c.ctx, c.out);
    return formatMac(c.m.HEAPU8.subarray(c.out, c.out + 6));
  }

  /** The stack's clock in ms (the `t` of trace events). */
  now() {
    return this.#core.now();
  }

  /**
   * Resolve a host name with the stack's resolver, as Node's dns.lookup
   * does: `family` 4 asks A records, 6 AAAA records, 0 (the default) both,
   * ordered as connect() tries them (the core's Happy Eyeballs, RFC 8305
   * section 4: the families interleaved, IPv6 first unless there is no
   * IPv6 route to the first IPv6 address). Resolves with the first
   * address as text, or with `all: true` with every address as
   * [{ address, family: 4 | 6 }]. A literal address resolves at once, to
   * itself. Rejects with a SynackError: 'notfound' (no such name, or no
   * address of the family asked), 'timeout', 'refused', 'unreachable'
   * (no resolver), 'invalid'.
   */
  async lookup(hostname, { family = 0, all = false } = {}) {
    const f = { 0: 0, 4: AF.IP4, 6: AF.IP6 }[family];
    if (f === undefined) throw new SynackError('invalid', `synack: bad family ${family} (want 4, 6 or 0)`);
    const list = (await this.#resolve(hostname, f, true)).map((a) => ({ address: formatAddr(a), family: a[0] === AF.IP6 ? 6 : 4 }));
    return all ? list : list[0].address;
  }

  /* Host name or literal (IPv4, IPv6, [IPv6]) to glue address bytes: the
   * first address of `family` (AF value, 0: both), or with `all` a list. */
  #resolve = async (hostname, family = 0, all = false) => {
    const lit = parseAddr(hostname);
    if (lit !== null) return all ? [lit] : lit;
    const core = this.#core;
    if (typeof hostname !== 'string' || hostname === '') {
      throw new SynackError('invalid', `synack: bad host name '${hostname}'`);
    }
    const what = `synack: lookup ${hostname}`;
    const q = [-1, -1];
    try {
      [AF.IP6, AF.IP4].forEach((af, i) => {
        if (family !== 0 && family !== af) return;
        q[i] = core.enter(() => core.m._synack_js_dns_query(core.ctx, core.now(), core.putString(hostname), af));
        if (q[i] < 0) throw errorFrom(q[i], what);
      });
      return await waitFor(core, () => {
        const n = core.m._synack_js_dns_lookup(core.ctx, q[0], q[1], core.scratch);
        if (n === ERR.AGAIN) return undefined;
        if (n === ERR.NOTFOUND) {
          const fam = family === AF.IP4 ? 'IPv4 ' : family === AF.IP6 ? 'IPv6 ' : '';
          throw new SynackError('notfound', `${what}: no such name, or no ${fam}address (notfound)`);
        }
        if (n < 0) throw errorFrom(n, what);
        const at = (i) => core.m.HEAPU8.slice(core.scratch + i * ADDR_LEN, core.scratch + (i + 1) * ADDR_LEN);
        return all ? Array.from({ length: n }, (_, i) => at(i)) : at(0);
      });
    } finally {
      if (!core.destroyed) {
        core.enter(() => q.forEach((h) => h >= 0 && core.m._synack_js_dns_close(core.ctx, h)));
      }
    }
  };

  /*
   * A name: the core's Happy Eyeballs v2 (synack_connect_name, RFC 8305)
   * asks AAAA and A, races the addresses (options.attemptDelay ms apart,
   * default 250) and gives the winner's handle; each attempt takes the
   * socket options from a template handle. Rejects with the last attempt's
   * error, or the lookup's ('notfound', ...).
   */
  #connectName = async (hostname, port, options) => {
    const core = this.#core;
    if (typeof hostname !== 'string' || hostname === '') {
      throw new SynackError('invalid', `synack: bad host name '${hostname}'`);
    }
    const what = `synack: connect ${hostname}:${port}`;
    const tmpl = tcpOpen(core, options);
    let op = -1;
    try {
      op = core.enter(() =>
        core.m._synack_js_connect_name(core.ctx, core.now(), core.putString(hostname), port,
          Number(options.attemptDelay ?? 0), tmpl));
      if (op < 0) throw errorFrom(op, what);
      return await waitFor(core, () => {
        /* Not inside core.enter(): that queues another settle, which would
         * call this probe again without end. A step that started an
         * attempt (or aborted a loser) left frames: send them now. */
        const r = core.m._synack_js_connect_name_result(core.ctx, core.now(), op);
        if (core.outbox.length) core.enter(() => {});
        if (r === ERR.AGAIN) return undefined;
        if (r < 0) throw errorFrom(r, what);
        return r;
      });
    } finally {
      if (!core.destroyed) {
        core.enter(() => {
          if (op >= 0) core.m._synack_js_connect_name_close(core.ctx, core.now(), op);
          core.m._synack_js_tcp_close(core.ctx, core.now(), tmpl);
        });
      }
    }
  };

  /**
   * Open a TCP connection (WinterTC connect()): `address` is
   * { hostname, port } or 'host:port'. Options: allowHalfOpen (default
   * false: the peer's FIN also closes our sending side), noDelay,
   * keepAlive, sendBuffer, receiveBuffer, highWaterMark (bytes the readable
   * queues in JS), secureTransport ('off', 'on': TLS at once, 'starttls':
   * socket.startTls(options) later), alpn, tls { ca, servername,
   * rejectUnauthorized } (synack-tls.mjs, loaded on first use),
   * attemptDelay (ms between Happy Eyeballs attempts to a name's
   * addresses, 10..2000, default 250). Returns the socket at once;
   * `opened` settles later.
   */
  connect(address, options = {}) {
    const st = options.secureTransport ?? 'off';
    if (st !== 'off' && st !== 'on' && st !== 'starttls') {
      throw new TypeError(`synack: secureTransport must be 'off', 'on' or 'starttls'`);
    }
    const { hostname, port } = socketAddress(address);
    checkPort(port, false);
    const core = this.#core;
    const start = (dst) => {
      const h = tcpOpen(core, options);
      const r = core.enter(() => core.m._synack_js_tcp_connect(core.ctx, core.now(), h, core.putAddr(dst), port));
      if (r < 0) {
        core.enter(() => core.m._synack_js_tcp_abort(core.ctx, core.now(), h));
        throw errorFrom(r, `synack: connect ${hostname}:${port}`);
      }
      return h;
    };
    const lit = parseAddr(hostname);
    let pending;
    try {
      pending = lit !== null ? Promise.resolve(start(lit)) : this.#connectName(hostname, port, options);
    } catch (e) {
      pending = Promise.reject(e);
    }
    const sock = new TcpSocket(core, { ...options, pending });
    const tls = { ...options, servername: hostname };
    if (st === 'on') return secureSocket(sock, tls);
    /* WinterTC: startTls() gives a new socket; the plain one is its transport. */
    if (st === 'starttls') sock.startTls = (o = {}) => secureSocket(sock, { ...tls, ...o, tls: { ...options.tls, ...o.tls } });
    return sock;
  }

  /**
   * Listen for TCP connections on { port }: an async iterable of TcpSockets
   * (also server.accept()). Options: backlog (default 128), reuseAddr
   * (default true, as servers set SO_REUSEADDR: the port may be taken while
   * an earlier listener's connections are in TIME-WAIT; false throws
   * 'addrinuse' then, as a plain bind() does) and the socket options of
   * connect().
   */
  listen({ port, backlog = 128, reuseAddr = true, ...options }) {
    checkPort(port, false);
    const core = this.#core;
    const h = tcpOpen(core, { ...options, reuseAddr });
    let r = core.enter(() => core.m._synack_js_tcp_bind(core.ctx, h, port));
    if (r >= 0) r = core.enter(() => core.m._synack_js_tcp_listen(core.ctx, h, backlog));
    if (r < 0) {
      core.enter(() => core.m._synack_js_tcp_close(core.ctx, core.now(), h));
      throw errorFrom(r, `synack: listen on port ${port}`);
    }
    return new TcpServer(core, h, port, { ...options, backlog });
  }

  /** A UDP socket bound to { port } (0 or absent: an ephemeral port). */
  udp({ port = 0 } = {}) {
    checkPort(port, true);
    const core = this.#core;
    const h = core.enter(() => core.m._synack_js_udp_open(core.ctx, port));
    if (h < 0) throw errorFrom(h, `synack: udp port ${port}`);
    return new UdpSocket(core, h, this.#resolve);
  }

  /**
   * ICMP echo: resolves with { address, seq, bytes, rtt } for the reply, or
   * rejects with 'timeout' (no reply within `timeout` ms, default 1000) or
   * 'unreachable'. Options: timeout, size (payload bytes, default 56), seq.
   */
  async ping(host, { timeout = 1000, size = 56, seq } = {}) {
    const dst = await this.#resolve(host);
    const core = this.#core;
    const h = core.enter(() => core.m._synack_js_ping_open(core.ctx));
    if (h < 0) throw errorFrom(h, 'synack: ping');
    const s = seq ?? (this.#pingSeq = (this.#pingSeq + 1) & 0xffff);
    const payload = toBytes(new Uint8Array(size).map((_, i) => i & 0xff));
    const t0 = core.now();
    try {
      const r = core.enter(() => core.m._synack_js_ping_send(core.ctx, core.now(), h, core.putAddr(dst), s,
        core.put(payload), payload.length));
      if (r < 0) throw errorFrom(r, `synack: ping ${host}`);
      return await waitFor(core, () => {
        const n = core.m._synack_js_ping_recv(core.ctx, h, core.out, core.scratch, 65536, core.addrOut());
        if (n === ERR.AGAIN) return undefined;
        if (n < 0) throw errorFrom(n, `synack: ping ${host}`);
        if (core.u32(OUT.FROM.SEQ) !== s) return undefined;
        return { address: core.addrText(), seq: s, bytes: n, rtt: core.now() - t0 };
      }, timeout, () => new SynackError('timeout', `synack: ping ${host}: timed out`));
    } finally {
      if (!core.destroyed) core.enter(() => core.m._synack_js_ping_close(core.ctx, h));
    }
  }

  /** Counters (synack_counters) and non-zero drop counts by 'layer/reason'. */
  counters() {
    const c = this.#core;
    const m = c.m;
    m._synack_js_counters(c.ctx, c.out);
    const out = {};
    COUNTER_NAMES.forEach((name, i) => { out[name] = c.f64(i); });
    out.drops = {};
    const n = m._synack_js_drop_count();
    for (let d = 0; d < n; d++) {
      const v = m._synack_js_drops(c.ctx, d);
      if (v > 0) out.drops[`${c.string(m._synack_js_drop_layer(d))}/${c.string(m._synack_js_drop_reason(d))}`] = v;
    }
    return out;
  }

  /** The DHCP lease, or null when none is bound. */
  lease() {
    const c = this.#core;
    if (c.m._synack_js_dhcp_lease(c.ctx, c.out) < 0) return null;
    const ip = (i) => (c.u32(i) ? formatIp4(c.u32(i)) : null);
    return {
      address: ip(OUT.LEASE.ADDR), gateway: ip(OUT.LEASE.GATEWAY), dns: [ip(OUT.LEASE.DNS0), ip(OUT.LEASE.DNS1)].filter(Boolean),
      server: ip(OUT.LEASE.SERVER), prefix: c.u32(OUT.LEASE.PREFIX), leaseSeconds: c.u32(OUT.LEASE.SECONDS),
    };
  }

  /* Start DHCP and wait for a lease. */
  async dhcp(timeoutMs) {
    const c = this.#core;
    const r = c.enter(() => c.m._synack_js_dhcp_start(c.ctx, c.now()));
    if (r < 0 && r !== ERR.ISCONN) throw errorFrom(r, 'synack: dhcp');
    await waitFor(c, () => (c.m._synack_js_dhcp_state(c.ctx) === DHCP_STATE.BOUND ? true : undefined),
      timeoutMs, () => new SynackError('timeout', 'synack: dhcp: no lease (timed out)'));
  }

  /** Set the address (static configuration). */
  setAddress(cidr, gateway) {
    const { addr, prefix } = parseCidr(cidr);
    const gw = gateway ? parseIp4(gateway) : 0;
    if (gw === null) throw new SynackError('invalid', `synack: bad gateway '${gateway}'`);
    const c = this.#core;
    const r = c.enter(() => c.m._synack_js_set_ipv4(c.ctx, c.now(), addr, prefix, gw));
    if (r < 0) throw errorFrom(r, 'synack: set address');
  }

  /** Set the resolver ('A.B.C.D'; null lets DHCP set it). */
  setDns(server) {
    const v = server ? parseIp4(server) : 0;
    if (v === null) throw new SynackError('invalid', `synack: bad resolver '${server}'`);
    this.#core.m._synack_js_set_dns(this.#core.ctx, v);
  }

  /** Whether close() was called. */
  get closed() {
    return this.#core.destroyed;
  }

  /** Free the stack: its sockets fail with 'closed', its link is closed. */
  close() {
    if (this.#core.destroyed) return;
    this.#core.destroy();
    this.#link.onframe = null;
    this.#link.close?.();
  }
}

/**
 * Create a stack on a link (DESIGN.md, CONTRACT: JavaScript API). Options:
 * link (required), ip ('dhcp' — the default —, 'A.B.C.D/LEN' or false for
 * no IPv4), gateway, ip6 ('slaac' — the default —, 'ADDR/LEN' or false),
 * gateway6, stableSecret, dns, mac, seed, dhcpTimeout (ms, default 30000), trace, udpMaxSockets,
 * arpRetryMs, arpRetries, and tcp: { maxConnections, sendBuffer,
 * receiveBuffer, synRetries, dataRetries, rtoInitial, rtoMin, rtoMax, msl,
 * delayedAck, noDelay, cc }.
 */
export async function createStack(options = {}) {
  const link = options.link;
  if (!link || typeof link.send !== 'function') {
    throw new TypeError('synack: createStack needs a link with send(frame)');
  }
  const ip = options.ip ?? 'dhcp';
  const cidr = ip === 'dhcp' || ip === false ? null : parseCidr(ip);
  const ip6 = options.ip6;
  const static6 = ip6 !== undefined && ip6 !== false && ip6 !== 'slaac';
  /* with a stable secret and no MAC the core derives the MAC from the
   * secret: RFC 7217 hashes the MAC too, and a new one per start would move
   * the addresses the secret keeps */
  const mac = options.mac ? parseMac(options.mac)
    : options.stableSecret != null ? new Uint8Array(6) : defaultMac();
  const opts = buildOptions(link, options);
  const m = await wasmModule();
  if (!m._synack_js_ipv6_built()) {
    /* an IPv4-only synack.wasm (SYNACK_IPV6=OFF): refuse an explicit ip6 */
    if (ip6 !== undefined && ip6 !== false) {
      throw new SynackError('invalid', 'synack: ip6 needs IPv6, and this synack.wasm was built without it (SYNACK_IPV6=OFF)');
    }
    opts[GLUE_OPT.IP6] = GLUE_IP6.OFF;
  }
  if (link.ready) await link.ready;

  const core = new Core(m, link, mac, opts, null);
  const stack = new Stack(core, link);
  link.attachStack?.(core, opts[GLUE_OPT.OFFLOAD] === GLUE_OFFLOAD.PAIR);
  const receive = (frame) => core.input(frame);
  if (typeof link.attach === 'function') link.attach(receive);
  else link.onframe = receive;
  link.closed?.catch?.((err) => {
    stack.dispatchEvent(new CustomEvent('linkerror', { detail: err }));
  });
  if (options.trace) stack.trace = true;

  try {
    if (options.dns) stack.setDns(options.dns);
    if (static6) stack.addAddress6(ip6, options.gateway6);
    if (cidr) stack.setAddress(ip, options.gateway);
    else if (ip !== false) await stack.dhcp(options.dhcpTimeout ?? 30000);
    if (static6) await stack.waitAddress6({ timeout: options.dadTimeout ?? 10000 });
  } catch (e) {
    stack.close();
    throw e;
  }
  return stack;
}
