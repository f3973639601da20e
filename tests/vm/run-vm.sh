#!/usr/bin/env bash
# Boots a throwaway VM on one of Debian's cloud kernels under qemu, runs one
# command in it as root and powers it off. Everything lives in an initramfs:
# busybox, a few userland binaries with their shared libraries, and the files
# given with -f (in /opt/tests). Nothing is installed into /boot.
#
#   run-vm.sh [options] [--] [COMMAND [ARG...]]
#
#   -k KERNEL   the guest kernel (default 6.1):
#                 6.1    linux-image-cloud-amd64 (bookworm), x86_64
#                 6.12   linux-image-6.12-cloud-amd64 (bookworm-security), x86_64
#                 arm64  linux-image-cloud-arm64:arm64 (bookworm), aarch64 under
#                        qemu-system-aarch64 -M virt; its userland (busybox,
#                        dash, util-linux, iproute2, bpftool and their
#                        libraries) comes from arm64 Debian packages unpacked
#                        with dpkg -x, never installed on the host
#   -f FILE     copy FILE into /opt/tests (repeatable); a dynamically linked
#               FILE brings its shared libraries along
#   -b BINARY   copy a userland binary (name or path) with its libraries
#               (repeatable); for arm64, a name found in the unpacked packages
#   -m MODULE   load kernel MODULE (and what it depends on) at boot
#               (repeatable); MODULE? loads it only where the kernel has it as
#               a module (built in or absent: nothing, and no error)
#   -t SECONDS  kill the VM after that long (default 600)
#   -l LOG      where the serial console goes (default
#               $CACHE/console-KERNEL.log)
#   -v          print the whole console, not only the command's output
#
# COMMAND runs under /bin/sh in /opt/tests; one argument is taken as a shell
# script, several as a command and its arguments. Without one it runs
# /opt/tests/run.sh if a -f gave it, else only boots.
#
# Pass or fail comes from the console markers alone (qemu exits 0 even when the
# guest panics): the exit status is the command's when the guest printed
# "NSGROUP-VM-EXIT <status>", 124 on timeout, 125 when the guest died without it.
#
# Environment: NSGROUP_VM_CACHE (default /var/cache/nsgroup-vm),
# NSGROUP_VM_ACCEL (tcg, the default, or kvm), NSGROUP_VM_MEM (1G),
# NSGROUP_VM_SMP (2), NSGROUP_VM_APPEND (more kernel arguments),
# NSGROUP_VM_REFRESH=1 (look for a newer kernel package). Kernels are cached
# per -k in $CACHE/kernel/KERNEL, the packages in $CACHE/debs.
set -euo pipefail

CACHE=${NSGROUP_VM_CACHE:-/var/cache/nsgroup-vm}
ACCEL=${NSGROUP_VM_ACCEL:-tcg}
MEM=${NSGROUP_VM_MEM:-1G}
SMP=${NSGROUP_VM_SMP:-2}
PACKAGES=(busybox-static cpio iproute2 util-linux bpftool binutils xz-utils)
# Userland binaries every VM gets, on top of busybox. dash is /bin/sh: Debian's
# busybox sh runs its own applet for any name it knows (ip, unshare, nsenter,
# setpriv, mount...) whatever PATH says, so it must not be the shell.
HOST_BINARIES=(dash ip unshare nsenter setpriv bpftool)
# Part of the cache key of the base initramfs: bump to rebuild cached ones.
BASE_FORMAT=4

say() { echo "nsgroup-vm: $*" >&2; }
die() { say "$*"; exit 2; }
now() { echo "${EPOCHREALTIME/,/.}"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2fs", b - a }'; }

usage() { sed -n '/^#   run-vm.sh/,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }

# --- host packages ----------------------------------------------------------

ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]}"
  local t0
  t0=$(now)
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${missing[@]}" >&2; then
    apt-get update -q >&2
    apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
  fi
  say "installed in $(since "$t0")"
}

# --- guest kernel -------------------------------------------------------------

