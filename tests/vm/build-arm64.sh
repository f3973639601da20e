#!/usr/bin/env bash
# Cross-builds nsgroup for arm64 (aarch64) on an x86_64 Debian host, for the
# arm64 test VM:
#
#   tests/vm/build-arm64.sh SRC_DIR OUT_DIR
#
# Installs what is missing (as root: the cross compilers, and libbpf, libelf,
# zlib and googletest as :arm64 packages through multiarch), configures
# OUT_DIR/build with cmake/aarch64-linux-gnu.cmake and -DNSGROUP_TESTS=ON,
# builds nsgroup_static and nsgroup_privileged_tests_static, and leaves in
# OUT_DIR:
#   nsgroup_static                     stripped, static, aarch64
#   nsgroup_privileged_tests_static    stripped, static, aarch64
#   nsgroup.bpf.o iter.bpf.o           the BPF objects inside them (for
#                                      bpftool gen min_core_btf)
# Nothing of another build tree is used; OUT_DIR/build is reused by the
# next call. Exit status: 0 built and checked, 77 packages are missing and
# this is not root (nothing was built), anything else a failure.
set -euo pipefail

if [ $# -ne 2 ]; then
  echo "usage: $0 SRC_DIR OUT_DIR" >&2
  exit 2
fi
src="$(cd "$1" && pwd)"
mkdir -p "$2"
out="$(cd "$2" && pwd)"
build="$out/build"

# shellcheck source-path=SCRIPTDIR/../.. source=scripts/lib.sh
source "$src/scripts/lib.sh"

# 1. Packages. The host builds the BPF objects (clang, bpftool) and reads the
#    arch-independent headers (nlohmann); the :arm64 ones are the libraries
#    the static binaries link. libelf.a needs zlib only (no zstd) in Debian 12.
CROSS_PACKAGES=(
  "${NSGROUP_BUILD_PACKAGES[@]}"
  gcc-aarch64-linux-gnu g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
  libbpf-dev:arm64 libelf-dev:arm64 zlib1g-dev:arm64 libgtest-dev:arm64
)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "build-arm64: dpkg has no arm64 architecture (run as root to add it)" >&2
    exit 77
  fi
  dpkg --add-architecture arm64
  apt-get update -q >&2
fi
if ! ensure_packages "${CROSS_PACKAGES[@]}"; then
  [ "$(id -u)" -ne 0 ] && exit 77
  exit 1
fi

# 2. Configure and build. Release, as users get it; the tests' assertions
#    do not depend on the build type.
cmake -S "$src" -B "$build" \
  -DCMAKE_TOOLCHAIN_FILE="$src/cmake/aarch64-linux-gnu.cmake" \
  -DCMAKE_BUILD_TYPE=Release -DNSGROUP_TESTS=ON >&2
cmake --build "$build" --target nsgroup_static nsgroup_privileged_tests_static \
  -j"$(nproc)" >&2

# 3. What the VM takes: stripped binaries and the BPF objects.
for t in nsgroup_static nsgroup_privileged_tests_static; do
  aarch64-linux-gnu-strip -o "$out/$t.tmp" "$build/tests/vm/$t"
  mv "$out/$t.tmp" "$out/$t"
done
for o in nsgroup iter; do
  cp "$build/agent/kernel/bpf/$o.bpf.o" "$out/$o.bpf.o"
done

# 4. Refuse to hand over anything that is not what was asked for: AArch64
#    executables without an interpreter or dynamic section, and BPF objects.
for t in nsgroup_static nsgroup_privileged_tests_static; do
  hdr="$(aarch64-linux-gnu-readelf -h -l -d "$out/$t")"
  if ! grep -q 'Machine: *AArch64' <<<"$hdr"; then
    echo "build-arm64: $out/$t is not an AArch64 executable" >&2
    exit 1
  fi
  if grep -qE 'INTERP|\(NEEDED\)' <<<"$hdr"; then
    echo "build-arm64: $out/$t is not statically linked" >&2
    exit 1
  fi
done
for o in nsgroup iter; do
  if ! aarch64-linux-gnu-readelf -h "$out/$o.bpf.o" | grep -q 'Machine: *Linux BPF'; then
    echo "build-arm64: $out/$o.bpf.o is not a BPF object" >&2
    exit 1
  fi
done
echo "build-arm64: $out/nsgroup_static $out/nsgroup_privileged_tests_static" \
     "$out/nsgroup.bpf.o $out/iter.bpf.o" >&2
