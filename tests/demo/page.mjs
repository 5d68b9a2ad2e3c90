// Shared by the demo page's Chromium tests: where things are, a static
// server for the built page, the browser, a fresh page per test with its
// errors collected, waiting helpers, screenshots, and starting helper
// processes (synack-bridge, websockify) whose PIDs the caller stops.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPostgres } from '../net/servers.mjs';
import { makeTestPki } from '../support/tls_pki.mjs';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const WEB = resolve(process.env.DEMO_WEB ?? join(root, 'build', 'js-em', 'web'));
export const SHOTS = process.env.DEMO_SHOTS ?? join(root, 'build', 'demo-screenshots');
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
export const BRIDGE = process.env.SYNACK_BRIDGE ?? join(root, 'build', 'native', 'host', 'bridge', 'synack-bridge');
const TYPES = { '.html': 'text/html', '.mjs': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

const { chromium } = await import(join(root, 'node_modules', 'playwright-core', 'index.mjs'));
mkdirSync(SHOTS, { recursive: true });

/* A static server for the built page, on loopback. */
function serveDir(dir) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    let file = normalize(join(dir, path));
    if (!file.startsWith(dir + sep) && file !== dir) return res.writeHead(403).end();
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      statSync(file);
    } catch {
      return res.writeHead(404).end();
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
    createReadStream(file).pipe(res);
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

let browser;
let web;
let base;

/** Start the page server and Chromium (call from before()). */
export async function setUp() {
  assert.ok(existsSync(join(WEB, 'index.html')), `no built page in ${WEB}`);
  web = await serveDir(WEB);
  base = `http://127.0.0.1:${web.address().port}`;
  browser = await chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
}

/** Stop them (call from after()). */
export async function tearDown() {
  await browser?.close();
  web?.closeAllConnections();
  await new Promise((r) => (web ? web.close(r) : r()));
}

/* A fresh page of the demo; fn(page) runs with page errors collected and asserted absent. */
export async function withPage(query, fn, viewport = { width: 1440, height: 900 }, contextOptions = {}) {
  const ctx = await browser.newContext({ viewport, acceptDownloads: true, ...contextOptions });
  const page = await ctx.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  try {
    await page.goto(`${base}/index.html${query}`);
    await fn(page);
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
  }
}

export const summary = (page) => page.evaluate(() => window.__demoPage.summary());
export const waitFor = (page, fn, arg, timeout = 30_000) => page.waitForFunction(fn, arg, { timeout, polling: 50 });

/* Views are drawn in animation frames: wait until they show the model, or what is expected. */
export const rendered = (page) => waitFor(page, () => window.__demoPage.drawn(), null, 5_000);
export const shows = (page, selector, re) => waitFor(page, ([sel, src]) => new RegExp(src).test(document.querySelector(sel)?.textContent ?? ''),
  [selector, re.source], 5_000);
export const lit = (page, side, state) => waitFor(page, ([s, st]) => document.querySelector(`#fsm-${s} g.state.lit`)?.dataset.state === st,
  [side, state], 5_000);

export async function shot(page, name, selector) {
  const target = selector ? page.locator(selector) : page;
  await target.screenshot({ path: join(SHOTS, `${name}.png`), ...(selector ? {} : { fullPage: true }) });
}

/** Horizontal overflow of the page in px (0 or less: it fits). */
export const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);

export function startProcess(cmd, args, ready) {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(Object.assign(new Error(`${cmd} did not start:\n${text}`), { child })), 10_000);
    const onData = (d) => {
      text += d;
      const m = ready.exec(text);
      if (m) {
        clearTimeout(timer);
        ok({ child, match: m });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('error', (e) => { clearTimeout(timer); fail(Object.assign(e, { child })); });
    child.on('exit', (code) => { clearTimeout(timer); fail(Object.assign(new Error(`${cmd} exited (${code}):\n${text}`), { child })); });
  });
}

