#!/usr/bin/env bash
# 10,000 containers of one process each (new uts+ipc): the daemon's RSS
# with them and after they exit, `nsgroup tree` answered by the daemon, and
# the one-shot scan next to `lsns -J`. Root. Usage: bench/containers.sh [N]
source "$(dirname "$0")/lib.sh"
N=${1:-10000}
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
start_daemon --no-events --no-mirror
rss() { awk '/VmRSS/ {print $2 / 1024 " MiB"}' "/proc/$DAEMON_PID/status"; }
echo "daemon RSS at start: $(rss)"
"$LOADGEN" hold "$N" 600 > /tmp/nsgroup-bench-hold.out &
HOLD=$!; BG_PIDS+=($HOLD)
until grep -q ready /tmp/nsgroup-bench-hold.out 2>/dev/null; do sleep 0.2; done
sleep 2
echo "containers: $(stat_of '["containers"]')  daemon RSS: $(rss)"
echo "heap: $(stat_of '["heap_bytes"]')"
hyperfine -N --warmup 2 --runs 10 --export-json /tmp/nsgroup-bench-containers.json \
  "$NSGROUP tree --socket $SOCK" "$NSGROUP tree --socket /nonexistent.sock" "lsns -J" >/dev/null
python3 -c "
import json
for r in json.load(open('/tmp/nsgroup-bench-containers.json'))['results']:
    print(f\"{r['command']:70s} median {r['median']*1000:7.1f} ms (min {r['min']*1000:.1f} max {r['max']*1000:.1f})\")"
# After a periodic reconcile (every 10 s), which gives freed memory back.
sleep 11
echo "after a reconcile: daemon RSS: $(rss)  scans: $(stat_of '["scans"]')"
pkill -9 -P "$HOLD"; wait "$HOLD" 2>/dev/null || true
sleep 3
echo "after they exit: containers $(stat_of '["containers"]')  daemon RSS: $(rss)"
