#!/usr/bin/env bash
# Scan time at N processes (default 2000): `nsgroup tree` with no daemon
# (one scan of /proc, labels, JSON) next to `lsns -J` on the same
# population. Root; needs hyperfine. Usage: bench/scan.sh [N] [NSGROUP]
set -euo pipefail
N=${1:-2000}
NSGROUP=${2:-$(cd "$(dirname "$0")/.." && pwd)/build/release/agent/nsgroup}
[ -x "$NSGROUP" ] || { echo "build first: ./scripts/run --version" >&2; exit 1; }

pids=()
cleanup() { exec 2>/dev/null; kill -9 "${pids[@]}" 2>/dev/null || true; pkill -9 -P $$ 2>/dev/null || true; }
trap cleanup EXIT

# 20 containers of 10 processes each (uts+net, some nested), the rest plain.
for i in $(seq 20); do
  unshare -u -n sh -c 'for j in 1 2 3 4 5 6 7 8; do sleep 600 & done; unshare -i sleep 600 & wait' &
  pids+=($!)
done
have=$(ls /proc | grep -c '^[0-9]')
for i in $(seq $((N - have))); do sleep 600 & pids+=($!); done
sleep 1
echo "processes: $(ls /proc | grep -c '^[0-9]')"

hyperfine -N --warmup 3 --runs 20 \
  "$NSGROUP tree --socket /nonexistent.sock" \
  "$NSGROUP tree --socket /nonexistent.sock --scan=iterator" \
  "lsns -J"
