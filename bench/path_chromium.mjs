// The Chromium variant of bench/path.mjs: the same transfer from a page
// (headless /usr/bin/chromium, fresh profile; started plainly or driven by
// playwright-core, see PATH_CHROMIUM_DRIVER) that imports synack.mjs from
// a local static server. Same arguments and
// the same JSON line; cpu_s.chromium is the CPU time of every process the
// browser runs (browser, renderer, GPU, network service).
//   node bench/path_chromium.mjs --module M.mjs --url ws://H:P/ --ip ... --host H
//     --port P --dir send|recv --bytes N [--pid name=PID ...] [--label TEXT]
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
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

/* CPU seconds of each descendant of pid, keyed by Chromium's --type= (or the program name). */
function byType(pid, acc = {}) {
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const k of kids ? kids.split(' ') : []) {
        const cmd = readFileSync(`/proc/${k}/cmdline`, 'utf8').replace(/\0/g, ' ');
        const ty = /--type=(\S+)/.exec(cmd)?.[1];
        const sub = /--utility-sub-type=(\S+)/.exec(cmd)?.[1]?.split('.').pop();
        const id = /--renderer-client-id=(\d+)/.exec(cmd)?.[1];
        const key = ty ? `${sub || ty}${id ? `#${id}` : ''}` : 'browser';
        const stat = readFileSync(`/proc/${k}/stat`, 'utf8');
        const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        acc[key] = (acc[key] ?? 0) + (Number(f[11]) + Number(f[12])) / CLK;
        byType(Number(k), acc);
      }
    }
  } catch {
    /* gone */
  }
  return acc;
}

