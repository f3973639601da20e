// Scanner: reads /proc (namespace links, NS_GET_ID, stat) and mountinfo
// into snapshots for the tree. The parsers are pure and unit-tested; the
// class is the I/O around them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ns.h"
#include "snapshot.h"

namespace nsgroup {

// The fields of text between separators. For ' ', runs of spaces count
// as one and no field is empty; for any other separator, empty fields stay.
std::vector<std::string_view> split(std::string_view text, char sep);

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
std::optional<std::uint32_t> parse_ns_link(std::string_view link,
                                           std::string_view type);

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

// A container runtime's id (64 hex digits) in a /proc/PID/cgroup text,
// shortened to 12 digits as docker and crictl print it.
std::optional<std::string> runtime_id_from_cgroup(std::string_view cgroup);

class Scanner {
 public:
  explicit Scanner(std::string proc = "/proc");

  // Every process and every pinned namespace, now.
  Snapshot scan();
  // One process; nullopt when it does not exist.
  std::optional<ProcInfo> read_process(std::uint32_t pid);
  // Thread-group ids in /proc.
  std::vector<std::uint32_t> pids();
  // nsfs bind mounts in our mount namespace, with ids where there are.
  std::vector<PinnedNs> pins();
  // The initial namespaces: those of kthreadd (PID 2), else PID 1, else
  // our own.
  NsSet root_ns();
  // UTS hostnames of the given processes' namespaces (needs CAP_SYS_ADMIN:
  // empty without it). Keyed by pid.
  std::unordered_map<std::uint32_t, std::string> hostnames(
      const std::vector<std::uint32_t>& pids);
  // The runtime id in a process's cgroup path, if any.
  std::optional<std::string> runtime_id(std::uint32_t pid);
  // Whether the kernel answers NS_GET_ID.
  bool ids_available() const { return ids_; }

 private:
  std::optional<ProcInfo> read(std::uint32_t pid,
                               std::unordered_map<std::uint64_t, std::uint64_t>& ids);
  std::uint64_t ns_id(const std::string& path);

  std::string proc_;
  bool ids_ = true;
  bool scan_failed_ = false;
};

}  // namespace nsgroup
