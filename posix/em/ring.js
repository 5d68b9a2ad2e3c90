/*
 * synack_posix under Emscripten, the Worker model's shared ring and its
 * host (SYNACK_EM_BLOCKING=worker). A plain script: synack-emcc adds it
 * with --pre-js (the program's side, and in Node the host too), and a
 * page loads it with <script src> (beside ws_link.js) to host a program
 * in a Web Worker: SynackRing.run(url, options).
 *
 * Shared memory: Int32 words CTL_HEAD and CTL_TAIL (bytes written and
 * read, wrapping), CTL_STATE (0 opening, 1 open, -1 failed, -2 gone),
 * CTL_SEQ (bumped and notified on every change), a reason text, then the
 * ring: frames as a 4-byte length (little-endian) and the bytes,
 * wrapping at the end.
 */
var SynackRing = {
  CTL_HEAD: 0, CTL_TAIL: 1, CTL_STATE: 2, CTL_SEQ: 3,
  TEXT_OFF: 64, TEXT_LEN: 448, DATA_OFF: 512,
  SIZE: 4 << 20, // a power of two: positions are counters modulo 2^32

  create: function() {
    return new SharedArrayBuffer(SynackRing.DATA_OFF + SynackRing.SIZE);
  },
  attach: function(sab) {
    if (!sab) return null;
    return {
      ctl: new Int32Array(sab, 0, 16),
      text: new Uint8Array(sab, SynackRing.TEXT_OFF, SynackRing.TEXT_LEN),
      data: new Uint8Array(sab, SynackRing.DATA_OFF, SynackRing.SIZE),
    };
  },
  bump: function(r) {
    Atomics.add(r.ctl, SynackRing.CTL_SEQ, 1);
    Atomics.notify(r.ctl, SynackRing.CTL_SEQ);
  },
  setState: function(r, state, why) {
    if (why) {
      // The program's C side puts 'synack: link: ' before the reason;
      // WebSocketLink's messages start with 'synack: ' of their own.
      var b = new TextEncoder().encode(String(why).replace(/^synack: /, ''))
        .subarray(0, SynackRing.TEXT_LEN - 1);
      r.text.fill(0);
      r.text.set(b);
    }
    Atomics.store(r.ctl, SynackRing.CTL_STATE, state);
    SynackRing.bump(r);
  },
  reason: function(r) {
    var t = r.text.slice();
    var end = t.indexOf(0);
    return new TextDecoder().decode(t.subarray(0, end < 0 ? t.length : end));
  },
  copyIn: function(r, pos, bytes) {
    var at = (pos >>> 0) % SynackRing.SIZE, first = Math.min(bytes.length, SynackRing.SIZE - at);
    r.data.set(bytes.subarray(0, first), at);
    if (first < bytes.length) r.data.set(bytes.subarray(first), 0);
  },
  copyOut: function(r, pos, len) {
    var out = new Uint8Array(len);
    var at = (pos >>> 0) % SynackRing.SIZE, first = Math.min(len, SynackRing.SIZE - at);
    out.set(r.data.subarray(at, at + first));
    if (first < len) out.set(r.data.subarray(0, len - first), first);
    return out;
  },
  // Host: one frame into the ring; false when it does not fit now.
  put: function(r, frame) {
    var head = Atomics.load(r.ctl, SynackRing.CTL_HEAD), tail = Atomics.load(r.ctl, SynackRing.CTL_TAIL);
    if (((head - tail) >>> 0) + 4 + frame.length > SynackRing.SIZE) return false;
    var n = frame.length;
    SynackRing.copyIn(r, head, new Uint8Array([n & 255, (n >>> 8) & 255, (n >>> 16) & 255, n >>> 24]));
    SynackRing.copyIn(r, head + 4, frame);
    Atomics.store(r.ctl, SynackRing.CTL_HEAD, (head + 4 + n) | 0);
    return true;
  },
  // Program: the next frame (the caller checked there is one).
  take: function(r) {
    var tail = Atomics.load(r.ctl, SynackRing.CTL_TAIL);
    var h = SynackRing.copyOut(r, tail, 4);
    var n = (h[0] | (h[1] << 8) | (h[2] << 16) | (h[3] << 24)) >>> 0;
    var f = SynackRing.copyOut(r, tail + 4, n);
    Atomics.store(r.ctl, SynackRing.CTL_TAIL, (tail + 4 + n) | 0);
    return f;
  },
  // Program -> host.
  post: function(msg, transfer) {
    if (typeof process == 'object' && process.versions && process.versions.node) {
      require('worker_threads').parentPort.postMessage(msg, transfer || []);
    } else {
      postMessage(msg, transfer || []);
    }
  },

  // Host: serve the program's messages on `port` (its Worker); `link`
  // (optional) is the link to use instead of opening its URL.
  host: function(r, port, link) {
    var backlog = [], retry = null;
    var drain = function() {
      retry = null;
      var i = 0;
      while (i < backlog.length && SynackRing.put(r, backlog[i])) i++;
      backlog = backlog.slice(i);
      if (i > 0) SynackRing.bump(r);
      // The ring is full: the program is behind; look again shortly.
      if (backlog.length > 0) retry = setTimeout(drain, 1);
    };
    var attach = function(l) {
      link = l;
      var queued = false;
      l.onframe = function(frame) {
        if (backlog.length === 0 && SynackRing.put(r, frame)) {
          // One wake-up for all the frames of this message.
          if (!queued) {
            queued = true;
            queueMicrotask(function() { queued = false; SynackRing.bump(r); });
          }
        } else {
          backlog.push(frame.slice());
          if (retry === null) drain();
        }
      };
      var gone = function(e) { SynackRing.setState(r, -2, e && e.message); };
      if (l.closed && typeof l.closed.then == 'function') l.closed.then(gone, gone);
      Promise.resolve(l.ready).then(function() { SynackRing.setState(r, 1); },
        function(e) { SynackRing.setState(r, -1, e && e.message ? e.message : String(e)); });
    };
    port.on ? port.on('message', onMessage) : port.addEventListener('message', function(ev) { onMessage(ev.data); });
    function onMessage(m) {
      if (!m || !m.synack) return;
      if (m.synack === 'open') {
        try {
          attach(link || SynackWsLink(m.url));
        } catch (e) {
          SynackRing.setState(r, -1, e && e.message ? e.message : String(e));
        }
      } else if (m.synack === 'tx' && link) {
        var b = new Uint8Array(m.bytes), i = 0;
        while (i + 4 <= b.length) {
          var n = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
          link.send(b.subarray(i + 4, i + 4 + n));
          i += 4 + n;
        }
      } else if (m.synack === 'close' && link && typeof link.close == 'function') {
        link.close();
      }
    }
  },

  /*
   * Page: run a program built with SYNACK_EM_BLOCKING=worker in a Web
   * Worker and host its link. options: link (a URL, or a link object
   * such as WebSocketLink), arguments, env (strings), readFiles (paths
   * whose contents come back at exit). Resolves with { code, files }.
   * Needs SharedArrayBuffer, so a cross-origin isolated page (COOP
   * same-origin, COEP require-corp).
   */
  run: function(scriptUrl, options) {
    var o = options || {};
    if (typeof SharedArrayBuffer != 'function' || (typeof crossOriginIsolated != 'undefined' && !crossOriginIsolated)) {
      return Promise.reject(new Error('synack: the Worker model needs a cross-origin isolated page (COOP/COEP)'));
    }
    var sab = SynackRing.create();
    var w = new Worker(scriptUrl);
    var url = typeof o.link == 'string' ? o.link : 'module';
    SynackRing.host(SynackRing.attach(sab), w, typeof o.link == 'string' ? null : o.link);
    return new Promise(function(resolve, reject) {
      w.addEventListener('message', function(ev) {
        if (ev.data && ev.data.synack === 'exit') {
          w.terminate();
          resolve({ code: ev.data.code, files: ev.data.files });
        }
      });
      w.addEventListener('error', function(e) { w.terminate(); reject(new Error('synack: the program failed: ' + e.message)); });
      w.postMessage({ synack: 'init', sab: sab, url: url, arguments: o.arguments || [],
                      env: o.env || {}, readFiles: o.readFiles || [] });
    });
  },
};
