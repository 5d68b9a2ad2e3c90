// Links: PairLink impairments are seeded and reproducible; the stream
// framing reader reassembles frames across arbitrary chunks and rejects bad
// lengths; WebSocketLink carries a TCP connection through a WebSocket relay
// that re-cuts the stream into tiny messages, and reports an unreachable or
// dropped bridge clearly.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { pseudoRandomChunks, readAll, synack, writeAll } from './helpers.mjs';
import { startRelay } from './ws_relay.mjs';

const { PairLink, FrameReader, encodeFrame, WebSocketLink, createStack } = synack;

/* Push numbered frames through one end of a pair; collect what arrives. */
async function through(options, count = 2000) {
  const [a, b] = PairLink.pair(options);
  const got = [];
  b.onframe = (f) => got.push(f);
  for (let i = 0; i < count; i++) {
    const f = new Uint8Array(64);
    new DataView(f.buffer).setUint32(0, i);
    a.send(f);
  }
  const quiet = options.delay ? options.delay + (options.jitter ?? 0) + 40 : 20;
  await new Promise((r) => setTimeout(r, quiet));
  return { got, stats: a.stats() };
}

test('PairLink impairments follow the seed', async () => {
  const opts = { loss: 0.2, duplicate: 0.1, corrupt: 0.1, seed: 42 };
  const r1 = await through(opts);
  const r2 = await through(opts);
  const r3 = await through({ ...opts, seed: 43 });
  assert.deepEqual(r1.stats, r2.stats);
  assert.deepEqual(r1.got.map((f) => Buffer.from(f).toString('hex')),
    r2.got.map((f) => Buffer.from(f).toString('hex')));
  assert.notDeepEqual(r1.stats, r3.stats);
  const s = r1.stats;
  assert.equal(s.frames, 2000);
  assert.ok(s.lost > 300 && s.lost < 500, `lost ${s.lost}`);
  assert.ok(s.duplicated > 100 && s.duplicated < 250, `duplicated ${s.duplicated}`);
  assert.ok(s.corrupted > 100, `corrupted ${s.corrupted}`);
  assert.equal(r1.got.length, s.frames - s.lost + s.duplicated);
});

test('PairLink delay, reordering and rate limit', async () => {
  const [a, b] = PairLink.pair({ delay: 30, seed: 1 });
  const t0 = performance.now();
  const arrived = new Promise((r) => { b.onframe = () => r(performance.now() - t0); });
  a.send(new Uint8Array(60));
  const ms = await arrived;
  assert.ok(ms >= 29, `delivered after ${ms} ms`);

  const r = await through({ delay: 5, jitter: 5, reorder: 0.2, seed: 9 }, 500);
  const order = r.got.map((f) => new DataView(f.buffer).getUint32(0));
  assert.equal(order.length, 500);
  assert.notDeepEqual(order, [...order].sort((x, y) => x - y), 'some frames were reordered');

  // 1 Mbit/s: 100 frames of 1250 bytes take about a second; the queue of
  // 20 kB holds ~16 of them, the rest is tail-dropped.
  const [c, d] = PairLink.pair({ rateMbit: 1, queueBytes: 20_000, seed: 2 });
  let n = 0;
  d.onframe = () => { n++; };
  for (let i = 0; i < 100; i++) c.send(new Uint8Array(1250));
  assert.ok(c.stats().queueDrops > 70, `tail drops ${c.stats().queueDrops}`);
  await new Promise((res) => setTimeout(res, 60));
  assert.ok(n < 10, `${n} frames after 60 ms at 1 Mbit/s`);
});

test('FrameReader reassembles across chunks and rejects bad lengths', () => {
  const frames = [new Uint8Array([1]), new Uint8Array(1500).fill(7), new Uint8Array(65535).fill(9)];
  const stream = Buffer.concat(frames.map((f) => encodeFrame(f)));
  for (const step of [1, 3, 4, 5, 1000, stream.length]) {
    const r = new FrameReader();
    const out = [];
    for (let i = 0; i < stream.length; i += step) {
      assert.ok(r.feed(stream.subarray(i, i + step), (f) => out.push(f)));
    }
    assert.equal(out.length, 3);
    out.forEach((f, i) => assert.deepEqual(f, frames[i]));
    assert.equal(r.partial, false);
  }
  const zero = new FrameReader();
  assert.equal(zero.feed(new Uint8Array([0, 0, 0, 0, 1]), () => assert.fail('no frame')), false);
  const huge = new FrameReader();
  assert.equal(huge.feed(new Uint8Array([0, 1, 0, 0]), () => {}), false);
  assert.equal(huge.error, true);
  assert.throws(() => encodeFrame(new Uint8Array(0)), RangeError);
});

const hasWebSocket = typeof globalThis.WebSocket === 'function';

test('WebSocketLink: TCP through a relay that splits frames across messages',
  { skip: !hasWebSocket && 'no WebSocket (run with --experimental-websocket)', timeout: 60_000 }, async () => {
    const relay = await startRelay({ maxChunk: 7 });
    const la = new WebSocketLink(relay.url);
    const lb = new WebSocketLink(relay.url);
    const a = await createStack({ link: la, ip: '10.7.0.1/24', seed: 1 });
    const b = await createStack({ link: lb, ip: '10.7.0.2/24', seed: 2 });
    try {
      const ping = await a.ping('10.7.0.2');
      assert.equal(ping.address, '10.7.0.2');
      const server = b.listen({ port: 5000 });
      const size = 300_000;
      const got = (async () => readAll((await server.accept()).readable))();
      const sock = a.connect('10.7.0.2:5000');
      const h = createHash('sha256');
      await writeAll(sock.writable, pseudoRandomChunks(size, 5, 10_000), h);
      const r = await got;
      assert.equal(r.bytes, size);
      assert.equal(r.sha256, h.digest('hex'));
      assert.ok(la.framesIn > 0 && la.framesOut > 0);
      // Batching: the frames of one run of JavaScript share a message
      // (10 KB writes are 7 segments each).
      assert.ok(la.messagesOut > 0 && la.messagesOut * 2 < la.framesOut,
        `${la.framesOut} frames in ${la.messagesOut} messages`);
    } finally {
      a.close();
      b.close();
      await relay.close();
    }
  });

test('WebSocketLink: unreachable bridge, bad framing, dropped bridge',
  { skip: !hasWebSocket && 'no WebSocket (run with --experimental-websocket)' }, async () => {
    const relay = await startRelay();
    const { port } = new URL(relay.url);
    await relay.close();
    await assert.rejects(createStack({ link: new WebSocketLink(`ws://127.0.0.1:${port}/`), ip: '10.7.0.1/24' }),
      (e) => e.code === 'unreachable' && /cannot reach the bridge/.test(e.message));

    const relay2 = await startRelay();
    try {
      const link = new WebSocketLink(relay2.url);
      const stack = await createStack({ link, ip: '10.7.0.1/24' });
      const linkError = new Promise((r) => stack.addEventListener('linkerror', (e) => r(e.detail)));
      relay2.sendRaw(0, [0, 0, 0, 0]);
      await assert.rejects(link.closed, (e) => e.code === 'link-down' && /bad frame length/.test(e.message));
      assert.equal((await linkError).code, 'link-down');
      stack.close();

      const link2 = new WebSocketLink(relay2.url);
      const stack2 = await createStack({ link: link2, ip: '10.7.0.1/24' });
      relay2.drop(relay2.clients.length - 1);
      await assert.rejects(link2.closed, (e) => e.code === 'link-down' && /closed the connection/.test(e.message));
      stack2.close();
    } finally {
      await relay2.close();
    }
  });
