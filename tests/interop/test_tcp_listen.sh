#!/usr/bin/env bash
# Linux clients (socat, curl) against `synack listen`: --echo returns a
# 1 MB random file unchanged, --file serves a file (curl reads it to the
# close, as HTTP/0.9), --discard takes data and closes cleanly, and
# --count N ends the server after N connections.
. "$(dirname "$0")/lib.sh"
setup_ns
head -c 1000000 /dev/urandom >"$WORK/data"
want=$(sha256sum <"$WORK/data" | cut -d' ' -f1)

# --echo, two connections one after another.
bg_ns 60 "$SYNACK" $SYNACK_ADDR listen 7000 --echo --count 2 2>"$WORK/echo.err"
srv=$BG_PID
check "listen --echo up" wait_for_text "$WORK/echo.err" "listening on $SYNACK_IP port 7000"
in_ns 30 socat -t 10 -T 20 - "TCP:$SYNACK_IP:7000" <"$WORK/data" >"$WORK/echo1"
check "socat: 1 MB echoed unchanged" [ "$(sha256sum <"$WORK/echo1" | cut -d' ' -f1)" = "$want" ]
echo "hello synack" | in_ns 30 socat -t 10 - "TCP:$SYNACK_IP:7000" >"$WORK/echo2"
check "socat: a line echoed" grep -qx "hello synack" "$WORK/echo2"
wait_pid "$srv" 20
check "listen --count 2 exits 0 after two connections" [ $? -eq 0 ]

# --echo with five clients at once.
bg_ns 60 "$SYNACK" $SYNACK_ADDR listen 7100 --echo --count 5 2>"$WORK/multi.err"
srv=$BG_PID
check "listen --echo (5 clients) up" wait_for_text "$WORK/multi.err" "listening on $SYNACK_IP port 7100"
cpids=()
for i in 1 2 3 4 5; do
    head -c $((100000 * i)) "$WORK/data" >"$WORK/part$i"
    in_ns 30 socat -t 10 -T 20 - "TCP:$SYNACK_IP:7100" <"$WORK/part$i" >"$WORK/multi$i" &
    cpids+=($!)
    PIDS+=($!)
done
for p in "${cpids[@]}"; do
    wait "$p"
done
same=0
for i in 1 2 3 4 5; do
    cmp -s "$WORK/part$i" "$WORK/multi$i" && same=$((same + 1))
done
check "five concurrent clients all echoed unchanged ($same/5)" [ "$same" -eq 5 ]
wait_pid "$srv" 20
check "listen --count 5 exits 0" [ $? -eq 0 ]

# --file, fetched by curl (raw bytes: HTTP/0.9 to curl).
bg_ns 60 "$SYNACK" $SYNACK_ADDR listen 8080 --file "$WORK/data" --count 2 2>"$WORK/file.err"
srv=$BG_PID
check "listen --file up" wait_for_text "$WORK/file.err" "listening on $SYNACK_IP port 8080"
in_ns 30 curl -s --http0.9 -o "$WORK/curl.out" "http://$SYNACK_IP:8080/"
check "curl: file served whole" [ "$(sha256sum <"$WORK/curl.out" | cut -d' ' -f1)" = "$want" ]
in_ns 30 socat -u "TCP:$SYNACK_IP:8080" "CREATE:$WORK/socat.out"
check "socat: file served whole" [ "$(sha256sum <"$WORK/socat.out" | cut -d' ' -f1)" = "$want" ]
wait_pid "$srv" 20
check "listen --file --count 2 exits 0" [ $? -eq 0 ]

# --discard
bg_ns 60 "$SYNACK" $SYNACK_ADDR listen 9000 --discard --count 1 2>"$WORK/discard.err"
srv=$BG_PID
check "listen --discard up" wait_for_text "$WORK/discard.err" "listening on $SYNACK_IP port 9000"
in_ns 30 socat -u - "TCP:$SYNACK_IP:9000" <"$WORK/data"
check "socat to --discard exits 0" [ $? -eq 0 ]
wait_pid "$srv" 20
check "listen --discard --count 1 exits 0" [ $? -eq 0 ]
finish
