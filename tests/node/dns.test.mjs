// DNS in the JavaScript API: stack.lookup(name, { family, all }) against a
// small authoritative server written here (RFC 1035 messages over a UDP
// socket of the other stack): names with only A records, only AAAA
// records (RFC 3596), both, and none (NXDOMAIN). The order for family 0
// is the one connect() tries (the core's Happy Eyeballs, RFC 8305 section
// 4: interleaved, IPv6 first unless there is no IPv6 route).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { synack } from './helpers.mjs';

const A = 'fd00:5ac::a';
const B = 'fd00:5ac::b';
const ZONE = {
  'a.test': { 1: ['10.9.0.2', '10.9.0.3'] },
  'aaaa.test': { 28: [B] },
  'dual.test': { 1: ['10.9.0.2', '10.9.0.3'], 28: [B, 'fd00:5ac::c'] },
};
const ip4 = (t) => t.split('.').map(Number);
function ip6(t) {
  const [head, tail] = t.split('::');
  const g = (x) => (x ? x.split(':').map((h) => parseInt(h, 16)) : []);
  const hs = g(head), ts = g(tail);
  const groups = [...hs, ...new Array(8 - hs.length - ts.length).fill(0), ...ts];
  return groups.flatMap((v) => [v >> 8, v & 255]);
}

/* Answers the queries the stack's resolver sends: the zone's records of
 * the type asked, NODATA (no records, NOERROR) for a name without that
 * type, NXDOMAIN for a name not in the zone. Counts queries by type. */
function zoneServer(stack) {
  const asked = { 1: 0, 28: 0 };
  const sock = stack.udp({ port: 53 });
  (async () => {
    for await (const { data: q, address, port } of sock) {
      const labels = [];
      let i = 12;
      while (q[i] !== 0) { labels.push(Buffer.from(q.subarray(i + 1, i + 1 + q[i])).toString()); i += q[i] + 1; }
      const qtype = (q[i + 1] << 8) | q[i + 2];
      asked[qtype] = (asked[qtype] ?? 0) + 1;
      const name = labels.join('.').toLowerCase();
      const records = ZONE[name]?.[qtype] ?? [];
      const rcode = ZONE[name] ? 0 : 3;
      const head = [q[0], q[1], 0x85, 0x80 | rcode, 0, 1, 0, records.length, 0, 0, 0, 0];
      const rrs = records.flatMap((r) => {
        const rdata = qtype === 28 ? ip6(r) : ip4(r);
        return [0xc0, 12, 0, qtype, 0, 1, 0, 0, 0, 60, 0, rdata.length, ...rdata];
      });
      await sock.send(address, port, Buffer.from([...head, ...q.subarray(12, i + 5), ...rrs]));
    }
  })().catch(() => {});
  return asked;
}

async function pair(clientIp6) {
  const [a, b] = synack.PairLink.pair({ seed: 7 });
  const [client, server] = await Promise.all([
    synack.createStack({ link: a, ip: '10.9.0.1/24', ip6: clientIp6, dns: '10.9.0.2', seed: 1 }),
    synack.createStack({ link: b, ip: '10.9.0.2/24', ip6: `${B}/64`, seed: 2 }),
  ]);
  const asked = zoneServer(server);
  return { client, server, asked, close() { client.close(); server.close(); } };
}

test('lookup: A only, AAAA only, both, NXDOMAIN; family and all as in dns.lookup', async () => {
  const net = await pair(`${A}/64`);
  const c = net.client;
  try {
    /* both families, in the order connect() tries them: IPv6 first (on-link) */
    assert.equal(await c.lookup('dual.test'), B);
    assert.deepEqual(await c.lookup('dual.test', { all: true }), [
      { address: B, family: 6 }, { address: '10.9.0.2', family: 4 },
      { address: 'fd00:5ac::c', family: 6 }, { address: '10.9.0.3', family: 4 },
    ]);
    assert.equal(await c.lookup('DUAL.test', { family: 4 }), '10.9.0.2');
    assert.deepEqual(await c.lookup('dual.test', { family: 6, all: true }),
      [{ address: B, family: 6 }, { address: 'fd00:5ac::c', family: 6 }]);

    /* one family in the zone: family 0 gives it; asking the other is notfound */
    assert.equal(await c.lookup('a.test'), '10.9.0.2');
    assert.deepEqual(await c.lookup('a.test', { all: true, family: 0 }),
      [{ address: '10.9.0.2', family: 4 }, { address: '10.9.0.3', family: 4 }]);
    await assert.rejects(c.lookup('a.test', { family: 6 }),
      (e) => e.code === 'notfound' && /a\.test/.test(e.message) && /no IPv6 address/.test(e.message));
    assert.equal(await c.lookup('aaaa.test'), B);
    assert.deepEqual(await c.lookup('aaaa.test', { all: true }), [{ address: B, family: 6 }]);
    await assert.rejects(c.lookup('aaaa.test', { family: 4 }), { code: 'notfound' });

    /* no such name: a clear error, whatever the family */
    for (const family of [0, 4, 6]) {
      await assert.rejects(c.lookup('nx.test', { family }),
        (e) => e instanceof synack.SynackError && e.code === 'notfound' &&
          /lookup nx\.test: no such name/.test(e.message));
    }

    /* family 0 asked both record types, 4 and 6 one each */
    const before = { ...net.asked };
    await c.lookup('dual.test', { family: 4 });
    assert.deepEqual(net.asked, { 1: before[1] + 1, 28: before[28] });
    await c.lookup('dual.test');
    assert.deepEqual(net.asked, { 1: before[1] + 2, 28: before[28] + 1 });

    /* literals resolve to themselves; bad input is refused */
    assert.deepEqual(await c.lookup('[fd00::1]', { all: true }), [{ address: 'fd00::1', family: 6 }]);
    assert.equal(await c.lookup('10.1.2.3', { family: 4 }), '10.1.2.3');
    await assert.rejects(c.lookup('dual.test', { family: 5 }), { code: 'invalid' });
    await assert.rejects(c.lookup('a..b'), { code: 'invalid' });

    /* the order is the one connect() tries: its first attempt wins here */
    const l = net.server.listen({ port: 80 });
    (async () => { for await (const s of l) s.close(); })();
    const sock = c.connect({ hostname: 'dual.test', port: 80 });
    assert.equal((await sock.opened).remoteAddress, (await c.lookup('dual.test', { all: true }))[0].address);
    await sock.close();
  } finally {
    net.close();
  }
});

test('lookup: without an IPv6 route, IPv4 comes first (as connect() tries them)', async () => {
  const net = await pair(false);
  try {
    assert.equal(net.client.addresses.some((x) => x.family === 'IPv6'), false);
    assert.deepEqual(await net.client.lookup('dual.test', { all: true }), [
      { address: '10.9.0.2', family: 4 }, { address: B, family: 6 },
      { address: '10.9.0.3', family: 4 }, { address: 'fd00:5ac::c', family: 6 },
    ]);
    assert.equal(await net.client.lookup('dual.test'), '10.9.0.2');
    /* an AAAA answer is still an answer: it is only tried last */
    assert.equal(await net.client.lookup('aaaa.test'), B);
  } finally {
    net.close();
  }
});
