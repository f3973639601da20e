# Shared by the benchmark scripts: the binaries, a daemon of their own,
# and cleanup. Sourced. Root.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${NSGROUP_BUILD:-$ROOT/build/release}
NSGROUP=$BUILD/agent/nsgroup
LOADGEN=$BUILD/bench/nsgroup_loadgen
[ -x "$NSGROUP" ] && [ -x "$LOADGEN" ] || {
  echo "build first: ./scripts/run --version && cmake --build build/release --target nsgroup_loadgen" >&2
  exit 1
}
SOCK=/run/nsgroup-bench.sock
DAEMON_PID=
BG_PIDS=()

cleanup() {
  [ -n "$DAEMON_PID" ] && kill "$DAEMON_PID" 2>/dev/null && wait "$DAEMON_PID" 2>/dev/null
  for p in "${BG_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  rm -f "$SOCK"
  true
}
trap cleanup EXIT

# start_daemon [ARGS...]: a daemon on $SOCK (no mirror unless ARGS say),
# events to /dev/null unless ARGS has --no-events; waits until it answers.
start_daemon() {
  "$NSGROUP" daemon --socket "$SOCK" --state-dir /tmp/nsgroup-bench-state "$@" \
    >/dev/null 2>/tmp/nsgroup-bench-daemon.log &
  DAEMON_PID=$!
  for _ in $(seq 100); do
    "$NSGROUP" stats --socket "$SOCK" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "the daemon did not start: $(cat /tmp/nsgroup-bench-daemon.log)" >&2
  exit 1
}

stop_daemon() {
  kill "$DAEMON_PID" && wait "$DAEMON_PID" || true
  DAEMON_PID=
}

# The daemon's CPU time so far, in clock ticks (utime + stime).
daemon_ticks() { awk '{print $14 + $15}' "/proc/$DAEMON_PID/stat"; }

# A figure of `nsgroup stats`: stat_of lost
stat_of() { "$NSGROUP" stats --socket "$SOCK" | python3 -c "import json,sys; d=json.load(sys.stdin); print(d$1)"; }
