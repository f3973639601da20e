// `nsgroup daemon`: the tracer, the tree, the scanner, the mirror and the
// control socket around one epoll loop.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "host/mirror.h"
#include "kernel/tracer.h"
#include "service/scan_source.h"
#include "util/result.h"

namespace nsgroup {

inline constexpr std::string_view kDefaultSocket = "/run/nsgroup/nsgroup.sock";

struct DaemonOptions {
  std::string socket{kDefaultSocket};
  std::string socket_group;  // empty: root
  bool no_events = false;
  unsigned reconcile_seconds = 10;
  bool no_mirror = false;
  std::string cgroup_root;  // empty: <cgroup2 mount>/nsgroup
  Adopt adopt = Adopt::Auto;
  // With --adopt=all: the systemd units (fnmatch patterns) whose processes
  // may be taken into the mirror (--adopt-unit, repeatable).
  std::vector<std::string> adopt_units;
  std::string state_dir;  // empty: $STATE_DIRECTORY, else /var/lib/nsgroup
  Hooks hooks = Hooks::Auto;
  std::uint32_t ring_kib = 0;  // 0: 4096
  // Where scans come from. The daemon's auto is the task iterator where it
  // loads; a one-shot tree's is the iterator from kIteratorFrom processes
  // up (below, loading it costs more than walking /proc).
  ScanMode scan = ScanMode::Auto;
  // Denied records per uid and second (tracer.h); 0: no limit.
  std::uint32_t denied_rate = kDefaultDeniedRate;
  // --metrics-listen: "ADDR:PORT" ("[ADDR]:PORT" for IPv6) serving GET
  // /metrics in Prometheus' text format; empty: no listener.
  std::string metrics_listen;
};

// Runs until SIGINT/SIGTERM (then returns normally); a Failure when it
// cannot start.
Status run_daemon(const DaemonOptions& opts);

}  // namespace nsgroup