// PATH_TCP_BUFFER=N: the page's stack gets N-byte TCP send/receive
// buffers (default: the stack's, 256 KiB). PATH_TCP_INFO=1: the medians of
// the connection's flight, cwnd, srtt (ms), sndbuf and rcv_wnd, sampled
// every 100 ms, go into the JSON (tcp_median).
// PATH_CHROMIUM_DRIVER=plain (default): Chromium started with the page's
// URL and nothing attached; =playwright: launched and driven by
// playwright-core, which attaches the DevTools protocol and is sent every
// WebSocket message (base64) - that costs the browser process about 5x its
// CPU and halves the rate, so it is not the default. PATH_PROFILE needs it.
const PLAIN = (process.env.PATH_CHROMIUM_DRIVER ?? 'plain') === 'plain' && !process.env.PATH_PROFILE;
const mod = resolve(opt('module'));
const files = {
  '/synack.mjs': [mod, 'text/javascript'],
  '/synack.wasm': [join(dirname(mod), 'synack.wasm'), 'application/wasm'],
  '/synack_glue.wasm': [join(dirname(mod), 'synack_glue.wasm'), 'application/wasm'],
};
const page = `<!doctype html><meta charset="utf-8"><title>path</title><script type="module">
import * as synack from '/synack.mjs';
const p = ${JSON.stringify({ info: !!process.env.PATH_TCP_INFO, plain: PLAIN, buf: Number(process.env.PATH_TCP_BUFFER ?? 0), url: opt('url'), ip: opt('ip', 'dhcp'), host: opt('host'), port: Number(opt('port')), dir: opt('dir', 'send'), bytes: Number(opt('bytes', 100e6)), offload: opt('offload') === '1' })};
let msgOut = 0, msgIn = 0;
class CountingWS extends WebSocket {
  constructor(...a) { super(...a); this.addEventListener('message', () => { msgIn++; }); }
  send(d) { msgOut++; super.send(d); }
}
try {
  const link = new synack.WebSocketLink(p.url, { WebSocket: CountingWS, offload: p.offload });
  await link.ready;
  const tcp = p.buf ? { sendBuffer: p.buf, receiveBuffer: p.buf } : undefined;
  const stack = await synack.createStack({ link, ip: p.ip, dhcpTimeout: 15000, tcp });
  const sock = stack.connect({ hostname: p.host, port: p.port });
  await sock.opened;
  window.__start = { out: link.framesOut, in: link.framesIn, mout: msgOut, min: msgIn };
  if (p.plain) await fetch('/start', { method: 'POST' }); else await new Promise((r) => { window.__go = r; });
  const t0 = performance.now();
  let moved = 0;
  const samples = [];
  const iv = p.info ? setInterval(() => {
    const i = sock.info();
    if (i) samples.push({ flight: i.snd_nxt - i.snd_una, cwnd: i.cwnd, srtt: i.srtt, sndbuf: i.sndbuf, rcv_wnd: i.rcv_wnd });
  }, 100) : null;
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
  clearInterval(iv);
  window.__path = { moved, secs, out: link.framesOut, in: link.framesIn, mout: msgOut, min: msgIn, samples, offload: stack.offloadActive === true };
  if (p.plain) await fetch('/result', { method: 'POST', body: JSON.stringify({ ...window.__path, start: window.__start }) });
  else await new Promise((r) => { window.__done = r; }); // the driver reads the CPU times first
  stack.close();
  link.close();
} catch (e) {
  window.__path = { error: String(e && e.stack || e) };
  if (p.plain) await fetch('/result', { method: 'POST', body: JSON.stringify(window.__path) });
}
</script>`;
// Plain mode: the page reports through POSTs.
let onStart = null;
let onResult = null;
const server = createServer((req, res) => {
  const path = new URL(req.url, 'http://x').pathname;
  if (req.method === 'POST') {
    let body = '';
    req.on('data', (d) => { body += d; });
    req.on('end', async () => {
      if (path === '/start') {
        await browserIdle();
        onStart?.();
      }
      if (path === '/result') onResult?.(JSON.parse(body));
      res.writeHead(204);
      res.end();
    });
    return;
  }
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
const pageUrl = `http://127.0.0.1:${server.address().port}/`;
const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';
const FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const profile = mkdtempSync(join(tmpdir(), 'synack-path-chromium-'));
/* Chromium's helpers may still be writing the profile for a moment after it exits. */
const rmProfile = () => {
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (e) {
    console.error(`path_chromium: ${profile} left behind: ${e.message}`);
  }
};

/* Per field, the median of the page's TCP samples (PATH_TCP_INFO). */
function median(samples) {
  const out = {};
  for (const k of Object.keys(samples[0])) {
    const v = samples.map((x) => x[k]).sort((a, b) => a - b);
    out[k] = v[v.length >> 1];
  }
  return out;
}

/*
 * Wait (up to 15 s) until the browser's processes together use under 12 %
 * of a core over 250 ms. Right after launch Chromium is still starting its
 * own UI (the top-chrome WebUI renderer spent ~0.5 s of CPU then), which
 * a transfer started at once shares two cores with, and is billed for.
 */
async function browserIdle() {
  const until = Date.now() + 15_000;
  let c0 = treeCpu(process.pid, false);
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    const c1 = treeCpu(process.pid, false);
    if (c1 - c0 < 0.03) return;
    c0 = c1;
  }
}

/* CPU of the browser's processes, the named ones, and per process kind. */
const snap = () => ({ c: treeCpu(process.pid, false), t: byType(process.pid), p: pids.map((x) => treeCpu(x.pid)) });

function report(r, s0, m0, m1) {
  const mb = r.moved / 1e6;
  const out = {
    bench: 'path',
    label: opt('label', ''),
    client: 'chromium',
    driver: PLAIN ? 'plain' : 'playwright',
    dir: opt('dir', 'send'),
    bytes: r.moved,
    seconds: +r.secs.toFixed(3),
    mbit_per_s: +((r.moved * 8) / r.secs / 1e6).toFixed(1),
    frames_out_per_mb: +((r.out - s0.out) / mb).toFixed(1),
    frames_in_per_mb: +((r.in - s0.in) / mb).toFixed(1),
    ws_msgs_out_per_mb: +((r.mout - s0.mout) / mb).toFixed(1),
    ws_msgs_in_per_mb: +((r.min - s0.min) / mb).toFixed(1),
    cpu_s: { chromium: +(m1.c - m0.c).toFixed(2) },
    offload: r.offload === true,
    ...(r.samples?.length ? { tcp_median: median(r.samples) } : {}),
    chromium_cpu_s_by_process: Object.fromEntries(Object.keys(m1.t)
      .map((k) => [k, +(m1.t[k] - (m0.t[k] ?? 0)).toFixed(2)]).filter(([, v]) => v > 0)),
  };
  pids.forEach((x, i) => { out.cpu_s[x.name] = +(m1.p[i] - m0.p[i]).toFixed(2); });
  console.log(JSON.stringify(out));
  return r.moved === Number(opt('bytes', 100e6)) ? 0 : 1;
}

let status = 1;
if (PLAIN) {
  // Chromium alone, no DevTools protocol attached (playwright subscribes
  // to every WebSocket frame, which costs the browser CPU per message).
  const { spawn } = await import('node:child_process');
  // Both snapshots are taken before the page gets its answer: once the
  // page has its answer to /result it closes the WebSocket, and
  // websockify's per-connection child (and its CPU time) is gone.
  let m0 = null;
  let m1 = null;
  const started = new Promise((res) => { onStart = () => { m0 = snap(); res(); }; });
  const result = new Promise((res) => { onResult = (r) => { m1 = snap(); res(r); }; });
  const ch = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, pageUrl], { stdio: 'ignore' });
  const timer = setTimeout(() => { console.error('path_chromium: timed out'); ch.kill('SIGKILL'); process.exit(1); }, 140_000);
  try {
    const r = await result;
    if (r.error) throw new Error(r.error);
    await started;
    status = report(r, r.start, m0, m1);
  } finally {
    clearTimeout(timer);
    ch.kill('SIGTERM');
    await new Promise((res) => { ch.once('exit', res); setTimeout(res, 5000); });
    server.close();
    rmProfile();
  }
  process.exit(status);
}

