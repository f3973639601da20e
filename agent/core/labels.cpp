// Label rules.
#include "core/labels.h"

namespace nsgroup {

namespace {

std::string_view basename_of(std::string_view path) {
  auto pos = path.rfind('/');
  return pos == std::string_view::npos ? path : path.substr(pos + 1);
}

const std::string* find_in(const std::unordered_map<ContainerId, std::string>& m,
                           ContainerId id) {
  auto it = m.find(id);
  return it == m.end() ? nullptr : &it->second;
}

// The mount point pinning slot i's namespace of c, if any.
const std::string* pin_of(const Tree& tree, const Container& c, std::size_t i,
                          const std::vector<PinnedNs>& pins) {
  for (const PinnedNs& pin : pins)
    for (std::size_t slot : ns_slots_of(pin.type))
      if (slot == i && tree.slot_key(slot, pin.inum, pin.id) == c.key[i])
        return &pin.mountpoint;
  return nullptr;
}

}  // namespace

std::optional<std::string> label_of(const Tree& tree, ContainerId id, const LabelInputs& in) {
  const Container* c = tree.find(id);
  if (!c || id == kRootId)
    return std::nullopt;
  std::uint32_t mask = tree.new_ns_mask(id);

  if (auto rt = in.runtime_id.find(id); rt != in.runtime_id.end()) {
    const RuntimeInfo* above = nullptr;
    for (const Container* p = tree.find(c->parent); p && p->id != kRootId && !above;
         p = tree.find(p->parent))
      if (auto it = in.runtime_id.find(p->id); it != in.runtime_id.end())
        above = &it->second;
    if (!above || above->name != rt->second.name || above->id != rt->second.id)
      return runtime_label(rt->second);
  }
  if (const std::string* host = find_in(in.hostname, id); host && (mask & (1U << NSG_NS_UTS))) {
    const std::string* parent_host = nullptr;
    for (const Container* p = tree.find(c->parent); p && !parent_host; p = tree.find(p->parent))
      parent_host = find_in(in.hostname, p->id);
    if (!parent_host || *parent_host != *host)
      return "hostname:" + *host;
  }
  for (std::size_t i = 0; i < kNsCount; ++i) {
    if (!(mask & (1U << i)))
      continue;
    const std::string* mp = pin_of(tree, *c, i, in.pins);
    if (!mp)
      continue;
    std::string_view base = basename_of(*mp);
    std::string_view dir = std::string_view(*mp).substr(0, mp->size() - base.size());
    if (i == NSG_NS_NET && (dir == "/run/netns/" || dir == "/var/run/netns/"))
      return "ip-netns:" + std::string(base);
    return "nsfs:" + *mp;
  }
  if (c->created && !c->created->comm.empty())
    return "comm:" + c->created->comm;
  if (!c->first_comm.empty())
    return "comm:" + c->first_comm;
  return std::nullopt;
}

void relabel(Tree& tree, const LabelInputs& in) {
  std::vector<ContainerId> ids;
  ids.reserve(tree.container_count());
  tree.visit(kRootId, [&](const Container& c, int) { ids.push_back(c.id); });
  relabel(tree, in, ids);
}

void relabel(Tree& tree, const LabelInputs& in, std::span<const ContainerId> ids) {
  for (ContainerId id : ids) {
    tree.set_label(id, label_of(tree, id, in));
    auto rt = in.runtime_id.find(id);
    if (id == kRootId || rt == in.runtime_id.end())
      tree.set_runtime(id, std::nullopt);
    else
      tree.set_runtime(id, rt->second);
  }
}

}  // namespace nsgroup
