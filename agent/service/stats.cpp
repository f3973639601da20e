// Statistics: counting, and the report.
#include "service/stats.h"

#include <algorithm>

namespace nsgroup {

MirrorReport mirror_report(const MirrorStats& m) {
  MirrorReport r;
  r.root = m.root;
  r.adopt = m.adopt == Adopt::All ? "all" : "auto";
  r.directories = m.directories;
  r.mkdirs = m.mkdirs;
  r.rmdirs = m.rmdirs;
  r.moves = m.moves;
  r.pending_removals = m.pending_removals;
  r.pending_retries = m.pending_retries;
  r.foreign_processes = m.foreign_processes;
  r.errors.assign(m.errors.begin(), m.errors.end());
  return r;
}

void record_scan(Counters& c, std::uint64_t us) {
  c.last_scan_us = us;
  c.max_scan_us = std::max(c.max_scan_us, us);
  c.scan_sum_us += us;
  std::size_t b = 0;
  while (b < kScanBucketsUs.size() && us > kScanBucketsUs[b])
    ++b;
  ++c.scan_buckets[b];
}

void count_suppressed(Counters& c, std::uint32_t uid, std::uint64_t n) {
  auto it = c.suppressed_by_uid.find(uid);
  if (it != c.suppressed_by_uid.end())
    it->second += n;
  else if (c.suppressed_by_uid.size() < kMaxUidsCounted)
    c.suppressed_by_uid.emplace(uid, n);
  else
    c.suppressed_other_uids += n;
}

StatsReport stats_report(const Counters& c, const Tree& tree, const StatsContext& ctx) {
  StatsReport s;
  s.hooks = ctx.hooks;
  s.uptime_seconds = (ctx.now_boot_ns - c.started_boot_ns) / 1'000'000'000ULL;
  s.events = c.events;
  s.lost = c.drops[static_cast<std::size_t>(Drop::RingFull)];
  // Every record or line not delivered, by cause.
  for (std::size_t d = 0; d < kDropCount; ++d)
    s.dropped.emplace_back(to_string(static_cast<Drop>(d)), c.drops[d]);
  s.dropped.emplace_back("stdout_lines", ctx.stdout_drops);
  s.dropped.emplace_back("slow_watchers", ctx.watcher_drops);
  for (const auto& [uid, n] : c.suppressed_by_uid)
    s.suppressed_by_uid.emplace_back(std::to_string(uid), n);
  if (c.suppressed_other_uids != 0)
    s.suppressed_by_uid.emplace_back("other", c.suppressed_other_uids);
  s.reconciles = c.reconciles;
  s.failed_scans = c.failed_scans;
  s.scans.source = ctx.scans;
  s.scans.last_us = c.last_scan_us;
  s.scans.max_us = c.max_scan_us;
  s.scans.sum_us = c.scan_sum_us;
  // Cumulative by upper bound, the way Prometheus reads a histogram.
  std::uint64_t below = 0;
  for (std::size_t b = 0; b < kScanBucketsUs.size(); ++b) {
    below += c.scan_buckets[b];
    s.scans.le_us.emplace_back(kScanBucketsUs[b], below);
  }
  s.scans.count = below + c.scan_buckets.back();
  s.containers = tree.container_count();
  s.processes = tree.member_count();
  s.containers_created = c.containers_created;
  s.containers_removed = c.containers_removed;
  s.requests = c.requests;
  s.bad_requests = c.bad_requests;
  s.clients = ctx.clients;
  s.heap_in_use = ctx.heap_in_use;
  s.heap_free = ctx.heap_free;
  if (ctx.mirror)
    s.mirror = mirror_report(*ctx.mirror);
  return s;
}

StatsReport scoped_stats_report(const Tree& tree, ContainerId scope) {
  StatsReport s;
  if (tree.find(scope)) {
    tree.visit(scope, [&](const Container& ct, int) {
      ++s.containers;
      s.processes += ct.members.size();
    });
  }
  s.scope = tree.find(scope) ? tree.path(scope) : "";
  return s;
}

}  // namespace nsgroup
