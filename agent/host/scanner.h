// Scanner: reads /proc (namespace links, NS_GET_ID, stat) and mountinfo
// into snapshots for the tree (the parsers are in procfs.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ns.h"
#include "core/runtime.h"
#include "core/snapshot.h"
#include "host/procfs.h"
#include "util/fd.h"
#include "util/result.h"

namespace nsgroup {

class Scanner {
 public:
  explicit Scanner(ProcFs proc = ProcFs());

  // The /proc it reads (label inputs read more of it).
  const ProcFs& procfs() const { return proc_; }

  // Every process and every pinned namespace, now. Fails when /proc could
  // not be read through (EMFILE, ENOMEM...): a partial snapshot must not
  // be reconciled against, it would empty the tree.
  Result<Snapshot> scan();
  // One process; nullopt when it does not exist.
  std::optional<ProcInfo> read_process(std::uint32_t pid);
  // Thread-group ids in /proc.
  Result<std::vector<std::uint32_t>> pids();
  // nsfs bind mounts in our mount namespace, with ids where there are.
  std::vector<PinnedNs> pins();
  // True when the mount table that pins() reads changed since the last
  // call (and on the first): one poll(2) on a mountinfo kept open, so that
  // pins are read again only when a mount came or went.
  bool mounts_changed();
  // The initial namespaces: those of kthreadd (PID 2), else PID 1, else
  // our own.
  NsSet root_ns();
  // UTS hostnames of the given processes' namespaces (needs CAP_SYS_ADMIN:
  // empty without it). Keyed by pid.
  std::unordered_map<std::uint32_t, std::string> hostnames(
      const std::vector<std::uint32_t>& pids);
  // The thread group of a task id (a thread's id is not in readdir of
  // /proc but /proc/TID is there), if it exists.
  std::optional<std::uint32_t> tgid(std::uint32_t tid);
  // The effective capabilities of a process (CapEff), if it exists.
  std::optional<std::uint64_t> capabilities(std::uint32_t pid);
  // The runtime a process's cgroup path names, if any.
  std::optional<RuntimeInfo> runtime(std::uint32_t pid);
  // Whether the kernel answers NS_GET_ID.
  bool ids_available() const { return ids_; }

 private:
  std::optional<ProcInfo> read(std::uint32_t pid,
                               std::unordered_map<std::uint64_t, std::uint64_t>& ids);
  std::uint64_t ns_id(const std::string& path);

  ProcFs proc_;
  bool ids_ = true;
  std::optional<Failure> failed_;  // the first read that failed in a scan
  UniqueFd mounts_;                 // mountinfo, polled for changes
};

}  // namespace nsgroup
