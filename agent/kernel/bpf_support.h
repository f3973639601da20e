// What every owner of a BPF skeleton needs: RAII for libbpf's objects, the
// checks before a load, and libbpf's log routed through ours.
#pragma once

#include <bpf/libbpf.h>

#include <memory>

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

// libbpf's messages go to our debug log (shown with -v only): a failed
// load is summed up in one line by the caller.
void route_libbpf_log();

}  // namespace nsgroup
