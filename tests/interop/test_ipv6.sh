#!/usr/bin/env bash
# IPv6 between synack and Linux over a TAP, static addresses on both sides
# (fd77::1 Linux, fd77::2 synack; Neighbour Discovery resolves both ways):
# ping -6 both ways (and a fragmented one), a 50 MB `get` from Python's
# http.server over IPv6 with SHA-256 equality, `synack listen` reached by
# curl -6 at http://[fd77::2]:PORT/, UDP echo (fragments both ways), a
# refused and a timed-out connection, and a Packet Too Big from a Linux
# router namespace (a 1300-byte link towards a server namespace) lowering
# the MSS of a `synack send`; both offloads over IPv6 (10 MB each way:
# send GSO, and TSO6 super-frames from the kernel taken whole).
. "$(dirname "$0")/lib.sh"
setup_ns6

# --- ping both ways ---------------------------------------------------------
bg_ns 60 "$SYNACK" $SYNACK_ADDR6 udp-echo 7777 2>"$WORK/echo.err"
srv=$BG_PID
check "udp-echo up on IPv6" wait_for_text "$WORK/echo.err" "listening on $SYNACK_IP6 port 7777 (udp)"
check "Linux ping -6 synack" in_ns 20 ping -6 -q -c 3 -i 0.2 -W 2 "$SYNACK_IP6"
check "Linux ping -6 -s 3000 (fragments both ways)" in_ns 20 ping -6 -q -c 2 -i 0.2 -W 2 -s 3000 "$SYNACK_IP6"

# --- UDP echo ---------------------------------------------------------------
cat >"$WORK/udp6.py" <<'PY'
import os, socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.settimeout(2.0)
dst = (sys.argv[1], int(sys.argv[2]))
bad = 0
for size in (1, 100, 1452, 1453, 4000, 8000):
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
    if got != data or src[:2] != dst:
        print("wrong echo for", size); bad += 1
    else:
        print("echo ok", size)
sys.exit(1 if bad else 0)
PY
in_ns 60 python3 "$WORK/udp6.py" "$SYNACK_IP6" 7777 >"$WORK/udp.out" 2>&1
rc=$?
sed 's/^/       /' "$WORK/udp.out"
check "UDP over IPv6: every datagram echoed unchanged (up to 8000 bytes)" [ "$rc" -eq 0 ]
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null

check "synack ping fd77::1" in_ns 30 "$SYNACK" $SYNACK_ADDR6 --out /dev/null ping "$KERNEL_IP6" -c 3
in_ns 30 "$SYNACK" $SYNACK_ADDR6 ping "$KERNEL_IP6" -c 1 >"$WORK/ping.out" 2>&1
check "synack ping prints the IPv6 source" grep -q "$KERNEL_IP6" "$WORK/ping.out"

# --- a 50 MB get ----------------------------------------------------------------
mkdir "$WORK/www"
head -c 50000000 /dev/urandom >"$WORK/www/big.bin"
want=$(sha256sum <"$WORK/www/big.bin" | cut -d' ' -f1)
bg_ns 120 python3 -m http.server 8000 --bind "$KERNEL_IP6" --directory "$WORK/www" >/dev/null 2>&1
check "http.server up on [$KERNEL_IP6]:8000" wait_for_port "$KERNEL_IP6" 8000
in_ns 120 "$SYNACK" $SYNACK_ADDR6 get "http://[$KERNEL_IP6]:8000/big.bin" >"$WORK/got" 2>"$WORK/get.err"
rc=$?
check "get over IPv6 exits 0" [ "$rc" -eq 0 ]
check "50 MB over IPv6, SHA-256 equal" [ "$(sha256sum <"$WORK/got" | cut -d' ' -f1)" = "$want" ]
rm -f "$WORK/got"

# --- listen, reached by curl -6 -------------------------------------------------
head -c 1000000 /dev/urandom >"$WORK/data"
want=$(sha256sum <"$WORK/data" | cut -d' ' -f1)
bg_ns 60 "$SYNACK" $SYNACK_ADDR6 listen 8080 --file "$WORK/data" --count 1 2>"$WORK/listen.err"
srv=$BG_PID
check "listen up on IPv6" wait_for_text "$WORK/listen.err" "listening on $SYNACK_IP6 port 8080"
in_ns 30 curl -6 -s --http0.9 -o "$WORK/curl.out" "http://[$SYNACK_IP6]:8080/"
check "curl -6 http://[$SYNACK_IP6]:8080/: file served whole" \
    [ "$(sha256sum <"$WORK/curl.out" | cut -d' ' -f1)" = "$want" ]
