// Tree JSON. The model has no JSON of its own: this file is where it is
// described.
#include "json/tree_json.h"

#include <algorithm>

#include "json/event_json.h"
#include "json/writer.h"

namespace nsgroup {

namespace {

void write_creation(JsonWriter& w, const Creation& c, const BootClock& clock) {
  w.begin_object();
  w.member("pid", c.pid).member("comm", c.comm);
  w.member("via", c.kind == EventKind::Clone && c.via == Syscall::None
                      ? std::string_view("fork")
                      : to_string(c.via == Syscall::None ? Syscall::Clone : c.via));
  w.key("flags").begin_array();
  for (const auto& f : c.via == Syscall::Setns ? nstype_names(c.flags) : clone_flag_names(c.flags))
    w.value(f);
  w.end_array();
  w.member("time", clock.iso8601(c.ts_boot_ns));
  w.end_object();
}

void write_pids(JsonWriter& w, const std::vector<std::uint32_t>& pids) {
  w.begin_array();
  for (auto pid : pids)
    w.value(pid);
  w.end_array();
}

struct Writing {
  const Tree& tree;
  const BootClock& clock;
  const TreeView& view;
  JsonWriter& w;
  ShareIndex shares;
  std::vector<std::uint32_t> pids;  // reused for every container
};

void write_container(Writing& x, const Container& c, const std::string& path) {
  JsonWriter& w = x.w;
  const Tree& tree = x.tree;
  w.begin_object();
  w.member("id", c.id).member("name", c.name).member("path", path);
  if (c.label)
    w.member("label", *c.label);
  else
    w.key("label").null();
  w.key("runtime");
  if (c.runtime) {
    w.begin_object();
    w.member("name", c.runtime->name).member("id", c.runtime->id);
    if (!c.runtime->pod_uid.empty())
      w.member("pod_uid", c.runtime->pod_uid);
    if (!c.runtime->qos.empty())
      w.member("qos", c.runtime->qos);
    w.end_object();
  } else {
    w.null();
  }
  w.key("ns");
  write_ns_inodes(w, c.ns);
  if (c.ns.has_ids()) {
    w.key("ns_ids");
    write_ns_ids(w, c.ns);
  }
  w.key("new_ns").begin_array();
  for (const auto& n : ns_mask_names(tree.new_ns_mask(c.id)))
    w.value(n);
  w.end_array();
  if (c.id != kRootId) {
    auto shares = tree.shares(c.id, x.shares);
    if (!shares.empty()) {
      w.key("shares").begin_object();
      // Access rule 1: a container outside the client's subtree is not named.
      for (const Share& sh : shares)
        w.member(kNsNames[sh.ns], tree.is_within(sh.with, x.view.top) ? tree.path(sh.with)
                                                                       : "(outside)");
      w.end_object();
    }
  }

  std::vector<std::uint32_t>& pids = x.pids;
  if (c.id == kRootId) {
    pids = x.view.root_pids;
  } else {
    pids.assign(c.members.begin(), c.members.end());
    std::sort(pids.begin(), pids.end());
  }
  w.member("nprocs", static_cast<std::uint64_t>(pids.size()));
  if (x.view.pids) {
    w.key("pids");
    write_pids(w, pids);
  }
  if (c.id == kRootId && !tree.unreadable().empty()) {
    w.key("unreadable");
    write_pids(w, tree.unreadable());
  }
  if (c.id != kRootId && x.view.foreign_cgroup) {
    bool any = false;
    for (auto pid : pids) {
      if (auto cg = x.view.foreign_cgroup(pid)) {
        if (!any)
          w.key("foreign_cgroup").begin_object();
        any = true;
        w.member(std::to_string(pid), *cg);
      }
    }
    if (any)
      w.end_object();
  }
  w.member("pinned", c.pinned);
  std::optional<std::string> cg = x.view.cgroup ? x.view.cgroup(c.id) : std::nullopt;
  if (cg)
    w.member("cgroup", *cg);
  else
    w.key("cgroup").null();
  w.key("created");
  if (c.created)
    write_creation(w, *c.created, x.clock);
  else
    w.null();
  w.key("children").begin_array();
  std::string child_path;
  for (ContainerId child : c.children) {
    if (const Container* cc = tree.find(child)) {
      child_path.assign(path).append("/").append(cc->name);
      write_container(x, *cc, child_path);
    }
  }
  w.end_array();
  w.end_object();
}

}  // namespace

std::string tree_json(const Tree& tree, const BootClock& clock, const TreeView& view) {
  std::string out;
  tree_json(tree, clock, view, out);
  return out;
}

void tree_json(const Tree& tree, const BootClock& clock, const TreeView& view, std::string& out) {
  out.reserve(out.size() + 1024 + tree.container_count() * 1280);
  JsonWriter w(out);
  w.begin_object().member("source", view.source).key("root");
  if (const Container* top = tree.find(view.top)) {
    Writing x{tree, clock, view, w, tree.share_index(), {}};
    write_container(x, *top, tree.path(view.top));
  } else {
    w.null();
  }
  w.end_object();
}

}  // namespace nsgroup
