/*
 * The ladder (sequence) diagram: one row per segment of the followed
 * connection, client on the left, server on the right; flags, sequence
 * and acknowledgment numbers relative to each direction's ISN, length,
 * window and options above the arrow. Arrows slope by their time on the
 * wire; retransmissions are dashed and marked, lost or dropped segments
 * stop half-way at a cross, corrupted ones arrive marked ✗. Runs of
 * ordinary segments (a bulk transfer) collapse into one row that expands
 * on click. Rows are focusable: click, Enter or the arrow keys select one
 * and its every field is shown. The view follows the newest segment until
 * the reader scrolls away, and again once they scroll back to the end.
 */
const SVG = 'http://www.w3.org/2000/svg';
const MAX_ROWS = 500;
/* Row geometry: the label's band, then the arrow, dropping PX_PER_MS per ms on the wire. */
const BAND = 16;
const MIN_DROP = 8;
const MAX_DROP = 56;
const PX_PER_MS = 1;
/* Runs of this many ordinary segments or more collapse into one row. */
const GROUP_MIN = 8;

function el(name, attrs = {}, text) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

/** CSS class of a segment's kind (colours in style.css). */
export function kindOf(s) {
  if (s.ndp) return s.ndp.ndp ? 'ndp' : 'icmp6';
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

/* The TLS records a segment completes, by name (tlsrecords.mjs). */
const tlsNames = (s) => (s.tls ?? []).filter((x) => !x.partial && !x.continues).map((x) => x.name);

/* Short label form: the first record's name, and how many more. */
function tlsText(s) {
  const n = tlsNames(s);
  return n.length ? ` TLS ${n[0]}${n.length > 1 ? ` +${n.length - 1}` : ''}` : '';
}

/** The one-line label of a segment (also what the tests read). */
export function segLabel(s) {
  if (s.ndp) return `${s.ndp.short}${s.fate ? ` (${s.fate})` : ''}`;
  return `${s.flags} seq=${s.rseq}${s.rack !== null ? ` ack=${s.rack}` : ''} len=${s.len} win=${s.win}`
    + `${optsText(s.opts)}${s.rexmit ? ' (rexmit)' : ''}${s.fate ? ` (${s.fate})` : ''}${tlsText(s)}`;
}

export class Ladder {
  /** box: the scrolling container; details: where a selected segment's fields go. */
  constructor(box, details) {
    this.box = box;
    this.details = details;
    this.selected = null;
    this.model = null;
    this.drawn = -1;
    this.follow = true;
    this.expectTop = null;
    /* Where the view last put the scroll position itself (following). */
    this.lastTop = null;
    this.grouping = true;
    this.expanded = new Set();
    this.marked = new Set();
    this.layout = 0;
    /** Called with the new value when following starts or stops. */
    this.onFollow = null;
    box.addEventListener('click', (e) => {
      const grp = e.target.closest?.('g.group');
      if (grp) return this.toggle(Number(grp.dataset.i));
      const g = e.target.closest?.('g.seg');
      if (g) this.select(Number(g.dataset.i), true);
    });
    box.addEventListener('keydown', (e) => this.onKey(e));
    box.addEventListener('scroll', () => this.onScroll());
  }

  onKey(e) {
    const grp = e.target.closest?.('g.group');
    if (grp && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      e.stopPropagation();
      this.toggle(Number(grp.dataset.i));
      return;
    }
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
    if (!this.box.querySelector(`g.seg[data-i="${i}"]`)) this.render(this.model);
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

  /* An ICMPv6 row (NDP, MLD): its addresses and the message's own fields (ndp.mjs). */
  showNdp(s) {
    const p = s.rec.pkt;
    const rows = [
      ['time', this.model.tuple ? `${Math.abs(s.t - this.model.t0).toFixed(1)} ms ${s.t < this.model.t0 ? 'before' : 'after'} the SYN`
        : `${s.t.toFixed(1)} ms after the start`],
      ['direction', `${s.from} → ${s.to}${this.model.cfg.twoSided ? '' : ' (the right-hand column is the network: slirp\'s router and the host)'}`],
      ['addresses', `${p.src} → ${p.dst}`],
      ['IPv6', `hop limit ${p.hopLimit}, payload length ${p.ipLen - 40}${p.ext ? `, extension headers ${p.ext.map((x) => ({ 0: 'hop-by-hop', 43: 'routing', 60: 'destination options' }[x])).join(', ')}` : ''}`],
      ...s.ndp.fields,
    ];
    const box = this.details;
    box.replaceChildren();
    const h = document.createElement('h3');
    h.textContent = `Row ${s.i + 1}: ICMPv6 ${s.ndp.name}`;
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

  showDetails(s) {
    if (s.ndp) return this.showNdp(s);
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
      ...(s.tls ? [['TLS records', tlsNames(s).join(', ') || (s.tls[0]?.continues ? 'the middle of a record' : 'the start of a record')]] : []),
      ['window', `${s.win} bytes (field ${p.rawWin}${s.win !== p.rawWin ? `, scaled ×${s.win / Math.max(p.rawWin, 1)}` : ''})`],
      ['header length', `${p.hlen} bytes`],
      ['checksum', `0x${p.checksum.toString(16).padStart(4, '0')}${p.checksumOk === false
        ? ` — WRONG: the bytes sum to 0x${p.checksumExpected.toString(16).padStart(4, '0')}` : ' (correct)'}`],
      ['urgent pointer', String(p.urgent)],
      ['MSS option', o.mss ?? '—'],
      ['window scale option', o.ws ?? '—'],
      ['SACK permitted', o.sackok ? 'yes' : '—'],
      ['SACK blocks', o.sack ? o.sack.map(([a, b]) => `${a}–${b}`).join(', ') : '—'],
      ['timestamps', o.ts ? `TSval ${o.ts[0]}, TSecr ${o.ts[1]}` : '—'],
      p.family === 6 ? ['IPv6', `hop limit ${p.hopLimit}, flow label ${p.flowLabel}, payload length ${p.ipLen - 40}`]
        : ['IP', `id ${p.id}, TTL ${p.ttl}${p.df ? ', DF' : ''}, total length ${p.ipLen}`],
      ['retransmission', s.rexmit ? 'yes' : 'no'],
      ['fate', { lost: 'lost on the wire', dropped: 'dropped on your request', filtered: 'dropped by the server (SYN filter)',
        corrupted: 'corrupted on the wire: the receiver drops it (bad checksum)' }[s.fate] ?? 'delivered'],
      ['duplicated', s.duplicated ? 'yes: the wire delivered it twice' : 'no'],
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

  /** Follow the newest segment (true) or stay where the reader scrolled. */
  setFollow(on) {
    this.follow = on;
    this.onFollow?.(on);
    if (on) this.scrollToEnd();
  }

  scrollToEnd() {
    this.expectTop = this.box.scrollHeight - this.box.clientHeight;
    this.box.scrollTop = this.box.scrollHeight;
    this.lastTop = this.box.scrollTop;
  }

  /* A reader's scroll: away from the end stops following, back at the end follows again. */
  onScroll() {
    const box = this.box;
    if (this.expectTop !== null && Math.abs(box.scrollTop - this.expectTop) < 2) {
      this.expectTop = null;
      return;
    }
    this.expectTop = null;
    const atBottom = box.scrollTop + box.clientHeight >= box.scrollHeight - 4;
    if (atBottom !== this.follow) this.setFollow(atBottom);
  }

  /** Group runs of ordinary segments (bulk transfers) into rows that expand on click. */
  setGrouping(on) {
    this.grouping = on;
    this.layout++;
    if (this.model) this.render(this.model);
  }

  /** Segments to show on their own row whatever happens (a lesson's highlights). */
  mark(indices) {
    this.marked = new Set(indices);
    this.layout++;
    if (this.model) this.render(this.model);
    const first = this.box.querySelector('g.seg.marked');
    if (first) this.scrollTo(first);
  }

  scrollTo(g) {
    const y = Number(g.dataset.y ?? 0);
    this.expectTop = null;
    this.box.scrollTop = Math.max(0, y - this.box.clientHeight / 3);
    if (this.follow) {
      this.follow = false;
      this.onFollow?.(false);
    }
  }

  /* Data or a plain ACK that a bulk transfer repeats: nothing a reader must see one by one. */
  ordinary(s) {
    return !s.ndp && !s.fate && !s.rexmit && !s.dupAck && !s.probe && !s.windowOpened && s.win !== 0 && !/[SFRU]/.test(s.flags)
      && !s.handshakeAck && !s.duplicated && s.checksumOk !== false && s.i !== this.selected && !this.marked.has(s.i);
  }

  /* Rows: { seg } or { group: [segs] } for runs of GROUP_MIN ordinary segments or more. */
  rowsOf(segs) {
    if (!this.grouping) return segs.map((seg) => ({ seg }));
    const rows = [];
    let run = [];
    const flush = () => {
      if (run.length >= GROUP_MIN && !this.expanded.has(run[0].i)) rows.push({ group: run });
      else for (const seg of run) rows.push({ seg });
      run = [];
    };
    for (const seg of segs) {
      if (this.ordinary(seg)) run.push(seg);
      else {
        flush();
        rows.push({ seg });
      }
    }
    flush();
    return rows;
  }

  /** Expand or collapse the group that starts with segment i. */
  toggle(i) {
    if (this.expanded.has(i)) this.expanded.delete(i);
    else this.expanded.add(i);
    this.layout++;
    this.render(this.model);
    this.box.querySelector(`g.seg[data-i="${i}"], g.group[data-i="${i}"]`)?.focus({ preventScroll: true });
  }

  /** Draw the model's segments (when they changed). */
  render(model) {
    if (model !== this.model) {
      this.drawn = -1;
      this.expanded = new Set();
    }
    this.model = model;
    const key = `${model.segs.length}:${model.segs.at(-1)?.i}:${model.t0}:${this.box.clientWidth}:${this.layout}:${this.selected}`;
    if (key === this.drawn) return;
    this.drawn = key;
    const box = this.box;
    /* The reader moved away from where following left the view, and its scroll event
     * has not come yet (a redraw can come first under load): stop following rather
     * than take the reader back to the end. */
    if (this.follow && this.lastTop !== null && Math.abs(box.scrollTop - this.lastTop) >= 2 &&
        box.scrollTop + box.clientHeight < box.scrollHeight - 4) this.setFollow(false);
    const hadFocus = box.contains(document.activeElement) ? document.activeElement.dataset?.i : undefined;
    const width = Math.max(box.clientWidth - 4, 460);
    const left = 74;
    const right = width - 30;
    const rows = this.rowsOf(model.segs).slice(-MAX_ROWS);
    const svg = el('svg', { width, viewBox: `0 0 ${width} 0`, role: 'list', 'aria-label': 'segments' });
    svg.append(el('text', { x: left, y: 14, 'text-anchor': 'middle', class: 'side' }, 'client'));
    svg.append(el('text', { x: right, y: 14, 'text-anchor': 'middle', class: 'side' }, 'server'));
    const axes = [el('line', { x1: left, y1: 20, x2: left, class: 'axis' }), el('line', { x1: right, y1: 20, x2: right, class: 'axis' })];
    svg.append(...axes);
    /* Each row: its label in a band of its own, then the arrow below it, sloped by its
     * time on the wire (PX_PER_MS, within MIN_DROP..MAX_DROP): no label is struck
     * through by an arrow, its own or another's. */
    let cursor = 24;
    const last = rows.length - 1;
    rows.forEach((row, n) => {
      if (row.group) {
        cursor = this.drawGroup(svg, row.group, cursor, width, left, right, model, n === last);
        return;
      }
      const s = row.seg;
      const out = s.from === 'client';
      const x1 = out ? left : right;
      const x2 = out ? right : left;
      const y1 = cursor + BAND;
      const wire = s.rec.arrivedAt !== undefined ? s.rec.arrivedAt - s.t : null;
      /* A frame that never arrived has no time on the wire: half the room. */
      const drop = wire === null && s.fate ? MAX_DROP / 2 : Math.min(MAX_DROP, Math.max(MIN_DROP, (wire ?? 0) * PX_PER_MS));
      const y = y1 + drop;
      const cls = ['seg', kindOf(s)];
      if (s.rexmit) cls.push('rexmit');
      if (s.fate) cls.push('lost');
      if (s.fate === 'corrupted') cls.push('corrupted');
      if (s.dupAck) cls.push('dupack');
      if (s.i === this.selected) cls.push('selected');
      if (this.marked.has(s.i)) cls.push('marked');
      const label = segLabel(s);
      /* One tab stop for the whole ladder (roving tabindex): the selected or the last row. */
      const stop = this.selected === null ? n === last : s.i === this.selected;
      const g = el('g', { class: cls.join(' '), 'data-i': s.i, 'data-y': cursor, tabindex: stop ? 0 : -1, role: 'listitem', 'aria-label': `${s.from}: ${label}. ${s.text}` });
      g.append(el('rect', { x: 0, y: cursor, width, height: y - cursor + 4, class: 'hit' }));
      g.append(el('text', { x: 2, y: y1 + 4, class: 'time' }, `${(s.t - model.t0).toFixed(0)} ms`));
      if (s.fate && s.fate !== 'corrupted') {
        const xm = x1 + (x2 - x1) * 0.55;
        const ym = y1 + (y - y1) * 0.55;
        g.append(el('line', { x1, y1, x2: xm, y2: ym, class: 'arrow' }));
        g.append(el('path', { d: `M${xm - 5},${ym - 5} l10,10 m0,-10 l-10,10`, class: 'cross' }));
      } else {
        g.append(el('line', { x1, y1, x2, y2: y, class: 'arrow' }));
        const dx = out ? -8 : 8;
        const slope = (y - y1) / Math.abs(x2 - x1);
        g.append(el('path', { d: `M${x2},${y} l${dx},${-4 - 8 * slope} l0,9 z`, class: 'head' }));
        if (s.fate === 'corrupted') g.append(el('text', { x: x2 + (out ? 4 : -16), y: y + 4, class: 'mark bad' }, '✗'));
      }
      if (s.rexmit) g.append(el('text', { x: x1 + (out ? -16 : 6), y: y1 + 4, class: 'mark' }, '↻'));
      /* The label sits above the arrow's higher end, so the arrow only goes away from it. */
      g.append(el('text', { x: (left + right) / 2, y: y1 - 3, 'text-anchor': 'middle', class: 'label' }, label));
      svg.append(g);
      cursor = y + 6;
    });
    const height = cursor + 8;
    svg.setAttribute('height', height);
    svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
    for (const a of axes) a.setAttribute('y2', height);
    box.replaceChildren(svg);
    if (this.follow) this.scrollToEnd();
    if (hadFocus !== undefined) box.querySelector(`[data-i="${hadFocus}"]`)?.focus({ preventScroll: true });
  }

  /* A collapsed run of segments: one row that says what it holds; click (or Enter) expands it. */
  drawGroup(svg, segs, cursor, width, left, right, model, isLast) {
    const by = (side) => segs.filter((s) => s.from === side);
    const parts = [];
    for (const side of ['client', 'server']) {
      const list = by(side);
      if (!list.length) continue;
      const data = list.filter((s) => s.len > 0);
      const acks = list.length - data.length;
      const bits = [];
      if (data.length) {
        const lo = Math.min(...data.map((s) => s.rseq));
        const hi = Math.max(...data.map((s) => s.rseq + s.len - 1));
        bits.push(`${data.length} data (bytes ${lo}–${hi})`);
      }
      if (acks) bits.push(`${acks} ACK${acks > 1 ? 's' : ''} (up to ${Math.max(...list.map((s) => s.rack ?? 0))})`);
      parts.push(`${side} → ${side === 'client' ? 'server' : 'client'}: ${bits.join(', ')}`);
    }
    const first = segs[0];
    let text = `▸ ${segs.length} segments in ${(segs.at(-1).t - first.t).toFixed(0)} ms — ${parts.join('; ')}`;
    /* Narrow ladders get the short form (7.2 px per character of the 12 px monospace font). */
    if (text.length * 7.2 > right - left - 12) {
      const data = segs.filter((s) => s.len > 0).length;
      text = `▸ ${segs.length} segments: ${data} data, ${segs.length - data} ACKs`;
    }
    const h = 30;
    const stop = this.selected === null && isLast;
    const g = el('g', { class: 'group', 'data-i': first.i, 'data-y': cursor, tabindex: stop ? 0 : -1, role: 'listitem',
      'aria-label': `${text}. Press Enter to expand.`, 'aria-expanded': 'false' });
    g.append(el('rect', { x: left - 6, y: cursor + 4, width: right - left + 12, height: h - 6, rx: 5, class: 'group-box' }));
    g.append(el('text', { x: 2, y: cursor + 21, class: 'time' }, `${(first.t - model.t0).toFixed(0)} ms`));
    g.append(el('text', { x: (left + right) / 2, y: cursor + 21, 'text-anchor': 'middle', class: 'group-label' }, text));
    svg.append(g);
    return cursor + h + 4;
  }
}
