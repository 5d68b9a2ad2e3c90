// Debian's curl 7.88, unmodified, built with synack-emcc
// (scripts/build-em-ports.sh), fetches 10 MB from a Node HTTP server on
// this machine through real websockify and synack-bridge --slirp
// (10.0.2.2 is the host), in Node (blocking by Asyncify, and in a worker
// thread) and in a Chromium page (Asyncify), SHA-256 equal;
// a closed port is curl's exit 7 ("couldn't connect"). The page runs it
// twice: handed a URL (Module.synackLink = 'ws://...') and handed a
// WebSocketLink from synack.mjs.
//   CURL_EM (the out/ folder of build-em-ports.sh), SYNACK_JS, SYNACK_BRIDGE,
//   SYNACK_EM_JS (build/js-em/posix/em)
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { closedPort, startBridge } from '../../support/procs.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..', '..');
const CURL = process.env.CURL_EM;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const SIZE = 10 * 1024 * 1024;
// The scripts a page loads to host a Worker program (the Emscripten build's
// posix/em: ws_link.js is generated there).
const EM_JS = process.env.SYNACK_EM_JS ?? join(root, 'build', 'js-em', 'posix', 'em');
if (!CURL || !existsSync(join(CURL, 'node', 'curl.js'))) {
  throw new Error('CURL_EM must name the out/ folder of scripts/build-em-ports.sh');
}

const body = randomBytes(SIZE);
const want = createHash('sha256').update(body).digest('hex');
let http, httpPort, closed, bridge, work;

before(async () => {
  work = mkdtempSync(join(tmpdir(), 'synack-curl-em-'));
  http = createServer((req, res) => {
    if (req.url !== '/f') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-length': SIZE, 'content-type': 'application/octet-stream' });
    res.end(body);
  });
  await new Promise((ok) => http.listen(0, '127.0.0.1', ok));
  httpPort = http.address().port;
  closed = await closedPort();
  bridge = await startBridge([`10.0.2.2:${httpPort}`, `10.0.2.2:${closed}`]);
});

after(async () => {
  bridge?.stop();
  await new Promise((ok) => (http ? http.close(ok) : ok()));
  if (work) rmSync(work, { recursive: true, force: true });
});

/* Run curl.js in Node (model: 'node' blocks by Asyncify, 'node-worker'
 * in a worker thread); resolves with { code, stdout, stderr, ms }. */
function runCurl(args, model = 'node', limitMs = 90_000) {
  const env = { ...process.env, SYNACK_LINK: bridge.ws };
  for (const k of ['http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY']) delete env[k];
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--experimental-websocket', join(CURL, model, 'curl.js'), ...args],
    { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); fail(new Error(`curl.js did not end:\n${stderr}`)); }, limitMs);
    child.on('exit', (code) => { clearTimeout(timer); ok({ code, stdout, stderr, ms: performance.now() - t0 }); });
  });
}

for (const model of ['node', 'node-worker']) {
  test(`Node (${model}): curl.js fetches 10 MB through websockify and the bridge, SHA-256 equal`, { timeout: 120_000 }, async () => {
    const out = join(work, `${model}.bin`);
    const r = await runCurl(['-sS', '-o', out, '-w', '%{time_total} %{speed_download}', `http://10.0.2.2:${httpPort}/f`], model);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(statSync(out).size, SIZE);
    assert.equal(createHash('sha256').update(readFileSync(out)).digest('hex'), want);
    const [secs, speed] = r.stdout.trim().split(' ').map(Number);
    console.log(`# ${model}: 10 MB in ${(secs * 1000).toFixed(0)} ms (${(speed * 8 / 1e6).toFixed(0)} Mbit/s; ` +
      `the process with DHCP: ${r.ms.toFixed(0)} ms)`);
  });
}

test('Node: a closed port is curl exit 7', { timeout: 60_000 }, async () => {
  const r = await runCurl(['-sS', '-o', join(work, 'none'), `http://10.0.2.2:${closed}/f`]);
  assert.equal(r.code, 7, r.stderr);
  assert.match(r.stderr, /Failed to connect|Couldn't connect/i);
});

/* A static server: /curl/ and /curl-worker/ -> the page builds of curl,
 * /em/ -> build/js-em/posix/em (ring.js, and ws_link.js bundled from
 * WebSocketLink), /synack/ -> the folder of
 * synack.mjs, / -> this folder. Cross-origin isolated (COOP/COEP), as
 * the Worker model needs for SharedArrayBuffer. */
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm' };
function startStatic() {
  const table = [['/curl/', join(CURL, 'web')], ['/curl-worker/', join(CURL, 'web-worker')],
    ['/em/', EM_JS], ['/synack/', dirname(resolve(process.env.SYNACK_JS ?? '.'))], ['/', here]];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    for (const [prefix, dir] of table) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, path.slice(prefix.length)));
      if (!file.startsWith(dir + sep) || !existsSync(file) || statSync(file).isDirectory()) break;
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      });
      createReadStream(file).pipe(res);
      return;
    }
    res.writeHead(404).end();
  });
  return new Promise((ok) => server.listen(0, '127.0.0.1', () => ok(server)));
}

let chromium = null;
try {
  ({ chromium } = await import(join(root, 'node_modules', 'playwright-core', 'index.mjs')));
} catch {
  chromium = null;
}
const skip = !chromium ? 'playwright-core is not installed (npm ci)'
  : !existsSync(CHROMIUM) ? `no browser at ${CHROMIUM}` : false;

test('Chromium: curl.js fetches 10 MB in a page (Asyncify, and in a Web Worker), handed a URL and a WebSocketLink', { skip, timeout: 180_000 }, async () => {
  const server = await startStatic();
  const profile = mkdtempSync(join(tmpdir(), 'synack-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const page = ctx.pages()[0] ?? await ctx.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    for (const [html, mode] of [['curl', 'url'], ['curl', 'object'], ['curl-worker', 'url'], ['curl-worker', 'object']]) {
      const q = new URLSearchParams({ ws: bridge.ws, url: `http://10.0.2.2:${httpPort}/f`, link: mode });
      await page.goto(`http://127.0.0.1:${server.address().port}/${html}.html?${q}`);
      await page.waitForFunction(() => window.__curl !== undefined, null, { timeout: 90_000 });
      const r = await page.evaluate(() => window.__curl);
      assert.equal(r.code, 0, r.stderr.join('\n'));
      assert.equal(r.size, SIZE);
      assert.equal(r.sha, want);
      console.log(`# chromium, ${html === 'curl' ? 'Asyncify' : 'Worker'} (${mode}): 10 MB in ${r.ms.toFixed(0)} ms (DHCP included)`);
    }
    assert.deepEqual(errors, []);
  } finally {
    await ctx.close();
    await new Promise((ok) => server.close(ok));
    rmSync(profile, { recursive: true, force: true });
  }
});
