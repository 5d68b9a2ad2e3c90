# Shared set-up for the interop tests (sourced, not run). Each test gets a
# network namespace of its own with a TAP device inside it: the kernel side
# is 10.77.0.1/24 on tap0, synack (run in the namespace with --tap tap0) is
# 10.77.0.2/24. Everything is removed by the EXIT trap: every process we
# started (killed by its own PID; each runs under `timeout`, which takes its
# process group with it), then the namespace.
#
# Environment: SYNACK=/path/to/synack (default: the newest build under
# build/*/host/native/synack), KEEP_TMP=1 to keep the work directory.

set -u

INTEROP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$INTEROP_DIR/../.." && pwd)

if [ -z "${SYNACK:-}" ]; then
    SYNACK=$(ls -t "$ROOT"/build/*/host/native/synack 2>/dev/null | head -n 1)
fi
if [ -z "${SYNACK:-}" ] || [ ! -x "$SYNACK" ]; then
    echo "interop: synack binary not found (build it or set SYNACK=)" >&2
    exit 2
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "interop: needs root (network namespaces, TAP devices)" >&2
    exit 77
fi

NS="synk-$$"
KERNEL_IP=10.77.0.1
SYNACK_IP=10.77.0.2
SYNACK_ADDR="--tap tap0 --ip $SYNACK_IP/24 --gw $KERNEL_IP"
# IPv6 (setup_ns6): static addresses on both sides, no DHCP.
KERNEL_IP6=fd77::1
SYNACK_IP6=fd77::2
SYNACK_ADDR6="--tap tap0 --ip6 $SYNACK_IP6/64"
WORK=$(mktemp -d /tmp/synack-interop.XXXXXX)
PIDS=()

cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null
    done
    # Anything else still inside the namespace, by its own PID.
    if ip netns pids "$NS" >/dev/null 2>&1; then
        for pid in $(ip netns pids "$NS"); do
            kill -9 "$pid" 2>/dev/null
        done
        ip netns del "$NS" 2>/dev/null
    fi
    if [ "${KEEP_TMP:-0}" = 1 ]; then
        echo "interop: kept $WORK" >&2
    else
        rm -rf "$WORK"
    fi
}
trap cleanup EXIT

# The namespace, its TAP device and the kernel's address.
setup_ns() {
    ip netns add "$NS" || exit 1
    ip -n "$NS" link set lo up
    ip -n "$NS" tuntap add dev tap0 mode tap || exit 1
    ip -n "$NS" addr add "$KERNEL_IP/24" dev tap0
    ip -n "$NS" link set tap0 up
}

# setup_ns with IPv6: the kernel's static address (no DAD wait) and no
# router advertisements accepted on the TAP.
setup_ns6() {
    setup_ns
    ip netns exec "$NS" sysctl -qw net.ipv6.conf.tap0.accept_ra=0
    ip -n "$NS" addr add "$KERNEL_IP6/64" dev tap0 nodad || exit 1
}

# Run a command in the namespace (foreground): in_ns SECONDS cmd...
in_ns() {
    local t=$1
    shift
    ip netns exec "$NS" timeout "$t" "$@"
}

# Start a command in the namespace in the background: bg_ns SECONDS cmd...
# Its PID (that of `timeout`) is recorded in PIDS and in $BG_PID.
bg_ns() {
    local t=$1
    shift
    ip netns exec "$NS" timeout "$t" "$@" &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

# Wait (bounded) until FILE contains TEXT: wait_for_text FILE TEXT [SECONDS]
wait_for_text() {
    local file=$1 text=$2 t=${3:-10} i
    for ((i = 0; i < t * 10; i++)); do
        if grep -q -- "$text" "$file" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    echo "timed out waiting for '$text' in $file:" >&2
    cat "$file" >&2 2>/dev/null
    return 1
}

# Wait (bounded) until a Linux TCP socket listens on addr:port in the
# namespace (without connecting to it).
wait_for_port() {
    local addr=$1 port=$2 t=${3:-10} i
    for ((i = 0; i < t * 10; i++)); do
        if ip netns exec "$NS" ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then
            return 0
        fi
        sleep 0.1
    done
    echo "timed out waiting for $addr:$port" >&2
    return 1
}

# Wait for a background PID with a bound; returns its status (124 if it
# had to be killed).
wait_pid() {
    local pid=$1 t=${2:-30} i
    for ((i = 0; i < t * 10; i++)); do
        if ! kill -0 "$pid" 2>/dev/null; then
            wait "$pid"
            return $?
        fi
        sleep 0.1
    done
    kill "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 124
}

FAILS=0
check() { # check DESCRIPTION command...
    local what=$1
    shift
    if "$@"; then
        echo "  ok   $what"
    else
        echo "  FAIL $what"
        FAILS=$((FAILS + 1))
    fi
}

# every 'CMD' ...: true when each command line (eval'd) succeeds. check
# runs one command, so in `check WHAT A && B` only A is the check and B's
# status is lost: write `check WHAT every 'A' 'B'` (or `'! B'`) instead.
every() { local c; for c in "$@"; do eval "$c" || return 1; done; }

# tap0's counters in the namespace: tap_stat rx|tx packets|bytes. rx: what
# the kernel took from synack, tx: what it handed to synack. One GSO
# packet (a super-frame through the virtio_net_hdr) counts once, so these
# show whether the offloads are in use: without them no frame exceeds
# 1514 bytes, so an average above that proves super-frames.
tap_stat() {
    ip -n "$NS" -j -s link show tap0 |
        python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["stats64"][sys.argv[1]][sys.argv[2]])' "$1" "$2"
}

# The JSON field of a send/sink summary line: json_field FILE NAME
json_field() {
    python3 -c 'import json,sys
for line in open(sys.argv[1]):
    line = line.strip()
    if line.startswith("{"):
        print(json.loads(line)[sys.argv[2]])' "$1" "$2"
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$(basename "$0"): $FAILS check(s) failed"
        exit 1
    fi
    echo "$(basename "$0"): all checks passed"
    exit 0
}
