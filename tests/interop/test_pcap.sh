#!/usr/bin/env bash
# --pcap FILE: every frame synack sends and receives, in a file tcpdump
# reads, showing the handshake (SYN, SYN-ACK) and the teardown (FIN both
# ways) of a `get`. With --trace the same connection shows up as JSON lines.
. "$(dirname "$0")/lib.sh"
setup_ns
mkdir "$WORK/www"
head -c 200000 /dev/urandom >"$WORK/www/f.bin"
bg_ns 60 python3 -m http.server 8000 --bind "$KERNEL_IP" --directory "$WORK/www" >/dev/null 2>&1
check "http.server up" wait_for_port "$KERNEL_IP" 8000

in_ns 30 "$SYNACK" $SYNACK_ADDR --pcap "$WORK/cap.pcap" --trace get "http://$KERNEL_IP:8000/f.bin" \
    >"$WORK/got" 2>"$WORK/trace.err"
check "get with --pcap --trace: exit 0" [ $? -eq 0 ]
check "body intact" cmp -s "$WORK/got" "$WORK/www/f.bin"
tcpdump -nn -r "$WORK/cap.pcap" >"$WORK/dump.txt" 2>"$WORK/dump.err"
check "tcpdump reads the file" [ $? -eq 0 ]
S="$SYNACK_IP\.[0-9]+ > $KERNEL_IP\.8000"
K="$KERNEL_IP\.8000 > $SYNACK_IP\.[0-9]+"
check "SYN from synack" grep -Eq "$S: Flags \[S\]" "$WORK/dump.txt"
check "SYN-ACK from Linux" grep -Eq "$K: Flags \[S\.\]" "$WORK/dump.txt"
check "FIN from Linux" grep -Eq "$K: Flags \[F[P.]*\]" "$WORK/dump.txt"
check "FIN from synack" grep -Eq "$S: Flags \[F[P.]*\]" "$WORK/dump.txt"
check "ARP in the capture (Ethernet link type)" grep -q "ARP, " "$WORK/dump.txt"
# --trace: JSON lines on stderr, one per event.
check "trace: SYN-SENT -> ESTABLISHED" grep -q '"ev":"state".*"from":"SYN-SENT","to":"ESTABLISHED"' "$WORK/trace.err"
check "trace: segments with flags" grep -q '"ev":"seg".*"dir":"out","flags":"S"' "$WORK/trace.err"
check "trace: every line is JSON" python3 -c '
import json, sys
for line in open(sys.argv[1]):
    if line.startswith("{"):
        json.loads(line)
    elif not line.startswith(("synack:", "HTTP/")):
        sys.exit("not JSON: " + line)' "$WORK/trace.err"
finish
