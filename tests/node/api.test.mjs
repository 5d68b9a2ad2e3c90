// The JavaScript API beyond bulk TCP: stack creation and addressing, ping,
// UDP (echo, ephemeral ports, ICMP port unreachable), DNS lookups against a
// tiny resolver running on the other stack, trace events with the fields of
// DESIGN.md, counters, backpressure in both directions, and close().
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readBytes, synack, twoStacks } from './helpers.mjs';

test('createStack: addressing, MAC, clock', async () => {
  const [a] = synack.PairLink.pair();
  const s = await synack.createStack({
    link: a, ip: '192.168.5.9/16', gateway: '192.168.0.1', dns: '192.168.0.53', mac: '02:00:00:aa:bb:cc',
  });
  try {
    assert.equal(s.address, '192.168.5.9');
    assert.equal(s.prefix, 16);
    assert.equal(s.gateway, '192.168.0.1');
    assert.equal(s.dns, '192.168.0.53');
    assert.equal(s.mac, '02:00:00:aa:bb:cc');
    assert.ok(s.now() >= 0 && s.now() < 1000);
    assert.equal(await s.lookup('1.2.3.4'), '1.2.3.4');
  } finally {
    s.close();
  }
  assert.equal(s.closed, true);
  await assert.rejects(synack.createStack({ link: {} }), TypeError);
  await assert.rejects(synack.createStack({ link: a, ip: '1.2.3/8' }), { code: 'invalid' });
  await assert.rejects(synack.createStack({ link: a, ip: '1.2.3.4/8', mac: 'zz' }), { code: 'invalid' });
});

test('ping and its timeout', async () => {
  const net = await twoStacks({ delay: 5 });
  try {
    const r = await net.client.ping('10.9.0.2', { size: 100 });
    assert.equal(r.address, '10.9.0.2');
    assert.equal(r.bytes, 100);
    assert.ok(r.rtt >= 9, `rtt ${r.rtt}`);
    net.b.close();
    await assert.rejects(net.client.ping('10.9.0.2', { timeout: 100 }), { code: 'timeout' });
  } finally {
    net.close();
  }
});

test('UDP: echo, ephemeral ports, port unreachable', async () => {
  const net = await twoStacks();
  try {
    const echo = net.server.udp({ port: 7 });
    (async () => { for await (const m of echo) await echo.send(m.address, m.port, m.data); })();
    const u = net.client.udp();
    assert.ok(u.port >= 1024, `ephemeral port ${u.port}`);
    const big = new Uint8Array(4000).map((_, i) => i * 7);
    await u.send('10.9.0.2', 7, 'one');
    await u.send('10.9.0.2', 7, big);
    const it = u[Symbol.asyncIterator]();
    const m1 = (await it.next()).value;
    assert.deepEqual([m1.address, m1.port, Buffer.from(m1.data).toString()], ['10.9.0.2', 7, 'one']);
    const m2 = (await it.next()).value;
    assert.deepEqual(m2.data, big, 'fragmented datagram reassembled');

    const err = new Promise((r) => u.addEventListener('error', (e) => r(e.detail), { once: true }));
    await u.send('10.9.0.2', 9999, 'nobody');
    assert.equal((await err).code, 'refused');
    await assert.rejects(u.send('10.9.0.2', 7, new Uint8Array(70000)), { code: 'msgsize' });
    u.close();
    assert.equal((await it.next()).done, true);
    assert.throws(() => net.server.udp({ port: 7 }), { code: 'addrinuse' });
  } finally {
    net.close();
  }
});

