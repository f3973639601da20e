#!/bin/sh
# Runs in a test VM (run-vm.sh), as PID 1's child, in /opt/tests: checks
# nsgroup against this guest kernel's own /proc and cgroupfs, one line per
# check ("vm-check: NAME ... ok" or "... FAILED: why"), and exits non-zero
# when one failed. POSIX sh (dash); the files come from vm-tests.sh:
#
#   sh guest-checks.sh EXPECT_HOOKS [CHECK...]
#
#   EXPECT_HOOKS  the hook set auto must pick here (fexit, tracepoint), or
#                 "any" to only print it
#   CHECK         hooks events tree mirror cli btf (default: all), in that
#                 order; --events-twice runs the event suites once more with
#                 --hooks=tracepoint (and first with fexit) where fexit loads
#
# Needs: nsgroup_static, nsgroup_privileged_tests_static, and for btf
# nsgroup.bpf.o and iter.bpf.o in /opt/tests.
cd /opt/tests || exit 2
expect=$1
shift
twice=0
checks=
for a in "$@"; do
  case $a in
    --events-twice) twice=1 ;;
    *) checks="$checks $a" ;;
  esac
done
[ -n "$checks" ] || checks="hooks events tree mirror cli btf"

. /opt/tests/guest-lib.sh
TESTS=/opt/tests/nsgroup_privileged_tests_static
export NSGROUP_TEST_BINARY=$NSG

uptime_s() { cut -d' ' -f1 /proc/uptime; }
elapsed() { awk -v a="$1" -v b="$(uptime_s)" 'BEGIN { printf "%.0fs", b - a }'; }

# The hook set a daemon reports in `nsgroup stats` (socket $1).
hooks_of() {
  $NSG stats --socket "$1" 2>/dev/null | tr -d '\n' | sed -n 's/.*"hooks": *"\([a-z_]*\)".*/\1/p'
}

# A daemon in the background: daemon_start SOCKET LOG [ARG...]; sets $daemon.
daemon_start() {
  sock=$1 log=$2
  shift 2
  rm -f "$sock"
  mkdir -p "$log-state"
  $NSG daemon --socket "$sock" --state-dir "$log-state" "$@" >"$log.out" 2>"$log.err" &
  daemon=$!
  wait_for 1200 up_or_dead
  [ -S "$sock" ]
}
up_or_dead() { [ -S "$sock" ] || ! kill -0 "$daemon" 2>/dev/null; }
daemon_stop() {
  kill "$daemon" 2>/dev/null
  wait "$daemon"
}

# gtest NAME FILTER [ENV=VALUE...]: one run of the privileged suites.
gtest() {
  name=$1 filter=$2
  shift 2
  t=$(uptime_s)
  # A hung suite fails its own check in time, its log naming the test
  # that hung (--gtest_brief would hide the RUN lines), instead of the
  # whole guest running into qemu's timeout.
  timeout "$GTEST_SECONDS" env "$@" $TESTS --gtest_filter="$filter" >"/tmp/gtest-$name.log" 2>&1
  rc=$?
  # 124 from coreutils' timeout, 143 (SIGTERM) from busybox's.
  hung=0
  case $rc in 124 | 143) hung=1 ;; esac
  [ $hung = 0 ] || echo "vm-check: $name timed out after ${GTEST_SECONDS}s; its last lines:"
  summary=$(grep -aE '^\[  (PASSED|FAILED|SKIPPED) ' "/tmp/gtest-$name.log" | tr '\n' ' ')
  if [ $rc -eq 0 ]; then
    check "$name" "$(elapsed "$t"); $summary"
  else
    if [ $hung = 1 ]; then tail -n 40 "/tmp/gtest-$name.log"; else grep -avE '^\[       OK \]|^\[ RUN      \]' "/tmp/gtest-$name.log"; fi
    fail "$name" "gtest status $rc after $(elapsed "$t"); $summary"
  fi
}

echo "vm-check: kernel $(uname -r) $(uname -m)"
# Boot was quiet; from here the console takes warnings' detail too (the
# stack of a soft lockup or a BPF splat is printed at the default level).
echo 5 >/proc/sys/kernel/printk
GTEST_SECONDS=${GTEST_SECONDS:-600}

# The state directory an installed nsgroup has (the unit's StateDirectory=):
# without it every daemon warns on stderr, and tests count its lines.
mkdir -p /var/lib/nsgroup

# The mirror's cgroup2 mount is /sys/fs/cgroup alone (run-vm.sh mounts it);
# every controller the kernel has goes into the root's subtree_control, so
# that the mirror's directories are made with all of them on.
for c in $(cat /sys/fs/cgroup/cgroup.controllers); do
  echo "+$c" >/sys/fs/cgroup/cgroup.subtree_control || echo "vm-check: cannot enable controller $c"
done
echo "vm-check: cgroup2 at /sys/fs/cgroup, subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"

hook_env=
[ "$expect" = any ] || hook_env="NSGROUP_TEST_EXPECT_HOOKS=$expect"

for c in $checks; do
  case $c in
  hooks)
    if daemon_start /tmp/hooks.sock /tmp/hooks --no-mirror --no-events; then
      got=$(hooks_of /tmp/hooks.sock)
      daemon_stop
      if [ "$expect" = any ] || [ "$got" = "$expect" ]; then
        check "hooks auto picks '$got'" "expected $expect"
      else
        fail "hooks auto picks '$got'" "expected $expect"
      fi
    else
      cat /tmp/hooks.err
      fail hooks "the daemon did not start"
    fi
    gtest hooks-tests 'Hooks.*' $hook_env
    ;;
  events)
    filter='Events.*:EightTypes/*:IpNetns.*:EventLoss.*'
    if [ $twice = 1 ]; then
      # With a forced set, Hooks.ForcedSetIsTheOneReported runs too.
      gtest events-fexit "$filter:Hooks.*" NSGROUP_TEST_HOOKS=fexit $hook_env
      gtest events-tracepoint "$filter:Hooks.*" NSGROUP_TEST_HOOKS=tracepoint $hook_env
    else
      gtest events "$filter" $hook_env
    fi
    ;;
  tree)
    gtest tree 'TreeGroundTruth.*:TaskIter.*' $hook_env
    ;;
  mirror)
    # Not the soak (minutes of load) nor what needs systemd units.
    gtest mirror 'Mirror.*-Mirror.Soak*' $hook_env
    ;;
  cli)
    sh /opt/tests/cli-checks.sh || failed=1
    ;;
  btf)
    sh /opt/tests/btf-checks.sh || failed=1
    ;;
  *)
    fail "$c" "no such check"
    ;;
  esac
done

# Nothing of ours may stay: no mirror directory, no pinned BPF program.
left=$(ls -d /sys/fs/cgroup/nsgroup* 2>/dev/null)
[ -z "$left" ] || echo "vm-check: left behind: $left"
exit $failed
