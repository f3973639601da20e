// Statistics as JSON.
#include "service/stats.h"

#include <algorithm>

namespace nsgroup {

Json mirror_stats_json(const MirrorStats& m) {
  Json j;
  j["root"] = m.root;
  j["adopt"] = m.adopt == Adopt::All ? "all" : "auto";
  j["directories"] = m.directories;
  j["mkdirs"] = m.mkdirs;
  j["rmdirs"] = m.rmdirs;
  j["moves"] = m.moves;
  j["pending_removals"] = m.pending_removals;
  j["pending_retries"] = m.pending_retries;
  j["foreign_processes"] = m.foreign_processes;
  Json errors = Json::object();
  for (const auto& [k, v] : m.errors)
    errors[k] = v;
  j["errors"] = errors;
  return j;
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

namespace {

// The histogram as cumulative counts by upper bound ("+Inf" last), the way
// Prometheus reads one.
Json scan_histogram_json(const Counters& c) {
  Json le = Json::object();
  std::uint64_t below = 0;
  for (std::size_t b = 0; b < kScanBucketsUs.size(); ++b) {
    below += c.scan_buckets[b];
    le[std::to_string(kScanBucketsUs[b])] = below;
  }
  le["+Inf"] = below + c.scan_buckets.back();
  return le;
}

}  // namespace

void count_suppressed(Counters& c, std::uint32_t uid, std::uint64_t n) {
  auto it = c.suppressed_by_uid.find(uid);
  if (it != c.suppressed_by_uid.end())
    it->second += n;
  else if (c.suppressed_by_uid.size() < kMaxUidsCounted)
    c.suppressed_by_uid.emplace(uid, n);
  else
    c.suppressed_other_uids += n;
}

Json stats_json(const Counters& c, const Tree& tree, const StatsContext& ctx) {
  Json s;
  s["hooks"] = ctx.hooks;
  s["uptime_seconds"] = (ctx.now_boot_ns - c.started_boot_ns) / 1'000'000'000ULL;
  Json ev = Json::object();
  for (std::size_t k = 0; k < kEventKindCount; ++k)
    if (c.events[k] != 0)
      ev[std::string(to_string(static_cast<EventKind>(k)))] = c.events[k];
  s["events"] = ev;
  s["lost"] = c.drops[static_cast<std::size_t>(Drop::RingFull)];
  // Every record or line not delivered, by cause.
  Json dropped = Json::object();
  for (std::size_t d = 0; d < kDropCount; ++d)
    dropped[std::string(to_string(static_cast<Drop>(d)))] = c.drops[d];
  dropped["stdout_lines"] = ctx.stdout_drops;
  dropped["slow_watchers"] = ctx.watcher_drops;
  s["dropped"] = dropped;
  Json by_uid = Json::object();
  for (const auto& [uid, n] : c.suppressed_by_uid)
    by_uid[std::to_string(uid)] = n;
  if (c.suppressed_other_uids != 0)
    by_uid["other"] = c.suppressed_other_uids;
  s["suppressed_by_uid"] = by_uid;
  s["reconciles"] = c.reconciles;
  s["failed_scans"] = c.failed_scans;
  Json le = scan_histogram_json(c);
  s["scans"] = {{"source", ctx.scans},     {"last_us", c.last_scan_us}, {"max_us", c.max_scan_us},
                {"sum_us", c.scan_sum_us}, {"count", le["+Inf"]},       {"le_us", le}};
  s["containers"] = tree.container_count();
  s["processes"] = tree.member_count();
  s["containers_created"] = c.containers_created;
  s["containers_removed"] = c.containers_removed;
  s["requests"] = c.requests;
  s["bad_requests"] = c.bad_requests;
  s["clients"] = ctx.clients;
  s["heap_bytes"] = {{"in_use", ctx.heap_in_use}, {"free", ctx.heap_free}};
  s["mirror"] = ctx.mirror ? mirror_stats_json(*ctx.mirror) : Json(nullptr);
  return s;
}

Json scoped_stats_json(const Tree& tree, ContainerId scope) {
  Json s;
  std::size_t containers = 0, processes = 0;
  if (tree.find(scope)) {
    tree.visit(scope, [&](const Container& ct, int) {
      ++containers;
      processes += ct.members.size();
    });
  }
  s["scope"] = tree.find(scope) ? tree.path(scope) : "";
  s["containers"] = containers;
  s["processes"] = processes;
  return s;
}

}  // namespace nsgroup
