/*
 * The demo page. Standalone mode runs two stacks in this page on an
 * impaired PairLink (client 10.9.0.1, an echo server on 10.9.0.2:80);
 * bridge mode runs one stack that gets its address by DHCP through
 * websockify and synack-bridge --slirp and talks to a server on the host
 * (by default 10.0.2.2:8000, e.g. `python3 -m http.server 8000`).
 * The client's trace events drive the visualizer (trace_view.mjs).
 *
 * ?auto=1 runs a standalone session by itself (connect, 64 KB each way,
 * close) and sets window.__demo when done; the browser test uses it.
 */
import { PairLink, WebSocketLink, createStack } from './synack.mjs';
import { TraceView } from './trace_view.mjs';

const $ = (id) => document.getElementById(id);
const view = new TraceView({
  ladder: $('ladder'), states: $('states'), chart: $('chart'), legend: $('legend'), log: $('log'),
});
const buttons = ['connect', 'send', 'get', 'close', 'reset', 'ping'];
let net = null; /* { client, server, mode, target: { hostname, port } } */
let sock = null;
let writer = null;
let received = 0;
let peerClosed = false;
let countersTimer = null;

function status(text) {
  $('status').textContent = text;
}

function mode() {
  return document.querySelector('input[name=mode]:checked').value;
}

function enable(map) {
  for (const id of buttons) if (id in map) $(id).disabled = !map[id];
}

function showReceived(text) {
  const box = $('received');
  box.textContent = (box.textContent + text).slice(-4000);
  box.scrollTop = box.scrollHeight;
}

for (const r of document.querySelectorAll('input[name=mode]')) {
  r.addEventListener('change', () => {
    const bridge = mode() === 'bridge';
    $('standalone-opts').hidden = bridge;
    $('bridge-opts').hidden = !bridge;
    $('get').hidden = !bridge;
  });
}

/* Echo server of standalone mode. */
function serveEcho(server) {
  const listener = server.listen({ port: 80 });
  (async () => {
    for await (const s of listener) {
      s.readable.pipeTo(s.writable).catch(() => {});
    }
  })();
}

async function startNetwork() {
  stopNetwork();
  view.clear(mode() === 'standalone');
  $('received').textContent = '';
  enable({ connect: false, send: false, get: false, close: false, reset: false, ping: false });
  if (mode() === 'standalone') {
    const num = (id) => Number($(id).value) || 0;
    const [a, b] = PairLink.pair({
      delay: num('delay'), jitter: num('jitter'), loss: num('loss') / 100,
      rateMbit: num('rate'), seed: num('seed'),
    });
    const client = await createStack({ link: a, ip: '10.9.0.1/24', seed: num('seed') });
    const server = await createStack({ link: b, ip: '10.9.0.2/24', seed: num('seed') + 1 });
    serveEcho(server);
    server.addEventListener('trace', (e) => view.add(e.detail, 'server'));
    net = { client, server, mode: 'standalone', target: { hostname: '10.9.0.2', port: 80 } };
    status(`client ${client.address} (${client.mac}) — echo server ${server.address}:80`);
  } else {
    const [hostname, port] = $('target').value.trim().split(':');
    status(`connecting to the bridge at ${$('wsurl').value}…`);
    try {
      const link = new WebSocketLink($('wsurl').value.trim());
      const client = await createStack({ link, ip: 'dhcp', dhcpTimeout: 15000 });
      client.addEventListener('linkerror', (e) => status(`link down: ${e.detail.message}`));
      net = { client, server: null, mode: 'bridge', target: { hostname, port: Number(port) } };
      status(`client ${client.address}/${client.prefix} via DHCP, gateway ${client.gateway}, dns ${client.dns}`);
    } catch (e) {
      status(`${e.code ?? 'error'}: ${e.message}`);
      return;
    }
  }
  net.client.addEventListener('trace', (e) => view.add(e.detail, 'client'));
  enable({ connect: true, ping: true });
  countersTimer = setInterval(showCounters, 500);
}

function stopNetwork() {
  if (countersTimer) clearInterval(countersTimer);
  countersTimer = null;
  sock = writer = null;
  if (net) {
    net.client.close();
    net.server?.close();
  }
  net = null;
}

