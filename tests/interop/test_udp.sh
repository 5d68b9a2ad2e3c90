#!/usr/bin/env bash
# UDP (RFC 768) both ways through `synack udp-echo`: Linux sends datagrams
# of several sizes (up to 8000 bytes, so IPv4 fragments in both
# directions) and must get each back unchanged. Datagrams from synack to
# Linux are also covered by DNS in test_dhcp_dns.sh.
. "$(dirname "$0")/lib.sh"
setup_ns

bg_ns 60 "$SYNACK" $SYNACK_ADDR udp-echo 7777 2>"$WORK/srv.err"
check "udp-echo up" wait_for_text "$WORK/srv.err" "listening on $SYNACK_IP port 7777 (udp)"

cat >"$WORK/udp_client.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2.0)
dst = (sys.argv[1], int(sys.argv[2]))
bad = 0
for size in (1, 100, 1472, 1473, 4000, 8000):
    data = os.urandom(size)
    for attempt in range(3):
        s.sendto(data, dst)
        try:
            got, src = s.recvfrom(65535)
        except socket.timeout:
            continue
        break
    else:
        print("no echo for", size); bad += 1; continue
    if got != data or src != dst:
        print("wrong echo for", size); bad += 1
    else:
        print("echo ok", size)
sys.exit(1 if bad else 0)
PY
in_ns 60 python3 "$WORK/udp_client.py" "$SYNACK_IP" 7777 >"$WORK/client.out" 2>&1
rc=$?
cat "$WORK/client.out" | sed 's/^/       /'
check "every datagram echoed unchanged" [ "$rc" -eq 0 ]

# A closed UDP port answers with ICMP port unreachable (RFC 1122 3.2.2.1).
in_ns 10 python3 - "$SYNACK_IP" >"$WORK/closed.out" 2>&1 <<'PY'
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2.0)
s.connect((sys.argv[1], 7778))
s.send(b"x")
try:
    s.recv(100)
    print("unexpected answer")
except ConnectionRefusedError:
    print("refused")
except socket.timeout:
    print("timeout")
PY
check "closed UDP port is refused (ICMP port unreachable)" grep -q refused "$WORK/closed.out"
finish
