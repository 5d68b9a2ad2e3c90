// Bulk transfer through the JavaScript API: two stacks over a PairLink move
// 10 MB in each direction at the same time; both sides' SHA-256 must match.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { deadline, pseudoRandomChunks, readAll, twoStacks, writeAll } from './helpers.mjs';

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
