// Chromium end to end (playwright-core driving Debian's /usr/bin/chromium,
// headless, fresh profile): the test page imports synack.mjs from a local
// static server and runs two stacks over a PairLink in the page and in a
// module Web Worker; the demo page runs a standalone session, and (when the
// bridge is built and websockify installed) a bridge session that fetches
// from an HTTP server on this machine. Screenshots go to the build folder
// (SYNACK_SHOTS).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { findBridge, freePort, hasWebsockify, startBridge, startProcess, stopProcess } from '../support/procs.mjs';
import { makeTestPki } from '../support/tls_pki.mjs';
import { startServer } from './server.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let chromium = null;
try {
  ({ chromium } = await import(join(root, 'node_modules', 'playwright-core', 'index.mjs')));
} catch {
  chromium = null;
}
const skip = !chromium ? 'playwright-core is not installed (npm ci)'
  : !existsSync(CHROMIUM) ? `no browser at ${CHROMIUM}` : false;

const shots = process.env.SYNACK_SHOTS ?? join(dirname(resolve(process.env.SYNACK_JS ?? '.')), 'screenshots');

/* Launch Chromium with a fresh profile; run fn(page, baseUrl); clean up. */
async function withBrowser(fn, synackJs = process.env.SYNACK_JS) {
  const server = await startServer({ synackJs });
  const profile = mkdtempSync(join(tmpdir(), 'synack-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1100, height: 800 },
  });
  const errors = [];
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await fn(page, server.url, errors);
  } finally {
    await ctx.close();
    await server.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

test('Chromium: two stacks over PairLink in a page and in a Web Worker', { skip, timeout: 120_000 }, async () => {
  await withBrowser(async (page, url, errors) => {
    await page.goto(`${url}/index.html`);
    await page.waitForFunction(() => window.__synackResult !== undefined, null, { timeout: 90_000 });
    const r = await page.evaluate(() => window.__synackResult);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'browser-test.png'), fullPage: true });
    assert.equal(r.page.ok, true, r.page.error);
    assert.equal(r.worker.ok, true, r.worker.error);
    assert.ok(r.page.steps.length >= 6);
    console.log(`# page: ${r.page.steps.join('; ')}`);
    console.log(`# worker: ${r.worker.steps.join('; ')}`);
    assert.deepEqual(errors, []);
  });
});

test('Chromium: the demo page runs a standalone session and draws it', { skip, timeout: 120_000 }, async () => {
  await withBrowser(async (page, url, errors) => {
    await page.goto(`${url}/web/index.html?auto=1`);
    await page.waitForFunction(() => window.__demo !== undefined, null, { timeout: 90_000 });
    const r = await page.evaluate(() => window.__demo);
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: join(shots, 'demo-standalone.png'), fullPage: true });
    assert.equal(r.error, undefined, r.error);
    assert.equal(r.received, 65536);
    assert.ok(r.segments >= 10, `${r.segments} segments drawn`);
    assert.equal(r.states.client, 'TIME-WAIT');
    assert.ok(['CLOSED', 'LAST-ACK'].includes(r.states.server), r.states.server);
    const labels = await page.locator('#ladder text').allTextContents();
    assert.ok(labels.some((t) => t.startsWith('S seq=0 ')), 'SYN drawn with relative seq 0');
    assert.ok(labels.some((t) => t.startsWith('SA seq=0 ack=1 ')), 'SYN-ACK drawn');
    assert.ok(labels.some((t) => t.startsWith('FA ')), 'FIN drawn');
    assert.deepEqual(errors, []);
  });
});

/* websockify + synack-bridge --slirp in front of a host HTTP server. */
async function withBridge(fn) {
  const http = createHttpServer((req, res) => res.end(`hello from the host, you asked for ${req.url}\n`));
  await new Promise((r) => http.listen(0, '127.0.0.1', r));
  const httpPort = http.address().port;
  let bridge;
  try {
    bridge = await startBridge([`10.0.2.2:${httpPort}`]);
    await fn({ ws: bridge.ws, target: `10.0.2.2:${httpPort}`, httpPort });
  } finally {
    bridge?.stop();
    http.close();
  }
}

const bridgeSkip = skip || (!findBridge() ? 'synack-bridge is not built'
  : !hasWebsockify() ? 'websockify is not installed' : false);