wait_pid "$srv" 20
check "listen --count 1 exits 0" [ $? -eq 0 ]

# --- refused and timed out ----------------------------------------------------------
in_ns 30 "$SYNACK" $SYNACK_ADDR6 connect "$KERNEL_IP6" 7001 </dev/null >/dev/null 2>"$WORK/refused.err"
rc=$?
check "closed port over IPv6: exit 1, 'connection refused'" \
    every '[ "$rc" -eq 1 ]' 'grep -q "connection refused" "$WORK/refused.err"'
ip netns exec "$NS" nft -f - <<'NFT'
table inet synk6 {
    chain in {
        type filter hook input priority 0; policy accept;
        ip6 nexthdr tcp tcp dport 7002 tcp flags & (syn | ack) == syn drop
    }
}
NFT
start=$(date +%s)
in_ns 60 "$SYNACK" $SYNACK_ADDR6 --syn-retries 2 connect "$KERNEL_IP6" 7002 </dev/null >/dev/null 2>"$WORK/timeout.err"
rc=$?
took=$(($(date +%s) - start))
check "dropped SYNs over IPv6: exit 1, 'timed out'" every '[ "$rc" -eq 1 ]' 'grep -q "timed out" "$WORK/timeout.err"'
check "dropped SYNs: gave up after the retries (${took}s)" every '[ "$took" -ge 5 ]' '[ "$took" -le 20 ]'

# --- synack send to Linux over IPv6 (TCP/IPv6 send offload on the TAP) ---------------
cat >"$WORK/sink6.py" <<'PY'
import hashlib, socket, sys
s = socket.socket(socket.AF_INET6)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(1)
c, _ = s.accept()
h = hashlib.sha256(); n = 0
while True:
    b = c.recv(65536)
    if not b:
        break
    h.update(b); n += len(b)
open(sys.argv[3], "w").write("%d %s\n" % (n, h.hexdigest()))
PY
bg_ns 60 python3 "$WORK/sink6.py" "$KERNEL_IP6" 9100 "$WORK/sink10.out"
sink=$BG_PID
wait_for_port "$KERNEL_IP6" 9100
in_ns 60 "$SYNACK" $SYNACK_ADDR6 send "$KERNEL_IP6" 9100 --bytes 10000000 >"$WORK/send10.out" 2>"$WORK/send10.err"
rc=$?
wait_pid "$sink" 20
check "send 10 MB to Linux over IPv6 exits 0" [ "$rc" -eq 0 ]
check "10 MB arrived, SHA-256 equal" \
    every '[ "$(cut -d" " -f2 "$WORK/sink10.out" 2>/dev/null)" = "$(json_field "$WORK/send10.out" sha256)" ]' \
    'grep -q "^10000000 " "$WORK/sink10.out"'

# --- Linux sends to synack over IPv6 (TCP/IPv6 receive offload on the TAP) --------
# tap.c asks for TUN_F_TSO6, so the kernel hands synack its TSO6 output
# whole: one packet on tap0's tx counter per super-frame of up to 64 KB.
# Without it (or with SYNACK_TAP_OFFLOAD=0) every MSS-sized segment counts
# and no frame exceeds 1514 bytes; how many segments a super-frame holds
# varies with the load, so the check is the average frame size.
head -c 10000000 /dev/urandom >"$WORK/data6"
want6=$(sha256sum <"$WORK/data6" | cut -d' ' -f1)
bg_ns 60 "$SYNACK" $SYNACK_ADDR6 sink 9101 --count 1 >"$WORK/sink6.json" 2>"$WORK/sink6.err"
srv=$BG_PID
check "sink up on IPv6" wait_for_text "$WORK/sink6.err" "listening on $SYNACK_IP6 port 9101"
tx0=$(tap_stat tx packets)
txb0=$(tap_stat tx bytes)
in_ns 60 socat -u "FILE:$WORK/data6" "TCP6:[$SYNACK_IP6]:9101"
rc=$?
wait_pid "$srv" 30
src=$?
pkts=$(($(tap_stat tx packets) - tx0))
avg=$((($(tap_stat tx bytes) - txb0) / (pkts > 0 ? pkts : 1)))
segs=$((10000000 / 1440))
check "Linux -> synack sink over IPv6: sender and sink exit 0" every '[ "$rc" -eq 0 ]' '[ "$src" -eq 0 ]'
check "Linux -> synack sink over IPv6: 10 MB, SHA-256 equal" \
    every '[ "$(json_field "$WORK/sink6.json" bytes)" = 10000000 ]' \
    '[ "$(json_field "$WORK/sink6.json" sha256)" = "$want6" ]'
