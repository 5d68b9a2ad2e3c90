/*
 * The network behind the page, in one of two modes:
 *  - standalone: a client stack (10.9.0.1) and a server stack (10.9.0.2)
 *    in this page on an impaired PairLink. The server listens on port 80,
 *    reads at the speed chosen (to show a zero window and the persist
 *    timer) and may echo; port 7 has no listener (RST: "refused"); SYNs to
 *    port 81 vanish ("timed out").
 *  - network: one client stack that gets its address by DHCP through
 *    websockify and synack-bridge --slirp and talks to a real server on the
 *    host (10.0.2.2 is the host in slirp's network). The client's own tap
 *    plays a firewall that drops SYNs to port 81.
 * With ip6 (the page's IPv6 switch) the stacks run IPv6 too and the
 * connections go over it: standalone, each stack has its link-local address
 * (SLAAC; no router answers its solicitations) and a static one in
 * fd00:9::/64 (duplicate address detection first); network, the stack takes
 * slirp's router advertisement and forms a SLAAC address in fd00:5ac::/64,
 * where fd00:5ac::2 is the host's ::1. Without it, IPv6 is off (ip6: false).
 * Both taps report every frame as a record (see model.mjs); the trace
 * events of the stacks in the page become records too. The time of a
 * record is ms since the session started.
 */
import { PairLink, WebSocketLink, createStack } from './synack.mjs';
import { TapLink } from './tap.mjs';

export const LISTEN_PORT = 80;
export const CLOSED_PORT = 7;
export const SILENT_PORT = 81;
/* Standalone IPv6 addresses (a ULA prefix of the page's own) and slirp's IPv6 host (bridge: --slirp's default prefix). */
export const STANDALONE6 = { client: 'fd00:9::1', server: 'fd00:9::2', prefix: 64 };
export const HOST4 = '10.0.2.2';
export const HOST6 = 'fd00:5ac::2';
/* Bytes of the connection's answer kept for the page's checks (tests hash them). */
const MAX_RX = 8 << 20;
/* Network mode's initial RTO (ms): the host is on loopback, and a SYN-dropping
 * port times out after 4 SYNs in about 3 s (0.2 + 0.4 + 0.8 + 1.6) instead of 15. */
