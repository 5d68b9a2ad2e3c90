/*
 * synack_posix under Emscripten, the JavaScript half for the Worker
 * model (SYNACK_EM_BLOCKING=worker synack-emcc; the Asyncify model is
 * synack_posix.js). The program runs in a worker thread and really
 * blocks: synack_em_wait is an Atomics.wait. The thread that started it
 * (pre_worker.js: in Node the process's main thread; in a page the
 * page, SynackRing.run in ring.js) owns the WebSocket,
 * cuts the stream into frames and puts them into a ring in a
 * SharedArrayBuffer; frames the program sends go to it by postMessage,
 * already framed, one message per batch.
 *
 * Shared memory (SynackRing, ring.js): Int32 words CTL_HEAD and
 * CTL_TAIL (bytes written and read, wrapping), CTL_STATE (0 opening,
 * 1 open, -1 failed, -2 gone), CTL_SEQ (bumped and notified on every
 * change), a reason text, then the ring: frames as a 4-byte length
 * (little-endian) and the bytes, wrapping at the end.
 */
mergeInto(LibraryManager.library, {
  $SynackEmW: {
    ring: null,       // { ctl: Int32Array, data: Uint8Array, text: Uint8Array }
    pending: [],
    pendingBytes: 0,
    BATCH_MAX: 256 * 1024,

    get: function() {
      if (SynackEmW.ring === null) SynackEmW.ring = SynackRing.attach(Module['synackSab']);
      return SynackEmW.ring;
    },
    avail: function(r) {
      return Atomics.load(r.ctl, SynackRing.CTL_HEAD) !== Atomics.load(r.ctl, SynackRing.CTL_TAIL);
    },
    down: function(r) {
      return Atomics.load(r.ctl, SynackRing.CTL_STATE) < 0;
    },
    // The frames sent since the last flush, framed, in one message.
    flush: function() {
      var S = SynackEmW;
      if (S.pending.length === 0) return;
      var out = new Uint8Array(S.pendingBytes), o = 0;
      for (var k = 0; k < S.pending.length; k++) {
        var n = S.pending[k].length;
        out[o] = n >>> 24; out[o + 1] = (n >>> 16) & 255;
        out[o + 2] = (n >>> 8) & 255; out[o + 3] = n & 255;
        out.set(S.pending[k], o + 4);
        o += 4 + n;
      }
      S.pending = [];
      S.pendingBytes = 0;
      SynackRing.post({ synack: 'tx', bytes: out.buffer }, [out.buffer]);
    },
  },

  synack_em_link_open__deps: ['$SynackEmW', '$ENV'],
  synack_em_link_open: function(urlPtr, errPtr, errCap) {
    var r = SynackEmW.get();
    if (r === null) {
      stringToUTF8('not started by a synack host (Module.synackSab missing)', errPtr, errCap);
      return -1;
    }
    SynackRing.post({ synack: 'open', url: UTF8ToString(urlPtr) });
    for (;;) {
      var seq = Atomics.load(r.ctl, SynackRing.CTL_SEQ);
      var st = Atomics.load(r.ctl, SynackRing.CTL_STATE);
      if (st === 1) return 0;
      if (st < 0) {
        stringToUTF8(SynackRing.reason(r), errPtr, errCap);
        return -1;
      }
      Atomics.wait(r.ctl, SynackRing.CTL_SEQ, seq);
    }
  },

  synack_em_link_read__deps: ['$SynackEmW'],
  synack_em_link_read: function(buf, cap) {
    var r = SynackEmW.get();
    if (SynackEmW.avail(r)) {
      var f = SynackRing.take(r);
      var n = Math.min(f.length, cap);
      HEAPU8.set(n === f.length ? f : f.subarray(0, n), buf);
      return n;
    }
    return SynackEmW.down(r) ? 0 : -2;
  },

  synack_em_link_write__deps: ['$SynackEmW'],
  synack_em_link_write: function(ptr, len) {
    var S = SynackEmW;
    if (S.down(S.get())) return -1;
    S.pending.push(HEAPU8.slice(ptr, ptr + len));
    S.pendingBytes += 4 + len;
    if (S.pendingBytes >= S.BATCH_MAX) S.flush();
    return len;
  },

  synack_em_link_close__deps: ['$SynackEmW'],
  synack_em_link_close: function() {
    SynackEmW.flush();
    SynackRing.post({ synack: 'close' });
  },

  // Atomics.wait works inside exit() too: closed connections linger.
  synack_em_exit_can_wait: function() {
    return 1;
  },

  synack_em_wait__deps: ['$SynackEmW'],
  synack_em_wait: function(ms) {
    var S = SynackEmW, r = S.get();
    S.flush();
    var seq = Atomics.load(r.ctl, SynackRing.CTL_SEQ);
    if (S.avail(r) || S.down(r)) return 1;
    if (ms !== 0) Atomics.wait(r.ctl, SynackRing.CTL_SEQ, seq, ms < 0 ? Infinity : ms);
    return S.avail(r) || S.down(r) ? 1 : 0;
  },
});
