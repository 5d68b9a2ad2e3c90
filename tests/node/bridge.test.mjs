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

for (const own of [false, true]) {
  test(`a Node stack reaches a host server through ${own ? "synack-bridge --listen-ws" : "websockify and synack-bridge"} --slirp`,
  { skip, timeout: 60_000 }, async () => {
    const echo = createServer((c) => c.pipe(c));
    await new Promise((r) => echo.listen(0, '127.0.0.1', r));
    const echoPort = echo.address().port;
    const closed = await closedPort();
    let bridge, stack;
    try {
      bridge = await startBridge([`10.0.2.2:${echoPort}`, `10.0.2.2:${closed}`], { ownWebSocket: own });
      stack = await synack.createStack({ link: new synack.WebSocketLink(`${bridge.ws}/`), ip: 'dhcp', dhcpTimeout: 15_000 });
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
