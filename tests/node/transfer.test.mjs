// Bulk transfer through the JavaScript API: two stacks over a PairLink move
// 10 MB in each direction at the same time; both sides' SHA-256 must match.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { deadline, pseudoRandomChunks, readAll, synack, twoStacks, writeAll } from './helpers.mjs';

const SIZE = 10 * 1024 * 1024;

async function bothWays(linkOptions, stackOptions) {
  const net = await twoStacks(linkOptions, stackOptions);
  try {
    const server = net.server.listen({ port: 9000, allowHalfOpen: true });
    const serverSide = (async () => {
      const sock = await server.accept();
      const sent = createHash('sha256');
      const [got] = await Promise.all([
        readAll(sock.readable),
        writeAll(sock.writable, pseudoRandomChunks(SIZE, 2), sent),
      ]);
      await sock.closed;
      return { got, sent: sent.digest('hex') };
    })();
    const sock = net.client.connect({ hostname: '10.9.0.2', port: 9000 }, { allowHalfOpen: true });
    await sock.opened;
    const sent = createHash('sha256');
    const [got] = await Promise.all([
      readAll(sock.readable),
      writeAll(sock.writable, pseudoRandomChunks(SIZE, 1), sent),
    ]);
    await sock.closed;
    const s = await serverSide;
    assert.equal(got.bytes, SIZE);
    assert.equal(s.got.bytes, SIZE);
    assert.equal(s.got.sha256, sent.digest('hex'), 'client to server');
    assert.equal(got.sha256, s.sent, 'server to client');
    return net.client.counters();
  } finally {
    net.close();
  }
}

test('10 MB each way over a clean PairLink, SHA-256 equal', { timeout: 60_000 }, async () => {
  const t0 = performance.now();
  const timer = deadline(55_000, '10 MB both ways');
  const counters = await Promise.race([bothWays({}), timer]);
  timer.cancel();
  const s = (performance.now() - t0) / 1000;
  console.log(`# 2 x 10 MB in ${s.toFixed(2)} s (${((2 * SIZE * 8) / s / 1e6).toFixed(1)} Mbit/s total)`);
  /* The stacks run in real time in one process: a stall of the machine
   * longer than the tail-loss probe's timeout (10 ms floor) makes a probe
   * fire spuriously, so "no retransmission" cannot be asserted here (it is,
   * in virtual time, by test_sim_tcp's clean and delay cases). A clean link
   * must still not cause retransmission in bulk. */
  assert.ok(counters.tcp_rexmit_segs * 100 <= counters.tcp_segs_out,
    `${counters.tcp_rexmit_segs} of ${counters.tcp_segs_out} segments retransmitted on a clean link`);
});

test('1 MB each way over a lossy, reordering, delayed PairLink', { timeout: 60_000 }, async () => {
  const timer = deadline(55_000, 'lossy transfer');
  const net = await twoStacks({ delay: 2, jitter: 1, loss: 0.01, reorder: 0.01, duplicate: 0.01, seed: 3 });
  try {
    const server = net.server.listen({ port: 9001, allowHalfOpen: true });
    const one = 1024 * 1024;
    const serverSide = (async () => {
      const sock = await server.accept();
      const sent = createHash('sha256');
      const [got] = await Promise.all([readAll(sock.readable), writeAll(sock.writable, pseudoRandomChunks(one, 4), sent)]);
      return { got, sent: sent.digest('hex') };
    })();
    const sock = net.client.connect('10.9.0.2:9001', { allowHalfOpen: true });
    const sent = createHash('sha256');
    const [got] = await Promise.race([
      Promise.all([readAll(sock.readable), writeAll(sock.writable, pseudoRandomChunks(one, 3), sent)]),
      timer,
    ]);
    const s = await Promise.race([serverSide, timer]);
    assert.equal(s.got.sha256, sent.digest('hex'));
    assert.equal(got.sha256, s.sent);
    assert.ok(net.client.counters().tcp_rexmit_segs + net.server.counters().tcp_rexmit_segs > 0,
      'loss should have caused retransmissions');
  } finally {
    timer.cancel();
    net.close();
  }
});

/* Send n bytes from client to server; the server reads with `read`
 * (a function of the readable returning { bytes, sha256 }). */
