// The agent's cgroup namespace. In a pod on cgroup v2 (containerd, CRI-O,
// docker --cgroupns=private) the agent starts in a cgroup namespace of its
// own: there the kernel shows every cgroup path relative to the pod's
// cgroup (mountinfo's root of the host's cgroup2 mount, /proc/PID/cgroup
// as "/../.."), so the mirror could find no cgroup2 mount nor recognise
// its directories, and runtime labels would read cut paths. The way out:
// enter the root's cgroup namespace (that of the tree's root, kthreadd's
// or else PID 1's, which a pod sees with hostPID), after which every path
// reads from the cgroup2 root again.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>

#include "host/procfs.h"
#include "util/result.h"

namespace nsgroup {

// What was done.
struct CgroupNsEntered {
  bool entered = false;     // false: already in the root's (or no cgroup namespaces)
  std::uint64_t from = 0;   // the inode of the namespace left
  std::uint64_t to = 0;     // the inode of the one entered
  std::uint32_t of_pid = 0; // whose namespace it is (2 for kthreadd, or 1)
};

// Enters the root's cgroup namespace when this process is in another one;
// logs one line when it does. Must run before any thread starts (setns of
// a cgroup namespace moves the calling thread only): it fails when the
// process already has threads. A failure says what to do (CAP_SYS_ADMIN,
// the host's pid namespace, or the host's cgroup namespace). Namespaces,
// threads and cgroups are read from `proc`.
Result<CgroupNsEntered> enter_root_cgroup_namespace(const ProcFs& proc = ProcFs());

// The kernel's fixed inode of the initial cgroup namespace
// (PROC_CGROUP_INIT_INO, include/linux/proc_ns.h).
inline constexpr std::uint64_t kInitialCgroupNsInode = 0xEFFFFFFBU;

// Whether a cgroup v2 path (as /proc/PID/cgroup shows it) lies outside the
// reader's cgroup namespace: "/.." or "/../x".
bool cgroup_path_is_outside(std::string_view path);

}  // namespace nsgroup
