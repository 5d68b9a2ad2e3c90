# Sourced by the shell-test runners (tests/interop/run-all.sh,
# tests/wasi/run-all.sh): the loop they share.
#
#   run_suite DIR TIMEOUT  run every DIR/test_*.sh (only the names that
#                          contain $ONLY, when set), each under `timeout
#                          TIMEOUT`; print "== name: passed/skipped/FAILED"
#                          lines, then "N passed, M failed". Returns 0 when
#                          all that ran passed, 1 when any failed, 77 when
#                          none passed and none failed (all skipped: exit 77).

run_suite() { # DIR TIMEOUT
  local dir="$1" limit="$2" t name start rc took
  local passed=0 failed=0 skipped=0
  local failed_names=()
  for t in "$dir"/test_*.sh; do
    name=$(basename "$t" .sh)
    if [ -n "${ONLY:-}" ] && [[ "$name" != *"$ONLY"* ]]; then
      continue
    fi
    echo "== $name"
    start=$(date +%s)
    timeout "$limit" bash "$t"
    rc=$?
    took=$(($(date +%s) - start))
    case $rc in
    0)
      passed=$((passed + 1))
      echo "== $name: passed (${took}s)"
      ;;
    77)
      skipped=$((skipped + 1))
      echo "== $name: skipped"
      ;;
    *)
      failed=$((failed + 1))
      failed_names+=("$name")
      echo "== $name: FAILED (exit $rc, ${took}s)"
      ;;
    esac
  done
  echo "$passed passed, $failed failed"
  if [ "$skipped" -gt 0 ]; then
    echo "($skipped skipped)"
  fi
  if [ "$failed" -gt 0 ]; then
    echo "failed: ${failed_names[*]}"
    return 1
  fi
  if [ "$passed" -eq 0 ]; then
    return 77
  fi
  return 0
}
