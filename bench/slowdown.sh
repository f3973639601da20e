#!/usr/bin/env bash
# What the agent costs the workload: an unshare loop and a fork loop, alone,
# with the daemon (--no-events --no-mirror), and with bpftrace tracing
# sys_exit_unshare on the same loop. hyperfine medians. Root.
# Usage: bench/slowdown.sh [UNSHARES] [FORKS]
source "$(dirname "$0")/lib.sh"
U=${1:-50000}
F=${2:-5000}
run() { hyperfine -N --warmup 2 --runs 15 --export-json "/tmp/nsgroup-bench-$1.json" \
          "$LOADGEN unshare $U" "$LOADGEN fork $F" >/dev/null;
        python3 -c "
import json; r=json.load(open('/tmp/nsgroup-bench-$1.json'))['results']
print('$1'.ljust(12), '  '.join(f\"{x['command'].split()[1]:8s} {x['median']*1000:7.1f} ms (min {x['min']*1000:.1f} max {x['max']*1000:.1f})\" for x in r))"; }
run alone
start_daemon --no-events --no-mirror
run nsgroup
stop_daemon
bpftrace -e 'tracepoint:syscalls:sys_exit_unshare { printf("%d %d\n", pid, args->ret); }' >/dev/null 2>&1 &
BG_PIDS+=($!)
sleep 3
run bpftrace
