/*
 * The demo page: wires the controls to a Session (session.mjs), keeps the
 * records in a Player (player.mjs) and draws its model into the views:
 * ladder, state machines, window bars, time-sequence graph, congestion
 * control charts and one sentence per event.
 *
 * ?auto=1 runs a standalone session by itself (connect, 64 KB each way,
 * close) and sets window.__demo when done; with mode=bridge (or network),
 * ws=URL and target=HOST:PORT it fetches / from a host server instead.
 * window.__demoPage gives tests the model's summary.
 */
import { Ladder } from './ladder.mjs';
import { StateMachine } from './fsm.mjs';
import { writePcap } from './packet.mjs';
import { Player } from './player.mjs';
import { drawChart, drawTimeSeq, legend } from './plots.mjs';
import { CLOSED_PORT, SILENT_PORT, Session } from './session.mjs';
import { renderWindows } from './windows.mjs';

const $ = (id) => document.getElementById(id);
const CWND_SERIES = [
  { key: 'cwnd', color: '#1d4ed8', label: 'cwnd' },
  { key: 'ssthresh', color: '#7c3aed', label: 'ssthresh', dash: [5, 3] },
  { key: 'inflight', color: '#ea580c', label: 'bytes in flight' },
  { key: 'snd_wnd', color: '#16a34a', label: 'peer window' },
];
const RTT_SERIES = [
  { key: 'srtt', color: '#0891b2', label: 'smoothed RTT' },
  { key: 'rto', color: '#be123c', label: 'RTO', dash: [5, 3] },
];
const ACTIONS = ['connect', 'send', 'get', 'drop', 'close', 'abort', 'refused', 'silent', 'pcap', 'json'];

let session = null;
let player = null;
let connected = false;
let renderQueued = false;
/* The time-sequence graph follows the direction with more data until one is chosen. */
let tsgAuto = true;
/* What the views show (tests wait for it to catch up with the model). */
let drawn = null;
let storyShown = { model: null, id: -1 };
const ladder = new Ladder($('ladder'), $('details'));
const fsm = { client: new StateMachine($('fsm-client'), 'client'), server: new StateMachine($('fsm-server'), 'server') };
legend($('cwnd-legend'), CWND_SERIES);
legend($('rtt-legend'), RTT_SERIES);

const mode = () => document.querySelector('input[name=mode]:checked').value;
const num = (id) => Number($(id).value) || 0;

function status(text) {
  $('status').textContent = text;
}

function enable() {
  const on = !!session?.client;
  const net = session?.mode === 'network';
  const state = {
    connect: on && !session.sock, send: connected, get: connected && net, drop: on, close: connected,
    abort: !!session?.sock, refused: on && !session.sock, silent: on && !session.sock && !net, pcap: on, json: on,
  };
  for (const id of ACTIONS) $(id).disabled = !state[id];
  $('get').hidden = !net;
  $('reader-box').hidden = net;
  $('echo-box').hidden = net;
}

for (const r of document.querySelectorAll('input[name=mode]')) {
  r.addEventListener('change', () => {
    $('standalone-opts').hidden = mode() !== 'standalone';
    $('network-opts').hidden = mode() !== 'network';
  });
}

/* ---- drawing ----------------------------------------------------------- */

function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function render() {
  if (!player) return;
  const m = player.model;
  drawn = { model: m, version: m.version };
  const now = player.time;
  ladder.render(m);
  fsm.client.render(m, now);
  fsm.server.render(m, now);
  renderWindows($('win-client'), m, 'client', m.cfg.rcvbuf.client);
  renderWindows($('win-server'), m, 'server', m.cfg.rcvbuf.server);
  if (tsgAuto) {
    const sent = (side) => m.segs.reduce((n, x) => n + (x.from === side ? x.len : 0), 0);
    $('tsg-side').value = sent('server') > sent('client') ? 'server' : 'client';
  }
  drawTimeSeq($('tsg'), m, $('tsg-side').value, now);
  const side = $('cc-side').value;
  const merged = [...m.cc[side], ...m.winSeries[side].map((p) => ({ t: p.t, snd_wnd: p.snd_wnd }))]
    .sort((a, b) => a.t - b.t);
  drawChart($('cwnd'), merged, CWND_SERIES, m.t0, now, 'bytes');
  drawChart($('rtt'), m.cc[side], RTT_SERIES, m.t0, now, 'ms');
  renderStory(m);
  const w = player.waiting;
  $('waiting').textContent = player.paused || player.speed !== 1
    ? `${player.paused ? 'paused' : 'slow motion'}${w ? `: ${w} events waiting` : ''}` : '';
  $('pause').textContent = player.paused ? 'Resume' : 'Pause';
}