async function oneWay(net, n, read = readAll) {
  const server = net.server.listen({ port: 9002 });
  const got = (async () => read((await server.accept()).readable))();
  const sock = net.client.connect('10.9.0.2:9002');
  const sent = createHash('sha256');
  /* a reader that fails ends the test at once (the writer would wait) */
  const [r] = await Promise.all([got, Promise.race([writeAll(sock.writable, pseudoRandomChunks(n, 5), sent), got])]);
  assert.equal(r.bytes, n);
  assert.equal(r.sha256, sent.digest('hex'));
}

test('PairLink: super-frames between two stacks only, MTU-sized frames otherwise', { timeout: 60_000 }, async () => {
  const n = 2 * 1024 * 1024;
  const mss = 1460;
  const frames = async (linkOptions) => {
    const net = await twoStacks(linkOptions);
    try {
      await oneWay(net, n);
      return net.a.stats().frames;
    } finally {
      net.close();
    }
  };
  /* about n / 64 KB data frames with offload, n / MSS without */
  const plain = await frames({});
  assert.ok(plain < n / mss / 4, `${plain} frames for ${n} B: no super-frames`);
  assert.ok(await frames({ delay: 1 }) < n / mss / 4, 'a delay keeps super-frames');
  assert.ok(await frames({ offload: false }) > n / mss, 'offload: false');
  assert.ok(await frames({ duplicate: 0.0001, seed: 1 }) > n / mss, 'an impairment acting per frame');

  /* A stack whose end is wrapped (a link of its own, as the demo's TapLink
   * is) gets no super-frame, and sends none. */
  const [a, b] = synack.PairLink.pair({ seed: 7 });
  let largest = 0;
  const wrapped = {
    mtu: b.mtu,
    send: (f) => { largest = Math.max(largest, f.length); b.send(f); },
    set onframe(fn) { b.onframe = fn && ((f) => { largest = Math.max(largest, f.length); fn(f); }); },
  };
  const net = {
    client: await synack.createStack({ link: wrapped, ip: '10.9.0.1/24', seed: 1 }),
    server: await synack.createStack({ link: a, ip: '10.9.0.2/24', seed: 2 }),
  };
  try {
    await oneWay(net, n);
  } finally {
    net.client.close();
    net.server.close();
  }
  assert.ok(largest > 1000 && largest <= 1514, `largest frame ${largest} B`);
});

test('a BYOB reader is filled in place, whatever its size, and ends with done', { timeout: 60_000 }, async () => {
  for (const size of [1000, 200_000]) {
    const net = await twoStacks();
    try {
      await oneWay(net, 1024 * 1024 + 7, async (readable) => {
        const r = readable.getReader({ mode: 'byob' });
        const h = createHash('sha256');
        let bytes = 0;
        let buf = new ArrayBuffer(size);
        for (;;) {
          const { value, done } = await r.read(new Uint8Array(buf));
          if (done) break;
          assert.ok(value.byteLength > 0 && value.byteLength <= size);
          h.update(value);
          bytes += value.byteLength;
          buf = value.buffer;
        }
        return { bytes, sha256: h.digest('hex') };
      });
    } finally {
      net.close();
    }
  }
});

test('two stacks on a PairLink pass frames inside wasm memory; a closed end drops them', { timeout: 60_000 }, async () => {
  const net = await twoStacks();
  try {
    const server = net.server.listen({ port: 9003 });
    const accepted = server.accept();
    const sock = net.client.connect('10.9.0.2:9003');
    await sock.opened;
    const peer = await accepted;
    const w = sock.writable.getWriter();
    const r = peer.readable.getReader();
    let got = 0;
    await Promise.all([
      w.write(new Uint8Array(300_000).fill(7)),
      (async () => { while (got < 300_000) got += (await r.read()).value.byteLength; })(),
    ]);
    const frames = net.a.stats().frames;
    assert.ok(frames > 5 && frames < 100, `${frames} frames`);
    /* once an end is closed nothing reaches the other stack */
    net.b.close();
    await w.write(new Uint8Array(1000).fill(8));
    const late = await Promise.race([r.read(), new Promise((res) => setTimeout(() => res('nothing'), 300))]);
    assert.equal(late, 'nothing');
    assert.ok(net.a.stats().frames > frames, 'the client kept sending (retransmissions)');
  } finally {
    net.close();
  }
});
