// IPv6 in the JavaScript API: two stacks on a PairLink with static IPv6
// addresses only (ip: false), over Ethernet (NDP: duplicate address
// detection before createStack resolves, neighbor solicitations) and over
// the IP medium: the addresses exposed with their state, TCP (1 MB each
// way with SHA-256, addresses of both ends, '[v6]:port' strings), UDP echo
// with the peer's IPv6 address, ping, a refused connection; a duplicate
// address; bad input. Also the literal parser (RFC 4291 in, RFC 5952 out)
// through lookup(). Connecting by name on dual-stack stacks (Happy
// Eyeballs in the core): IPv6 wins when the name has both records.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { pseudoRandomChunks, readAll, synack, writeAll } from './helpers.mjs';

const A = 'fd00:5ac::a';
const B = 'fd00:5ac::b';

async function twoStacks6(medium, linkOptions = {}) {
  const [a, b] = synack.PairLink.pair({ seed: 7, ...linkOptions });
  a.medium = b.medium = medium;
  const [client, server] = await Promise.all([
    synack.createStack({ link: a, ip: false, ip6: `${A}/64`, seed: 1 }),
    synack.createStack({ link: b, ip: false, ip6: `${B}/64`, seed: 2 }),
  ]);
  return { client, server, a, b, close() { client.close(); server.close(); } };
}

for (const medium of ['ethernet', 'ip']) {
test(`IPv6 (${medium}): static addresses are exposed with their state`, async () => {
  const net = await twoStacks6(medium);
  try {
    assert.equal(net.client.address, null, 'ip: false: no IPv4');
    assert.equal(net.client.address6, A);
    const mine = net.client.addresses.filter((x) => x.address === A);
    assert.equal(mine.length, 1);
    assert.deepEqual({ ...mine[0], validUntil: 0, preferredUntil: 0 },
      { address: A, family: 'IPv6', prefix: 64, state: 'preferred', origin: 'static', validUntil: 0, preferredUntil: 0 });
    assert.equal(mine[0].validUntil, Infinity);
    assert.ok(net.client.addresses.every((x) => x.family === 'IPv6'));
  } finally {
    net.close();
  }
});

test(`IPv6 (${medium}): TCP 1 MB each way, addresses of both ends`, async () => {
  const net = await twoStacks6(medium, { delay: 2 });
  try {
    const server = net.server.listen({ port: 7 });
    let peer = null;
    (async () => {
      for await (const s of server) {
        peer = (await s.opened).remoteAddress;
        s.readable.pipeTo(s.writable);
      }
    })();
    const sock = net.client.connect(`[${B}]:7`);
    const info = await sock.opened;
    assert.deepEqual([info.remoteAddress, info.remotePort, info.localAddress], [B, 7, A]);
    assert.equal(sock.remoteAddress, B);
    const sent = createHash('sha256');
    const [, got] = await Promise.all([
      writeAll(sock.writable, pseudoRandomChunks(1 << 20, 5), sent),
      readAll(sock.readable),
    ]);
    assert.equal(got.bytes, 1 << 20);
    assert.equal(got.sha256, sent.digest('hex'));
    assert.equal(peer, A);
    const c = net.client.counters();
    /* 1 MB is ~720 MSS-sized packets on the IP medium, ~16 super-frames
     * (plus ACKs) on Ethernet, where the glue passes them whole */
    const least = medium === 'ip' ? 500 : 16;
    assert.ok(c.ip6_out > least && c.ip6_in > least, `ip6 counters ${c.ip6_in}/${c.ip6_out}`);
    assert.equal(c.ip_out, 0, 'nothing went out over IPv4');
  } finally {
    net.close();
  }
});

test(`IPv6 (${medium}): UDP echo, ping, refused`, async () => {
  const net = await twoStacks6(medium);
  try {
    const echo = net.server.udp({ port: 7 });
    (async () => { for await (const m of echo) await echo.send(m.address, m.port, m.data); })();
    const u = net.client.udp();
    await u.send(B, 7, 'over ipv6');
    const m = await u.receive();
    assert.deepEqual([m.address, m.port, Buffer.from(m.data).toString()], [B, 7, 'over ipv6']);
    await u.send(`[${B}]`, 7, 'bracketed');
    assert.equal(Buffer.from((await u.receive()).data).toString(), 'bracketed');
    u.close();

    const r = await net.client.ping(B, { size: 32 });
    assert.deepEqual([r.address, r.bytes], [B, 32]);

    const sock = net.client.connect({ hostname: B, port: 9 });
    await assert.rejects(sock.opened, { code: 'refused' });
  } finally {
    net.close();
  }
});
}

test('IPv6: a duplicate static address is refused (DAD)', async () => {
  const [a, b] = synack.PairLink.pair({ seed: 3 });
  const first = await synack.createStack({ link: a, ip: false, ip6: `${A}/64`, seed: 1 });
  try {
    await assert.rejects(synack.createStack({ link: b, ip: false, ip6: `${A}/64`, seed: 2 }),
      { code: 'addrinuse' });
  } finally {
    first.close();
  }
});