export function freePort() {
  return new Promise((ok) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/* Run fn(pids) and stop every PID it collected afterwards (SIGTERM, newest first). */
async function withPids(fn) {
  const pids = [];
  try {
    return await fn(pids);
  } finally {
    for (const pid of pids.reverse()) {
      try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
    }
  }
}

async function run(pids, cmd, args, ready) {
  try {
    const r = await startProcess(cmd, args, ready);
    pids.push(r.child.pid);
    return r;
  } catch (e) {
    if (e.child?.pid) pids.push(e.child.pid);
    throw e;
  }
}

/*
 * synack-bridge --slirp allowed to reach 127.0.0.1:httpPort and ::1:httpPort (and the ports
 * in `targets`: { pg, closed, silent }), websockify in front; fn(query) gets
 * the page query.
 */
async function bridgeTo(pids, httpPort, fn, targets = {}) {
  assert.ok(existsSync(BRIDGE), `synack-bridge not built at ${BRIDGE}`);
  /* Each port over both families: 10.0.2.2 and [::1] (slirp's fd00:5ac::2, the page's IPv6 switch). */
  const allow = [httpPort, ...Object.values(targets)].flatMap((p) => ['--allow', `10.0.2.2:${p}`, '--allow', `[::1]:${p}`]);
  const bridge = await run(pids, BRIDGE, ['--listen', '127.0.0.1:0', '--slirp', ...allow],
    /listening on [^ ]*:(\d+)/);
  const wsPort = await freePort();
  await run(pids, 'websockify', [`127.0.0.1:${wsPort}`, `127.0.0.1:${bridge.match[1]}`], /proxying from|listen/i);
  const q = new URLSearchParams({ mode: 'network', ws: `ws://127.0.0.1:${wsPort}`, target: `10.0.2.2:${httpPort}`, http: String(httpPort) });
  for (const [k, v] of Object.entries(targets)) q.set(k, String(v));
  await fn(`?${q}`, httpPort);
}

/**
 * A host HTTP server, synack-bridge --slirp allowing it, and websockify in
 * front; fn(query) gets the page query for network mode. Everything is
 * stopped by PID afterwards. handler(req, res) answers the host's requests.
 */
export async function withBridge(handler, fn) {
  const http = createServer(handler);
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  try {
    await withPids((pids) => bridgeTo(pids, http.address().port, fn));
  } finally {
    http.closeAllConnections();
    await new Promise((r) => http.close(r));
  }
}

/**
 * The same with make demo's own web server (scripts/demo-http.py: the built
 * page, and GET /reset answered with RST) as the host server.
 */
export async function withDemoServer(fn) {
  await withPids(async (pids) => {
    const port = await freePort();
    await run(pids, 'python3', ['-u', join(root, 'scripts', 'demo-http.py'), WEB, String(port)], /serving on/);
    await bridgeTo(pids, port, fn);
  });
}

/**
 * What make demo starts for network mode's targets: its web server (which
 * also serves the test CA at /demo-ca.pem), the same server speaking HTTPS
 * with a certificate for server.test from a test CA made now, a
 * private PostgreSQL (tests/net/servers.mjs), a closed port and a
 * SYN-dropping port (scripts/demo-ports.py), the bridge allowing them all
 * and websockify; fn(query) gets the page query with their ports. Every
 * process is stopped by its PID afterwards, also on failure.
 */
export async function withDemoTargets(fn) {
  const pg = await startPostgres();
  const tlsDir = mkdtempSync(join(tmpdir(), 'synack-demo-tls-'));
  try {
    /* The HTTPS target as make demo makes it: a CA made now, a certificate for server.test. */
    const pki = makeTestPki(tlsDir);
    await withPids(async (pids) => {
      const port = await freePort();
      await run(pids, 'python3', ['-u', join(root, 'scripts', 'demo-http.py'), WEB, String(port), '--ca-file', pki('ca.pem')], /serving on/);
      const https = await freePort();
      await run(pids, 'python3', ['-u', join(root, 'scripts', 'demo-http.py'), WEB, String(https),
        '--tls', pki('server.pem'), pki('server.key')], /serving on/);
      const ports = await run(pids, 'python3', ['-u', join(root, 'scripts', 'demo-ports.py')], /closed=(\d+) silent=(\d+)/);
      const extra = `&tlsname=server.test&ca=${encodeURIComponent(`http://127.0.0.1:${port}/demo-ca.pem`)}`;
      await bridgeTo(pids, port, (query, p) => fn(query + extra, p),
        { pg: pg.port, https, closed: Number(ports.match[1]), silent: Number(ports.match[2]) });
    });
  } finally {
    await pg.stop();
    rmSync(tlsDir, { recursive: true, force: true });
  }
}
