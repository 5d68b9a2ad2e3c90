#!/usr/bin/env bash
# `synack connect` against Linux, and the failures it must name (DESIGN.md:
# one line naming refused / reset / timed out / unreachable, exit 1):
#   refused      a closed port (Linux answers the SYN with RST)
#   timed out    an nft rule in the namespace drops the SYNs
#   reset        a server that accepts, then aborts (SO_LINGER 0 -> RST)
#   unreachable  an address on the link that nobody has (ARP fails)
. "$(dirname "$0")/lib.sh"
setup_ns
head -c 300000 /dev/urandom >"$WORK/data"
want=$(sha256sum <"$WORK/data" | cut -d' ' -f1)

# Echo through a Linux server: stdin to the connection, the connection to stdout.
bg_ns 60 socat "TCP-LISTEN:7000,bind=$KERNEL_IP,reuseaddr,fork" EXEC:cat
wait_for_port "$KERNEL_IP" 7000
in_ns 30 "$SYNACK" $SYNACK_ADDR connect "$KERNEL_IP" 7000 <"$WORK/data" >"$WORK/echo" 2>"$WORK/echo.err"
rc=$?
check "connect exits 0" [ "$rc" -eq 0 ]
check "connect: 300 kB through a Linux echo server unchanged" \
    [ "$(sha256sum <"$WORK/echo" | cut -d' ' -f1)" = "$want" ]

# refused
in_ns 30 "$SYNACK" $SYNACK_ADDR connect "$KERNEL_IP" 7001 </dev/null >/dev/null 2>"$WORK/refused.err"
rc=$?
check "closed port: exit 1" [ "$rc" -eq 1 ]
check "closed port: 'connection refused'" grep -q "connection refused" "$WORK/refused.err"
check "closed port: one line" [ "$(grep -c . "$WORK/refused.err")" -eq 1 ]

# timed out
ip netns exec "$NS" nft -f - <<'NFT'
table inet synk {
    chain in {
        type filter hook input priority 0; policy accept;
        tcp dport 7002 tcp flags & (syn | ack) == syn drop
    }
}
NFT
start=$(date +%s)
in_ns 60 "$SYNACK" $SYNACK_ADDR --syn-retries 2 connect "$KERNEL_IP" 7002 </dev/null >/dev/null 2>"$WORK/timeout.err"
rc=$?
took=$(($(date +%s) - start))
check "dropped SYNs: exit 1" [ "$rc" -eq 1 ]
check "dropped SYNs: 'timed out'" grep -q "timed out" "$WORK/timeout.err"
check "dropped SYNs: gave up after the retries (${took}s, expected about 7)" every '[ "$took" -ge 5 ]' '[ "$took" -le 20 ]'

# reset: the server accepts, then closes with SO_LINGER {1, 0}.
cat >"$WORK/rst_server.py" <<'PY'
import socket, struct, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
c, _ = s.accept()
time.sleep(0.3)
c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
c.close()
PY
bg_ns 30 python3 "$WORK/rst_server.py" "$KERNEL_IP" 7003
wait_for_port "$KERNEL_IP" 7003
# stdin stays open (a FIFO we hold) so that only the peer ends the connection.
mkfifo "$WORK/hold"
exec 7<>"$WORK/hold"
in_ns 30 "$SYNACK" $SYNACK_ADDR connect "$KERNEL_IP" 7003 <"$WORK/hold" >/dev/null 2>"$WORK/reset.err"
rc=$?
exec 7>&-
check "reset by peer: exit 1" [ "$rc" -eq 1 ]
check "reset by peer: 'connection reset'" grep -q "connection reset" "$WORK/reset.err"

# unreachable (ARP gives up; the SYN retries end with that error)
in_ns 30 "$SYNACK" $SYNACK_ADDR --syn-retries 2 connect 10.77.0.99 80 </dev/null >/dev/null 2>"$WORK/unreach.err"
rc=$?
check "nobody at the address: exit 1" [ "$rc" -eq 1 ]
check "nobody at the address: 'unreachable'" grep -q "unreachable" "$WORK/unreach.err"

# bad usage
in_ns 10 "$SYNACK" $SYNACK_ADDR connect "$KERNEL_IP" >/dev/null 2>"$WORK/usage.err"
rc=$?
check "bad usage: exit 2 with usage" every '[ "$rc" -eq 2 ]' 'grep -q "^usage: synack" "$WORK/usage.err"'
finish