function showCounters() {
  if (!net || net.client.closed) return;
  const c = net.client.counters();
  const rows = ['frames_in', 'frames_out', 'bytes_in', 'bytes_out', 'tcp_segs_in', 'tcp_segs_out',
    'tcp_rexmit_segs', 'drops_total'].map((k) => [k, c[k]]);
  for (const [k, v] of Object.entries(c.drops)) rows.push([`drop ${k}`, v]);
  const info = sock?.info();
  if (info) rows.push(['state', info.state], ['srtt / rto', `${info.srtt} / ${info.rto} ms`], ['cwnd', info.cwnd]);
  $('counters').replaceChildren(...rows.map(([k, v]) => {
    const tr = document.createElement('tr');
    for (const text of [k, v]) {
      const td = document.createElement('td');
      td.textContent = String(text);
      tr.append(td);
    }
    return tr;
  }));
}

async function connect() {
  const s = net.client.connect(net.target, { allowHalfOpen: true });
  sock = s;
  received = 0;
  peerClosed = false;
  enable({ connect: false, close: true, reset: true });
  status(`connecting to ${net.target.hostname}:${net.target.port}…`);
  try {
    const info = await s.opened;
    status(`connected ${info.localAddress}:${info.localPort} → ${info.remoteAddress}:${info.remotePort}`);
    writer = s.writable.getWriter();
    enable({ send: true, get: true });
  } catch (e) {
    status(`connect failed: ${e.code} (${e.message})`);
    enable({ connect: true, close: false, reset: false });
    return;
  }
  const decoder = new TextDecoder();
  try {
    for await (const chunk of s.readable) {
      received += chunk.length;
      if (net?.mode === 'bridge') showReceived(decoder.decode(chunk, { stream: true }));
      else status(`received ${received} bytes back`);
    }
    peerClosed = true;
    status(`peer closed its side (FIN) after ${received} bytes`);
  } catch (e) {
    status(`connection failed: ${e.code} (${e.message})`);
  }
  await s.closed.catch(() => {});
  if (sock === s) {
    sock = writer = null;
    enable({ connect: true, send: false, get: false, close: false, reset: false });
  }
}

async function send(bytes) {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  try {
    await writer.write(data);
  } catch (e) {
    status(`send failed: ${e.code ?? ''} ${e.message}`);
  }
}

async function closeFin() {
  enable({ send: false, get: false, close: false });
  try {
    await writer?.close();
  } catch (e) {
    status(`close: ${e.message}`);
  }
}

async function reset() {
  enable({ send: false, get: false, close: false, reset: false });
  await writer?.abort().catch(() => {});
}

async function ping() {
  const host = net.mode === 'bridge' ? net.client.gateway : net.target.hostname;
  try {
    const r = await net.client.ping(host);
    status(`ping ${r.address}: seq ${r.seq}, ${r.bytes} bytes, ${r.rtt.toFixed(1)} ms`);
  } catch (e) {
    status(`ping ${host}: ${e.code}`);
  }
}

$('start').onclick = () => startNetwork();
$('connect').onclick = () => connect();
$('send').onclick = () => send(new Uint8Array(65536).map((_, i) => 32 + (i % 95)));
$('get').onclick = () => send(`GET / HTTP/1.1\r\nHost: ${net.target.hostname}\r\nConnection: close\r\n\r\n`);
$('close').onclick = () => closeFin();
$('reset').onclick = () => reset();
$('ping').onclick = () => ping();

/*
 * ?auto=1: a whole session without clicks. Standalone: connect, 64 KB each
 * way, close. With mode=bridge&ws=URL&target=HOST:PORT: DHCP through the
 * bridge, then an HTTP GET, read to the server's close.
 */
async function auto(params) {
  if (params.get('mode') === 'bridge') {
    document.querySelector('input[name=mode][value=bridge]').click();
    if (params.get('ws')) $('wsurl').value = params.get('ws');
    if (params.get('target')) $('target').value = params.get('target');
  }
  await startNetwork();
  if (!net) throw new Error($('status').textContent);
  const done = connect();
  const until = async (cond) => {
    for (let i = 0; i < 3000 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  };
  await until(() => writer || !sock);
  if (net.mode === 'bridge') {
    await send(`GET / HTTP/1.1\r\nHost: ${net.target.hostname}\r\nConnection: close\r\n\r\n`);
    await until(() => peerClosed || !sock);
  } else {
    await send(new Uint8Array(65536).fill(97));
    await until(() => received >= 65536);
  }
  await closeFin();
  await done;
  await new Promise((r) => setTimeout(r, 300));
  showCounters();
  window.__demo = {
    mode: net.mode, address: net.client.address, received, segments: view.segmentCount,
    states: view.states, text: $('received').textContent,
  };
}

const params = new URLSearchParams(location.search);
if (params.get('auto')) {
  auto(params).catch((e) => { window.__demo = { error: String(e?.stack ?? e) }; });
}
