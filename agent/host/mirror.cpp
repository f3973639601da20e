// The cgroup v2 mirror of the container tree.
#include "host/mirror.h"

#include <fnmatch.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "util/log.h"
#include "util/text.h"

namespace nsgroup {

namespace {

std::size_t depth_of(std::string_view path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

// The start time the tree knows for pid, 0 if it knows none: a move with
// it moves that process only, never a newer one with the same pid.
std::uint64_t start_of(const Tree& tree, std::uint32_t pid) {
  auto proc = tree.processes().find(pid);
  return proc == tree.processes().end() ? 0 : proc->second.start_ticks;
}

}  // namespace

Mirror::Mirror(CgroupFs& fs, std::string mount, std::string root, Adopt adopt,
               std::vector<std::string> adopt_units)
    : fs_(fs), mount_(std::move(mount)), root_(std::move(root)), adopt_(adopt),
      adopt_units_(std::move(adopt_units)) {
  root_rel_ = rel(root_);
  // The root's own marks; a failure shows in the first directory's xattrs.
  (void)fs_.set_xattr(root_, kXattrId, "1");
  (void)fs_.set_xattr(root_, kXattrName, std::string(kRootName));
}

std::optional<std::string> Mirror::path_of(ContainerId id) const {
  if (id == kRootId)
    return root_;
  auto it = dirs_.find(id);
  if (it == dirs_.end())
    return std::nullopt;
  return it->second;
}

std::optional<std::string> Mirror::foreign_cgroup(std::uint32_t pid) const {
  auto it = foreign_.find(pid);
  if (it == foreign_.end())
    return std::nullopt;
  return it->second;
}

std::string Mirror::desired_path(const Tree& tree, ContainerId id) const {
  // The tree path without its "/init_container" head, under the root.
  std::string p = tree.path(id);
  return root_ + p.substr(1 + kRootName.size());
}

void Mirror::count(const std::string& cause, int err, const std::string& detail) {
  std::string key = cause;
  if (err)
    key += std::string(" (") + strerrorname_np(err) + ")";
  ++errors_[key];
  if (logged_.insert(key).second)
    log_warn("cgroup mirror: " + key + ": " + detail +
             (err ? std::string(": ") + std::strerror(err) : std::string()) +
             " (logged once; counted in stats)");
}

bool Mirror::move(std::uint32_t pid, const std::string& dir, std::string_view why,
                  std::uint64_t start_ticks) {
  Status moved = fs_.move(pid, dir, start_ticks);
  if (moved) {
    ++moves_;
    return true;
  }
  int err = moved.error().err;
  if (err == ESRCH)
    ++errors_["move: process exited first (ESRCH)"];
  else
    count("cannot move a process " + std::string(why), err,
          "pid " + std::to_string(pid) + " to " + dir);
  return false;
}

bool Mirror::may_adopt(const std::string& cg) const {
  if (cg == "/" || path_within(cg, root_rel_))
    return true;  // the cgroup2 root, or the mirror: ours
  if (adopt_ != Adopt::All)
    return false;
  auto unit = systemd_unit_of(cg);
  if (!unit)
    return true;
  for (const auto& pattern : adopt_units_)
    if (::fnmatch(pattern.c_str(), unit->c_str(), 0) == 0)
      return true;
  return false;
}

bool Mirror::place(const Tree& tree, std::uint32_t pid, ContainerId id, const std::string& dir) {
  auto cg = fs_.cgroup_of(pid);
  if (!cg)
    return true;  // gone: its exit is on its way
  placed_[pid] = id;
  if (*cg == rel(dir)) {
    foreign_.erase(pid);
    return true;
  }
  // Left where it is: a kernel thread (the kernel refuses to move it), the
  // agent itself (it stays in its service's cgroup, whatever namespaces
  // systemd gave it), or a process another manager placed (--adopt=all
  // moves those, but not out of a systemd unit without an opt-in).
  if (fs_.is_kernel_thread(pid) || pid == fs_.self() || !may_adopt(*cg)) {
    foreign_[pid] = *cg;
    return true;
  }
  if (!move(pid, dir, "into its container", start_of(tree, pid))) {
    placed_.erase(pid);
    return !fs_.process_exists(pid);
  }
  if (!path_within(*cg, root_rel_))
    origin_[pid] = *cg;
  foreign_.erase(pid);
  return true;
}

void Mirror::forget(std::uint32_t pid) {
  placed_.erase(pid);
  foreign_.erase(pid);
  origin_.erase(pid);
}

void Mirror::evacuate(std::uint32_t pid, std::uint64_t start_ticks) {
  foreign_.erase(pid);
  auto cg = fs_.cgroup_of(pid);
  if (!cg || *cg == root_rel_ || !path_within(*cg, root_rel_))
    return;
  // Back where it came from. Where that is not known (placed by an earlier
  // run, or born inside), the mirror root, init_container's directory:
  // "/" could take it out of a unit it was in.
  auto it = origin_.find(pid);
  if (it == origin_.end()) {
    move(pid, root_, "back to the mirror root", start_ticks);
    return;
  }
  std::string back = it->second;
  origin_.erase(it);
  std::string dir = back == "/" ? mount_ : mount_ + back;
  if (!move(pid, dir, "back out of the mirror", start_ticks))
    move(pid, root_, "back to the mirror root", start_ticks);
}

void Mirror::ensure(const Tree& tree, ContainerId id) {
  const Container* c = tree.find(id);
  if (!c || id == kRootId)
    return;
  std::string want = desired_path(tree, id);
  auto cur = dirs_.find(id);
  if (cur != dirs_.end() && cur->second != want) {
    // Renamed or moved up: cgroup v2 refuses rename(2).
    if (!make_dir(want, *c)) {
      retry_.insert(id);
      return;
    }
    migrate(cur->second, want);
    removals_.push_back({cur->second, want});
    cur->second = want;
  } else if (cur == dirs_.end()) {
    if (!make_dir(want, *c)) {
      retry_.insert(id);
      return;
    }
    dirs_[id] = want;
  }

  // A new or moved directory: every member, once.
  for (auto pid : c->members) {
    auto it = placed_.find(pid);
    if ((it == placed_.end() || it->second != id) && !place(tree, pid, id, want))
      retry_.insert(id);
  }
}

void Mirror::process_removals(const Tree& tree) {
  std::stable_sort(removals_.begin(), removals_.end(),
                   [](const Removal& a, const Removal& b) {
                     return depth_of(a.path) > depth_of(b.path);
                   });
  std::vector<Removal> keep;
  for (const Removal& r : removals_) {
    for (auto pid : fs_.procs(r.path)) {
      // Whoever is left belongs somewhere: its container, or back out.
      std::optional<std::string> to = r.target;
      if (!to) {
        ContainerId c = tree.container_of(pid);
        if (c != kRootId)
          to = path_of(c);
      }
      // Only the tree's own process of that pid: a newer one (the pid
      // reused by a child forked here, not yet reported) stays, and the
      // rmdir waits until its fork or exit is.
      if (to)
        move(pid, *to, "out of a removed directory", start_of(tree, pid));
      else
        evacuate(pid, start_of(tree, pid));
    }
    Status gone = fs_.remove_dir(r.path);
    if (gone || gone.error().err == ENOENT) {
      ++rmdirs_;
      continue;
    }
    count("rmdir deferred", gone.error().err, r.path);
    keep.push_back(r);
  }
  removals_ = std::move(keep);
}

void Mirror::sync_ids(const Tree& tree, std::set<ContainerId> ids,
                      const std::vector<PidMove>& pids) {
  ids.insert(retry_.begin(), retry_.end());
  retry_.clear();
  std::vector<std::pair<std::size_t, ContainerId>> live;
  for (ContainerId id : ids) {
    if (id == kRootId)
      continue;
    if (!tree.find(id)) {
      if (auto it = dirs_.find(id); it != dirs_.end()) {
        removals_.push_back({it->second, std::nullopt});
        dirs_.erase(it);
      }
      continue;
    }
    live.emplace_back(depth_of(tree.path(id)), id);
  }
  std::sort(live.begin(), live.end());  // parents first
  for (const auto& [depth, id] : live)
    ensure(tree, id);
  // Then only the members that came, went or moved. A pid may move several
  // times in one batch: where it is now decides, and whether its last move
  // took it back to the root (out of the mirror) or out of existence.
  std::unordered_map<std::uint32_t, const PidMove*> last;
  last.reserve(pids.size());
  for (const PidMove& m : pids)
    last[m.pid] = &m;
  for (const auto& [pid, move] : last) {
    ContainerId id = tree.container_of(pid);
    if (id == kRootId) {
      if (move->to == kRootId)
        evacuate(pid, move->start_ticks);
      forget(pid);
      continue;
    }
    auto dir = dirs_.find(id);
    auto it = placed_.find(pid);
    if (dir != dirs_.end() && (it == placed_.end() || it->second != id) &&
        !place(tree, pid, id, dir->second))
      retry_.insert(id);
  }
  if (!removals_.empty())
    process_removals(tree);
}

void Mirror::sync(const Tree& tree, const Delta& delta) {
  std::set<ContainerId> ids(delta.made.begin(), delta.made.end());
  for (const Removed& r : delta.removed)
    ids.insert(r.id);
  for (ContainerId top : delta.moved)
    if (tree.find(top))
      tree.visit(top, [&](const Container& c, int) { ids.insert(c.id); });
  sync_ids(tree, std::move(ids), delta.pids);
}

void Mirror::sync_all(const Tree& tree) {
  std::set<ContainerId> ids;
  tree.visit(kRootId, [&](const Container& c, int) { ids.insert(c.id); });
  for (const auto& [id, path] : dirs_)
    ids.insert(id);
  sync_ids(tree, std::move(ids), {});
}

void Mirror::retry(const Tree& tree) {
  if (retry_.empty() && removals_.empty())
    return;
  sync_ids(tree, {}, {});
}

bool Mirror::in_directory(std::uint32_t pid) const {
  return placed_.count(pid) && !foreign_.count(pid);
}

MirrorStats Mirror::stats() const {
  MirrorStats s;
  s.root = root_;
  s.adopt = adopt_;
  s.directories = dirs_.size();
  s.mkdirs = mkdirs_;
  s.rmdirs = rmdirs_;
  s.moves = moves_;
  s.pending_removals = removals_.size();
  s.pending_retries = retry_.size();
  s.foreign_processes = foreign_.size();
  s.errors = errors_;
  return s;
}

}  // namespace nsgroup
