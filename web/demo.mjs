/*
 * The demo page: wires the controls to a Session (session.mjs), keeps the
 * records in a Player (player.mjs) and draws its model into the views:
 * ladder, state machines, window bars, time-sequence graph, congestion
 * control charts and one sentence per event.
 *
 * #lesson=<name> opens a lesson of the Learn panel (lessons.mjs): the
 * lesson sets the controls, starts a session and runs its steps.
 *
 * In network mode the target selector offers what make demo starts on the
 * host (?http=, pg=, closed=, silent= give their ports; pg=none: PostgreSQL
 * is not installed): its web server, PostgreSQL, a closed port (refused),
 * a port that drops SYNs (timed out) and GET /reset (reset); ?https=PORT
 * adds its HTTPS server (TLS inside the page: the certificate names
 * ?tlsname=, default demo.test, signed by the CA fetched from ?ca=, default
 * demo-ca.pem next to the page), whose records the ladder names.
 *
 * ?ip6=1 ticks the IPv6 switch: sessions run IPv6 and connect over it
 * (network targets at fd00:5ac::2, slirp's name for the host's ::1), the
 * addresses table shows the stacks' IPv6 addresses and their states, and
 * the ladder gets NDP/MLD rows (ndp.mjs).
 *
 * ?auto=1 runs a standalone session by itself (connect, 64 KB each way,
 * close) and sets window.__demo when done; with mode=bridge (or network),
 * ws=URL and target=HOST:PORT it fetches / from a host server instead.
 * window.__demoPage gives tests the model's summary and the views.
 */
import { Ladder } from './ladder.mjs';
import { StateMachine } from './fsm.mjs';
import { writePcap } from './packet.mjs';
import { Player } from './player.mjs';
import { drawChart, drawTimeSeq, legend } from './plots.mjs';
import { lessons } from './lessons.mjs';
import { CLOSED_PORT, HOST4, HOST6, SILENT_PORT, Session } from './session.mjs';
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
const ACTIONS = ['connect', 'send', 'get', 'pg-ssl', 'pg-startup', 'drop', 'corrupt-next', 'close', 'abort', 'refused', 'silent', 'pcap', 'json'];

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
ladder.onFollow = (on) => { $('follow').checked = on; };
$('follow').addEventListener('change', () => ladder.setFollow($('follow').checked));
$('group').addEventListener('change', () => ladder.setGrouping($('group').checked));
legend($('cwnd-legend'), CWND_SERIES);
legend($('rtt-legend'), RTT_SERIES);

const mode = () => document.querySelector('input[name=mode]:checked').value;
const hostHeader = (h) => (String(h).includes(':') ? `[${h}]` : h);
/* 'HOST:PORT' with an IPv6 host in brackets, and back. */
const hostPort = (h, p) => (String(h).includes(':') ? `[${h}]:${p}` : `${h}:${p}`);
function splitHostPort(text) {
  const m = /^\[([^\]]*)\]:(\d+)$/.exec(text) ?? /^([^:]*):(\d+)$/.exec(text);
  return m ? [m[1], Number(m[2])] : [text, NaN];
}
const num = (id) => Number($(id).value) || 0;

function status(text) {
  $('status').textContent = text;
}

function enable() {
  const on = !!session?.client;
  const net = session?.mode === 'network';
  const state = {
    connect: on && !session.sock, send: connected, get: connected && net, 'pg-ssl': connected && net, 'pg-startup': connected && net, drop: on, 'corrupt-next': on, close: connected,
    abort: !!session?.sock, refused: on && !session.sock, silent: on && !session.sock, pcap: on, json: on,
  };
  for (const id of ACTIONS) $(id).disabled = !state[id];
  $('get').hidden = !net;
  $('pg-ssl').hidden = $('pg-startup').hidden = !net || netTarget().kind !== 'pg';
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
  renderAddresses();
  const w = player.waiting;
  $('waiting').textContent = player.paused || player.speed !== 1
    ? `${player.paused ? 'paused' : 'slow motion'}${w ? `: ${w} events waiting` : ''}` : '';
  $('pause').textContent = player.paused ? 'Resume' : 'Pause';
}

