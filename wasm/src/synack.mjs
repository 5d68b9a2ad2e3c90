/*
 * synack — a userspace TCP/IP stack for browsers, workers and Node: the
 * entry module (DESIGN.md, CONTRACT: JavaScript API). The build bundles it
 * with the modules it imports and the Emscripten glue into one synack.mjs
 * next to synack.wasm.
 */
import { SynackError } from './errors.mjs';
import { setWasmSource } from './loader.mjs';
import { PairLink } from './pair_link.mjs';
import { Stack, createStack } from './stack.mjs';
import { TcpServer, TcpSocket } from './tcp.mjs';
import { UdpSocket } from './udp.mjs';
import { FrameReader, WebSocketLink, encodeFrame } from './websocket_link.mjs';

export {
  createStack, Stack, PairLink, WebSocketLink, FrameReader, encodeFrame,
  TcpSocket, TcpServer, UdpSocket, SynackError, setWasmSource,
};
