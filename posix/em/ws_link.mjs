/*
 * synack_posix under Emscripten: the source of ws_link.js, the WebSocket
 * link of SYNACK_LINK=ws://... (used by the Asyncify library,
 * synack_posix.js, and by the Worker model's host, ring.js). The link is
 * the JavaScript API's own WebSocketLink (wasm/src/websocket_link.mjs:
 * the stream framing of DESIGN.md and its batching), not a copy: the
 * Emscripten build bundles this file with esbuild into a plain script
 * (posix/CMakeLists.txt), lowered to ES2019 because Emscripten 3.1.6's
 * JavaScript optimizer cannot parse private class fields. synack-emcc
 * adds that script with --pre-js; a page hosting a Worker program loads
 * it with <script src> (build/js-em/posix/em/ws_link.js).
 */
import { WebSocketLink } from '../../wasm/src/websocket_link.mjs';

/* The runtime's WebSocket; in Node without one (Node 20 without
 * --experimental-websocket) the `ws` package, when it can be required. */
function webSocketClass() {
  if (typeof WebSocket == 'function') return WebSocket;
  if (typeof process == 'object' && process.versions && process.versions.node &&
      typeof require == 'function') {
    try {
      return require('ws');
    } catch {
      /* none */
    }
  }
  return undefined;
}

/** A WebSocketLink to url (websockify or synack-bridge --listen-ws). */
export function SynackWsLink(url) {
  return new WebSocketLink(url, { WebSocket: webSocketClass() });
}