test('Chromium: the demo page fetches from the host through websockify and synack-bridge',
  { skip: bridgeSkip, timeout: 120_000 }, async () => {
    await withBridge(async ({ ws, target }) => {
      await withBrowser(async (page, url, errors) => {
        const q = new URLSearchParams({ auto: '1', mode: 'bridge', ws, target });
        await page.goto(`${url}/web/index.html?${q}`);
        await page.waitForFunction(() => window.__demo !== undefined, null, { timeout: 90_000 });
        const r = await page.evaluate(() => window.__demo);
        mkdirSync(shots, { recursive: true });
        await page.screenshot({ path: join(shots, 'demo-bridge.png'), fullPage: true });
        assert.equal(r.error, undefined, r.error);
        assert.match(r.address, /^10\.0\.2\.\d+$/, 'address from DHCP');
        assert.match(r.text, /^HTTP\/1\.1 200 OK/);
        assert.match(r.text, /hello from the host, you asked for \//);
        assert.deepEqual(errors, []);
      });
    });
  });

/*
 * The README's browser example (readme-example.html) as it stands, but for
 * its two port numbers: served from a folder holding it next to copies of
 * the built synack.mjs and synack.wasm, through websockify + bridge.
 */
test('Chromium: the README browser example fetches a page through websockify and synack-bridge',
  { skip: bridgeSkip, timeout: 120_000 }, async () => {
    const built = dirname(resolve(process.env.SYNACK_JS));
    const dir = mkdtempSync(join(tmpdir(), 'synack-readme-'));
    try {
      for (const f of ['synack.mjs', 'synack.wasm']) copyFileSync(join(built, f), join(dir, f));
      await withBridge(async ({ ws, httpPort }) => {
        const html = readFileSync(join(here, 'readme-example.html'), 'utf8');
        assert.ok(html.includes("'ws://localhost:8080'") && html.includes('port: 8000'));
        writeFileSync(join(dir, 'example.html'), html.replace("'ws://localhost:8080'", `'${ws}'`)
          .replace('port: 8000', `port: ${httpPort}`));
        await withBrowser(async (page, url, errors) => {
          // the example has no icon; the browser's own request for one is not its error
          await page.route('**/favicon.ico', (r) => r.fulfill({ status: 204 }));
          await page.goto(`${url}/synack/example.html`);
          await page.waitForFunction(() => /you asked for/.test(document.getElementById('out').textContent),
            null, { timeout: 60_000 });
          const text = await page.locator('#out').textContent();
          assert.match(text, /^HTTP\/1\.[01] 200 OK/);
          assert.match(text, /hello from the host, you asked for \//);
          assert.deepEqual(errors, []);
        }, join(dir, 'synack.mjs'));
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

/*
 * TLS in the page: synack-tls.mjs loaded on first use from next to
 * synack.mjs, through websockify and synack-bridge --slirp to an openssl
 * s_server -WWW on this machine with a test CA made now: 10 MB with SHA-256
 * equality, and the wrong name rejected with code 'tls', reason 'name'.
 */
test('Chromium: TLS to openssl s_server through websockify and synack-bridge',
  { skip: bridgeSkip, timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'synack-tls-browser-'));
    let server;
    let bridge;
    try {
      const pki = makeTestPki(dir);
      const body = new Uint8Array(10_000_000).map((_, i) => (i * 2654435761) >>> 24);
      writeFileSync(pki('big.bin'), body);
      const port = await freePort();
      server = await startProcess('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-key', pki('server.key'),
        '-cert', pki('server.pem'), '-WWW', '-alpn', 'http/1.1'], /ACCEPT/, 's_server', { cwd: dir });
      bridge = await startBridge([`10.0.2.2:${port}`]);
      await withBrowser(async (page, url, errors) => {
        await page.route('**/favicon.ico', (r) => r.fulfill({ status: 204 }));
        await page.goto(`${url}/tls.html`);
        await page.waitForFunction(() => window.tlsReady === true, null, { timeout: 30_000 });
        const r = await page.evaluate((p) => window.runTls(p),
          { ws: `${bridge.ws}/`, port, path: '/big.bin', ca: readFileSync(pki('ca.pem'), 'utf8') });
        assert.equal(r.info.protocol, 'TLSv1.2');
        assert.equal(r.info.alpn, 'http/1.1');
        assert.match(r.head, /^HTTP\/1\.0 200/);
        assert.equal(r.bytes, body.length);
        assert.equal(r.sha, createHash('sha256').update(body).digest('hex'));
        assert.equal(r.wrong.code, 'tls', JSON.stringify(r.wrong));
        assert.equal(r.wrong.reason, 'name');
        console.log(`# Chromium: 10 MB over ${r.info.cipher} in ${r.ms.toFixed(0)} ms`);
        assert.deepEqual(errors, []);
      });
    } finally {
      bridge?.stop();
      stopProcess(server);
      rmSync(dir, { recursive: true, force: true });
    }
  });
