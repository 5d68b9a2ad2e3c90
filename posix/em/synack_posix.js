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
 * SYNACK_LINK=ws://... this file opens its own WebSocket with the same
 * framing (DESIGN.md, CONTRACT: stream framing: a 4-byte big-endian
 * length, 1..65535, then the frame; message boundaries mean nothing) and
 * the same batching (the frames of one run of JavaScript in one
 * message). It cannot import websocket_link.mjs: Emscripten 3.1.6's JS
 * optimizer does not parse its private class fields.
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
    FRAME_MAX: 65535,
    BATCH_MAX: 256 * 1024,

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

    // A link over a WebSocket to websockify or synack-bridge --listen-ws.
    wsLink: function(url) {
      var WS = typeof WebSocket == 'function' ? WebSocket : null;
      if (!WS && ENVIRONMENT_IS_NODE) {
        try { WS = require('ws'); } catch (e) { /* none */ }
      }
      if (!WS) {
        throw new Error('no WebSocket in this runtime (Node 20: run node --experimental-websocket)');
      }
      var ws = new WS(url, ['binary']);
      ws.binaryType = 'arraybuffer';
      var link = { onframe: null, url: url };
      var opened = false, closing = false;
      var closedResolve, closedReject;
      link.closed = new Promise(function(res, rej) { closedResolve = res; closedReject = rej; });
      link.closed.catch(function() {});
      link.ready = new Promise(function(res, rej) {
        ws.onopen = function() { opened = true; res(); };
        // Node 20's WebSocket reports a failed connection with an error
        // event and no close event: either one ends the link.
        var ended = function(why) {
          if (!opened) {
            rej(new Error('cannot reach the bridge at ' + url + ' (' + why + ')'));
          } else if (!closing) {
            closedReject(new Error('the bridge at ' + url + ' closed the connection (' + why + ')'));
          }
          closing = true;
        };
        ws.onclose = function(ev) { ended('WebSocket closed, code ' + ev.code); };
        ws.onerror = function() { ended('WebSocket error'); };
      });
      link.ready.catch(function() {});

      // Deframing: a frame that lies whole in a message is a view of it.
      var hdr = new Uint8Array(4), hdrHave = 0, part = null, have = 0;
      var bad = function() {
        closing = true;
        closedReject(new Error(url + ': bad frame length (0 or above 65535)'));
        try { ws.close(4000, 'synack: framing error'); } catch (e) { /* closed */ }
      };
      ws.onmessage = function(ev) {
        if (typeof ev.data == 'string') { bad(); return; }
        var b = new Uint8Array(ev.data), i = 0, len;
        while (i < b.length && !closing) {
          if (part === null && hdrHave === 0 && b.length - i >= 4) {
            len = ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
            if (len === 0 || len > SynackEm.FRAME_MAX) { bad(); return; }
            if (b.length - i - 4 >= len) {
              link.onframe(b.subarray(i + 4, i + 4 + len));
              i += 4 + len;
              continue;
            }
          }
          if (part === null) {
            var t = Math.min(4 - hdrHave, b.length - i);
            hdr.set(b.subarray(i, i + t), hdrHave);
            hdrHave += t;
            i += t;
            if (hdrHave < 4) break;
            len = ((hdr[0] << 24) | (hdr[1] << 16) | (hdr[2] << 8) | hdr[3]) >>> 0;
            if (len === 0 || len > SynackEm.FRAME_MAX) { bad(); return; }
            part = new Uint8Array(len);
            have = 0;
            hdrHave = 0;
          }
          var take = Math.min(part.length - have, b.length - i);
          part.set(b.subarray(i, i + take), have);
          have += take;
          i += take;
          if (have === part.length) {
            var f = part;
            part = null;
            link.onframe(f);
          }
        }
      };

      // Sending: the frames of one run of JavaScript in one message.
      var pending = [], pendingBytes = 0, flushQueued = false;
      var flush = function() {
        flushQueued = false;
        if (pending.length === 0) return;
        var out = new Uint8Array(pendingBytes), o = 0;
        for (var k = 0; k < pending.length; k++) {
          var n = pending[k].length;
          out[o] = n >>> 24; out[o + 1] = (n >>> 16) & 255;
          out[o + 2] = (n >>> 8) & 255; out[o + 3] = n & 255;
          out.set(pending[k], o + 4);
          o += 4 + n;
        }
        pending = [];
        pendingBytes = 0;
        if (ws.readyState === 1) ws.send(out);
      };
      link.send = function(frame) {
        if (ws.readyState !== 1) return;
        pending.push(frame);
        pendingBytes += 4 + frame.length;
        if (pendingBytes >= SynackEm.BATCH_MAX) {
          flush();
        } else if (!flushQueued) {
          flushQueued = true;
          queueMicrotask(flush);
        }
      };
      link.close = function() {
        flush();
        closing = true;
        try { ws.close(1000, 'synack: closed'); } catch (e) { /* closed */ }
        closedResolve();
      };
      return link;
    },
  },

  synack_em_link_open__deps: ['$SynackEm', '$Asyncify', '$ENV'],
  synack_em_link_open: function(urlPtr, errPtr, errCap) {
    // Called again when Asyncify rewinds: hand back what the sleep gave.
    if (Asyncify.state === Asyncify.State.Rewinding) return Asyncify.handleSleep(function() {});
    var url = UTF8ToString(urlPtr);
    var say = function(msg) { stringToUTF8(String(msg), errPtr, errCap); };
    var link;
    try {
      if (url === 'module') {
        link = Module['synackLink'];
        if (!link || typeof link.send != 'function') {
          say('SYNACK_LINK=module: Module.synackLink is not a link (send() and onframe, as WebSocketLink)');
          return -1;
        }
      } else {
        link = SynackEm.wsLink(url);
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
