// One transfer on the browser's real path, from Node with the same
// synack.mjs a page loads: a stack on a WebSocketLink (to websockify or to
// synack-bridge --listen-ws) connects to a TCP server behind the bridge and
// either sends BYTES (the server discards them; done when it closes) or
// receives BYTES (the server sends them and closes). Prints one JSON line:
// Mbit/s, frames and WebSocket messages per MB each way, and the CPU
// seconds of this process and of each process named with --pid (and its
// children, e.g. websockify's per-connection fork) during the transfer.
//   node --experimental-websocket bench/path.mjs --module M.mjs --url ws://H:P/
//     --ip A.B.C.D/N|dhcp --host H --port P --dir send|recv --bytes N
//     [--pid name=PID ...] [--label TEXT] [--offload 1] [--ws builtin|ws]
import { readFileSync, readdirSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

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
const synack = await import(pathToFileURL(opt('module')).href);
const bytes = Number(opt('bytes', 100e6));
const dir = opt('dir', 'send');
const CLK = 100; // USER_HZ on Linux

/** utime+stime (s) of pid and of every descendant still alive. */
function treeCpu(pid) {
  let t = 0;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    t += (Number(f[11]) + Number(f[12])) / CLK; // utime, stime
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      const kids = readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim();
      for (const k of kids ? kids.split(' ') : []) t += treeCpu(Number(k));
    }
  } catch {
    /* gone */
  }
  return t;
}

// Count WebSocket messages each way with a thin subclass of the runtime's
// WebSocket, so that any WebSocketLink (old or new) is measured the same.
let msgOut = 0;
let msgIn = 0;
// --ws ws: the npm package ws (its masking in C through bufferutil) instead
// of Node's built-in WebSocket (undici, which masks every byte in JavaScript).
const BaseWS = opt('ws', 'builtin') === 'ws' ? (await import('ws')).WebSocket : globalThis.WebSocket;
class CountingWS extends BaseWS {
  constructor(...a) {
    super(...a);
    this.addEventListener('message', () => { msgIn++; });
  }
  send(d) {
    msgOut++;
    super.send(d);
  }
}
// --offload 1: ask the bridge (--offload) for super-frames (core/link/offload.h).
const link = new synack.WebSocketLink(opt('url'), { WebSocket: CountingWS, offload: opt('offload') === '1' });
await link.ready;
const ip = opt('ip', 'dhcp');
// PATH_TCP_BUFFER / PATH_TCP_INFO: as in path_chromium.mjs
const buf = Number(process.env.PATH_TCP_BUFFER ?? 0);
const tcp = buf ? { sendBuffer: buf, receiveBuffer: buf } : undefined;
const stack = await synack.createStack({ link, ip, dhcpTimeout: 15000, tcp });
const sock = stack.connect({ hostname: opt('host'), port: Number(opt('port')) });
await sock.opened;

const f0 = { out: link.framesOut, in: link.framesIn, mout: msgOut, min: msgIn };
const c0 = process.cpuUsage();
const p0 = pids.map((p) => treeCpu(p.pid));
const t0 = process.hrtime.bigint();
let moved = 0;
const samples = [];
const iv = process.env.PATH_TCP_INFO ? setInterval(() => {
  const i = sock.info();
  if (i) samples.push({ flight: i.snd_nxt - i.snd_una, cwnd: i.cwnd, srtt: i.srtt, sndbuf: i.sndbuf, rcv_wnd: i.rcv_wnd });
}, 100) : null;
if (dir === 'send') {
  const chunk = new Uint8Array(65536).fill(0x5a);
  const w = sock.writable.getWriter();
  const reading = (async () => { for await (const _ of sock.readable); })();
  while (moved < bytes) {
    const n = Math.min(chunk.length, bytes - moved);
    await w.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    moved += n;
  }
  await w.close();
  await reading; // the server closes once it has everything
} else {
  for await (const c of sock.readable) moved += c.length;
}
const secs = Number(process.hrtime.bigint() - t0) / 1e9;
clearInterval(iv);
const c1 = process.cpuUsage();
const p1 = pids.map((p) => treeCpu(p.pid));
const mb = moved / 1e6;
const out = {
  bench: 'path',
  label: opt('label', ''),
  client: 'node',
  dir,
  bytes: moved,
  seconds: +secs.toFixed(3),
  mbit_per_s: +((moved * 8) / secs / 1e6).toFixed(1),
  frames_out_per_mb: +((link.framesOut - f0.out) / mb).toFixed(1),
  frames_in_per_mb: +((link.framesIn - f0.in) / mb).toFixed(1),
  ws_msgs_out_per_mb: +((msgOut - f0.mout) / mb).toFixed(1),
  ws_msgs_in_per_mb: +((msgIn - f0.min) / mb).toFixed(1),
  cpu_s: { node: +(((c1.user - c0.user) + (c1.system - c0.system)) / 1e6).toFixed(2) },
  offload: stack.offloadActive === true,
  websocket: BaseWS === globalThis.WebSocket ? 'builtin' : 'ws',
};
pids.forEach((p, i) => { out.cpu_s[p.name] = +(p1[i] - p0[i]).toFixed(2); });
if (samples.length) {
  out.tcp_median = {};
  for (const k of Object.keys(samples[0])) {
    const v = samples.map((x) => x[k]).sort((a, b) => a - b);
    out.tcp_median[k] = v[v.length >> 1];
  }
}
console.log(JSON.stringify(out));
stack.close();
link.close();
process.exit(moved === bytes ? 0 : 1);
