/*
 * The ladder (sequence) diagram: one row per segment of the followed
 * connection, client on the left, server on the right; flags, sequence
 * and acknowledgment numbers relative to each direction's ISN, length,
 * window and options on the arrow. Retransmissions are dashed and marked,
 * lost or dropped segments stop half-way at a cross. Rows are focusable:
 * click, Enter or the arrow keys select one and its every field is shown.
 */
const SVG = 'http://www.w3.org/2000/svg';
const ROW = 24;
const MAX_ROWS = 500;

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** CSS class of a segment's kind (colours in style.css). */
export function kindOf(s) {
  if (s.flags.includes('R')) return 'rst';
  if (s.flags.includes('S')) return 'syn';
  if (s.flags.includes('F')) return 'fin';
  if (s.len > 0) return 'data';
  return 'ack';
}

function optsText(o) {
  const parts = [];
  if (o.mss) parts.push(`mss ${o.mss}`);
  if (o.ws !== undefined) parts.push(`ws ${o.ws}`);
  if (o.sackok) parts.push('sackOK');
  if (o.sack) parts.push(`sack ${o.sack.length}`);
  if (o.ts) parts.push('ts');
  return parts.length ? ` <${parts.join(' ')}>` : '';
}

/** The one-line label of a segment (also what the tests read). */
export function segLabel(s) {
  return `${s.flags} seq=${s.rseq}${s.rack !== null ? ` ack=${s.rack}` : ''} len=${s.len} win=${s.win}`
    + `${optsText(s.opts)}${s.rexmit ? ' (rexmit)' : ''}${s.fate ? ` (${s.fate})` : ''}`;
}

export class Ladder {
  /** box: the scrolling container; details: where a selected segment's fields go. */
  constructor(box, details) {
    this.box = box;
    this.details = details;
    this.selected = null;
    this.model = null;
    this.drawn = -1;
    box.addEventListener('click', (e) => {
      const g = e.target.closest?.('g.seg');
      if (g) this.select(Number(g.dataset.i), true);
    });
    box.addEventListener('keydown', (e) => this.onKey(e));
  }

  onKey(e) {
    const g = e.target.closest?.('g.seg');
    if (!g) return;
    const i = Number(g.dataset.i);
    let next = null;
    if (e.key === 'Enter' || e.key === ' ') next = i;
    else if (e.key === 'ArrowDown') next = i + 1;
    else if (e.key === 'ArrowUp') next = i - 1;
    else if (e.key === 'Home') next = this.model.segs[0]?.i;
    else if (e.key === 'End') next = this.model.segs.at(-1)?.i;
    if (next === null || next === undefined) return;
    e.preventDefault();
    e.stopPropagation();
    this.select(next, true);
  }

  /** Select segment number i (its index in the model) and show its fields. */
  select(i, focus) {
    const seg = this.model?.segs.find((s) => s.i === i);
    if (!seg) return;
    this.selected = i;
    this.showDetails(seg);
    for (const g of this.box.querySelectorAll('g.seg.selected, g.seg[tabindex="0"]')) {
      g.classList.remove('selected');
      g.setAttribute('tabindex', -1);
    }
    const g = this.box.querySelector(`g.seg[data-i="${i}"]`);
    if (g) {
      g.classList.add('selected');
      g.setAttribute('tabindex', 0);
      if (focus) g.focus();
    }
  }

  showDetails(s) {
    const p = s.rec.pkt;
    const o = s.opts;
    const rows = [
      ['time', `${(s.t - this.model.t0).toFixed(1)} ms after the SYN${s.rec.arrivedAt !== undefined
        ? `, arrived ${(s.rec.arrivedAt - s.t).toFixed(1)} ms later` : ''}`],
      ['direction', `${s.from} → ${s.to}`],
      ['addresses', `${p.src}:${p.sport} → ${p.dst}:${p.dport}`],
      ['flags', s.flags],
      ['sequence', `${s.rseq} (relative), ${s.seq} (absolute)`],
      ['acknowledgment', s.rack === null ? '— (no ACK flag)' : `${s.rack} (relative), ${s.ack} (absolute)`],
      ['payload', `${s.len} bytes`],
      ['window', `${s.win} bytes (field ${p.rawWin}${s.win !== p.rawWin ? `, scaled ×${s.win / Math.max(p.rawWin, 1)}` : ''})`],
      ['header length', `${p.hlen} bytes`],
      ['checksum', `0x${p.checksum.toString(16).padStart(4, '0')}`],
      ['urgent pointer', String(p.urgent)],
      ['MSS option', o.mss ?? '—'],
      ['window scale option', o.ws ?? '—'],
      ['SACK permitted', o.sackok ? 'yes' : '—'],
      ['SACK blocks', o.sack ? o.sack.map(([a, b]) => `${a}–${b}`).join(', ') : '—'],
      ['timestamps', o.ts ? `TSval ${o.ts[0]}, TSecr ${o.ts[1]}` : '—'],
      ['IP', `id ${p.id}, TTL ${p.ttl}${p.df ? ', DF' : ''}, total length ${p.ipLen}`],
      ['retransmission', s.rexmit ? 'yes' : 'no'],
      ['fate', { lost: 'lost on the wire', dropped: 'dropped on your request', filtered: 'dropped by the server (SYN filter)' }[s.fate] ?? 'delivered'],
    ];
    const box = this.details;
    box.replaceChildren();
    const h = document.createElement('h3');
    h.textContent = `Segment ${s.i + 1}: ${s.flags}`;
    const p1 = document.createElement('p');
    p1.textContent = s.text;
    const dl = document.createElement('dl');
    for (const [k, v] of rows) {
      const dt = document.createElement('dt');
      dt.textContent = k;
      const dd = document.createElement('dd');
      dd.textContent = String(v);
      dl.append(dt, dd);
    }
    box.append(h, p1, dl);
  }

