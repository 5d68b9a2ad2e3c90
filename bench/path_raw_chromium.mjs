// Diagnostic beside bench/path.sh: how fast a Chromium page can push
// WebSocket messages into synack-bridge --listen-ws with no stack at all
// (pre-built messages of 44 stream frames of 1,514 bytes, like the batched
// link's; the bridge reads and drops them: the source MAC owns no IPv4
// address). Shows whether Chromium's WebSocket or the bridge bind the path.
//   node bench/path_raw_chromium.mjs ws://127.0.0.1:PORT/ [MB]
// Prints {"mbit":R,"secs":S}. Chromium is stopped by its PID.
import { createServer } from 'node:http';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
const wsUrl = process.argv[2];
const MB = Number(process.argv[3] ?? 200);
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
  if (req.method === 'POST') { let b = ''; req.on('data', (d) => b += d); req.on('end', () => { res.end(); done(b); }); return; }
  res.writeHead(200, { 'content-type': 'text/html' }); res.end(page);
});
await new Promise((r) => srv.listen(0, '127.0.0.1', r));
const prof = mkdtempSync(join(tmpdir(), 'synack-raw-chromium-'));
const ch = spawn(process.env.CHROMIUM ?? '/usr/bin/chromium', ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${prof}`, `http://127.0.0.1:${srv.address().port}/`], { stdio: 'ignore' });
const t = setTimeout(() => { ch.kill('SIGKILL'); process.exit(1); }, 60000);
console.log(await got);
clearTimeout(t);
ch.kill('SIGTERM');
await new Promise((r) => { ch.once('exit', r); setTimeout(r, 3000); });
srv.close();
rmSync(prof, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
process.exit(0);
