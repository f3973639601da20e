#!/usr/bin/env bash
# Runs the privileged event tests (and the tree's live ground truth) on a
# second kernel: Debian 12's 6.1 cloud kernel, booted under qemu, which has
# BPF trampolines. `nsgroup stats` there must report the fexit hook set,
# and the tests must pass once with it and once with --hooks=tracepoint.
#
#   tests/vm/vm-tests.sh NSGROUP_STATIC PRIVILEGED_TESTS_STATIC
#
# Pass or fail comes from the guest's markers only (run-vm.sh). The kernel
# package is downloaded once into /var/cache/nsgroup-vm.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
nsgroup=$(readlink -f "$1")
tests=$(readlink -f "$2")

if [ "$(id -u)" -ne 0 ]; then
  echo "vm-tests: needs root (packages, qemu's initramfs); skipped" >&2
  exit 77
fi

# The tests that make sense on another kernel: every event test, the hook
# checks, and the tree's ground truth with a live daemon.
filter='Events.*:EightTypes/*:IpNetns.*:EventLoss.*:Hooks.*:TreeGroundTruth.LiveDaemon'

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Without debug info: a smaller initramfs unpacks faster under TCG.
strip -o "$work/$(basename "$nsgroup")" "$nsgroup"
strip -o "$work/$(basename "$tests")" "$tests"
nsgroup=$work/$(basename "$nsgroup")
tests=$work/$(basename "$tests")
cat >"$work/run.sh" <<GUEST
# In the guest, as root: which hook set does auto pick, then the tests with
# each set.
export NSGROUP_TEST_BINARY=/opt/tests/$(basename "$nsgroup")
cd /opt/tests
./$(basename "$nsgroup") daemon --no-mirror --no-events --socket /tmp/vm.sock \\
    --state-dir /tmp/vm-state &
daemon=\$!
i=0
while [ ! -S /tmp/vm.sock ] && [ \$i -lt 600 ]; do sleep 0.1; i=\$((i + 1)); done
hooks=\$(./$(basename "$nsgroup") stats --socket /tmp/vm.sock | sed -n 's/.*"hooks": "\\(.*\\)".*/\\1/p')
echo "NSGROUP-VM-HOOKS \${hooks:-none}"
kill \$daemon; wait \$daemon
status=0
for set in fexit tracepoint; do
  NSGROUP_TEST_HOOKS=\$set NSGROUP_TEST_EXPECT_HOOKS=fexit \\
    ./$(basename "$tests") --gtest_filter='$filter' --gtest_brief=1
  rc=\$?
  echo "NSGROUP-VM-RESULT \$set \$rc"
  [ \$rc -eq 0 ] || status=1
done
# auto, too: the Hooks test checks that it picks fexit here.
NSGROUP_TEST_EXPECT_HOOKS=fexit ./$(basename "$tests") --gtest_filter='Hooks.*' --gtest_brief=1
rc=\$?
echo "NSGROUP-VM-RESULT auto \$rc"
[ \$rc -eq 0 ] || status=1
exit \$status
GUEST

log="$work/console.log"
start=$(date +%s)
set +e
"$here/run-vm.sh" -t 2000 -l "$log" -f "$nsgroup" -f "$tests" -f "$work/run.sh"
rc=$?
set -e
echo "vm-tests: $(( $(date +%s) - start ))s in all" >&2

hooks=$(sed -n 's/.*NSGROUP-VM-HOOKS \([a-z]*\)$/\1/p' "$log" | tail -n1)
results=$(grep -aoE 'NSGROUP-VM-RESULT [a-z]+ [0-9]+$' "$log" || true)
echo "vm-tests: nsgroup stats in the guest reports hooks: ${hooks:-nothing}" >&2
echo "$results" | sed 's/^NSGROUP-VM-RESULT/vm-tests: result/' >&2
[ "$hooks" = fexit ] || { echo "vm-tests: expected the fexit hook set on 6.1" >&2; exit 1; }
for set in fexit tracepoint auto; do
  echo "$results" | grep -qx "NSGROUP-VM-RESULT $set 0" ||
    { echo "vm-tests: the $set run did not pass" >&2; exit 1; }
done
exit "$rc"
