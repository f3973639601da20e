// Label inputs, read from one member of each container.
#include "host/label_inputs.h"

#include <unordered_map>

#include "host/procfs.h"

namespace nsgroup {

void gather_labels(const Tree& tree, Scanner& scanner, std::span<const ContainerId> ids,
                   LabelInputs& into) {
  std::vector<std::uint32_t> uts_pids;
  std::vector<ContainerId> uts_owner;
  for (ContainerId id : ids) {
    const Container* c = tree.find(id);
    if (!c || id == kRootId || c->members.empty())
      continue;
    std::uint32_t pid = c->members.front();
    if (tree.new_ns_mask(id) & (1U << NSG_NS_UTS)) {
      uts_pids.push_back(pid);
      uts_owner.push_back(id);
    }
    if (auto rid = scanner.runtime_id(pid))
      into.runtime_id[id] = *rid;
  }
  if (!into.hostname.count(kRootId)) {
    uts_pids.push_back(2);  // kthreadd: always in the initial namespaces
    uts_owner.push_back(kRootId);
  }
  auto names = scanner.hostnames(uts_pids);
  for (std::size_t i = 0; i < uts_pids.size(); ++i) {
    auto it = names.find(uts_pids[i]);
    if (it != names.end())
      into.hostname[uts_owner[i]] = it->second;
  }
}

void gather_labels(const Tree& tree, const std::vector<ProcInfo>& procs,
                   std::span<const ContainerId> ids, LabelInputs& into) {
  std::unordered_map<std::uint32_t, const ProcInfo*> by_pid;
  by_pid.reserve(procs.size());
  for (const ProcInfo& p : procs)
    by_pid.emplace(p.pid, &p);
  auto info = [&](std::uint32_t pid) -> const ProcInfo* {
    auto it = by_pid.find(pid);
    return it == by_pid.end() ? nullptr : it->second;
  };
  for (ContainerId id : ids) {
    const Container* c = tree.find(id);
    if (!c || id == kRootId || c->members.empty())
      continue;
    const ProcInfo* p = info(c->members.front());
    if (!p)
      continue;  // gone since: the next scan has it
    if (tree.new_ns_mask(id) & (1U << NSG_NS_UTS))
      into.hostname[id] = p->hostname;
    if (auto rid = runtime_id_from_cgroup(p->cgroup_leaf))
      into.runtime_id[id] = *rid;
  }
  // kthreadd: always in the initial namespaces.
  if (const ProcInfo* k = info(2); k && !into.hostname.count(kRootId))
    into.hostname[kRootId] = k->hostname;
}

LabelInputs gather_labels(const Tree& tree, Scanner& scanner,
                          const std::vector<PinnedNs>& pins) {
  LabelInputs in;
  in.pins = pins;
  std::vector<ContainerId> ids;
  ids.reserve(tree.container_count());
  tree.visit(kRootId, [&](const Container& c, int) { ids.push_back(c.id); });
  gather_labels(tree, scanner, ids, in);
  return in;
}

}  // namespace nsgroup
