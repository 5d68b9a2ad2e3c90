// Diagnostic beside bench/path.sh: how fast a Chromium page can push
// WebSocket messages into synack-bridge --listen-ws with no stack at all
// (pre-built messages of 44 stream frames of 1,514 bytes, like the batched
// link's; the bridge reads and drops them: the source MAC owns no IPv4
// address). Shows whether Chromium's WebSocket or the bridge bind the path.
//   node bench/path_raw_chromium.mjs ws://127.0.0.1:PORT/ [MB]
// With `recv TCPPORT` after MB, the other way: a stream client of this
// process on the bridge's --listen TCPPORT floods the page with IPv4/UDP
// frames (1,514 bytes), the page counts what arrives; the bridge drops
// what the page cannot take (drop_queue).
// Prints {"mbit":R,"secs":S}. Chromium is stopped by its PID.
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const wsUrl = process.argv[2];
const MB = Number(process.argv[3] ?? 200);
const RECV = process.argv[4] === 'recv';
const TCPPORT = Number(process.argv[5] ?? 0);
const page = `<!doctype html><script type="module">
const ws = new WebSocket(${JSON.stringify(wsUrl)}, ['binary']);
ws.binaryType = 'arraybuffer';
await new Promise((r) => { ws.onopen = r; });
// 44 frames of 1514 bytes per message, like the batched link
const n = 44, fl = 1514;
const msg = new Uint8Array(n * (fl + 4));
for (let i = 0; i < n; i++) {
  const o = i * (fl + 4);
  new DataView(msg.buffer).setUint32(o, fl);
  msg.set([2,0,0,0,0,9, 2,0,0,0,0,1, 0x08, 0x00], o + 4);
}
const total = ${MB} * 1e6;
if (${RECV}) {
  // claim MAC ...:09 and 10.9.9.9 with an ARP request, then count
  const arp = new Uint8Array(4 + 42);
  new DataView(arp.buffer).setUint32(0, 42);
  arp.set([255,255,255,255,255,255, 2,0,0,0,0,9, 0x08,0x06, 0,1, 8,0, 6,4, 0,1, 2,0,0,0,0,9, 10,9,9,9,
           0,0,0,0,0,0, 10,9,9,1], 4);
  ws.send(arp);
  let got = 0, t0 = 0;
  await new Promise((res) => {
    ws.onmessage = (ev) => {
      if (!t0) t0 = performance.now();
      got += ev.data.byteLength;
      if (got >= total) res();
    };
    fetch('/ready', { method: 'POST' });
  });
  const secs = (performance.now() - t0) / 1000;
  await fetch('/r', { method: 'POST', body: JSON.stringify({ mbit: got * 8 / secs / 1e6, secs }) });
  throw new Error('done');
}
const t0 = performance.now();
let sent = 0;
while (sent < total) {
  while (ws.bufferedAmount > 4e6) await new Promise((r) => setTimeout(r, 0));
  ws.send(msg); sent += msg.length;
}
while (ws.bufferedAmount > 0) await new Promise((r) => setTimeout(r, 1));
const secs = (performance.now() - t0) / 1000;
await fetch('/r', { method: 'POST', body: JSON.stringify({ mbit: sent * 8 / secs / 1e6, secs }) });
</script>`;
let done;
const got = new Promise((r) => { done = r; });
const srv = createServer((req, res) => {
  if (req.method === 'POST' && req.url === '/ready') { res.end(); flood(); return; }
  if (req.method === 'POST') { let b = ''; req.on('data', (d) => b += d); req.on('end', () => { res.end(); done(b); }); return; }
  res.writeHead(200, { 'content-type': 'text/html' }); res.end(page);
});
/* The flooder: a stream client claiming ...:01 / 10.9.9.1, then UDP frames to the page. */
let sock = null;
function flood() {
  const frame = Buffer.alloc(1514);
  Buffer.from([2,0,0,0,0,9, 2,0,0,0,0,1, 8,0]).copy(frame, 0);
  const ip = Buffer.from([0x45,0, 1500 >> 8, 1500 & 255, 0,0, 0x40,0, 64,17, 0,0, 10,9,9,1, 10,9,9,9]);
  let sum = 0;
  for (let i = 0; i < 20; i += 2) sum += (ip[i] << 8) | ip[i + 1];
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  ip.writeUInt16BE(~sum & 0xffff, 10);
  ip.copy(frame, 14);
  Buffer.from([0,9, 0,9, (1480 >> 8), 1480 & 255, 0,0]).copy(frame, 34);
  const one = Buffer.concat([Buffer.from([0, 0, 5, 234]), frame]);
  const chunk = Buffer.concat(Array(700).fill(one));
  const arp = Buffer.from([0,0,0,42, 255,255,255,255,255,255, 2,0,0,0,0,1, 8,6, 0,1, 8,0, 6,4, 0,1,
    2,0,0,0,0,1, 10,9,9,1, 0,0,0,0,0,0, 10,9,9,9]);
  sock = connect(TCPPORT, '127.0.0.1', () => {
    sock.write(arp);
    const pump = () => { while (sock && !sock.destroyed && sock.write(chunk)); };
    sock.on('drain', pump);
    setTimeout(pump, 50);
  });
  sock.on('error', () => {});
}
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const prof = mkdtempSync(join(tmpdir(), 'synack-raw-chromium-'));
const ch = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${prof}`, `http://127.0.0.1:${srv.address().port}/`], { stdio: 'ignore' });
const t = setTimeout(() => { ch.kill('SIGKILL'); process.exit(1); }, 60000);
console.log(await got);
sock?.destroy();
sock = null;
clearTimeout(t);
ch.kill('SIGTERM');
await new Promise((r) => { ch.once('exit', r); setTimeout(r, 3000); });
srv.close();
rmSync(prof, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
process.exit(0);
