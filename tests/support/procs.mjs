// Helpers shared by the Node and Chromium end-to-end tests: free ports,
// child processes started and stopped by their own PID, and where the
// synack-bridge binary is (SYNACK_BRIDGE, set by tests/*/run.sh).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The bridge binary: $SYNACK_BRIDGE, else one under build/; null if none. */
export function findBridge() {
  if (process.env.SYNACK_BRIDGE) return process.env.SYNACK_BRIDGE;
  for (const d of ['native', 'bridge', 'debug', 'build', 'js']) {
    const p = join(root, 'build', d, 'host', 'bridge', 'synack-bridge');
    if (existsSync(p)) return p;
  }
  return null;
}

/** Whether websockify runs here. */
export const hasWebsockify = () => spawnSync('websockify', ['--help'], { stdio: 'ignore' }).status === 0;

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
    s.on('error', fail);
  });
}

/**
 * A TCP port on 127.0.0.1 with nothing listening, for "refused" tests.
 * It is below the kernel's ephemeral range: a port from that range (what
 * freePort gives) can come back as the source port of the very connection
 * that tests it, and a loopback connection from a port to itself succeeds
 * (TCP simultaneous open), so "refused" would flake.
 */
export async function closedPort() {
  let low = 32768;
  try {
    low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || low;
  } catch { /* not Linux: the usual default */ }
  const top = Math.min(low, 65536) - 1;
  const bottom = Math.max(1024, top - 8000);
  for (let i = 0; i < 50; i++) {
    const port = bottom + Math.floor(Math.random() * (top - bottom));
    const free = await new Promise((ok) => {
      const s = createServer();
      s.once('error', () => ok(false));
      s.listen(port, '127.0.0.1', () => s.close(() => ok(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below the ephemeral range');
}

/**
 * Start a child; resolves with { child, match, log() } once `ready` matches
 * its output; rejects (and kills it) when it exits first or after 10 s.
 * `spawnOptions` go to child_process.spawn (e.g. uid and gid).
 */
export function startProcess(cmd, args, ready, what = cmd, spawnOptions = {}) {
  const child = spawn(cmd, args, { ...spawnOptions, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => { child.kill(); fail(new Error(`${what} did not start:\n${text}`)); }, 10_000);
    const onData = (d) => {
      text += d;
      const m = ready.exec(text);
      if (m) {
        clearTimeout(timer);
        ok({ child, match: m, log: () => text });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); fail(new Error(`${what}: ${e.message}`)); });
    child.on('exit', (code) => { clearTimeout(timer); fail(new Error(`${what} exited (${code}):\n${text}`)); });
  });
}

/** Stop a child from startProcess (SIGTERM to its own PID) if it still runs. */
export function stopProcess(p) {
  if (!p) return;
  p.child.removeAllListeners('exit');
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
}

/**
 * The bridge's totals (SIGUSR1, then its newest "synack-bridge: totals"
 * line on stderr) as { key: number }, e.g. rx_super, tx_gso.
 */
async function bridgeTotals(p) {
  const before = p.log().split('synack-bridge: totals').length;
  p.child.kill('SIGUSR1');
  for (let i = 0; i < 250; i++) {
    const parts = p.log().split('synack-bridge: totals');
    if (parts.length > before && parts[parts.length - 1].includes('\n')) { // the whole line
      const line = parts[parts.length - 1].split('\n')[0];
      return Object.fromEntries([...line.matchAll(/(\w+)=(\d+)/g)].map((m) => [m[1], Number(m[2])]));
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('synack-bridge printed no totals after SIGUSR1');
}

/**
 * Start synack-bridge --slirp (allowing `allow`, a list of HOST:PORT; more
 * bridge options in `extra`, e.g. ['--forward', ...]) and websockify in
 * front of it; returns { ws: 'ws://127.0.0.1:PORT', stop(), totals() }
 * (totals: the bridge's counters, bridgeTotals).
 */
/* Resolve once 127.0.0.1:port accepts a TCP connection (tries for 5 s). */
async function untilAccepting(port) {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((done) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => { s.destroy(); done(true); });
      s.once('error', () => done(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nothing accepts on 127.0.0.1:${port}`);
}

export async function startBridge(allow, { ownWebSocket = false, extra = [] } = {}) {
  const bridgeBin = findBridge();
  if (!bridgeBin) throw new Error('synack-bridge is not built (set SYNACK_BRIDGE)');
  const procs = [];
  const stop = () => { for (const p of procs.reverse()) stopProcess(p); };
  try {
    if (ownWebSocket) { // the bridge's own endpoint (--listen-ws), no websockify
      const bridge = await startProcess(bridgeBin, ['--listen-ws', '127.0.0.1:0', '--slirp',
        ...allow.flatMap((a) => ['--allow', a]), ...extra], /websockets at [^ ]*:(\d+)/, 'synack-bridge');
      procs.push(bridge);
      return { ws: `ws://127.0.0.1:${bridge.match[1]}`, stop, totals: () => bridgeTotals(bridge) };
    }
    const bridge = await startProcess(bridgeBin, ['--listen', '127.0.0.1:0', '--slirp',
      ...allow.flatMap((a) => ['--allow', a]), ...extra], /listening on [^ ]*:(\d+)/, 'synack-bridge');
    procs.push(bridge);
    const wsPort = await freePort();
    procs.push(await startProcess('websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${bridge.match[1]}`],
      /proxying from|Listen on|listening/i, 'websockify'));
    /* websockify prints its settings ("Listen on …") before it binds: a
     * client connecting at once was refused about half the time. */
    await untilAccepting(wsPort);
    return { ws: `ws://127.0.0.1:${wsPort}`, stop, totals: () => bridgeTotals(bridge) };
  } catch (e) {
    stop();
    throw e;
  }
}
