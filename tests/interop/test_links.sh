#!/usr/bin/env bash
# The stream links (DESIGN.md stream framing): two synacks joined by a pipe
# with --stdio move 20 MB with the SHA-256 intact and answer ping; and
# `--connect HOST:PORT` to synack-bridge (when built) on the namespace's
# TAP device reaches Linux.
. "$(dirname "$0")/lib.sh"
setup_ns
mkfifo "$WORK/pipe"

# --stdio <-> --stdio: sink | send, each one's stdout the other's stdin.
in_ns 60 "$SYNACK" --stdio --ip 10.9.0.1/24 --out "$WORK/sink.json" sink 5001 --count 1 \
    <"$WORK/pipe" 2>"$WORK/sink.err" |
    in_ns 60 "$SYNACK" --stdio --ip 10.9.0.2/24 --out "$WORK/send.json" send 10.9.0.1 5001 --bytes 20000000 \
        >"$WORK/pipe" 2>"$WORK/send.err"
rcs=("${PIPESTATUS[@]}")
check "stdio pair: both exit 0" every '[ "${rcs[0]}" -eq 0 ]' '[ "${rcs[1]}" -eq 0 ]'
check "stdio pair: 20 MB, SHA-256 equal" \
    every '[ "$(json_field "$WORK/sink.json" sha256)" = "$(json_field "$WORK/send.json" sha256)" ]' \
    '[ "$(json_field "$WORK/sink.json" bytes)" = 20000000 ]'

in_ns 30 "$SYNACK" --stdio --ip 10.9.0.1/24 udp-echo 7 <"$WORK/pipe" 2>/dev/null |
    in_ns 30 "$SYNACK" --stdio --ip 10.9.0.2/24 --out "$WORK/ping.out" ping 10.9.0.1 -c 2 \
        >"$WORK/pipe" 2>/dev/null
check "stdio pair: ping answered" grep -q "2 received" "$WORK/ping.out"

# --stdio refuses connect (stdin is the link): usage error.
in_ns 10 "$SYNACK" --stdio --ip 10.9.0.1/24 connect 10.9.0.2 80 </dev/null >/dev/null 2>"$WORK/usage.err"
check "--stdio connect: exit 2" [ $? -eq 2 ]

BRIDGE=${SYNACK_BRIDGE:-$(dirname "$SYNACK")/../bridge/synack-bridge}
if [ -x "$BRIDGE" ]; then
    bg_ns 60 "$BRIDGE" --listen 127.0.0.1:18001 --tap tap0 2>"$WORK/bridge.err"
    check "bridge up" wait_for_port 127.0.0.1 18001
    in_ns 30 "$SYNACK" --connect 127.0.0.1:18001 --ip "$SYNACK_IP/24" ping "$KERNEL_IP" -c 2 \
        >"$WORK/bping.out" 2>"$WORK/bping.err"
    check "--connect via synack-bridge: ping Linux" grep -q "2 received" "$WORK/bping.out"
    bg_ns 60 sh -c "socat -u TCP-LISTEN:5002,bind=$KERNEL_IP,reuseaddr STDOUT | sha256sum >'$WORK/linux.sum'"
    sinkpid=$BG_PID
    wait_for_port "$KERNEL_IP" 5002
    in_ns 60 "$SYNACK" --connect 127.0.0.1:18001 --ip "$SYNACK_IP/24" send "$KERNEL_IP" 5002 --bytes 10000000 \
        >"$WORK/bsend.json" 2>"$WORK/bsend.err"
    wait_pid "$sinkpid" 30
    check "--connect via synack-bridge: 10 MB to Linux, SHA-256 equal" \
        [ "$(json_field "$WORK/bsend.json" sha256)" = "$(cut -d' ' -f1 <"$WORK/linux.sum")" ]
else
    check "synack-bridge built (at $BRIDGE)" false
fi
finish
