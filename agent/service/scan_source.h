// Where scans come from: the kernel's task iterator where it loads (one
// read for every process, with hostnames and cgroup leaves), else /proc.
// Pinned namespaces come from mountinfo either way.
#pragma once

#include <optional>
#include <span>
#include <string_view>

#include "core/labels.h"
#include "core/snapshot.h"
#include "core/tree.h"
#include "host/scanner.h"
#include "kernel/task_iter.h"
#include "util/result.h"

namespace nsgroup {

enum class ScanMode { Auto, Iterator, Proc };
// "auto", "iterator", "proc" as a ScanMode.
std::optional<ScanMode> scan_mode_named(std::string_view name);

class ScanSource {
 public:
  // Tries the task iterator when `iterator` (it needs root and a kernel
  // with iter/task); /proc otherwise, and whenever an iterator scan fails.
  explicit ScanSource(bool iterator);

  // Every process and every pinned namespace, now.
  Result<Snapshot> scan();
  // The label inputs of the given containers, read into `into`: from
  // `snap` when it carries hostnames, else from a fresh iterator scan (no
  // setns per namespace), else from /proc and a setns per UTS namespace.
  void labels(const Tree& tree, std::span<const ContainerId> ids, LabelInputs& into,
              const Snapshot* snap = nullptr);
  // "task iterator" or "/proc".
  const char* kind() const { return iter_ ? "task iterator" : "/proc"; }
  // The /proc side: single processes, pids, pins, capabilities.
  Scanner& proc() { return proc_; }

 private:
  void add_unseen(std::vector<ProcInfo>& procs);

  Scanner proc_;
  std::optional<TaskScanner> iter_;
};

}  // namespace nsgroup
