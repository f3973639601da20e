// The container model. Everything here is deterministic and I/O-free; the
// daemon feeds it events and snapshots, the tests feed it synthetic ones.
#include "tree.h"

#include <algorithm>
#include <utility>

namespace nsgroup {

namespace {

constexpr std::uint64_t kInodeTag = 1ULL << 63;
// Deepest level a container gets (the root is 0). Deeper ones hang from
// the ancestor at this level: user namespaces nest 32 deep, UTS ones do
// not stop, and a path must stay a cgroup path and a short walk.
constexpr int kMaxDepth = 64;
// Guards ppid walks against malformed snapshots (cycles).
constexpr int kMaxWalk = 4096;

std::uint64_t gen_key(std::size_t slot, std::uint32_t inum) {
  return (static_cast<std::uint64_t>(ns_type_of(slot)) << 32) | inum;
}

std::string_view basename_of(std::string_view path) {
  auto pos = path.rfind('/');
  return pos == std::string_view::npos ? path : path.substr(pos + 1);
}

}  // namespace

std::size_t NsKeyHash::operator()(const NsKey& k) const noexcept {
  std::uint64_t h = 1469598103934665603ULL;
  for (auto v : k) {
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
  }
  return static_cast<std::size_t>(h);
}

void Tree::index_add(const Container& c) {
  for (std::size_t i = 0; i < kNsCount; ++i)
    by_slot_[{i, c.key[i]}].insert(c.id);
}

void Tree::index_remove(const Container& c) {
  for (std::size_t i = 0; i < kNsCount; ++i) {
    auto it = by_slot_.find({i, c.key[i]});
    if (it == by_slot_.end())
      continue;
    it->second.erase(c.id);
    if (it->second.empty())
      by_slot_.erase(it);
  }
}

const std::set<ContainerId>* Tree::holders(std::size_t slot,
                                           std::uint64_t value) const {
  auto it = by_slot_.find({slot, value});
  return it == by_slot_.end() ? nullptr : &it->second;
}

Tree::Tree(const NsSet& root_ns) {
  Container root;
  root.id = kRootId;
  root.name = std::string(kRootName);
  root.ns = root_ns;
  root.key = key_of(root_ns);
  by_key_[root.key] = kRootId;
  index_add(root);
  containers_.emplace(kRootId, std::move(root));
}

std::uint64_t Tree::slot_value(std::size_t slot, std::uint32_t inum,
                               std::uint64_t id) const {
  if (id != 0)
    return id;
  auto it = gen_.find(gen_key(slot, inum));
  std::uint64_t gen = it == gen_.end() ? 0 : it->second;
  return kInodeTag | (gen << 32) | inum;
}

NsKey Tree::key_of(const NsSet& s) const {
  NsKey k{};
  for (std::size_t i = 0; i < kNsCount; ++i)
    k[i] = slot_value(i, s.inum[i], s.id[i]);
  return k;
}

const Container* Tree::find(ContainerId id) const {
  auto it = containers_.find(id);
  return it == containers_.end() ? nullptr : &it->second;
}

ContainerId Tree::container_of(std::uint32_t pid) const {
  auto it = procs_.find(pid);
  return it == procs_.end() ? kRootId : it->second.container;
}

std::string Tree::path(ContainerId id) const {
  std::vector<const std::string*> names;
  for (const Container* c = find(id); c; c = find(c->parent))
    names.push_back(&c->name);
  std::string out;
  for (auto it = names.rbegin(); it != names.rend(); ++it) {
    out.push_back('/');
    out.append(**it);
  }
  return out;
}

std::optional<ContainerId> Tree::find_path(std::string_view p) const {
  if (p.empty() || p.front() != '/')
    return std::nullopt;
  p.remove_prefix(1);
  while (!p.empty() && p.back() == '/')
    p.remove_suffix(1);
  auto next = [&p]() {
    auto pos = p.find('/');
    std::string_view part = p.substr(0, pos);
    p = pos == std::string_view::npos ? std::string_view{} : p.substr(pos + 1);
    return part;
  };
  if (next() != kRootName)
    return std::nullopt;
  ContainerId cur = kRootId;
  while (!p.empty()) {
    std::string_view part = next();
    const Container& c = *find(cur);
    auto child = std::find_if(c.children.begin(), c.children.end(),
                              [&](ContainerId id) { return find(id)->name == part; });
    if (child == c.children.end())
      return std::nullopt;
    cur = *child;
  }
  return cur;
}

bool Tree::is_within(ContainerId inner, ContainerId outer) const {
  for (const Container* c = find(inner); c; c = find(c->parent))
    if (c->id == outer)
      return true;
  return false;
}

std::uint32_t Tree::new_ns_mask(ContainerId id) const {
  const Container* c = find(id);
  if (!c || c->parent == 0)
    return 0;
  const Container* p = find(c->parent);
  std::uint32_t mask = 0;
  for (std::size_t i = 0; i < kNsCount; ++i)
    if (c->key[i] != p->key[i])
      mask |= 1U << i;
  return mask;
}

std::vector<Share> Tree::shares(ContainerId id) const {
  std::vector<Share> out;
  const Container* c = find(id);
  if (!c)
    return out;
  std::uint32_t mask = new_ns_mask(id);
  for (std::size_t i = 0; i < kNsCount; ++i) {
    if (!(mask & (1U << i)))
      continue;
    if (const auto* hs = holders(i, c->key[i])) {
      for (ContainerId oid : *hs) {
        if (!is_within(oid, id)) {
          out.push_back({i, oid});
          break;
        }
      }
    }
  }
  return out;
}

void Tree::visit(ContainerId from,
                 const std::function<void(const Container&, int)>& fn) const {
  std::vector<std::pair<ContainerId, int>> stack{{from, 0}};
  while (!stack.empty()) {
    auto [id, depth] = stack.back();
    stack.pop_back();
    const Container* c = find(id);
    if (!c)
      continue;
    fn(*c, depth);
    for (auto it = c->children.rbegin(); it != c->children.rend(); ++it)
      stack.emplace_back(*it, depth + 1);
  }
}

ContainerId Tree::create(const NsSet& ns, const NsKey& key, ContainerId parent,
                         std::optional<Creation> created,
                         std::string_view comm) {
  std::vector<ContainerId> chain;
  for (const Container* p = find(parent); p; p = find(p->parent))
    chain.push_back(p->id);
  if (chain.size() > kMaxDepth)
    parent = chain[chain.size() - kMaxDepth];
  Container c;
  c.id = next_id_++;
  c.name = "container_" + std::to_string(c.id);
  c.parent = parent;
  c.ns = ns;
  c.key = key;
  c.created = std::move(created);
  c.first_comm = std::string(comm);
  get(parent).children.insert(c.id);
  by_key_[key] = c.id;
  index_add(c);
  changes_.containers.insert(c.id);
  ContainerId id = c.id;
  containers_.emplace(id, std::move(c));
  return id;
}

void Tree::add_member(ContainerId cid, std::uint32_t pid, std::uint64_t start) {
  auto it = procs_.find(pid);
  if (it != procs_.end()) {
    if (it->second.container == cid) {
      it->second.start_ticks = start;
      return;
    }
    remove_member(pid);
  }
  get(cid).members.insert(pid);
  get(cid).pinned = false;
  pinned_.erase(cid);
  procs_[pid] = Process{pid, start, cid};
  changes_.members.insert(pid);
  changes_.to_root.erase(pid);
}

void Tree::remove_member(std::uint32_t pid) {
  auto it = procs_.find(pid);
  if (it == procs_.end())
    return;
  Container& c = get(it->second.container);
  c.members.erase(pid);
  if (c.members.empty())
    empty_.insert(c.id);
  changes_.members.insert(pid);
  procs_.erase(it);
}

void Tree::bump_created(const Event& e) {
  // Slots whose namespace this event created. A clone's child entering
  // its parent's pid_for_children (or time_for_children) creates nothing.
  std::uint32_t mask = e.changed_mask();
  if (e.kind == EventKind::Clone) {
    if (e.after.inum[NSG_NS_PID] == e.before.inum[NSG_NS_PID_FOR_CHILDREN] &&
        e.after.id[NSG_NS_PID] == e.before.id[NSG_NS_PID_FOR_CHILDREN])
      mask &= ~(1U << NSG_NS_PID);
    if (e.after.inum[NSG_NS_TIME] == e.before.inum[NSG_NS_TIME_FOR_CHILDREN] &&
        e.after.id[NSG_NS_TIME] == e.before.id[NSG_NS_TIME_FOR_CHILDREN])
      mask &= ~(1U << NSG_NS_TIME);
  }
  std::set<std::uint64_t> bumped;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    if (!(mask & (1U << i)) || e.after.id[i] != 0 || e.after.inum[i] == 0)
      continue;
    std::uint64_t k = gen_key(i, e.after.inum[i]);
    if (!bumped.insert(k).second)
      continue;
    // Only a reuse needs a new generation: an inode some container holds.
    std::uint64_t current = slot_value(i, e.after.inum[i], 0);
    bool known = false;
    for (std::size_t s : ns_slots_of(ns_type_of(i)))
      known = known || holders(s, current) != nullptr;
    if (known)
      ++gen_[k];
  }
}

