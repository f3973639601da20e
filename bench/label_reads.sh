#!/usr/bin/env bash
# What labelling costs the event loop: the /proc/PID/cgroup reads of one
# daemon (iterator scans, its cgroup mirror in a root of its own) over 12 s
# (a relabel at least: --reconcile-interval 5), with N containers
# (unshare --uts sleepers) whose members the mirror placed. Root; strace.
# Usage: bench/label_reads.sh [N]
source "$(dirname "$0")/lib.sh"
N=${1:-300}
CG2=$(awk '$9 == "cgroup2" && $4 == "/" {print $5; exit}' /proc/self/mountinfo)
MIRROR=$CG2/nsgroup-bench
start_daemon --no-events --scan=iterator --reconcile-interval 5 --cgroup-root "$MIRROR"
for _ in $(seq "$N"); do
  unshare --uts sleep 120 &
  BG_PIDS+=($!)
done
sleep 4
trace=$(mktemp)
timeout 12 strace -f -qq -e trace=openat -p "$DAEMON_PID" -o "$trace" >/dev/null 2>&1 || true
echo "containers: $(stat_of '["containers"]'), /proc/PID/cgroup reads in 12 s: $(grep -c '/proc/[0-9]*/cgroup' "$trace" || true)"
rm -f "$trace"
for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
BG_PIDS=()
sleep 3
stop_daemon
# The directories the kernel threads' containers keep, then the root.
find "$MIRROR" -mindepth 1 -depth -type d -exec rmdir {} + 2>/dev/null || true
rmdir "$MIRROR" 2>/dev/null || true
