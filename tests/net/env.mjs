// Where the package under test is (SYNACK_NPM_DIR, set by run.sh: the
// unpacked npm package, build/js-em/npm/package) and the two environments
// the conformance suite runs in: Node's own net over loopback, and
// synack/net over two synack stacks on a PairLink.
import { spawn } from 'node:child_process';
import * as nodeNet from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { closedPort } from '../support/procs.mjs';

const dir = process.env.SYNACK_NPM_DIR;
if (!dir) throw new Error('SYNACK_NPM_DIR must name the unpacked npm package (tests/net/run.sh sets it)');

/** The package's two entry points. */
export const synack = await import(pathToFileURL(join(dir, 'synack.mjs')).href);
export const synackNet = await import(pathToFileURL(join(dir, 'net.mjs')).href);

/** Resolve on `event` of `emitter`; reject on 'error' (unless event is 'error') or after ms. */
export function once(emitter, event, ms = 5000) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for '${event}'`)); }, ms);
    const on = (...a) => { cleanup(); resolve(a.length > 1 ? a : a[0]); };
    const err = (e) => { cleanup(); reject(e); };
    function cleanup() {
      clearTimeout(t);
      emitter.removeListener(event, on);
      if (event !== 'error') emitter.removeListener('error', err);
    }
    emitter.once(event, on);
    if (event !== 'error') emitter.once('error', err);
  });
}

/* Whether an Ethernet frame is a TCP SYN (no ACK) to `port`. */
function isSynTo(f, port) {
  if (f.length < 54 || f[12] !== 0x08 || f[13] !== 0x00 || f[23] !== 6) return false;
  const t = 14 + (f[14] & 15) * 4;
  return ((f[t + 2] << 8) | f[t + 3]) === port && (f[t + 13] & 0x12) === 0x02;
}

/* A link around a PairLink end that drops the SYNs we send to `port`. */
export function dropSynsTo(inner, port) {
  const link = {
    mtu: inner.mtu, medium: inner.medium, onframe: null,
    send(f) { if (!isSynTo(f, port)) inner.send(f); },
    close() { inner.close?.(); },
  };
  inner.onframe = (f) => link.onframe?.(f);
  return link;
}

/**
 * A host port whose SYNs are dropped by the kernel: a listener with a
 * backlog of 0 whose one queue slot is taken by a connection nobody
 * accepts (Linux drops SYNs to a listener whose accept queue is full).
 * Returns { port, stop() }.
 */
export function silentHostPort() {
  const code = [
    'import socket, sys, time',
    's = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(0)',
    'c = socket.socket(); c.connect(s.getsockname())',
    'print(s.getsockname()[1], flush=True)',
    'time.sleep(600)',
  ].join('\n');
  const child = spawn('python3', ['-c', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve({ port: Number(out.trim()), stop: () => child.kill('SIGTERM') });
    });
    child.on('exit', (c) => reject(new Error(`silent-port helper exited (${c})`)));
  });
}

/** node:net over loopback. */
export async function nodeEnv() {
  const silent = await silentHostPort();
  return {
    name: 'node:net',
    net: nodeNet,
    host: '127.0.0.1',
    serverOptions: {},
    clientOptions: {},
    silentPort: silent.port,
    closedPort: await closedPort(),
    windowClosed: () => undefined,
    close() { silent.stop(); },
  };
}

/** synack/net on two stacks (client 10.9.0.1, server 10.9.0.2) on a PairLink. */
export async function synackEnv() {
  const [a, b] = synack.PairLink.pair({ seed: 3 });
  const silentPort = 81;
  const client = await synack.createStack({ link: dropSynsTo(a, silentPort), ip: '10.9.0.1/24', seed: 1 });
  const server = await synack.createStack({ link: b, ip: '10.9.0.2/24', seed: 2 });
  return {
    name: 'synack/net',
    net: synackNet,
    host: '10.9.0.2',
    serverOptions: { stack: server },
    clientOptions: { stack: client },
    silentPort,
    closedPort: 1, /* nothing listens on the server stack but what a test starts */
    clientStack: client,
    serverStack: server,
    /* The server's advertised window, from the stack (synack only). */
    windowClosed: (sock) => sock.tcpSocket.info().rcv_wnd === 0,
    close() { client.close(); server.close(); },
  };
}
