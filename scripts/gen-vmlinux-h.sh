#!/usr/bin/env bash
# Regenerates vmlinux/ARCH/vmlinux.h, the kernel types the BPF programs are
# compiled against, from the BTF of Debian's cloud kernel for that arch.
#
#   scripts/gen-vmlinux-h.sh ARCH [KERNEL_IMAGE]
#
# ARCH is the BPF name of the arch (__TARGET_ARCH_<ARCH>): arm64 or x86.
# Without KERNEL_IMAGE (a vmlinuz/Image file) it downloads Debian's
# linux-image-cloud-<debian arch> package (as root it adds the foreign
# architecture to dpkg and updates apt's lists when needed), unpacks it and
# reads the BTF out of the kernel image: the image (arm64's Image is not
# compressed; an x86 bzImage holds an lz4, gzip, xz or zstd stream, which is
# decompressed first) is searched for the BTF header (magic 0xeB9F, version
# 1, hdr_len 24) and the blob is cut at the length the header gives
# (hdr_len + the end of the type or string section, whichever is later).
# bpftool must accept the blob before it is dumped. The kernel release and
# the package version go into a comment at the top of the header.
#
# Needs: apt-get, dpkg-deb, bpftool, GNU grep, od, dd, and gzip/xz/zstd/lz4 for
# compressed images. Writes only vmlinux/ARCH/vmlinux.h, or the file
# VMLINUX_H names (to try the script without touching the checked-in one).
set -euo pipefail

usage() { echo "usage: $0 arm64|x86 [KERNEL_IMAGE]" >&2; exit 2; }
if [ $# -lt 1 ] || [ $# -gt 2 ]; then usage; fi
arch="$1"
image="${2:-}"
case "$arch" in
  arm64) deb_arch=arm64 ;;
  x86)   deb_arch=amd64 ;;
  *)     usage ;;
esac

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${VMLINUX_H:-$root/vmlinux/$arch/vmlinux.h}"
BPFTOOL="${BPFTOOL:-$(command -v bpftool || echo /usr/sbin/bpftool)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
# apt-get download drops to user _apt, which must be able to write here.
chmod 0755 "$work"

die() { echo "gen-vmlinux-h: $*" >&2; exit 1; }

# 1. The kernel image, and what it is (package name and version).
source_desc=""
if [ -z "$image" ]; then
  if ! dpkg --print-architecture | grep -qx "$deb_arch" &&
     ! dpkg --print-foreign-architectures | grep -qx "$deb_arch"; then
    [ "$(id -u)" -eq 0 ] || die "dpkg does not know arch $deb_arch: run as root (dpkg --add-architecture $deb_arch)"
    dpkg --add-architecture "$deb_arch"
    apt-get update -q >&2
  fi
  meta="linux-image-cloud-$deb_arch:$deb_arch"
  # The metapackage names the versioned image package it depends on.
  pkg="$(apt-cache depends "$meta" 2>/dev/null |
         sed -n 's/^ *Depends: \(linux-image-[^ :]*\).*/\1/p' | head -n1)"
  if [ -z "$pkg" ] && [ "$(id -u)" -eq 0 ]; then
    apt-get update -q >&2
    pkg="$(apt-cache depends "$meta" |
           sed -n 's/^ *Depends: \(linux-image-[^ :]*\).*/\1/p' | head -n1)"
  fi
  [ -n "$pkg" ] || die "apt knows no $meta (apt-get update?)"
  (cd "$work" && apt-get download -q "$pkg:$deb_arch" >&2)
  debs=("$work"/*.deb)
  deb="${debs[0]}"
  dpkg-deb -x "$deb" "$work/pkg"
  images=("$work"/pkg/boot/vmlinuz-*)
  image="${images[0]}"
  [ -f "$image" ] || die "$deb holds no /boot/vmlinuz-*"
  source_desc="Debian package $(dpkg-deb -f "$deb" Package) $(dpkg-deb -f "$deb" Version) ($deb_arch)"
else
  [ -r "$image" ] || die "cannot read $image"
  source_desc="kernel image $(basename "$image")"
fi

# 2. The BTF blob. Candidates are offsets of the header's first 8 bytes.
btf_header_offsets() {
  LC_ALL=C grep -obUaP '\x9f\xeb\x01\x00\x18\x00\x00\x00' "$1" | cut -d: -f1 || true
}

# Cuts the BTF blob at offset $2 of file $1 into $3; fails on a bad header.
cut_btf() {
  local file="$1" off="$2" dst="$3" type_off type_len str_off str_len end
  read -r type_off type_len str_off str_len < <(
    od -An -tu4 -j $((off + 8)) -N16 -v "$file")
  [ -n "${str_len:-}" ] || return 1
  end=$((type_off + type_len))
  [ $((str_off + str_len)) -gt "$end" ] && end=$((str_off + str_len))
  dd if="$file" of="$dst" bs=4M iflag=skip_bytes,count_bytes \
     skip="$off" count=$((24 + end)) status=none
  "$BPFTOOL" btf dump file "$dst" format raw >/dev/null 2>&1
}

# Tries every candidate of file $1; the largest valid blob wins (a module's
# or a stray match is smaller than vmlinux's, or not valid at all).
find_btf() {
  local file="$1" off best="" best_size=0 size
  for off in $(btf_header_offsets "$file"); do
    if cut_btf "$file" "$off" "$work/cand.btf"; then
      size=$(stat -c %s "$work/cand.btf")
      if [ "$size" -gt "$best_size" ]; then
        best_size=$size
        best=$off
        mv "$work/cand.btf" "$work/vmlinux.btf"
      fi
    fi
  done
  [ -n "$best" ]
}

raw="$image"
if ! find_btf "$raw"; then
  # A compressed image (Image.gz, or a bzImage's payload): decompress the
  # first stream that holds a BTF blob, wherever in the file it starts.
  found=""
  for fmt in gzip:'\x1f\x8b\x08' xz:'\xfd7zXZ\x00' zstd:'\x28\xb5\x2f\xfd' \
             lz4:'\x02\x21\x4c\x18'; do
    tool="${fmt%%:*}"
    magic="${fmt#*:}"
    command -v "$tool" >/dev/null || continue
    for off in $(LC_ALL=C grep -obUaP "$magic" "$image" | cut -d: -f1 || true); do
      tail -c +$((off + 1)) "$image" | "$tool" -dc >"$work/image.raw" 2>/dev/null || true
      if [ -s "$work/image.raw" ] && find_btf "$work/image.raw"; then
        raw="$work/image.raw"
        found=1
        break 2
      fi
    done
  done
  [ -n "$found" ] || die "no BTF found in $image (CONFIG_DEBUG_INFO_BTF?)"
fi

# 3. The release, from the banner the image carries.
release="$(LC_ALL=C grep -aoPm1 'Linux version \K[0-9][!-~]*' "$raw" | head -n1 || true)"
[ -n "$release" ] || release=unknown

# 4. The header, with where it came from on top.
mkdir -p "$(dirname "$out")"
{
  echo "/*"
  echo " * Kernel types for BPF programs built with -D__TARGET_ARCH_$arch,"
  echo " * dumped from the BTF of Linux $release."
  echo " * Source: $source_desc."
  echo " * Generated by scripts/gen-vmlinux-h.sh $arch (bpftool $("$BPFTOOL" version | head -n1 | awk '{print $2}'));"
  echo " * do not edit: run the script again."
  echo " */"
  "$BPFTOOL" btf dump file "$work/vmlinux.btf" format c
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "gen-vmlinux-h: wrote $out (Linux $release, $(stat -c %s "$work/vmlinux.btf") bytes of BTF)" >&2
