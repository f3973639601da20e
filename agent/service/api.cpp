// Request handlers.
#include "service/api.h"

#include "host/cgroupfs.h"
#include "json/reply_json.h"
#include "json/tree_json.h"
#include "util/log.h"

namespace nsgroup {

namespace {

std::string no_such_process(std::uint32_t pid, const Identity& who) {
  return "no process with pid " + std::to_string(pid) +
         (who.scope == kRootId ? "" : " in your container or below it");
}

std::string describe(const Identity& who) {
  return "pid " + std::to_string(who.pid) + " uid " + std::to_string(who.uid);
}

}  // namespace

Reply Api::answer(const Identity& who, std::string_view line) {
  auto req = parse_request(line);
  if (!req)
    return {error_line(req.error().message(), kErrInvalid)};
  return handle(who, *req);
}

Reply Api::handle(const Identity& who, const Request& req) {
  ++counters_.requests;
  const std::string& op = req.op;
  if (op == "tree")
    return {tree(who, req)};
  if (op == "which")
    return {which(who, req)};
  if (op == "stats")
    return {stats(who)};
  if (op == "rename")
    return {rename(who, req)};
  if (op == "kill")
    return {kill(who, req)};
  if (op == "watch")
    return watch(who, req);
  ++counters_.bad_requests;
  return {error_line(op.empty() ? "request has no \"op\"" : "unknown op \"" + op + "\"",
                     kErrInvalid)};
}

std::string Api::tree(const Identity& who, const Request& req) {
  // The root's process count needs every live pid; a subtree's does not.
  std::vector<std::uint32_t> live;
  if (who.scope == kRootId)
    live = backend_.live_pids();
  const Tree& t = backend_.settled();
  TreeView view;
  view.top = who.scope;
  view.pids = req.pids;
  view.source = "daemon";
  view.root_pids = root_members(t, live);
  view.cgroup = [this](ContainerId id) { return backend_.cgroup_dir(id); };
  view.foreign_cgroup = [this](std::uint32_t pid) { return backend_.foreign_cgroup(pid); };
  // Megabytes at 10,000 containers: written once, as text, in place.
  std::string out = "{\"ok\":true,\"tree\":";
  tree_json(t, clock_, view, out);
  out.push_back('}');
  return out;
}

std::string Api::which(const Identity& who, const Request& req) {
  if (!req.pid || *req.pid == 0 || *req.pid > 0xffffffffULL)
    return error_line("which needs a positive integer \"pid\"", kErrInvalid);
  const auto asked = static_cast<std::uint32_t>(*req.pid);
  // A thread id answers for its process: the tree places thread groups.
  auto tgid = backend_.tgid_of(asked);
  if (!tgid)
    return error_line(no_such_process(asked, who), kErrNotFound);
  const std::uint32_t pid = *tgid;
  const Tree* t = &backend_.current();
  auto proc = backend_.read_process(pid);
  if (!proc)
    return error_line(no_such_process(asked, who), kErrNotFound);
  if (proc->readable && !t->is_member(pid) && t->key_of(proc->ns) != t->root().key &&
      proc->missing_mask == 0) {
    backend_.reconcile("which: a process the tree had not placed");
    t = &backend_.current();
  }
  ContainerId where = t->container_of(pid);
  // Outside the client's subtree: the same answer as for a pid that does
  // not exist, so a client in a container learns nothing about the rest.
  if (!t->is_within(where, who.scope))
    return error_line(
        "no process with pid " + std::to_string(asked) + " in your container or below it",
        kErrNotFound);
  return which_line(asked, pid, t->path(where), !proc->readable);
}

std::string Api::rename(const Identity& who, const Request& req) {
  const auto& path = req.path;
  const auto& name = req.name;
  if (!path || !name)
    return error_line("rename needs \"path\" and \"name\" strings", kErrInvalid);
  const Tree& t = backend_.settled();
  auto id = t.find_path(*path);
  if (!id || !t.is_within(*id, who.scope))
    return error_line("no container at " + *path, kErrNotFound);
  if (auto why = refuse_change(t, who, *id, "rename")) {
    log_warn("denied rename of " + t.path(*id) + " to " + describe(who) + ": " + *why);
    return error_line(*why, kErrRefused);
  }
  if (auto why = cgroup_name_error(*name); why && t.find(*id)->name != *name)
    return error_line("cannot rename " + *path + ": " + *why, kErrInvalid);
  std::string old_path = t.path(*id);
  if (auto renamed = backend_.rename(*id, *name); !renamed)
    return error_line("cannot rename " + *path + ": " + renamed.error().message());
  log_info("renamed " + old_path + " to " + t.path(*id));
  return renamed_line(t.path(*id));
}

std::string Api::kill(const Identity& who, const Request& req) {
  const auto& path = req.path;
  if (!path)
    return error_line("kill needs a \"path\" string", kErrInvalid);
  const Tree& t = backend_.current();
  auto id = t.find_path(*path);
  if (!id || !t.is_within(*id, who.scope))
    return error_line("no container at " + *path, kErrNotFound);
  if (*id == kRootId)
    return error_line("the root container cannot be killed", kErrInvalid);
  if (auto why = refuse_change(t, who, *id, "kill")) {
    log_warn("denied kill of " + t.path(*id) + " to " + describe(who) + ": " + *why);
    return error_line(*why, kErrRefused);
  }
  std::string killed = t.path(*id);
  KillOutcome k = backend_.kill(*id);
  log_info("killed " + *path);
  return killed_line(killed, k.cgroup_kill, k.signalled);
}

Reply Api::watch(const Identity& who, const Request& req) {
  if (!req.watch_error.empty()) {
    ++counters_.bad_requests;
    return {error_line(req.watch_error, kErrInvalid)};
  }
  Reply r{watching_line(), true, req.watch, {}};
  // A container filter names a container the client may see, as rename
  // and kill do; it is held by id, so that a rename does not end it.
  const Tree& t = backend_.current();
  for (std::string& path : r.filter.containers) {
    auto id = t.find_path(path);
    if (!id || !t.is_within(*id, who.scope))
      return {error_line("watch: no container at " + path, kErrNotFound)};
    path = t.path(*id);
    r.filter_ids.push_back(*id);
  }
  return r;
}

std::string Api::stats(const Identity& who) {
  // A client inside a container sees its subtree's figures only.
  return stats_line(who.scope == kRootId ? backend_.stats()
                                         : scoped_stats_report(backend_.current(), who.scope));
}

}  // namespace nsgroup
