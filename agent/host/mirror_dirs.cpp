// The mirror's directories: reading them back after a restart, making,
// labelling and moving them, and cgroup.kill. The sync logic that decides
// what to do is in mirror.cpp.
#include "host/mirror.h"

#include <functional>

#include "util/log.h"
#include "util/text.h"

namespace nsgroup {

std::optional<std::string> systemd_unit_of(std::string_view cgroup) {
  std::optional<std::string> unit;
  std::size_t pos = 0;
  while (pos < cgroup.size()) {
    std::size_t end = cgroup.find('/', pos);
    if (end == std::string_view::npos)
      end = cgroup.size();
    std::string_view name = cgroup.substr(pos, end - pos);
    auto ends_with = [&](std::string_view suffix) {
      return name.size() > suffix.size() &&
             name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
    };
    if (ends_with(".service") || ends_with(".scope"))
      unit = std::string(name);
    pos = end + 1;
  }
  return unit;
}

std::string Mirror::rel(const std::string& abs) const {
  if (abs == mount_)
    return "/";
  return abs.substr(mount_ == "/" ? 0 : mount_.size());
}

std::vector<SavedContainer> Mirror::discover() {
  std::vector<SavedContainer> out;
  std::set<ContainerId> ids;
  std::function<void(const std::string&, ContainerId)> walk = [&](const std::string& dir,
                                                                  ContainerId parent) {
    for (const std::string& sub : fs_.subdirs(dir)) {
      std::string path = dir;
      path.append("/").append(sub);
      auto id_text = fs_.xattr(path, kXattrId);
      auto name = fs_.xattr(path, kXattrName);
      auto ns_value = fs_.xattr(path, kXattrNs);
      std::optional<NsSet> ns = ns_value ? parse_ns_text(*ns_value) : std::nullopt;
      std::optional<std::uint64_t> id = id_text ? parse_u64(*id_text) : std::nullopt;
      if (!id || !name || !ns || *id <= kRootId) {
        count("foreign directory left alone", 0, path);
        continue;
      }
      if (!ids.insert(*id).second) {
        // A second directory with one id: not ours to keep.
        removals_.push_back({path, std::nullopt});
        walk(path, *id);
        continue;
      }
      SavedContainer r;
      r.id = *id;
      r.name = *name;
      r.parent = parent;
      r.ns = *ns;
      if (auto created = fs_.xattr(path, kXattrCreated))
        r.created = parse_creation_text(*created);
      dirs_[*id] = path;
      out.push_back(std::move(r));
      walk(path, *id);
    }
  };
  walk(root_, kRootId);
  return out;
}

void Mirror::write_xattrs(const std::string& path, const Container& c) {
  Status ok = fs_.set_xattr(path, kXattrId, std::to_string(c.id));
  if (ok)
    ok = fs_.set_xattr(path, kXattrName, c.name);
  if (ok)
    ok = fs_.set_xattr(path, kXattrNs, ns_text(c.ns));
  if (ok && c.created)
    ok = fs_.set_xattr(path, kXattrCreated, creation_text(*c.created));
  if (!ok)
    count("xattr not written (a restart will not recognise the directory)", ok.error().err,
          path);
}

bool Mirror::make_dir(const std::string& path, const Container& c) {
  if (Status made = fs_.make_dir(path); !made) {
    int err = made.error().err;
    if (err == EEXIST) {
      // Ours to take only if it is a directory no other container owns.
      auto owner = fs_.xattr(path, kXattrId);
      if (!fs_.is_dir(path) || (owner && *owner != std::to_string(c.id))) {
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
  ++mkdirs_;
  write_xattrs(path, c);
  return true;
}

void Mirror::migrate(const std::string& from, const std::string& to) {
  // Forks during the move land in `from`: a few rounds catch them.
  for (int round = 0; round < 4; ++round) {
    auto pids = fs_.procs(from);
    if (pids.empty())
      return;
    for (auto pid : pids)
      move(pid, to, "to its renamed container");
  }
}

bool Mirror::cgroup_kill(ContainerId id) {
  auto dir = path_of(id);
  if (!dir || id == kRootId)
    return false;
  Status killed = fs_.kill(*dir);
  if (!killed) {
    count("cgroup.kill failed", killed.error().err, *dir);
    return false;
  }
  return true;
}

}  // namespace nsgroup
