// End to end: a Node stack reaches a server on this machine through real
// websockify and synack-bridge in slirp mode, and through the bridge's own
// WebSocket endpoint (--listen-ws) (DHCP from slirp, NAT to the
// host). Skipped when the bridge is not built or websockify is missing.
// SYNACK_BRIDGE names the bridge binary (tests/support/procs.mjs).
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { closedPort, findBridge, hasWebsockify, startBridge } from '../support/procs.mjs';
import { readBytes, synack } from './helpers.mjs';

const skip = !findBridge() ? 'synack-bridge is not built'
  : !hasWebsockify() ? 'websockify is not installed'
    : typeof WebSocket !== 'function' ? 'no WebSocket (run with --experimental-websocket)' : false;

/* The npm package ws (masking in C through bufferutil) in place of Node's
 * built-in WebSocket, as docs/js-api.md suggests for Node, with the offload
 * exchange: the fast configuration of the path benchmark. */
const WS = (await import('ws')).WebSocket;

for (const [own, alt] of [[false, false], [true, false], [true, true]]) {
  const how = own ? 'synack-bridge --listen-ws' : 'websockify and synack-bridge';
  test(`a Node stack reaches a host server through ${how} --slirp${alt ? ' (npm ws, offload)' : ''}`,
  { skip, timeout: 60_000 }, async () => {
    const echo = createServer((c) => c.pipe(c));
    await new Promise((r) => echo.listen(0, '127.0.0.1', r));
    const echoPort = echo.address().port;
    const closed = await closedPort();
    let bridge, stack;
    try {
      bridge = await startBridge([`10.0.2.2:${echoPort}`, `10.0.2.2:${closed}`],
        { ownWebSocket: own, extra: alt ? ['--offload'] : [] });
      const link = new synack.WebSocketLink(`${bridge.ws}/`, alt ? { WebSocket: WS, offload: true } : {});
      stack = await synack.createStack({ link, ip: 'dhcp', dhcpTimeout: 15_000 });
      assert.equal(stack.offloadActive === true, alt, 'offload agreed exactly when asked');
      assert.match(stack.address, /^10\.0\.2\.\d+$/);
      assert.equal(stack.gateway, '10.0.2.2');
      assert.equal(stack.dns, '10.0.2.3');
      assert.equal(stack.lease().server !== null, true);

      const sock = stack.connect({ hostname: '10.0.2.2', port: echoPort });
      await sock.opened;
      const payload = new Uint8Array(200_000).map((_, i) => (i * 31) & 255);
      const w = sock.writable.getWriter();
      const reading = readBytes(sock.readable);
      await w.write(payload);
      await w.close();
      const got = await reading;
      assert.equal(got.length, payload.length);
      assert.ok(Buffer.from(payload).equals(got), 'echo matches');

      const refused = stack.connect({ hostname: '10.0.2.2', port: closed });
      await assert.rejects(refused.opened, { code: 'refused' });
    } finally {
      stack?.close();
      bridge?.stop();
      echo.close();
    }
  });
}

/* A TCP port on ::1 where nothing listens. */
async function closedPort6() {
  const s = createServer();
  await new Promise((r) => s.listen(0, '::1', r));
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

test('IPv6: a Node stack gets an address by SLAAC from slirp and reaches ::1 through websockify and synack-bridge --slirp',
  { skip, timeout: 60_000 }, async () => {
    const echo = createServer((c) => c.pipe(c));
    await new Promise((r) => echo.listen(0, '::1', r));
    const echoPort = echo.address().port;
    const closed = await closedPort6();
    let bridge, stack;
    try {
      bridge = await startBridge([`[::1]:${echoPort}`, `[::1]:${closed}`]);
      stack = await synack.createStack({ link: new synack.WebSocketLink(`${bridge.ws}/`), ip: false, ip6: 'slaac' });
      const addr = await stack.waitAddress6({ timeout: 15_000 });
      assert.match(addr, /^fd00:5ac::/, 'an address in slirp\'s prefix');
      const states = stack.addresses.map((a) => `${a.origin}:${a.state}`);
      assert.ok(states.includes('link-local:preferred') && states.includes('slaac:preferred'), states.join(' '));

      const sock = stack.connect(`[fd00:5ac::2]:${echoPort}`);
      const info = await sock.opened;
      assert.equal(info.localAddress, addr);
      const payload = new Uint8Array(200_000).map((_, i) => (i * 31) & 255);
      const w = sock.writable.getWriter();
      const reading = readBytes(sock.readable);
      await w.write(payload);
      await w.close();
      const got = await reading;
      assert.ok(Buffer.from(payload).equals(got), 'echo over IPv6 matches');

      const refused = stack.connect({ hostname: 'fd00:5ac::2', port: closed });
      await assert.rejects(refused.opened, { code: 'refused' });
      const denied = stack.connect({ hostname: 'fd00:5ac::2', port: 1 });
      await assert.rejects(denied.opened, { code: 'refused' }, 'a port outside --allow: the bridge RST');
    } finally {
      stack?.close();
      bridge?.stop();
      echo.close();
    }
  });
