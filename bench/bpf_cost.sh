#!/usr/bin/env bash
# What each BPF program costs per run inside the workload's syscalls:
# kernel.bpf_stats_enabled around ROUNDS x CALLS unshare(CLONE_NEWUTS)
# calls with the daemon running (--no-events --no-mirror), then run time /
# run count per program from `bpftool prog show`. Root.
# Usage: bench/bpf_cost.sh [CALLS] [ROUNDS]
source "$(dirname "$0")/lib.sh"
CALLS=${1:-50000}
ROUNDS=${2:-3}
was=$(sysctl -n kernel.bpf_stats_enabled)
restore() { sysctl -qw kernel.bpf_stats_enabled="$was"; cleanup; }
trap restore EXIT
start_daemon --no-events --no-mirror
sysctl -qw kernel.bpf_stats_enabled=1
bpftool prog show -j > /tmp/nsgroup-bench-prog0.json
for _ in $(seq "$ROUNDS"); do "$LOADGEN" unshare "$CALLS"; done
bpftool prog show -j > /tmp/nsgroup-bench-prog1.json
python3 - <<'PY'
import json
before = {p['id']: p for p in json.load(open('/tmp/nsgroup-bench-prog0.json'))}
for p in json.load(open('/tmp/nsgroup-bench-prog1.json')):
    b = before.get(p['id'])
    if not b:
        continue
    runs = p.get('run_cnt', 0) - b.get('run_cnt', 0)
    if runs >= 100:
        ns = (p.get('run_time_ns', 0) - b.get('run_time_ns', 0)) / runs
        print(f"{p.get('name', '?'):16s} {runs:8d} runs  {ns:7.1f} ns/run")
PY
