/*
 * The visualizer: draws trace events (DESIGN.md, CONTRACT: trace events) of
 * one connection as a segment ladder (client on the left, server on the
 * right), highlights both ends' TCP states (RFC 9293 names), plots
 * cwnd / in flight / send and receive windows over time, and keeps a log of
 * the raw event objects. Rendering is batched into animation frames.
 */

const STATES = ['CLOSED', 'LISTEN', 'SYN-SENT', 'SYN-RECEIVED', 'ESTABLISHED', 'FIN-WAIT-1',
  'FIN-WAIT-2', 'CLOSE-WAIT', 'CLOSING', 'LAST-ACK', 'TIME-WAIT'];
const MAX_ROWS = 400;
const MAX_LOG = 300;
const ROW = 22;
const SERIES = [
  { key: 'cwnd', color: '#1d4ed8', label: 'cwnd' },
  { key: 'inflight', color: '#f59e0b', label: 'in flight' },
  { key: 'snd_wnd', color: '#0e7c3a', label: 'peer window (snd_wnd)' },
  { key: 'rcv_wnd', color: '#6d28d9', label: 'our window (rcv_wnd)' },
];
const SVG = 'http://www.w3.org/2000/svg';

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function colorOf(seg) {
  if (seg.flags.includes('R')) return 'var(--rst)';
  if (seg.flags.includes('S')) return 'var(--syn)';
  if (seg.flags.includes('F')) return 'var(--fin)';
  if (seg.len > 0) return 'var(--data)';
  return 'var(--ack)';
}

function optsText(o) {
  if (!o) return '';
  const parts = [];
  if (o.mss) parts.push(`mss ${o.mss}`);
  if (o.ws !== undefined) parts.push(`ws ${o.ws}`);
  if (o.sackok) parts.push('sackOK');
  if (o.sack) parts.push(`sack ${o.sack.length}`);
  if (o.ts) parts.push('ts');
  return parts.length ? ` <${parts.join(' ')}>` : '';
}

export class TraceView {
  /** elements: { ladder, states, chart, legend, log } */
  constructor(elements) {
    this.e = elements;
    this.pending = false;
    this.clear();
    this.renderLegend();
  }

  /** Forget everything (a new network); without a server stack its state is unknown. */
  clear(hasServer = true) {
    this.conn = null;
    this.isn = { out: undefined, in: undefined };
    this.rows = [];
    this.points = [];
    this.t0 = null;
    this.state = { client: 'CLOSED', server: hasServer ? 'LISTEN' : null };
    this.logLines = [];
    this.dirty = { ladder: true, states: true, chart: true, log: true };
    if (this.e.ladder) this.e.ladder.textContent = '';
    this.schedule();
  }

  /**
   * Add one event. `side` is 'client' (the stack whose segments are drawn)
   * or 'server' (only its state changes are used).
   */
  add(ev, side = 'client') {
    this.logLines.push(side === 'client' ? JSON.stringify(ev) : `server ${JSON.stringify(ev)}`);
    if (this.logLines.length > MAX_LOG) this.logLines.splice(0, this.logLines.length - MAX_LOG);
    this.dirty.log = true;
    if (side === 'server') {
      if (ev.ev === 'state') {
        this.state.server = ev.to;
        this.dirty.states = true;
      }
      this.schedule();
      return;
    }
    if (ev.ev === 'seg' && ev.dir === 'out' && ev.flags === 'S' && !ev.rexmit) this.follow(ev.conn, ev.t);
    if (ev.conn !== this.conn) {
      this.schedule();
      return;
    }
    switch (ev.ev) {
      case 'seg': this.addSeg(ev); break;
      case 'state':
        this.state.client = ev.to;
        this.dirty.states = true;
        break;
      case 'cc':
        this.points.push({ t: ev.t, cwnd: ev.cwnd, inflight: ev.inflight });
        this.dirty.chart = true;
        break;
      case 'win':
        this.points.push({ t: ev.t, snd_wnd: ev.snd_wnd, rcv_wnd: ev.rcv_wnd });
        this.dirty.chart = true;
        break;
      case 'error':
        this.rows.push({ t: ev.t, note: `error: ${ev.code}` });
        this.dirty.ladder = true;
        break;
      default:
        break;
    }
    this.schedule();
  }

  /* A new connection from the client: draw that one from now on. */
  follow(conn, t) {
    this.conn = conn;
    this.isn = { out: undefined, in: undefined };
    this.rows = [];
    this.points = [];
    this.t0 = t;
    this.dirty.ladder = this.dirty.chart = true;
  }

  addSeg(ev) {
    if (ev.flags.includes('S')) this.isn[ev.dir] = ev.seq;
    const mine = ev.dir;
    const theirs = ev.dir === 'out' ? 'in' : 'out';
    const rel = (v, isn) => (isn === undefined ? v : (v - isn) >>> 0);
    const seq = rel(ev.seq, this.isn[mine]);
    const ack = ev.flags.includes('A') ? rel(ev.ack, this.isn[theirs]) : null;
    this.rows.push({ ...ev, rseq: seq, rack: ack });
    if (this.rows.length > MAX_ROWS) this.rows.splice(0, this.rows.length - MAX_ROWS);
    this.dirty.ladder = true;
  }

  /** Number of segment rows drawn for the followed connection. */
  get segmentCount() {
    return this.rows.filter((r) => r.flags).length;
  }

