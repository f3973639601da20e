#!/usr/bin/env bash
# The flood of issue 12: two copies of `setns(-1, 0)` in a loop as uid
# 65534 for SECONDS (default 10) against a daemon printing events, while
# the socket is asked for stats every 50 ms. Prints what the journal got (lines
# and bytes by kind), what stats says was suppressed, and the answers'
# median and worst time (loadgen ask: connect, request, whole reply).
#   [FLOOD=denied|unshare|userns] [FLOOD_OUT=FILE] bench/flood.sh [SECONDS] [DAEMON ARGS...]
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
secs=${1:-10}
shift || true
out=/tmp/nsgroup-bench-flood.out
: >"$out"
"$NSGROUP" daemon --socket "$SOCK" --no-mirror --state-dir /tmp/nsgroup-bench-state "$@" \
  >"${FLOOD_OUT:-$out}" 2>/tmp/nsgroup-bench-daemon.log &
DAEMON_PID=$!
for _ in $(seq 100); do "$NSGROUP" stats --socket "$SOCK" >/dev/null 2>&1 && break; sleep 0.1; done

# The loader must be reachable by uid 65534 (the build may sit in /root).
gen=$(mktemp /tmp/nsgroup-loadgen.XXXXXX)
cp "$LOADGEN" "$gen" && chmod 755 "$gen"
for _ in 1 2; do
  # FLOOD=userns: unshare(CLONE_NEWUSER) instead, which succeeds for any
  # user where user namespaces are allowed, and is never suppressed.
  # FLOOD=unshare: root's unshare(CLONE_NEWUTS) loop, every call a record.
  if [ "${FLOOD:-denied}" = unshare ]; then
    timeout "$secs" "$gen" unshare 1000000000 &
  elif [ "${FLOOD:-denied}" = userns ]; then
    timeout "$secs" setpriv --reuid=65534 --regid=65534 --clear-groups "$gen" unshare 1000000000 0x10000000 &
  else
    timeout "$secs" setpriv --reuid=65534 --regid=65534 --clear-groups "$gen" denied 1000000000 &
  fi
  BG_PIDS+=($!)
done
# A request every 50 ms (about 20 a second) for the flood's length.
mapfile -t times < <("$LOADGEN" ask $((secs * 18)) "$SOCK")
wait "${BG_PIDS[@]}" 2>/dev/null || true
BG_PIDS=()
rm -f "$gen"
sleep 1.5  # the last second's suppressed counts are reported on the tick
stats=$("$NSGROUP" stats --socket "$SOCK")
stop_daemon
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
n=${#times[@]}
median=$(echo "$sorted" | sed -n "$(((n + 1) / 2))p")
worst=$(echo "$sorted" | tail -1)
case "${FLOOD:-denied}" in
  unshare) what="unshare(CLONE_NEWUTS) as root" ;;
  userns) what="unshare(CLONE_NEWUSER) as uid 65534" ;;
  *) what="setns(-1,0) as uid 65534" ;;
esac
echo "flood: ${secs}s, 2 x $what"
echo "journal: $(wc -l <"$out") lines, $(wc -c <"$out") bytes;" \
  "denied lines: $(grep -c '"event":"denied"' "$out"), suppressed events: $(grep -c '"event":"suppressed"' "$out")"
echo "stats: $(echo "$stats" | python3 -c 'import json,sys; s=json.load(sys.stdin); s=s.get("stats", s); print("lost", s["lost"], "dropped", json.dumps(s["dropped"]), "suppressed_by_uid", json.dumps(s["suppressed_by_uid"]))')"
failed=$(printf '%s\n' "${times[@]}" | grep -c '^-1$' || true)
echo "stats answered $n times ($failed failed): median $((median / 1000)).$(((median % 1000) / 100)) ms, worst $((worst / 1000)).$(((worst % 1000) / 100)) ms (connect, request, reply)"
