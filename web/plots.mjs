/*
 * Canvas plots: the time-sequence graph (as tcptrace's or Wireshark's
 * Stevens graph: each data segment a vertical bar from its first to its
 * last byte at the time it was sent, the receiver's ACK line and the
 * window line ACK + advertised window above it), and step-line charts over
 * time (cwnd, ssthresh, bytes in flight; smoothed RTT and RTO).
 */

const PAD_L = 48;
const PAD_B = 18;
const PAD_T = 8;
const PAD_R = 8;

/* Fit the canvas's pixel size to its displayed size; returns the 2D context. */
function fit(canvas) {
  const ratio = globalThis.devicePixelRatio || 1;
  const w = Math.max(200, Math.round(canvas.clientWidth || canvas.width));
  const h = Math.max(100, Math.round(canvas.clientHeight || canvas.height));
  if (canvas.width !== Math.round(w * ratio) || canvas.height !== Math.round(h * ratio)) {
    canvas.width = Math.round(w * ratio);
    canvas.height = Math.round(h * ratio);
  }
  const g = canvas.getContext('2d');
  g.setTransform(ratio, 0, 0, ratio, 0, 0);
  g.clearRect(0, 0, w, h);
  g.font = '11px ui-monospace, monospace';
  return { g, w, h };
}

function human(v, unit) {
  if (unit === 'ms') return `${Math.round(v)} ms`;
  if (v >= 1 << 20) return `${(v / (1 << 20)).toFixed(1)}M`;
  if (v >= 1024) return `${Math.round(v / 1024)}K`;
  return String(Math.round(v));
}

/* The page's muted text colour (light or dark scheme). */
function muted(g) {
  return getComputedStyle(g.canvas).getPropertyValue('--muted').trim() || '#475467';
}

/* Axes with a y label at the top and the time span at the right. */
function axes(g, w, h, ymax, t0, t1, unit) {
  g.strokeStyle = '#98a2b3';
  g.fillStyle = muted(g);
  g.lineWidth = 1;
  g.beginPath();
  g.moveTo(PAD_L, PAD_T);
  g.lineTo(PAD_L, h - PAD_B);
  g.lineTo(w - PAD_R, h - PAD_B);
  g.stroke();
  g.textAlign = 'right';
  g.fillText(human(ymax, unit), PAD_L - 4, PAD_T + 9);
  g.fillText('0', PAD_L - 4, h - PAD_B);
  g.fillText(`${Math.round(t1 - t0)} ms`, w - PAD_R, h - 4);
  g.textAlign = 'left';
  g.fillText('0', PAD_L, h - 4);
}

function empty(g, w, h, text) {
  g.fillStyle = muted(g);
  g.textAlign = 'center';
  g.fillText(text, w / 2, h / 2);
  g.textAlign = 'left';
}

/**
 * The time-sequence graph of the direction from `side` (relative sequence
 * numbers), at times up to `now`. Returns the number of data segments drawn.
 */
export function drawTimeSeq(canvas, model, side, now) {
  const { g, w, h } = fit(canvas);
  const data = model.segs.filter((s) => s.from === side && (s.len > 0 || /[SF]/.test(s.flags)));
  const acks = model.segs.filter((s) => s.from !== side && s.rack !== null && !s.fate && !s.flags.includes('R'));
  if (!data.length) {
    empty(g, w, h, `no data from the ${side} yet`);
    return 0;
  }
  const t0 = model.t0;
  const t1 = Math.max(now, data.at(-1).t, t0 + 1);
  let ymax = 1;
  for (const s of data) ymax = Math.max(ymax, s.rseq + s.len + 1);
  for (const a of acks) ymax = Math.max(ymax, Math.min(a.rack + a.win, ymax * 4));
  const x = (t) => PAD_L + ((t - t0) / (t1 - t0)) * (w - PAD_L - PAD_R);
  const y = (v) => h - PAD_B - (Math.min(v, ymax) / ymax) * (h - PAD_B - PAD_T);
  axes(g, w, h, ymax, t0, t1, 'bytes');
  /* ACK line and window line: steps at the times ACKs were sent. */
  for (const [key, color, width] of [['win', '#16a34a', 1.2], ['ack', '#64748b', 1.5]]) {
    if (!acks.length) break;
    g.strokeStyle = color;
    g.lineWidth = width;
    g.beginPath();
    let last = null;
    for (const a of acks) {
      const v = key === 'ack' ? a.rack : a.rack + a.win;
      if (last === null) g.moveTo(x(a.t), y(v));
      else { g.lineTo(x(a.t), y(last)); g.lineTo(x(a.t), y(v)); }
      last = v;
    }
    g.lineTo(x(t1), y(last));
    g.stroke();
  }
  for (const s of data) {
    const cx = x(s.t);
    const top = y(s.rseq + Math.max(s.len, 1));
    const bottom = y(s.rseq);
    g.strokeStyle = s.fate ? '#dc2626' : s.rexmit ? '#ea580c' : '#1d4ed8';
    g.lineWidth = s.rexmit || s.fate ? 2.5 : 1.5;
    g.beginPath();
    g.moveTo(cx, bottom);
    g.lineTo(cx, Math.min(top, bottom - 2));
    g.stroke();
    if (s.fate) {
      g.beginPath();
      g.moveTo(cx - 4, top - 4); g.lineTo(cx + 4, top + 4);
      g.moveTo(cx + 4, top - 4); g.lineTo(cx - 4, top + 4);
      g.stroke();
    }
  }
  return data.length;
}

/**
 * A step-line chart of `points` ({ t, ...values }) for `series`
 * ([{ key, color, label }]) from t0 to now. unit: 'bytes' or 'ms'.
 * Returns the number of points drawn.
 */
export function drawChart(canvas, points, series, t0, now, unit) {
  const { g, w, h } = fit(canvas);
  if (!points.length) {
    empty(g, w, h, 'no data yet');
    return 0;
  }
  const t1 = Math.max(now, points.at(-1).t, t0 + 1);
  let ymax = 1;
  for (const p of points) for (const s of series) if (p[s.key] != null) ymax = Math.max(ymax, p[s.key]);
  const x = (t) => PAD_L + ((Math.max(t, t0) - t0) / (t1 - t0)) * (w - PAD_L - PAD_R);
  const y = (v) => h - PAD_B - (v / ymax) * (h - PAD_B - PAD_T);
  axes(g, w, h, ymax, t0, t1, unit);
  for (const s of series) {
    g.strokeStyle = s.color;
    g.lineWidth = 1.6;
    g.setLineDash(s.dash ?? []);
    g.beginPath();
    let last = null;
    for (const p of points) {
      const v = p[s.key];
      if (v == null) continue;
      if (last === null) g.moveTo(x(p.t), y(v));
      else { g.lineTo(x(p.t), y(last)); g.lineTo(x(p.t), y(v)); }
      last = v;
    }
    if (last !== null) g.lineTo(x(t1), y(last));
    g.stroke();
  }
  g.setLineDash([]);
  return points.length;
}

/** A legend: one swatch and label per series. */
export function legend(box, series) {
  box.replaceChildren(...series.map((s) => {
    const span = document.createElement('span');
    const i = document.createElement('i');
    i.style.background = s.color;
    if (s.dash) i.className = 'dash';
    span.append(i, s.label);
    return span;
  }));
}
