// synack/net in a page, bundled by esbuild from the installed package with
// no shims (it runs on readable-stream, events and buffer): two stacks on a
// PairLink; the events and their order, a refused connection, half-close
// with allowHalfOpen and backpressure down to a zero window, as
// conformance.test.mjs checks them in Node. Results in window.__result.
import { createStack, PairLink } from 'synack';
import net from 'synack/net';

const once = (em, ev, ms = 5000) => new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error(`timed out waiting for ${ev}`)), ms);
  em.once(ev, (...a) => { clearTimeout(t); resolve(a[0]); });
});
const record = (em) => {
  const seen = [];
  for (const n of ['lookup', 'connect', 'ready', 'timeout', 'finish', 'end', 'error', 'close']) em.on(n, () => seen.push(n));
  return seen;
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function run() {
  const r = {};
  const [a, b] = PairLink.pair({ seed: 3 });
  const cs = await createStack({ link: a, ip: '10.9.0.1/24', seed: 1 });
  const ss = await createStack({ link: b, ip: '10.9.0.2/24', seed: 2 });
  try {
    /* echo */
    const echo = net.createServer({ stack: ss }, (s) => s.pipe(s));
    await once(echo.listen(7), 'listening');
    const c = net.createConnection({ stack: cs, host: '10.9.0.2', port: 7 });
    const seen = record(c);
    let got = '';
    c.setEncoding('utf8');
    c.on('data', (d) => { got += d; });
    await once(c, 'connect');
    c.end('hello');
    r.echo = { hadError: await once(c, 'close'), got, seen, bytesRead: c.bytesRead, bytesWritten: c.bytesWritten };

    /* refused */
    const x = net.createConnection({ stack: cs, host: '10.9.0.2', port: 1 });
    const xs = record(x);
    const err = await once(x, 'error');
    await once(x, 'close');
    r.refused = { code: err.code, errno: err.errno, message: err.message, seen: xs };

    /* half-close: the server writes after the client's FIN */
    const half = net.createServer({ stack: ss, allowHalfOpen: true }, (s) => {
      s.resume();
      s.on('end', () => setTimeout(() => s.end(`pong after your FIN (${s.readyState})`), 20));
    });
    await once(half.listen(8), 'listening');
    const h = net.createConnection({ stack: cs, host: '10.9.0.2', port: 8, allowHalfOpen: true });
    let hgot = '';
    h.on('data', (d) => { hgot += d; });
    await once(h, 'connect');
    h.end('ping');
    await once(h, 'close');
    r.halfClose = hgot;

    /* backpressure */
    let serverSock;
    const slow = net.createServer({ stack: ss }, (s) => { serverSock = s; s.pause(); });
    await once(slow.listen(9), 'listening');
    const w = net.createConnection({ stack: cs, host: '10.9.0.2', port: 9 });
    await once(w, 'connect');
    while (!serverSock) await sleep(5);
    const chunk = new Uint8Array(64 * 1024).fill(0x5a);
    let written = 0;
    let sawFalse = false;
    let stalled = false;
    while (written < 16 * 1024 * 1024) {
      const ok = w.write(chunk);
      written += chunk.length;
      if (ok) continue;
      sawFalse = true;
      const drained = await Promise.race([once(w, 'drain', 10_000).then(() => true), sleep(1000).then(() => false)]);
      if (!drained) { stalled = true; break; }
    }
    const zeroWindow = serverSock.tcpSocket.info().rcv_wnd === 0;
    let received = 0;
    serverSock.on('data', (d) => { received += d.length; });
    const drain = once(w, 'drain', 10_000);
    serverSock.resume();
    await drain;
    const closed = Promise.all([once(w, 'close', 20_000), once(serverSock, 'close', 20_000)]);
    w.end();
    await once(serverSock, 'end', 20_000);
    await closed; /* before the stacks go: closing a stack aborts its open sockets (ECONNABORTED) */
    r.backpressure = { sawFalse, stalled, zeroWindow, written, received };
    for (const s of [echo, half, slow]) s.close();
  } finally {
    cs.close();
    ss.close();
  }
  return r;
}

run().then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e?.stack ?? e) }; })
  .finally(() => { document.getElementById('status').textContent = JSON.stringify(window.__result, null, 1); });
