// Reads what labels are made of (hostnames, runtime ids, nsfs mounts) for
// the containers of a tree: the I/O half of core/labels.h.
#pragma once

#include <span>
#include <vector>

#include "core/labels.h"
#include "host/procfs.h"
#include "host/runtime_state.h"
#include "host/scanner.h"

namespace nsgroup {

// The inputs of every container. Where a container's cgroup names no
// runtime, runc's and crun's state files may: `states` decodes them.
LabelInputs gather_labels(const Tree& tree, Scanner& scanner,
                          const std::vector<PinnedNs>& pins, const RuntimeStateDecoder& states);

// Reads the inputs of the given containers again into `into` (one member
// of each: its UTS hostname where the container has its own, its runtime
// id); the root's hostname once.
void gather_labels(const Tree& tree, Scanner& scanner, std::span<const ContainerId> ids,
                   LabelInputs& into, const RuntimeStateDecoder& states);

// The same, from a scan that carried hostnames and cgroup leaves (the task
// iterator): no setns; a cgroup leaf that may be a runtime's is read whole
// from `proc` (PID/cgroup).
void gather_labels(const Tree& tree, const std::vector<ProcInfo>& procs,
                   std::span<const ContainerId> ids, LabelInputs& into,
                   const RuntimeStateDecoder& states, const ProcFs& proc);

}  // namespace nsgroup
