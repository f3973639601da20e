// Reconciling the tree with a scan of every process: the bootstrap, and
// the repair after lost records. Parents of containers no event made come
// from the ppid rule (docs/design.md, "Parents").
#include <algorithm>
#include <tuple>

#include "core/tree.h"

namespace nsgroup {

namespace {

// Guards ppid walks against malformed snapshots (cycles).
constexpr int kMaxWalk = 4096;

}  // namespace

ContainerId Tree::scan_parent(const ProcInfo& p, const ByPid& by_pid, const NsKey& own,
                              int depth, Delta& delta) {
  std::uint32_t next = p.ppid;
  for (int steps = 0; steps < kMaxWalk; ++steps) {
    auto it = by_pid.find(next);
    if (it == by_pid.end())
      return pinned_parent(own);  // no readable ancestor with another set
    const ProcInfo& a = *it->second;
    NsKey akey = key_of(a.ns);
    if (akey != own) {
      if (depth > kMaxWalk / 64)
        return kRootId;
      ContainerId parent = place_scanned(a, akey, by_pid, depth + 1, delta);
      // Below the root, a set that holds a pinned namespace goes below the
      // pinned one's container (where `ip netns exec` would put it).
      return parent == kRootId ? pinned_parent(own) : parent;
    }
    next = a.ppid;
  }
  return pinned_parent(own);
}

ContainerId Tree::pinned_parent(const NsKey& own) const {
  const NsKey& root = find(kRootId)->key;
  ContainerId best = kRootId;
  int best_depth = 0;
  for (ContainerId id : scan_pins_) {
    const Container* c = find(id);
    if (!c || c->key == own)
      continue;
    int shared = 0;
    bool inside = true;
    for (std::size_t i = 0; i < kNsCount && inside; ++i) {
      if (c->key[i] == root[i])
        continue;
      inside = own[i] == c->key[i];
      ++shared;
    }
    if (inside && shared > best_depth) {
      best = id;
      best_depth = shared;
    }
  }
  return best;
}

ContainerId Tree::place_scanned(const ProcInfo& p, const NsKey& key, const ByPid& by_pid,
                                int depth, Delta& delta) {
  if (auto it = by_key_.find(key); it != by_key_.end())
    return it->second;
  ContainerId parent = scan_parent(p, by_pid, key, depth, delta);
  // The walk may have created this very set on the way (a cycle of sets).
  if (auto it = by_key_.find(key); it != by_key_.end())
    return it->second;
  ContainerId id = create(p.ns, key, parent, std::nullopt, p.comm, delta);
  mark_empty(id);  // made for an ancestor: may stay memberless
  return id;
}

void Tree::synthesize_pinned(const std::vector<PinnedNs>& pins, Delta& delta) {
  scan_pins_.clear();
  const Container& root = *find(kRootId);
  for (const PinnedNs& pin : pins) {
    NsSet s = root.ns;
    bool differs = false;
    for (std::size_t slot : ns_slots_of(pin.type)) {
      differs = differs || slot_key(slot, pin.inum, pin.id) != root.key[slot];
      s.inum[slot] = pin.inum;
      s.id[slot] = pin.id;
    }
    if (!differs)
      continue;
    // Made whether or not a process is inside a deeper set that holds the
    // namespace (ip netns exec's sleep, with a mount namespace of its own):
    // when that process goes, the pinned namespace stays.
    NsKey key = key_of(s);
    ContainerId id;
    if (auto it = by_key_.find(key); it != by_key_.end()) {
      id = it->second;
    } else {
      id = create(s, key, kRootId, std::nullopt, "", delta);
      mark_empty(id);
    }
    scan_pins_.push_back(id);
  }
}

void Tree::reconcile(const Snapshot& snap, Delta& delta) {
  unreadable_.clear();
  ByPid by_pid;
  std::vector<const ProcInfo*> order;
  for (const ProcInfo& p : snap.procs) {
    if (!p.readable) {
      unreadable_.push_back(p.pid);
      continue;
    }
    by_pid[p.pid] = &p;
    if (!p.partial)  // present, so not stale; but not placed on half a set
      order.push_back(&p);
  }
  std::sort(unreadable_.begin(), unreadable_.end());

  // Members that are gone, or whose pid now names another process.
  std::vector<std::uint32_t> stale;
  for (const auto& [pid, proc] : procs_) {
    auto it = by_pid.find(pid);
    if (it == by_pid.end() || it->second->start_ticks != proc.start_ticks)
      stale.push_back(pid);
  }
  for (auto pid : stale)
    remove_member(pid, kNoContainer, delta);

  // Pinned namespaces first: a set that holds one is placed below it.
  synthesize_pinned(snap.pins, delta);

  // Oldest first: the earliest member of a set decides its parent.
  std::sort(order.begin(), order.end(), [](const ProcInfo* a, const ProcInfo* b) {
    return std::tie(a->start_ticks, a->pid) < std::tie(b->start_ticks, b->pid);
  });
  const NsKey root_key = find(kRootId)->key;
  for (const ProcInfo* p : order) {
    NsSet ns = p->ns;
    auto known = procs_.find(p->pid);
    if (p->missing_mask != 0 && known != procs_.end() &&
        known->second.start_ticks == p->start_ticks) {
      // A link that reads as nothing: keep what events told us, when the
      // rest of the set agrees.
      const NsSet& have = get(known->second.container).ns;
      bool rest_equal = true;
      for (std::size_t i = 0; i < kNsCount; ++i)
        if (!(p->missing_mask & (1U << i)) &&
            (have.inum[i] != ns.inum[i] || have.id[i] != ns.id[i]))
          rest_equal = false;
      if (rest_equal)
        ns = have;
    }
    NsKey key = key_of(ns);
    if (key == root_key) {
      remove_member(p->pid, kRootId, delta);
      continue;
    }
    if (known != procs_.end() && known->second.start_ticks == p->start_ticks &&
        get(known->second.container).key == key)
      continue;
    ProcInfo filled = *p;
    filled.ns = ns;
    ContainerId cid = place_scanned(filled, key, by_pid, 0, delta);
    add_member(cid, p->pid, p->start_ticks, delta);
    if (get(cid).first_comm.empty())
      get(cid).first_comm = p->comm;
  }
  scan_pins_.clear();
}

void keep_newer(Snapshot& snap, const Tree& tree, std::vector<std::uint32_t> touched) {
  if (touched.empty())
    return;
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  std::vector<bool> seen(touched.size(), false);
  for (ProcInfo& p : snap.procs) {
    auto it = std::lower_bound(touched.begin(), touched.end(), p.pid);
    if (it == touched.end() || *it != p.pid)
      continue;
    seen[static_cast<std::size_t>(it - touched.begin())] = true;
    p.partial = true;
    auto member = tree.processes().find(p.pid);
    if (member != tree.processes().end()) {
      p.readable = true;
      p.start_ticks = member->second.start_ticks;
    }
  }
  for (std::size_t i = 0; i < touched.size(); ++i) {
    auto member = tree.processes().find(touched[i]);
    if (seen[i] || member == tree.processes().end())
      continue;
    ProcInfo& p = snap.procs.emplace_back();
    p.pid = touched[i];
    p.start_ticks = member->second.start_ticks;
    p.partial = true;
  }
}

}  // namespace nsgroup
