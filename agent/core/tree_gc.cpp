// The tree's lifetime rules: removal of empty containers (docs/design.md,
// "Lifetime"), renaming, and taking back what a previous run wrote down.
#include <algorithm>
#include <functional>
#include <queue>

#include "core/tree.h"
#include "util/text.h"

namespace nsgroup {

void Tree::collect_garbage(const std::vector<PinnedNs>& pins, Delta& delta,
                           bool recheck_pinned, bool splice_only) {
  std::set<std::pair<std::size_t, std::uint64_t>> pinned;
  for (const PinnedNs& pin : pins)
    for (std::size_t slot : ns_slots_of(pin.type))
      pinned.emplace(slot, slot_key(slot, pin.inum, pin.id));

  // Deepest first: every memberless leaf of a level goes before the level
  // itself is looked at, so a chain (or a fan of thousands of dead
  // siblings) is collected in one linear pass.
  auto depth = [&](ContainerId id) {
    const Container* c = find(id);
    return c ? static_cast<int>(c->depth) : 0;
  };
  // Deepest first; an id may come twice (looked at again: harmless).
  std::priority_queue<std::pair<int, ContainerId>> work;
  for (ContainerId id : empty_)
    work.emplace(depth(id), id);
  if (recheck_pinned)
    for (ContainerId id : pinned_)
      work.emplace(depth(id), id);
  empty_.clear();
  std::vector<ContainerId> later;
  while (!work.empty()) {
    auto [level, id] = work.top();
    work.pop();
    auto it = containers_.find(id);
    if (id == kRootId || it == containers_.end())
      continue;
    Container& c = it->second;
    if (!c.members.empty()) {
      c.pinned = false;
      pinned_.erase(id);
      continue;
    }
    if (splice_only && c.children.empty()) {
      later.push_back(id);
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
    ContainerId parent = c.parent;
    remove_container(id, delta);
    if (parent != kRootId)
      work.emplace(level - 1, parent);
  }
  empty_ = std::move(later);
}

void Tree::remove_container(ContainerId id, Delta& delta) {
  Container& c = get(id);
  delta.removed.push_back({id, delta.want_paths ? path(id) : std::string()});
  ContainerId parent = c.parent;
  Container& p = get(parent);
  std::erase(p.children, id);
  // Children move up: their paths change, their names stay unique.
  for (ContainerId child : c.children) {
    Container& ch = get(child);
    ch.parent = parent;
    ch.name = unique_child_name(parent, ch.name, child);
    add_child(p, child);
    redepth(child);
    delta.moved.push_back(child);
  }
  if (auto k = by_key_.find(c.key); k != by_key_.end() && k->second == id)
    by_key_.erase(k);
  index_remove(c);
  pinned_.erase(id);
  containers_.erase(id);
}

void Tree::redepth(ContainerId id) {
  std::vector<ContainerId> stack{id};
  while (!stack.empty()) {
    Container& c = get(stack.back());
    stack.pop_back();
    c.depth = get(c.parent).depth + 1;
    stack.insert(stack.end(), c.children.begin(), c.children.end());
  }
}

std::string Tree::unique_child_name(ContainerId parent, const std::string& name,
                                    ContainerId id) const {
  // container_<own id> is unique by construction: the counter never
  // repeats and rename refuses names of that form.
  constexpr std::string_view kCounter = "container_";
  if (name.starts_with(kCounter) && parse_u64(std::string_view(name).substr(kCounter.size())) == id)
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

Status Tree::rename(ContainerId id, std::string_view name, Delta& delta) {
  auto it = containers_.find(id);
  if (it == containers_.end())
    return failure("no such container");
  if (id == kRootId)
    return failure("the root container cannot be renamed");
  Container& c = it->second;
  if (c.name == name)
    return {};
  if (name.empty() || name == "." || name == "..")
    return failure("a name cannot be empty, '.' or '..'");
  if (name.find('/') != std::string_view::npos)
    return failure("a name cannot contain '/'");
  if (name.find('\0') != std::string_view::npos)
    return failure("a name cannot contain NUL");
  if (name.substr(0, 10) == "container_" && name.size() > 10 &&
      name.find_first_not_of("0123456789", 10) == std::string_view::npos)
    return failure("names of the form container_N are the counter's");
  for (ContainerId sib : get(c.parent).children)
    if (sib != id && find(sib)->name == name)
      return failure("a sibling is already named '" + std::string(name) + "'");
  c.name = std::string(name);
  delta.moved.push_back(id);
  return {};
}

std::size_t Tree::restore(const std::vector<SavedContainer>& saved, Delta& delta) {
  // Parents first: a parent's id is smaller only by convention, so order
  // by walking the given parent links.
  std::map<ContainerId, const SavedContainer*> by_id;
  for (const auto& d : saved) {
    if (d.id > kMaxContainerId)
      continue;  // refused: the counter would wrap
    // Every id seen stays used, even one that is dropped.
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
    const SavedContainer& d = *it->second;
    ContainerId parent = d.parent <= kRootId || d.parent > kMaxContainerId ? kRootId : d.parent;
    if (!place(parent, depth + 1))
      parent = kRootId;
    NsKey key = key_of(d.ns);
    if (by_key_.count(key))
      return false;  // the same set twice: the first one wins
    Container c;
    c.id = d.id;
    c.name = unique_child_name(parent, d.name, d.id);
    c.parent = parent;
    c.depth = get(parent).depth + 1;
    c.ns = d.ns;
    c.key = key;
    c.created = d.created;
    add_child(get(parent), c.id);
    by_key_[key] = c.id;
    index_add(c);
    mark_empty(c.id);
    delta.made.push_back(c.id);
    containers_.emplace(c.id, std::move(c));
    next_id_ = std::max(next_id_, d.id + 1);
    ++taken;
    return true;
  };
  for (const auto& [id, d] : by_id)
    place(id, 0);
  return taken;
}

}  // namespace nsgroup