test('IPv6: literals and bad input', async () => {
  const [a] = synack.PairLink.pair();
  const s = await synack.createStack({ link: a, ip: '10.9.0.1/24', ip6: false });
  try {
    assert.equal(await s.lookup('2001:0DB8:0:0:1:0:0:1'), '2001:db8::1:0:0:1');
    assert.equal(await s.lookup('[::ffff:10.1.2.3]'), '::ffff:10.1.2.3');
    assert.equal(await s.lookup('fe80:0:0:0:0:0:0:1'), 'fe80::1');
    assert.deepEqual(s.addresses.map((x) => x.family), ['IPv4'], 'ip6: false: no IPv6 address');
    await assert.rejects(s.connect({ hostname: 'fd00::1', port: 80 }).opened, { code: 'unreachable' });
    assert.throws(() => s.addAddress6('10.0.0.1/24'), { code: 'invalid' });
  } finally {
    s.close();
  }
  for (const bad of ['fd00::1/129', 'fd00::1/0', '1.2.3.4/24', 'fd00:::1/64', 'slaac/64']) {
    await assert.rejects(synack.createStack({ link: a, ip: false, ip6: bad }), { code: 'invalid' }, bad);
  }
});

/* Answers A queries with 10.9.0.2 and AAAA queries with B (RFC 3596). */
function dualDns(stack) {
  const sock = stack.udp({ port: 53 });
  (async () => {
    for await (const { data: q, address, port } of sock) {
      let i = 12;
      while (q[i] !== 0) i += q[i] + 1;
      const qEnd = i + 5;
      const qtype = (q[i + 1] << 8) | q[i + 2];
      const head = Buffer.from([q[0], q[1], 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]);
      const rdata = qtype === 28
        ? Buffer.from([0xfd, 0x00, 0x05, 0xac, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x0b])
        : Buffer.from([10, 9, 0, 2]);
      const rr = Buffer.concat([Buffer.from([0xc0, 12, 0, qtype, 0, 1, 0, 0, 0, 60, 0, rdata.length]), rdata]);
      await sock.send(address, port, Buffer.concat([head, Buffer.from(q.subarray(12, qEnd)), rr]));
    }
  })();
}

test('Happy Eyeballs: a name with AAAA and A connects over IPv6; options reach the winner', async () => {
  const [a, b] = synack.PairLink.pair({ seed: 7 });
  const [client, server] = await Promise.all([
    synack.createStack({ link: a, ip: '10.9.0.1/24', ip6: `${A}/64`, dns: '10.9.0.2', seed: 1 }),
    synack.createStack({ link: b, ip: '10.9.0.2/24', ip6: `${B}/64`, seed: 2 }),
  ]);
  try {
    dualDns(server);
    const l = server.listen({ port: 80 });
    (async () => { for await (const s of l) { const w = s.writable.getWriter(); await w.write('hi'); await s.close(); } })();
    const sock = client.connect({ hostname: 'dual.test', port: 80 }, { attemptDelay: 100, noDelay: true });
    const info = await sock.opened;
    assert.equal(info.remoteAddress, B);
    assert.equal(info.localAddress, A);
    const chunks = [];
    for await (const c of sock.readable) chunks.push(Buffer.from(c));
    assert.equal(Buffer.concat(chunks).toString(), 'hi');
    await assert.rejects(client.connect({ hostname: 'a..b', port: 80 }).opened, { code: 'invalid' });
  } finally {
    client.close();
    server.close();
  }
});

/* Frames one end sent while `n` bytes went client -> server to `target`
 * ('[v6]:port' or 'v4:port'), SHA-256 checked. */
async function framesFor(net, target, port, n) {
  const server = net.server.listen({ port });
  const got = (async () => readAll((await server.accept()).readable))();
  const before = net.a.stats().frames;
  const sock = net.client.connect(target);
  const sent = createHash('sha256');
  const [r] = await Promise.all([got, Promise.race([writeAll(sock.writable, pseudoRandomChunks(n, port), sent), got])]);
  assert.equal(r.bytes, n);
  assert.equal(r.sha256, sent.digest('hex'), `SHA-256 to ${target}`);
  server.close();
  return net.a.stats().frames - before;
}

/* Between two stacks, IPv6 carries super-frames as IPv4 does: the glue
 * completes their TCP checksum over the IPv6 pseudo-header. Both through
 * the direct pair in wasm memory and (a delay) through JS. */
