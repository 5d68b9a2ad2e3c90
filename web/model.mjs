/*
 * The model behind every view: one followed TCP connection, built by
 * applying records in order. Records are
 *   { kind: 'frame', t, side, pkt, fate, arrivedAt }   a frame side sent
 *   { kind: 'trace', t, side, ev, at }                 a trace event (DESIGN.md)
 *   { kind: 'note', t, text }                           something the user did
 *   { kind: 'bind', t, side, port, ok, code }          the server application bound its port again
 * with t in ms since the session started. 'client' is the stack in the
 * page that connects; 'server' is the other end (a stack in the page in
 * standalone mode, a real host in network mode, where only its segments
 * are seen).
 *
 * The ladder comes from the frames (so every header field is there and
 * drops are known exactly); states, windows, congestion control and timers
 * come from the trace events of the followed connection.
 */
import { explainPhase, explainSegment, explainTrace } from './explain.mjs';
import { TlsTracker } from './tlsrecords.mjs';
import { seqSpan } from './packet.mjs';

const MAX_SEGS = 2000;
const MAX_POINTS = 4000;
const MAX_NOTES = 600;
/* NDP/MLD rows carried over to the next followed connection. */
const MAX_NDP_KEPT = 60;
const SIDES = ['client', 'server'];

const other = (side) => (side === 'client' ? 'server' : 'client');
/* Serial-number comparison (RFC 1982): a after b. */
const after = (a, b) => ((a - b) | 0) > 0;
const cap = (list, n) => { if (list.length > n) list.splice(0, list.length - n); };

export class Model {
  /** cfg: { twoSided (a traced server stack), listenPort, rcvbuf: { client, server }, ip6 (NDP and MLD rows) } */
  constructor(cfg) {
    this.cfg = cfg;
    this.version = 0;
    this.notes = [];
    this.noteSeq = 0;
    this.state = {};
    this.passed = {};
    this.tw = {};
    this.pendingConn = null;
    this.follow(null, 0);
  }

  /* Start following a new connection (tuple null: none yet). */
  follow(tuple, t) {
    /* NDP and MLD rows stay: the address and neighbour set-up before a SYN is part of its story. */
    const ndp = (this.segs ?? []).filter((s) => s.ndp).slice(-MAX_NDP_KEPT);
    ndp.forEach((s, i) => { s.i = i; });
    this.tuple = tuple;
    this.t0 = t;
    this.segs = ndp;
    this.isn = {};
    this.ws = {};
    this.maxEnd = {};
    this.lastAck = {};
    this.finSeq = {};
    this.conn = { client: null, server: null };
    this.cc = { client: [], server: [] };
    this.winSeries = { client: [], server: [] };
    this.win = { client: null, server: null };
    this.phase = { client: null, server: null };
    this.errors = [];
    this.timers = [];
    this.drops = [];
    this.binds = [];
    this.ccFull = { client: [], server: [] };
    /* Describes TLS records if the connection turns out to carry them. */
    this.tls = new TlsTracker();
    const serverStart = !this.cfg.twoSided ? null
      : (tuple && tuple.sPort !== this.cfg.listenPort ? 'CLOSED' : 'LISTEN');
    for (const side of SIDES) {
      const now = side === 'client' ? 'CLOSED' : serverStart;
      this.state[side] = { now, from: null, t };
      this.passed[side] = now ? [now] : [];
      this.tw[side] = null;
    }
    /* The client's SYN-SENT comes before its SYN when ARP has to run first. */
    const p = this.pendingConn;
    this.pendingConn = null;
    if (tuple && p) {
      this.conn.client = p.conn;
      this.state.client = { now: 'SYN-SENT', from: 'CLOSED', t: p.t };
      this.passed.client.push('SYN-SENT');
    }
  }

  /** Apply one record. */
  apply(rec) {
    this.version++;
    if (rec.kind === 'frame') this.frame(rec);
    else if (rec.kind === 'trace') this.trace(rec);
    else if (rec.kind === 'note') this.note(rec.t, null, rec.text, 'action');
    else if (rec.kind === 'bind') this.bind(rec);
  }

  bind(rec) {
    const state = this.state.server.now;
    this.binds.push({ n: this.version, t: rec.t, ok: rec.ok, code: rec.code, serverState: state });
    this.note(rec.t, 'server', rec.ok
      ? `The server binds port ${rec.port} again and listens: the port is free now.`
      : `The server cannot bind port ${rec.port} again: "Address already in use" — its old connection on that port is in ${state}.`,
    rec.ok ? 'action' : 'error');
  }

  note(t, side, text, kind, seg) {
    if (!text) return;
    this.notes.push({ id: this.noteSeq++, t, side, text, kind, seg });
    cap(this.notes, MAX_NOTES);
  }

