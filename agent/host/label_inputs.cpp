// Label inputs, read from one member of each container.
#include "host/label_inputs.h"

#include <unistd.h>

namespace nsgroup {

LabelInputs gather_labels(const Tree& tree, Scanner& scanner,
                          const std::vector<PinnedNs>& pins) {
  LabelInputs ctx;
  ctx.pins = pins;
  std::vector<std::uint32_t> uts_pids;
  std::vector<ContainerId> uts_owner;
  tree.visit(kRootId, [&](const Container& c, int) {
    if (c.id == kRootId || c.members.empty())
      return;
    std::uint32_t pid = *c.members.begin();
    if (tree.new_ns_mask(c.id) & (1U << NSG_NS_UTS)) {
      uts_pids.push_back(pid);
      uts_owner.push_back(c.id);
    }
    if (auto id = scanner.runtime_id(pid))
      ctx.runtime_id[c.id] = *id;
  });
  // The root container's hostname: that of kthreadd.
  uts_pids.push_back(2);  // kthreadd: always in the initial namespaces
  uts_owner.push_back(kRootId);
  auto names = scanner.hostnames(uts_pids);
  for (std::size_t i = 0; i < uts_pids.size(); ++i) {
    auto it = names.find(uts_pids[i]);
    if (it != names.end())
      ctx.hostname[uts_owner[i]] = it->second;
  }
  return ctx;
}

}  // namespace nsgroup
