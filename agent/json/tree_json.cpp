// Tree JSON. The model has no JSON of its own: this file is where it is
// described.
#include "json/tree_json.h"

#include "json/event_json.h"

namespace nsgroup {

namespace {

Json creation_json(const Creation& c, const BootClock& clock) {
  Json j;
  j["pid"] = c.pid;
  j["comm"] = c.comm;
  j["via"] = c.kind == EventKind::Clone && c.via == Syscall::None
                 ? std::string_view("fork")
                 : to_string(c.via == Syscall::None ? Syscall::Clone : c.via);
  j["flags"] = c.via == Syscall::Setns ? nstype_names(c.flags)
                                       : clone_flag_names(c.flags);
  j["time"] = clock.iso8601(c.ts_boot_ns);
  return j;
}

}  // namespace

Json container_json(const Tree& tree, const Container& c,
                    const BootClock& clock, const TreeView& view) {
  Json j;
  j["id"] = c.id;
  j["name"] = c.name;
  j["path"] = tree.path(c.id);
  j["label"] = c.label ? Json(*c.label) : Json(nullptr);
  j["ns"] = ns_inodes_json(c.ns);
  if (c.ns.has_ids())
    j["ns_ids"] = ns_ids_json(c.ns);
  j["new_ns"] = ns_mask_names(tree.new_ns_mask(c.id));
  if (c.id != kRootId) {
    auto shares = tree.shares(c.id);
    if (!shares.empty()) {
      Json s = Json::object();
      // Access rule 1: a container outside the client's subtree is not named.
      for (const Share& sh : shares)
        s[std::string(kNsNames[sh.ns])] =
            tree.is_within(sh.with, view.top) ? Json(tree.path(sh.with)) : Json("(outside)");
      j["shares"] = s;
    }
  }

  std::vector<std::uint32_t> pids;
  if (c.id == kRootId)
    pids = view.root_pids;
  else
    pids.assign(c.members.begin(), c.members.end());
  j["nprocs"] = pids.size();
  if (view.pids)
    j["pids"] = pids;
  if (c.id == kRootId && !tree.unreadable().empty())
    j["unreadable"] = tree.unreadable();
  if (c.id != kRootId && view.foreign_cgroup) {
    Json foreign = Json::object();
    for (auto pid : c.members)
      if (auto cg = view.foreign_cgroup(pid))
        foreign[std::to_string(pid)] = *cg;
    if (!foreign.empty())
      j["foreign_cgroup"] = foreign;
  }
  j["pinned"] = c.pinned;
  std::optional<std::string> cg = view.cgroup ? view.cgroup(c.id) : std::nullopt;
  j["cgroup"] = cg ? Json(*cg) : Json(nullptr);
  j["created"] = c.created ? creation_json(*c.created, clock) : Json(nullptr);
  Json children = Json::array();
  for (ContainerId child : c.children)
    if (const Container* cc = tree.find(child))
      children.push_back(container_json(tree, *cc, clock, view));
  j["children"] = std::move(children);
  return j;
}

Json tree_json(const Tree& tree, const BootClock& clock, const TreeView& view) {
  Json doc;
  doc["source"] = view.source;
  const Container* top = tree.find(view.top);
  doc["root"] = top ? container_json(tree, *top, clock, view) : Json(nullptr);
  return doc;
}

}  // namespace nsgroup
