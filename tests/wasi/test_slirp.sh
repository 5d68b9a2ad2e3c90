#!/usr/bin/env bash
# synack.wasm --stdio joined to synack-bridge --slirp by socat (the
# README's command line), addressed by the bridge's DHCP: fetches 10 MB
# from a Python http.server on the host side of the NAT (loopback of the
# test's namespace, reached as 10.0.2.2) into a file through --out, SHA-256
# equal; a port not on the bridge's --allow list is refused; ping 10.0.2.2.
# Over IPv6 (slirp's router advertisement, SLAAC): 10 MB from a server on
# the namespace's ::1, reached as [fd00:5ac::2], SHA-256 equal.
. "$(dirname "$0")/lib.sh"
ip netns add "$NS" || exit 1
ip -n "$NS" link set lo up

mkdir "$WORK/www"
head -c 10000000 /dev/urandom >"$WORK/www/big.bin"
bg_ns 300 python3 -m http.server 8000 --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1
bg_ns 300 python3 -m http.server 8000 --bind ::1 --directory "$WORK/www" >/dev/null 2>&1
check "http.server up" wait_for_port 127.0.0.1 8000
check "bridge up (slirp)" start_bridge 18001 --slirp --allow 10.0.2.2:8000 --allow '[::1]:8000'

start=$(date +%s%N)
wasi_bridged 120 18001 get get --out /work/got http://10.0.2.2:8000/big.bin
rc=$?
ms=$((($(date +%s%N) - start) / 1000000))
check "get exits 0" [ "$rc" -eq 0 ]
check "DHCP lease from the bridge (10.0.2.x)" grep -q "dhcp: 10.0.2." "$WORK/get.err"
check "10 MB body in the --out file, SHA-256 equal" [ "$(sha "$WORK/got")" = "$(sha "$WORK/www/big.bin")" ]
check "status line on stderr" grep -q "^HTTP/1.[01] 200" "$WORK/get.err"
echo "  (10 MB over slirp, DHCP included: ${ms} ms)"

wasi_bridged 120 18001 get6 get --out /work/got6 'http://[fd00:5ac::2]:8000/big.bin'
rc=$?
check "IPv6 get exits 0" [ "$rc" -eq 0 ]
check "a SLAAC address from slirp's prefix" grep -q "fd00:5ac:.*(slaac)" "$WORK/get6.err"
check "10 MB over IPv6, SHA-256 equal" [ "$(sha "$WORK/got6")" = "$(sha "$WORK/www/big.bin")" ]

wasi_bridged 60 18001 denied get --out /work/denied http://10.0.2.2:8001/
rc=$?
check "port not allowed: exit 1, 'connection refused'" \
    status_and_text "$rc" 1 "connection refused" "$WORK/denied.err"

wasi_bridged 60 18001 ping --out /work/ping.out ping 10.0.2.2 -c 3
rc=$?
check "ping 10.0.2.2: exit 0, 3 replies in the --out file" \
    status_and_text "$rc" 0 "3 received" "$WORK/ping.out"
finish
