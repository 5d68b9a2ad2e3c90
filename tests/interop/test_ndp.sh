#!/usr/bin/env bash
# Neighbour Discovery and SLAAC between synack and Linux over a TAP, with
# no static neighbour entries and no static IPv6 address on synack:
#  - synack forms its RFC 7217 link-local address (not EUI-64) and
#    answers Linux's neighbour solicitations: `ping -6` from Linux to it;
#  - Debian's radvd in the namespace advertises 2001:db8:77::/64 with an
#    RDNSS option; synack forms a SLAAC address in it, Linux pings that
#    address, and Linux answers synack's solicitations: `synack ping` of
#    Linux's link-local and global addresses;
#  - a fresh synack run learns the resolver from the advertisement alone
#    (no --dns, no DHCP) and resolves a name through dnsmasq listening on
#    [2001:db8:77::1]:53.
. "$(dirname "$0")/lib.sh"
if ! command -v radvd >/dev/null 2>&1; then
    echo "test_ndp: radvd missing (scripts/setup.sh installs it)" >&2
    exit 1
fi
setup_ns
PREFIX=2001:db8:77
KERNEL_G6=$PREFIX::1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.tap0.accept_ra=0
ip -n "$NS" addr add "$KERNEL_G6/64" dev tap0 nodad || exit 1

# The Linux side's link-local address, once its DAD is over (the TAP has
# a carrier only while synack holds it).
linux_ll() {
    ip -n "$NS" -6 addr show dev tap0 scope link 2>/dev/null |
        awk '/inet6/ && !/tentative/ { sub(/\/.*/, "", $2); print $2; exit }'
}
wait_linux_ll() {
    local i
    for ((i = 0; i < 100; i++)); do
        [ -n "$(linux_ll)" ] && return 0
        sleep 0.1
    done
    return 1
}

# --- 1. link-local: Linux resolves synack by NS -------------------------------
bg_ns 120 "$SYNACK" --tap tap0 --ip "$SYNACK_IP/24" udp-echo 7777 2>"$WORK/srv.err"
srv=$BG_PID
check "synack reports its link-local address" wait_for_text "$WORK/srv.err" "(link-local)" 10
ll=$(sed -n 's/^synack: ipv6: \(fe80[^/]*\)\/64 (link-local)$/\1/p' "$WORK/srv.err" | head -n 1)
echo "       synack link-local: $ll"
check "link-local is fe80::/64 with an RFC 7217 identifier (no ff:fe)" \
    python3 -c 'import ipaddress,sys; a=ipaddress.IPv6Address(sys.argv[1]).packed
sys.exit(0 if a[:8]==bytes([0xfe,0x80]+[0]*6) and a[11:13]!=b"\xff\xfe" else 1)' "$ll"
check "Linux link-local up" wait_linux_ll
LL_LINUX=$(linux_ll)
check "no static neighbour entries on the Linux side" \
    [ -z "$(ip -n "$NS" -6 neigh show dev tap0 nud permanent)" ]
check "Linux ping -6 synack's link-local (NS/NA)" \
    in_ns 20 ping -6 -c 3 -i 0.2 -W 2 -I tap0 "$ll"
check "Linux learnt synack's MAC by NDP" \
    sh -c "ip -n '$NS' -6 neigh show dev tap0 | grep -q '^$ll '"

# --- 2. SLAAC from radvd -------------------------------------------------------
cat >"$WORK/radvd.conf" <<EOF
interface tap0 {
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    AdvDefaultLifetime 60;
    prefix $PREFIX::/64 {
        AdvOnLink on;
        AdvAutonomous on;
        AdvValidLifetime 3600;
        AdvPreferredLifetime 1800;
    };
    RDNSS $KERNEL_G6 {
        AdvRDNSSLifetime 60;
    };
    DNSSL ndp.test {
        AdvDNSSLLifetime 60;
    };
};
EOF
chmod 644 "$WORK/radvd.conf"
bg_ns 120 radvd -n -C "$WORK/radvd.conf" -p "$WORK/radvd.pid" -m stderr 2>"$WORK/radvd.log"
check "synack forms a SLAAC address from radvd's prefix" \
    wait_for_text "$WORK/srv.err" "(slaac)" 20
g6=$(sed -n 's/^synack: ipv6: \([^/]*\)\/64 (slaac)$/\1/p' "$WORK/srv.err" | head -n 1)
echo "       synack SLAAC address: $g6"
check "the address is in $PREFIX::/64, not EUI-64" \
    python3 -c 'import ipaddress,sys; a=ipaddress.IPv6Address(sys.argv[1])
sys.exit(0 if a in ipaddress.IPv6Network(sys.argv[2]+"::/64") and a.packed[11:13]!=b"\xff\xfe" else 1)' \
    "$g6" "$PREFIX"
check "Linux ping -6 synack's SLAAC address" in_ns 20 ping -6 -c 3 -i 0.2 -W 2 "$g6"
kill "$srv"
wait_pid "$srv" 10

# --- 3. synack resolves Linux; the advertised resolver -----------------------
in_ns 30 "$SYNACK" --tap tap0 --ip "$SYNACK_IP/24" ping "$LL_LINUX" -c 2 >"$WORK/p1.out" 2>"$WORK/p1.err"
check "synack ping Linux's link-local (at start: waits for its own address)" \
    grep -q "2 received" "$WORK/p1.out"
in_ns 30 "$SYNACK" --tap tap0 --ip "$SYNACK_IP/24" ping "$KERNEL_G6" -c 2 >"$WORK/p2.out" 2>"$WORK/p2.err"
check "synack ping $KERNEL_G6 (SLAAC source, on-link prefix)" grep -q "2 received" "$WORK/p2.out"

bg_ns 60 dnsmasq --no-daemon --conf-file=/dev/null --port=53 --listen-address="$KERNEL_G6" \
    --bind-interfaces --no-resolv --no-hosts --address=/ndp.test/"$KERNEL_IP" \
    --pid-file="$WORK/dnsmasq.pid" 2>"$WORK/dnsmasq.log"
check "dnsmasq up on [$KERNEL_G6]:53" sh -c "for i in \$(seq 50); do ip netns exec '$NS' ss -Hlun 'sport = :53' | grep -q . && exit 0; sleep 0.1; done; exit 1"
in_ns 40 "$SYNACK" --tap tap0 --ip "$SYNACK_IP/24" ping ndp.test -c 1 >"$WORK/p3.out" 2>"$WORK/p3.err"
rc=$?
sed 's/^/       /' "$WORK/p3.err"
check "ping ndp.test through the RDNSS resolver: exit 0" [ "$rc" -eq 0 ]
check "synack reported the advertised resolver" grep -q "ipv6: dns $KERNEL_G6 (router advertisement)" "$WORK/p3.err"
check "the name resolved to $KERNEL_IP" grep -q "PING ndp.test ($KERNEL_IP)" "$WORK/p3.out"
finish