ApplyResult Tree::move_subject(const Event& e) {
  ApplyResult r;
  const NsKey before = key_of(e.before);
  const NsKey after = key_of(e.after);
  const std::uint32_t creator = e.kind == EventKind::Clone ? e.ppid : e.pid;

  if (auto it = by_key_.find(before); it != by_key_.end())
    r.from = it->second;
  else
    r.from = container_of(creator);

  // A thread other than the leader changes only itself; /proc/PID/ns and
  // therefore the process's container follow the leader.
  if (e.kind != EventKind::Clone && e.tid != e.pid) {
    r.container = container_of(e.pid);
    r.in_root = r.container == kRootId;
    return r;
  }

  if (auto it = by_key_.find(after); it != by_key_.end()) {
    r.container = it->second;
  } else {
    Creation how;
    how.pid = e.pid;
    how.comm = e.comm;
    how.kind = e.kind;
    how.via = e.syscall;
    how.flags = e.flags;
    how.ts_boot_ns = e.ts_boot_ns;
    r.container = create(e.after, after, r.from, std::move(how), e.comm);
    r.created = true;
  }
  if (r.container == kRootId) {
    if (is_member(e.pid))
      changes_.to_root.insert(e.pid);
    remove_member(e.pid);
    r.in_root = true;
  } else {
    add_member(r.container, e.pid, e.start_ticks);
  }
  return r;
}