  frame(rec) {
    const p = rec.pkt;
    if (p.proto === 'icmp6' && this.cfg.ip6 && p.icmp6) return this.addNdp(rec);
    if (p.proto !== 'tcp') return;
    const from = rec.side;
    const cEnd = from === 'client' ? [p.src, p.sport] : [p.dst, p.dport];
    const sEnd = from === 'client' ? [p.dst, p.dport] : [p.src, p.sport];
    const same = this.tuple && this.tuple.cAddr === cEnd[0] && this.tuple.cPort === cEnd[1]
      && this.tuple.sAddr === sEnd[0] && this.tuple.sPort === sEnd[1];
    if (from === 'client' && p.flags === 'S' && !(same && this.isn.client === p.seq)) {
      this.follow({ cAddr: cEnd[0], cPort: cEnd[1], sAddr: sEnd[0], sPort: sEnd[1] }, rec.t);
    } else if (!same) {
      return;
    }
    this.addSeg(rec, from);
  }

  /* An ICMPv6 frame (NDP, MLD, echo, errors): a ladder row of its own, named and explained by ndp.mjs. */
  addNdp(rec) {
    const p = rec.pkt;
    const from = rec.side;
    const seg = {
      i: this.segs.length, n: this.version, t: rec.t, rec, from, to: other(from), flags: '', seq: 0, ack: 0,
      rseq: 0, rack: null, len: 0, win: 0, opts: {}, rexmit: false, fate: rec.fate, duplicated: !!rec.duplicated,
      checksumOk: true, ndp: p.icmp6, text: `${p.icmp6.text}`,
    };
    this.segs.push(seg);
    cap(this.segs, MAX_SEGS);
    this.note(rec.t, from, seg.text, 'ndp', seg);
  }

  addSeg(rec, from) {
    const p = rec.pkt;
    const to = other(from);
    const f = p.flags;
    if (f.includes('S')) {
      this.isn[from] = p.seq;
      this.ws[from] = p.opts.ws;
    }
    const scaled = !f.includes('S') && this.ws.client !== undefined && this.ws.server !== undefined;
    const win = p.rawWin * 2 ** (scaled ? this.ws[from] : 0);
    const rel = (v, isn) => (isn === undefined ? v : (v - isn) >>> 0);
    const span = seqSpan(p);
    const end = (p.seq + span) >>> 0;
    const rexmit = span > 0 && !f.includes('R') && this.maxEnd[from] !== undefined
      && after(this.maxEnd[from], p.seq);
    if (span > 0 && (this.maxEnd[from] === undefined || after(end, this.maxEnd[from]))) this.maxEnd[from] = end;
    if (f.includes('F')) this.finSeq[from] = (p.seq + p.len) >>> 0;
    const prevOther = [...this.segs].reverse().find((s) => s.from === to && !s.ndp);
    const last = this.lastAck[from];
    const pure = p.len === 0 && !/[SFR]/.test(f);
    const seg = {
      i: this.segs.length, n: this.version, t: rec.t, rec, from, to, flags: f, seq: p.seq, ack: p.ack,
      duplicated: !!rec.duplicated, checksumOk: p.checksumOk !== false,
      rseq: rel(p.seq, this.isn[from]), rack: f.includes('A') ? rel(p.ack, this.isn[to]) : null,
      len: p.len, win, opts: p.opts, rexmit, fate: rec.fate,
      answersSyn: f.includes('R') && prevOther?.flags === 'S' && p.ack === ((prevOther.seq + 1) >>> 0),
      handshakeAck: pure && prevOther?.flags === 'SA' && !this.segs.some((s) => s.handshakeAck),
      probe: p.len > 0 && this.lastAck[to]?.win === 0,
      windowOpened: pure && last?.win === 0 && win > 0,
      dupAck: pure && last && last.ack === p.ack && last.win === win
        && this.maxEnd[to] !== undefined && after(this.maxEnd[to], p.ack),
      finAck: pure && this.finSeq[to] !== undefined && p.ack === ((this.finSeq[to] + 1) >>> 0)
        && !(last && last.ack === p.ack),
    };
    if (f.includes('A')) this.lastAck[from] = { ack: p.ack, win };
    /* What TLS records the payload carries, when the connection speaks TLS. */
    if (p.len > 0 && !rexmit && p.payload && this.tls) seg.tls = this.tls.push(from, seg.rseq, p.payload);
    seg.text = explainSegment(seg);
    this.segs.push(seg);
    cap(this.segs, MAX_SEGS);
    this.note(rec.t, from, seg.text, seg.fate ? 'lost' : seg.rexmit ? 'rexmit' : 'seg', seg);
  }

