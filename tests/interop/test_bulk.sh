#!/usr/bin/env bash
# 100 MB each way over a clean link: `synack send` to a Linux sink and a
# Linux sender to `synack sink`, SHA-256 checked end to end.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bulk_lib.sh"
setup_ns
make_data 100000000
IMPAIR=""
bulk_both_ways 100000000 "clean:" 120
finish
