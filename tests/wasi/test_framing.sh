#!/usr/bin/env bash
# Malformed stream framing on stdin (DESIGN.md: a length of 0 or above
# 65535 closes the stream) ends synack.wasm --stdio with one clear line on
# stderr and exit status 1: never a wasm trap, never a hang. Also: a stream
# cut inside a frame, and --accept-fd on a descriptor that is no socket.
. "$(dirname "$0")/lib.sh"

# feed NAME PRINTF-FORMAT: run `udp-echo` on that input (every frame in
# and out recorded in $WORK/NAME.pcap), keep rc, stdout and stderr.
feed() {
    local name=$1 fmt=$2
    # shellcheck disable=SC2059 # the format is the frame bytes
    printf "$fmt" | timeout 30 "${WASI_CMD[@]}" --stdio --ip 10.9.0.1/24 \
        --pcap "/work/$name.pcap" udp-echo 7 \
        >"$WORK/$name.out" 2>"$WORK/$name.err"
    echo $? >"$WORK/$name.rc"
}

# The error line must be the last line of stderr, and nothing from the
# runtime (a trap prints "wasm trap" / "error while executing").
ends_with() { # NAME TEXT
    [ "$(cat "$WORK/$1.rc")" = 1 ] &&
        tail -n 1 "$WORK/$1.err" | grep -q -- "$2" &&
        ! grep -q -i -E "trap|backtrace|error while executing" "$WORK/$1.err"
}

# A well-formed frame first: 60 bytes of broadcast Ethernet, unknown type.
good='\0\0\0\074\377\377\377\377\377\377\002\0\0\0\0\001\210\265'
good+=$(printf '\\0%.0s' $(seq 1 46))

feed zero '\0\0\0\0'
check "length 0: exit 1, one line 'framing error'" ends_with zero "synack: link: framing error"
feed big '\0\001\0\0'
check "length 65536: exit 1, 'framing error'" ends_with big "framing error"
feed huge '\377\377\377\377'
check "length 0xffffffff: exit 1, 'framing error'" ends_with huge "framing error"
feed after_good "$good"'\0\0\0\0'
check "bad length after a good frame: exit 1, 'framing error'" ends_with after_good "framing error"
check "the good frame before it was read (it is in the pcap)" python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
sys.exit(0 if bytes.fromhex("ffffffffffff02000000000188b5" + "00" * 46) in d else 1)' "$WORK/after_good.pcap"
feed cut '\0\0\005\334abc'
check "stream cut inside a frame: exit 1, 'closed by the other end'" \
    ends_with cut "closed by the other end"
check "stdout carried only the link (nothing printed there but frames)" \
    [ "$(head -c 4 "$WORK/zero.out" | od -An -tx1 | tr -d ' ')" = 0000002a ]

# --accept-fd needs a listening socket the runtime preopened; fd 3 here is
# the preopened directory: a clear error, exit 1.
timeout 30 "${WASI_CMD[@]}" --accept-fd 3 --ip 10.9.0.1/24 udp-echo 7 </dev/null \
    >/dev/null 2>"$WORK/acc.err"
echo $? >"$WORK/acc.rc"
check "--accept-fd on a directory: exit 1, 'not a listening socket'" \
    ends_with acc "--accept-fd 3: not a listening socket"

# Idle: udp-echo on a link where nothing arrives. Its CPU time over 2 s,
# after start-up, must stay near zero (the loop sleeps until a frame or
# the stack's next deadline).
cpu_ticks() { # PID: user + system clock ticks
    awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null
}
mkfifo "$WORK/idle"
sleep 6 >"$WORK/idle" &
PIDS+=($!)
timeout 20 "${WASI_CMD[@]}" --stdio --ip 10.9.0.1/24 udp-echo 7 <"$WORK/idle" \
    >/dev/null 2>"$WORK/idle.err" &
idle_pid=$!
PIDS+=("$idle_pid")
wait_for_text "$WORK/idle.err" "listening on 10.9.0.1 port 7" 10
wasm_pid=$(pgrep -P "$idle_pid" -f wasmtime | head -n 1)
sleep 1
t0=$(cpu_ticks "$wasm_pid")
sleep 2
t1=$(cpu_ticks "$wasm_pid")
hz=$(getconf CLK_TCK)
echo "  (idle udp-echo: $((t1 - t0)) ticks of CPU in 2 s at $hz ticks/s)"
idle_ok() { [ -n "$t0" ] && [ -n "$t1" ] && [ $(((t1 - t0) * 100)) -lt $((2 * hz * 5)) ]; }
check "idle: under 5% of a CPU while waiting" idle_ok
wait_pid "$idle_pid" 20
check "idle: exits 1 when the link closes" [ $? -eq 1 ]
finish
