#!/usr/bin/env bash
# Keeps two rules of core/ true by looking at the compiled objects (nm):
#   1. no writable data: the core keeps all state in the stack value, so no
#      object may define a writable variable, exported or file-scope static
#      (nm types D d B b C G g S s V v; const tables are R/r and pass);
#   2. one prefix: every symbol an object exports starts with synack_.
#
#   tests/check_symbols.sh [--nm NM] FILE.a|FILE.o ...
# Prints each offending symbol with its object, and exits 1 if there is any,
# 2 on bad usage or when nm fails, 0 when everything is clean.
set -euo pipefail

nm_cmd="${NM:-nm}"
if [ "${1:-}" = "--nm" ]; then
  [ $# -ge 2 ] || { echo "check_symbols: --nm needs a value" >&2; exit 2; }
  nm_cmd="$2"
  shift 2
fi
if [ $# -eq 0 ]; then
  echo "usage: $0 [--nm NM] FILE.a|FILE.o ..." >&2
  exit 2
fi

bad=0
for file in "$@"; do
  if [ ! -f "$file" ]; then
    echo "check_symbols: no such file: $file" >&2
    exit 2
  fi
  # -A prefixes each line with archive:object:, so the last two fields of a
  # symbol line are its type letter and its name.
  if ! listing="$("$nm_cmd" -A "$file" 2>&1)"; then
    echo "check_symbols: $nm_cmd failed on $file: $listing" >&2
    exit 2
  fi
  report="$(printf '%s\n' "$listing" | awk '
    NF >= 2 {
      type = $(NF - 1); name = $NF; where = $1
      sub(/:[0-9a-fA-F]*$/, "", where)
      if (length(type) != 1) next
      if (type ~ /^[DdBbCGgSsVv]$/)
        printf "writable data (nm %s): %s in %s\n", type, name, where
      else if (type ~ /^[A-Z]$/ && type != "U" && name !~ /^synack_/)
        printf "exported without synack_ prefix (nm %s): %s in %s\n", type, name, where
    }')"
  if [ -n "$report" ]; then
    printf '%s\n' "$report"
    bad=1
  fi
done

if [ "$bad" -ne 0 ]; then
  echo "check_symbols: FAILED (core/ must have no writable globals and only synack_ exports)"
  exit 1
fi
echo "check_symbols: OK ($*)"
