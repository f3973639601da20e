// The task iterator first, /proc as the fallback.
#include "service/scan_source.h"

#include <algorithm>

#include "host/label_inputs.h"
#include "json/runtime_json.h"
#include "util/log.h"

namespace nsgroup {

std::optional<ScanMode> scan_mode_named(std::string_view name) {
  if (name == "auto")
    return ScanMode::Auto;
  if (name == "iterator")
    return ScanMode::Iterator;
  if (name == "proc")
    return ScanMode::Proc;
  return std::nullopt;
}

ScanSource::ScanSource(bool iterator) {
  if (!iterator)
    return;
  auto it = TaskScanner::open();
  if (!it) {
    log_debug("scans read /proc: " + it.error().message());
    return;
  }
  iter_.emplace(std::move(*it));
}

// /proc is what users (and lsns) count as the processes there are. The
// iterator walks the tasks of our pid namespace, and a process it does not
// show (PID 1 of a sandbox whose init is outside it) is read from /proc,
// which may say at least that its namespaces cannot be read.
void ScanSource::add_unseen(std::vector<ProcInfo>& procs) {
  auto listed = proc_.pids();
  if (!listed)
    return;
  std::vector<std::uint32_t> seen;
  seen.reserve(procs.size());
  for (const ProcInfo& p : procs)
    seen.push_back(p.pid);
  std::sort(seen.begin(), seen.end());
  for (std::uint32_t pid : *listed)
    if (!std::binary_search(seen.begin(), seen.end(), pid))
      if (auto p = proc_.read_process(pid))
        procs.push_back(std::move(*p));
}

Result<Snapshot> ScanSource::scan() {
  if (iter_) {
    auto procs = iter_->scan();
    if (procs) {
      Snapshot snap;
      snap.procs = std::move(*procs);
      add_unseen(snap.procs);
      snap.pins = proc_.pins();
      snap.hostnames = true;
      return snap;
    }
    log_warn("a task iterator scan failed (" + procs.error().message() +
             "): reading /proc instead");
  }
  return proc_.scan();
}

void ScanSource::labels(const Tree& tree, std::span<const ContainerId> ids,
                        LabelInputs& into, const Snapshot* snap) {
  if (snap && snap->hostnames) {
    gather_labels(tree, snap->procs, ids, into, runtime_state_json(), proc_.procfs());
    return;
  }
  if (iter_) {
    if (auto procs = iter_->scan()) {
      gather_labels(tree, *procs, ids, into, runtime_state_json(), proc_.procfs());
      return;
    }
  }
  gather_labels(tree, proc_, ids, into, runtime_state_json());
}

}  // namespace nsgroup
