#!/usr/bin/env bash
# The metrics, read by Prometheus' own tools: promtool checks what
# `nsgroup stats --format=prometheus` and the daemon's /metrics give, and a
# real prometheus server scrapes the listener and must report for
# nsgroup_containers the value that `nsgroup stats` reports.
# Usage: metrics_test.sh NSGROUP_BINARY. Root (it runs the daemon); 77: skip.
set -euo pipefail
nsgroup=$1
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (the daemon loads BPF)"; exit 77; }
for tool in promtool prometheus; do
  command -v "$tool" >/dev/null || { echo "skip: $tool missing (Debian package prometheus)"; exit 77; }
done
py=/usr/bin/python3

tmp=$(mktemp -d /tmp/nsgroup-metrics.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
http_get() { $py -c 'import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1"; }

# A container of its own, so the count is more than the root.
unshare --uts sleep 300 &
pids+=($!)
sleeper=$!

"$nsgroup" daemon --no-mirror --no-events --socket "$tmp/sock" --state-dir "$tmp" \
  --metrics-listen 127.0.0.1:0 2>"$tmp/daemon.log" &
pids+=($!)
daemon=$!
for _ in $(seq 100); do
  grep -q 'serving metrics at' "$tmp/daemon.log" && break
  sleep 0.1
done
addr=$(sed -n 's|.*serving metrics at http://\([0-9.:]*\)/metrics.*|\1|p' "$tmp/daemon.log")
[ -n "$addr" ] || { cat "$tmp/daemon.log" >&2; fail "the daemon did not start its listener"; }
echo "daemon: metrics at $addr"

# The sleeper is in a container of its own, as the kernel sees it.
[ "$(readlink /proc/$sleeper/ns/uts)" != "$(readlink /proc/1/ns/uts)" ] || fail "unshare gave no new uts namespace"
where=$("$nsgroup" which "$sleeper" --socket "$tmp/sock")
[ "$where" != /init_container ] || fail "the sleeper is in the root container"

# promtool on both ways out; each must hold the families that matter.
"$nsgroup" stats --socket "$tmp/sock" --format=prometheus >"$tmp/stats.prom"
http_get "http://$addr/metrics" >"$tmp/http.prom"
for f in stats.prom http.prom; do
  promtool check metrics <"$tmp/$f" >"$tmp/promtool.out" 2>&1 || { cat "$tmp/promtool.out" >&2; fail "promtool refused $f"; }
  [ ! -s "$tmp/promtool.out" ] || { cat "$tmp/promtool.out" >&2; fail "promtool's lint on $f"; }
  for family in nsgroup_containers nsgroup_events_total nsgroup_dropped_total \
                nsgroup_scan_duration_seconds_bucket nsgroup_hooks_info nsgroup_clients; do
    grep -q "^$family[ {]" "$tmp/$f" || fail "$f has no $family"
  done
  echo "promtool: $f passes ($(grep -vc '^#' "$tmp/$f") samples)"
done
# The daemon's own process_* figures, on /metrics only: its start time is
# the daemon's, as its /proc/PID/stat and /proc/stat give it.
for family in process_cpu_seconds_total process_resident_memory_bytes process_virtual_memory_bytes \
              process_open_fds process_max_fds process_start_time_seconds; do
  grep -q "^$family " "$tmp/http.prom" || fail "http.prom has no $family"
  ! grep -q "^$family " "$tmp/stats.prom" || fail "stats.prom has the client's $family"
done
btime=$(awk '$1 == "btime" {print $2}' /proc/stat)
started=$(sed 's/.*) //' "/proc/$daemon/stat" | awk '{print $20}')
want=$(awk -v b="$btime" -v s="$started" -v hz="$(getconf CLK_TCK)" 'BEGIN {printf "%.2f", b + s / hz}')
got=$(awk '$1 == "process_start_time_seconds" {printf "%.2f", $2}' "$tmp/http.prom")
[ "$got" = "$want" ] || fail "process_start_time_seconds is $got, /proc says $want"
echo "process_*: on /metrics, start time $got as /proc says"

# Debian's prometheus server, scraping the listener once a second.
prom_port=$(free_port)
cat >"$tmp/prometheus.yml" <<CONF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
scrape_configs:
  - job_name: nsgroup
    scrape_timeout: 1s
    static_configs:
      - targets: ['$addr']
CONF
promtool check config "$tmp/prometheus.yml" >/dev/null
prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" 2>"$tmp/prometheus.log" &
pids+=($!)

query() {  # the value of an instant query's single sample, or nothing
  $py - "http://127.0.0.1:$prom_port/api/v1/query" "$1" <<'PY' 2>/dev/null || true
import json, sys, urllib.parse, urllib.request
url = sys.argv[1] + "?" + urllib.parse.urlencode({"query": sys.argv[2]})
r = json.load(urllib.request.urlopen(url, timeout=2))
res = r["data"]["result"]
if r["status"] == "success" and len(res) == 1:
    print(res[0]["value"][1])
PY
}
stats_containers() {
  "$nsgroup" stats --socket "$tmp/sock" | $py -c 'import json,sys; print(json.load(sys.stdin)["containers"])'
}
matched=""
for _ in $(seq 60); do
  before=$(stats_containers)
  scraped=$(query 'nsgroup_containers{job="nsgroup"}')
  after=$(stats_containers)
  if [ -n "$scraped" ] && [ "$scraped" = "$before" ] && [ "$before" = "$after" ]; then
    matched=$scraped
    break
  fi
  sleep 0.5
done
[ -n "$matched" ] || { tail -5 "$tmp/prometheus.log" >&2; fail "prometheus never reported nsgroup_containers = stats' containers (last: scraped '$scraped', stats '$before'/'$after')"; }
[ "$matched" -ge 2 ] || fail "nsgroup_containers is $matched, yet the sleeper has a container of its own"
[ "$(query 'up{job="nsgroup"}')" = 1 ] || fail "prometheus says the target is down"
echo "prometheus: nsgroup_containers = $matched = nsgroup stats' containers"