check "receive offload over IPv6: $pkts frames from the kernel for $segs segments, $avg bytes each (> 1514)" \
    [ "$avg" -gt 1514 ]

# --- Packet Too Big from a router --------------------------------------------------
# This namespace routes: tap0 (fd77::/64) and veth r0 (fd78::1/64, MTU 1300)
# to a server namespace (fd78::2/64, its end MTU 1500, so it announces an
# MSS of 1440). synack's 1500-byte segments cannot leave r0: Linux answers
# with ICMPv6 Packet Too Big (MTU 1300) and synack must go on at 1300.
SRV="$NS-srv"
ip netns add "$SRV" || exit 1
cleanup_srv() { ip netns pids "$SRV" 2>/dev/null | xargs -r kill -9; ip netns del "$SRV" 2>/dev/null; cleanup; }
trap cleanup_srv EXIT
ip -n "$NS" link add r0 type veth peer name s0 netns "$SRV"
ip -n "$NS" link set r0 mtu 1300 up
ip -n "$SRV" link set lo up
ip -n "$SRV" link set s0 mtu 1500 up
ip -n "$NS" addr add fd78::1/64 dev r0 nodad
ip -n "$SRV" addr add fd78::2/64 dev s0 nodad
ip -n "$SRV" -6 route add default via fd78::1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec "$SRV" timeout 60 python3 "$WORK/sink6.py" fd78::2 9000 "$WORK/sink.out" &
PIDS+=($!)
for i in $(seq 50); do ip netns exec "$SRV" ss -Hltn "sport = :9000" | grep -q . && break; sleep 0.1; done
in_ns 60 "$SYNACK" $SYNACK_ADDR6 --gw6 "$KERNEL_IP6" --pcap "$WORK/ptb.pcap" \
    send fd78::2 9000 --bytes 3000000 >"$WORK/send.out" 2>"$WORK/send.err"
rc=$?
check "send through the 1300-byte link exits 0" [ "$rc" -eq 0 ]
for i in $(seq 50); do [ -s "$WORK/sink.out" ] && break; sleep 0.1; done
check "3 MB arrived whole" grep -q "^3000000 " "$WORK/sink.out"
cat >"$WORK/ptb.py" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, ptb, big_after, tcp_after, mtus = 24, None, 0, 0, []
n = 0
while off + 16 <= len(d):
    incl = struct.unpack_from("<I", d, off + 8)[0]
    fr = d[off + 16: off + 16 + incl]; off += 16 + incl; n += 1
    if len(fr) < 54 or fr[12:14] != b"\x86\xdd":
        continue
    ip = fr[14:]
    if ip[6] == 58 and ip[40] == 2 and ptb is None:
        ptb = n; mtus.append(struct.unpack_from(">I", ip, 44)[0])
    elif ptb is not None and ip[6] == 6 and ip[8:24] == bytes.fromhex("fd770000000000000000000000000002"):
        tcp_after += 1
        if len(ip) > 1300:
            big_after += 1
print("ptb frame", ptb, "mtu", mtus, "tcp after", tcp_after, "above 1300", big_after)
sys.exit(0 if ptb is not None and mtus == [1300] and tcp_after > 100 and big_after == 0 else 1)
PY
python3 "$WORK/ptb.py" "$WORK/ptb.pcap" >"$WORK/ptb.out" 2>&1
rc=$?
sed 's/^/       /' "$WORK/ptb.out"
check "a PTB (MTU 1300) arrived, and every TCP packet after it fits 1300 bytes" [ "$rc" -eq 0 ]
finish
