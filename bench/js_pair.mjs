// The JavaScript API's own overhead (issue 16): two synack stacks on a
// PairLink in one Node process, one TCP connection, BYTES through the
// sockets' web streams (the client writes 64 KiB Uint8Arrays through a
// WritableStream writer, the server reads with a ReadableStream reader and
// counts). Compare with `synack_bench throughput --mtu 1500` under node:
// the same core and link, driven from C.
//   node bench/js_pair.mjs SYNACK_MJS [--bytes N] [--chunk N] [--mtu N] [--reader default|byob]
//                          [--offload 0|1] [--buffer N] [--link pair|ws]
// Prints one JSON line: {"bench":"js_pair","bytes",...,"mbit_per_s"}.
// The run must move every byte in order (checked by the counts and a
// pattern in the first and last byte of each chunk) or it fails.
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : dflt;
};
const mjs = args[0];
if (!mjs || mjs.startsWith('--')) {
  console.error('usage: node js_pair.mjs SYNACK_MJS [--bytes N] [--chunk N] [--mtu N] [--reader default|byob] [--offload 0|1] [--buffer N] [--link pair|ws]');
  process.exit(2);
}
const total = Number(opt('--bytes', '200000000'));
const chunkSize = Number(opt('--chunk', '65536'));
const mtu = Number(opt('--mtu', '1500'));
const readerKind = opt('--reader', 'default');
/* TCP buffers of both stacks (default: the API's own default) */
const buffer = opt('--buffer', undefined);
const tcp = buffer === undefined ? {} : { sendBuffer: Number(buffer), receiveBuffer: Number(buffer) };
const synack = await import(pathToFileURL(resolve(mjs)).href);

/* --offload 0: MTU-sized frames only (the per-frame path of other links) */
const offload = opt('--offload', '1') !== '0';
/* --link ws: two WebSocketLinks joined by an in-process stand-in for a
 * WebSocket pair (each message copied, delivered in a later task): the
 * JavaScript side of the browser's path (batching, framing) alone. */
const linkKind = opt('--link', 'pair');

class FakeWebSocket {
  static waiting = null;
  constructor() {
    this.readyState = 0;
    this.peer = FakeWebSocket.waiting;
    if (this.peer) {
      this.peer.peer = this;
      FakeWebSocket.waiting = null;
      setImmediate(() => {
        for (const ws of [this, this.peer]) {
          ws.readyState = 1;
          ws.onopen?.();
        }
      });
    } else {
      FakeWebSocket.waiting = this;
    }
  }

  send(data) {
    const copy = data.slice().buffer;
    setImmediate(() => this.peer.onmessage?.({ data: copy }));
  }

  close() {
    this.readyState = 3;
  }
}

const [a, b] = linkKind === 'ws'
  ? [new synack.WebSocketLink('ws://a', { WebSocket: FakeWebSocket }), new synack.WebSocketLink('ws://b', { WebSocket: FakeWebSocket })]
  : synack.PairLink.pair({ seed: 7, mtu, offload });
const stats = (l) => (linkKind === 'ws' ? l.framesOut : l.stats().frames);
const client = await synack.createStack({ link: a, ip: '10.9.0.1/24', seed: 1, tcp });
const server = await synack.createStack({ link: b, ip: '10.9.0.2/24', seed: 2, tcp });
let result;
try {
  const listener = server.listen({ port: 9 });
  let received = 0;
  let reads = 0;
  let bad = 0;
  const serverDone = (async () => {
    const s = await listener.accept();
    await s.opened;
    if (readerKind === 'byob') {
      const r = s.readable.getReader({ mode: 'byob' });
      let buf = new ArrayBuffer(chunkSize);
      for (;;) {
        const { value, done } = await r.read(new Uint8Array(buf));
        if (done) break;
        /* byte i of the stream is (i & 255) */
        if (value[0] !== (received & 255)) bad++;
        received += value.byteLength;
        reads++;
        buf = value.buffer;
      }
    } else {
      const r = s.readable.getReader();
      for (;;) {
        const { value, done } = await r.read();
        if (done) break;
        if (value[0] !== (received & 255)) bad++;
        received += value.byteLength;
        reads++;
        if (process.env.JS_PAIR_TIMELINE && (received / 20e6 | 0) !== ((received - value.byteLength) / 20e6 | 0)) {
          const i = globalThis.jsPairClient?.info();
          console.error((received / 1e6).toFixed(0), 'MB at', (performance.now()).toFixed(1), i && JSON.stringify({ cwnd: i.cwnd, snd_wnd: i.snd_wnd, sndbuf: i.sndbuf, rcv_wnd: i.rcv_wnd, srtt: i.srtt, rexmit: i.rexmitSegs }));
        }
      }
    }
  })();
  const c = client.connect({ hostname: '10.9.0.2', port: 9 });
  await c.opened;
  globalThis.jsPairClient = c;
  const w = c.writable.getWriter();
  /* chunk k starts at stream offset k * chunkSize; with chunkSize a
   * multiple of 256 every chunk holds the same pattern */
  const chunk = Uint8Array.from({ length: chunkSize }, (_, i) => i & 255);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  if (process.env.JS_PAIR_TIMELINE) console.error('start at', t0.toFixed(1));
  let sent = 0;
  while (sent < total) {
    const n = Math.min(chunkSize, total - sent);
    await w.write(n === chunkSize ? chunk : chunk.subarray(0, n));
    sent += n;
  }
  await w.close();
  await serverDone;
  const s = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  listener.close();
  if (received !== sent) throw new Error(`sent ${sent} B, received ${received} B`);
  if (bad) throw new Error(`${bad} chunks out of order`);
  result = {
    bench: 'js_pair', link: linkKind, reader: readerKind, mtu, offload: linkKind === 'pair' && offload, chunk: chunkSize, bytes: received, reads, seconds: +s.toFixed(3),
    mbit_per_s: +((received * 8) / s / 1e6).toFixed(1),
    gbit_per_s: +((received * 8) / s / 1e9).toFixed(3),
    /* CPU seconds of this process (all its threads: GC helpers included),
     * less moved by a busy machine than the wall clock */
    cpu_s: +((cpu.user + cpu.system) / 1e6).toFixed(3),
    /* frames on the wire each way (super-frames count as one) */
    frames_ab: stats(a), frames_ba: stats(b),
    drops: { ...client.counters().drops, ...server.counters().drops },
  };
} finally {
  client.close();
  server.close();
}
console.log(JSON.stringify(result));
process.exit(0);