ApplyResult Tree::apply(const Event& e) {
  ApplyResult r;
  switch (e.kind) {
  case EventKind::Clone:
  case EventKind::Unshare:
    bump_created(e);
    return move_subject(e);
  case EventKind::Setns:
    return move_subject(e);
  case EventKind::Fork: {
    auto parent = procs_.find(e.ppid);
    if (parent == procs_.end()) {
      // A fork of a process the tree places at the root: it stays there.
      remove_member(e.pid);
      r.container = kRootId;
      r.in_root = true;
      return r;
    }
    r.container = parent->second.container;
    r.from = r.container;
    add_member(r.container, e.pid, e.start_ticks);
    return r;
  }
  case EventKind::Exit: {
    auto it = procs_.find(e.pid);
    r.container = container_of(e.pid);
    // An exit older than the member we know is a reordered record.
    if (it != procs_.end() && e.start_ticks >= it->second.start_ticks)
      remove_member(e.pid);
    r.in_root = r.container == kRootId;
    return r;
  }
  case EventKind::Denied:
    r.container = container_of(e.pid);
    r.from = r.container;
    r.in_root = r.container == kRootId;
    return r;
  case EventKind::Lost:
  case EventKind::ContainerRemoved: return r;
  }
  return r;
}

ContainerId Tree::scan_parent(
    const ProcInfo& p,
    const std::unordered_map<std::uint32_t, const ProcInfo*>& by_pid,
    const NsKey& own, int depth) {
  std::uint32_t next = p.ppid;
  for (int steps = 0; steps < kMaxWalk; ++steps) {
    auto it = by_pid.find(next);
    if (it == by_pid.end())
      return kRootId;  // no readable ancestor with another set
    const ProcInfo& a = *it->second;
    NsKey akey = key_of(a.ns);
    if (akey != own) {
      if (depth > kMaxWalk / 64)
        return kRootId;
      return place_scanned(a, akey, by_pid, depth + 1);
    }
    next = a.ppid;
  }
  return kRootId;
}

