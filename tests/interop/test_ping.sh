#!/usr/bin/env bash
# ICMP echo both ways: synack pings the kernel, the kernel pings synack
# (RFC 792; synack answers while it runs any command).
. "$(dirname "$0")/lib.sh"
setup_ns

# synack -> kernel
in_ns 20 "$SYNACK" $SYNACK_ADDR ping "$KERNEL_IP" -c 3 >"$WORK/ping.out" 2>"$WORK/ping.err"
rc=$?
check "synack ping exits 0" [ "$rc" -eq 0 ]
check "three replies printed" [ "$(grep -c "bytes from $KERNEL_IP: icmp_seq=" "$WORK/ping.out")" -eq 3 ]
check "statistics line" grep -q "3 packets transmitted, 3 received, 0% packet loss" "$WORK/ping.out"

# kernel -> synack (synack runs a server meanwhile)
bg_ns 30 "$SYNACK" $SYNACK_ADDR udp-echo 7 2>"$WORK/srv.err"
srv=$BG_PID
check "server up" wait_for_text "$WORK/srv.err" "listening on $SYNACK_IP port 7"
in_ns 20 ping -c 3 -i 0.2 -W 2 "$SYNACK_IP" >"$WORK/kping.out" 2>&1
check "kernel ping of synack: 3 received" grep -q "3 received" "$WORK/kping.out"
# Large echo requests arrive in fragments and go back in fragments.
in_ns 20 ping -c 2 -i 0.2 -W 2 -s 4000 "$SYNACK_IP" >"$WORK/kping-big.out" 2>&1
check "kernel ping with 4000-byte payload (fragmented both ways)" grep -q "2 received" "$WORK/kping-big.out"
kill "$srv"

# No reply: an address nobody has (ARP fails) -> exit 1 and a clear line.
in_ns 30 "$SYNACK" $SYNACK_ADDR ping 10.77.0.99 -c 1 >"$WORK/none.out" 2>"$WORK/none.err"
rc=$?
check "ping of nobody exits 1" [ "$rc" -eq 1 ]
check "ping of nobody says unreachable or timed out" grep -Eq "unreachable|timed out" "$WORK/none.err"
finish
