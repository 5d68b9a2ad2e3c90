// web/ndp.mjs and web/packet.mjs's IPv6 side under Node, no browser: real
// frames of two synack stacks (the built synack.mjs) on a PairLink with
// IPv6 on — duplicate address detection from ::, router solicitations, MLDv2
// reports behind a hop-by-hop header, neighbour solicitation and
// advertisement, TCP over IPv6 with its checksum — each named as the
// ladder names it; a router advertisement built here (no stack sends one)
// with its prefix, MTU and DNS options; RFC 5952 address text. Then random
// bytes and random mutations of the real frames: parseFrame and
// decodeIcmp6 never throw (there is no try/catch inside them).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeIcmp6, ip6Text } from '../../web/ndp.mjs';
import { parseFrame } from '../../web/packet.mjs';
import { TapLink } from '../../web/tap.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const WEB = resolve(process.env.DEMO_WEB ?? join(root, 'build', 'js-em', 'web'));

/* Frames of a real IPv6 session: both stacks start (link-local, static fd00:9::/64), a TCP connection, 2000 bytes echoed. */
async function realFrames() {
  assert.ok(existsSync(join(WEB, 'synack.mjs')), `no built synack.mjs in ${WEB}`);
  const { createStack, PairLink } = await import(pathToFileURL(join(WEB, 'synack.mjs')).href);
  const frames = [];
  const hooks = (side) => ({ onSend: (frame, pkt) => frames.push({ side, frame: frame.slice(), pkt }), onReceive() {} });
  const [a, b] = PairLink.pair({ delay: 1, seed: 3 });
  const client = await createStack({ link: new TapLink(a, hooks('client')), ip: false, ip6: 'slaac', seed: 1 });
  const server = await createStack({ link: new TapLink(b, hooks('server')), ip: false, ip6: 'slaac', seed: 2 });
  try {
    client.addAddress6('fd00:9::1/64');
    server.addAddress6('fd00:9::2/64');
    await Promise.all([client.waitAddress6(), server.waitAddress6()]);
    (async () => { for await (const s of server.listen({ port: 80 })) s.readable.pipeTo(s.writable).catch(() => {}); })();
    const sock = client.connect({ hostname: 'fd00:9::2', port: 80 });
    await sock.opened;
    const w = sock.writable.getWriter();
    await w.write(new Uint8Array(2000).fill(7));
    await w.close();
    let n = 0;
    for await (const c of sock.readable) n += c.length;
    assert.equal(n, 2000);
    /* The router solicitations come once the link-local address passed DAD (about 1.5 s in). */
    const rs = (side) => frames.some((x) => x.side === side && x.pkt.icmp6?.type === 133);
    for (let i = 0; i < 100 && !(rs('client') && rs('server')); i++) await new Promise((r) => setTimeout(r, 50));
    return frames;
  } finally {
    client.close();
    server.close();
  }
}

