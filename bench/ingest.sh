#!/usr/bin/env bash
# The consumer: 5 x 50,000 unshare(CLONE_NEWUTS) calls with the daemon
# running, with and without JSON on stdout. Prints records lost, the
# daemon's CPU per record, and the records per second it sustained.
# Root. Usage: bench/ingest.sh [CALLS] [ROUNDS]
source "$(dirname "$0")/lib.sh"
CALLS=${1:-50000}
ROUNDS=${2:-5}
for mode in "--no-events --no-mirror" "--no-mirror"; do
  start_daemon $mode
  lost0=$(stat_of '["lost"]'); t0=$(daemon_ticks); s0=$(date +%s.%N)
  for _ in $(seq "$ROUNDS"); do "$LOADGEN" unshare "$CALLS"; done
  sleep 1  # let it drain
  lost=$(( $(stat_of '["lost"]') - lost0 )); ticks=$(( $(daemon_ticks) - t0 ))
  got=$(stat_of '["events"].get("unshare", 0)')
  secs=$(python3 -c "print($(date +%s.%N) - $s0 - 1)")
  python3 - "$mode" "$got" "$lost" "$ticks" "$secs" "$((CALLS * ROUNDS))" <<'PY'
import sys
mode, got, lost, ticks, secs, sent = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]), int(sys.argv[6])
cpu_us = ticks * 10000 / max(got, 1)
print(f"{mode:24s} sent {sent}  applied {got}  lost {lost}  daemon cpu {cpu_us:.2f} us/record  {got/secs:,.0f} records/s")
PY
  stop_daemon
done