ContainerId Tree::place_scanned(
    const ProcInfo& p, const NsKey& key,
    const std::unordered_map<std::uint32_t, const ProcInfo*>& by_pid,
    int depth) {
  if (auto it = by_key_.find(key); it != by_key_.end())
    return it->second;
  ContainerId parent = scan_parent(p, by_pid, key, depth);
  // The walk may have created this very set on the way (a cycle of sets).
  if (auto it = by_key_.find(key); it != by_key_.end())
    return it->second;
  ContainerId id = create(p.ns, key, parent, std::nullopt, p.comm);
  empty_.insert(id);  // made for an ancestor: may stay memberless
  return id;
}

void Tree::synthesize_pinned(const std::vector<PinnedNs>& pins) {
  const Container& root = *find(kRootId);
  for (const PinnedNs& pin : pins) {
    NsSet s = root.ns;
    bool differs = false;
    bool held = false;
    for (std::size_t slot : ns_slots_of(pin.type)) {
      std::uint64_t v = slot_value(slot, pin.inum, pin.id);
      differs = differs || v != root.key[slot];
      held = held || holders(slot, v) != nullptr;
      s.inum[slot] = pin.inum;
      s.id[slot] = pin.id;
    }
    if (!differs || held)
      continue;
    ContainerId id = create(s, key_of(s), kRootId, std::nullopt, "");
    empty_.insert(id);
  }
}

ReconcileResult Tree::reconcile(const Snapshot& snap) {
  ReconcileResult result;
  unreadable_.clear();
  std::unordered_map<std::uint32_t, const ProcInfo*> by_pid;
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
    remove_member(pid);

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
      if (known != procs_.end())
        changes_.to_root.insert(p->pid);
      remove_member(p->pid);
      continue;
    }
    if (known != procs_.end() && known->second.start_ticks == p->start_ticks &&
        get(known->second.container).key == key)
      continue;
    ProcInfo filled = *p;
    filled.ns = ns;
    ContainerId cid = place_scanned(filled, key, by_pid, 0);
    add_member(cid, p->pid, p->start_ticks);
    result.placed.push_back(p->pid);
    if (get(cid).first_comm.empty())
      get(cid).first_comm = p->comm;
  }
  synthesize_pinned(snap.pins);
  return result;
}

