/*
 * synack_posix under Emscripten: a link over a WebSocket to websockify or
 * synack-bridge --listen-ws (added with --pre-js; used by the Asyncify
 * library, synack_posix.js, and by the Worker model's host thread,
 * pre_worker.js). It has the shape of the JavaScript API's WebSocketLink
 * (wasm/src/websocket_link.mjs): send(frame), onframe, ready, closed,
 * close(), and the same framing (DESIGN.md, CONTRACT: stream framing: a
 * 4-byte big-endian length, 1..65535, then the frame; message boundaries
 * mean nothing) and batching (the frames of one run of JavaScript in one
 * message, cut at 256 KB). It is not that file because Emscripten
 * 3.1.6's JS optimizer cannot parse its private class fields.
 */
var SYNACK_FRAME_MAX = 65535;
var SYNACK_BATCH_MAX = 256 * 1024;

function SynackWsLink(url) {
  var WS = typeof WebSocket == 'function' ? WebSocket : null;
  if (!WS && typeof process == 'object' && process.versions && process.versions.node) {
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
        if (len === 0 || len > SYNACK_FRAME_MAX) { bad(); return; }
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
        if (len === 0 || len > SYNACK_FRAME_MAX) { bad(); return; }
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
    if (pendingBytes >= SYNACK_BATCH_MAX) {
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
}
