// The cgroup v2 mirror of the container tree.
#include "mirror.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>

#include "error.h"
#include "fd.h"
#include "file.h"
#include "log.h"
#include "scanner.h"

namespace nsgroup {

namespace {

constexpr long kCgroup2Magic = 0x63677270;  // CGROUP2_SUPER_MAGIC
constexpr unsigned kPfKthread = 0x00200000;



// Writes text to a cgroupfs file; 0 or the errno.
int write_text(const std::string& path, std::string_view text) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd)
    return errno;
  ssize_t n = ::write(fd.get(), text.data(), text.size());
  if (n < 0)
    return errno;
  return 0;
}

std::optional<std::string> get_xattr(const std::string& path, const char* name) {
  char buf[4096];
  ssize_t n = ::getxattr(path.c_str(), name, buf, sizeof buf);
  if (n < 0)
    return std::nullopt;
  return std::string(buf, static_cast<std::size_t>(n));
}

std::vector<std::uint32_t> procs_of(const std::string& dir) {
  std::vector<std::uint32_t> out;
  std::string text;
  if (!read_file(dir + "/cgroup.procs", text))
    return out;
  for (auto f : split(text, '\n'))
    if (!f.empty())
      out.push_back(static_cast<std::uint32_t>(std::strtoul(std::string(f).c_str(), nullptr, 10)));
  return out;
}

bool is_kernel_thread(std::uint32_t pid) {
  std::string text;
  if (!read_file("/proc/" + std::to_string(pid) + "/stat", text))
    return false;
  auto stat = parse_stat(text);
  return stat && (stat->flags & kPfKthread) != 0;
}

std::size_t depth_of(std::string_view path) {
  return static_cast<std::size_t>(std::count(path.begin(), path.end(), '/'));
}

}  // namespace

std::optional<std::string> cgroup2_mount_from(std::string_view mountinfo) {
  for (auto& m : parse_mountinfo(mountinfo))
    if (m.fstype == "cgroup2" && m.root == "/")
      return std::move(m.mountpoint);
  return std::nullopt;
}

std::optional<std::string> cgroup2_mount() {
  std::string mountinfo;
  if (!read_file("/proc/self/mountinfo", mountinfo))
    return std::nullopt;
  return cgroup2_mount_from(mountinfo);
}

std::optional<std::string> cgroup_v2_path(std::string_view proc_cgroup) {
  for (auto line : split(proc_cgroup, '\n'))
    if (line.substr(0, 3) == "0::")
      return std::string(line.substr(3));
  return std::nullopt;
}


std::string ns_xattr(const NsSet& s) {
  std::string out;
  for (std::size_t i = 0; i < kNsCount; ++i) {
    if (i)
      out.push_back(',');
    out.append(kNsNames[i]).append("=").append(std::to_string(s.inum[i]));
    out.append("/").append(std::to_string(s.id[i]));
  }
  return out;
}

std::optional<NsSet> parse_ns_xattr(std::string_view text) {
  NsSet s;
  std::uint32_t seen = 0;
  for (auto item : split(text, ',')) {
    auto eq = item.find('=');
    auto slash = item.find('/');
    if (eq == std::string_view::npos || slash == std::string_view::npos || slash < eq)
      return std::nullopt;
    auto idx = ns_index(item.substr(0, eq));
    if (!idx)
      return std::nullopt;
    std::string inum(item.substr(eq + 1, slash - eq - 1));
    std::string id(item.substr(slash + 1));
    if (inum.empty() || id.empty() ||
        inum.find_first_not_of("0123456789") != std::string::npos ||
        id.find_first_not_of("0123456789") != std::string::npos)
      return std::nullopt;
    s.inum[*idx] = static_cast<std::uint32_t>(std::stoul(inum));
    s.id[*idx] = std::stoull(id);
    seen |= 1U << *idx;
  }
  if (seen != (1U << kNsCount) - 1)
    return std::nullopt;
  return s;
}

std::string creation_xattr(const Creation& c) {
  Json j;
  j["pid"] = c.pid;
  j["comm"] = c.comm;
  j["kind"] = static_cast<int>(c.kind);
  j["via"] = static_cast<int>(c.via);
  j["flags"] = c.flags;
  j["ts"] = c.ts_boot_ns;
  return dump_line(j);
}