std::vector<Removed> Tree::collect_garbage(const std::vector<PinnedNs>& pins,
                                           bool recheck_pinned) {
  std::set<std::pair<std::size_t, std::uint64_t>> pinned;
  for (const PinnedNs& pin : pins)
    for (std::size_t slot : ns_slots_of(pin.type))
      pinned.emplace(slot, slot_value(slot, pin.inum, pin.id));

  // Deepest first: every memberless leaf of a level goes before the level
  // itself is looked at, so a chain (or a fan of thousands of dead
  // siblings) is collected in one linear pass.
  auto depth = [&](ContainerId id) {
    int d = 0;
    for (const Container* c = find(id); c && c->parent; c = find(c->parent))
      ++d;
    return d;
  };
  std::set<std::pair<int, ContainerId>, std::greater<>> work;
  for (ContainerId id : empty_)
    work.emplace(depth(id), id);
  if (recheck_pinned)
    for (ContainerId id : pinned_)
      work.emplace(depth(id), id);
  empty_.clear();
  std::vector<Removed> removed;
  while (!work.empty()) {
    auto [level, id] = *work.begin();
    work.erase(work.begin());
    auto it = containers_.find(id);
    if (id == kRootId || it == containers_.end())
      continue;
    Container& c = it->second;
    if (!c.members.empty()) {
      c.pinned = false;
      pinned_.erase(id);
      continue;
    }
    std::uint32_t mask = new_ns_mask(id);
    bool all_pinned = mask != 0;
    for (std::size_t i = 0; i < kNsCount && all_pinned; ++i)
      if ((mask & (1U << i)) && !pinned.count({i, c.key[i]}))
        all_pinned = false;
    if (all_pinned) {
      c.pinned = c.children.empty();
      pinned_.insert(id);
      continue;
    }
    removed.push_back({id, path(id)});
    ContainerId parent = c.parent;
    Container& p = get(parent);
    p.children.erase(id);
    // Children move up: their paths change, their names stay unique.
    for (ContainerId child : c.children) {
      Container& ch = get(child);
      ch.parent = parent;
      ch.name = unique_child_name(parent, ch.name, child);
      p.children.insert(child);
      touch_subtree(child);
    }
    if (auto k = by_key_.find(c.key); k != by_key_.end() && k->second == id)
      by_key_.erase(k);
    index_remove(c);
    pinned_.erase(id);
    changes_.containers.insert(id);
    containers_.erase(it);
    if (parent != kRootId)
      work.emplace(level - 1, parent);
  }
  return removed;
}

void Tree::touch_subtree(ContainerId id) {
  visit(id, [&](const Container& c, int) { changes_.containers.insert(c.id); });
}

std::string Tree::unique_child_name(ContainerId parent, const std::string& name,
                                    ContainerId id) const {
  // container_<own id> is unique by construction: the counter never
  // repeats and rename refuses names of that form.
  if (name == "container_" + std::to_string(id))
    return name;
  auto taken = [&](const std::string& n) {
    for (ContainerId sib : find(parent)->children)
      if (sib != id && find(sib)->name == n)
        return true;
    return false;
  };
  if (!taken(name))
    return name;
  std::string alt = name + "-" + std::to_string(id);
  return alt.size() <= 64 ? alt : "container_" + std::to_string(id);
}

bool path_within(std::string_view path, std::string_view dir) {
  if (dir == "/")
    return !path.empty() && path[0] == '/';
  return path == dir || (path.size() > dir.size() && path.substr(0, dir.size()) == dir &&
                         path[dir.size()] == '/');
}

std::string check_name(std::string_view name) {
  if (name.empty())
    return "a name cannot be empty";
  if (name.size() > 64)
    return "a name is at most 64 bytes";
  if (name.find('.') != std::string_view::npos)
    return "a name cannot contain '.' (cgroup interface files are named so)";
  for (char ch : name) {
    if (ch == '/')
      return "a name cannot contain '/'";
    if (ch == '\0')
      return "a name cannot contain NUL";
    if (static_cast<unsigned char>(ch) < 0x20 || ch == 0x7f)
      return "a name cannot contain control characters";
  }
  if (name.substr(0, 10) == "container_" && name.size() > 10 &&
      name.find_first_not_of("0123456789", 10) == std::string_view::npos)
    return "names of the form container_N are the counter's";
  return "";
}

std::string Tree::rename(ContainerId id, std::string_view name) {
  auto it = containers_.find(id);
  if (it == containers_.end())
    return "no such container";
  if (id == kRootId)
    return "the root container cannot be renamed";
  Container& c = it->second;
  if (c.name == name)
    return "";
  if (std::string why = check_name(name); !why.empty())
    return why;
  for (ContainerId sib : get(c.parent).children)
    if (sib != id && find(sib)->name == name)
      return "a sibling is already named '" + std::string(name) + "'";
  c.name = std::string(name);
  touch_subtree(id);
  return "";
}

