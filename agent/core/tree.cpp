// The container model: identities, lookups, and events. Deterministic and
// I/O-free; the daemon feeds it events, the tests feed it synthetic ones.
// Scans are in tree_scan.cpp, removal and renaming in tree_gc.cpp.
#include "core/tree.h"

#include <algorithm>
#include <unordered_set>
#include <utility>

namespace nsgroup {

namespace {

constexpr std::uint64_t kInodeTag = 1ULL << 63;
// Deepest level a container gets (the root is 0). Deeper ones hang from
// the ancestor at this level: user namespaces nest 32 deep, UTS ones do
// not stop, and a path must stay a cgroup path and a short walk.
constexpr std::size_t kMaxDepth = 64;

std::uint64_t gen_key(std::size_t slot, std::uint32_t inum) {
  return (static_cast<std::uint64_t>(ns_type_of(slot)) << 32) | inum;
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
    ++holders_[{i, c.key[i]}];
}

void Tree::index_remove(const Container& c) {
  for (std::size_t i = 0; i < kNsCount; ++i) {
    auto it = holders_.find({i, c.key[i]});
    if (it != holders_.end() && --it->second == 0)
      holders_.erase(it);
  }
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

std::uint64_t Tree::slot_key(std::size_t slot, std::uint32_t inum,
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
    k[i] = slot_key(i, s.inum[i], s.id[i]);
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

ShareIndex Tree::share_index() const {
  ShareIndex index;
  for (const auto& [id, c] : containers_)
    for (std::size_t i = 0; i < kNsCount; ++i)
      index[{i, c.key[i]}].push_back(id);
  for (auto& [slot, ids] : index)
    std::sort(ids.begin(), ids.end());
  return index;
}

std::vector<Share> Tree::shares(ContainerId id, const ShareIndex& index) const {
  std::vector<Share> out;
  const Container* c = find(id);
  if (!c)
    return out;
  std::uint32_t mask = new_ns_mask(id);
  for (std::size_t i = 0; i < kNsCount; ++i) {
    if (!(mask & (1U << i)))
      continue;
    auto hs = index.find({i, c->key[i]});
    if (hs == index.end())
      continue;
    for (ContainerId oid : hs->second) {
      if (!is_within(oid, id)) {
        out.push_back({i, oid});
        break;
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
                         std::optional<Creation> created, std::string_view comm,
                         Delta& delta) {
  // Too deep: hang it from the ancestor at the deepest level allowed.
  while (get(parent).depth + 1 > kMaxDepth)
    parent = get(parent).parent;
  Container c;
  c.depth = get(parent).depth + 1;
  c.id = next_id_++;
  c.name = "container_" + std::to_string(c.id);
  c.parent = parent;
  c.ns = ns;
  c.key = key;
  c.created = std::move(created);
  c.first_comm = std::string(comm);
  get(parent).children.push_back(c.id);  // the newest id: still ascending
  by_key_[key] = c.id;
  index_add(c);
  ContainerId id = c.id;
  containers_.emplace(id, std::move(c));
  delta.made.push_back(id);
  return id;
}

void Tree::add_member(ContainerId cid, std::uint32_t pid, std::uint64_t start,
                      Delta& delta) {
  ContainerId from = kRootId;
  if (auto it = procs_.find(pid); it != procs_.end()) {
    if (it->second.container == cid) {
      it->second.start_ticks = start;
      return;
    }
    from = it->second.container;
    unlink_member(pid, it->second);
  }
  Container& c = get(cid);
  procs_[pid] = Process{start, cid, static_cast<std::uint32_t>(c.members.size())};
  c.members.push_back(pid);
  c.pinned = false;
  if (!pinned_.empty())
    pinned_.erase(cid);
  delta.pids.push_back({pid, from, cid, start});
}

void Tree::unlink_member(std::uint32_t pid, const Process& p) {
  // Swap with the last member: O(1), and the moved one learns its slot.
  Container& c = get(p.container);
  std::uint32_t last = c.members.back();
  c.members[p.slot] = last;
  c.members.pop_back();
  if (last != pid)
    procs_[last].slot = p.slot;
  if (c.members.empty())
    mark_empty(c.id);
}

void Tree::remove_member(std::uint32_t pid, ContainerId to, Delta& delta) {
  auto it = procs_.find(pid);
  if (it == procs_.end())
    return;
  ContainerId from = it->second.container;
  unlink_member(pid, it->second);
  delta.pids.push_back({pid, from, to, it->second.start_ticks});
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
  std::array<std::uint64_t, kNsCount> bumped{};
  std::size_t nbumped = 0;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    if (!(mask & (1U << i)) || e.after.id[i] != 0 || e.after.inum[i] == 0)
      continue;
    std::uint64_t k = gen_key(i, e.after.inum[i]);
    if (std::find(bumped.begin(), bumped.begin() + nbumped, k) != bumped.begin() + nbumped)
      continue;
    bumped[nbumped++] = k;
    // Only a reuse needs a new generation: an inode some container holds.
    std::uint64_t current = slot_key(i, e.after.inum[i], 0);
    bool known = false;
    for (std::size_t s : ns_slots_of(ns_type_of(i)))
      known = known || held(s, current);
    if (known)
      ++gen_[k];
  }
}

ApplyResult Tree::move_subject(const Event& e, Delta& delta) {
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
    r.container = create(e.after, after, r.from, std::move(how), e.comm, delta);
    r.created = true;
  }
  if (r.container == kRootId)
    remove_member(e.pid, kRootId, delta);
  else
    add_member(r.container, e.pid, e.start_ticks, delta);
  return r;
}

ApplyResult Tree::apply(const Event& e, Delta& delta) {
  ApplyResult r;
  switch (e.kind) {
  case EventKind::Clone:
  case EventKind::Unshare:
    bump_created(e);
    return move_subject(e, delta);
  case EventKind::Setns:
    return move_subject(e, delta);
  case EventKind::Fork: {
    auto parent = procs_.find(e.ppid);
    if (parent == procs_.end()) {
      // A fork of a process the tree places at the root: it stays there
      // (a member known under this pid was an earlier process).
      remove_member(e.pid, kNoContainer, delta);
      r.container = kRootId;
      return r;
    }
    r.container = parent->second.container;
    r.from = r.container;
    add_member(r.container, e.pid, e.start_ticks, delta);
    return r;
  }
  case EventKind::Exit: {
    auto it = procs_.find(e.pid);
    r.container = container_of(e.pid);
    // An exit older than the member we know is a reordered record.
    if (it != procs_.end() && e.start_ticks >= it->second.start_ticks)
      remove_member(e.pid, kNoContainer, delta);
    return r;
  }
  case EventKind::Denied:
    r.container = container_of(e.pid);
    r.from = r.container;
    return r;
  case EventKind::Lost:
  case EventKind::Suppressed:
  case EventKind::ContainerRemoved: return r;
  }
  return r;
}

void Tree::set_label(ContainerId id, std::optional<std::string> label) {
  if (auto it = containers_.find(id); it != containers_.end())
    it->second.label = std::move(label);
}

void Tree::set_runtime(ContainerId id, std::optional<RuntimeInfo> runtime) {
  if (auto it = containers_.find(id); it != containers_.end())
    it->second.runtime = std::move(runtime);
}

std::vector<std::uint32_t> root_members(const Tree& tree,
                                        const std::vector<std::uint32_t>& live) {
  std::unordered_set<std::uint32_t> skip(tree.unreadable().begin(),
                                         tree.unreadable().end());
  std::vector<std::uint32_t> out;
  for (auto pid : live)
    if (!tree.is_member(pid) && !skip.count(pid))
      out.push_back(pid);
  std::sort(out.begin(), out.end());
  return out;
}

bool path_within(std::string_view path, std::string_view dir) {
  if (dir == "/")
    return !path.empty() && path[0] == '/';
  return path == dir || (path.size() > dir.size() && path.substr(0, dir.size()) == dir &&
                         path[dir.size()] == '/');
}

}  // namespace nsgroup
