#!/usr/bin/env bash
# fork + unshare(uts|ipc) + exit, 20,000 times, alone and with the daemon
# and its cgroup mirror (a root of its own); then the stale directories.
# Root. Usage: bench/storm.sh [N]
source "$(dirname "$0")/lib.sh"
N=${1:-20000}
CG2=$(awk '$9 == "cgroup2" && $4 == "/" {print $5; exit}' /proc/self/mountinfo)
MIRROR=$CG2/nsgroup-bench
hyperfine -N --warmup 1 --runs 10 "$LOADGEN storm $N" | grep -E "Time|Range"
start_daemon --no-events --cgroup-root "$MIRROR"
hyperfine -N --warmup 1 --runs 10 "$LOADGEN storm $N" | grep -E "Time|Range"
sleep 2
# A directory is stale when no container of the tree owns it: the
# containers that remain (kernel threads' own, such as kdevtmpfs's) keep
# theirs.
dirs=$(find "$MIRROR" -mindepth 1 -type d | wc -l)
live=$(( $(stat_of '["containers"]') - 1 ))
echo "directories left under $MIRROR: $dirs, containers alive: $live, stale: $(( dirs - live ))"
echo "mirror: mkdirs $(stat_of '["mirror"]["mkdirs"]') rmdirs $(stat_of '["mirror"]["rmdirs"]') errors $(stat_of '["mirror"]["errors"]')"
stop_daemon
find "$MIRROR" -depth -type d -exec rmdir {} \; 2>/dev/null || true
