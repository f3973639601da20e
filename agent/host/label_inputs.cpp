// Label inputs, read from one member of each container.
#include "host/label_inputs.h"

#include <unordered_map>

#include "host/procfs.h"
#include "host/runtime_state.h"

namespace nsgroup {

namespace {

// At most this many /proc/PID/cgroup reads per gathering from a task
// iterator's scan (one per container whose cgroup leaf may be a runtime's,
// runtime.h); past it, the leaf alone is parsed.
constexpr std::size_t kMaxCgroupReads = 4096;

// The containers among ids whose cgroup named no runtime: one whose member
// a runc or crun state file names as its init. The state directories are
// read once, and only when some container is left to look up.
void add_state_runtimes(const Tree& tree, std::span<const ContainerId> ids,
                        const RuntimeStateDecoder& decode, LabelInputs& into) {
  std::optional<std::unordered_map<std::uint32_t, RuntimeState>> states;
  for (ContainerId id : ids) {
    const Container* c = tree.find(id);
    if (!c || id == kRootId || c->members.empty() || into.runtime_id.count(id))
      continue;
    if (!states)
      states = read_runtime_states(decode);
    if (states->empty())
      return;
    for (std::uint32_t pid : c->members) {
      auto it = states->find(pid);
      if (it == states->end())
        continue;
      // A pid the runtime's init had once and another process has now.
      auto proc = tree.processes().find(pid);
      if (it->second.start_ticks != 0 && proc != tree.processes().end() &&
          proc->second.start_ticks != 0 && proc->second.start_ticks != it->second.start_ticks)
        continue;
      into.runtime_id[id] = it->second.info;
      break;
    }
  }
}

}  // namespace

void gather_labels(const Tree& tree, Scanner& scanner, std::span<const ContainerId> ids,
                   LabelInputs& into, const RuntimeStateDecoder& states) {
  std::vector<std::uint32_t> uts_pids;
  std::vector<ContainerId> uts_owner;
  for (ContainerId id : ids) {
    into.runtime_id.erase(id);
    const Container* c = tree.find(id);
    if (!c || id == kRootId || c->members.empty())
      continue;
    std::uint32_t pid = c->members.front();
    if (tree.new_ns_mask(id) & (1U << NSG_NS_UTS)) {
      uts_pids.push_back(pid);
      uts_owner.push_back(id);
    }
    if (auto rt = scanner.runtime(pid))
      into.runtime_id[id] = std::move(*rt);
  }
  add_state_runtimes(tree, ids, states, into);
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
                   std::span<const ContainerId> ids, LabelInputs& into,
                   const RuntimeStateDecoder& states, const ProcFs& proc) {
  std::unordered_map<std::uint32_t, const ProcInfo*> by_pid;
  by_pid.reserve(procs.size());
  for (const ProcInfo& p : procs)
    by_pid.emplace(p.pid, &p);
  auto info = [&](std::uint32_t pid) -> const ProcInfo* {
    auto it = by_pid.find(pid);
    return it == by_pid.end() ? nullptr : it->second;
  };
  std::size_t cgroup_reads = 0;
  std::string text;
  for (ContainerId id : ids) {
    into.runtime_id.erase(id);
    const Container* c = tree.find(id);
    if (!c || id == kRootId || c->members.empty())
      continue;
    const ProcInfo* p = info(c->members.front());
    if (!p)
      continue;  // gone since: the next scan has it
    if (tree.new_ns_mask(id) & (1U << NSG_NS_UTS))
      into.hostname[id] = p->hostname;
    if (!leaf_may_be_runtimes(p->cgroup_leaf))
      continue;  // the cgroup v2 root, a mirror directory: no runtime's
    // The leaf is the last component only: a pod's uid is in the one
    // above, nspawn's machine two above (machine-NAME.scope/payload).
    std::optional<RuntimeInfo> rt =
        cgroup_reads++ < kMaxCgroupReads &&
                proc.read_into(p->pid, "cgroup", text)
            ? runtime_from_proc_cgroup(text)
            : runtime_from_cgroup(p->cgroup_leaf);
    if (rt)
      into.runtime_id[id] = std::move(*rt);
  }
  add_state_runtimes(tree, ids, states, into);
  // kthreadd: always in the initial namespaces.
  if (const ProcInfo* k = info(2); k && !into.hostname.count(kRootId))
    into.hostname[kRootId] = k->hostname;
}

LabelInputs gather_labels(const Tree& tree, Scanner& scanner,
                          const std::vector<PinnedNs>& pins,
                          const RuntimeStateDecoder& states) {
  LabelInputs in;
  in.pins = pins;
  std::vector<ContainerId> ids;
  ids.reserve(tree.container_count());
  tree.visit(kRootId, [&](const Container& c, int) { ids.push_back(c.id); });
  gather_labels(tree, scanner, ids, in, states);
  return in;
}

}  // namespace nsgroup
