// Mirror: keeps <cgroup2 mount>/nsgroup/... equal to the container tree.
// It converges: each sync looks at what changed (a Delta), so a container
// that lived and died between two syncs never touches cgroupfs. Failures
// (ESRCH, EAGAIN from cgroup.max.*, EBUSY, EROFS) are counted, logged once
// per cause, and retried; they never lose a container. All I/O goes
// through a CgroupFs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/delta.h"
#include "core/persist.h"
#include "core/tree.h"
#include "host/cgroupfs.h"

namespace nsgroup {

enum class Adopt { Auto, All };

// The extended attributes each mirror directory carries: what a restart
// reads back (Mirror::discover).
inline constexpr const char* kXattrId = "trusted.nsgroup.id";
inline constexpr const char* kXattrName = "trusted.nsgroup.name";
inline constexpr const char* kXattrNs = "trusted.nsgroup.ns";
inline constexpr const char* kXattrCreated = "trusted.nsgroup.created";

// The systemd unit (a *.service or *.scope component, the innermost) a
// cgroup path ("/system.slice/x.service/sub") lies in, if any.
std::optional<std::string> systemd_unit_of(std::string_view cgroup);

// What the mirror did and what it is waiting for.
struct MirrorStats {
  std::string root;
  Adopt adopt = Adopt::Auto;
  std::size_t directories = 0;
  std::uint64_t mkdirs = 0, rmdirs = 0, moves = 0;
  std::size_t pending_removals = 0, pending_retries = 0, foreign_processes = 0;
  std::map<std::string, std::uint64_t> errors;  // by cause
};

class Mirror {
 public:
  // mount: the cgroup2 mount; root: the mirror root inside it (it exists).
  // With Adopt::All, a process in a systemd unit's cgroup is still left
  // there unless its unit matches one of adopt_units (fnmatch patterns):
  // moving it would strip the unit's limits and sandbox.
  Mirror(CgroupFs& fs, std::string mount, std::string root, Adopt adopt,
         std::vector<std::string> adopt_units = {});

  // Directories a previous run left, with their xattrs (restart).
  std::vector<SavedContainer> discover();
  // Applies what changed in the tree.
  void sync(const Tree& tree, const Delta& delta);
  // Considers every container and every directory (after a restore).
  void sync_all(const Tree& tree);
  // Retries what failed before (timer).
  void retry(const Tree& tree);

  // The directory of a container (the root's is the mirror root).
  std::optional<std::string> path_of(ContainerId id) const;
  // The cgroup of a member that was left where another manager put it.
  std::optional<std::string> foreign_cgroup(std::uint32_t pid) const;
  // True when a member was placed in its container's directory (not left
  // in a foreign cgroup, not waiting for a retry).
  bool in_directory(std::uint32_t pid) const;
  // cgroup.kill on the container's directory (the whole subtree).
  bool cgroup_kill(ContainerId id);

  const std::string& root() const { return root_; }
  MirrorStats stats() const;

 private:
  struct Removal {
    std::string path;
    std::optional<std::string> target;  // a renamed directory's new place
  };

  std::string desired_path(const Tree& tree, ContainerId id) const;
  void ensure(const Tree& tree, ContainerId id);
  bool make_dir(const std::string& path, const Container& c);
  void write_xattrs(const std::string& path, const Container& c);
  // Moves (or leaves, by the adopt rules) one member; false when it must
  // be tried again.
  bool place(const Tree& tree, std::uint32_t pid, ContainerId id, const std::string& dir);
  // Whether --adopt lets the mirror take a process out of cgroup cg.
  bool may_adopt(const std::string& cg) const;
  void forget(std::uint32_t pid);
  void evacuate(std::uint32_t pid, std::uint64_t start_ticks);
  bool move(std::uint32_t pid, const std::string& dir, std::string_view why,
            std::uint64_t start_ticks = 0);
  void migrate(const std::string& from, const std::string& to);
  void process_removals(const Tree& tree);
  void sync_ids(const Tree& tree, std::set<ContainerId> ids, const std::vector<PidMove>& pids);
  void count(const std::string& cause, int err, const std::string& detail);
  std::string rel(const std::string& abs) const;

  CgroupFs& fs_;
  std::string mount_;
  std::string root_;
  std::string root_rel_;
  Adopt adopt_;
  std::vector<std::string> adopt_units_;
  std::map<ContainerId, std::string> dirs_;
  // The container each member was last placed for (moved into its
  // directory, found there, or left where another manager put it).
  std::unordered_map<std::uint32_t, ContainerId> placed_;
  std::unordered_map<std::uint32_t, std::string> foreign_;
  // Where each member this run moved into the mirror came from ("/" too).
  // A member it found there (a restart, a child forked inside) has none,
  // and goes to the mirror root when it leaves, never to "/": that would
  // take it out of whatever unit it was in.
  std::unordered_map<std::uint32_t, std::string> origin_;
  std::vector<Removal> removals_;
  std::set<ContainerId> retry_;
  std::map<std::string, std::uint64_t> errors_;
  std::set<std::string> logged_;
  std::uint64_t mkdirs_ = 0, rmdirs_ = 0, moves_ = 0;
};

}  // namespace nsgroup
