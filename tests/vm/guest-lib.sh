# Sourced by the guest scripts (guest-checks.sh, cli-checks.sh,
# btf-checks.sh) in a test VM: the binary's path, the failure flag, and how
# a check reports. POSIX sh (dash).
NSG=/opt/tests/nsgroup_static
failed=0

# One line per check: "vm-check: NAME ... ok (DETAIL)" or "... FAILED: WHY".
check() { echo "vm-check: $1 ... ok${2:+ ($2)}"; }
fail() { echo "vm-check: $1 ... FAILED: $2"; failed=1; }

# Waits up to $1 tenths of a second for the command after it to succeed.
wait_for() {
  n=$1
  shift
  while [ "$n" -gt 0 ]; do
    "$@" && return 0
    sleep 0.1
    n=$((n - 1))
  done
  "$@"
}
