#!/usr/bin/env python3
"""Two host ports for the demo's network targets (scripts/demo.sh, tests/demo):
 - a closed port (nothing listens: the host answers a SYN with RST, slirp
   passes that on, "connection refused"). It is chosen below the kernel's
   ephemeral range, so it cannot come back as the source port of the very
   connection that tries it (a loopback connection to itself would succeed);
 - a SYN-dropping port ("timed out"): a listener with backlog 0 whose one
   queue slot this program takes with its own connection, so the kernel
   drops every further SYN, as a firewall would. No root, no nftables.
Prints "closed=N silent=M" and holds the ports until it is stopped.
Usage: demo-ports.py (binds 127.0.0.1)."""
import random
import signal
import socket
import sys


def closed_port():
    low = 32768
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            low = int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        pass
    top = min(low, 65536) - 1
    bottom = max(1024, top - 8000)
    for _ in range(50):
        port = random.randrange(bottom, top)
        s = socket.socket()
        try:
            s.bind(("127.0.0.1", port))
            return port
        except OSError:
            continue
        finally:
            s.close()
    sys.exit("demo-ports: no free port below the ephemeral range")


def main():
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(0)
    slot = socket.create_connection(silent.getsockname())
    print(f"closed={closed_port()} silent={silent.getsockname()[1]}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    slot.close()
    silent.close()


if __name__ == "__main__":
    main()
