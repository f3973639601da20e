#!/bin/sh
# Runs in a test VM (from guest-checks.sh), as root: `nsgroup rename` and
# `nsgroup kill` through the CLI against a daemon with the mirror on, checked
# by what the guest kernel says (/proc/PID/cgroup, cgroup.procs, directories,
# /proc/PID). One "vm-check:" line per step; exits 1 when one failed.
#
#   sh cli-checks.sh
#
# The workload: a shell in a new UTS namespace (container A) with a sleep
# beside it and a sleep in a new net namespace below it (container B):
#   A = {sh, sleep}   B = {sleep}, B's parent is A.
. /opt/tests/guest-lib.sh
SOCK=/tmp/cli.sock
CG=/sys/fs/cgroup
ROOT=$CG/nsgroup-cli

# The cgroup v2 path of PID $1, as the kernel has it.
cgroup_of() { sed -n 's/^0:://p' "/proc/$1/cgroup" 2>/dev/null; }
# The pids in cgroup directory $1, sorted, on one line.
procs_in() { sort -n "$1/cgroup.procs" 2>/dev/null | tr '\n' ' '; }
# Whether process $1 is gone (a zombie counts: it has nothing left).
gone() { [ ! -e "/proc/$1" ] || [ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$1/status" 2>/dev/null)" = Z ]; }

rm -f "$SOCK"
$NSG daemon --socket "$SOCK" --cgroup-root "$ROOT" --no-events >/tmp/cli-daemon.out 2>/tmp/cli-daemon.err &
daemon=$!
mkdir -p "$ROOT" 2>/dev/null
up_or_dead() { [ -S "$SOCK" ] || ! kill -0 "$daemon" 2>/dev/null; }
wait_for 1200 up_or_dead
if [ ! -S "$SOCK" ]; then
  cat /tmp/cli-daemon.err
  echo "vm-check: cli daemon ... FAILED: it did not start"
  exit 1
fi

unshare -u sh -c 'sleep 300 & unshare -n sleep 300 & wait' &
outer=$!
# The two children of the outer shell: the one in another net namespace is B's.
children() { cat "/proc/$outer/task/$outer/children" 2>/dev/null; }
two_children() { [ "$(children | wc -w)" -eq 2 ]; }
wait_for 300 two_children
inner='' side=''
for c in $(children); do
  if [ "$(readlink "/proc/$c/ns/net")" != "$(readlink "/proc/$outer/ns/net")" ]; then inner=$c; else side=$c; fi
done
# The mirror has placed them: A's members in one directory, B's below it.
placed() {
  a=$(cgroup_of "$outer")
  [ -n "$inner" ] && [ -n "$side" ] && [ "${a#/nsgroup-cli/}" != "$a" ] &&
    [ "$(cgroup_of "$side")" = "$a" ] && [ "$(dirname "$(cgroup_of "$inner")")" = "$a" ]
}
if ! wait_for 300 placed; then
  fail "cli setup" "not mirrored: outer $outer in $(cgroup_of "$outer"), side $side in $(cgroup_of "$side"), inner $inner in $(cgroup_of "$inner")"
else
  path=$($NSG which "$outer" --socket "$SOCK")
  old_dir=$CG$(cgroup_of "$outer")
  old_inner=$CG$(cgroup_of "$inner")
  inner_leaf=$(basename "$old_inner")
  $NSG tree --text --pids --socket "$SOCK" | sed 's/^/vm-check: cli tree: /'
  echo "vm-check: cli workload: A=$path in $old_dir holds $(procs_in "$old_dir"), B in $old_inner"

  # rename, as root through the CLI.
  out=$($NSG rename "$path" web --socket "$SOCK" 2>&1)
  rc=$?
  want="$(echo "$outer $side" | tr ' ' '\n' | sort -n | tr '\n' ' ')"
  if [ $rc -ne 0 ]; then
    fail "cli rename $path web" "status $rc: $out"
  elif [ "$out" != /init_container/web ]; then
    fail "cli rename $path web" "printed '$out'"
  elif [ -d "$old_dir" ] || [ -d "$old_inner" ]; then
    fail "cli rename $path web" "the old directories stay: $(ls -d "$old_dir" "$old_inner" 2>/dev/null)"
  elif [ "$(procs_in "$ROOT/web")" != "$want" ]; then
    fail "cli rename $path web" "$ROOT/web/cgroup.procs holds '$(procs_in "$ROOT/web")', not '$want'"
  elif [ "$(cgroup_of "$inner")" != "/nsgroup-cli/web/$inner_leaf" ]; then
    fail "cli rename $path web" "B's process is in $(cgroup_of "$inner")"
  elif [ "$($NSG which "$outer" --socket "$SOCK")" != /init_container/web ]; then
    fail "cli rename $path web" "which $outer says $($NSG which "$outer" --socket "$SOCK")"
  else
    check "cli rename $path web" "$ROOT/web holds $want; B moved to web/$inner_leaf"
  fi

  # kill, as root through the CLI: the subtree's processes and directories go.
  target=$($NSG which "$outer" --socket "$SOCK")
  out=$($NSG kill "$target" --socket "$SOCK" 2>&1)
  rc=$?
  wait "$outer" 2>/dev/null
  all_gone() { gone "$outer" && gone "$side" && gone "$inner"; }
  dirs_gone() { [ ! -d "$ROOT/web" ]; }
  if [ $rc -ne 0 ]; then
    fail "cli kill $target" "status $rc: $out"
  elif ! wait_for 100 all_gone; then
    fail "cli kill $target" "still running: $(for p in $outer $side $inner; do gone "$p" || echo "$p"; done | tr '\n' ' ')"
  elif ! wait_for 50 dirs_gone; then
    fail "cli kill $target" "directories stay: $(find "$ROOT/web" -type d | tr '\n' ' ')"
  else
    check "cli kill $target" "pids $outer $side $inner gone from /proc, $ROOT/web and below gone"
  fi
fi

# Clean up whatever a failure left: processes, the daemon, the mirror root.
for p in $outer $side $inner; do kill -9 "$p" 2>/dev/null; done
wait "$outer" 2>/dev/null
kill "$daemon" 2>/dev/null
wait "$daemon"
find "$ROOT" -depth -type d -exec rmdir {} \; 2>/dev/null
[ ! -d "$ROOT" ] || echo "vm-check: cli: $ROOT stays: $(find "$ROOT" -type d | tr '\n' ' ')"
exit $failed