  /** The ends' current states. */
  get states() {
    return { ...this.state };
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    const raf = globalThis.requestAnimationFrame ?? ((f) => setTimeout(f, 16));
    raf(() => {
      this.pending = false;
      this.render();
    });
  }

  render() {
    if (this.dirty.ladder) this.renderLadder();
    if (this.dirty.states) this.renderStates();
    if (this.dirty.chart) this.renderChart();
    if (this.dirty.log) this.renderLog();
    this.dirty = { ladder: false, states: false, chart: false, log: false };
  }

  renderLadder() {
    const box = this.e.ladder;
    if (!box) return;
    const width = Math.max(box.clientWidth - 4, 480);
    const left = 70;
    const right = width - 70;
    const rows = this.rows;
    const height = (rows.length + 1) * ROW + 10;
    const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}` });
    svg.append(el('defs', {}));
    svg.append(el('text', { x: left, y: 14, 'text-anchor': 'middle', class: 'side' }, 'client'));
    svg.append(el('text', { x: right, y: 14, 'text-anchor': 'middle', class: 'side' }, 'server'));
    svg.append(el('line', { x1: left, y1: 20, x2: left, y2: height, stroke: '#98a2b3' }));
    svg.append(el('line', { x1: right, y1: 20, x2: right, y2: height, stroke: '#98a2b3' }));
    rows.forEach((r, i) => {
      const y = 20 + (i + 1) * ROW;
      const t = this.t0 === null ? r.t : r.t - this.t0;
      svg.append(el('text', { x: 2, y: y - 4, fill: '#667085' }, `${t} ms`));
      if (!r.flags) {
        svg.append(el('text', { x: width / 2, y: y - 6, 'text-anchor': 'middle', fill: 'var(--rst)' }, r.note));
        return;
      }
      const out = r.dir === 'out';
      const x1 = out ? left : right;
      const x2 = out ? right : left;
      const color = colorOf(r);
      const y1 = y - ROW + 8;
      svg.append(el('line', {
        x1, y1, x2, y2: y, stroke: color, 'stroke-width': r.rexmit ? 2.5 : 1.5,
        'stroke-dasharray': r.rexmit ? '5 3' : '',
      }));
      const dx = out ? -8 : 8;
      svg.append(el('path', { d: `M${x2},${y} l${dx},-5 l0,8 z`, fill: color }));
      const label = `${r.flags} seq=${r.rseq}${r.rack !== null ? ` ack=${r.rack}` : ''} len=${r.len} win=${r.win}`
        + `${optsText(r.opts)}${r.rexmit ? ' (rexmit)' : ''}`;
      svg.append(el('text', { x: (left + right) / 2, y: (y1 + y) / 2 - 3, 'text-anchor': 'middle', fill: color }, label));
    });
    box.replaceChildren(svg);
    box.scrollTop = box.scrollHeight;
  }

  renderStates() {
    const box = this.e.states;
    if (!box) return;
    box.replaceChildren(...STATES.map((s) => {
      const d = document.createElement('div');
      d.textContent = s;
      if (this.state.client === s) d.classList.add('client');
      if (this.state.server === s) d.classList.add('server');
      d.title = [this.state.client === s && 'client', this.state.server === s && 'server'].filter(Boolean).join(', ');
      return d;
    }));
  }

  renderLegend() {
    const box = this.e.legend;
    if (!box) return;
    box.replaceChildren(...SERIES.map((s) => {
      const span = document.createElement('span');
      const i = document.createElement('i');
      i.style.background = s.color;
      span.append(i, s.label);
      return span;
    }));
  }

  renderChart() {
    const c = this.e.chart;
    if (!c) return;
    const g = c.getContext('2d');
    const W = c.width;
    const H = c.height;
    g.clearRect(0, 0, W, H);
    const pts = this.points;
    if (pts.length < 1) return;
    const t0 = pts[0].t;
    const t1 = Math.max(pts[pts.length - 1].t, t0 + 1);
    let ymax = 1;
    for (const p of pts) for (const s of SERIES) if (p[s.key] !== undefined && p[s.key] < 1e9) ymax = Math.max(ymax, p[s.key]);
    const pad = 34;
    const x = (t) => pad + ((t - t0) / (t1 - t0)) * (W - pad - 6);
    const y = (v) => H - 16 - (Math.min(v, ymax) / ymax) * (H - 26);
    g.strokeStyle = '#d0d5dd';
    g.fillStyle = '#667085';
    g.font = '10px monospace';
    g.beginPath();
    g.moveTo(pad, 6); g.lineTo(pad, H - 16); g.lineTo(W - 6, H - 16);
    g.stroke();
    g.fillText(`${Math.round(ymax / 1024)}K`, 2, 12);
    g.fillText('0', 2, H - 16);
    g.fillText(`${t1 - t0} ms`, W - 60, H - 4);
    for (const s of SERIES) {
      g.strokeStyle = s.color;
      g.lineWidth = 1.5;
      g.beginPath();
      let started = false;
      let last = null;
      for (const p of pts) {
        const v = p[s.key];
        if (v === undefined) continue;
        if (!started) { g.moveTo(x(p.t), y(v)); started = true; }
        else { g.lineTo(x(p.t), y(last)); g.lineTo(x(p.t), y(v)); }
        last = v;
      }
      if (started) g.lineTo(x(t1), y(last));
      g.stroke();
    }
  }

  renderLog() {
    const box = this.e.log;
    if (!box) return;
    box.textContent = this.logLines.join('\n');
    box.scrollTop = box.scrollHeight;
  }
}
