#!/usr/bin/env bash
# The test command behind `make test`: runs named steps one after another,
# keeps going when one fails, then prints a summary and a last line
# "N passed, M failed". Exits 1 when any step failed.
#
#   scripts/test-all.sh              every step
#   scripts/test-all.sh wasi asan    only the named steps
#   STEP_TIMEOUT=900 scripts/test-all.sh   per-step limit in seconds
#
# Each step's output is shown and also kept in build/logs/<step>.log.
# To add a suite, add one `step` line below.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
export PATH="$HOME/.cargo/bin:$PATH"
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"
step_timeout="${STEP_TIMEOUT:-1800}"
logs="$root/build/logs"

names=()
cmds=()
step() { # NAME COMMAND...
  names+=("$1")
  shift
  cmds+=("$*")
}

# ---- the steps, in order -------------------------------------------------
step native      bash scripts/test-preset.sh native
step asan        bash scripts/test-preset.sh asan
step emscripten  bash scripts/test-preset.sh emscripten
step wasi        bash scripts/test-preset.sh wasi
step interop     bash tests/interop/run-all.sh
step bridge      bash tests/bridge/run-all.sh
step wasi-tool   bash tests/wasi/run-all.sh
step posix       bash tests/posix/run-all.sh
step posix-em    bash tests/posix/em/run.sh
step tls         bash tests/tls/run-all.sh
step node        bash tests/node/run.sh
step browser     bash tests/browser/run.sh
step net         bash tests/net/run.sh
step demo        bash tests/demo/run.sh
step fuzz        bash fuzz/run.sh
step valgrind    bash scripts/valgrind-tests.sh
# ---------------------------------------------------------------------------

wanted=("$@")
is_wanted() {
  [ ${#wanted[@]} -eq 0 ] && return 0
  local w
  for w in "${wanted[@]}"; do [ "$w" = "$1" ] && return 0; done
  return 1
}
for w in "${wanted[@]}"; do
  found=0
  for n in "${names[@]}"; do [ "$n" = "$w" ] && found=1; done
  [ "$found" -eq 1 ] || { echo "test-all: no step named '$w' (steps: ${names[*]})" >&2; exit 2; }
done

mkdir -p "$logs"

# Set-up: a quick check first; the full set-up only when something is missing.
if ! bash scripts/setup.sh --check; then
  echo "== setup: something is missing, running scripts/setup.sh"
  bash scripts/setup.sh </dev/null || { echo "test-all: set-up failed"; echo "0 passed, 1 failed"; exit 1; }
fi

passed=0
failed=0
summary=()
for i in "${!names[@]}"; do
  name="${names[$i]}"
  is_wanted "$name" || continue
  echo
  echo "======== step $name: ${cmds[$i]}"
  start=$(date +%s)
  # shellcheck disable=SC2086 # the command is a word list on purpose
  timeout --kill-after=30 "$step_timeout" ${cmds[$i]} </dev/null 2>&1 | tee "$logs/$name.log"
  rc=${PIPESTATUS[0]}
  secs=$(( $(date +%s) - start ))
  if [ "$rc" -eq 0 ]; then
    passed=$((passed + 1))
    summary+=("PASS  $name (${secs}s)")
  else
    failed=$((failed + 1))
    [ "$rc" -eq 124 ] && note=", timed out after ${step_timeout}s" || note=""
    summary+=("FAIL  $name (${secs}s, exit $rc$note; log: build/logs/$name.log)")
  fi
done

echo
echo "======== summary"
for line in "${summary[@]}"; do echo "$line"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
