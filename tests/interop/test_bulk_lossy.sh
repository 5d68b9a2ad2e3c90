#!/usr/bin/env bash
# 100 MB each way at 2 % loss with reordering, applied by synack's own
# impair flags to the frames it sends and receives; SHA-256 checked end to
# end, and the sender must have retransmitted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/bulk_lib.sh"
setup_ns
make_data 100000000
IMPAIR="--loss 2 --reorder 2 --seed 7"
bulk_both_ways 100000000 "2% loss:" 300
check "2% loss: synack send retransmitted" [ "$(json_field "$WORK/send.json" retransmits)" -gt 0 ]
finish