/* Answers every A query with 10.9.0.2 (RFC 1035 §4.1), except nx.test. */
function miniDns(stack) {
  const sock = stack.udp({ port: 53 });
  (async () => {
    for await (const { data: q, address, port } of sock) {
      let i = 12;
      const labels = [];
      while (q[i] !== 0) { labels.push(Buffer.from(q.subarray(i + 1, i + 1 + q[i])).toString()); i += q[i] + 1; }
      const qEnd = i + 5;
      const name = labels.join('.');
      const nx = name === 'nx.test';
      const head = Buffer.from([q[0], q[1], 0x81, nx ? 0x83 : 0x80, 0, 1, 0, nx ? 0 : 1, 0, 0, 0, 0]);
      const question = Buffer.from(q.subarray(12, qEnd));
      const answer = nx ? Buffer.alloc(0)
        : Buffer.from([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 9, 0, 2]);
      await sock.send(address, port, Buffer.concat([head, question, answer]));
    }
  })();
}

test('DNS: lookup and connect by name', async () => {
  const net = await twoStacks({}, { dns: '10.9.0.2' });
  try {
    miniDns(net.server);
    assert.equal(await net.client.lookup('example.test'), '10.9.0.2');
    await assert.rejects(net.client.lookup('nx.test'), { code: 'notfound' });
    const server = net.server.listen({ port: 80 });
    (async () => { for await (const s of server) { const w = s.writable.getWriter(); await w.write('hi'); await s.close(); } })();
    const sock = net.client.connect({ hostname: 'www.example.test', port: 80 });
    const info = await sock.opened;
    assert.equal(info.remoteAddress, '10.9.0.2');
    assert.equal((await readBytes(sock.readable)).toString(), 'hi');
  } finally {
    net.close();
  }
});

test('trace events carry the fields of the contract', async () => {
  const net = await twoStacks();
  const events = [];
  net.client.addEventListener('trace', (e) => events.push(e.detail));
  try {
    const server = net.server.listen({ port: 80 });
    (async () => { for await (const s of server) s.readable.pipeTo(s.writable); })();
    const sock = net.client.connect({ hostname: '10.9.0.2', port: 80 });
    await sock.opened;
    const w = sock.writable.getWriter();
    await w.write(new Uint8Array(50000));
    await w.close();
    assert.equal((await readBytes(sock.readable)).length, 50000);
    await sock.closed;
    await new Promise((r) => setTimeout(r, 10));
  } finally {
    net.close();
  }
  const conn = events.find((e) => e.ev === 'seg').conn;
  const segs = events.filter((e) => e.ev === 'seg' && e.conn === conn);
  const syn = segs[0];
  assert.deepEqual([syn.dir, syn.flags], ['out', 'S']);
  for (const k of ['t', 'seq', 'ack', 'win', 'len', 'opts', 'rexmit']) assert.ok(k in syn, `seg has ${k}`);
  assert.ok(syn.opts.mss > 0);
  assert.equal(segs[1].dir, 'in');
  assert.equal(segs[1].flags, 'SA');
  const states = events.filter((e) => e.ev === 'state' && e.conn === conn).map((e) => e.to);
  assert.deepEqual(states.slice(0, 2), ['SYN-SENT', 'ESTABLISHED']);
  assert.ok(states.includes('FIN-WAIT-1'));
  const cc = events.find((e) => e.ev === 'cc');
  for (const k of ['cwnd', 'ssthresh', 'srtt', 'rttvar', 'rto', 'inflight', 'phase']) assert.ok(k in cc, `cc has ${k}`);
  /* the neighbour events come through the same JSON (no JS list of kinds) */
  const neigh = events.filter((e) => e.ev === 'neigh' && e.addr === '10.9.0.2');
  assert.deepEqual(neigh.slice(0, 2).map((e) => [e.from, e.to]), [['NONE', 'INCOMPLETE'], ['INCOMPLETE', 'REACHABLE']]);
  assert.match(neigh[1].mac, /^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);
  const win = events.find((e) => e.ev === 'win');
  for (const k of ['snd_una', 'snd_nxt', 'snd_wnd', 'rcv_nxt', 'rcv_wnd', 'sndbuf', 'rcvbuf']) assert.ok(k in win, `win has ${k}`);
  assert.ok(events.some((e) => e.ev === 'timer' && e.name && e.action));
  for (let i = 1; i < events.length; i++) assert.ok(events[i].t >= events[i - 1].t, 'time never goes back');
});

