#!/usr/bin/env bash
# Connecting by name with Happy Eyeballs v2 (RFC 8305) against Linux:
# dnsmasq in the namespace serves he.test with an AAAA (fd77::1) and an A
# record (10.77.0.1) and is asked over IPv6 (--dns fd77::1); a dual-stack
# Python HTTP server logs each client's address, so the family that was
# used is read from the server's side as well as from the tool's report.
#   both families work      -> `get http://he.test:8000/` over IPv6, one attempt
#   nftables drops IPv6 TCP -> the IPv6 attempt times out unanswered, IPv4
#                              starts 250 ms later and wins (two attempts)
#   nothing answers at all  -> the error of the last attempt (IPv4 refused)
# and `ping NAME` choosing its family the same way: IPv6 when the stack has
# an IPv6 route (fd77::1), IPv4 when it has none (a static address of
# another prefix) or the name has no AAAA (v4only.test); -4/-6 force one.
. "$(dirname "$0")/lib.sh"
setup_ns6
# every 'CMD' ...: true when each command line (eval'd) succeeds; check runs
# one command, so `check WHAT A && B` would count only A as the check
every() { local c; for c in "$@"; do eval "$c" || return 1; done; }
DUAL="--tap tap0 --ip $SYNACK_IP/24 --ip6 $SYNACK_IP6/64 --dns $KERNEL_IP6"

bg_ns 120 dnsmasq --no-daemon --conf-file=/dev/null --interface=tap0 --bind-interfaces \
    --host-record=he.test,"$KERNEL_IP","$KERNEL_IP6" --host-record=v4only.test,"$KERNEL_IP" --local=/test/ --no-resolv --no-hosts --log-queries \
    --pid-file="$WORK/dnsmasq.pid" 2>"$WORK/dnsmasq.log"
check "dnsmasq up on [$KERNEL_IP6]:53" wait_for_port "$KERNEL_IP6" 53

mkdir "$WORK/www"
echo "hello by name" >"$WORK/www/hello.txt"
# http.server's dual-stack server (IPV6_V6ONLY off): IPv4 clients are
# logged as ::ffff:10.77.0.2, IPv6 ones as fd77::2.
bg_ns 120 python3 -m http.server 8000 --bind :: --directory "$WORK/www" >/dev/null 2>"$WORK/access.log"
check "http.server up on [::]:8000" wait_for_port "$KERNEL_IP6" 8000

# --- both work: IPv6 -------------------------------------------------------
in_ns 60 "$SYNACK" $DUAL get http://he.test:8000/hello.txt >"$WORK/v6.out" 2>"$WORK/v6.err"
rc=$?
sed 's/^/       /' "$WORK/v6.err"
check "get by name: exit 0, body" every '[ "$rc" -eq 0 ]' 'grep -qx "hello by name" "$WORK/v6.out"'
check "tool: connected over IPv6 at the first attempt" \
    grep -q "get he.test port 8000: connected to $KERNEL_IP6 (IPv6, attempt 1)" "$WORK/v6.err"
check "server log: the client was $SYNACK_IP6" grep -q "^$SYNACK_IP6 .*GET /hello.txt" "$WORK/access.log"
check "tool: the resolver is the --dns one, not called an RA's" sh -c "! grep -q 'router advertisement' '$WORK/v6.err'"
check "dnsmasq was asked AAAA and A over IPv6" \
    every 'grep -q "query\[AAAA\] he.test from $SYNACK_IP6" "$WORK/dnsmasq.log"' \
    'grep -q "query\[A\] he.test from $SYNACK_IP6" "$WORK/dnsmasq.log"'

# the nc-like mode resolves the same way (synack_cli_tcp_dial)
printf 'GET /hello.txt HTTP/1.0\r\n\r\n' |
    in_ns 60 "$SYNACK" $DUAL connect he.test 8000 >"$WORK/nc.out" 2>"$WORK/nc.err"
rc=$?
sed 's/^/       /' "$WORK/nc.err"
check "connect he.test 8000 (nc-like): over IPv6, the body" every '[ "$rc" -eq 0 ]' \
    'grep -q "connect he.test port 8000: connected to $KERNEL_IP6 (IPv6, attempt 1)" "$WORK/nc.err"' \
    'grep -q "hello by name" "$WORK/nc.out"'

