/*
 * The playhead. Every record of a session is kept; the views show the
 * model built from the records up to the playhead. Live, the playhead is
 * "now". Paused, records keep arriving but wait. Step moves to the next
 * segment (or back to the previous one); slow motion lets the playhead
 * follow the recorded times at a fraction of real speed, so a handshake
 * that took 80 ms can be watched over seconds (idle stretches are cut).
 */
import { Model } from './model.mjs';

/* ms of session time: longer pauses between records are cut in slow motion. */
const MAX_GAP = 250;

export class Player {
  /**
   * @param cfg the Model's configuration
   * @param now () => ms of the session clock
   * @param onChange called after the model changed
   */
  constructor(cfg, now, onChange) {
    this.cfg = cfg;
    this.now = now;
    this.onChange = onChange;
    this.records = [];
    this.model = new Model(cfg);
    this.cursor = 0;
    this.paused = false;
    this.speed = 1;
    this.playT = 0;
    this.idle = true;
    this.lastTick = now();
    this.timer = setInterval(() => this.tick(), 50);
  }

  /** A new record (in the order things happened). */
  push(rec) {
    this.records.push(rec);
    if (!this.paused && this.speed === 1) this.advance(Infinity);
    else this.onChange();
  }

  /** Records recorded but not shown yet. */
  get waiting() {
    return this.records.length - this.cursor;
  }

  /** The time the views show. */
  get time() {
    return this.paused || this.speed !== 1 ? this.playT : this.now();
  }

  tick() {
    const t = this.now();
    const dt = t - this.lastTick;
    this.lastTick = t;
    if (this.paused) return;
    if (this.speed === 1) {
      this.playT = t;
      if (this.waiting) this.advance(Infinity);
      return;
    }
    this.playT = Math.min(this.playT + dt * this.speed, t);
    /* Idle stretches are skipped, not replayed slowly: a record after a
     * quiet time shows half a second later; gaps between records are cut
     * to MAX_GAP. */
    const next = this.records[this.cursor];
    const lead = this.idle ? Math.min(MAX_GAP, 500 * this.speed) : MAX_GAP;
    if (next && next.t - this.playT > lead) this.playT = next.t - lead;
    this.idle = !next;
    if (this.waiting) this.advance(this.playT);
    this.onChange();
  }

  /* Apply records whose time has come (all when until is Infinity). */
  advance(until) {
    let n = 0;
    while (this.cursor < this.records.length && this.records[this.cursor].t <= until) {
      this.model.apply(this.records[this.cursor++]);
      n++;
    }
    if (n) this.onChange();
  }

  pause() {
    if (this.paused) return;
    this.playT = this.time;
    this.paused = true;
    this.onChange();
  }

  resume() {
    this.paused = false;
    this.lastTick = this.now();
    this.onChange();
  }

  /** Slow motion factor: 1 is real time. */
  setSpeed(f) {
    if (this.speed === 1 && f !== 1) this.playT = this.cursor ? this.records[this.cursor - 1].t : this.now();
    this.speed = f;
    this.lastTick = this.now();
    this.onChange();
  }

  /** Show up to and including the next segment (pauses). */
  step() {
    this.pause();
    while (this.cursor < this.records.length) {
      const rec = this.records[this.cursor++];
      this.model.apply(rec);
      this.playT = Math.max(this.playT, rec.t);
      if (this.isSegment(rec)) break;
    }
    /* The trace events that the segment caused come with it. */
    while (this.cursor < this.records.length && this.records[this.cursor].kind !== 'frame') {
      this.model.apply(this.records[this.cursor++]);
    }
    this.onChange();
  }

  /** Go back to just after the previous segment (pauses). */
  stepBack() {
    this.pause();
    let target = this.cursor - 1;
    while (target > 0 && !this.isSegment(this.records[target])) target--;
    target--;
    while (target > 0 && !this.isSegment(this.records[target])) target--;
    this.rebuild(Math.max(target, -1));
    while (this.cursor < this.records.length && this.records[this.cursor].kind !== 'frame') {
      this.model.apply(this.records[this.cursor++]);
    }
    this.playT = this.cursor ? this.records[this.cursor - 1].t : 0;
    this.onChange();
  }

  /* A fresh model with records 0..last applied. */
  rebuild(last) {
    this.model = new Model(this.cfg);
    this.cursor = 0;
    while (this.cursor <= last) this.model.apply(this.records[this.cursor++]);
  }

  isSegment(rec) {
    return rec.kind === 'frame' && rec.pkt.proto === 'tcp';
  }

  stop() {
    clearInterval(this.timer);
  }
}