const { chromium } = await import(join(root, 'node_modules', 'playwright-core', 'index.mjs'));
const ctx = await chromium.launchPersistentContext(profile, {
  executablePath: CHROMIUM, headless: true, args: FLAGS,
});
try {
  const pg = ctx.pages()[0] ?? await ctx.newPage();
  await pg.goto(pageUrl);
  await pg.waitForFunction(() => window.__start !== undefined || window.__path !== undefined, null, { timeout: 30_000 });
  const early = await pg.evaluate(() => window.__path);
  if (early?.error) throw new Error(early.error);
  // PATH_PROFILE=FILE: the page's JavaScript CPU profile of the transfer
  // (Chrome DevTools protocol), its top functions by self time into FILE
  const cdp = process.env.PATH_PROFILE ? await ctx.newCDPSession(pg) : null;
  if (cdp) {
    await cdp.send('Profiler.enable');
    await cdp.send('Profiler.start');
  }
  const m0 = snap();
  const s0 = await pg.evaluate(() => { window.__go(); return window.__start; });
  await pg.waitForFunction(() => window.__path !== undefined, null, { timeout: 110_000, polling: 200 });
  if (cdp) {
    const { profile: prof } = await cdp.send('Profiler.stop');
    const self = new Map();
    const dt = prof.timeDeltas;
    prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (dt[i] ?? 0)));
    const byName = new Map();
    let total = 0;
    for (const n of prof.nodes) {
      const t = self.get(n.id) ?? 0;
      total += t;
      const cf = n.callFrame;
      const key = `${cf.functionName || '(anonymous)'} ${cf.url.split('/').pop()}:${cf.lineNumber}`;
      byName.set(key, (byName.get(key) ?? 0) + t);
    }
    const top = [...byName].sort((a, b) => b[1] - a[1]).slice(0, 25)
      .map(([k, t]) => `${(100 * t / total).toFixed(1).padStart(5)} %  ${k}`);
    writeFileSync(process.env.PATH_PROFILE, top.join('\n') + '\n');
  }
  const r = await pg.evaluate(() => window.__path);
  const m1 = snap();
  if (r.error) throw new Error(r.error);
  await pg.evaluate(() => window.__done());
  status = report(r, s0, m0, m1);
} finally {
  await ctx.close();
  server.close();
  rmProfile();
}
process.exit(status);
