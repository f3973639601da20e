#!/bin/sh
# Runs in a test VM (from guest-checks.sh), as root: nsgroup on a kernel
# whose BTF is hidden, given a minimal BTF file with --btf instead. One
# "vm-check:" line per step; exits 1 when one failed.
#
#   sh btf-checks.sh
#
# 1. bpftool gen min_core_btf cuts what nsgroup.bpf.o and iter.bpf.o relocate
#    against out of /sys/kernel/btf/vmlinux into /tmp/min.btf;
# 2. a tmpfs over /sys/kernel/btf hides the kernel's BTF: the daemon without
#    --btf must fail, saying so;
# 3. daemon --btf /tmp/min.btf starts (tracepoint hooks: no trampolines
#    without the kernel's BTF), reports the unshare of `unshare -u`, and its
#    tree places that process where /proc says (a namespace set of its own).
. /opt/tests/guest-lib.sh
SOCK=/tmp/btf.sock

if ! bpftool gen min_core_btf /sys/kernel/btf/vmlinux /tmp/min.btf \
    /opt/tests/nsgroup.bpf.o /opt/tests/iter.bpf.o >/tmp/min-btf.log 2>&1; then
  cat /tmp/min-btf.log
  fail "btf min_core_btf" "bpftool failed"
  exit 1
fi
check "btf min_core_btf" "/tmp/min.btf: $(wc -c </tmp/min.btf) bytes, /sys/kernel/btf/vmlinux: $(wc -c </sys/kernel/btf/vmlinux)"

mount -t tmpfs none /sys/kernel/btf || { fail "btf hide" "mount failed"; exit 1; }
if [ -e /sys/kernel/btf/vmlinux ]; then
  fail "btf hide" "/sys/kernel/btf/vmlinux is still there"
else
  check "btf hide" "tmpfs over /sys/kernel/btf"
fi

# Without --btf: an error, not a hang, and one that names the BTF.
mkdir -p /tmp/nobtf-state /tmp/btf-state
timeout 120 $NSG daemon --socket /tmp/nobtf.sock --no-mirror --no-events \
  --state-dir /tmp/nobtf-state >/dev/null 2>/tmp/nobtf.err
rc=$?
msg=$(tail -n 3 /tmp/nobtf.err | tr '\n' ' ')
if [ $rc -eq 0 ] || [ $rc -eq 124 ] || [ $rc -ge 128 ]; then
  fail "btf daemon without --btf fails" "status $rc: $msg"
elif ! grep -qi 'btf' /tmp/nobtf.err; then
  fail "btf daemon without --btf fails" "status $rc but the message does not say BTF: $msg"
else
  check "btf daemon without --btf fails" "status $rc: $msg"
fi

rm -f "$SOCK"
$NSG daemon --btf /tmp/min.btf --socket "$SOCK" --no-mirror --state-dir /tmp/btf-state \
  >/tmp/btf-events.out 2>/tmp/btf-daemon.err &
daemon=$!
up_or_dead() { [ -S "$SOCK" ] || ! kill -0 "$daemon" 2>/dev/null; }
wait_for 1200 up_or_dead
if [ ! -S "$SOCK" ]; then
  fail "btf daemon --btf /tmp/min.btf" "did not start: $(tail -n 3 /tmp/btf-daemon.err | tr '\n' ' ')"
else
  hooks=$($NSG stats --socket "$SOCK" | tr -d '\n' | sed -n 's/.*"hooks": *"\([a-z_]*\)".*/\1/p')
  if [ "$hooks" = tracepoint ]; then
    check "btf daemon --btf /tmp/min.btf" "hooks $hooks"
  else
    fail "btf daemon --btf /tmp/min.btf" "hooks '$hooks', expected tracepoint"
  fi
  unshare -u sleep 60 &
  pid=$!
  # unshare execs sleep: the event's pid is the one we started.
  seen() { grep -q "\"event\": *\"unshare\".*\"pid\": *$pid[,}]" /tmp/btf-events.out; }
  if wait_for 300 seen; then
    check "btf event unshare of pid $pid"
  else
    fail "btf event unshare of pid $pid" "not in the daemon's output: $(tail -n 3 /tmp/btf-events.out | tr '\n' ' ')"
  fi
  # The kernel says the pid has a UTS namespace of its own; the tree must put
  # it in a container of its own, and this shell in the root one.
  placed() { [ "$($NSG which "$pid" --socket "$SOCK" 2>/dev/null)" != /init_container ] &&
             [ -n "$($NSG which "$pid" --socket "$SOCK" 2>/dev/null)" ]; }
  mine=$($NSG which $$ --socket "$SOCK" 2>&1)
  if [ "$(readlink /proc/$pid/ns/uts)" = "$(readlink /proc/$$/ns/uts)" ]; then
    fail "btf tree agrees with /proc" "the kernel shows no new UTS namespace for $pid"
  elif ! wait_for 100 placed; then
    fail "btf tree agrees with /proc" "which $pid: $($NSG which "$pid" --socket "$SOCK" 2>&1)"
  elif [ "$mine" != /init_container ]; then
    fail "btf tree agrees with /proc" "which $$ (this shell, in the initial namespaces): $mine"
  else
    check "btf tree agrees with /proc" "$pid ($(readlink /proc/$pid/ns/uts)) in $($NSG which "$pid" --socket "$SOCK"), this shell in $mine"
  fi
  kill "$pid"
  wait "$pid" 2>/dev/null
fi
kill "$daemon" 2>/dev/null
wait "$daemon" 2>/dev/null
umount /sys/kernel/btf
[ -e /sys/kernel/btf/vmlinux ] || fail "btf unhide" "/sys/kernel/btf/vmlinux is still hidden"
exit $failed
