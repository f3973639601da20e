#!/usr/bin/env bash
# Runs nsgroup's checks on another kernel, booted under qemu by run-vm.sh:
# the privileged event suites, the tree and the task iterator, the mirror on a
# pure cgroup2 mount with every controller on, rename and kill through the
# CLI, the hook set auto picks, and --btf with the kernel's BTF hidden
# (guest-checks.sh, cli-checks.sh, btf-checks.sh run in the guest). Each
# check prints one "vm-check:" line.
#
#   tests/vm/vm-tests.sh KERNEL NSGROUP_STATIC TESTS_STATIC BPF_OBJ_DIR
#   tests/vm/vm-tests.sh arm64 --cross SRC_DIR OUT_DIR
#
# KERNEL is run-vm.sh's -k (6.1, 6.12, arm64). BPF_OBJ_DIR holds
# nsgroup.bpf.o and iter.bpf.o (for bpftool gen min_core_btf). With --cross,
# tests/vm/build-arm64.sh SRC_DIR OUT_DIR cross-builds the aarch64 binaries
# and objects first. Pass or fail comes from the guest's markers and lines
# only. NSGROUP_VM_CHECKS (default all: hooks events tree mirror cli btf)
# picks the checks.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if [ "$(id -u)" -ne 0 ]; then
  echo "vm-tests: needs root (packages, qemu's initramfs); skipped" >&2
  exit 77
fi
[ $# -ge 4 ] || { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }
kernel=$1
start=$(date +%s)

if [ "$2" = --cross ]; then
  src=$(readlink -f "$3")
  out=$4
  if [ ! -x "$here/build-arm64.sh" ]; then
    echo "vm-tests: $here/build-arm64.sh is missing: no aarch64 binaries to test" >&2
    exit 1
  fi
  echo "vm-tests: cross-building for arm64: build-arm64.sh $src $out" >&2
  "$here/build-arm64.sh" "$src" "$out" >&2
  echo "vm-tests: cross build done after $(( $(date +%s) - start ))s" >&2
  nsgroup=$out/nsgroup_static tests=$out/nsgroup_privileged_tests_static objs=$out
else
  nsgroup=$2 tests=$3 objs=$4
fi
for f in "$nsgroup" "$tests" "$objs/nsgroup.bpf.o" "$objs/iter.bpf.o"; do
  [ -f "$f" ] || { echo "vm-tests: no $f" >&2; exit 1; }
done

# What auto must pick on each kernel: Debian's x86_64 6.1 and 6.12 load BPF
# trampolines (the tests check fexit there, and run the events with each set);
# on arm64 the set is printed, not required.
case $kernel in
  6.1 | 6.12) expect=fexit twice=--events-twice timeout=1500 ;;
  arm64) expect=any twice='' timeout=2700 ;;
  *) echo "vm-tests: unknown kernel $kernel" >&2; exit 2 ;;
esac
checks=${NSGROUP_VM_CHECKS:-hooks events tree mirror cli btf}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Without debug info: a smaller initramfs unpacks faster under TCG. The names
# are the ones the guest scripts use. strip knows only the host's
# architecture: the cross build's are stripped already.
if [ "$kernel" = arm64 ]; then
  cp "$nsgroup" "$work/nsgroup_static"
  cp "$tests" "$work/nsgroup_privileged_tests_static"
else
  strip -o "$work/nsgroup_static" "$nsgroup"
  strip -o "$work/nsgroup_privileged_tests_static" "$tests"
fi
cp "$objs/nsgroup.bpf.o" "$objs/iter.bpf.o" "$work/"

log="$work/console.log"
set +e
# shellcheck disable=SC2086
"$here/run-vm.sh" -k "$kernel" -t "$timeout" -l "$log" -m 'unix_diag?' \
  -f "$work/nsgroup_static" -f "$work/nsgroup_privileged_tests_static" \
  -f "$work/nsgroup.bpf.o" -f "$work/iter.bpf.o" \
  -f "$here/guest-lib.sh" -f "$here/guest-checks.sh" -f "$here/cli-checks.sh" \
  -f "$here/btf-checks.sh" \
  -- sh /opt/tests/guest-checks.sh "$expect" $twice $checks
rc=$?
set -e
echo "vm-tests: linux-$kernel: $(( $(date +%s) - start ))s in all (guest status $rc)" >&2

# The verdict, from the console: every check must have printed "ok", none
# "FAILED", and the guest must have exited 0.
lines=$(grep -aoE 'vm-check: .*' "$log" || true)
echo "vm-tests: summary of linux-$kernel:" >&2
grep -E '\.\.\. (ok|FAILED)' <<<"$lines" | sed 's/^/  /' >&2 || true
if grep -q '\.\.\. FAILED' <<<"$lines"; then
  echo "vm-tests: $(grep -c '\.\.\. FAILED' <<<"$lines") check(s) failed" >&2
  exit 1
fi
[ "$rc" -eq 0 ] || { echo "vm-tests: the guest exited $rc" >&2; exit 1; }
grep -q '\.\.\. ok' <<<"$lines" || { echo "vm-tests: no check ran" >&2; exit 1; }
exit 0
