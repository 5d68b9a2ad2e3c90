/*
 * synack_posix under Emscripten, the JavaScript half (posix/src/sys_em.c
 * is the C half), blocking with Asyncify: the link to the bridge and the
 * wait that lets a blocking C call sleep. synack-emcc links it with
 * --js-library and -sASYNCIFY_IMPORTS=[synack_em_wait,synack_em_link_open].
 *
 * The link is an object with send(frame), onframe, and optionally ready
 * and closed promises and close(): the JavaScript API's WebSocketLink
 * (wasm/src/websocket_link.mjs) has exactly that shape, so a page can
 * hand one over as Module.synackLink (SYNACK_LINK=module). For
 * SYNACK_LINK=ws://... the link is SynackWsLink (ws_link.js: that
 * WebSocketLink, bundled at build time).
 *
 * Waiting: synack_em_wait returns at once when a frame is queued;
 * otherwise Asyncify unwinds the wasm stack to the event loop, and the
 * first frame to arrive (all frames of that message are queued first),
 * the link going down or the timer rewinds it.
 */
mergeInto(LibraryManager.library, {
  $SynackEm: {
    link: null,
    q: [],            // frames received and not yet read (Uint8Array)
    head: 0,
    down: false,      // the link is gone (closed, dropped, bad framing)
    wake: null,       // while the program sleeps: wakes it
    kickQueued: false,
    lastYield: 0,     // performance.now() of the last sleep's end
    // A zero-timeout wait yields to the event loop at least this often,
    // so a program polling without sleeping still gets its frames.
    YIELD_MS: 20,

    ready: function() {
      return SynackEm.head < SynackEm.q.length || SynackEm.down;
    },

    // Wake the sleeping program once the current task's frames are all
    // queued (a message may carry many).
    kick: function() {
      if (SynackEm.kickQueued) return;
      SynackEm.kickQueued = true;
      queueMicrotask(function() {
        SynackEm.kickQueued = false;
        if (SynackEm.wake) SynackEm.wake(1);
      });
    },

    // Run fn after the event loop has had a turn, without timer clamping.
    soon: function(fn) {
      if (typeof setImmediate == 'function') {
        setImmediate(fn);
      } else {
        var ch = new MessageChannel();
        ch.port1.onmessage = function() { ch.port1.close(); fn(); };
        ch.port2.postMessage(0);
      }
    },

    attach: function(link) {
      SynackEm.link = link;
      link.onframe = function(frame) {
        SynackEm.q.push(frame);
        SynackEm.kick();
      };
      var gone = function() {
        SynackEm.down = true;
        SynackEm.kick();
      };
      if (link.closed && typeof link.closed.then == 'function') {
        link.closed.then(gone, gone);
      }
    },

  },

  synack_em_link_open__deps: ['$SynackEm', '$Asyncify', '$ENV'],
  synack_em_link_open: function(urlPtr, errPtr, errCap) {
    // Called again when Asyncify rewinds: hand back what the sleep gave.
    if (Asyncify.state === Asyncify.State.Rewinding) return Asyncify.handleSleep(function() {});
    var url = UTF8ToString(urlPtr);
    // The C side puts 'synack: link: ' before the reason; WebSocketLink's
    // messages start with 'synack: ' of their own.
    var say = function(msg) { stringToUTF8(String(msg).replace(/^synack: /, ''), errPtr, errCap); };
    var link;
    try {
      if (url === 'module') {
        link = Module['synackLink'];
        if (!link || typeof link.send != 'function') {
          say('SYNACK_LINK=module: Module.synackLink is not a link (send() and onframe, as WebSocketLink)');
          return -1;
        }
      } else {
        link = SynackWsLink(url);
      }
    } catch (e) {
      say(e && e.message ? e.message : e);
      return -1;
    }
    SynackEm.attach(link);
    if (!link.ready || typeof link.ready.then != 'function') return 0;
    return Asyncify.handleSleep(function(wakeUp) {
      link.ready.then(function() { wakeUp(0); }, function(e) {
        say(e && e.message ? e.message : e);
        wakeUp(-1);
      });
    });
  },

  synack_em_link_read__deps: ['$SynackEm'],
  synack_em_link_read: function(buf, cap) {
    var S = SynackEm;
    if (S.head < S.q.length) {
      var f = S.q[S.head];
      S.q[S.head++] = null;
      if (S.head === S.q.length) {
        S.q = [];
        S.head = 0;
      }
      var n = Math.min(f.length, cap);
      HEAPU8.set(n === f.length ? f : f.subarray(0, n), buf);
      return n;
    }
    return S.down ? 0 : -2;
  },

  synack_em_link_write__deps: ['$SynackEm'],
  synack_em_link_write: function(ptr, len) {
    if (SynackEm.down || SynackEm.link === null) return -1;
    // A copy: the link keeps it until its batch goes out.
    SynackEm.link.send(HEAPU8.slice(ptr, ptr + len));
    return len;
  },

  synack_em_link_close__deps: ['$SynackEm'],
  synack_em_link_close: function() {
    var link = SynackEm.link;
    SynackEm.link = null;
    SynackEm.down = true;
    if (link && typeof link.close == 'function') {
      try { link.close(); } catch (e) { /* already closed */ }
    }
  },

  // A wait inside exit() would unwind the exit itself.
  synack_em_exit_can_wait: function() {
    return 0;
  },

  synack_em_wait__deps: ['$SynackEm', '$Asyncify'],
  synack_em_wait: function(ms) {
    var S = SynackEm;
    if (Asyncify.state === Asyncify.State.Rewinding) return Asyncify.handleSleep(function() {});
    if (S.ready()) return 1;
    if (ms === 0 && performance.now() - S.lastYield < S.YIELD_MS) return 0;
    return Asyncify.handleSleep(function(wakeUp) {
      var timer = null, done = false;
      var fire = function(v) {
        if (done) return;
        done = true;
        S.wake = null;
        if (timer !== null) clearTimeout(timer);
        S.lastYield = performance.now();
        wakeUp(v);
      };
      S.wake = fire;
      if (ms === 0) {
        S.soon(function() { fire(S.ready() ? 1 : 0); });
      } else if (ms > 0) {
        timer = setTimeout(function() { timer = null; fire(S.ready() ? 1 : 0); }, ms);
      }
    });
  },
});
