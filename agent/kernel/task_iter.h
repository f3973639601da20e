// TaskScanner: owns the task iterator (bpf/iter.bpf.c) and reads every
// process's pid, parent, start time, comm, namespaces, hostname and cgroup
// leaf in one read of the kernel's stream, instead of walking /proc.
#pragma once

#include <memory>
#include <vector>

#include "core/snapshot.h"
#include "util/result.h"

namespace nsgroup {

class TaskScanner {
 public:
  // Loads and attaches the iterator. The Failure is one line naming what
  // the kernel lacks (root, BTF, task iterators).
  static Result<TaskScanner> open();

  struct State;

  TaskScanner(TaskScanner&&) noexcept;
  TaskScanner& operator=(TaskScanner&&) noexcept;
  ~TaskScanner();

  // Every thread-group leader that has its namespaces, now; its buffer is
  // kept for the next scan. Pids are as the initial pid namespace sees them.
  Result<std::vector<ProcInfo>> scan();

 private:
  explicit TaskScanner(std::unique_ptr<State> s);
  std::unique_ptr<State> s_;
};

}  // namespace nsgroup