std::size_t Tree::restore(const std::vector<RestoredContainer>& dirs) {
  // Parents first: a parent's id is smaller only by convention, so order
  // by walking the given parent links.
  std::map<ContainerId, const RestoredContainer*> by_id;
  for (const auto& d : dirs) {
    // Every id seen stays used, even one whose directory is dropped.
    next_id_ = std::max(next_id_, d.id + 1);
    if (d.id > kRootId)
      by_id.emplace(d.id, &d);
  }
  std::size_t taken = 0;
  std::function<bool(ContainerId, int)> place = [&](ContainerId id, int depth) {
    if (containers_.count(id))
      return true;
    auto it = by_id.find(id);
    if (it == by_id.end() || depth > 256)
      return false;
    const RestoredContainer& d = *it->second;
    ContainerId parent = d.parent <= kRootId ? kRootId : d.parent;
    if (!place(parent, depth + 1))
      parent = kRootId;
    NsKey key = key_of(d.ns);
    if (by_key_.count(key))
      return false;  // the same set twice: the first one wins
    Container c;
    c.id = d.id;
    c.name = unique_child_name(parent, d.name, d.id);
    c.parent = parent;
    c.ns = d.ns;
    c.key = key;
    c.created = d.created;
    get(parent).children.insert(c.id);
    by_key_[key] = c.id;
    index_add(c);
    changes_.containers.insert(c.id);
    empty_.insert(c.id);
    containers_.emplace(c.id, std::move(c));
    next_id_ = std::max(next_id_, d.id + 1);
    ++taken;
    return true;
  };
  for (const auto& [id, d] : by_id)
    place(id, 0);
  return taken;
}

TreeChanges Tree::take_changes() {
  TreeChanges out;
  std::swap(out, changes_);
  return out;
}

void Tree::refresh_labels(const LabelContext& ctx) {
  std::map<std::pair<std::size_t, std::uint64_t>, std::string_view> mounts;
  for (const PinnedNs& pin : ctx.pins)
    for (std::size_t slot : ns_slots_of(pin.type))
      mounts.emplace(std::make_pair(slot, slot_value(slot, pin.inum, pin.id)),
                     pin.mountpoint);
  auto host = [&](ContainerId id) -> const std::string* {
    auto it = ctx.hostname.find(id);
    return it == ctx.hostname.end() ? nullptr : &it->second;
  };

  for (auto& [id, c] : containers_) {
    if (id == kRootId)
      continue;
    const Container& parent = *find(c.parent);
    std::uint32_t mask = new_ns_mask(id);
    std::optional<std::string> label;

    // The parent's hostname: its own if known, else up the chain.
    const std::string* parent_host = nullptr;
    for (const Container* p = &parent; p && !parent_host; p = find(p->parent))
      parent_host = host(p->id);
    if ((mask & (1U << NSG_NS_UTS)) && host(id) &&
        (!parent_host || *parent_host != *host(id)))
      label = "hostname:" + *host(id);

    for (std::size_t i = 0; i < kNsCount && !label; ++i) {
      if (!(mask & (1U << i)))
        continue;
      auto m = mounts.find({i, c.key[i]});
      if (m == mounts.end())
        continue;
      std::string_view mp = m->second;
      std::string_view dir = mp.substr(0, mp.size() - basename_of(mp).size());
      if (i == NSG_NS_NET && (dir == "/run/netns/" || dir == "/var/run/netns/"))
        label = "ip-netns:" + std::string(basename_of(mp));
      else
        label = "nsfs:" + std::string(mp);
    }
    if (!label) {
      if (auto r = ctx.runtime_id.find(id); r != ctx.runtime_id.end())
        label = "runtime:" + r->second;
    }
    if (!label) {
      if (c.created && !c.created->comm.empty())
        label = "comm:" + c.created->comm;
      else if (!c.first_comm.empty())
        label = "comm:" + c.first_comm;
    }
    c.label = std::move(label);
  }
}

}  // namespace nsgroup
