// The daemon's counters, and `nsgroup stats` as a report (json/
// stats_report.h): every figure for a root-scoped client, its own
// subtree's for one inside a container.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "core/event.h"
#include "core/tree.h"
#include "host/mirror.h"
#include "json/stats_report.h"
#include "kernel/tracer.h"

namespace nsgroup {

struct Counters {
  std::array<std::uint64_t, kEventKindCount> events{};
  // What the kernel side did not deliver, by cause (tracer.h's Drop; "lost"
  // in stats is RingFull), and
  // per uid the denied records it suppressed (kMaxUidsCounted uids; the
  // rest under uid "other").
  std::array<std::uint64_t, kDropCount> drops{};
  std::map<std::uint32_t, std::uint64_t> suppressed_by_uid;
  std::uint64_t suppressed_other_uids = 0;
  std::uint64_t reconciles = 0;
  std::uint64_t failed_scans = 0;
  // The last scan (read and applied, on the event loop), the longest, and
  // how many took at most kScanBucketsUs[i] (record_scan keeps them).
  std::uint64_t last_scan_us = 0;
  std::uint64_t max_scan_us = 0;
  std::array<std::uint64_t, 12> scan_buckets{};  // the last: longer than all
  std::uint64_t scan_sum_us = 0;
  std::uint64_t containers_created = 0;
  std::uint64_t containers_removed = 0;
  std::uint64_t requests = 0;
  std::uint64_t bad_requests = 0;
  std::uint64_t started_boot_ns = 0;
};

// Facts that live outside the counters and the tree.
struct StatsContext {
  std::string hooks;
  std::string scans;  // "task iterator" or "/proc"
  std::uint64_t now_boot_ns = 0;
  std::size_t clients = 0;
  std::optional<MirrorStats> mirror;
  // malloc's heap: bytes in use, and bytes free but not given back.
  std::uint64_t heap_in_use = 0;
  std::uint64_t heap_free = 0;
  std::uint64_t stdout_drops = 0;   // lines stdout could not take
  std::uint64_t watcher_drops = 0;  // clients dropped for not reading
};

// The scan-duration histogram's upper bounds, 1 ms to 5 s.
inline constexpr std::array<std::uint64_t, 11> kScanBucketsUs = {
    1'000, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 500'000, 1'000'000, 2'500'000,
    5'000'000};
// Counts one scan that took us microseconds.
void record_scan(Counters& c, std::uint64_t us);

inline constexpr std::size_t kMaxUidsCounted = 1024;
// Counts n suppressed records of uid in c.
void count_suppressed(Counters& c, std::uint32_t uid, std::uint64_t n);

StatsReport stats_report(const Counters& c, const Tree& tree, const StatsContext& ctx);
// The figures of one subtree.
StatsReport scoped_stats_report(const Tree& tree, ContainerId scope);
MirrorReport mirror_report(const MirrorStats& m);

}  // namespace nsgroup
