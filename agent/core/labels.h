// Labels: a human name for a container from its context (docs/design.md,
// "Labels").
// A pure function of the tree and of inputs gathered at the edges.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/runtime.h"
#include "core/snapshot.h"
#include "core/tree.h"

namespace nsgroup {

// What labels are made of, read from one member of each container.
struct LabelInputs {
  std::unordered_map<ContainerId, std::string> hostname;    // its UTS nodename
  // The runtime it belongs to: from its cgroup path, else from a runtime's
  // state file naming a member as its init process (runc, crun).
  std::unordered_map<ContainerId, RuntimeInfo> runtime_id;
  std::vector<PinnedNs> pins;                               // nsfs bind mounts
};

// The label of one container, by the first rule that applies:
//   "docker:3f2a9c1b7d0e"  it belongs to a known runtime (NAME:ID, the id
//                    shortened to 12 digits when it is 64 hex digits:
//                    docker, containerd, crio, podman, nspawn, lxc, runc,
//                    crun; see core/runtime.h), unless the nearest ancestor
//                    that has a runtime has the same one (a container
//                    nested inside keeps a label of its own);
//   "hostname:web"   its UTS namespace is new and its hostname differs from
//                    the nearest ancestor's that is known;
//   "ip-netns:blue"  a new network namespace bind-mounted in /run/netns;
//   "nsfs:PATH"      any other new namespace bind-mounted at PATH;
//   "comm:X"         the comm of its creator, else of its first member.
// nullopt for the root and when no rule applies.
std::optional<std::string> label_of(const Tree& tree, ContainerId id, const LabelInputs& in);

// Sets every container's label and runtime.
void relabel(Tree& tree, const LabelInputs& in);
// Sets the labels and runtimes of some containers.
void relabel(Tree& tree, const LabelInputs& in, std::span<const ContainerId> ids);

}  // namespace nsgroup
