// End to end: a Node stack reaches a server on this machine through real
// websockify and synack-bridge in slirp mode (DHCP from slirp, NAT to the
// host). Skipped when the bridge is not built or websockify is missing.
// SYNACK_BRIDGE names the bridge binary; else build/*/host/bridge is searched.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readBytes, synack } from './helpers.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

function findBridge() {
  if (process.env.SYNACK_BRIDGE) return process.env.SYNACK_BRIDGE;
  for (const d of ['native', 'bridge', 'debug', 'build', 'js']) {
    const p = join(root, 'build', d, 'host', 'bridge', 'synack-bridge');
    if (existsSync(p)) return p;
  }
  return null;
}

const bridgeBin = findBridge();
const hasWebsockify = spawnSync('websockify', ['--help'], { stdio: 'ignore' }).status === 0;
const skip = !bridgeBin ? 'synack-bridge is not built'
  : !hasWebsockify ? 'websockify is not installed'
    : typeof WebSocket !== 'function' ? 'no WebSocket (run with --experimental-websocket)' : false;

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/* Start a child; resolve once `ready` matches its output. Killed by pid. */
function start(cmd, args, ready, what) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill(); reject(new Error(`${what} did not start:\n${text}`)); }, 10_000);
    const onData = (d) => {
      text += d;
      const m = ready.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve({ child, match: m, log: () => text });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`${what} exited (${code}):\n${text}`)); });
  });
}

function stop(p) {
  if (!p) return;
  p.child.removeAllListeners('exit');
  if (p.child.exitCode === null) p.child.kill('SIGTERM');
}

test('a Node stack reaches a host server through websockify and synack-bridge --slirp',
  { skip, timeout: 60_000 }, async () => {
    const echo = createServer((c) => c.pipe(c));
    await new Promise((r) => echo.listen(0, '127.0.0.1', r));
    const echoPort = echo.address().port;
    const closedPort = await freePort();
    let bridge, ws, stack;
    try {
      bridge = await start(bridgeBin, ['--listen', '127.0.0.1:0', '--slirp',
        '--allow', `10.0.2.2:${echoPort}`, '--allow', `10.0.2.2:${closedPort}`],
      /listening on [^ ]*:(\d+)/, 'synack-bridge');
      const bridgePort = Number(bridge.match[1]);
      const wsPort = await freePort();
      ws = await start('websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${bridgePort}`],
        /proxying from|Listen on|listening/i, 'websockify');

      stack = await synack.createStack({ link: new synack.WebSocketLink(`ws://127.0.0.1:${wsPort}/`), ip: 'dhcp', dhcpTimeout: 15_000 });
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

      const refused = stack.connect({ hostname: '10.0.2.2', port: closedPort });
      await assert.rejects(refused.opened, { code: 'refused' });
    } finally {
      stack?.close();
      stop(ws);
      stop(bridge);
      echo.close();
    }
  });
