# Bulk transfers both ways (sourced by test_bulk*.sh after lib.sh):
#   synack send -> Linux sink   (socat -u TCP-LISTEN:port STDOUT | sha256sum)
#   Linux sender -> synack sink (socat -u FILE TCP:synack:port)
# The SHA-256 the receiver saw must equal the sender's. IMPAIR holds
# synack's impairment flags (empty for a clean link).

bulk_both_ways() {
    local bytes=$1 label=$2 limit=$3

    # synack -> Linux
    local rx0
    rx0=$(tap_stat rx packets)
    bg_ns "$limit" sh -c "socat -u TCP-LISTEN:5002,bind=$KERNEL_IP,reuseaddr STDOUT | sha256sum >'$WORK/linux.sum'"
    local sinkpid=$BG_PID
    wait_for_port "$KERNEL_IP" 5002
    in_ns "$limit" "$SYNACK" $SYNACK_ADDR $IMPAIR send "$KERNEL_IP" 5002 --bytes "$bytes" \
        >"$WORK/send.json" 2>"$WORK/send.err"
    local rc=$?
    wait_pid "$sinkpid" 30
    local got
    got=$(cut -d' ' -f1 <"$WORK/linux.sum" 2>/dev/null)
    check "$label synack send -> Linux: exit 0" [ "$rc" -eq 0 ]
    check "$label synack send -> Linux: $bytes bytes reported" [ "$(json_field "$WORK/send.json" bytes)" = "$bytes" ]
    check "$label synack send -> Linux: SHA-256 equal" every '[ -n "$got" ]' '[ "$(json_field "$WORK/send.json" sha256)" = "$got" ]'
    echo "       send: $(cat "$WORK/send.json")"
    # Send offload (the tool's default on a clean --tap link) hands the
    # kernel GSO packets of many segments; an impairment turns it off, so
    # every segment is a frame of its own.
    local pkts segs=$((bytes / 1460))
    pkts=$(($(tap_stat rx packets) - rx0))
    if [ -z "$IMPAIR" ]; then
        check "$label send offload: $pkts packets for $segs segments (< 1/4)" [ "$pkts" -lt $((segs / 4)) ]
    else
        check "$label no send offload with impairments: $pkts packets >= $segs" [ "$pkts" -ge "$segs" ]
    fi

    # Linux -> synack
    bg_ns "$limit" "$SYNACK" $SYNACK_ADDR $IMPAIR sink 5001 --count 1 >"$WORK/sink.json" 2>"$WORK/sink.err"
    local srv=$BG_PID
    wait_for_text "$WORK/sink.err" "listening on $SYNACK_IP port 5001"
    local tx0 txb0
    tx0=$(tap_stat tx packets)
    txb0=$(tap_stat tx bytes)
    in_ns "$limit" socat -u "FILE:$WORK/data" "TCP:$SYNACK_IP:5001"
    rc=$?
    wait_pid "$srv" 60
    local src=$?
    # Receive offload (tap.c, TUN_F_TSO4; off with impairments): the
    # kernel hands synack its TSO output whole, one packet per super-frame
    # (how many segments each holds varies with the load, so the check is
    # the average size, which no wire-sized frame can lift above 1514).
    pkts=$(($(tap_stat tx packets) - tx0))
    local avg=$((($(tap_stat tx bytes) - txb0) / (pkts > 0 ? pkts : 1)))
    if [ -z "$IMPAIR" ]; then
        check "$label receive offload: $pkts frames from the kernel for $segs segments, $avg bytes each (> 1514)" [ "$avg" -gt 1514 ]
    fi
    check "$label Linux -> synack sink: sender exit 0" [ "$rc" -eq 0 ]
    check "$label Linux -> synack sink: sink exit 0" [ "$src" -eq 0 ]
    check "$label Linux -> synack sink: $bytes bytes reported" [ "$(json_field "$WORK/sink.json" bytes)" = "$bytes" ]
    check "$label Linux -> synack sink: SHA-256 equal" [ "$(json_field "$WORK/sink.json" sha256)" = "$DATA_SUM" ]
    echo "       sink: $(cat "$WORK/sink.json")"
}

make_data() {
    head -c "$1" /dev/urandom >"$WORK/data"
    DATA_SUM=$(sha256sum <"$WORK/data" | cut -d' ' -f1)
}
