// Stats as JSON: written with JsonWriter, read with nlohmann.
#include "json/stats_json.h"

#include <charconv>

#include "json/json.h"
#include "json/writer.h"

namespace nsgroup {

namespace {

void write_counts(JsonWriter& w, std::string_view key, const NamedCounts& counts) {
  w.key(key).begin_object();
  for (const auto& [name, n] : counts)
    w.member(name, n);
  w.end_object();
}

void write_scans(JsonWriter& w, const ScanReport& s) {
  w.key("scans").begin_object();
  w.member("source", s.source).member("last_us", s.last_us).member("max_us", s.max_us);
  w.member("sum_us", s.sum_us).member("count", s.count);
  w.key("le_us").begin_object();
  for (const auto& [bound, n] : s.le_us)
    w.member(std::to_string(bound), n);
  w.member("+Inf", s.count).end_object();
  w.end_object();
}

void write_mirror(JsonWriter& w, const MirrorReport& m) {
  w.key("mirror").begin_object();
  w.member("root", m.root).member("adopt", m.adopt).member("directories", m.directories);
  w.member("mkdirs", m.mkdirs).member("rmdirs", m.rmdirs).member("moves", m.moves);
  w.member("pending_removals", m.pending_removals).member("pending_retries", m.pending_retries);
  w.member("foreign_processes", m.foreign_processes);
  write_counts(w, "errors", m.errors);
  w.end_object();
}

// A count; 0 for anything that is not one.
std::uint64_t count_of(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_number_unsigned() ? it->get<std::uint64_t>() : 0;
}

std::string text_of(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

NamedCounts counts_of(const Json& j, std::string_view key) {
  NamedCounts out;
  auto it = j.find(key);
  if (it == j.end() || !it->is_object())
    return out;
  for (const auto& [name, n] : it->items())
    out.emplace_back(name, n.is_number_unsigned() ? n.get<std::uint64_t>() : 0);
  return out;
}

ScanReport scans_of(const Json& j) {
  ScanReport s;
  s.source = text_of(j, "source");
  s.last_us = count_of(j, "last_us");
  s.max_us = count_of(j, "max_us");
  s.sum_us = count_of(j, "sum_us");
  s.count = count_of(j, "count");
  for (const auto& [bound, n] : counts_of(j, "le_us")) {
    std::uint64_t us = 0;
    auto [p, ec] = std::from_chars(bound.data(), bound.data() + bound.size(), us);
    if (ec == std::errc() && p == bound.data() + bound.size())
      s.le_us.emplace_back(us, n);
  }
  return s;
}

MirrorReport mirror_of(const Json& j) {
  MirrorReport m;
  m.root = text_of(j, "root");
  m.adopt = text_of(j, "adopt");
  m.directories = count_of(j, "directories");
  m.mkdirs = count_of(j, "mkdirs");
  m.rmdirs = count_of(j, "rmdirs");
  m.moves = count_of(j, "moves");
  m.pending_removals = count_of(j, "pending_removals");
  m.pending_retries = count_of(j, "pending_retries");
  m.foreign_processes = count_of(j, "foreign_processes");
  m.errors = counts_of(j, "errors");
  return m;
}

}  // namespace

void write_stats_json(const StatsReport& s, std::string& out) {
  JsonWriter w(out);
  w.begin_object();
  if (s.scope) {
    w.member("scope", *s.scope).member("containers", s.containers);
    w.member("processes", s.processes).end_object();
    return;
  }
  w.member("hooks", s.hooks).member("uptime_seconds", s.uptime_seconds);
  w.key("events").begin_object();
  for (std::size_t k = 0; k < kEventKindCount; ++k)
    if (s.events[k] != 0)
      w.member(to_string(static_cast<EventKind>(k)), s.events[k]);
  w.end_object();
  w.member("lost", s.lost);
  write_counts(w, "dropped", s.dropped);
  write_counts(w, "suppressed_by_uid", s.suppressed_by_uid);
  w.member("reconciles", s.reconciles).member("failed_scans", s.failed_scans);
  write_scans(w, s.scans);
  w.member("containers", s.containers).member("processes", s.processes);
  w.member("containers_created", s.containers_created);
  w.member("containers_removed", s.containers_removed);
  w.member("requests", s.requests).member("bad_requests", s.bad_requests);
  w.member("clients", s.clients);
  w.key("heap_bytes").begin_object();
  w.member("in_use", s.heap_in_use).member("free", s.heap_free).end_object();
  if (s.mirror)
    write_mirror(w, *s.mirror);
  else
    w.key("mirror").null();
  w.end_object();
}

Result<StatsReport> parse_stats_json(std::string_view text) {
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return failure("stats are not a JSON object");
  StatsReport s;
  s.containers = count_of(j, "containers");
  s.processes = count_of(j, "processes");
  if (j.contains("scope")) {
    s.scope = text_of(j, "scope");
    return s;
  }
  s.hooks = text_of(j, "hooks");
  s.uptime_seconds = count_of(j, "uptime_seconds");
  for (const auto& [kind, n] : counts_of(j, "events"))
    for (std::size_t k = 0; k < kEventKindCount; ++k)
      if (to_string(static_cast<EventKind>(k)) == kind)
        s.events[k] = n;
  s.lost = count_of(j, "lost");
  s.dropped = counts_of(j, "dropped");
  s.suppressed_by_uid = counts_of(j, "suppressed_by_uid");
  s.reconciles = count_of(j, "reconciles");
  s.failed_scans = count_of(j, "failed_scans");
  if (auto it = j.find("scans"); it != j.end() && it->is_object())
    s.scans = scans_of(*it);
  s.containers_created = count_of(j, "containers_created");
  s.containers_removed = count_of(j, "containers_removed");
  s.requests = count_of(j, "requests");
  s.bad_requests = count_of(j, "bad_requests");
  s.clients = count_of(j, "clients");
  if (auto it = j.find("heap_bytes"); it != j.end() && it->is_object()) {
    s.heap_in_use = count_of(*it, "in_use");
    s.heap_free = count_of(*it, "free");
  }
  if (auto it = j.find("mirror"); it != j.end() && it->is_object())
    s.mirror = mirror_of(*it);
  return s;
}

}  // namespace nsgroup
