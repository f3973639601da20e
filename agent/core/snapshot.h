// What a scan found (of /proc and mountinfo, or the kernel's task
// iterator): plain data, handed to the pure tree by the scanner.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/ns.h"

namespace nsgroup {

struct ProcInfo {
  std::uint32_t pid = 0;
  std::uint32_t ppid = 0;
  std::uint64_t start_ticks = 0;  // /proc/PID/stat field 22
  std::string comm;
  NsSet ns;
  // The namespace links could not be read (EACCES): never guessed.
  bool readable = true;
  // Links that read as nothing although the others did (pid_for_children
  // before the first child of a new pid namespace exists).
  std::uint32_t missing_mask = 0;
  // The links read but a namespace id could not be had (the process went,
  // or we ran out of file descriptors): neither placed nor dropped.
  bool partial = false;
  // The UTS namespace's hostname; empty when unknown (the /proc scan
  // does not read it: that takes a setns per namespace).
  std::string hostname;
  // The name of the process's cgroup v2 directory (its last path
  // component: a runtime's container id); empty when unknown.
  std::string cgroup_leaf;
  // A kernel thread (PF_KTHREAD): set by the task iterator; the /proc
  // scan leaves it false.
  bool kernel_thread = false;
};

// A namespace held alive by an nsfs bind mount (ip netns add, runtimes).
struct PinnedNs {
  std::size_t type = 0;  // index into kNsNames (pid, not pid_for_children)
  std::uint32_t inum = 0;
  std::uint64_t id = 0;  // 0 where the kernel has no ids
  std::string mountpoint;
};

struct Snapshot {
  std::vector<ProcInfo> procs;
  std::vector<PinnedNs> pins;
  // The procs carry hostnames and cgroup leaves (a task iterator scan).
  bool hostnames = false;
};

}  // namespace nsgroup
