// The control socket's requests: one line in (json/request_json.h parses
// it), one reply line out (json/reply_json.h writes it), each answered
// within the client's scope (service/access.h). What the
// handlers need of the daemon comes through ApiBackend, so that they are
// tested against a tree built from synthetic events.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/snapshot.h"
#include "core/tree.h"
#include "core/watch_filter.h"
#include "json/request_json.h"
#include "json/stats_report.h"
#include "service/access.h"
#include "service/stats.h"
#include "util/clock.h"
#include "util/result.h"

namespace nsgroup {

struct KillOutcome {
  bool cgroup_kill = false;   // cgroup.kill took the directory subtree
  std::size_t signalled = 0;  // members signalled one by one
};

class ApiBackend {
 public:
  virtual ~ApiBackend() = default;
  // The tree with every record the kernel delivered so far applied.
  virtual const Tree& current() = 0;
  // Also collects empty containers and lets the mirror catch up.
  virtual const Tree& settled() = 0;
  // The pids in /proc now.
  virtual std::vector<std::uint32_t> live_pids() = 0;
  // One process as /proc shows it now; nullopt when it does not exist.
  virtual std::optional<ProcInfo> read_process(std::uint32_t pid) = 0;
  // The thread group a thread id belongs to (itself for a process); nullopt
  // when no such task exists.
  virtual std::optional<std::uint32_t> tgid_of(std::uint32_t tid) = 0;
  // Rescans /proc: a process the tree has not placed.
  virtual void reconcile(std::string_view why) = 0;
  virtual Status rename(ContainerId id, std::string_view name) = 0;
  virtual KillOutcome kill(ContainerId id) = 0;
  // The mirror's directory for a container, and a member's foreign cgroup.
  virtual std::optional<std::string> cgroup_dir(ContainerId id) = 0;
  virtual std::optional<std::string> foreign_cgroup(std::uint32_t pid) = 0;
  // Every figure (for a root-scoped client).
  virtual StatsReport stats() = 0;
};

struct Reply {
  std::string text;          // one line of JSON, without its newline
  bool start_watch = false;  // the connection becomes an event stream
  // With start_watch: what the watcher asked to see, and the containers of
  // its filter.containers (the same order), so the filter follows renames.
  WatchFilter filter{};
  std::vector<ContainerId> filter_ids{};
};

class Api {
 public:
  Api(ApiBackend& backend, const BootClock& clock, Counters& counters)
      : backend_(backend), clock_(clock), counters_(counters) {}

  // A request line: parsed, then handled; a line that is not a JSON
  // object is answered with an error and not counted as a request.
  Reply answer(const Identity& who, std::string_view line);
  Reply handle(const Identity& who, const Request& request);

 private:
  std::string tree(const Identity& who, const Request& req);
  std::string which(const Identity& who, const Request& req);
  std::string rename(const Identity& who, const Request& req);
  std::string kill(const Identity& who, const Request& req);
  std::string stats(const Identity& who);
  Reply watch(const Identity& who, const Request& req);

  ApiBackend& backend_;
  const BootClock& clock_;
  Counters& counters_;
};

}  // namespace nsgroup
