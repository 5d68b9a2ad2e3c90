// Run by test_ws_tap.sh inside its network namespace: a Node stack (the
// synack.mjs a page loads, SYNACK_JS) on a WebSocketLink to the bridge's
// own --listen-ws endpoint, through the TAP to Linux: an echo server of
// this process on the Linux side (10.79.0.1) gets 3 MB of seeded bytes and
// sends them back; the SHA-256 of both must match. Then a link with a
// framing error is closed by the bridge. With WS_OFFLOAD=1 (a bridge with
// --offload) the link asks for offload: the bridge must agree, and the
// data must leave in super-frames (far fewer frames than MSS-sized ones).
// With WS_IP6=1 the same over IPv6 only (Linux fd00:79::1, the stack
// fd00:79::2): with offload, TCP/IPv6 super-frames both ways.
//   node --experimental-websocket ws_tap.mjs WS_URL
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { pathToFileURL } from 'node:url';

const synack = await import(pathToFileURL(process.env.SYNACK_JS).href);
const url = process.argv[2];
const N = 3_000_000;
const offload = process.env.WS_OFFLOAD === '1';
const ip6 = process.env.WS_IP6 === '1';
const linux = ip6 ? 'fd00:79::1' : '10.79.0.1';
const mss = ip6 ? 1428 : 1448; /* with timestamps */

const echo = createServer((c) => c.pipe(c));
await new Promise((r) => echo.listen(7007, linux, r));
let stack;
const timer = setTimeout(() => { console.error('ws_tap: timed out'); process.exit(1); }, 45_000);
try {
  const link = new synack.WebSocketLink(url, { offload });
  await link.ready;
  stack = await synack.createStack(ip6 ? { link, ip: false, ip6: 'fd00:79::2/64' } : { link, ip: '10.79.0.2/24' });
  const sock = stack.connect({ hostname: linux, port: 7007 });
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
  console.log(`  ok   3 MB echoed${ip6 ? ' over IPv6' : ''} through WebSocketLink${offload ? ' (offload)' : ''} -> --listen-ws -> TAP -> Linux (frames out ${link.framesOut}, in ${link.framesIn}, messages out ${link.messagesOut})`);
  if (offload) {
    assert.equal(stack.offloadActive, true, 'the bridge agreed');
    // MSS-sized frames would be >= N / 1448 (2072) for the data alone,
    // before the ACKs of the echo (3149 in all without offload, one run).
    assert.ok(link.framesOut < N / mss, `super-frames: ${link.framesOut} frames out`);
    // The echo back: Linux's TSO (TSO6) super-frames passed whole (2158
    // frames in without offload, one run).
    assert.ok(link.framesIn < N / mss, `super-frames: ${link.framesIn} frames in`);
    console.log('  ok   the bridge agreed; the data left and came back in super-frames');
  } else {
    assert.equal(stack.offloadActive, false);
  }
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
