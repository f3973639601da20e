# Shared by scripts/run and scripts/test: Debian packages and the build.
# Sourced, not executed.

NSGROUP_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# What building nsgroup needs.
NSGROUP_BUILD_PACKAGES=(
  build-essential cmake pkg-config
  clang
  libbpf-dev bpftool libelf-dev zlib1g-dev
  nlohmann-json3-dev
)
# What the tests drive for real, on top of the build.
NSGROUP_TEST_PACKAGES=(
  libgtest-dev clang-tidy
  libclang-rt-14-dev
  iproute2 util-linux procps
  systemd
  # issue 13's real components: metrics, package, manual, runtimes, manifests
  prometheus
  lintian dpkg-dev fakeroot
  man-db groff-base bash-completion zsh fish
  runc crun lxc systemd-container
  python3-yaml
)

# Installs the packages of "$@" that are not installed yet; nothing when all
# are there. Non-interactive; apt's chatter goes to stderr.
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    if ! dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed; then
      missing+=("$p")
    fi
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "nsgroup: missing Debian packages: ${missing[*]} (run as root to install them)" >&2
    return 1
  fi
  echo "nsgroup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh image may have no package lists at all.
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
}

# Configures (once) and builds into $1 with the cmake arguments that follow.
# Build output goes to stderr so that stdout stays the program's.
build_into() {
  local dir="$1"; shift
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$NSGROUP_ROOT" -B "$dir" "$@" >&2
  fi
  cmake --build "$dir" -j"$(nproc)" >&2
}
