// Reads what labels are made of (hostnames, runtime ids, nsfs mounts) for
// the containers of a tree: the I/O half of core/labels.h.
#pragma once

#include <span>
#include <vector>

#include "core/labels.h"
#include "host/scanner.h"

namespace nsgroup {

// The inputs of every container.
LabelInputs gather_labels(const Tree& tree, Scanner& scanner,
                          const std::vector<PinnedNs>& pins);

// Reads the inputs of the given containers again into `into` (one member
// of each: its UTS hostname where the container has its own, its runtime
// id); the root's hostname once.
void gather_labels(const Tree& tree, Scanner& scanner, std::span<const ContainerId> ids,
                   LabelInputs& into);

// The same, from a scan that carried hostnames and cgroup leaves (the task
// iterator): no setns, no read per container.
void gather_labels(const Tree& tree, const std::vector<ProcInfo>& procs,
                   std::span<const ContainerId> ids, LabelInputs& into);

}  // namespace nsgroup
