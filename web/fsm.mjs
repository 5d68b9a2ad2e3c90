/*
 * One end's TCP state machine (RFC 9293 §3.3.2, Figure 5) as a diagram:
 * every state and the usual transitions, the current state lit, the last
 * transition drawn as an arrow, and the TIME-WAIT countdown.
 */
const SVG = 'http://www.w3.org/2000/svg';
const W = 330;
const H = 292;
const NODE_W = 98;
const NODE_H = 22;

const POS = {
  'CLOSED': [165, 16], 'LISTEN': [165, 58], 'SYN-RECEIVED': [58, 100], 'SYN-SENT': [272, 100],
  'ESTABLISHED': [165, 142], 'FIN-WAIT-1': [58, 184], 'CLOSE-WAIT': [272, 184],
  'FIN-WAIT-2': [58, 226], 'CLOSING': [165, 226], 'LAST-ACK': [272, 226], 'TIME-WAIT': [165, 272],
};

/* [from, to, control point of a curve or null]. */
const EDGES = [
  ['CLOSED', 'LISTEN'], ['CLOSED', 'SYN-SENT'], ['LISTEN', 'SYN-RECEIVED'], ['LISTEN', 'SYN-SENT'],
  ['SYN-SENT', 'SYN-RECEIVED'], ['SYN-SENT', 'ESTABLISHED'], ['SYN-RECEIVED', 'ESTABLISHED'],
  ['SYN-RECEIVED', 'FIN-WAIT-1'], ['ESTABLISHED', 'FIN-WAIT-1'], ['ESTABLISHED', 'CLOSE-WAIT'],
  ['FIN-WAIT-1', 'FIN-WAIT-2'], ['FIN-WAIT-1', 'CLOSING'], ['FIN-WAIT-1', 'TIME-WAIT'],
  ['FIN-WAIT-2', 'TIME-WAIT'], ['CLOSING', 'TIME-WAIT'], ['CLOSE-WAIT', 'LAST-ACK'],
  ['LAST-ACK', 'CLOSED', [336, 120]], ['TIME-WAIT', 'CLOSED', [-6, 150]], ['SYN-SENT', 'CLOSED'],
];

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/* The path of an edge from the border of one box towards the other. */
function edgePath(from, to, ctrl) {
  const [x1, y1] = POS[from];
  const [x2, y2] = POS[to];
  const [cx, cy] = ctrl ?? [(x1 + x2) / 2, (y1 + y2) / 2];
  /* Shorten the end so the arrowhead stays outside the target box. */
  const dx = x2 - cx;
  const dy = y2 - cy;
  const k = Math.min(Math.abs((NODE_W / 2 + 3) / (dx || 1e-9)), Math.abs((NODE_H / 2 + 3) / (dy || 1e-9)));
  const ex = x2 - dx * Math.min(k, 1);
  const ey = y2 - dy * Math.min(k, 1);
  return ctrl ? `M${x1},${y1} Q${cx},${cy} ${ex},${ey}` : `M${x1},${y1} L${ex},${ey}`;
}

/** Seconds left, as "8.4 s". */
const secs = (ms) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;

export class StateMachine {
  /** box: the element to draw in; side: 'client' or 'server'. */
  constructor(box, side) {
    this.box = box;
    this.side = side;
    this.key = null;
  }

  /** Draw `model`'s state of this side; `now` drives the TIME-WAIT countdown. */
  render(model, now) {
    const st = model.state[this.side];
    const tw = model.tw[this.side];
    const countdown = st.now === 'TIME-WAIT' && tw !== null ? secs(tw - now) : '';
    const key = `${st.now}|${st.from}|${st.t}|${countdown}|${model.tuple?.sPort}`;
    if (key === this.key) return;
    this.key = key;
    if (!st.now) {
      const p = document.createElement('p');
      p.className = 'muted';
      p.textContent = 'The server is a real host: its state is not visible, only its segments.';
      this.box.replaceChildren(p);
      return;
    }
    const svg = el('svg', { viewBox: `0 0 ${W} ${H}`, class: 'fsm', role: 'img',
      'aria-label': `${this.side} state ${st.now}${st.from ? `, last transition ${st.from} to ${st.now}` : ''}` });
    const id = `arrow-${this.side}`;
    const defs = el('defs');
    const marker = el('marker', { id, viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
    marker.append(el('path', { d: 'M0,0 L10,5 L0,10 z', class: 'last-head' }));
    defs.append(marker);
    svg.append(defs);
    for (const [a, b, c] of EDGES) svg.append(el('path', { d: edgePath(a, b, c), class: 'edge' }));
    if (st.from && POS[st.from] && POS[st.now] && st.from !== st.now) {
      const known = EDGES.find(([a, b]) => a === st.from && b === st.now);
      svg.append(el('path', { d: edgePath(st.from, st.now, known?.[2]), class: `last${known ? '' : ' unusual'}`, 'marker-end': `url(#${id})` }));
    }
    for (const [name, [x, y]] of Object.entries(POS)) {
      const lit = name === st.now;
      const g = el('g', { class: `state${lit ? ' lit' : ''}${model.passed[this.side].includes(name) ? ' passed' : ''}`, 'data-state': name });
      g.append(el('rect', { x: x - NODE_W / 2, y: y - NODE_H / 2, width: NODE_W, height: NODE_H, rx: 5 }));
      g.append(el('text', { x, y: y + 4, 'text-anchor': 'middle' }, name));
      svg.append(g);
    }
    const caption = document.createElement('p');
    caption.className = 'fsm-caption';
    caption.textContent = st.from
      ? `${st.from} → ${st.now} at ${(st.t / 1000).toFixed(3)} s`
      : `${st.now}${this.side === 'server' && model.tuple && st.now === 'CLOSED' ? ` (nothing listens on port ${model.tuple.sPort})` : ''}`;
    const nodes = [svg, caption];
    if (countdown) {
      const p = document.createElement('p');
      p.className = 'countdown';
      p.textContent = `TIME-WAIT: closes in ${countdown} (2 × MSL)`;
      nodes.push(p);
    }
    this.box.replaceChildren(...nodes);
  }
}