test('backpressure: an unread socket stops the writer; reading resumes it', async () => {
  const buf = 16384;
  const net = await twoStacks({}, { tcp: { sendBuffer: buf, receiveBuffer: buf } });
  try {
    const server = net.server.listen({ port: 80, highWaterMark: 4096 });
    const sock = net.client.connect('10.9.0.2:80');
    const peer = await server.accept();
    const w = sock.writable.getWriter();
    let written = 0;
    const total = 1_000_000;
    const writing = (async () => {
      await null;
      for (let i = 0; i < total / 1000; i++) {
        await w.write(new Uint8Array(1000));
        written += 1000;
      }
      await w.close();
    })();
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(written < 4 * buf + 4096 + 2000, `writer stalled after ${written} bytes`);
    assert.ok(written >= buf, `wrote ${written}`);
    const info = peer.info();
    assert.ok(info.rcv_wnd < info.mss, `receiver's window is closed (${info.rcv_wnd} bytes)`);
    const got = await readBytes(peer.readable);
    await writing;
    assert.equal(got.length, total);
  } finally {
    net.close();
  }
});

test('tcp.maxBufferMemory: checked; a 64 KiB budget still carries 300 KB intact', async () => {
  const [a] = synack.PairLink.pair();
  await assert.rejects(synack.createStack({ link: a, tcp: { maxBufferMemory: 100 } }), RangeError);
  const net = await twoStacks({}, { tcp: { maxBufferMemory: 64 * 1024 } });
  try {
    const server = net.server.listen({ port: 80 });
    const sock = net.client.connect('10.9.0.2:80');
    const peer = await server.accept();
    const data = new Uint8Array(300_000).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
    const w = sock.writable.getWriter();
    const writing = (async () => {
      for (let i = 0; i < data.length; i += 10_000) await w.write(data.subarray(i, i + 10_000));
      await w.close();
    })();
    const got = await readBytes(peer.readable);
    await writing;
    assert.equal(got.length, data.length);
    assert.equal(Buffer.compare(Buffer.from(got), Buffer.from(data)), 0);
  } finally {
    net.close();
  }
});

test('stack.close() fails open sockets with "closed"; counters count', async () => {
  const net = await twoStacks();
  const server = net.server.listen({ port: 80 });
  const sock = net.client.connect('10.9.0.2:80');
  await sock.opened;
  await server.accept();
  const c = net.client.counters();
  assert.ok(c.frames_out >= 3 && c.tcp_segs_out >= 2 && c.bytes_out > 0);
  assert.equal(typeof c.drops, 'object');
  net.client.close();
  await assert.rejects(sock.closed, { code: 'closed' });
  assert.throws(() => net.client.udp(), { code: 'closed' });
  net.server.close();
});

test('closing a socket before its connection exists aborts that connection, not another', async () => {
  const net = await twoStacks();
  try {
    const server = net.server.listen({ port: 80 });
    (async () => { for await (const s of server) s.readable.pipeTo(s.writable).catch(() => {}); })();
    const first = net.client.connect({ hostname: '10.9.0.2', port: 80 });
    await first.opened;
    /* closed at once: its handle arrives later and must be the one aborted */
    const early = net.client.connect({ hostname: '10.9.0.2', port: 80 });
    await early.close();
    await new Promise((r) => setTimeout(r, 50));
    const w = first.writable.getWriter();
    await w.write('still here');
    const r = first.readable.getReader();
    const { value } = await r.read();
    assert.equal(Buffer.from(value).toString(), 'still here');
    assert.equal(first.info().state, 'ESTABLISHED');
    await first.close();
  } finally {
    net.close();
  }
});
