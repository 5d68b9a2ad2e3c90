// The Chromium variant of bench/path.mjs: the same transfer from a page
// (headless /usr/bin/chromium driven by playwright-core, fresh profile)
// that imports synack.mjs from a local static server. Same arguments and
// the same JSON line; cpu_s.chromium is the CPU time of every process the
// browser runs (browser, renderer, GPU, network service).
//   node bench/path_chromium.mjs --module M.mjs --url ws://H:P/ --ip ... --host H
//     --port P --dir send|recv --bytes N [--pid name=PID ...] [--label TEXT]
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const pids = [];
args.forEach((a, i) => {
  if (a === '--pid') {
    const [name, pid] = args[i + 1].split('=');
    pids.push({ name, pid: Number(pid) });
  }
});
const CLK = 100;
function treeCpu(pid, self = true) {
  let t = 0;
  try {
    if (self) {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      t += (Number(f[11]) + Number(f[12])) / CLK;
    }
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const k of kids ? kids.split(' ') : []) t += treeCpu(Number(k));
    }
  } catch {
    /* gone */
  }
  return t;
}

const mod = resolve(opt('module'));
const files = {
  '/synack.mjs': [mod, 'text/javascript'],
  '/synack.wasm': [join(dirname(mod), 'synack.wasm'), 'application/wasm'],
  '/synack_glue.wasm': [join(dirname(mod), 'synack_glue.wasm'), 'application/wasm'],
};
const page = `<!doctype html><meta charset="utf-8"><title>path</title><script type="module">
import * as synack from '/synack.mjs';
const p = ${JSON.stringify({ url: opt('url'), ip: opt('ip', 'dhcp'), host: opt('host'), port: Number(opt('port')), dir: opt('dir', 'send'), bytes: Number(opt('bytes', 100e6)) })};
let msgOut = 0, msgIn = 0;
class CountingWS extends WebSocket {
  constructor(...a) { super(...a); this.addEventListener('message', () => { msgIn++; }); }
  send(d) { msgOut++; super.send(d); }
}
try {
  const link = new synack.WebSocketLink(p.url, { WebSocket: CountingWS });
  await link.ready;
  const stack = await synack.createStack({ link, ip: p.ip, dhcpTimeout: 15000 });
  const sock = stack.connect({ hostname: p.host, port: p.port });
  await sock.opened;
  window.__start = { out: link.framesOut, in: link.framesIn, mout: msgOut, min: msgIn };
  await new Promise((r) => { window.__go = r; });
  const t0 = performance.now();
  let moved = 0;
  if (p.dir === 'send') {
    const chunk = new Uint8Array(65536).fill(0x5a);
    const w = sock.writable.getWriter();
    const reading = (async () => { for await (const _ of sock.readable); })();
    while (moved < p.bytes) {
      const n = Math.min(chunk.length, p.bytes - moved);
      await w.write(n === chunk.length ? chunk : chunk.subarray(0, n));
      moved += n;
    }
    await w.close();
    await reading;
  } else {
    for await (const c of sock.readable) moved += c.length;
  }
  const secs = (performance.now() - t0) / 1000;
  window.__path = { moved, secs, out: link.framesOut, in: link.framesIn, mout: msgOut, min: msgIn };
  await new Promise((r) => { window.__done = r; }); // the driver reads the CPU times first
  stack.close();
  link.close();
} catch (e) {
  window.__path = { error: String(e && e.stack || e) };
}
</script>`;
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(page);
    return;
  }
  const f = files[path];
  if (!f) {
    res.writeHead(404);
    res.end();
    return;
  }
  res.writeHead(200, { 'content-type': f[1] });
  res.end(readFileSync(f[0]));
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));

const { chromium } = await import(join(root, 'node_modules', 'playwright-core', 'index.mjs'));
const profile = mkdtempSync(join(tmpdir(), 'synack-path-chromium-'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
let status = 1;
try {
  const pg = ctx.pages()[0] ?? await ctx.newPage();
  await pg.goto(`http://127.0.0.1:${server.address().port}/`);
  await pg.waitForFunction(() => window.__start !== undefined || window.__path !== undefined, null, { timeout: 30_000 });
  const early = await pg.evaluate(() => window.__path);
  if (early?.error) throw new Error(early.error);
  const c0 = treeCpu(process.pid, false);
  const p0 = pids.map((p) => treeCpu(p.pid));
  const s0 = await pg.evaluate(() => { window.__go(); return window.__start; });
  await pg.waitForFunction(() => window.__path !== undefined, null, { timeout: 110_000, polling: 200 });
  const r = await pg.evaluate(() => window.__path);
  const c1 = treeCpu(process.pid, false);
  const p1 = pids.map((p) => treeCpu(p.pid));
  if (r.error) throw new Error(r.error);
  await pg.evaluate(() => window.__done());
  const mb = r.moved / 1e6;
  const out = {
    bench: 'path',
    label: opt('label', ''),
    client: 'chromium',
    dir: opt('dir', 'send'),
    bytes: r.moved,
    seconds: +r.secs.toFixed(3),
    mbit_per_s: +((r.moved * 8) / r.secs / 1e6).toFixed(1),
    frames_out_per_mb: +((r.out - s0.out) / mb).toFixed(1),
    frames_in_per_mb: +((r.in - s0.in) / mb).toFixed(1),
    ws_msgs_out_per_mb: +((r.mout - s0.mout) / mb).toFixed(1),
    ws_msgs_in_per_mb: +((r.min - s0.min) / mb).toFixed(1),
    cpu_s: { chromium: +(c1 - c0).toFixed(2) },
  };
  pids.forEach((p, i) => { out.cpu_s[p.name] = +(p1[i] - p0[i]).toFixed(2); });
  console.log(JSON.stringify(out));
  status = r.moved === Number(opt('bytes', 100e6)) ? 0 : 1;
} finally {
  await ctx.close();
  server.close();
  rmSync(profile, { recursive: true, force: true });
}
process.exit(status);
