// Labels: a human name for a container from its context (DESIGN "Names").
// A pure function of the tree and of inputs gathered at the edges.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/snapshot.h"
#include "core/tree.h"

namespace nsgroup {

// What labels are made of, read from one member of each container.
struct LabelInputs {
  std::unordered_map<ContainerId, std::string> hostname;    // its UTS nodename
  std::unordered_map<ContainerId, std::string> runtime_id;  // from its cgroup
  std::vector<PinnedNs> pins;                               // nsfs bind mounts
};

// The label of one container, by the first rule that applies:
//   "hostname:web"   its UTS namespace is new and its hostname differs from
//                    the nearest ancestor's that is known;
//   "ip-netns:blue"  a new network namespace bind-mounted in /run/netns;
//   "nsfs:PATH"      any other new namespace bind-mounted at PATH;
//   "runtime:ID"     a container runtime's id in its cgroup path;
//   "comm:X"         the comm of its creator, else of its first member.
// nullopt for the root and when no rule applies.
std::optional<std::string> label_of(const Tree& tree, ContainerId id, const LabelInputs& in);

// Sets every container's label.
void relabel(Tree& tree, const LabelInputs& in);
// Sets the labels of some containers.
void relabel(Tree& tree, const LabelInputs& in, std::span<const ContainerId> ids);

}  // namespace nsgroup