function renderStory(m) {
  const box = $('story');
  if (storyShown.model !== m) {
    box.replaceChildren();
    storyShown = { model: m, id: -1 };
  }
  const fresh = m.notes.filter((n) => n.id > storyShown.id);
  if (!fresh.length) return;
  const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
  for (const n of fresh) {
    const li = document.createElement('li');
    li.className = `${n.kind} ${n.side ?? ''}`;
    const t = document.createElement('span');
    t.className = 'time';
    t.textContent = `${(n.t / 1000).toFixed(3)} s`;
    li.append(t, ` ${n.side ? `${n.side}: ` : ''}${n.text}`);
    if (n.seg) {
      li.tabIndex = 0;
      li.addEventListener('click', () => ladder.select(n.seg.i, true));
    }
    box.append(li);
  }
  while (box.childElementCount > 400) box.firstElementChild.remove();
  storyShown.id = fresh.at(-1).id;
  /* The banner keeps an error in view over the state change that follows it. */
  $('now').textContent = (fresh.findLast((n) => n.kind === 'error') ?? fresh.at(-1)).text;
  if (atBottom) box.scrollTop = box.scrollHeight;
}

setInterval(() => { if (player) render(); }, 250);

/* ---- the session ------------------------------------------------------- */

function note(text) {
  session?.sink({ kind: 'note', t: session.now(), text });
}

async function start() {
  stop();
  const s = new Session(mode(), (rec) => player?.push(rec));
  session = s;
  player = new Player(s.modelConfig, () => s.now(), scheduleRender);
  storyShown = { model: null, id: -1 };
  $('received').textContent = '';
  enable();
  try {
    if (s.mode === 'standalone') {
      await s.startStandalone({
        delay: num('delay'), jitter: num('jitter'), loss: num('loss') / 100, reorder: num('reorder') / 100,
        rateMbit: num('rate'), seed: num('seed'), cc: $('cc').value, msl: Math.max(100, num('msl')),
      });
      s.readerRate = Number($('reader').value);
      s.echo = $('echo').checked;
      status(`client ${s.client.address} — server ${s.server.address}: port 80 listens, port ${CLOSED_PORT} is closed, SYNs to port ${SILENT_PORT} vanish.`);
    } else {
      const [hostname, port] = $('target').value.trim().split(':');
      status(`connecting to the bridge at ${$('wsurl').value}…`);
      await s.startNetwork({ url: $('wsurl').value.trim(), hostname, port: Number(port) });
      status(`client ${s.client.address}/${s.client.prefix} by DHCP, gateway ${s.client.gateway}; server ${hostname}:${port}`);
    }
  } catch (e) {
    status(`could not start: ${e.code ?? 'error'} (${e.message})`);
    if (session === s) session = null;
  }
  s.onData = (what, text) => {
    if (what === 'data' && s.mode === 'network') {
      const box = $('received');
      box.textContent = (box.textContent + text).slice(-20000);
    } else if (what === 'data') {
      $('received').textContent = `${s.received} bytes echoed back`;
    }
    if (what !== 'data') enable();
  };
  enable();
  scheduleRender();
}

function stop() {
  session?.stop();
  player?.stop();
  session = null;
  player = null;
  connected = false;
}

async function connect(port, label) {
  const s = session;
  if (!s?.client || s.sock) return null;
  note(label ?? `You connect to ${s.target.hostname}:${port ?? s.target.port}.`);
  const done = s.connect(port);
  connected = false;
  enable();
  const watch = setInterval(() => {
    if (s.writer && !connected) { connected = true; enable(); }
  }, 20);
  const outcome = await done;
  clearInterval(watch);
  if (session === s) {
    connected = false;
    const words = { refused: 'refused (RST: nothing listens there)', timeout: 'timed out (no answer to the SYNs)', reset: 'reset by the peer' };
    status(`connection ${outcome === 'closed' ? 'closed' : words[outcome] ?? outcome}; ${s.received} bytes received.`);
    enable();
  }
  return outcome;
}

function pattern(n) {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = 97 + (i % 26);
  return b;
}

function sendBytes() {
  const n = Math.min(Math.max(1, Math.floor(num('bytes'))), 4 << 20);
  note(`You send ${n} bytes.`);
  return session.send(pattern(n));
}

function httpGet() {
  note('You send an HTTP GET request.');
  return session.send(`GET / HTTP/1.1\r\nHost: ${session.target.hostname}\r\nConnection: close\r\n\r\n`);
}

function download(name, bytes, type) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([bytes], { type }));
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

/** The session as JSON lines: trace events (the objects of --trace), frames and notes. */
function jsonTrace() {
  return player.records.map((r) => {
    if (r.kind === 'trace') return JSON.stringify({ ...r.ev, side: r.side, page_t: Number(r.t.toFixed(3)) });
    if (r.kind === 'note') return JSON.stringify({ ev: 'note', page_t: Number(r.t.toFixed(3)), text: r.text });
    const p = r.pkt;
    return JSON.stringify({ ev: 'frame', side: r.side, page_t: Number(r.t.toFixed(3)), fate: r.fate ?? null, ...p });
  }).join('\n') + '\n';
}

