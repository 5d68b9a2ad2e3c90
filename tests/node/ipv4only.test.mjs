// The IPv4-only synack.mjs (CMake -DSYNACK_IPV6=OFF; tests/node/run.sh
// builds it in build/js-em4 and gives it as SYNACK_JS4): IPv4 works as in
// the dual-stack module, an explicit ip6 option is refused, and IPv6
// destinations are unreachable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';

assert.ok(process.env.SYNACK_JS4, 'SYNACK_JS4 is not set: run through tests/node/run.sh');
const synack = await import(pathToFileURL(process.env.SYNACK_JS4).href);

test('IPv4-only module: ip6 refused, IPv4 TCP and UDP work, IPv6 unreachable', async () => {
  const [a, b] = synack.PairLink.pair();
  await assert.rejects(synack.createStack({ link: a, ip: '10.9.0.1/24', ip6: 'fd00::1/64' }),
    { code: 'invalid', message: /SYNACK_IPV6=OFF/ });
  await assert.rejects(synack.createStack({ link: a, ip: '10.9.0.1/24', ip6: 'slaac' }), { code: 'invalid' });
  const server = await synack.createStack({ link: b, ip: '10.9.0.2/24' });
  const client = await synack.createStack({ link: a, ip: '10.9.0.1/24', ip6: false });
  try {
    assert.deepEqual(client.addresses.filter((x) => x.family !== 'IPv4'), []);
    const listener = server.listen({ port: 7 });
    (async () => { for await (const s of listener) s.readable.pipeTo(s.writable); })();
    const sock = client.connect({ hostname: '10.9.0.2', port: 7 });
    await sock.opened;
    const w = sock.writable.getWriter();
    await w.write(new TextEncoder().encode('four'));
    await w.close();
    let got = '';
    for await (const chunk of sock.readable) got += new TextDecoder().decode(chunk);
    assert.equal(got, 'four');

    const v6 = client.connect({ hostname: 'fd00::2', port: 7 });
    await assert.rejects(v6.opened, { code: 'unreachable' });
    await assert.rejects(client.ping('fd00::2', { timeout: 500 }), { code: 'unreachable' });
    const u = client.udp();
    await assert.rejects(async () => u.send('fd00::2', 7, new Uint8Array([1])), { code: 'unreachable' });
    u.close();
  } finally {
    client.close();
    server.close();
  }
});
