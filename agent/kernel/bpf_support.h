// What every owner of a BPF skeleton needs: RAII for libbpf's objects, the
// checks before a load, and libbpf's log routed through ours.
#pragma once

#include <bpf/libbpf.h>

#include <memory>
#include <string>

#include "util/result.h"

namespace nsgroup {

template <class S>
struct SkelDeleter {
  void operator()(S* s) const noexcept { S::destroy(s); }
};
template <class S>
using SkelPtr = std::unique_ptr<S, SkelDeleter<S>>;

struct LinkDeleter {
  void operator()(bpf_link* l) const noexcept { bpf_link__destroy(l); }
};
using LinkPtr = std::unique_ptr<bpf_link, LinkDeleter>;

// Root and BPF type information: one line naming what is missing.
Status bpf_preflight();

// --btf FILE: the BTF that libbpf takes CO-RE relocations from instead of
// the kernel's own (/sys/kernel/btf/vmlinux), for kernels built without
// CONFIG_DEBUG_INFO_BTF (a BTFHub file, or `bpftool gen min_core_btf`).
// Set once, before any program is opened; empty: the kernel's.
void use_btf_file(std::string path);
// The options every skeleton is opened with (the BTF above).
bpf_object_open_opts bpf_open_opts();
// Whether the kernel exposes its own BTF. Tracing (fexit) programs and
// task iterators need it whatever --btf says: the kernel resolves their
// attach points through it.
bool kernel_has_btf();

// libbpf's messages go to our debug log (shown with -v only): a failed
// load is summed up in one line by the caller.
void route_libbpf_log();

}  // namespace nsgroup