for (const linkOptions of [{}, { delay: 1 }]) {
test(`IPv6: super-frames between two stacks on a PairLink (${linkOptions.delay ? 'delayed' : 'direct'}), as over IPv4`,
  { timeout: 60_000 }, async () => {
    const [a, b] = synack.PairLink.pair({ seed: 7, ...linkOptions });
    const [client, server] = await Promise.all([
      synack.createStack({ link: a, ip: '10.9.0.1/24', ip6: 'fd00::1/64', seed: 1 }),
      synack.createStack({ link: b, ip: '10.9.0.2/24', ip6: 'fd00::2/64', seed: 2 }),
    ]);
    const net = { client, server, a };
    try {
      const n = 3 * 1024 * 1024;
      const mss6 = 1440;
      const v4 = await framesFor(net, '10.9.0.2:9100', 9100, n);
      const v6 = await framesFor(net, '[fd00::2]:9101', 9101, n);
      const mb = n / (1 << 20);
      console.log(`# frames per MB: IPv4 ${(v4 / mb).toFixed(0)}, IPv6 ${(v6 / mb).toFixed(0)} (${(n / mss6 / mb).toFixed(0)} MSS-sized)`);
      assert.ok(v6 < n / mss6 / 4, `${v6} frames for ${n} B over IPv6: no super-frames`);
      assert.ok(v6 < 2 * v4 + 20, `IPv6 ${v6} frames, IPv4 ${v4}`);
      const drops = server.counters().drops;
      assert.equal(drops['tcp/bad-checksum'] ?? 0, 0, JSON.stringify(drops));
    } finally {
      client.close();
      server.close();
    }
  });
}

/* A link that plays synack-bridge's side of the offload exchange
 * (core/link/offload.h: EtherType 0x88B5, "SYNACK", type at 20, flags at
 * 22) in front of a PairLink end: it answers the HELLO with AGREE granting
 * `grant`, and records the HELLO's flags and every SUPER's gso_type (the
 * virtio_net_hdr's byte 1, at 23) instead of passing it on. */
function offloadPeer(end, grant) {
  const seen = { asked: null, supers: [], largest: 0 };
  let deliver = null;
  const link = {
    mtu: end.mtu,
    offload: true,
    send(f) {
      if (f[12] === 0x88 && f[13] === 0xb5) {
        if (f[20] === 1) { // HELLO: AGREE from and to the client's MAC
          seen.asked = (f[22] << 8) | f[23];
          const agree = Uint8Array.from(f.subarray(0, 60));
          agree[20] = 2;
          agree[22] = grant >> 8;
          agree[23] = grant & 255;
          setTimeout(() => deliver?.(agree), 0);
        } else if (f[20] === 3) {
          seen.supers.push(f[23]);
        }
        return;
      }
      seen.largest = Math.max(seen.largest, f.length);
      end.send(f);
    },
    set onframe(fn) { deliver = fn; end.onframe = fn; },
  };
  return { link, seen };
}

test('IPv6: the glue asks for IPv6 super-frames, and cuts them when the bridge grants only IPv4', { timeout: 60_000 }, async () => {
  const [a, b] = synack.PairLink.pair({ seed: 7 });
  const TX4 = 0x1, RX4 = 0x2, TX6 = 0x4, RX6 = 0x8;
  const peer = offloadPeer(a, TX4 | RX4);
  const [client, server] = await Promise.all([
    synack.createStack({ link: peer.link, ip: false, ip6: 'fd00::1/64', seed: 1 }),
    synack.createStack({ link: b, ip: false, ip6: 'fd00::2/64', seed: 2 }),
  ]);
  try {
    assert.equal(peer.seen.asked, TX4 | RX4 | TX6 | RX6, 'HELLO flags');
    assert.equal(client.offloadActive, true);
    const n = 1 << 20;
    const frames = await framesFor({ client, server, a }, '[fd00::2]:9102', 9102, n);
    assert.deepEqual(peer.seen.supers, [], 'no SUPER without TX_TCP6');
    assert.ok(peer.seen.largest <= 1514 && frames > n / 1440, `${frames} frames, largest ${peer.seen.largest} B`);
  } finally {
    client.close();
    server.close();
  }
});

test('IPv6: stableSecret keeps the RFC 7217 link-local address across starts; another secret or none moves it', async () => {
  /* the link-local address a fresh stack forms with this secret (or none) */
  const linkLocal = async (stableSecret) => {
    const [a] = synack.PairLink.pair({ seed: 3 });
    const s = await synack.createStack({ link: a, ip: false, ip6: 'slaac', stableSecret });
    try {
      const ll = s.addresses.find((x) => x.origin === 'link-local');
      assert.ok(ll, 'a link-local address is formed at start');
      return ll.address;
    } finally {
      s.close();
    }
  };
  const secret = '00112233445566778899aabbccddeeff';
  const first = await linkLocal(secret);
  assert.match(first, /^fe80::/);
  assert.equal(await linkLocal(secret), first, 'same secret, same address');
  assert.equal(await linkLocal(Uint8Array.from(secret.match(/../g), (h) => parseInt(h, 16))), first,
    'the secret as bytes is the same secret');
  assert.notEqual(await linkLocal('ffeeddccbbaa99887766554433221100'), first, 'another secret, another address');
  assert.notEqual(await linkLocal(undefined), await linkLocal(undefined), 'no secret: a new address per start');
  await assert.rejects(linkLocal('abc'), { code: 'invalid' });
  await assert.rejects(linkLocal(new Uint8Array(15)), { code: 'invalid' });
});
