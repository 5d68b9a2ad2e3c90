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
Usage: demo-ports.py (binds 127.0.0.1 and, where the host has IPv6, ::1 on
the same ports: the demo page's IPv6 switch reaches ::1 as fd00:5ac::2)."""
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
        socks = []
        try:
            for family, host in FAMILIES:
                socks.append(socket.socket(family))
                socks[-1].bind((host, port))
            return port
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    sys.exit("demo-ports: no free port below the ephemeral range")


def has_ip6():
    try:
        with socket.socket(socket.AF_INET6) as s:
            s.bind(("::1", 0))
        return True
    except OSError:
        return False


FAMILIES = [(socket.AF_INET, "127.0.0.1")] + ([(socket.AF_INET6, "::1")] if has_ip6() else [])


def silent_port():
    """Listeners with backlog 0 on one port in each family, each queue slot taken."""
    for _ in range(50):
        held = []
        try:
            port = 0
            for family, host in FAMILIES:
                s = socket.socket(family)
                held.append(s)
                s.bind((host, port))
                s.listen(0)
                port = s.getsockname()[1]
                held.append(socket.create_connection((host, port)))
            return port, held
        except OSError:
            for s in held:
                s.close()
    sys.exit("demo-ports: no port free in both families")


def main():
    port, held = silent_port()
    print(f"closed={closed_port()} silent={port}", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        signal.pause()
    except KeyboardInterrupt:
        pass
    for s in held:
        s.close()


if __name__ == "__main__":
    main()
