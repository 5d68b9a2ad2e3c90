#!/usr/bin/env bash
# Addressing by DHCP (RFC 2131) from dnsmasq in the namespace, and name
# lookups (RFC 1035) through it: synack (no --ip) gets a lease and answers
# the kernel's ping on the leased address; `ping NAME` and `get
# http://NAME:PORT/` resolve through the server DHCP named; an unknown name
# is reported as not found.
. "$(dirname "$0")/lib.sh"
setup_ns
mkdir "$WORK/www"
echo "hello over dhcp and dns" >"$WORK/www/hello.txt"

bg_ns 120 dnsmasq --no-daemon --conf-file=/dev/null --interface=tap0 --bind-interfaces \
    --dhcp-range=10.77.0.50,10.77.0.60,255.255.255.0,1h \
    --dhcp-option=option:router,"$KERNEL_IP" --dhcp-option=option:dns-server,"$KERNEL_IP" \
    --address=/synack.test/"$KERNEL_IP" --local=/test/ --no-resolv --no-hosts \
    --pid-file="$WORK/dnsmasq.pid" --dhcp-leasefile="$WORK/leases" 2>"$WORK/dnsmasq.log"
check "dnsmasq up" wait_for_port "$KERNEL_IP" 53
bg_ns 60 python3 -m http.server 8000 --bind "$KERNEL_IP" --directory "$WORK/www" >/dev/null 2>&1
check "http.server up" wait_for_port "$KERNEL_IP" 8000

# A lease, and the kernel reaches synack on it.
bg_ns 60 "$SYNACK" --tap tap0 udp-echo 7 2>"$WORK/srv.err"
srv=$BG_PID
check "lease obtained" wait_for_text "$WORK/srv.err" "dhcp: 10.77.0.[0-9]*/24 gateway $KERNEL_IP dns $KERNEL_IP" 20
leased=$(sed -n 's/.*dhcp: \(10\.77\.0\.[0-9]*\)\/24.*/\1/p' "$WORK/srv.err" | head -n 1)
check "server listens on the leased address ($leased)" wait_for_text "$WORK/srv.err" "listening on $leased port 7"
in_ns 20 ping -c 2 -i 0.3 -W 2 "$leased" >"$WORK/kping.out" 2>&1
check "kernel pings synack at $leased" grep -q "2 received" "$WORK/kping.out"
check "dnsmasq recorded the lease" grep -q "$leased" "$WORK/leases"
# One process at a time can hold the TAP device.
kill "$srv"
wait_pid "$srv" 10

# Names through the resolver that DHCP handed out.
in_ns 60 "$SYNACK" --tap tap0 ping synack.test -c 1 >"$WORK/ping.out" 2>"$WORK/ping.err"
rc=$?
check "ping synack.test: exit 0" [ "$rc" -eq 0 ]
check "ping synack.test resolved to $KERNEL_IP" grep -q "PING synack.test ($KERNEL_IP)" "$WORK/ping.out"
in_ns 60 "$SYNACK" --tap tap0 get http://synack.test:8000/hello.txt >"$WORK/hello" 2>"$WORK/get.err"
check "get http://synack.test:8000/hello.txt" grep -qx "hello over dhcp and dns" "$WORK/hello"
in_ns 60 "$SYNACK" --tap tap0 ping nosuch.test -c 1 >/dev/null 2>"$WORK/nx.err"
rc=$?
check "unknown name: exit 1" [ "$rc" -eq 1 ]
check "unknown name: 'not found'" grep -q "resolve nosuch.test: not found" "$WORK/nx.err"

# --dns overrides the DHCP resolver (here: nobody listens there).
in_ns 60 "$SYNACK" --tap tap0 --dns 10.77.0.99 ping synack.test -c 1 >/dev/null 2>"$WORK/dns-none.err"
rc=$?
check "--dns to nobody: exit 1 with a named error" every '[ "$rc" -eq 1 ]' \
    'grep -Eq "resolve synack.test: (timed out|unreachable)" "$WORK/dns-none.err"'
finish
