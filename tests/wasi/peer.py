"""Linux-side peers for the synack.wasm tests (run inside the test's
network namespace, every socket with a timeout).

  peer.py tcp-echo HOST PORT NBYTES   send NBYTES random bytes to an echo
                                      server, half-close, expect them back
  peer.py udp-echo HOST PORT COUNT    send COUNT datagrams, expect each back
  peer.py tcp-read HOST PORT          connect, write what arrives to stdout
Exit status 0 when everything came back intact, 1 otherwise.
"""
import os
import socket
import sys
import threading

TIMEOUT = 30


def tcp_echo(host, port, nbytes):
    data = os.urandom(nbytes)
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    got = bytearray()

    def reader():
        while True:
            chunk = s.recv(65536)
            if not chunk:
                return
            got.extend(chunk)

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    t.join(TIMEOUT)
    s.close()
    if bytes(got) != data:
        print(f"tcp-echo: sent {len(data)} bytes, got {len(got)} back"
              f"{' (different)' if len(got) == len(data) else ''}")
        return 1
    print(f"tcp-echo: {len(data)} bytes echoed intact")
    return 0


def udp_echo(host, port, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    ok = 0
    for i in range(count):
        msg = b"synack-wasi-%d-" % i + os.urandom(32)
        for _ in range(3):  # the first may wait for ARP
            s.sendto(msg, (host, port))
            try:
                reply, src = s.recvfrom(2048)
            except socket.timeout:
                continue
            if reply == msg and src == (host, port):
                ok += 1
            break
    print(f"udp-echo: {ok}/{count} datagrams came back")
    return 0 if ok == count else 1


def tcp_read(host, port):
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        sys.stdout.buffer.write(chunk)
    s.close()
    return 0


def main(argv):
    if len(argv) == 5 and argv[1] == "tcp-echo":
        return tcp_echo(argv[2], int(argv[3]), int(argv[4]))
    if len(argv) == 5 and argv[1] == "udp-echo":
        return udp_echo(argv[2], int(argv[3]), int(argv[4]))
    if len(argv) == 4 and argv[1] == "tcp-read":
        return tcp_read(argv[2], int(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
