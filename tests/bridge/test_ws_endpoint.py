#!/usr/bin/env python3
"""synack-bridge --listen-ws: the bridge's own RFC 6455 endpoint. Frames
split across and merged within messages, fragmented messages with a ping
between the fragments, a TCP client on the same switch; bad upgrade
requests (400/426), the Origin allow-list (403), clients that do not mask,
send text, oversized or reserved-bit frames (closed with 1002/1003/1009),
a client close answered with 1000, a handshake timeout, the token and a
PROXY header through the WebSocket listener, and a client that never
reads while another floods it."""
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(__file__))
from bridgelib import *  # noqa: E402,F403
from wsclient import WSClient  # noqa: E402

t = Checks("ws-endpoint")


def raw_upgrade(port, request):
    """Send a raw request; the status line and whether the bridge closed."""
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.sendall(request)
    resp = b""
    try:
        while True:
            d = s.recv(4096)
            if not d:
                break
            resp += d
    except (socket.timeout, ConnectionResetError):
        pass
    s.close()
    return resp.split(b"\r\n")[0].decode(errors="replace"), resp


def upgrade(extra="", version="13", key="dGhlIHNhbXBsZSBub25jZQ==", method="GET"):
    return ("%s / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: %s\r\n%s\r\n"
            % (method, key, version, extra)).encode()


