// A minimal WebSocket server (RFC 6455) for testing WebSocketLink without a
// bridge: it relays the byte stream of each client to every other client,
// re-cut into messages of 1..maxChunk bytes, so frames of the stream
// framing arrive split across and merged within WebSocket messages.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

function encodeMessage(payload, opcode = 2) {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, n])
    : n < 65536 ? Buffer.from([0x80 | opcode, 126, n >> 8, n & 255])
      : Buffer.concat([Buffer.from([0x80 | opcode, 127]), (() => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(n)); return b; })()]);
  return Buffer.concat([head, payload]);
}

/* Parses client-to-server WebSocket frames (masked) from a TCP stream. */
class MessageParser {
  constructor(onData, onClose) {
    this.buf = Buffer.alloc(0);
    this.onData = onData;
    this.onClose = onClose;
  }

  push(chunk) {
    this.buf = Buffer.concat([this.buf, chunk]);
    for (;;) {
      const b = this.buf;
      if (b.length < 2) return;
      const opcode = b[0] & 15;
      let len = b[1] & 127;
      let off = 2;
      if (len === 126) { if (b.length < 4) return; len = b.readUInt16BE(2); off = 4; }
      else if (len === 127) { if (b.length < 10) return; len = Number(b.readBigUInt64BE(2)); off = 10; }
      const masked = b[1] & 128;
      const maskOff = off;
      if (masked) off += 4;
      if (b.length < off + len) return;
      const payload = Buffer.from(b.subarray(off, off + len));
      if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[maskOff + (i & 3)];
      this.buf = b.subarray(off + len);
      if (opcode === 8) { this.onClose(); return; }
      if (opcode === 2 || opcode === 0) this.onData(payload);
    }
  }
}

/**
 * Start a relay on 127.0.0.1 (ephemeral port). Options: maxChunk (bytes
 * per relayed message, default 7), protocol (default 'binary').
 * Returns { url, clients, sendRaw(i, bytes), close() }.
 */
export async function startRelay({ maxChunk = 7, protocol = 'binary' } = {}) {
  const clients = [];
  let seed = 12345;
  const rand = () => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed; };
  const server = createServer((req, res) => { res.writeHead(426); res.end(); });
  server.on('upgrade', (req, socket) => {
    const key = req.headers['sec-websocket-key'];
    const accept = createHash('sha1').update(key + GUID).digest('base64');
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const lines = ['HTTP/1.1 101 Switching Protocols', 'Upgrade: websocket', 'Connection: Upgrade',
      `Sec-WebSocket-Accept: ${accept}`];
    if (offered.includes(protocol)) lines.push(`Sec-WebSocket-Protocol: ${protocol}`);
    socket.write(lines.join('\r\n') + '\r\n\r\n');
    socket.setNoDelay(true);
    const me = { socket, received: 0 };
    clients.push(me);
    const parser = new MessageParser((data) => {
      me.received += data.length;
      for (const c of clients) {
        if (c === me || c.socket.destroyed) continue;
        for (let off = 0; off < data.length;) {
          const n = Math.min(data.length - off, 1 + (rand() % maxChunk));
          c.socket.write(encodeMessage(data.subarray(off, off + n)));
          off += n;
        }
      }
    }, () => socket.end());
    socket.on('data', (d) => parser.push(d));
    socket.on('error', () => {});
    socket.on('close', () => { clients.splice(clients.indexOf(me), 1); });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  return {
    url: `ws://127.0.0.1:${port}/`,
    clients,
    /** Send raw bytes as one binary message to client i. */
    sendRaw(i, bytes) { clients[i].socket.write(encodeMessage(Buffer.from(bytes))); },
    /** Drop client i's TCP connection without a close handshake. */
    drop(i) { clients[i].socket.destroy(); },
    close() {
      for (const c of clients) c.socket.destroy();
      return new Promise((r) => server.close(r));
    },
  };
}
