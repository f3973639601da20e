// A daemon without a kernel, for the request handlers (service/api.h): a
// tree fed synthetic events, and /proc as a map of pid -> namespace set.
// Shared by the API's unit tests and its fuzz target.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/tree.h"
#include "service/api.h"
#include "service/stats.h"
#include "synthetic.h"

namespace nsgroup::test {

class FakeBackend final : public ApiBackend {
 public:
  TestTree tree{root_set()};
  std::map<std::uint32_t, NsSet> proc;  // what /proc shows
  std::map<std::uint32_t, std::uint32_t> threads;  // thread id -> its process
  std::vector<Event> unseen;            // records a rescan would find
  int reconciles = 0;
  std::vector<ContainerId> killed;

  // Runs a process's unshare or setns: /proc and the tree agree.
  ContainerId run(const Event& e) {
    proc[e.pid] = e.after;
    return tree.apply(e).container;
  }

  const Tree& current() override { return tree; }
  const Tree& settled() override { return tree; }
  std::vector<std::uint32_t> live_pids() override {
    std::vector<std::uint32_t> out;
    for (const auto& [pid, ns] : proc)
      out.push_back(pid);
    return out;
  }
  std::optional<std::uint32_t> tgid_of(std::uint32_t tid) override {
    if (auto t = threads.find(tid); t != threads.end())
      return t->second;
    return proc.count(tid) ? std::optional<std::uint32_t>(tid) : std::nullopt;
  }
  std::optional<ProcInfo> read_process(std::uint32_t pid) override {
    auto it = proc.find(pid);
    if (it == proc.end())
      return std::nullopt;
    ProcInfo p;
    p.pid = pid;
    p.ns = it->second;
    return p;
  }
  void reconcile(std::string_view) override {
    ++reconciles;
    for (const Event& e : unseen)
      tree.apply(e);
    unseen.clear();
  }
  Status rename(ContainerId id, std::string_view name) override {
    return tree.Tree::rename(id, name, tree.delta);
  }
  KillOutcome kill(ContainerId id) override {
    killed.push_back(id);
    return {true, tree.find(id)->members.size()};
  }
  std::optional<std::string> cgroup_dir(ContainerId) override { return std::nullopt; }
  std::optional<std::string> foreign_cgroup(std::uint32_t) override { return std::nullopt; }
  StatsReport stats() override { return stats_report(Counters{}, tree, StatsContext{}); }
};

// Nested's tree, with root processes, behind an Api:
// root (pids 1, 2) -> a (pid 10, uts) -> b (pid 20, net)
// root -> sibling (pid 30, ipc)
struct ApiSample : Nested {
  FakeBackend backend;
  BootClock clock{0};
  Counters counters;
  Api api{backend, clock, counters};

  ApiSample() {
    backend.proc[1] = root_set();
    backend.proc[2] = root_set();
    build([this](const Event& e) { return backend.run(e); });
  }
};

}  // namespace nsgroup::test