def close_code(w, timeout=3):
    """Read until the bridge closes; the close frame's code (or None)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if not w._fill(deadline - time.time()):
            return w.close_code
    return "still open"


wsport = free_port()
b = Bridge("--listen-ws", "127.0.0.1:%d" % wsport, "--auth-timeout", "800",
           "--rate-fps", "0", "--rate-bps", "0", "--queue-bytes", "65540")
try:
    # -- the handshake
    st, resp = raw_upgrade(wsport, upgrade("Sec-WebSocket-Protocol: chat, binary\r\n"))
    t.check("101 with the RFC 6455 example key's accept value",
            st == "HTTP/1.1 101 Switching Protocols" and b"s3pPLMBiTxaQ9kYGzzhZRbK+xOo=" in resp, resp)
    t.check("the binary subprotocol is chosen", b"Sec-WebSocket-Protocol: binary" in resp)
    st, _ = raw_upgrade(wsport, upgrade(version="8"))
    t.check("version 8: 426", st.startswith("HTTP/1.1 426"), st)
    st, _ = raw_upgrade(wsport, upgrade(key="short"))
    t.check("a bad key: 400", st.startswith("HTTP/1.1 400"), st)
    st, _ = raw_upgrade(wsport, upgrade(method="POST"))
    t.check("POST: 400", st.startswith("HTTP/1.1 400"), st)
    st, _ = raw_upgrade(wsport, b"GET / HTTP/1.1\r\nHost: x\r\n" + b"X-Pad: " + b"a" * 5000)
    t.check("a request over 4 KiB without end: 400", st.startswith("HTTP/1.1 400"), st)
    s = socket.create_connection(("127.0.0.1", wsport))
    s.sendall(b"GET / HTTP/1.1\r\n")
    s.settimeout(3)
    try:
        eof = s.recv(100) == b""
    except (socket.timeout, ConnectionResetError):
        eof = False
    t.check("a half-sent request is closed after --auth-timeout", eof)
    s.close()
    time.sleep(0.2)
    reasons = [r for _, r in b.closed_reasons()]
    t.check("reasons counted: bad_ws_handshake, ws_handshake_timeout",
            reasons.count("bad_ws_handshake") >= 4 and "ws_handshake_timeout" in reasons, str(reasons))

    # -- frames both ways, with a plain TCP client on the same switch
    w = WSClient(wsport, split_seed=99)
    tcp = Client(b.port)
    b.wait_active(2)
    w.send(arp_request(mac(1), "10.0.9.1", "10.0.9.2"))
    got = tcp.recv_match(lambda e: e.haslayer(ARP) and e[ARP].psrc == "10.0.9.1")
    t.check("WebSocket client's frame (split across 1-40 byte messages) reaches the TCP client", got is not None)
    tcp.send(arp_request(mac(2), "10.0.9.2", "10.0.9.1"))
    big = bytes(Ether(src=mac(2), dst=mac(1)) / IP(src="10.0.9.2", dst="10.0.9.1") / UDP(sport=1, dport=2) / os.urandom(1400))
    tcp.send(big)
    r = w.recv_match(lambda e: e.haslayer(UDP) and e[UDP].dport == 2)
    t.check("a 1442-byte frame arrives intact over WebSocket", r is not None and bytes(r) == big)
    w.send_merged([arp_request(mac(1), "10.0.9.1", "10.0.9.%d" % (10 + i)) for i in range(3)])
    seen = set()
    for _ in range(3):
        e = tcp.recv_match(lambda e: e.haslayer(ARP) and e[ARP].psrc == "10.0.9.1")
        if e is not None:
            seen.add(e[ARP].pdst)
    t.check("3 frames merged in one message", len(seen) == 3, str(seen))
    # a fragmented message with a ping between its fragments
    f = bytes(arp_request(mac(1), "10.0.9.1", "10.0.9.77"))
    stream = struct.pack(">I", len(f)) + f
    w.sock.sendall(WSClient.frame(stream[:5], 2, fin=False) + WSClient.frame(b"hi", 9)
                   + WSClient.frame(stream[5:20], 0, fin=False) + WSClient.frame(stream[20:], 0))
    got = tcp.recv_match(lambda e: e.haslayer(ARP) and e[ARP].pdst == "10.0.9.77")
    t.check("a fragmented message (continuations) carries the frame", got is not None)
    w._fill(1)
    t.check("the ping between fragments got its pong", w.pongs == [b"hi"], str(w.pongs))
    w.sock.sendall(WSClient.frame(struct.pack(">H", 1000), 8))
    t.check("a client close is answered with 1000", close_code(w) == 1000)

    # -- protocol violations: each closes that client with its code
    for what, data, code in (
            ("an unmasked frame", WSClient.frame(b"\0\0\0\1x", 2, masked=False), 1002),
            ("a text message", WSClient.frame(b"hello", 1), 1003),
            ("a reserved bit", bytes([0xC2]) + WSClient.frame(b"x", 2)[1:], 1002),
            ("a continuation with no message", WSClient.frame(b"x", 0), 1002),
            ("a fragmented ping", WSClient.frame(b"x", 9, fin=False), 1002),
            ("a 2 MiB message", WSClient.frame(b"", 2)[:1] + bytes([0x80 | 127]) + struct.pack(">Q", 2 << 20) + b"abcd", 1009),
            ("bad stream framing inside", WSClient.frame(struct.pack(">I", 0), 2), 1002)):
        v = WSClient(wsport)
        v.sock.sendall(data)
        c = close_code(v)
        t.check("%s: closed with %s" % (what, code), c == code, str(c))
    time.sleep(0.2)
    reasons = [r for _, r in b.closed_reasons()]
    t.check("counted as ws_protocol (6) and framing (1)",
            reasons.count("ws_protocol") == 6 and reasons.count("framing") == 1, str(reasons))

    # -- a WebSocket client that never reads, flooded by a TCP client
    sleeper = WSClient(wsport)
    sleeper.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sleeper.send(arp_request(mac(5), "10.0.9.55", "10.0.9.2"))
    time.sleep(0.2)
    frame = bytes(Ether(src=mac(2), dst=mac(5)) / IP(src="10.0.9.2", dst="10.0.9.55") / UDP(sport=1, dport=3) / (b"z" * 1400))
    t0 = time.time()
    for _ in range(60):
        tcp.send_raw((struct.pack(">I", len(frame)) + frame) * 100)
    t.check("8 MB towards a non-reading WebSocket client sent without stalling", time.time() - t0 < 10)
    other = WSClient(wsport)
    other.send(arp_request(mac(7), "10.0.9.7", "10.0.9.2"))
    got = tcp.recv_match(lambda e: e.haslayer(ARP) and e[ARP].psrc == "10.0.9.7")
    t.check("another WebSocket client still gets through", got is not None)
    ports, _ = b.stats()
    sl = [kv for kv in ports.values() if kv.get("mac") == mac(5)]
    t.check("frames for the non-reader dropped and counted", sl and int(sl[0]["drop_queue"]) > 1000, str(sl))
finally:
    b.cleanup()

# -- the Origin allow-list, the token and a PROXY header on the WebSocket listener
wsport = free_port()
b = Bridge("--listen-ws", "127.0.0.1:%d" % wsport, "--ws-origin", "https://good.example",
           "--token", "s3cret", "--trusted-proxy", "127.0.0.2")
try:
    st, _ = raw_upgrade(wsport, upgrade("Origin: https://evil.example\r\n"))
    t.check("a foreign Origin: 403", st.startswith("HTTP/1.1 403"), st)
    st, _ = raw_upgrade(wsport, upgrade())
    t.check("no Origin with an allow-list: 403", st.startswith("HTTP/1.1 403"), st)
    w = WSClient(wsport, origin="https://GOOD.example")
    t.check("the listed Origin (any case): 101", "101" in w.head.split("\r\n")[0])
    w.send(b"s3cret")
    b.wait_active(1)
    t.check("the token over WebSocket opens the port", True)
    v = WSClient(wsport, origin="https://good.example")
    v.send(b"wrong!")
    t.check("a wrong token over WebSocket: closed with 1008", close_code(v) == 1008, str(v.close_code))
    s = socket.socket()
    s.bind(("127.0.0.2", 0))
    s.connect(("127.0.0.1", wsport))
    s.sendall(b"PROXY TCP4 192.0.2.9 127.0.0.1 5555 80\r\n" + upgrade("Origin: https://good.example\r\n"))
    resp = s.recv(4096)
    t.check("PROXY header, then the upgrade: 101", b" 101 " in resp.split(b"\r\n")[0], resp)
    s.close()
    time.sleep(0.3)
    t.check("the client's address is the one the proxy reported",
            "peer=192.0.2.9:5555" in b.text(), b.text()[-500:])
    reasons = [r for _, r in b.closed_reasons()]
    t.check("counted: ws_origin 2, bad_token 1",
            reasons.count("ws_origin") == 2 and reasons.count("bad_token") == 1, str(reasons))
finally:
    b.cleanup()
t.done()
