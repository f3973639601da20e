// /proc under a root (ProcFs), and the parsers of the kernel's text
// formats: /proc/PID/stat, namespace links, mountinfo, /proc/PID/cgroup.
// The parsers are pure; every reader of /proc in host/ goes through a
// ProcFs, so that unit tests point them at a fake tree in a temporary
// directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/runtime.h"
#include "core/snapshot.h"
#include "util/result.h"

namespace nsgroup {

// One line of /proc/PID/mountinfo: the mount's root inside its
// filesystem, where it is mounted (octal escapes decoded), its type.
struct MountEntry {
  std::string_view root;
  std::string mountpoint;
  std::string_view fstype;
};
std::vector<MountEntry> parse_mountinfo(std::string_view mountinfo);

// The inode of a namespace link's text, "net:[4026531833]", if its type is
// `type`.
std::optional<std::uint32_t> parse_ns_link(std::string_view link, std::string_view type);

struct StatFields {
  std::uint32_t ppid = 0;
  std::uint64_t start_ticks = 0;
  std::uint64_t flags = 0;  // field 9: PF_* (PF_KTHREAD 0x00200000)
  std::string comm;
};
// Fields of /proc/PID/stat; comm may hold spaces and parentheses.
std::optional<StatFields> parse_stat(std::string_view stat);

// nsfs bind mounts in a mountinfo text, ids left 0. One entry per
// namespace (the first mount point wins). Octal escapes are decoded.
std::vector<PinnedNs> parse_nsfs_mounts(std::string_view mountinfo);

// The runtime of a /proc/PID/cgroup text (core/runtime.h): from its
// cgroup v2 path, else from the first v1 hierarchy's path that names one
// (a runtime on a hybrid host may use only the v1 hierarchies).
std::optional<RuntimeInfo> runtime_from_proc_cgroup(std::string_view text);

// The effective capability set (CapEff) of a /proc/PID/status text.
std::optional<std::uint64_t> parse_cap_eff(std::string_view status);
// The Tgid: line of a /proc/PID/status text.
std::optional<std::uint32_t> parse_tgid(std::string_view status);

// The first cgroup2 mount of a mountinfo text that shows its whole
// hierarchy (root "/").
std::optional<std::string> cgroup2_mount_from(std::string_view mountinfo);
// The cgroup v2 path ("0::PATH") of a /proc/PID/cgroup text.
std::optional<std::string> cgroup_v2_path(std::string_view proc_cgroup);

// /proc, or a tree laid out like it (tests). Only paths and reads: what a
// reader does with a file (readlink, open for ioctl, setns) stays its own.
class ProcFs {
 public:
  explicit ProcFs(std::string root = "/proc") : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  // ROOT/PID, or ROOT/PID/FILE.
  std::string path(std::uint32_t pid, std::string_view file = {}) const;
  // ROOT/self/FILE: this process's (or the fake tree's "self").
  std::string self(std::string_view file) const;

  // ROOT/PID/FILE's text; nullopt when it cannot be read (gone, closed).
  std::optional<std::string> read(std::uint32_t pid, std::string_view file) const;
  // The same into `out`, with why not.
  Status read_into(std::uint32_t pid, std::string_view file, std::string& out) const;
  // ROOT/PID/stat parsed.
  std::optional<StatFields> stat(std::uint32_t pid) const;
  // The cgroup v2 path of ROOT/PID/cgroup ("0::PATH").
  std::optional<std::string> cgroup_v2(std::uint32_t pid) const;
  // Whether ROOT/PID exists.
  bool exists(std::uint32_t pid) const;

 private:
  std::string root_;
};

}  // namespace nsgroup