  /** Draw the model's segments (when they changed). */
  render(model) {
    if (model !== this.model) this.drawn = -1;
    this.model = model;
    const key = `${model.segs.length}:${model.segs.at(-1)?.i}:${model.t0}:${this.box.clientWidth}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const box = this.box;
    const hadFocus = box.contains(document.activeElement) ? document.activeElement.dataset?.i : undefined;
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 30;
    const width = Math.max(box.clientWidth - 4, 460);
    const left = 74;
    const right = width - 30;
    const rows = model.segs.slice(-MAX_ROWS);
    const height = (rows.length + 1) * ROW + 14;
    const svg = el('svg', { width, height, viewBox: `0 0 ${width} ${height}`, role: 'list', 'aria-label': 'segments' });
    svg.append(el('text', { x: left, y: 14, 'text-anchor': 'middle', class: 'side' }, 'client'));
    svg.append(el('text', { x: right, y: 14, 'text-anchor': 'middle', class: 'side' }, 'server'));
    svg.append(el('line', { x1: left, y1: 20, x2: left, y2: height, class: 'axis' }));
    svg.append(el('line', { x1: right, y1: 20, x2: right, y2: height, class: 'axis' }));
    rows.forEach((s, n) => {
      const y = 22 + (n + 1) * ROW;
      const out = s.from === 'client';
      const x1 = out ? left : right;
      const x2 = out ? right : left;
      const y1 = y - ROW + 8;
      const cls = ['seg', kindOf(s)];
      if (s.rexmit) cls.push('rexmit');
      if (s.fate) cls.push('lost');
      if (s.i === this.selected) cls.push('selected');
      const label = segLabel(s);
      /* One tab stop for the whole ladder (roving tabindex): the selected or the last row. */
      const stop = this.selected === null ? n === rows.length - 1 : s.i === this.selected;
      const g = el('g', { class: cls.join(' '), 'data-i': s.i, tabindex: stop ? 0 : -1, role: 'listitem', 'aria-label': `${s.from}: ${label}. ${s.text}` });
      g.append(el('rect', { x: 0, y: y1 - 10, width, height: ROW, class: 'hit' }));
      g.append(el('text', { x: 2, y: y - 4, class: 'time' }, `${(s.t - model.t0).toFixed(0)} ms`));
      if (s.fate) {
        const xm = x1 + (x2 - x1) * 0.55;
        const ym = y1 + (y - y1) * 0.55;
        g.append(el('line', { x1, y1, x2: xm, y2: ym, class: 'arrow' }));
        g.append(el('path', { d: `M${xm - 5},${ym - 5} l10,10 m0,-10 l-10,10`, class: 'cross' }));
      } else {
        g.append(el('line', { x1, y1, x2, y2: y, class: 'arrow' }));
        const dx = out ? -8 : 8;
        g.append(el('path', { d: `M${x2},${y} l${dx},-5 l0,9 z`, class: 'head' }));
      }
      if (s.rexmit) g.append(el('text', { x: x1 + (out ? -16 : 6), y: y1 + 4, class: 'mark' }, '↻'));
      g.append(el('text', { x: (left + right) / 2, y: (y1 + y) / 2 - 4, 'text-anchor': 'middle', class: 'label' }, label));
      svg.append(g);
    });
    box.replaceChildren(svg);
    if (atBottom) box.scrollTop = box.scrollHeight;
    if (hadFocus !== undefined) box.querySelector(`g.seg[data-i="${hadFocus}"]`)?.focus({ preventScroll: true });
  }
}