# --- ping NAME: AAAA and A, the family Happy Eyeballs would take ------------
pingt() { # label, args...: stdout to $WORK/$label.out, stderr .err, rc in $WORK/$label.rc
    local label=$1
    shift
    in_ns 30 "$SYNACK" "$@" >"$WORK/$label.out" 2>"$WORK/$label.err"
    echo $? >"$WORK/$label.rc"
    sed 's/^/       /' "$WORK/$label.out" "$WORK/$label.err"
}
pingt p6 $DUAL ping he.test -c 2
check "ping he.test: IPv6 (a route to fd77::1), said so" \
    grep -q "resolve he.test: $KERNEL_IP6 (IPv6" "$WORK/p6.err"
check "ping he.test: exit 0, replies from $KERNEL_IP6" every '[ "$(cat "$WORK/p6.rc")" -eq 0 ]' \
    'grep -q "^PING he.test ($KERNEL_IP6)" "$WORK/p6.out"' 'grep -q "bytes from $KERNEL_IP6: icmp_seq=2" "$WORK/p6.out"'
pingt p4 $DUAL ping -4 he.test -c 1
check "ping -4 he.test: $KERNEL_IP only, exit 0" every '[ "$(cat "$WORK/p4.rc")" -eq 0 ]' \
    'grep -q "resolve he.test: $KERNEL_IP (IPv4)$" "$WORK/p4.err"' \
    'grep -q "bytes from $KERNEL_IP: icmp_seq=1" "$WORK/p4.out"'
pingt pv4 $DUAL ping v4only.test -c 1
check "ping v4only.test (no AAAA): IPv4, exit 0" every '[ "$(cat "$WORK/pv4.rc")" -eq 0 ]' \
    'grep -q "bytes from $KERNEL_IP: icmp_seq=1" "$WORK/pv4.out"'
pingt pv6 $DUAL ping -6 v4only.test -c 1
check "ping -6 v4only.test: exit 1, not found" every '[ "$(cat "$WORK/pv6.rc")" -eq 1 ]' \
    'grep -q "resolve v4only.test: not found" "$WORK/pv6.err"'
# An IPv6 address of another prefix and no router: no IPv6 route to
# fd77::1, so IPv4, as synack_connect_name would order them.
pingt pnr --tap tap0 --ip $SYNACK_IP/24 --ip6 fd99::2/64 --dns $KERNEL_IP ping he.test -c 1
check "ping he.test without an IPv6 route: IPv4, exit 0" every '[ "$(cat "$WORK/pnr.rc")" -eq 0 ]' \
    'grep -q "resolve he.test: $KERNEL_IP (IPv4; also $KERNEL_IP6, not used)" "$WORK/pnr.err"' \
    'grep -q "bytes from $KERNEL_IP: icmp_seq=1" "$WORK/pnr.out"'

# --- IPv6 black-holed: IPv4 after the attempt delay -------------------------
ip netns exec "$NS" nft -f - <<'NFT'
table inet he {
    chain input {
        type filter hook input priority 0;
        ip6 saddr fd77::2 tcp dport { 8000, 8001 } drop
    }
}
NFT
: >"$WORK/access.log"
t0=$(date +%s%N)
in_ns 60 "$SYNACK" $DUAL get http://he.test:8000/hello.txt >"$WORK/v4.out" 2>"$WORK/v4.err"
rc=$?
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
sed 's/^/       /' "$WORK/v4.err"
echo "       (whole run ${ms} ms)"
check "IPv6 dropped: exit 0, body" every '[ "$rc" -eq 0 ]' 'grep -qx "hello by name" "$WORK/v4.out"'
check "tool: IPv4 won at the second attempt" \
    grep -q "get he.test port 8000: connected to $KERNEL_IP (IPv4, attempt 2)" "$WORK/v4.err"
check "server log: the client was ::ffff:$SYNACK_IP" grep -q "^::ffff:$SYNACK_IP .*GET /hello.txt" "$WORK/access.log"
check "server log: no IPv6 client" sh -c "! grep -q '^$SYNACK_IP6 ' '$WORK/access.log'"

# --- all fail: the last attempt's error -----------------------------------------
# Port 8001: IPv6 is dropped (times out after --syn-retries 1: 3 s), IPv4
# is refused at once; the last attempt started is IPv4's.
in_ns 60 "$SYNACK" $DUAL --syn-retries 1 get http://he.test:8001/ >/dev/null 2>"$WORK/fail.err"
rc=$?
sed 's/^/       /' "$WORK/fail.err"
check "all attempts fail: exit 1, the IPv4 attempt's 'refused'" \
    every '[ "$rc" -eq 1 ]' 'grep -q "get he.test port 8001: .*refused" "$WORK/fail.err"'
finish
