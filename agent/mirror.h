// Mirror: keeps <cgroup2 mount>/nsgroup/... equal to the container tree.
// It converges: each sync looks at what changed since the last one, so a
// container that lived and died between two syncs never touches cgroupfs.
// Failures (ESRCH, EAGAIN from cgroup.max.*, EBUSY, EROFS) are counted,
// logged once per cause, and retried; they never lose a container.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "event_json.h"
#include "tree.h"

namespace nsgroup {

enum class Adopt { Auto, All };

struct MirrorOptions {
  std::string root;  // empty: <cgroup2 mount>/nsgroup
  Adopt adopt = Adopt::Auto;
};

// The first cgroup2 mount of a mountinfo text that shows its whole
// hierarchy (root "/").
std::optional<std::string> cgroup2_mount_from(std::string_view mountinfo);
// The cgroup2 mount of this mount namespace (/proc/self/mountinfo).
std::optional<std::string> cgroup2_mount();
// The cgroup v2 path ("0::PATH") of a /proc/PID/cgroup text.
std::optional<std::string> cgroup_v2_path(std::string_view proc_cgroup);
// A namespace set as the trusted.nsgroup.ns xattr stores it, and back.
std::string ns_xattr(const NsSet& s);
std::optional<NsSet> parse_ns_xattr(std::string_view text);
// A Creation as the trusted.nsgroup.created xattr stores it, and back.
std::string creation_xattr(const Creation& c);
std::optional<Creation> parse_creation_xattr(std::string_view text);

struct KillResult {
  bool cgroup_kill = false;  // cgroup.kill was written
  std::size_t signalled = 0; // processes signalled one by one
};

class Mirror {
 public:
  // Finds the cgroup2 mount, checks that the root is inside it, creates
  // the root. Throws Error with a clear message.
  static std::unique_ptr<Mirror> open(const MirrorOptions& opts);

  // Directories a previous run left, with their xattrs (restart).
  std::vector<RestoredContainer> discover();
  // Applies what changed in the tree since the last sync.
  void sync(const Tree& tree, const TreeChanges& changes);
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
  Json stats() const;

 private:
  Mirror(std::string mount, std::string root, Adopt adopt);
  std::string desired_path(const Tree& tree, ContainerId id) const;
  void ensure(const Tree& tree, ContainerId id);
  bool make_dir(const std::string& path, const Container& c);
  void write_xattrs(const std::string& path, const Container& c);
  // Moves (or leaves, by the adopt rules) one member; false when it must
  // be tried again.
  bool place(std::uint32_t pid, ContainerId id, const std::string& dir);
  void forget(std::uint32_t pid);
  void evacuate(std::uint32_t pid);
  bool move(std::uint32_t pid, const std::string& dir, std::string_view why);
  void migrate(const std::string& from, const std::string& to);
  void process_removals(const Tree& tree);
  void sync_ids(const Tree& tree, std::set<ContainerId> ids,
                const TreeChanges& members);
  void count(const std::string& cause, int err, const std::string& detail);
  std::string rel(const std::string& abs) const;

  struct Removal {
    std::string path;
    std::optional<std::string> target;  // a renamed directory's new place
  };

  std::string mount_;
  std::string root_;
  std::string root_rel_;
  Adopt adopt_;
  std::map<ContainerId, std::string> dirs_;
  // The container each member was last placed for (moved into its
  // directory, found there, or left where another manager put it).
  std::unordered_map<std::uint32_t, ContainerId> placed_;
  std::unordered_map<std::uint32_t, std::string> foreign_;
  std::unordered_map<std::uint32_t, std::string> origin_;
  std::vector<Removal> removals_;
  std::set<ContainerId> retry_;
  std::map<std::string, std::uint64_t> errors_;
  std::set<std::string> logged_;
  std::uint64_t mkdirs_ = 0, rmdirs_ = 0, moves_ = 0;
};

}  // namespace nsgroup
