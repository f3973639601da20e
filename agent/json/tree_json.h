// JSON of the container tree (docs/design.md, "The tree"), written straight to text:
// at 10,000 containers it is megabytes, asked for by every `nsgroup tree`.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/tree.h"
#include "util/clock.h"

namespace nsgroup {

// What to show, and the facts that live outside the tree.
struct TreeView {
  ContainerId top = kRootId;  // the subtree shown (access rule 1)
  bool pids = false;          // list member pids
  std::string source = "daemon";
  // The root container's processes: everything not in another container.
  std::vector<std::uint32_t> root_pids;
  // The cgroup directory mirroring a container, when there is a mirror.
  std::function<std::optional<std::string>(ContainerId)> cgroup;
  // Member processes that stay in another manager's cgroup.
  std::function<std::optional<std::string>(std::uint32_t)> foreign_cgroup;
};


// {"source": ..., "root": {...}} as compact JSON text.
std::string tree_json(const Tree& tree, const BootClock& clock, const TreeView& view);
// The same, appended to `out` (a reply that starts before it).
void tree_json(const Tree& tree, const BootClock& clock, const TreeView& view, std::string& out);

}  // namespace nsgroup
