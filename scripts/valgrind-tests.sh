#!/usr/bin/env bash
# Runs the native test executables under valgrind memcheck: any memory
# error or leak fails (issue 10).
#
#   scripts/valgrind-tests.sh            every test that runs one of our programs
#   scripts/valgrind-tests.sh REGEX      only tests whose name matches
#
# Build tree: build/valgrind (gcc, -O1 -g like the native preset, no
# sanitizers: valgrind and ASan do not mix). The test list and each test's
# command come from CTest, so a new tests/unit/*/test_*.c is covered with no
# edit here. Tests that CTest runs through a wrapper script
# (tests/run_if_built.cmake) are run as the executable the wrapper names.
# Logs: build/valgrind/memcheck/<test>.log. Two tests run at a time.
# SYNACK_SIM_SCALE (default here 0.02) shrinks test_sim_tcp's transfers.
# Nothing is excluded today; to exclude one, add it to SKIP with a reason.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bdir="$root/build/valgrind"
filter="${1:-.}"
SKIP=()   # "name: reason"

command -v valgrind >/dev/null || { echo "valgrind-tests: valgrind is not installed (scripts/setup.sh)" >&2; exit 1; }
if [ ! -f "$bdir/CMakeCache.txt" ]; then
  cmake -S "$root" -B "$bdir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_COMPILER=gcc -DCMAKE_C_FLAGS_DEBUG="-g -O1" || exit 1
fi
cmake --build "$bdir" -j2 || exit 1
mkdir -p "$bdir/memcheck"

# name<TAB>working directory<TAB>executable<TAB>args..., one line per test
# that runs a program of ours. Not run: tests whose command is a script
# (check_symbols*: nm over libraries; bench_smoke: a benchmark; the
# harness/cmocka self-tests, which run the runner in modes that must fail).
list=$(cd "$bdir" && ctest -N --show-only=json-v1 | python3 -c '
import json, os, sys
bdir = sys.argv[1]
for t in json.load(sys.stdin)["tests"]:
    cmd = t.get("command") or []
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    if not cmd or "selftest" in t["name"]:
        continue
    exe = next((a[6:] for a in cmd if a.startswith("-DEXE=")), None)
    have = next((a[7:] for a in cmd if a.startswith("-DHAVE=")), "1")
    if exe is not None:
        if have not in ("1", "ON", "TRUE"):
            continue          # not built on this target: CTest skips it too
        cmd = [exe]
    try:
        with open(cmd[0], "rb") as f:
            elf = f.read(4) == b"\x7fELF"
    except OSError:
        elf = False
    if not elf or not cmd[0].startswith(bdir):
        continue
    wd = props.get("WORKING_DIRECTORY", bdir)
    print("\t".join([t["name"], wd] + cmd))
' "$bdir")
[ -n "$list" ] || { echo "valgrind-tests: no tests found" >&2; exit 1; }

run_one() { # NAME DIR EXE ARGS...
  local name="$1" dir="$2"; shift 2
  local log="$bdir/memcheck/$name.log"
  if (cd "$dir" && valgrind --quiet --error-exitcode=99 --leak-check=full \
       --show-leak-kinds=definite,indirect,possible \
       --errors-for-leak-kinds=definite,indirect,possible \
       --track-origins=yes --log-file="$log.vg" "$@") >"$log" 2>&1; then
    echo "ok    $name"
  else
    echo "FAIL  $name (log: $log, valgrind: $log.vg)"
    tail -n 30 "$log.vg"
    return 1
  fi
}
export -f run_one
export bdir
# The simulation matrix moves 10 MB per case natively; under memcheck
# (about 40x slower) the same cases run with 2% of the data.
export SYNACK_SIM_SCALE="${SYNACK_SIM_SCALE:-0.02}"

start=$(date +%s)
while IFS=$'\t' read -r name rest; do
  [[ "$name" =~ $filter ]] || continue
  skip=""
  for s in "${SKIP[@]}"; do [ "${s%%:*}" = "$name" ] && skip="${s#*: }"; done
  if [ -n "$skip" ]; then echo "skip  $name ($skip)" >&2; continue; fi
  printf '%s\t%s\n' "$name" "$rest"
done <<<"$list" >"$bdir/memcheck/list.tsv"

# two at a time
xargs -P 2 -d '\n' -I{} bash -c 'IFS=$'"'"'\t'"'"' read -r -a a <<<"$1"; run_one "${a[@]}"' _ {} \
  <"$bdir/memcheck/list.tsv" >"$bdir/memcheck/summary.txt" 2>&1
rc=$?
cat "$bdir/memcheck/summary.txt"
n=$(wc -l <"$bdir/memcheck/list.tsv")
bad=$(grep -c '^FAIL' "$bdir/memcheck/summary.txt")
echo "valgrind-tests: $((n - bad)) of $n clean in $(( $(date +%s) - start ))s"
[ "$rc" -eq 0 ] && [ "$bad" -eq 0 ]