/* A router advertisement as slirp sends one: lifetime 1800 s, SLLA, prefix fd00:5ac::/64 (L, A), MTU 1500, RDNSS fd00:5ac::3. */
function routerAdvertisement() {
  const icmp = [134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0,
    1, 1, 0x52, 0x56, 0, 0, 0, 2,
    3, 4, 64, 0xc0, 0, 0, 0x0e, 0x10, 0, 0, 0x07, 0x08, 0, 0, 0, 0, 0xfd, 0, 0x05, 0xac, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    5, 1, 0, 0, 0, 0, 0x05, 0xdc,
    25, 3, 0, 0, 0, 0, 0x07, 0x08, 0xfd, 0, 0x05, 0xac, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3];
  const eth = [0x33, 0x33, 0, 0, 0, 1, 0x52, 0x56, 0, 0, 0, 2, 0x86, 0xdd];
  const ip = [0x60, 0, 0, 0, icmp.length >> 8, icmp.length & 255, 58, 255,
    0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
  return new Uint8Array([...eth, ...ip, ...icmp]);
}

let real;
const frames = async () => (real ??= await realFrames());

test('RFC 5952 text of IPv6 addresses', () => {
  const t = (hex) => ip6Text(Uint8Array.from(hex.match(/../g).map((x) => parseInt(x, 16))), 0);
  assert.equal(t('00000000000000000000000000000000'), '::');
  assert.equal(t('00000000000000000000000000000001'), '::1');
  assert.equal(t('fe800000000000000000000000000001'), 'fe80::1');
  assert.equal(t('20010db8000000000001000000000001'), '2001:db8::1:0:0:1');
  assert.equal(t('20010db8000000010001000100010001'), '2001:db8:0:1:1:1:1:1');
  assert.equal(t('20010db8000000000001000000000000'), '2001:db8:0:0:1::');
  assert.equal(t('20010db8000000010000000000000000'), '2001:db8:0:1::');
  assert.equal(t('ff0200000000000000000001ff000001'), 'ff02::1:ff00:1');
});

test('a real IPv6 session: DAD, RS, MLDv2 reports, NS/NA and TCP over IPv6, each named', { timeout: 30_000 }, async () => {
  const f = await frames();
  const icmp = f.filter((x) => x.pkt.proto === 'icmp6').map((x) => ({ side: x.side, ...x.pkt.icmp6, src: x.pkt.src, dst: x.pkt.dst, ext: x.pkt.ext }));
  const names = icmp.map((x) => x.name);
  for (const side of ['client', 'server']) {
    const mine = icmp.filter((x) => x.side === side);
    const dad = mine.filter((x) => x.name === 'Neighbour Solicitation (DAD)');
    assert.ok(dad.some((x) => x.src === '::' && /^fe80::/.test(x.short.split(' ').at(-1))), `${side}: DAD of its link-local address`);
    assert.ok(dad.some((x) => x.short === `NDP NS DAD fd00:9::${side === 'client' ? 1 : 2}`), `${side}: DAD of its static address`);
    assert.ok(mine.some((x) => x.name === 'Router Solicitation' && x.dst === 'ff02::2'), `${side}: RS`);
    const mld = mine.filter((x) => x.name === 'MLDv2 Report');
    assert.ok(mld.length > 0 && mld.every((x) => x.dst === 'ff02::16' && x.ext?.[0] === 0), `${side}: MLDv2 reports behind hop-by-hop`);
    assert.ok(mld.some((x) => /ff02::1:ff00:\d \(solicited-node\)/.test(x.text)), `${side}: its solicited-node group`);
  }
  const ns = icmp.find((x) => x.name === 'Neighbour Solicitation' && x.side === 'client');
  assert.ok(ns && ns.short === 'NDP NS fd00:9::2' && ns.dst === 'ff02::1:ff00:2', `address resolution: ${names}`);
  const na = icmp.find((x) => x.name === 'Neighbour Advertisement' && x.side === 'server' && x.short === 'NDP NA fd00:9::2');
  assert.ok(na && /is at [0-9a-f]{2}(:[0-9a-f]{2}){5}"/.test(na.text) && na.fields.some(([k, v]) => k === 'flags' && /S \(solicited\)/.test(v)), JSON.stringify(na));
  const tcp = f.filter((x) => x.pkt.proto === 'tcp');
  assert.ok(tcp.length >= 6);
  assert.ok(tcp.every((x) => x.pkt.family === 6 && x.pkt.checksumOk && /^fd00:9::[12]$/.test(x.pkt.src)));
  assert.equal(tcp[0].pkt.flags, 'S');
  assert.equal(tcp.filter((x) => x.side === 'client').reduce((n, x) => n + x.pkt.len, 0), 2000);
  /* One payload byte changed: the IPv6 pseudo-header checksum no longer matches. */
  const data = tcp.find((x) => x.pkt.len > 0).frame.slice();
  data[data.length - 1] ^= 0x5a;
  assert.equal(parseFrame(data).checksumOk, false);
});

test('a router advertisement: prefix for SLAAC, MTU, DNS', () => {
  const p = parseFrame(routerAdvertisement());
  assert.equal(p.proto, 'icmp6');
  assert.equal(p.src, 'fe80::2');
  assert.equal(p.icmp6.name, 'Router Advertisement');
  assert.equal(p.icmp6.short, 'NDP RA');
  assert.match(p.icmp6.text, /default router for 1800 s; prefix fd00:5ac::\/64 for SLAAC.*link MTU 1500; DNS fd00:5ac::3\./);
  const f = Object.fromEntries(p.icmp6.fields);
  assert.equal(f['source link-layer address'], '52:56:00:00:00:02');
  assert.match(f.prefix, /fd00:5ac::\/64, on-link, autonomous \(SLAAC\), valid 3600 s, preferred 1800 s/);
  /* Cut anywhere: a shorter description, never an exception. */
  const ra = routerAdvertisement();
  for (let n = 0; n <= ra.length; n++) {
    const d = decodeIcmp6(ra, 54, n);
    assert.equal(typeof d.text, 'string');
  }
});

test('random bytes and mutated real frames: never an exception', { timeout: 30_000 }, async () => {
  const f = (await frames()).map((x) => x.frame);
  f.push(routerAdvertisement());
  let x = 0x2545f491;
  const rnd = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x; };
  let named = 0;
  for (let k = 0; k < 3000; k++) {
    let b;
    if (k & 1) {
      b = f[rnd() % f.length].slice(0, 14 + (rnd() % 200));
      for (let m = 1 + (rnd() % 4); m > 0; m--) b[rnd() % b.length] = rnd() & 255;
      if (k & 2) { b[12] = 0x86; b[13] = 0xdd; b[14] = (b[14] & 15) | 0x60; }
      if (k & 4 && b.length > 54) b[20] = [0, 58, 60, 43, 6][rnd() % 5];
    } else {
      b = new Uint8Array(rnd() % 300).map(() => rnd() & 255);
      if (b.length > 14) { b[12] = 0x86; b[13] = 0xdd; }
    }
    const p = parseFrame(b);
    assert.equal(typeof p.proto, 'string');
    if (p.icmp6) {
      assert.equal(typeof p.icmp6.text, 'string');
      named++;
    }
    const d = decodeIcmp6(b, rnd() % 80, rnd() % 400, 'fe80::1', '::');
    assert.equal(typeof d.short, 'string');
    assert.ok(Array.isArray(d.fields));
  }
  assert.ok(named > 100, `mutations reached the ICMPv6 decoder ${named} times`);
});
