// The npm package as a user gets it: the tarball (SYNACK_NPM_TGZ) installed
// with npm into a scratch project (offline, from npm's cache that the
// lockfile install filled), then
//   - the package README's Node example and the root README's "Use it from
//     npm" example (pg through websockify and synack-bridge --slirp to a real
//     PostgreSQL), each run exactly as written but for the port numbers;
//   - a page bundled with esbuild from the installed packages (synack,
//     synack/net, pg) that runs a pg query in Chromium through websockify
//     and the bridge and shows the rows.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import pg from 'pg';
import { startBridge } from '../support/procs.mjs';
import { startServer } from '../browser/server.mjs';
import { startPostgres } from './servers.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const tgz = process.env.SYNACK_NPM_TGZ;
if (!tgz) throw new Error('SYNACK_NPM_TGZ must name the packed tarball (tests/net/run.sh sets it)');

/* The first ```js block of `text` after the heading `heading` (or anywhere). */
function jsBlock(text, heading) {
  const from = heading ? text.indexOf(heading) : 0;
  assert.ok(from >= 0, `no heading ${heading}`);
  const m = /```js\n([\s\S]*?)```/.exec(text.slice(from));
  assert.ok(m, 'no js block');
  return m[1];
}

/* Run `node args` in `cwd`; returns stdout (fails the test on a non-zero exit). */
function node(cwd, args) {
  const r = spawnSync(process.execPath, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `node ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

describe('the npm package', { timeout: 180_000 }, () => {
  let dir, postgres, bridge;
  const pgVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'pg', 'package.json'), 'utf8')).version;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'synack-npm-'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
    const args = ['install', '--no-audit', '--no-fund', '--loglevel=error', tgz, `pg@${pgVersion}`];
    try {
      execFileSync('npm', [...args, '--offline'], { cwd: dir, stdio: 'pipe' });
    } catch (e) {
      /* npm's cache lacks something (it was cleaned since `npm ci`): the registry, as npm ci would. */
      console.log(`# npm install --offline failed (${String(e.stderr).split('\n')[0]}); using the registry`);
      execFileSync('npm', [...args, '--prefer-offline'], { cwd: dir, stdio: 'pipe' });
    }
    postgres = await startPostgres();
    bridge = await startBridge([`10.0.2.2:${postgres.port}`]);
  });

  after(async () => {
    bridge?.stop();
    await postgres?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('the tarball holds what package.json says, and installs', () => {
    const pkg = JSON.parse(readFileSync(join(dir, 'node_modules', 'synack', 'package.json'), 'utf8'));
    assert.equal(pkg.name, 'synack');
    assert.deepEqual(Object.keys(pkg.exports),
      ['.', './net', './synack.wasm', './synack-tls.mjs', './synack-tls.wasm', './ca-bundle', './package.json']);
    assert.equal(pkg.sideEffects, false);
    assert.ok(pkg.engines.node);
    for (const f of ['synack.mjs', 'synack.wasm', 'synack.d.ts', 'synack-tls.mjs', 'synack-tls.wasm',
      'synack-ca-bundle.mjs', 'net.mjs', 'net.d.ts', 'README.md']) {
      assert.ok(existsSync(join(dir, 'node_modules', 'synack', f)), f);
    }
    for (const d of ['readable-stream', 'buffer', 'events']) assert.ok(existsSync(join(dir, 'node_modules', d)), d);
  });

  test("the package README's Node example runs from the installed package", () => {
    const readme = readFileSync(join(dir, 'node_modules', 'synack', 'README.md'), 'utf8');
    writeFileSync(join(dir, 'pair.mjs'), jsBlock(readme, '## Two stacks'));
    assert.equal(node(dir, ['pair.mjs']), 'hello over synack\n');
  });

  test('the root README\'s "Use it from npm" example: pg through websockify and the bridge', () => {
    const code = jsBlock(readFileSync(join(root, 'README.md'), 'utf8'), '## Use it from npm')
      .replace('ws://localhost:8080', bridge.ws).replace('port: 5432', `port: ${postgres.port}`);
    assert.ok(code.includes(bridge.ws) && code.includes(`port: ${postgres.port}`), 'both ports replaced');
    writeFileSync(join(dir, 'example.mjs'), code);
    assert.equal(node(dir, ['--experimental-websocket', 'example.mjs']), 'hello over synack\n');
  });

  test('Chromium: a page bundled with esbuild runs a pg query through the bridge and shows the rows', async (t) => {
    let chromium;
    try {
      ({ chromium } = await import(join(root, 'node_modules', 'playwright-core', 'index.mjs')));
    } catch {
      assert.fail('playwright-core is not installed (npm ci)');
    }
    assert.ok(existsSync(CHROMIUM), `no browser at ${CHROMIUM}`);
    /* The rows the page reads, written over plain loopback. */
    const direct = new pg.Client({ host: '127.0.0.1', port: postgres.port, user: 'postgres' });
    await direct.connect();
    await direct.query('create table if not exists fruit (id int primary key, name text)');
    await direct.query("insert into fruit values (1, 'apple'), (2, 'banana'), (3, 'cherry') on conflict do nothing");
    await direct.end();

    const dist = join(dir, 'dist');
    mkdirSync(dist, { recursive: true });
    copyFileSync(join(here, 'page', 'page.mjs'), join(dir, 'page.mjs'));
    copyFileSync(join(here, 'page', 'globals.mjs'), join(dir, 'globals.mjs'));
    copyFileSync(join(here, 'page', 'index.html'), join(dist, 'index.html'));
    const built = await esbuild.build({
      absWorkingDir: dir, entryPoints: ['page.mjs'], bundle: true, format: 'esm', platform: 'browser',
      outfile: join(dist, 'page.js'), logLevel: 'error', metafile: true, inject: ['globals.mjs'], define: { global: 'globalThis' },
      alias: { net: 'synack/net', stream: 'readable-stream' },
      plugins: [{
        /* pg's Node-only corners that a browser build replaces (see docs/net.md). */
        name: 'pg-browser-stubs',
        setup(b) {
          b.onResolve({ filter: /^(util|util\/types|tls|dns|fs|path|crypto|pgpass)$/ }, (a) => ({ path: a.path, namespace: 'stub' }));
          b.onLoad({ filter: /.*/, namespace: 'stub' }, (a) => ({
            contents: a.path === 'util' ? 'export const deprecate = (fn) => fn; export default { deprecate };'
              : a.path === 'util/types' ? 'export const isDate = (v) => v instanceof Date;'
                : 'export default {};',
          }));
        },
      }],
    });
    /* synack/net took the npm packages of browser bundles, not Node's modules. */
    const inputs = Object.keys(built.metafile.inputs);
    for (const p of ['node_modules/synack/net.mjs', 'node_modules/readable-stream/', 'node_modules/events/', 'node_modules/buffer/']) {
      assert.ok(inputs.some((i) => i.startsWith(p)), `${p} is in the bundle`);
    }
    copyFileSync(join(dir, 'node_modules', 'synack', 'synack.wasm'), join(dist, 'synack.wasm'));

    const server = await startServer({ synackJs: join(dist, 'synack.wasm') });
    const profile = mkdtempSync(join(tmpdir(), 'synack-chromium-'));
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    const errors = [];
    try {
      const page = ctx.pages()[0] ?? await ctx.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`${server.url}/synack/index.html?ws=${encodeURIComponent(bridge.ws)}&pg=${postgres.port}`);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 30_000 }).catch(async (e) => {
        const status = await page.locator('#status').innerText().catch(() => '?');
        throw new Error(`${e.message}\npage status: ${status}\npage errors: ${errors.join('\n')}`);
      });
      const r = await page.evaluate(() => window.__result);
      assert.equal(r.error, undefined, r.error);
      assert.deepEqual(r.rows, [{ id: 1, name: 'apple' }, { id: 2, name: 'banana' }, { id: 3, name: 'cherry' }]);
      const shown = await page.locator('#rows tr').allInnerTexts();
      assert.deepEqual(shown.map((s) => s.replace(/\s+/g, ' ').trim()), ['1 apple', '2 banana', '3 cherry']);
      assert.deepEqual(errors, []);
      t.diagnostic(`page: ${r.stack}`);
    } finally {
      await ctx.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
  test('Chromium: synack/net bundled with no shims behaves as in Node (events, refused, half-close, backpressure)', async () => {
    const { chromium } = await import(join(root, 'node_modules', 'playwright-core', 'index.mjs'));
    const dist = join(dir, 'dist-net');
    mkdirSync(dist, { recursive: true });
    copyFileSync(join(here, 'page', 'net-page.mjs'), join(dir, 'net-page.mjs'));
    copyFileSync(join(here, 'page', 'index.html'), join(dist, 'index.html'));
    const built = await esbuild.build({
      absWorkingDir: dir, entryPoints: ['net-page.mjs'], bundle: true, format: 'esm', platform: 'browser',
      outfile: join(dist, 'page.js'), logLevel: 'error', metafile: true,
    });
    assert.ok(Object.keys(built.metafile.inputs).some((i) => i.startsWith('node_modules/readable-stream/')));
    copyFileSync(join(dir, 'node_modules', 'synack', 'synack.wasm'), join(dist, 'synack.wasm'));
    const server = await startServer({ synackJs: join(dist, 'synack.wasm') });
    const profile = mkdtempSync(join(tmpdir(), 'synack-chromium-'));
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS });
    const errors = [];
    try {
      const page = ctx.pages()[0] ?? await ctx.newPage();
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.goto(`${server.url}/synack/index.html`);
      await page.waitForFunction(() => window.__result !== undefined, null, { timeout: 60_000 });
      const r = await page.evaluate(() => window.__result);
      assert.equal(r.error, undefined, r.error);
      assert.deepEqual(r.echo, { hadError: false, got: 'hello', seen: ['connect', 'ready', 'finish', 'end', 'close'], bytesRead: 5, bytesWritten: 5 });
      assert.deepEqual(r.refused, { code: 'ECONNREFUSED', errno: -111, message: 'connect ECONNREFUSED 10.9.0.2:1', seen: ['error', 'close'] });
      assert.equal(r.halfClose, 'pong after your FIN (writeOnly)');
      assert.equal(r.backpressure.sawFalse, true);
      assert.equal(r.backpressure.stalled, true);
      assert.equal(r.backpressure.zeroWindow, true);
      assert.equal(r.backpressure.received, r.backpressure.written);
      assert.deepEqual(errors, []);
    } finally {
      await ctx.close();
      await server.close();
      rmSync(profile, { recursive: true, force: true });
    }
  });
});