std::optional<Creation> parse_creation_xattr(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return std::nullopt;
  try {
    Creation c;
    c.pid = j.at("pid").get<std::uint32_t>();
    c.comm = j.at("comm").get<std::string>();
    c.kind = static_cast<EventKind>(j.at("kind").get<int>());
    c.via = static_cast<Syscall>(j.at("via").get<int>());
    c.flags = j.at("flags").get<std::uint64_t>();
    c.ts_boot_ns = j.at("ts").get<std::uint64_t>();
    return c;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

Mirror::Mirror(std::string mount, std::string root, Adopt adopt)
    : mount_(std::move(mount)), root_(std::move(root)), adopt_(adopt) {
  root_rel_ = rel(root_);
}

std::string Mirror::rel(const std::string& abs) const {
  if (abs == mount_)
    return "/";
  return abs.substr(mount_ == "/" ? 0 : mount_.size());
}

std::unique_ptr<Mirror> Mirror::open(const MirrorOptions& opts) {
  auto mount = cgroup2_mount();
  if (!mount)
    throw Error("no cgroup2 filesystem is mounted (see /proc/self/mountinfo); "
                "mount one or run with --no-mirror");
  std::string root = opts.root.empty() ? *mount + "/nsgroup" : opts.root;
  while (root.size() > 1 && root.back() == '/')
    root.pop_back();
  if (root.empty() || root[0] != '/' || root.find("/../") != std::string::npos ||
      root.find("/./") != std::string::npos)
    throw Error("--cgroup-root must be an absolute path without . or ..: " + root);
  if (!path_within(root, *mount) || root == *mount)
    throw Error("--cgroup-root " + root + " is not inside the cgroup2 mount " + *mount);
  // The parent must be a cgroup2 directory: the check that counts.
  std::string parent = root.substr(0, root.rfind('/'));
  struct statfs fs {};
  if (::statfs(parent.empty() ? "/" : parent.c_str(), &fs) != 0 ||
      fs.f_type != kCgroup2Magic)
    throw Error("--cgroup-root " + root + ": " + (parent.empty() ? "/" : parent) +
                " is not a cgroup2 directory");
  if (::mkdir(root.c_str(), 0755) != 0 && errno != EEXIST)
    throw Error("cannot create the mirror root " + root + ": " + std::strerror(errno));
  auto m = std::unique_ptr<Mirror>(new Mirror(*mount, root, opts.adopt));
  ::setxattr(root.c_str(), "trusted.nsgroup.id", "1", 1, 0);
  ::setxattr(root.c_str(), "trusted.nsgroup.name", kRootName.data(), kRootName.size(), 0);
  return m;
}

std::vector<RestoredContainer> Mirror::discover() {
  std::vector<RestoredContainer> out;
  std::set<ContainerId> ids;
  std::function<void(const std::string&, ContainerId)> walk =
      [&](const std::string& dir, ContainerId parent) {
        DIR* d = ::opendir(dir.c_str());
        if (!d)
          return;
        std::vector<std::string> subdirs;
        while (dirent* ent = ::readdir(d)) {
          if (ent->d_type != DT_DIR || std::strcmp(ent->d_name, ".") == 0 ||
              std::strcmp(ent->d_name, "..") == 0)
            continue;
          subdirs.push_back(dir + "/" + ent->d_name);
        }
        ::closedir(d);
        std::sort(subdirs.begin(), subdirs.end());
        for (const auto& path : subdirs) {
          auto id = get_xattr(path, "trusted.nsgroup.id");
          auto name = get_xattr(path, "trusted.nsgroup.name");
          auto ns = get_xattr(path, "trusted.nsgroup.ns");
          std::optional<NsSet> set = ns ? parse_ns_xattr(*ns) : std::nullopt;
          ContainerId cid = id ? std::strtoull(id->c_str(), nullptr, 10) : 0;
          if (!id || !name || !set || cid <= kRootId) {
            count("foreign directory left alone", 0, path);
            continue;
          }
          if (!ids.insert(cid).second) {
            // A second directory with one id: not ours to keep.
            removals_.push_back({path, std::nullopt});
            walk(path, cid);
            continue;
          }
          RestoredContainer r;
          r.id = cid;
          r.name = *name;
          r.parent = parent;
          r.ns = *set;
          if (auto created = get_xattr(path, "trusted.nsgroup.created"))
            r.created = parse_creation_xattr(*created);
          dirs_[cid] = path;
          out.push_back(std::move(r));
          walk(path, cid);
        }
      };
  walk(root_, kRootId);
  return out;
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

void Mirror::write_xattrs(const std::string& path, const Container& c) {
  std::string id = std::to_string(c.id);
  std::string ns = ns_xattr(c.ns);
  int rc = ::setxattr(path.c_str(), "trusted.nsgroup.id", id.data(), id.size(), 0);
  rc |= ::setxattr(path.c_str(), "trusted.nsgroup.name", c.name.data(), c.name.size(), 0);
  rc |= ::setxattr(path.c_str(), "trusted.nsgroup.ns", ns.data(), ns.size(), 0);
  if (c.created) {
    std::string created = creation_xattr(*c.created);
    rc |= ::setxattr(path.c_str(), "trusted.nsgroup.created", created.data(),
                     created.size(), 0);
  }
  if (rc != 0)
    count("xattr not written (a restart will not recognise the directory)", errno,
          path);
}

bool Mirror::make_dir(const std::string& path, const Container& c) {
  if (::mkdir(path.c_str(), 0755) != 0) {
    int err = errno;
    if (err == EEXIST) {
      // Ours to take only if it is a directory no other container owns.
      struct stat st {};
      auto owner = get_xattr(path, "trusted.nsgroup.id");
      bool dir = ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
      if (!dir || (owner && *owner != std::to_string(c.id))) {
        count("mkdir: the name is taken by something else", err, path);
        return false;
      }
      // A directory left for removal is wanted again.
      std::erase_if(removals_, [&](const Removal& r) { return r.path == path; });
      write_xattrs(path, c);
      return true;
    }
    std::string cause = err == EAGAIN
                            ? "mkdir refused: cgroup.max.descendants or cgroup.max.depth reached"
                            : "mkdir failed";
    count(cause, err, path);
    return false;
  }
  ::chmod(path.c_str(), 0755);  // readable by cgroup tools whatever our umask
  ++mkdirs_;
  write_xattrs(path, c);
  return true;
}

bool Mirror::move(std::uint32_t pid, const std::string& dir, std::string_view why) {
  int err = write_text(dir + "/cgroup.procs", std::to_string(pid));
  if (err == 0) {
    ++moves_;
    return true;
  }
  if (err == ESRCH)
    ++errors_["move: process exited first (ESRCH)"];
  else
    count("cannot move a process " + std::string(why), err,
          "pid " + std::to_string(pid) + " to " + dir);
  return false;
}

bool Mirror::place(std::uint32_t pid, ContainerId id, const std::string& dir) {
  std::string text;
  if (!read_file("/proc/" + std::to_string(pid) + "/cgroup", text))
    return true;  // gone: its exit is on its way
  auto cg = cgroup_v2_path(text);
  if (!cg)
    return true;
  placed_[pid] = id;
  if (*cg == rel(dir)) {
    foreign_.erase(pid);
    return true;
  }
  // Left where it is: a kernel thread (the kernel refuses to move it), the
  // agent itself (it stays in its service's cgroup, whatever namespaces
  // systemd gave it), or a process another manager placed (--adopt=all
  // moves those).
  bool ours = *cg == "/" || path_within(*cg, root_rel_);
  if (is_kernel_thread(pid) || pid == static_cast<std::uint32_t>(::getpid()) ||
      !(adopt_ == Adopt::All || ours)) {
    foreign_[pid] = *cg;
    return true;
  }
  if (!move(pid, dir, "into its container")) {
    placed_.erase(pid);
    return ::access(("/proc/" + std::to_string(pid)).c_str(), F_OK) != 0;
  }
  if (!ours)
    origin_[pid] = *cg;
  foreign_.erase(pid);
  return true;
}

void Mirror::forget(std::uint32_t pid) {
  placed_.erase(pid);
  foreign_.erase(pid);
  origin_.erase(pid);
}

void Mirror::evacuate(std::uint32_t pid) {
  foreign_.erase(pid);
  std::string text;
  if (!read_file("/proc/" + std::to_string(pid) + "/cgroup", text))
    return;
  auto cg = cgroup_v2_path(text);
  if (!cg || *cg == root_rel_ || !path_within(*cg, root_rel_))
    return;
  // Back where it came from; the cgroup2 root when we do not know.
  std::string back = "/";
  if (auto it = origin_.find(pid); it != origin_.end())
    back = it->second;
  std::string dir = back == "/" ? mount_ : mount_ + back;
  if (!move(pid, dir, "back out of the mirror") && back != "/")
    move(pid, mount_, "back out of the mirror");
  origin_.erase(pid);
}

void Mirror::migrate(const std::string& from, const std::string& to) {
  // Forks during the move land in `from`: a few rounds catch them.
  for (int round = 0; round < 4; ++round) {
    auto pids = procs_of(from);
    if (pids.empty())
      return;
    for (auto pid : pids)
      move(pid, to, "to its renamed container");
  }
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
    if ((it == placed_.end() || it->second != id) && !place(pid, id, want))
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
    for (auto pid : procs_of(r.path)) {
      // Whoever is left belongs somewhere: its container, or back out.
      std::optional<std::string> to = r.target;
      if (!to) {
        ContainerId c = tree.container_of(pid);
        if (c != kRootId)
          to = path_of(c);
      }
      if (to)
        move(pid, *to, "out of a removed directory");
      else
        evacuate(pid);
    }
    if (::rmdir(r.path.c_str()) == 0 || errno == ENOENT) {
      ++rmdirs_;
      continue;
    }
    int err = errno;
    count("rmdir deferred", err, r.path);
    keep.push_back(r);
  }
  removals_ = std::move(keep);
}

void Mirror::sync_ids(const Tree& tree, std::set<ContainerId> ids,
                      const TreeChanges& members) {
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
  // Then only the members that came, went or moved since the last sync.
  for (auto pid : members.members) {
    ContainerId id = tree.container_of(pid);
    if (id == kRootId) {
      if (members.to_root.count(pid))
        evacuate(pid);
      forget(pid);
      continue;
    }
    auto dir = dirs_.find(id);
    auto it = placed_.find(pid);
    if (dir != dirs_.end() && (it == placed_.end() || it->second != id) &&
        !place(pid, id, dir->second))
      retry_.insert(id);
  }
  if (!removals_.empty())
    process_removals(tree);
}

void Mirror::sync(const Tree& tree, const TreeChanges& changes) {
  sync_ids(tree, changes.containers, changes);
}

void Mirror::sync_all(const Tree& tree) {
  std::set<ContainerId> ids;
  tree.visit(kRootId, [&](const Container& c, int) { ids.insert(c.id); });
  for (const auto& [id, path] : dirs_)
    ids.insert(id);
  sync_ids(tree, std::move(ids), TreeChanges{});
}

void Mirror::retry(const Tree& tree) {
  if (retry_.empty() && removals_.empty())
    return;
  sync_ids(tree, {}, {});
}

bool Mirror::in_directory(std::uint32_t pid) const {
  return placed_.count(pid) && !foreign_.count(pid);
}

bool Mirror::cgroup_kill(ContainerId id) {
  auto dir = path_of(id);
  if (!dir || id == kRootId)
    return false;
  int err = write_text(*dir + "/cgroup.kill", "1");
  if (err != 0) {
    count("cgroup.kill failed", err, *dir);
    return false;
  }
  return true;
}

Json Mirror::stats() const {
  Json j;
  j["root"] = root_;
  j["adopt"] = adopt_ == Adopt::All ? "all" : "auto";
  j["directories"] = dirs_.size();
  j["mkdirs"] = mkdirs_;
  j["rmdirs"] = rmdirs_;
  j["moves"] = moves_;
  j["pending_removals"] = removals_.size();
  j["pending_retries"] = retry_.size();
  j["foreign_processes"] = foreign_.size();
  Json errors = Json::object();
  for (const auto& [k, v] : errors_)
    errors[k] = v;
  j["errors"] = errors;
  return j;
}

}  // namespace nsgroup