# Sets what differs between the guest kernels of -k: the metapackage that
# names the newest image package, its Debian architecture, and qemu.
select_kernel() {
  case $1 in
    6.1) KERNEL_META=linux-image-cloud-amd64 DEB_ARCH=amd64 ;;
    6.12) KERNEL_META=linux-image-6.12-cloud-amd64 DEB_ARCH=amd64 ;;
    arm64) KERNEL_META=linux-image-cloud-arm64 DEB_ARCH=arm64 ;;
    *) die "unknown kernel $1 (6.1, 6.12 or arm64)" ;;
  esac
  KERNEL_KEY=$1
  if [ "$DEB_ARCH" = amd64 ]; then
    PACKAGES+=(qemu-system-x86)
    GNU_TRIPLET=x86_64-linux-gnu
  else
    PACKAGES+=(qemu-system-arm)
    GNU_TRIPLET=aarch64-linux-gnu
  fi
}

# apt-cache show of package $1 (with :arch for a foreign one), after an
# apt-get update when the lists do not have it (a fresh image, or arm64 just
# added).
apt_show() {
  local out
  out=$(apt-cache show --no-all-versions "$1" 2>/dev/null || true)
  if [ -z "$out" ]; then
    apt-get update -q >&2
    out=$(apt-cache show --no-all-versions "$1" 2>/dev/null || true)
  fi
  [ -n "$out" ] || die "no package $1 in the apt lists"
  echo "$out"
}

# The foreign architecture arm64 must be known to dpkg for apt to fetch its
# packages (nothing of it gets installed).
ensure_foreign_arch() {
  [ "$DEB_ARCH" = "$(dpkg --print-architecture)" ] && return 0
  dpkg --print-foreign-architectures | grep -qx "$DEB_ARCH" && return 0
  say "dpkg --add-architecture $DEB_ARCH (to download its packages, none installed)"
  dpkg --add-architecture "$DEB_ARCH"
  apt-get update -q >&2
}

# The package of architecture $DEB_ARCH as apt names it.
qualified() {
  if [ "$DEB_ARCH" = "$(dpkg --print-architecture)" ]; then echo "$1"; else echo "$1:$DEB_ARCH"; fi
}

