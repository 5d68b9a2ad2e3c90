/*
 * UDP sockets (RFC 768): send(address, port, data) and an async iterable of
 * received messages { data, address, port }. A pending ICMP error for the
 * socket (port unreachable, RFC 1122 §4.1.3.3) does not end the iteration:
 * it is dispatched as an 'error' event whose `detail` is a SynackError.
 */
import { CHUNK } from './core.mjs';
import { ERR, OUT } from './constants.mjs';
import { SynackError, errorFrom } from './errors.mjs';
import { Inbox } from './inbox.mjs';
import { toBytes } from './util.mjs';

/* Messages kept in JS per socket before the core's own queue is used. */
const JS_QUEUE = 256;
/* Largest UDP payload (RFC 768 over IPv4: 65535 - 20 - 8). */
const UDP_MAX = 65507;

export class UdpSocket extends EventTarget {
  #core;
  #h;
  #resolve;
  #inbox;
  #closed = false;

  /** Made by Stack.udp(); `resolve` turns a host name into an address. */
  constructor(core, h, resolve) {
    super();
    this.#core = core;
    this.#h = h;
    this.#resolve = resolve;
    this.#inbox = new Inbox('synack: the socket is closed', () => core.queueSettle());
    this.port = core.m._synack_js_udp_port(core.ctx, h);
    core.watch(this);
  }

  /**
   * Send one datagram (fragmented by IP when larger than the MTU). Resolves
   * once it is handed to the link; rejects with a SynackError ('msgsize',
   * 'unreachable', 'closed', 'notfound' for a name that does not resolve).
   */
  async send(address, port, data) {
    const bytes = toBytes(data);
    if (bytes.length > UDP_MAX) throw new SynackError('msgsize', 'synack: datagram too large');
    const dst = await this.#resolve(address);
    if (this.#closed) throw this.#inbox.closedError();
    const core = this.#core;
    const r = core.enter(() => core.m._synack_js_udp_sendto(core.ctx, core.now(), this.#h,
      core.putAddr(dst), port, core.put(bytes), bytes.length));
    if (r < 0) throw errorFrom(r, 'synack: udp send');
  }

  /** The next message { data, address, port }; rejects once closed. */
  receive() {
    return this.#inbox.take();
  }

  [Symbol.asyncIterator]() {
    return this.#inbox.iterator(() => this.close());
  }

  /** Readiness check: move queued datagrams from the core into JS. */
  check() {
    if (this.#closed) return false;
    const core = this.#core;
    const inbox = this.#inbox;
    for (let i = 0; i < 4 * JS_QUEUE && (inbox.size < JS_QUEUE || inbox.waiting); i++) {
      const ptr = core.scratch;
      const n = core.m._synack_js_udp_recvfrom(core.ctx, this.#h, ptr, CHUNK, core.out, core.addrOut());
      if (n === ERR.AGAIN) break;
      if (n < 0) {
        this.dispatchEvent(new CustomEvent('error', { detail: errorFrom(n, 'synack: udp') }));
        continue;
      }
      inbox.push({
        data: core.m.HEAPU8.slice(ptr, ptr + Math.min(n, CHUNK)),
        address: core.addrText(),
        port: core.u32(OUT.FROM.PORT),
      });
    }
    return true;
  }

  /** Close the socket; iteration ends after the messages already queued. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    const core = this.#core;
    core.unwatch(this);
    if (!core.destroyed) core.enter(() => core.m._synack_js_udp_close(core.ctx, this.#h));
    this.#inbox.end(false);
  }

  /** The stack went away. */
  fail() {
    this.close();
  }
}
