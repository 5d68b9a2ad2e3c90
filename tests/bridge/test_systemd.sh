#!/usr/bin/env bash
# The systemd units of deploy/systemd/ (issue 21), as they are, checked
# with `systemd-analyze verify`: no warning of any kind is accepted. It
# runs without a running systemd, in a scratch root (--root) that holds
# the units, copies of systemd's own targets and slices, and the programs
# at the installed paths the units name (the bridge under test, websockify).
# Then a unit with a deliberate mistake must be caught (the test can fail).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root_dir="$(cd "$here/../.." && pwd)"
sa=/usr/bin/systemd-analyze
[ -x "$sa" ] || { echo "test_systemd: $sa missing (package systemd)"; exit 1; }
bridge="${SYNACK_BRIDGE:-$root_dir/build/native/host/bridge/synack-bridge}"
[ -x "$bridge" ] || { echo "test_systemd: no bridge binary at $bridge"; exit 1; }
scratch="$(mktemp -d /tmp/synack-systemd.XXXXXX)"
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$scratch/etc/systemd/system" "$scratch/usr/lib/systemd/system" \
         "$scratch/usr/local/bin" "$scratch/usr/bin" "$scratch/etc/synack-bridge"
cp -L /usr/lib/systemd/system/*.target /usr/lib/systemd/system/*.slice \
   "$scratch/usr/lib/systemd/system/" 2>/dev/null || true
install -m 0755 "$bridge" "$scratch/usr/local/bin/synack-bridge"
install -m 0755 "$(command -v websockify)" "$scratch/usr/bin/websockify"
cp "$root_dir"/deploy/systemd/*.service "$scratch/etc/systemd/system/"
printf 'BRIDGE_ARGS=--listen 127.0.0.1:8101 --slirp\nWEBSOCKIFY_ARGS=127.0.0.1:8111 127.0.0.1:8101\n' \
  > "$scratch/etc/synack-bridge/1.env"

fail=0
verify() { # unit...: prints what verify said; fails on any output or status
  local out rc=0
  out="$("$sa" verify --man=no --root="$scratch" "$@" 2>&1)" || rc=$?
  if [ "$rc" -ne 0 ] || [ -n "$out" ]; then
    echo "$out"
    return 1
  fi
}
for u in synack-bridge@1.service synack-bridge-tap@1.service synack-websockify@1.service; do
  if verify "$u"; then echo "  ok   $u verifies cleanly"; else echo "  FAIL $u"; fail=1; fi
done

# The sandboxing the issue asks for is there.
check_key() { # file key value
  if grep -qx "$2=$3" "$root_dir/deploy/systemd/$1"; then echo "  ok   $1: $2=$3"
  else echo "  FAIL $1: no $2=$3"; fail=1; fi
}
check_key synack-bridge@.service DynamicUser yes
check_key synack-bridge@.service CapabilityBoundingSet ""
check_key synack-bridge@.service ProtectSystem strict
check_key synack-bridge-tap@.service CapabilityBoundingSet CAP_NET_ADMIN
check_key synack-bridge-tap@.service ProtectSystem strict
check_key synack-websockify@.service DynamicUser yes

# A mistake must be caught: an unknown key, and a program that is missing.
sed 's/^ProtectSystem=strict/ProtectSystem=strict\nProtectSytem=strict/' \
  "$root_dir/deploy/systemd/synack-bridge@.service" > "$scratch/etc/systemd/system/broken@.service"
if verify broken@1.service >/dev/null; then echo "  FAIL a misspelt key went unnoticed"; fail=1
else echo "  ok   a misspelt key is reported"; fi
rm "$scratch/usr/local/bin/synack-bridge"
if verify synack-bridge@1.service >/dev/null; then echo "  FAIL a missing ExecStart program went unnoticed"; fail=1
else echo "  ok   a missing program is reported"; fi
[ "$fail" -eq 0 ] && echo "systemd: all checks passed" || echo "systemd: FAILED"
exit "$fail"
