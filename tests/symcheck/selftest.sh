#!/usr/bin/env bash
# Proves tests/check_symbols.sh can fail: it must reject bad.o naming every
# broken rule, and accept good.o.
#   tests/symcheck/selftest.sh CHECK_SYMBOLS GOOD.o BAD.o
set -uo pipefail
check="$1"; good="$2"; bad="$3"
status=0

out="$(bash "$check" "$good" 2>&1)"; rc=$?
echo "$out"
if [ "$rc" -ne 0 ]; then
  echo "selftest: the clean object was rejected (status $rc)"; status=1
fi

out="$(bash "$check" "$bad" 2>&1)"; rc=$?
echo "$out"
if [ "$rc" -ne 1 ]; then
  echo "selftest: the bad object gave status $rc, expected 1"; status=1
fi
for want in "writable data (nm B): synack_bad_counter" \
            "writable data (nm D): synack_bad_initialised" \
            "writable data (nm d): file_state" \
            "writable data (nm b): calls" \
            "exported without synack_ prefix (nm T): helper_without_prefix"; do
  case "$out" in
    *"$want"*) ;;
    *) echo "selftest: missing report: $want"; status=1 ;;
  esac
done
[ "$status" -eq 0 ] && echo "selftest: OK"
exit "$status"
