/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * The vmlinux.h that BPF code includes. The build passes
 * -D__TARGET_ARCH_<arch> (bpf_tracing.h needs it too) and the type dumps
 * differ per arch, so this picks the checked-in dump for that arch. A new
 * arch needs its own dump (scripts/gen-vmlinux-h.sh ARCH dumps Debian's
 * cloud kernel of that arch; or bpftool btf dump file
 * /sys/kernel/btf/vmlinux format c, on that arch) and a branch here; until
 * then it fails here, by name, rather than compiling against another
 * arch's types.
 */
#if defined(__TARGET_ARCH_x86)
#include "x86/vmlinux.h"
#elif defined(__TARGET_ARCH_arm64)
#include "arm64/vmlinux.h"
#elif defined(__TARGET_ARCH_arm)
#error "no vmlinux.h for arch arm: vmlinux/arm/vmlinux.h is not checked in"
#elif defined(__TARGET_ARCH_s390)
#error "no vmlinux.h for arch s390: vmlinux/s390/vmlinux.h is not checked in"
#elif defined(__TARGET_ARCH_powerpc)
#error "no vmlinux.h for arch powerpc: vmlinux/powerpc/vmlinux.h is not checked in"
#elif defined(__TARGET_ARCH_riscv)
#error "no vmlinux.h for arch riscv: vmlinux/riscv/vmlinux.h is not checked in"
#elif defined(__TARGET_ARCH_mips)
#error "no vmlinux.h for arch mips: vmlinux/mips/vmlinux.h is not checked in"
#elif defined(__TARGET_ARCH_sparc)
#error "no vmlinux.h for arch sparc: vmlinux/sparc/vmlinux.h is not checked in"
#elif defined(__TARGET_ARCH_loongarch)
#error "no vmlinux.h for arch loongarch: vmlinux/loongarch/vmlinux.h is not checked in"
#elif defined(__TARGET_ARCH_arc)
#error "no vmlinux.h for arch arc: vmlinux/arc/vmlinux.h is not checked in"
#else
#error "no __TARGET_ARCH_<arch> defined: build with -D__TARGET_ARCH_x86 or -D__TARGET_ARCH_arm64 (the vmlinux.h checked in)"
#endif
