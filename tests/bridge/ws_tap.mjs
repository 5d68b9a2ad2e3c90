// Run by test_ws_tap.sh inside its network namespace: a Node stack (the
// synack.mjs a page loads, SYNACK_JS) on a WebSocketLink to the bridge's
// own --listen-ws endpoint, through the TAP to Linux: an echo server of
// this process on the Linux side (10.79.0.1) gets 3 MB of seeded bytes and
// sends them back; the SHA-256 of both must match. Then a link with a
// framing error is closed by the bridge.
//   node --experimental-websocket ws_tap.mjs WS_URL
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';

const synack = await import(pathToFileURL(process.env.SYNACK_JS).href);
const url = process.argv[2];
const N = 3_000_000;

const echo = createServer((c) => c.pipe(c));
await new Promise((r) => echo.listen(7007, '10.79.0.1', r));
let stack;
const timer = setTimeout(() => { console.error('ws_tap: timed out'); process.exit(1); }, 45_000);
try {
  const link = new synack.WebSocketLink(url);
  await link.ready;
  stack = await synack.createStack({ link, ip: '10.79.0.2/24' });
  const sock = stack.connect({ hostname: '10.79.0.1', port: 7007 });
  await sock.opened;
  const sent = createHash('sha256');
  const got = createHash('sha256');
  let have = 0;
  const reading = (async () => {
    for await (const c of sock.readable) {
      got.update(c);
      have += c.length;
      if (have >= N) break;
    }
  })();
  const w = sock.writable.getWriter();
  let x = 12345;
  for (let off = 0; off < N; off += 65536) {
    const chunk = new Uint8Array(Math.min(65536, N - off));
    for (let i = 0; i < chunk.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      chunk[i] = x >>> 24;
    }
    sent.update(chunk);
    await w.write(chunk);
  }
  await reading;
  assert.equal(have, N, 'all bytes echoed');
  assert.equal(got.digest('hex'), sent.digest('hex'), 'echo matches (SHA-256)');
  console.log(`  ok   3 MB echoed through WebSocketLink -> --listen-ws -> TAP -> Linux (frames out ${link.framesOut}, in ${link.framesIn})`);
  stack.close();
  stack = null;

  // A broken stream (length 0) from a raw WebSocket: the bridge closes it.
  const ws = new WebSocket(url, ['binary']);
  ws.binaryType = 'arraybuffer';
  await new Promise((res, rej) => { ws.onopen = res; ws.onerror = rej; });
  const closed = new Promise((res) => { ws.onclose = (ev) => res(ev.code); });
  ws.send(new Uint8Array(4));
  const code = await closed;
  assert.equal(code, 1002);
  console.log('  ok   a zero-length stream frame: the bridge closes with 1002');
} finally {
  clearTimeout(timer);
  stack?.close();
  echo.close();
}
process.exit(0); // WebSockets and timers of the stack may keep the loop alive
