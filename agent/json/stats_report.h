// StatsReport: `nsgroup stats` as plain data, between the daemon that
// counts (service/stats.h), json/stats_json.h that writes and reads it as
// JSON, and service/metrics.h that writes it for Prometheus. The figures
// are docs/design.md's "Stats".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/event.h"

namespace nsgroup {

// A count under a name (a drop cause, a uid, an error), in report order.
using NamedCounts = std::vector<std::pair<std::string, std::uint64_t>>;

struct MirrorReport {
  std::string root;
  std::string adopt;  // "auto" or "all"
  std::uint64_t directories = 0, mkdirs = 0, rmdirs = 0, moves = 0;
  std::uint64_t pending_removals = 0, pending_retries = 0, foreign_processes = 0;
  NamedCounts errors;  // by cause
};

struct ScanReport {
  std::string source;  // "task iterator" or "/proc"
  std::uint64_t last_us = 0, max_us = 0, sum_us = 0;
  // Cumulative counts by upper bound in microseconds; past the last
  // bound, `count` (Prometheus' "+Inf").
  std::vector<std::pair<std::uint64_t, std::uint64_t>> le_us;
  std::uint64_t count = 0;
};

struct StatsReport {
  // A client inside a container gets its subtree's figures only: the
  // scope, containers and processes; everything else is for root's scope.
  std::optional<std::string> scope;
  std::uint64_t containers = 0;
  std::uint64_t processes = 0;

  std::string hooks;
  std::uint64_t uptime_seconds = 0;
  std::array<std::uint64_t, kEventKindCount> events{};
  std::uint64_t lost = 0;
  NamedCounts dropped;            // every cause, zeros included
  NamedCounts suppressed_by_uid;  // "other": uids past the first 1024
  std::uint64_t reconciles = 0;
  std::uint64_t failed_scans = 0;
  ScanReport scans;
  std::uint64_t containers_created = 0;
  std::uint64_t containers_removed = 0;
  std::uint64_t requests = 0;
  std::uint64_t bad_requests = 0;
  std::uint64_t clients = 0;
  std::uint64_t heap_in_use = 0;
  std::uint64_t heap_free = 0;
  std::optional<MirrorReport> mirror;
};

}  // namespace nsgroup
