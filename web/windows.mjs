/*
 * Each side's windows as bars over sequence space (RFC 9293 §3.3.1,
 * Figures 3 and 4): on the send side what is acknowledged, in flight,
 * usable (allowed by both the peer's window and cwnd, RFC 5681) and not
 * yet allowed; on the receive side the receive buffer's fill (received,
 * not yet read by the application) and the window still offered.
 */

function fmt(n) {
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 10240) return `${Math.round(n / 1024)} KiB`;
  return `${n} B`;
}

function bar(label, parts, note) {
  const row = document.createElement('div');
  row.className = 'wbar-row';
  const name = document.createElement('div');
  name.className = 'wbar-name';
  name.textContent = label;
  const b = document.createElement('div');
  b.className = 'wbar';
  b.setAttribute('role', 'img');
  b.setAttribute('aria-label', `${label}: ${parts.map((p) => `${p.label} ${fmt(p.bytes)}`).join(', ')}`);
  const total = parts.reduce((n, p) => n + (p.fixed ? 0 : p.bytes), 0) || 1;
  const fixed = parts.reduce((n, p) => n + (p.fixed ?? 0), 0);
  for (const p of parts) {
    const d = document.createElement('div');
    d.className = `wpart ${p.cls}`;
    d.style.flexBasis = `${p.fixed ?? ((p.bytes / total) * (100 - fixed))}%`;
    d.title = `${p.label}: ${fmt(p.bytes)}`;
    b.append(d);
  }
  const legend = document.createElement('div');
  legend.className = 'wbar-legend';
  legend.textContent = parts.map((p) => `${p.label} ${fmt(p.bytes)}`).join(' · ') + (note ? ` — ${note}` : '');
  row.append(name, b, legend);
  return row;
}

/** Draw the windows of `side` from the model into box. */
export function renderWindows(box, model, side, capacity) {
  const w = model.win[side];
  if (!w) {
    const p = document.createElement('p');
    p.className = 'muted';
    p.textContent = side === 'server' && !model.cfg.twoSided
      ? 'The server is a real host: its windows are not visible.'
      : 'No connection yet.';
    box.replaceChildren(p);
    return;
  }
  const cc = model.cc[side].at(-1);
  const inflight = (w.snd_nxt - w.snd_una) >>> 0;
  const allowed = cc ? Math.min(w.snd_wnd, cc.cwnd) : w.snd_wnd;
  const usable = Math.max(0, allowed - inflight);
  const queued = Math.max(0, w.sndbuf - inflight);
  const blocked = Math.max(0, queued - usable);
  const acked = Math.max(0, model.rel(side, w.snd_una) - 1);
  const limit = cc && cc.cwnd < w.snd_wnd ? 'cwnd limits' : 'the peer\'s window limits';
  const send = bar('send', [
    { label: 'acknowledged', bytes: acked, cls: 'acked', fixed: 10 },
    { label: 'in flight', bytes: inflight, cls: 'inflight' },
    { label: 'usable', bytes: usable, cls: 'usable' },
    { label: 'queued, not yet allowed', bytes: blocked, cls: 'blocked' },
  ], w.snd_wnd === 0 ? 'zero window: the sender must wait (persist timer)' : limit);
  const cap = capacity || w.rcvbuf + w.rcv_wnd;
  const recv = bar('receive', [
    { label: 'in buffer, unread', bytes: w.rcvbuf, cls: 'unread' },
    { label: 'window offered', bytes: w.rcv_wnd, cls: 'window' },
    { label: 'held back', bytes: Math.max(0, cap - w.rcvbuf - w.rcv_wnd), cls: 'blocked' },
  ], `buffer ${Math.round((100 * w.rcvbuf) / Math.max(cap, 1))}% full`);
  box.replaceChildren(send, recv);
}