# Downloads package $1 version $2 (of $DEB_ARCH) into $CACHE/debs once;
# prints the .deb's path.
download_deb() {
  local name=$1 version=$2 deb
  mkdir -p "$CACHE/debs"
  deb=$CACHE/debs/${name}_${version//:/%3a}_$DEB_ARCH.deb
  [ -f "$deb" ] || deb=$CACHE/debs/${name}_${version//:/%3a}_all.deb
  if [ ! -f "$deb" ]; then
    say "downloading $(qualified "$name") $version"
    (cd "$CACHE/debs" && apt-get download -q -o APT::Sandbox::User=root "$(qualified "$name")=$version" >&2)
    deb=$(ls "$CACHE/debs/${name}_${version//:/%3a}_"{"$DEB_ARCH",all}.deb 2>/dev/null | head -n1)
    [ -n "$deb" ] || die "apt-get download $name=$version left no .deb"
  fi
  echo "$deb"
}

# The real package behind the metapackage, as "name version".
resolve_kernel_package() {
  local deps
  deps=$(apt_show "$(qualified "$KERNEL_META")" | sed -n 's/^Depends: //p')
  # e.g. "linux-image-6.1.0-56-cloud-amd64 (= 6.1.192-2)"
  echo "$deps" | tr ',' '\n' |
    sed -n "s/^ *\(linux-image-[^ ]*-cloud-$DEB_ARCH\) *(= *\([^)]*\)).*/\1 \2/p" | head -n1
}

# Sets KDIR (the unpacked package), KVER and VMLINUZ. Downloads and unpacks
# only when $CACHE/kernel/$KERNEL_KEY/current is missing (or
# NSGROUP_VM_REFRESH=1).
ensure_kernel() {
  local current=$CACHE/kernel/$KERNEL_KEY/current
  if [ ! -d "$current" ] || [ "${NSGROUP_VM_REFRESH:-0}" = 1 ]; then
    local t0 name version deb dir
    t0=$(now)
    read -r name version < <(resolve_kernel_package) || true
    [ -n "${name:-}" ] || die "cannot resolve $KERNEL_META to a linux-image package"
    dir=$CACHE/kernel/$KERNEL_KEY/${name}_${version}
    if [ ! -d "$dir" ]; then
      mkdir -p "$CACHE/kernel/$KERNEL_KEY"
      deb=$(download_deb "$name" "$version")
      say "unpacking $(basename "$deb")"
      rm -rf "$dir.tmp"
      dpkg -x "$deb" "$dir.tmp"
      local kver
      kver=$(basename "$(ls -d "$dir.tmp"/lib/modules/*)")
      busybox depmod -b "$dir.tmp" "$kver"
      mv "$dir.tmp" "$dir"
    fi
    ln -sfn "$(basename "$dir")" "$current"
    say "kernel $name $version ready in $(since "$t0")"
  fi
  KDIR=$(readlink -f "$current")
  VMLINUZ=$(ls "$KDIR"/boot/vmlinuz-*)
  KVER=${VMLINUZ##*/vmlinuz-}
}

# --- initramfs ----------------------------------------------------------------

# --- the guest's userland -----------------------------------------------------
#
# x86_64 guests take the host's binaries. An arm64 guest takes the same
# programs from the arm64 builds of the packages the host's copies (and their
# libraries) come from, unpacked with dpkg -x into $SYSROOT; their libraries
# are found by the ELF NEEDED entries (readelf reads any architecture).

host_binary_path() {
  PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v "$1" ||
    die "no host binary $1"
}

# The host package that holds file $1 (tried as given, under /usr and
# without it, and resolved).
package_of() {
  local f=$1 c out
  for c in "$f" "/usr$f" "${f#/usr}" "$(readlink -f "$f")"; do
    out=$(dpkg -S "$c" 2>/dev/null | grep -v '^diversion' | head -n1 || true)
    [ -n "$out" ] && { echo "${out%%:*}"; return 0; }
  done
  die "no package holds $f"
}

# Sets SYSROOT: the arm64 packages behind busybox and every binary of
# BINARY_NAMES, with their libraries, unpacked once per set of versions.
ensure_foreign_userland() {
  local files=(/bin/busybox) pkgs=() f lib p version list='' t0
  t0=$(now)
  for f in "${BINARY_NAMES[@]}"; do files+=("$(host_binary_path "$f")"); done
  for f in "${files[@]}"; do
    pkgs+=("$(package_of "$f")")
    for lib in $({ ldd "$f" 2>/dev/null || true; } |
                 awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
      pkgs+=("$(package_of "$lib")")
    done
  done
  mapfile -t pkgs < <(printf '%s\n' "${pkgs[@]}" | LC_ALL=C sort -u)
  # One apt-cache call for all: each costs a second or two with two
  # architectures' lists.
  local quals=() try
  for p in "${pkgs[@]}"; do quals+=("$(qualified "$p")"); done
  for try in 1 2; do
    list=$(apt-cache show --no-all-versions "${quals[@]}" 2>/dev/null |
           awk '/^Package: / { p = $2 } /^Version: / { print p "=" $2 }' | LC_ALL=C sort -u || true)
    [ "$(grep -c . <<<"$list")" -eq ${#pkgs[@]} ] && break
    [ $try = 1 ] && apt-get update -q >&2
  done
  [ "$(grep -c . <<<"$list")" -eq ${#pkgs[@]} ] ||
    die "not every one of ${pkgs[*]} is in the $DEB_ARCH apt lists"
  list+=$'\n'
  SYSROOT=$CACHE/userland/$DEB_ARCH-$(printf '%s' "$list" | sha256sum | cut -c1-16)
  [ -d "$SYSROOT" ] && return 0
  rm -rf "$SYSROOT.tmp"
  mkdir -p "$SYSROOT.tmp"
  while IFS='=' read -r p version; do
    [ -n "$p" ] || continue
    dpkg -x "$(download_deb "$p" "$version")" "$SYSROOT.tmp"
  done <<<"$list"
  printf '%s' "$list" >"$SYSROOT.tmp/.packages"
  mv "$SYSROOT.tmp" "$SYSROOT"
  say "$DEB_ARCH userland (${#pkgs[@]} packages) unpacked in $(since "$t0")"
}

# Path $1 of the guest's file system as a file here: itself on x86_64, else
# inside $SYSROOT with symlinks (absolute ones too) followed there.
userland_file() {
  local p=$1 t n=0
  [ -z "$SYSROOT" ] && { echo "$p"; return 0; }
  while [ -L "$SYSROOT$p" ] && [ $n -lt 40 ]; do
    t=$(readlink "$SYSROOT$p")
    case $t in /*) p=$t ;; *) p=$(dirname "$p")/$t ;; esac
    n=$((n + 1))
  done
  echo "$SYSROOT$p"
}

# Where binary $1 (a name or a host path) lives in the guest.
guest_binary_path() {
  local d name=${1##*/}
  if [ -z "$SYSROOT" ]; then host_binary_path "$1"; return; fi
  for d in /usr/sbin /usr/bin /sbin /bin; do
    [ -e "$SYSROOT$d/$name" ] && { echo "$d/$name"; return 0; }
  done
  die "no $name in the unpacked $DEB_ARCH packages"
}

# The shared objects ELF file $1 (a file here) loads, the dynamic loader
# included, as "FILE-HERE PATH-IN-GUEST" lines; nothing for a static binary
# or a script.
shared_deps() {
  if [ -z "$SYSROOT" ]; then
    { ldd "$1" 2>/dev/null || true; } |
      awk '$2 == "=>" && $3 ~ /^\// { print $3, $3 } $1 ~ /^\// { print $1, $1 }'
    return 0
  fi
  local todo=("$1") seen=' ' f interp soname d found
  while [ ${#todo[@]} -gt 0 ]; do
    f=${todo[0]}
    todo=("${todo[@]:1}")
    interp=$(readelf -lW "$f" 2>/dev/null | sed -n 's/.*Requesting program interpreter: \(.*\)]$/\1/p')
    if [ -n "$interp" ] && [[ $seen != *" $interp "* ]]; then
      seen+="$interp "
      echo "$(userland_file "$interp") $interp"
    fi
    for soname in $(readelf -dW "$f" 2>/dev/null | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
      [[ $seen == *" $soname "* ]] && continue
      seen+="$soname "
      found=
      for d in /lib/$GNU_TRIPLET /usr/lib/$GNU_TRIPLET /lib /usr/lib; do
        [ -e "$SYSROOT$d/$soname" ] && { found=$(userland_file "$d/$soname"); break; }
      done
      [ -n "$found" ] || die "${f#"$SYSROOT"} needs $soname: in none of the unpacked $DEB_ARCH packages"
      echo "$found /usr/lib/$GNU_TRIPLET/$soname"
      todo+=("$found")
    done
  done
}

# Copies file $1 (here) to path $2 inside root $3, replacing whatever is
# there (a busybox symlink must not be followed), with its shared libraries.
install_with_deps() {
  local src=$1 dest=$2 root=$3 deps from to
  deps=$(shared_deps "$src") || exit 2
  mkdir -p "$root$(dirname "$dest")"
  rm -f "$root$dest"
  cp -L --preserve=mode "$src" "$root$dest"
  while read -r from to; do
    [ -n "$to" ] || continue
    [ -e "$root$to" ] && continue
    mkdir -p "$root$(dirname "$to")"
    cp -L --preserve=mode "$from" "$root$to"
  done <<<"$deps"
}

# Kernel modules to load for "$@", dependencies first, as paths relative to
# the modules directory.
module_load_order() {
  local dep=$KDIR/lib/modules/$KVER/modules.dep m line deps i order=() optional
  for m in "$@"; do
    optional=0
    case $m in *\?) optional=1 m=${m%\?} ;; esac
    m=${m//-/_}
    line=$(awk -F: -v m="$m" '{ n = $1; sub(/.*\//, "", n); sub(/\.ko.*$/, "", n); gsub(/-/, "_", n)
                                if (n == m) { print; exit } }' "$dep")
    if [ -z "$line" ] && [ $optional = 1 ]; then
      say "$m is not a module of $KVER (built in or absent): not loaded"
      continue
    fi
    [ -n "$line" ] || die "no module $m in $KVER"
    read -ra deps <<<"${line#*:}"
    for ((i = ${#deps[@]} - 1; i >= 0; i--)); do order+=("${deps[i]}"); done
    order+=("${line%%:*}")
  done
  [ ${#order[@]} -gt 0 ] || return 0
  printf '%s\n' "${order[@]}" | awk '!seen[$0]++'
}

write_init() {
  cat >"$1" <<'EOF'
#!/bin/sh
# PID 1 of the nsgroup test VM: mounts the usual file systems, runs
# /opt/tests/.nsgroup-cmd between markers and powers off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb

try() { "$@" || echo "nsgroup-vm: failed: $*"; }

try mount -t proc proc /proc
try mount -t sysfs sysfs /sys
try mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
try mount -t devpts devpts /dev/pts
try mount -t tmpfs tmpfs /dev/shm
try mount -t tmpfs -o mode=755 tmpfs /run
try mount -t tmpfs tmpfs /tmp
mkdir -p /run/netns
try mount -t bpf bpf /sys/fs/bpf
try mount -t tracefs tracefs /sys/kernel/tracing
try mount -t debugfs debugfs /sys/kernel/debug
try mount -t cgroup2 cgroup2 /sys/fs/cgroup
exec </dev/null >/dev/console 2>&1

hostname nsgroup-vm
try ip link set lo up
if [ -f /etc/nsgroup-vm/modules ]; then
  while read -r m; do try insmod "/lib/modules/$(uname -r)/$m"; done </etc/nsgroup-vm/modules
fi

cd /opt/tests
echo "nsgroup-vm: uptime-begin $(cut -d' ' -f1 /proc/uptime)"
echo NSGROUP-VM-BEGIN
sh /opt/tests/.nsgroup-cmd
status=$?
echo "NSGROUP-VM-EXIT $status"
echo "nsgroup-vm: uptime-exit $(cut -d' ' -f1 /proc/uptime)"
echo "nsgroup-vm: dmesg follows"
dmesg
sync
poweroff -f
EOF
  chmod 755 "$1"
}

# Everything the key of the base image depends on: the files going in (by
# name, size and time) and the code that lays it out.
base_inputs() {
  local f deps libs
  echo "format $BASE_FORMAT kernel $KERNEL_KEY $KVER userland ${SYSROOT:-host}"
  declare -f write_init build_base shared_deps install_with_deps
  for f in /bin/busybox "${BINARIES[@]}"; do
    f=$(userland_file "$f")
    deps=$(shared_deps "$f") || exit 2
    mapfile -t libs < <(awk 'NF { print $1 }' <<<"$deps")
    stat -L -c '%n %s %Y' "$f" "${libs[@]}"
  done
  printf 'module %s\n' "${MODULE_FILES[@]}"
}

# Builds the base image (busybox, /init, host binaries, modules) into $1.
build_base() {
  local image=$1 root f
  root=$(mktemp -d "$CACHE/tmp/base.XXXXXX")
  mkdir -p "$root"/{usr/bin,usr/sbin,usr/lib,usr/lib64,dev,proc,sys,run,tmp,root,etc/nsgroup-vm,opt/tests}
  ln -s usr/bin "$root/bin"; ln -s usr/sbin "$root/sbin"
  ln -s usr/lib "$root/lib"; ln -s usr/lib64 "$root/lib64"
  mknod -m 600 "$root/dev/console" c 5 1
  mknod -m 666 "$root/dev/null" c 1 3
  chmod 1777 "$root/tmp"

  # The host's busybox lists the applets: the arm64 one is the same build.
  cp "$(userland_file /bin/busybox)" "$root/bin/busybox"
  for f in $(busybox --list-full); do
    case $f in */*) [ -e "$root/$f" ] || ln -s /bin/busybox "$root/$f" ;; esac
  done
  for f in "${BINARIES[@]}"; do
    install_with_deps "$(userland_file "$f")" "$f" "$root"
    # The host binary wins over a busybox applet of the same name anywhere.
    local d
    for d in usr/sbin usr/bin; do
      [ -L "$root/$d/${f##*/}" ] && [ "$(readlink "$root/$d/${f##*/}")" = /bin/busybox ] &&
        rm -f "$root/$d/${f##*/}"
    done
  done
  ln -sfn dash "$root/usr/bin/sh"
  # bpftool feature probe and libbpf look for the kernel's config here.
  mkdir -p "$root/boot"
  cp "$KDIR/boot/config-$KVER" "$root/boot/"
  # busybox insmod hands the file to init_module as it is: a compressed
  # module (6.12's are .ko.xz) goes in decompressed.
  local m
  for f in "${MODULE_FILES[@]}"; do
    m=$f
    mkdir -p "$root/lib/modules/$KVER/$(dirname "$f")"
    case $f in
      *.ko.xz) m=${f%.xz}; xz -dc "$KDIR/lib/modules/$KVER/$f" >"$root/lib/modules/$KVER/$m" ;;
      *.ko.zst) m=${f%.zst}; zstd -qdc "$KDIR/lib/modules/$KVER/$f" >"$root/lib/modules/$KVER/$m" ;;
      *.ko.gz) m=${f%.gz}; gzip -dc "$KDIR/lib/modules/$KVER/$f" >"$root/lib/modules/$KVER/$m" ;;
      *) cp "$KDIR/lib/modules/$KVER/$f" "$root/lib/modules/$KVER/$f" ;;
    esac
    echo "$m" >>"$root/etc/nsgroup-vm/modules"
  done

  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  write_init "$root/init"

  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$image.tmp"
  # The kernel reads an archive that follows a compressed one only at a
  # 4-byte boundary: pad with zeros (which it skips) for the overlay.
  truncate -s %4 "$image.tmp"
  mv "$image.tmp" "$image"
  rm -rf "$root"
}

# "$@" as one POSIX shell command line (bash's printf %q may write $'...',
# which dash does not know).
shell_quote() {
  local a q="'\\''" sep=
  for a in "$@"; do printf "%s'%s'" "$sep" "${a//\'/$q}"; sep=' '; done
  echo
}

# Builds the per-run overlay (files for /opt/tests and the command) into $1.
build_overlay() {
  local image=$1 root f
  root=$(mktemp -d "$CACHE/tmp/overlay.XXXXXX")
  mkdir -p "$root/opt/tests"
  for f in "${FILES[@]}"; do
    install_with_deps "$f" "/opt/tests/$(basename "$f")" "$root"
  done
  {
    echo '# written by run-vm.sh'
    if [ ${#COMMAND[@]} -eq 1 ]; then
      printf '%s\n' "${COMMAND[0]}"
    elif [ ${#COMMAND[@]} -gt 1 ]; then
      shell_quote "${COMMAND[@]}"
    elif [ -f "$root/opt/tests/run.sh" ]; then
      echo 'sh /opt/tests/run.sh'
    else
      echo 'echo "nsgroup-vm: no command given"'
    fi
  } >"$root/opt/tests/.nsgroup-cmd"
  (cd "$root" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) >"$image"
  rm -rf "$root"
}

# --- main -------------------------------------------------------------------

FILES=() EXTRA_BINARIES=() MODULES=() TIMEOUT=600 LOG='' VERBOSE=0 KERNEL=6.1 SYSROOT=''
while getopts 'k:f:b:m:t:l:vh' opt; do
  case $opt in
    k) KERNEL=$OPTARG ;;
    f) [ -f "$OPTARG" ] || die "no file $OPTARG"; FILES+=("$(readlink -f "$OPTARG")") ;;
    b) EXTRA_BINARIES+=("$OPTARG") ;;
    m) MODULES+=("$OPTARG") ;;
    t) TIMEOUT=$OPTARG ;;
    l) LOG=$OPTARG ;;
    v) VERBOSE=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
COMMAND=("$@")

[ "$(id -u)" -eq 0 ] || die "run as root (packages, mknod in the initramfs)"
select_kernel "$KERNEL"
mkdir -p "$CACHE/tmp" "$CACHE/initramfs"
LOG=${LOG:-$CACHE/console-$KERNEL_KEY.log}

# Runs at the same time wait for each other until the VM starts.
exec 9>"$CACHE/.lock"
flock 9
ensure_packages "${PACKAGES[@]}"
ensure_foreign_arch
ensure_kernel

BINARY_NAMES=("${HOST_BINARIES[@]}" "${EXTRA_BINARIES[@]}")
[ "$DEB_ARCH" = "$(dpkg --print-architecture)" ] || ensure_foreign_userland
BINARIES=()
for b in "${BINARY_NAMES[@]}"; do
  path=$(guest_binary_path "$b") || exit 2
  BINARIES+=("$path")
done
MODULE_FILES=()
if [ ${#MODULES[@]} -gt 0 ]; then
  modules=$(module_load_order "${MODULES[@]}") || exit 2
  mapfile -t MODULE_FILES <<<"$modules"
fi

t0=$(now)
base=$CACHE/initramfs/base-$(base_inputs | sha256sum | cut -c1-16).cpio.gz
if [ -f "$base" ]; then
  base_note="cached"
else
  build_base "$base"
  base_note="built in $(since "$t0")"
fi
initrd=$(mktemp "$CACHE/tmp/initrd.XXXXXX")
overlay=$(mktemp "$CACHE/tmp/overlay.XXXXXX")
trap 'rm -f "$initrd" "$overlay"' EXIT
build_overlay "$overlay"
cat "$base" "$overlay" >"$initrd"
say "initramfs $(du -h "$initrd" | cut -f1) (base $base_note) ready in $(since "$t0")"
flock -u 9

# kvm: /dev/kvm exists on this workplace's machines but does not work (qemu
# aborts on "failed to set MSR 0x10a" with -cpu host, hangs in the firmware
# otherwise); kept for machines where it does.
# arm64 under TCG: -cpu max with the cheap pointer-authentication algorithm
# (the architected QARMA one costs much of the emulation's time).
# shellcheck disable=SC2054
case $ACCEL/$DEB_ARCH in
  kvm/*) accel=(-accel kvm -cpu host) ;;
  tcg/amd64) accel=(-accel tcg,thread=multi -cpu max) ;;
  tcg/arm64) accel=(-accel tcg,thread=multi -cpu max,pauth-impdef=on) ;;
  *) die "NSGROUP_VM_ACCEL must be tcg or kvm" ;;
esac
if [ "$DEB_ARCH" = amd64 ]; then
  qemu=(qemu-system-x86_64 -M q35) console=ttyS0
else
  qemu=(qemu-system-aarch64 -M virt) console=ttyAMA0
fi
qemu+=("${accel[@]}" -m "$MEM" -smp "$SMP"
       -nographic -no-reboot -nodefaults -serial stdio
       -kernel "$VMLINUZ" -initrd "$initrd"
       -append "console=$console panic=-1 oops=panic quiet ${NSGROUP_VM_APPEND:-}")

# The console goes to $LOG; the terminal gets the command's output as it comes
# (or everything with -v).
# shellcheck disable=SC2016
if [ "$VERBOSE" = 1 ]; then show='{ print; fflush() }'; else
  # Output without a final newline leaves the EXIT marker at the end of its
  # last line.
  show='match($0, /NSGROUP-VM-EXIT [0-9]+$/) { if (on && RSTART > 1) print substr($0, 1, RSTART - 1); on = 0 }
        on { print; fflush() }
        /NSGROUP-VM-BEGIN$/ { on = 1 }'
fi
# mawk (Debian's awk) reads a pipe in blocks unless told otherwise: the
# lines would come at the end only.
awk_lines=(awk)
awk -W version 2>&1 | grep -q mawk && awk_lines=(awk -W interactive)
say "booting $KVER ($DEB_ARCH, $ACCEL, $SMP cpus, $MEM), timeout ${TIMEOUT}s, console in $LOG"
t0=$(now)
set +e
# SeaBIOS clears the screen with escape sequences: drop them, and the \r.
timeout -k 5 "$TIMEOUT" "${qemu[@]}" </dev/null 2>&1 |
  sed -u 's/\x1bc//g; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\r//g' | tee "$LOG" | "${awk_lines[@]}" "$show"
qemu_status=${PIPESTATUS[0]}
set -e
boot_time=$(since "$t0")

if grep -aq 'Initramfs unpacking failed' "$LOG"; then
  grep -a 'Initramfs unpacking failed' "$LOG" >&2
  die "the kernel could not unpack the initramfs"
fi
# Markers are matched to the end of the line only: firmware escapes or a
# kernel message may come before them on the same line.
exit_line=$(grep -aoE 'NSGROUP-VM-EXIT [0-9]+$' "$LOG" | tail -n1 || true)
uptimes=$(sed -n 's/.*nsgroup-vm: uptime-\(begin\|exit\) \([0-9.]*\)$/\1 \2s/p' "$LOG" | paste -sd' ')
complaints='^\[ *[0-9]+\.[0-9]+\] .*(Kernel panic|BUG:|Oops|WARNING:)'
if grep -aqE "$complaints" "$LOG"; then
  say "the guest kernel complained, see $LOG:"
  grep -aE "$complaints" "$LOG" | head -n5 >&2
fi
if [ -n "$exit_line" ] && grep -aq 'NSGROUP-VM-BEGIN$' "$LOG"; then
  status=${exit_line#NSGROUP-VM-EXIT }
  say "guest exited $status; boot to poweroff $boot_time (guest uptime: ${uptimes:-?})"
  [ "$qemu_status" = 0 ] || say "but qemu did not stop by itself (status $qemu_status): poweroff hung?"
  exit "$status"
fi
if [ "$qemu_status" = 124 ] || [ "$qemu_status" = 137 ]; then
  say "TIMEOUT after ${TIMEOUT}s without NSGROUP-VM-EXIT; last console lines:"
  tail -n 20 "$LOG" >&2
  exit 124
fi
say "guest died without NSGROUP-VM-EXIT (qemu status $qemu_status) after $boot_time; last console lines:"
tail -n 20 "$LOG" >&2
exit 125