/* The IPv6 switch's table: every address of the page's stacks with its origin and state (tentative during DAD). */
let addrsShown = '';
function renderAddresses() {
  const on = !!session?.ip6;
  $('addrs-box').hidden = !on;
  if (!on) return;
  const list = session.addresses().filter((a) => a.family === 'IPv6');
  const key = JSON.stringify(list.map((a) => [a.side, a.address, a.origin, a.state]));
  if (key === addrsShown) return;
  addrsShown = key;
  $('addrs').tBodies[0].replaceChildren(...list.map((a) => {
    const tr = document.createElement('tr');
    for (const [text, cls] of [[a.side], [`${a.address}/${a.prefix}`], [a.origin], [a.state, a.state]]) {
      const td = document.createElement('td');
      td.textContent = text;
      if (cls) td.className = cls;
      tr.append(td);
    }
    return tr;
  }));
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

/* extra: options the form does not have (a lesson's serverRcvbuf, rtoInitial, silentPort). */
async function start(extra = {}) {
  stop();
  const s = new Session(mode(), (rec) => player?.push(rec), $('ip6').checked);
  session = s;
  const opts = {
    delay: num('delay'), jitter: num('jitter'), loss: num('loss') / 100, reorder: num('reorder') / 100,
    corrupt: num('corrupt') / 100, duplicate: num('duplicate') / 100,
    rateMbit: num('rate'), seed: num('seed'), cc: $('cc').value, msl: Math.max(100, num('msl')), ...extra,
  };
  if (s.mode === 'standalone') s.o = opts;
  player = new Player(s.modelConfig, () => s.now(), scheduleRender);
  storyShown = { model: null, id: -1 };
  $('received').textContent = '';
  enable();
  try {
    if (s.mode === 'standalone') {
      await s.startStandalone(opts);
      s.readerRate = Number($('reader').value);
      s.echo = $('echo').checked;
      status(`client ${s.client.address}${s.ip6 ? ` and ${s.client.address6}` : ''} — server ${s.server.address}${s.ip6 ? ` and ${s.server.address6}` : ''}: `
        + `port 80 listens, port ${CLOSED_PORT} is closed, SYNs to port ${SILENT_PORT} vanish.${s.ip6 ? ' Connections go over IPv6.' : ''}`);
    } else {
      const [hostname, port] = splitHostPort($('target').value.trim());
      status(`connecting to the bridge at ${$('wsurl').value}…`);
      await s.startNetwork({ url: $('wsurl').value.trim(), hostname, port, ...extra });
      status(`client ${s.client.address}/${s.client.prefix} by DHCP, gateway ${s.client.gateway}`
        + `${s.ip6 ? `; IPv6 ${s.client.address6} by SLAAC${s.client.gateway6 ? `, gateway ${s.client.gateway6}` : ''}` : ''}; server ${hostPort(hostname, port)}`);
    }
  } catch (e) {
    status(`could not start: ${e.code ?? 'error'} (${e.message})`);
    if (session === s) session = null;
  }
  s.onData = (what, text) => {
    if (what === 'data' && s.mode === 'network') {
      const box = $('received');
      /* PostgreSQL's answers are binary: control bytes show as dots. */
      box.textContent = (box.textContent + text.replace(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]/g, '·')).slice(-20000);
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

async function connect(port, label, target) {
  const s = session;
  if (!s?.client || s.sock) return null;
  note(label ?? `You connect to ${s.target.hostname}:${port ?? s.target.port}.`);
  const done = s.connect(port);
  connected = false;
  enable();
  const watch = setInterval(() => {
    if (s.writer && !connected) {
      connected = true;
      enable();
      if (target?.kind === 'https') {
        note(`The TLS connection to ${target.name} is open (${s.tlsInfo ?? 'TLS 1.2'}): SYN, SYN-ACK, ACK, then ClientHello … Finished both ways. `
          + 'Click a segment to see which TLS records it carries. Now GET / goes out encrypted.');
      } else if (target) note(`The connection to ${target.name} is open: SYN, SYN-ACK, ACK.`);
      if (target?.kind === 'reset') {
        note('You ask the host server for GET /reset, which make demo\'s server answers by aborting the connection.');
        s.send(`GET /reset HTTP/1.1\r\nHost: ${hostHeader(s.target.hostname)}\r\nConnection: close\r\n\r\n`);
      }
    }
  }, 20);
  const outcome = await done;
  clearInterval(watch);
  if (target && session === s) {
    const said = {
      refused: `Connection refused: nothing listens on ${target.name} (the SYN was answered by RST).`,
      timeout: `Timed out: the SYNs to ${target.name} got no answer, as when a firewall drops them.`,
      reset: `Reset: ${target.name} aborted the connection (RST); both sides dropped it at once.`,
      tls: `TLS failed with ${target.name}: ${s.tlsError ?? 'see the status line'}.`,
    }[outcome];
    if (said) note(said);
  }
  if (session === s) {
    connected = false;
    const words = { refused: 'refused (RST: nothing listens there)', timeout: 'timed out (no answer to the SYNs)', reset: 'reset by the peer',
      tls: `failed in TLS (${s.tlsError})` };
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

/* PostgreSQL's first messages (protocol 3.0): an SSLRequest, to which a
 * server without TLS answers 'N', and a StartupMessage for user postgres. */
function int32(v) {
  return [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
}

function pgSslRequest() {
  note('You send a PostgreSQL SSLRequest: 8 bytes, length 8 and code 80877103. A server without TLS answers "N".');
  return session.send(new Uint8Array([...int32(8), ...int32(80877103)]));
}

function pgStartup() {
  const params = new TextEncoder().encode('user\0postgres\0database\0postgres\0application_name\0synack-demo\0\0');
  const msg = new Uint8Array([...int32(8 + params.length), ...int32(196608), ...params]);
  note(`You send a PostgreSQL StartupMessage (${msg.length} bytes: protocol 3.0, user postgres). The server answers with `
    + 'its authentication request (R), its parameters (S), a key (K) and "ready for query" (Z).');
  return session.send(msg);
}

function httpGet() {
  note('You send an HTTP GET request.');
  return session.send(`GET / HTTP/1.1\r\nHost: ${hostHeader(session.target.hostname)}\r\nConnection: close\r\n\r\n`);
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
  connect: async () => {
    if (session?.mode !== 'network') return connect();
    const t = netTarget();
    const s = session;
    s.target = { hostname: t.hostname, port: t.port };
    if (t.kind === 'https') {
      /* The CA make demo made at start, served by its web server. */
      try {
        const r = await fetch(caUrl, { cache: 'no-store' });
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        s.target.tls = { ca: await r.text(), servername: tlsName };
      } catch (e) {
        status(`cannot load the demo CA from ${caUrl}: ${e.message}`);
        return null;
      }
      if (session !== s) return null;
    }
    return connect(t.port, t.kind === 'https'
      ? `You connect to ${t.name} with TLS: TCP's three-way handshake, then TLS's handshake over it, checking the server's certificate for ${tlsName} against the demo CA.`
      : `You connect to ${t.name}.`, t);
  },
  send: () => sendBytes(),
  get: () => httpGet(),
  'pg-ssl': () => pgSslRequest(),
  'pg-startup': () => pgStartup(),
  drop: () => { note('You ask the wire to drop the next segment the client sends with data.'); session.dropNext(); },
  'corrupt-next': () => { note('You ask the wire to corrupt one byte of the next segment the client sends with data.'); session.corruptNext(); },
  close: () => { note('You close the client\'s side (FIN after the queued data).'); session.closeSend(); },
  abort: () => { note('You abort the connection (RST).'); session.abort(); },
  refused: () => connect(session.mode === 'standalone' ? CLOSED_PORT : netClosedPort, 'You connect to a port where nothing listens.'),
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
  s: 'start', c: 'connect', d: 'send', g: 'get', x: 'drop', k: 'corrupt-next', f: 'close', r: 'abort',
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

/* ---- lessons (the Learn panel) ------------------------------------------ */

/* The panel each lesson step highlights. */
const VIEWS = { ladder: 'p-ladder', states: 'p-fsm', windows: 'p-windows', cc: 'p-cc', tsg: 'p-tsg', story: 'p-story' };
/* The open lesson: { def, step, phase ('starting'|'question'|'running'|'paused'|'done'|'error'), token, error }. */
let lesson = null;
let nextClick = null;

for (const def of lessons.values()) {
  const li = document.createElement('li');
  const a = document.createElement('a');
  a.href = `#lesson=${def.name}`;
  a.textContent = def.title;
  a.id = `lesson-link-${def.name}`;
  /* The same link again (no hashchange) starts the lesson over. */
  a.addEventListener('click', (e) => {
    if (location.hash === a.hash) {
      e.preventDefault();
      lessonFromHash();
    }
  });
  li.append(a, ` — ${def.summary}`);
  $('lesson-list').append(li);
}

/* What a lesson's steps may do (lessons.mjs). */
class LessonContext {
  constructor(token) { this.token = token; }
  get m() { return player.model; }
  get s() { return session; }
  get closedPort() { return session.mode === 'standalone' ? CLOSED_PORT : netClosedPort; }
  get silentPort() { return SILENT_PORT; }
  /** Wait until cond() holds (checked every 20 ms); throws after ms or when the lesson is left. */
  async until(cond, ms = 15000) {
    const end = performance.now() + ms;
    for (;;) {
      if (lesson?.token !== this.token) throw new Error('left');
      if (cond()) return;
      if (performance.now() > end) throw new Error(`the moment did not come within ${ms / 1000} s`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  connect(port) {
    const label = port === undefined ? undefined : `You connect to port ${port}.`;
    connect(port, label);
  }
  send(what) {
    if (typeof what === 'string') {
      note(`You send "${what}".`);
      return session.send(what);
    }
    note(`You send ${what} bytes.`);
    return session.send(pattern(what));
  }
  closeSend() {
    note('You close the client\'s side (FIN after the queued data).');
    return session.closeSend();
  }
  note(text) { note(text); }
  setReader(rate) {
    session.readerRate = rate;
    const sel = $('reader');
    sel.value = String(rate);
    note(`The server's reader now reads ${rate === 0 ? 'nothing (paused)' : rate === Infinity ? 'at full speed' : `${rate / 1024} KB/s`}.`);
  }
  /** The server aborts the connection (RST); in network mode the host server does, asked by GET /reset. */
  async reset() {
    if (session.mode === 'standalone') {
      note('The server aborts the connection.');
      return session.serverAbort();
    }
    note('You ask the host server for /reset, where make demo\'s server aborts the connection.');
    await session.send(`GET /reset HTTP/1.1\r\nHost: ${hostHeader(session.target.hostname)}\r\nConnection: close\r\n\r\n`);
    await this.until(() => session.peerClosed || this.m.errors.length > 0, 10000);
    if (!this.m.errors.length) {
      throw new Error('the host server answered /reset and closed normally instead of aborting, so no RST came '
        + '(this step needs a server that resets the connection at /reset)');
    }
  }
}

function para(text, cls) {
  const p = document.createElement('p');
  p.textContent = text;
  if (cls) p.className = cls;
  return p;
}

function highlight(view) {
  for (const e of document.querySelectorAll('.highlight')) e.classList.remove('highlight');
  const el = VIEWS[view] && $(VIEWS[view]);
  if (el) {
    el.classList.add('highlight');
    el.scrollIntoView({ block: 'nearest' });
  }
}

function waitNext(label) {
  $('lesson-next').textContent = label;
  $('lesson-next').disabled = false;
  return new Promise((r) => { nextClick = r; });
}

/** Open lesson `name`: set the controls, start a session and run its steps. */
async function openLesson(name) {
  const def = lessons.get(name);
  if (!def) return;
  const token = {};
  lesson = { def, step: -1, phase: 'starting', token, error: null };
  const L = new LessonContext(token);
  $('lesson').hidden = false;
  document.body.classList.add('in-lesson');
  $('lesson-menu').open = false;
  $('lesson-title').textContent = def.title;
  $('lesson-text').replaceChildren(para('Setting up the wire and both stacks…'));
  $('lesson-question').hidden = true;
  $('lesson-next').disabled = true;
  for (const a of document.querySelectorAll('#lesson-list a')) a.removeAttribute('aria-current');
  $(`lesson-link-${name}`).setAttribute('aria-current', 'step');
  if (!def.network && mode() !== 'standalone') document.querySelector('input[name=mode][value=standalone]').click();
  /* The lessons' claims are IPv4's (their ladders have no NDP rows). */
  if ($('ip6').checked) $('ip6').click();
  if (mode() === 'standalone') {
    const w = def.wire ?? {};
    const form = { delay: w.delay ?? 40, jitter: 0, rate: w.rate ?? 10, loss: 0, reorder: 0, corrupt: 0, duplicate: 0,
      seed: 1, msl: def.msl ?? 5000 };
    for (const [id, v] of Object.entries(form)) $(id).value = String(v);
    $('cc').value = def.cc ?? 'cubic';
    $('reader').value = 'Infinity';
    $('echo').checked = def.echo ?? true;
  }
  ladder.mark([]);
  await start({ serverRcvbuf: def.serverRcvbuf, rtoInitial: def.rtoInitial });
  if (lesson?.token !== token) return;
  if (!session?.client) {
    lesson.phase = 'error';
    lesson.error = $('status').textContent;
    $('lesson-text').replaceChildren(para(`The lesson could not start: ${lesson.error}`, 'error'));
    return;
  }
  session.echo = def.echo ?? true;
  session.serverMode = def.serverMode ?? 'echo';
  for (let k = 0; k < def.steps.length; k++) {
    if (lesson?.token !== token) return;
    const st = def.steps[k];
    lesson.step = k;
    $('lesson-progress').textContent = `Step ${k + 1} of ${def.steps.length}`;
    player.resume();
    highlight(null);
    ladder.mark([]);
    const intro = para(st.intro);
    $('lesson-text').replaceChildren(intro);
    let picked = null;
    if (st.question) {
      lesson.phase = 'question';
      $('lesson-q').textContent = st.question.text;
      const box = $('lesson-choices');
      box.replaceChildren();
      st.question.choices.forEach((c, i) => {
        const label = document.createElement('label');
        const input = document.createElement('input');
        input.type = 'radio';
        input.name = 'lesson-choice';
        input.value = String(i);
        input.addEventListener('change', () => { picked = i; });
        label.append(input, ` ${c}`);
        box.append(label);
      });
      $('lesson-question').hidden = false;
      await waitNext('Run it ▶');
      if (lesson?.token !== token) return;
      $('lesson-question').hidden = true;
    }
    lesson.phase = 'running';
    $('lesson-next').disabled = true;
    $('lesson-text').replaceChildren(intro, para('Running on the real stacks…', 'muted'));
    try {
      await st.run(L);
    } catch (e) {
      if (lesson?.token !== token) return;
      lesson.phase = 'error';
      lesson.error = String(e.message ?? e);
      $('lesson-text').replaceChildren(intro, para(`This step did not reach its moment: ${lesson.error}.`, 'error'));
      return;
    }
    if (lesson?.token !== token) return;
    if (!st.live) player.pause();
    render();
    highlight(st.view);
    const marks = (st.marks?.(player.model) ?? []).filter((i) => i !== undefined);
    if (marks.length) ladder.mark(marks);
    const sel = st.select?.(player.model);
    if (sel !== undefined) ladder.select(sel, false);
    const out = [];
    if (st.question) {
      const right = st.question.choices[st.question.answer];
      out.push(para(picked === null ? `The answer: ${right}.`
        : picked === st.question.answer ? `You answered "${st.question.choices[picked]}": right.`
          : `You answered "${st.question.choices[picked]}"; the real stacks say: ${right}.`, 'answer'));
    }
    let text;
    try {
      text = st.explain(L);
    } catch (e) {
      text = `(could not explain: ${e.message})`;
    }
    out.push(para(text));
    $('lesson-text').replaceChildren(...out);
    lesson.phase = 'paused';
    const lastStep = k === def.steps.length - 1;
    await waitNext(lastStep ? 'Finish' : 'Next ▶');
  }
  if (lesson?.token !== token) return;
  player.resume();
  highlight(null);
  lesson.phase = 'done';
  const names = [...lessons.keys()];
  const next = names[names.indexOf(name) + 1];
  const done = para('That is the whole lesson. The session goes on: use the controls to try more. ');
  if (next) {
    const a = document.createElement('a');
    a.href = `#lesson=${next}`;
    a.textContent = `Next lesson: ${lessons.get(next).title}`;
    done.append(a);
  }
  $('lesson-text').replaceChildren(done);
  $('lesson-progress').textContent = 'Done';
  $('lesson-next').disabled = true;
}

function leaveLesson() {
  lesson = null;
  nextClick = null;
  $('lesson').hidden = true;
  document.body.classList.remove('in-lesson', 'show-controls');
  $('lesson-controls').setAttribute('aria-expanded', 'false');
  $('lesson-controls').textContent = 'Show the controls';
  $('lesson-menu').open = true;
  highlight(null);
  ladder.mark([]);
  player?.resume();
  for (const a of document.querySelectorAll('#lesson-list a')) a.removeAttribute('aria-current');
  if (location.hash.startsWith('#lesson=')) history.replaceState(null, '', location.pathname + location.search);
}

$('lesson-next').addEventListener('click', () => {
  const r = nextClick;
  nextClick = null;
  $('lesson-next').disabled = true;
  r?.();
});
$('lesson-exit').addEventListener('click', leaveLesson);
$('lesson-controls').addEventListener('click', () => {
  const on = document.body.classList.toggle('show-controls');
  $('lesson-controls').setAttribute('aria-expanded', String(on));
  $('lesson-controls').textContent = on ? 'Hide the controls' : 'Show the controls';
});

function lessonFromHash() {
  const m = /^#lesson=([\w-]+)$/.exec(location.hash);
  if (m && lessons.has(m[1])) {
    openLesson(m[1]).catch((e) => {
      if (lesson) {
        lesson.phase = 'error';
        lesson.error = String(e?.stack ?? e);
      }
    });
  }
}
window.addEventListener('hashchange', lessonFromHash);

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
  lesson: () => (lesson ? { name: lesson.def.name, step: lesson.step, steps: lesson.def.steps.length, phase: lesson.phase, error: lesson.error } : null),
  drawn: () => !!player && drawn?.model === player.model && drawn.version === player.model.version,
  player: () => player,
  ladder: () => ladder,
  session: () => session,
  /** SHA-256 (hex) of the body of the last connection's HTTP answer (after the blank line), and its length. */
  async bodyHash() {
    const s = session;
    if (!s) return null;
    const all = new Uint8Array(s.rxBytes);
    let o = 0;
    for (const c of s.rx) { all.set(c, o); o += c.length; }
    let start = -1;
    for (let i = 0; i + 3 < all.length; i++) {
      if (all[i] === 13 && all[i + 1] === 10 && all[i + 2] === 13 && all[i + 3] === 10) { start = i + 4; break; }
    }
    if (start < 0) return null;
    const body = all.subarray(start);
    const d = new Uint8Array(await crypto.subtle.digest('SHA-256', body));
    return { length: body.length, sha256: Array.from(d, (x) => x.toString(16).padStart(2, '0')).join('') };
  },
};

/* ?mode=network&ws=URL&target=HOST:PORT preset the form (make demo prints such a URL). */
const params = new URLSearchParams(location.search);
if (params.get('ws')) $('wsurl').value = params.get('ws');
if (params.get('target')) $('target').value = params.get('target');

/* ---- network targets (make demo's host ports) ---------------------------- */

/* The host as slirp shows it: 10.0.2.2, or fd00:5ac::2 (its ::1) with the IPv6 switch on. */
const host = () => ($('ip6').checked ? HOST6 : HOST4);
const portParam = (name, dflt) => (/^\d+$/.test(params.get(name) ?? '') ? Number(params.get(name)) : dflt);
const httpPort = portParam('http', splitHostPort($('target').value)[1] || 8000);
const netClosedPort = portParam('closed', 9);
const pgPort = params.get('pg') === 'none' ? null : portParam('pg', 5432);
/* Without a host port that drops SYNs, port 81: the page's own tap drops them. */
const silentPort = portParam('silent', SILENT_PORT);
/* The HTTPS server make demo starts (?https=PORT), whose certificate names
 * ?tlsname= and is signed by the CA at ?ca= (make demo's web server serves it). */
const httpsPort = params.get('https') === 'none' ? null : portParam('https', null);
const tlsName = params.get('tlsname') ?? 'demo.test';
const caUrl = params.get('ca') ?? 'demo-ca.pem';
function netTargets() {
  const at = (port) => hostPort(host(), port);
  return [
    { kind: 'http', port: httpPort, name: `the HTTP server (${at(httpPort)})` },
    httpsPort === null
      ? { kind: 'https', port: null, name: 'HTTPS', label: 'HTTPS server: unavailable (make demo starts one)' }
      : { kind: 'https', port: httpsPort, name: `the HTTPS server (${at(httpsPort)})`, label: `HTTPS server (${at(httpsPort)}): TLS` },
    pgPort === null
      ? { kind: 'pg', port: null, name: 'PostgreSQL', label: 'PostgreSQL: unavailable (not installed on this host)' }
      : { kind: 'pg', port: pgPort, name: `PostgreSQL (${at(pgPort)})` },
    { kind: 'closed', port: netClosedPort, name: `a closed port (${at(netClosedPort)})`, label: `closed port (${at(netClosedPort)}): refused` },
    { kind: 'silent', port: silentPort, name: `a SYN-dropping port (${at(silentPort)})`, label: `SYN-dropping port (${at(silentPort)}): timed out` },
    { kind: 'reset', port: httpPort, name: `the HTTP server's /reset (${at(httpPort)})`, label: `reset (${at(httpPort)}, GET /reset)` },
    { kind: 'other', port: null, name: null, label: 'other: the server named below' },
  ];
}
/* The target list, labelled for the host's current address family. */
function fillTargets() {
  const keep = $('net-target').value;
  $('net-target').replaceChildren();
  for (const t of netTargets()) {
    const o = document.createElement('option');
    o.value = t.kind;
    o.textContent = t.label ?? t.name[0].toUpperCase() + t.name.slice(1);
    o.disabled = (t.kind === 'pg' || t.kind === 'https') && t.port === null;
    $('net-target').append(o);
  }
  if (keep) $('net-target').value = keep;
}
fillTargets();
$('net-target').value = netTargets().find((t) => t.port !== null && hostPort(host(), t.port) === $('target').value.trim())?.kind ?? 'other';

/** The chosen network target: { kind, hostname, port, name }. */
function netTarget() {
  const t = netTargets().find((x) => x.kind === $('net-target').value);
  const [hostname, port] = splitHostPort($('target').value.trim());
  if (t.kind === 'other' || t.port === null) return { kind: 'other', hostname, port, name: hostPort(hostname, port) };
  return { ...t, hostname: host() };
}
$('net-target').addEventListener('change', () => {
  const t = netTarget();
  if (t.kind !== 'other') $('target').value = hostPort(host(), t.port);
  enable();
});
$('target').addEventListener('input', () => { $('net-target').value = 'other'; enable(); });
/* The IPv6 switch: the targets follow the host's address (10.0.2.2 or fd00:5ac::2); a running session keeps its family. */
$('ip6').addEventListener('change', () => {
  const [h, port] = splitHostPort($('target').value.trim());
  if (h === HOST4 || h === HOST6) $('target').value = hostPort(host(), port);
  fillTargets();
});
if (params.get('ip6') === '1') {
  $('ip6').checked = true;
  $('ip6').dispatchEvent(new Event('change'));
}
if (['network', 'bridge'].includes(params.get('mode'))) {
  document.querySelector('input[name=mode][value=network]').click();
}
lessonFromHash();
if (params.get('auto')) {
  auto().catch((e) => { window.__demo = { error: String(e?.stack ?? e) }; });
}
