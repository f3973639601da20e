// Request handlers.
#include "service/api.h"

#include "host/cgroupfs.h"
#include "json/tree_json.h"
#include "service/framing.h"
#include "util/log.h"

namespace nsgroup {

namespace {

std::optional<std::string> string_field(const Json& req, const char* name) {
  if (!req.contains(name) || !req[name].is_string())
    return std::nullopt;
  return req[name].get<std::string>();
}

std::string no_such_process(std::uint32_t pid, const Identity& who) {
  return "no process with pid " + std::to_string(pid) +
         (who.scope == kRootId ? "" : " in your container or below it");
}

std::string describe(const Identity& who) {
  return "pid " + std::to_string(who.pid) + " uid " + std::to_string(who.uid);
}

}  // namespace

Reply Api::handle(const Identity& who, const Json& req) {
  ++counters_.requests;
  std::string op = req.contains("op") && req["op"].is_string() ? req["op"].get<std::string>()
                                                               : std::string();
  if (op == "tree")
    return Reply::written(tree(who, req));
  if (op == "which")
    return {which(who, req)};
  if (op == "stats")
    return {stats(who)};
  if (op == "rename")
    return {rename(who, req)};
  if (op == "kill")
    return {kill(who, req)};
  if (op == "watch")
    return {Json{{"ok", true}, {"watching", true}}, true};
  ++counters_.bad_requests;
  return {error_reply(op.empty() ? "request has no \"op\"" : "unknown op \"" + op + "\"")};
}

std::string Api::tree(const Identity& who, const Json& req) {
  // The root's process count needs every live pid; a subtree's does not.
  std::vector<std::uint32_t> live;
  if (who.scope == kRootId)
    live = backend_.live_pids();
  const Tree& t = backend_.settled();
  TreeView view;
  view.top = who.scope;
  view.pids = req.contains("pids") && req["pids"].is_boolean() && req["pids"].get<bool>();
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

Json Api::which(const Identity& who, const Json& req) {
  if (!req.contains("pid") || !req["pid"].is_number_unsigned() ||
      req["pid"].get<std::uint64_t>() == 0 || req["pid"].get<std::uint64_t>() > 0xffffffffULL)
    return error_reply("which needs a positive integer \"pid\"");
  const auto asked = req["pid"].get<std::uint32_t>();
  // A thread id answers for its process: the tree places thread groups.
  auto tgid = backend_.tgid_of(asked);
  if (!tgid)
    return error_reply(no_such_process(asked, who));
  const std::uint32_t pid = *tgid;
  const Tree* t = &backend_.current();
  auto proc = backend_.read_process(pid);
  if (!proc)
    return error_reply(no_such_process(asked, who));
  if (proc->readable && !t->is_member(pid) && t->key_of(proc->ns) != t->root().key &&
      proc->missing_mask == 0) {
    backend_.reconcile("which: a process the tree had not placed");
    t = &backend_.current();
  }
  ContainerId where = t->container_of(pid);
  // Outside the client's subtree: the same answer as for a pid that does
  // not exist, so a client in a container learns nothing about the rest.
  if (!t->is_within(where, who.scope))
    return error_reply("no process with pid " + std::to_string(asked) +
                       " in your container or below it");
  Json reply;
  reply["ok"] = true;
  reply["pid"] = asked;
  if (pid != asked)
    reply["tgid"] = pid;
  reply["container"] = t->path(where);
  if (!proc->readable)
    reply["unreadable"] = true;
  return reply;
}

Json Api::rename(const Identity& who, const Json& req) {
  auto path = string_field(req, "path");
  auto name = string_field(req, "name");
  if (!path || !name)
    return error_reply("rename needs \"path\" and \"name\" strings");
  const Tree& t = backend_.settled();
  auto id = t.find_path(*path);
  if (!id || !t.is_within(*id, who.scope))
    return error_reply("no container at " + *path);
  if (auto why = refuse_change(t, who, *id, "rename")) {
    log_warn("denied rename of " + t.path(*id) + " to " + describe(who) + ": " + *why);
    return error_reply(*why);
  }
  if (auto why = cgroup_name_error(*name); why && t.find(*id)->name != *name)
    return error_reply("cannot rename " + *path + ": " + *why);
  std::string old_path = t.path(*id);
  if (auto renamed = backend_.rename(*id, *name); !renamed)
    return error_reply("cannot rename " + *path + ": " + renamed.error().message());
  log_info("renamed " + old_path + " to " + t.path(*id));
  Json reply;
  reply["ok"] = true;
  reply["path"] = t.path(*id);
  return reply;
}

Json Api::kill(const Identity& who, const Json& req) {
  auto path = string_field(req, "path");
  if (!path)
    return error_reply("kill needs a \"path\" string");
  const Tree& t = backend_.current();
  auto id = t.find_path(*path);
  if (!id || !t.is_within(*id, who.scope))
    return error_reply("no container at " + *path);
  if (*id == kRootId)
    return error_reply("the root container cannot be killed");
  if (auto why = refuse_change(t, who, *id, "kill")) {
    log_warn("denied kill of " + t.path(*id) + " to " + describe(who) + ": " + *why);
    return error_reply(*why);
  }
  Json reply;
  reply["ok"] = true;
  reply["path"] = t.path(*id);
  KillOutcome k = backend_.kill(*id);
  reply["cgroup_kill"] = k.cgroup_kill;
  reply["signalled"] = k.signalled;
  log_info("killed " + *path);
  return reply;
}

Json Api::stats(const Identity& who) {
  Json reply;
  reply["ok"] = true;
  // A client inside a container sees its subtree's figures only.
  reply["stats"] =
      who.scope == kRootId ? backend_.stats() : scoped_stats_json(backend_.current(), who.scope);
  return reply;
}

}  // namespace nsgroup