  trace(rec) {
    const { ev, side } = rec;
    if (side === 'client' && ev.ev === 'state' && ev.from === 'CLOSED' && ev.to === 'SYN-SENT') {
      this.conn.client = ev.conn;
      this.pendingConn = { conn: ev.conn, t: rec.t };
    }
    if (side === 'server' && ev.ev === 'seg' && ev.dir === 'in' && ev.flags === 'S'
      && this.tuple && ev.seq === this.isn.client) {
      this.conn.server = ev.conn;
    }
    if (ev.conn === undefined) {
      if (ev.ev === 'drop' && this.tuple) this.drops.push({ n: this.version, t: rec.t, side, layer: ev.layer, reason: ev.reason });
      if (this.tuple) this.note(rec.t, side, explainTrace(ev, side), 'drop');
      return;
    }
    if (ev.conn !== this.conn[side]) return;
    switch (ev.ev) {
      case 'state':
        this.state[side] = { now: ev.to, from: ev.from, t: rec.t };
        this.passed[side].push(ev.to);
        if (ev.to !== 'TIME-WAIT') this.tw[side] = null;
        break;
      case 'cc': {
        const ssthresh = ev.ssthresh > 1e9 ? null : ev.ssthresh;
        this.cc[side].push({ t: rec.t, cwnd: ev.cwnd, ssthresh, inflight: ev.inflight, srtt: ev.srtt, rto: ev.rto });
        cap(this.cc[side], MAX_POINTS);
        this.ccFull[side].push({ n: this.version, t: rec.t, cwnd: ev.cwnd, ssthresh, phase: ev.phase, srtt: ev.srtt, rto: ev.rto });
        cap(this.ccFull[side], MAX_POINTS);
        const before = this.phase[side];
        this.phase[side] = ev.phase;
        if (before !== ev.phase) this.note(rec.t, side, explainPhase(side, before, ev.phase, ev.cwnd), 'cc');
        break;
      }
      case 'win':
        this.win[side] = ev;
        this.winSeries[side].push({ t: rec.t, snd_wnd: ev.snd_wnd, rcv_wnd: ev.rcv_wnd, rcvbuf: ev.rcvbuf });
        cap(this.winSeries[side], MAX_POINTS);
        break;
      case 'timer':
        if (ev.name === 'time-wait') this.tw[side] = ev.action === 'set' ? rec.at : null;
        if (ev.action === 'fired') this.timers.push({ n: this.version, t: rec.t, side, name: ev.name });
        break;
      case 'error':
        this.errors.push({ t: rec.t, side, code: ev.code });
        break;
      default:
        break;
    }
    if (ev.ev !== 'seg') this.note(rec.t, side, explainTrace(ev, side), ev.ev);
  }

  /** Relative-to-ISN value of an absolute sequence number of `side`'s direction. */
  rel(side, v) {
    const isn = this.isn[side];
    return isn === undefined ? v : (v - isn) >>> 0;
  }

  /** A plain summary (tests and the JSON export read it). */
  summary() {
    return {
      tuple: this.tuple,
      segments: this.segs.map((s) => ({
        from: s.from, flags: s.flags, seq: s.rseq, ack: s.rack, len: s.len, win: s.win,
        rexmit: s.rexmit, fate: s.fate ?? null, n: s.n, t: s.t, abs: { seq: s.seq, ack: s.ack },
        dupAck: s.dupAck, probe: s.probe, windowOpened: s.windowOpened, duplicated: s.duplicated, checksumOk: s.checksumOk,
        tls: s.tls ? s.tls.filter((x) => !x.partial && !x.continues).map((x) => x.name) : null, text: s.text,
        ndp: s.ndp ? { type: s.ndp.type, name: s.ndp.name, short: s.ndp.short, src: s.rec.pkt.src, dst: s.rec.pkt.dst } : null,
      })),
      isn: { ...this.isn },
      timers: this.timers.map((x) => ({ ...x })),
      drops: this.drops.map((x) => ({ ...x })),
      binds: this.binds.map((x) => ({ ...x })),
      ccSeries: { client: this.ccFull.client.map((x) => ({ ...x })), server: this.ccFull.server.map((x) => ({ ...x })) },
      lastWin: { client: this.win.client && { ...this.win.client }, server: this.win.server && { ...this.win.server } },
      tw: { ...this.tw },
      states: { client: this.state.client.now, server: this.state.server.now },
      passed: { client: [...this.passed.client], server: [...this.passed.server] },
      cc: { client: this.cc.client.length, server: this.cc.server.length },
      win: { client: this.winSeries.client.length, server: this.winSeries.server.length },
      errors: this.errors.map((e) => e.code),
      notes: this.notes.length,
    };
  }
}
