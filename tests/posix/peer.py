#!/usr/bin/env python3
"""Linux-side peer of the socket-semantics suite (tests/posix/socksem.c).

Runs in the test's namespace on ADDR (10.77.0.1) and serves, by port:
  7001 echo                 7004 read a line, then reset (SO_LINGER 0)
  7005 read to EOF, answer "got N\\n", close (half-close)
  7006 accept, never read (fills the client's send path)
  7007 control: a line "CONNECT PORT COUNT" makes COUNT connections to the
       client's address and PORT, then answers "ok\\n"; each connection
       is closed when the client closes its end (read to EOF)
  7008 UDP echo
Port 7002 has no listener (refused); 7003 is dropped by nft (timed out).
Every thread is a daemon; the test stops the process by its PID.
"""
import socket
import struct
import sys
import threading

ADDR = sys.argv[1]
# An IPv6 ADDR (socksem over IPv6): the same services on AF_INET6 sockets.
FAMILY = socket.AF_INET6 if ":" in ADDR else socket.AF_INET


def serve(port, handler):
    ls = socket.socket(FAMILY, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((ADDR, port))
    ls.listen(64)

    def loop():
        while True:
            c, a = ls.accept()
            threading.Thread(target=handler, args=(c, a), daemon=True).start()

    threading.Thread(target=loop, daemon=True).start()


def readline(c):
    buf = b""
    while not buf.endswith(b"\n"):
        d = c.recv(1)
        if not d:
            break
        buf += d
    return buf


def echo(c, a):
    with c:
        while True:
            d = c.recv(65536)
            if not d:
                return
            c.sendall(d)


def reset(c, a):
    readline(c)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()


def halfclose(c, a):
    n = 0
    while True:
        d = c.recv(65536)
        if not d:
            break
        n += len(d)
    c.sendall(b"got %d\n" % n)
    c.close()


held = []


def stall(c, a):
    held.append(c)  # keep it open, never read


def drain_and_close(s):
    try:
        while s.recv(65536):
            pass
    finally:
        s.close()


def control(c, a):
    with c:
        while True:
            line = readline(c)
            if not line:
                return
            words = line.split()
            port, count = int(words[1]), int(words[2])
            conns = []
            for _ in range(count):
                s = socket.create_connection((a[0], port), timeout=10)
                conns.append(s)
            for s in conns:
                threading.Thread(target=drain_and_close, args=(s,), daemon=True).start()
            c.sendall(b"ok\n")


def udp_echo():
    u = socket.socket(FAMILY, socket.SOCK_DGRAM)
    u.bind((ADDR, 7008))
    while True:
        d, a = u.recvfrom(65536)
        u.sendto(d, a)


serve(7001, echo)
serve(7004, reset)
serve(7005, halfclose)
serve(7006, stall)
serve(7007, control)
threading.Thread(target=udp_echo, daemon=True).start()
print("peer ready", flush=True)
threading.Event().wait()