const actions = {
  start: () => start(),
  connect: () => connect(),
  send: () => sendBytes(),
  get: () => httpGet(),
  drop: () => { note('You ask the wire to drop the next segment the client sends with data.'); session.dropNext(); },
  close: () => { note('You close the client\'s side (FIN after the queued data).'); session.closeSend(); },
  abort: () => { note('You abort the connection (RST).'); session.abort(); },
  refused: () => connect(session.mode === 'standalone' ? CLOSED_PORT : 9, 'You connect to a port where nothing listens.'),
  silent: () => connect(SILENT_PORT, `You connect to port ${SILENT_PORT}, where the server drops every SYN.`),
  pcap: () => download('synack-demo.pcap', writePcap(session.pcapRecords()), 'application/vnd.tcpdump.pcap'),
  json: () => download('synack-demo-trace.jsonl', jsonTrace(), 'application/x-ndjson'),
  pause: () => (player?.paused ? player.resume() : player?.pause()),
  step: () => player?.step(),
  back: () => player?.stepBack(),
};
for (const [id, fn] of Object.entries(actions)) $(id).addEventListener('click', () => fn());
$('reader').addEventListener('change', () => {
  if (!session) return;
  session.readerRate = Number($('reader').value);
  note(`You set the server's reader to ${$('reader').selectedOptions[0].textContent}.`);
});
$('echo').addEventListener('change', () => { if (session) session.echo = $('echo').checked; });
$('speed').addEventListener('change', () => player?.setSpeed(Number($('speed').value)));
$('tsg-side').addEventListener('change', () => { tsgAuto = false; render(); });
$('cc-side').addEventListener('change', render);
$('help-btn').addEventListener('click', () => $('help').showModal());

/* ---- keyboard ---------------------------------------------------------- */

const KEYS = {
  s: 'start', c: 'connect', d: 'send', g: 'get', x: 'drop', f: 'close', r: 'abort',
  ' ': 'pause', ArrowRight: 'step', ArrowLeft: 'back',
};
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t.closest?.('input, select, textarea, dialog') || (t.closest?.('#ladder') && e.key.startsWith('Arrow'))) return;
  if (e.key === ' ' && t.tagName === 'BUTTON') return;
  if (e.key === '?') { $('help').showModal(); e.preventDefault(); return; }
  if (e.key >= '1' && e.key <= '4') {
    $('speed').selectedIndex = Number(e.key) - 1;
    $('speed').dispatchEvent(new Event('change'));
    return;
  }
  if (e.key === 'p' && session?.mode === 'standalone') {
    $('reader').value = $('reader').value === '0' ? 'Infinity' : '0';
    $('reader').dispatchEvent(new Event('change'));
    return;
  }
  const id = KEYS[e.key] ?? KEYS[e.key.toLowerCase()];
  if (!id || $(id).disabled) return;
  e.preventDefault();
  actions[id]();
});

/* ---- automatic sessions (tests) ----------------------------------------- */

const until = async (cond, ms = 30000) => {
  for (let i = 0; i < ms / 10 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
};

async function auto() {
  await start();
  if (!session) throw new Error($('status').textContent);
  const s = session;
  const done = connect();
  await until(() => connected || !s.sock);
  if (s.mode === 'network') {
    await httpGet();
    await until(() => s.peerClosed || !s.sock);
  } else {
    await s.send(pattern(65536));
    await until(() => s.received >= 65536);
  }
  await s.closeSend();
  await done;
  await new Promise((r) => setTimeout(r, 300));
  const sum = player.model.summary();
  window.__demo = {
    mode: s.mode === 'network' ? 'bridge' : s.mode, address: s.client.address, received: s.received,
    segments: sum.segments.length, states: sum.states, text: $('received').textContent,
  };
}

window.__demoPage = {
  summary: () => player?.model.summary() ?? null,
  drawn: () => !!player && drawn?.model === player.model && drawn.version === player.model.version,
  player: () => player,
  session: () => session,
};

/* ?mode=network&ws=URL&target=HOST:PORT preset the form (make demo prints such a URL). */
const params = new URLSearchParams(location.search);
if (params.get('ws')) $('wsurl').value = params.get('ws');
if (params.get('target')) $('target').value = params.get('target');
if (['network', 'bridge'].includes(params.get('mode'))) {
  document.querySelector('input[name=mode][value=network]').click();
}
if (params.get('auto')) {
  auto().catch((e) => { window.__demo = { error: String(e?.stack ?? e) }; });
}
