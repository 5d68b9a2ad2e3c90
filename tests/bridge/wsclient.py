"""A small WebSocket client (RFC 6455) that carries the bridge's stream
framing in binary messages, the way a browser behind websockify does:
one stream frame may span several messages and one message may hold
several frames. Only what the tests need: client handshake with the
'binary' subprotocol, masked binary messages out, unfragmented or
fragmented binary messages in, ping/pong, close."""
import base64
import os
import random
import select
import socket
import struct

from bridgelib import Client


class WSClient(Client):
    def __init__(self, port, host="127.0.0.1", split_seed=None, ssl_context=None,
                 server_name="localhost", origin=None):
        self.sock = socket.create_connection((host, port), timeout=5)
        if ssl_context is not None:  # wss://
            self.sock = ssl_context.wrap_socket(self.sock, server_hostname=server_name)
        self.buf = b""
        self.me = None
        self.raw = b""  # WebSocket bytes not yet parsed
        self.rng = random.Random(split_seed) if split_seed is not None else None
        key = base64.b64encode(os.urandom(16)).decode()
        req = ("GET / HTTP/1.1\r\nHost: %s:%d\r\nUpgrade: websocket\r\n"
               "Connection: Upgrade\r\nSec-WebSocket-Key: %s\r\n"
               "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: binary\r\n%s\r\n"
               % (host, port, key, "Origin: %s\r\n" % origin if origin else ""))
        self.sock.sendall(req.encode())
        resp = b""
        while b"\r\n\r\n" not in resp:
            d = self.sock.recv(4096)
            if not d:
                raise ConnectionError("websocket handshake: EOF")
            resp += d
        head, _, rest = resp.partition(b"\r\n\r\n")
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise ConnectionError("websocket handshake: " + head.decode(errors="replace"))
        self.raw = rest
        self.head = head.decode(errors="replace")
        self.pongs = []
        self.close_code = None

    @staticmethod
    def frame(payload, opcode=2, fin=True, masked=True):
        """One client frame (masked unless told otherwise)."""
        mask = os.urandom(4) if masked else b""
        n = len(payload)
        b0 = (0x80 if fin else 0) | opcode
        m = 0x80 if masked else 0
        if n < 126:
            hdr = struct.pack(">BB", b0, m | n)
        elif n < 65536:
            hdr = struct.pack(">BBH", b0, m | 126, n)
        else:
            hdr = struct.pack(">BBQ", b0, m | 127, n)
        if masked:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return hdr + mask + bytes(payload)

    def _message(self, payload, opcode=2):
        self.sock.sendall(self.frame(payload, opcode))

    def send_raw(self, data):
        """Stream bytes as messages; with split_seed, cut at random places."""
        if self.rng is None:
            self._message(data)
            return
        i = 0
        while i < len(data):
            n = self.rng.randint(1, 40)
            self._message(data[i:i + n])
            i += n

    def send_merged(self, frames):
        """Several stream frames in one message."""
        self._message(b"".join(struct.pack(">I", len(f)) + bytes(f) for f in frames))

    def _fill(self, timeout):
        """Wait up to timeout for bytes; add message payloads to the stream
        buffer. False at EOF or when the server sent a close message."""
        pending = getattr(self.sock, "pending", None)  # TLS: bytes already decrypted
        if not (pending and pending()):
            r, _, _ = select.select([self.sock], [], [], max(0.0, timeout))
            if not r:
                return True
        try:
            d = self.sock.recv(65536)
        except OSError:  # reset, broken pipe, TLS EOF
            return False
        if not d:
            return False
        self.raw += d
        while len(self.raw) >= 2:
            b0, b1 = self.raw[0], self.raw[1]
            n, off = b1 & 0x7f, 2
            if n == 126:
                if len(self.raw) < 4:
                    break
                n, off = struct.unpack(">H", self.raw[2:4])[0], 4
            elif n == 127:
                if len(self.raw) < 10:
                    break
                n, off = struct.unpack(">Q", self.raw[2:10])[0], 10
            if b1 & 0x80:
                off += 4  # servers do not mask; skip a key if one is there
            if len(self.raw) < off + n:
                break
            payload = self.raw[off:off + n]
            self.raw = self.raw[off + n:]
            op = b0 & 0x0f
            if op in (0, 1, 2):      # continuation, text, binary
                self.buf += payload
            elif op == 9:            # ping
                self._message(payload, opcode=10)
            elif op == 10:           # pong
                self.pongs.append(payload)
            elif op == 8:            # close
                if len(payload) >= 2:
                    self.close_code = struct.unpack(">H", payload[:2])[0]
                return False
        return True