const NET_RTO_INITIAL = 200;
/* Sizes chosen so that a slow reader closes the window within a second. */
const SERVER_RCVBUF = 32 * 1024;
const CLIENT_RCVBUF = 256 * 1024;
/* Frames kept for the pcap export (the first ones of a long session). */
const MAX_CAPTURE = 200000;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Session {
  /** sink(rec) receives every record. */
  constructor(mode, sink, ip6 = false) {
    this.mode = mode;
    this.ip6 = ip6;
    this.rx = [];
    this.rxBytes = 0;
    this.sink = sink;
    this.t0 = performance.now();
    this.wall0 = Date.now();
    this.captured = [];
    this.arrivals = new WeakMap();
    this.client = null;
    this.server = null;
    this.sock = null;
    this.writer = null;
    this.received = 0;
    this.peerClosed = false;
    this.readerRate = Infinity;
    this.echo = true;
    this.dropArmed = 0; /* client segments with data still to drop */
    this.corruptArmed = false;
    this.silentPort = null;
    /* What the server application does: 'echo' (or discard when !echo),
     * 'close-first' (answer the first read, then close: the server ends in
     * TIME-WAIT), 'half-close' (after the client's FIN, send halfCloseBytes, then close). */
    this.serverMode = 'echo';
    this.halfCloseBytes = 20000;
    this.serverSock = null;
    this.listener = null;
    this.o = null;
    this.onData = null;
    this.closed = false;
  }

  /** ms since the session started. */
  now() {
    return performance.now() - this.t0;
  }

  /** Model configuration for this session. */
  get modelConfig() {
    return {
      twoSided: this.mode === 'standalone', listenPort: LISTEN_PORT, ip6: this.ip6,
      rcvbuf: { client: CLIENT_RCVBUF, server: this.mode === 'standalone' ? this.serverRcvbuf : null },
    };
  }

  /* A frame a tap saw: captured for pcap (client's view) and recorded. */
  capture(frame) {
    if (this.captured.length < MAX_CAPTURE) this.captured.push({ frame, wall: this.wall0 + this.now() });
  }

  clientHooks() {
    return {
      onSend: (frame, pkt, fate, marks) => {
        this.capture(frame);
        const rec = { kind: 'frame', t: this.now(), side: 'client', pkt, fate, duplicated: !!marks?.duplicated };
        this.arrivals.set(frame, rec);
        this.sink(rec);
      },
      onReceive: (frame, pkt) => {
        this.capture(frame);
        const rec = this.arrivals.get(frame);
        if (rec) rec.arrivedAt = this.now();
        else if (this.mode === 'network') this.sink({ kind: 'frame', t: this.now(), side: 'server', pkt, fate: null, arrivedAt: this.now() });
      },
    };
  }

  /* Which outgoing client frames to drop, and why. */
  dropOut(pkt) {
    if (pkt.proto !== 'tcp') return null;
    if (this.silentPort !== null && pkt.dport === this.silentPort && pkt.flags === 'S') return 'filtered';
    if (this.dropArmed > 0 && (pkt.len > 0 || pkt.flags.includes('F'))) {
      this.dropArmed--;
      return 'dropped';
    }
    return null;
  }

  /* Which outgoing client frames to corrupt (the next one with data). */
  corruptOut(pkt) {
    if (pkt.proto !== 'tcp' || !this.corruptArmed || pkt.len === 0) return false;
    this.corruptArmed = false;
    return true;
  }

  /* Trace events of a stack become records on the session's clock. */
  traceOf(stack, side) {
    const offset = performance.now() - stack.now() - this.t0;
    stack.addEventListener('trace', (e) => {
      const ev = e.detail;
      this.sink({ kind: 'trace', t: ev.t + offset, side, ev, at: ev.at === undefined ? undefined : ev.at + offset });
    });
  }

  /**
   * Standalone mode. o: { delay, jitter, loss, reorder, duplicate, corrupt
   * (0..1), rateMbit, seed, cc ('cubic'|'newreno'), msl (ms), and for the
   * lessons serverRcvbuf, rtoInitial (ms), synRetries }.
   */
  async startStandalone(o) {
    this.o = o;
    const [a, b] = PairLink.pair({
      delay: o.delay, jitter: o.jitter, loss: o.loss, reorder: o.reorder, rateMbit: o.rateMbit, seed: o.seed,
      duplicate: o.duplicate ?? 0, corrupt: o.corrupt ?? 0,
    });
    const clientTap = new TapLink(a, this.clientHooks());
    clientTap.dropOut = (pkt) => this.dropOut(pkt);
    clientTap.corruptOut = (pkt) => this.corruptOut(pkt);
    const serverTap = new TapLink(b, {
      onSend: (frame, pkt, fate, marks) => {
        const rec = { kind: 'frame', t: this.now(), side: 'server', pkt, fate, duplicated: !!marks?.duplicated };
        this.arrivals.set(frame, rec);
        this.sink(rec);
      },
      onReceive: (frame) => {
        const rec = this.arrivals.get(frame);
        if (rec) rec.arrivedAt = this.now();
      },
    });
    this.silentPort = SILENT_PORT;
    const tcp = { cc: o.cc, msl: o.msl, synRetries: o.synRetries ?? 3, rtoInitial: o.rtoInitial };
    const ip6 = this.ip6 ? 'slaac' : false;
    this.client = await createStack({ link: clientTap, ip: '10.9.0.1/24', ip6, seed: o.seed, tcp: { ...tcp, receiveBuffer: CLIENT_RCVBUF } });
    this.server = await createStack({ link: serverTap, ip: '10.9.0.2/24', ip6, seed: o.seed + 1, tcp: { ...tcp, receiveBuffer: this.serverRcvbuf } });
    this.traceOf(this.client, 'client');
    this.traceOf(this.server, 'server');
    this.taps = [clientTap, serverTap];
    if (this.ip6) {
      /* Static addresses next to the link-local ones: both run duplicate address detection first. */
      this.client.addAddress6(`${STANDALONE6.client}/${STANDALONE6.prefix}`);
      this.server.addAddress6(`${STANDALONE6.server}/${STANDALONE6.prefix}`);
      await Promise.all([this.client.waitAddress6(), this.server.waitAddress6()]);
    }
    this.startListener(true);
    this.target = { hostname: this.ip6 ? STANDALONE6.server : '10.9.0.2', port: LISTEN_PORT };
  }

  get serverRcvbuf() {
    return this.o?.serverRcvbuf ?? SERVER_RCVBUF;
  }

  /* Listen on LISTEN_PORT and serve every connection. Throws a SynackError ('addrinuse'). */
  startListener(reuseAddr) {
    /* allowHalfOpen: the server application decides when to close (half-close lesson). */
    const listener = this.server.listen({ port: LISTEN_PORT, highWaterMark: 4096, reuseAddr, allowHalfOpen: true });
    this.listener = listener;
    (async () => {
      for await (const s of listener) this.serve(s);
    })().catch(() => {});
  }

  /**
   * The server application restarts: its listener closes and it binds port
   * 80 again without address reuse (a plain bind()). Records the outcome
   * ({ kind: 'bind' }) and resolves with it: { ok, code }.
   */
  relisten() {
    this.listener?.close();
    this.listener = null;
    let out;
    try {
      this.startListener(false);
      out = { ok: true, code: null };
    } catch (e) {
      out = { ok: false, code: e.code ?? 'error' };
    }
    this.sink({ kind: 'bind', t: this.now(), side: 'server', port: LISTEN_PORT, ...out });
    return out;
  }

  /** The server resets its connection (RST mid-connection). */
  serverAbort() {
    const s = this.serverSock;
    if (!s) return Promise.resolve();
    return (s.writer?.abort() ?? s.sock.writable.abort()).catch(() => {});
  }

  /* The server application: read at readerRate (bytes/s; 0 = paused), echo if asked. */
  async serve(s) {
    const reader = s.readable.getReader();
    const writer = s.writable.getWriter();
    this.serverSock = { sock: s, writer };
    try {
      for (;;) {
        while (this.readerRate === 0 && !this.closed) await sleep(50);
        const { value, done } = await reader.read();
        if (done) break;
        if (this.serverMode === 'close-first') {
          await writer.write(value);
          break;
        }
        if (this.echo) await writer.write(value);
        if (Number.isFinite(this.readerRate) && this.readerRate > 0) await sleep((1000 * value.length) / this.readerRate);
      }
      if (this.serverMode === 'half-close') {
        /* The answer takes a moment to prepare: CLOSE-WAIT lasts long enough to see. */
        await sleep(400);
        const block = new Uint8Array(this.halfCloseBytes).fill(122);
        await writer.write(block);
      }
      await writer.close();
    } catch {
      /* reset or closed: the trace tells */
    }
    if (this.serverSock?.sock === s) this.serverSock = null;
  }

  /** Network mode. o: { url, hostname, port }. */
  async startNetwork(o) {
    const tap = new TapLink(new WebSocketLink(o.url), this.clientHooks());
    tap.dropOut = (pkt) => this.dropOut(pkt);
    tap.corruptOut = (pkt) => this.corruptOut(pkt);
    /* Our own tap plays the firewall: SYNs to this port vanish. */
    this.silentPort = SILENT_PORT;
    this.taps = [tap];
    this.client = await createStack({
      link: tap, ip: 'dhcp', ip6: this.ip6 ? 'slaac' : false, dhcpTimeout: 15000,
      tcp: { synRetries: 3, receiveBuffer: CLIENT_RCVBUF, rtoInitial: o.rtoInitial ?? NET_RTO_INITIAL },
    });
    this.traceOf(this.client, 'client');
    /* slirp's router advertisement answers the stack's solicitation: a SLAAC address in its prefix. */
    if (this.ip6) await this.client.waitAddress6({ timeout: 15000 });
    this.target = { hostname: o.hostname, port: o.port };
  }

  /** The addresses of the page's stacks: [{ side, address, prefix, family, origin, state }]. */
  addresses() {
    const out = [];
    for (const [side, st] of [['client', this.client], ['server', this.server]]) {
      if (!st) continue;
      try {
        for (const a of st.addresses) out.push({ side, ...a });
      } catch {
        /* a closed stack has none */
      }
    }
    return out;
  }

  /** Wire counters (standalone): frames sent and lost per direction. */
  wireStats() {
    return this.taps?.map((t) => t.stats()).filter(Boolean) ?? [];
  }

  /**
   * Open a connection to `port` (default: the target's) and read from it
   * until it ends. Resolves with the outcome: 'closed' or an error code.
   */
  async connect(port = this.target.port) {
    /* target.tls ({ ca, servername }): TLS over the connection (synack-tls.mjs);
     * `opened` then waits for TLS's handshake too, and reads give plaintext. */
    const tls = this.target.tls;
    const s = this.client.connect({ hostname: this.target.hostname, port },
      tls ? { allowHalfOpen: true, secureTransport: 'on', tls } : { allowHalfOpen: true });
    this.sock = s;
    this.writer = null;
    this.received = 0;
    this.rx = [];
    this.rxBytes = 0;
    this.peerClosed = false;
    this.tlsInfo = null;
    this.tlsError = null;
    try {
      const info = await s.opened;
      if (tls) this.tlsInfo = `${info.protocol}, ${info.cipher}`;
    } catch (e) {
      if (this.sock === s) this.sock = null;
      if (e.code === 'tls') this.tlsError = `${e.reason}: ${e.message}`;
      return e.code ?? 'error';
    }
    if (this.sock !== s) return 'replaced';
    this.writer = s.writable.getWriter();
    this.onData?.('open');
    const decoder = new TextDecoder();
    let outcome = 'closed';
    try {
      for await (const chunk of s.readable) {
        this.received += chunk.length;
        if (this.rxBytes + chunk.length <= MAX_RX) {
          this.rx.push(chunk.slice());
          this.rxBytes += chunk.length;
        }
        this.onData?.('data', decoder.decode(chunk, { stream: true }));
      }
      this.peerClosed = true;
      this.onData?.('eof');
    } catch (e) {
      outcome = e.code ?? 'error';
    }
    await s.closed.catch(() => {});
    if (this.sock === s) {
      this.sock = null;
      this.writer = null;
    }
    return outcome;
  }

  /** Queue bytes on the connection (resolves once the send buffer took them). */
  send(data) {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    return this.writer ? this.writer.write(bytes).catch(() => {}) : Promise.resolve();
  }

  /** Close our sending side (FIN after the queued data). */
  closeSend() {
    return this.writer ? this.writer.close().catch(() => {}) : Promise.resolve();
  }

  /** Abort the connection (RST). */
  abort() {
    if (this.writer) return this.writer.abort().catch(() => {});
    return this.sock ? this.sock.close().catch(() => {}) : Promise.resolve();
  }

  /** Drop the next segment with data (or FIN) that the client sends. */
  dropNext(n = 1) {
    this.dropArmed = n;
  }

  /** Corrupt the next segment with data that the client sends (one byte flipped). */
  corruptNext() {
    this.corruptArmed = true;
  }

  /** Everything the client's interface saw, as records for writePcap(). */
  pcapRecords() {
    return this.captured;
  }

  stop() {
    this.closed = true;
    this.client?.close();
    this.server?.close();
  }
}
