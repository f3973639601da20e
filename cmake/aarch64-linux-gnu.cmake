# Cross build for arm64 (aarch64) on a Debian host, through multiarch:
#
#   cmake -S . -B build/arm64 \
#         -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
#
# Needs gcc-aarch64-linux-gnu and g++-aarch64-linux-gnu, and the target's
# libraries as :arm64 packages (libbpf-dev:arm64 libelf-dev:arm64
# zlib1g-dev:arm64, libgtest-dev:arm64 for the tests), which Debian puts in
# /usr/lib/aarch64-linux-gnu beside the host's. Arch-independent files
# (nlohmann's headers and CMake package, googletest's sources) are shared.
# The BPF objects are built by the host's clang and bpftool as always;
# CMAKE_SYSTEM_PROCESSOR aarch64 makes cmake/BpfObject.cmake compile them
# with -D__TARGET_ARCH_arm64 against vmlinux/arm64/vmlinux.h.
# tests/vm/build-arm64.sh drives this build.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)

set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Debian's multiarch directory: find_library and find_package look in
# /usr/lib/aarch64-linux-gnu (and its cmake/ packages), never in the host's
# /usr/lib/x86_64-linux-gnu.
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)

# pkg-config (libbpf) reads the target's .pc files only.
set(ENV{PKG_CONFIG_LIBDIR}
    "/usr/lib/aarch64-linux-gnu/pkgconfig:/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# Target binaries run under qemu-user where it is installed (gtest's test
# discovery runs them at build time); without it, only what is built runs
# nowhere here.
find_program(NSGROUP_QEMU_AARCH64 NAMES qemu-aarch64-static qemu-aarch64)
if(NSGROUP_QEMU_AARCH64)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${NSGROUP_QEMU_AARCH64})
endif()
