// Prometheus' text format: one # HELP and # TYPE per family, then its
// samples; label values escaped (\\, \", \n).
#include "service/metrics.h"

#include <charconv>
#include <cstdint>
#include <initializer_list>
#include <utility>

#include "core/event.h"

namespace nsgroup {

namespace {

using Labels = std::initializer_list<std::pair<std::string_view, std::string_view>>;

class Exposition {
 public:
  // Starts a family; type is counter, gauge or histogram.
  void family(std::string_view name, std::string_view type, std::string_view help) {
    out_.append("# HELP ").append(name).append(" ").append(help).append("\n");
    out_.append("# TYPE ").append(name).append(" ").append(type).append("\n");
  }
  void sample(std::string_view name, Labels labels, std::string_view value) {
    out_.append(name);
    if (labels.size() != 0) {
      out_.push_back('{');
      bool first = true;
      for (const auto& [k, v] : labels) {
        if (!first)
          out_.push_back(',');
        first = false;
        out_.append(k).append("=\"");
        escape(v);
        out_.push_back('"');
      }
      out_.push_back('}');
    }
    out_.append(" ").append(value).append("\n");
  }
  void sample(std::string_view name, Labels labels, std::uint64_t value) {
    sample(name, labels, std::string_view(std::to_string(value)));
  }
  std::string take() { return std::move(out_); }

 private:
  void escape(std::string_view v) {
    for (char ch : v) {
      if (ch == '\\')
        out_.append("\\\\");
      else if (ch == '"')
        out_.append("\\\"");
      else if (ch == '\n')
        out_.append("\\n");
      else
        out_.push_back(ch);
    }
  }
  std::string out_;
};

// A count in the stats JSON; 0 for anything that is not one.
std::uint64_t count_of(const Json& n) { return n.is_number_unsigned() ? n.get<std::uint64_t>() : 0; }

std::uint64_t number(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() ? count_of(*it) : 0;
}

const Json* object(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}

std::string text(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// Seconds from microseconds, exactly ("0.25", "3", "0.000001").
std::string seconds(std::uint64_t us) {
  std::string s = std::to_string(us / 1'000'000);
  if (std::uint64_t frac = us % 1'000'000; frac != 0) {
    std::string f = std::to_string(frac);
    f.insert(0, 6 - f.size(), '0');
    while (f.back() == '0')
      f.pop_back();
    s.append(".").append(f);
  }
  return s;
}

// A family of one sample, unless the stats JSON lacks its key (a scoped
// client's figures hold only some).
void single(Exposition& e, std::string_view type, const Json& s, std::string_view key,
            std::string_view name, std::string_view help) {
  if (!s.contains(key))
    return;
  e.family(name, type, help);
  e.sample(name, {}, number(s, key));
}

void write_info(Exposition& e, const Json& s, std::string_view version) {
  e.family("nsgroup_build_info", "gauge", "nsgroup's version; always 1.");
  e.sample("nsgroup_build_info", {{"version", version}}, 1);
  if (s.contains("hooks")) {
    e.family("nsgroup_hooks_info", "gauge",
             "The BPF hook set attached (fexit or tracepoint) and where scans come from; always 1.");
    std::string hooks = text(s, "hooks");
    std::string scans = s.contains("scans") ? text(s["scans"], "source") : "";
    e.sample("nsgroup_hooks_info", {{"hooks", hooks}, {"scan", scans}}, 1);
  }
  single(e, "gauge", s, "uptime_seconds", "nsgroup_uptime_seconds", "Seconds since the daemon started.");
}

void write_events(Exposition& e, const Json& s) {
  const Json* ev = object(s, "events");
  if (!ev)
    return;
  e.family("nsgroup_events_total", "counter", "Events the daemon reported, by kind.");
  for (std::size_t k = 0; k < kEventKindCount; ++k) {
    std::string_view kind = to_string(static_cast<EventKind>(k));
    e.sample("nsgroup_events_total", {{"kind", kind}}, number(*ev, kind));
  }
}

void write_drops(Exposition& e, const Json& s) {
  if (const Json* dropped = object(s, "dropped")) {
    e.family("nsgroup_dropped_total", "counter",
             "Records and lines not delivered, by cause (ring_full records were healed by a "
             "rescan; suppressed denied records were counted in the kernel).");
    // stats_json writes every cause, zeros included.
    for (const auto& [cause, n] : dropped->items())
      e.sample("nsgroup_dropped_total", {{"cause", cause}},
               count_of(n));
  }
  if (const Json* by_uid = object(s, "suppressed_by_uid")) {
    e.family("nsgroup_suppressed_total", "counter",
             "Denied records over a uid's --denied-rate, by uid (\"other\": uids past the "
             "first 1024).");
    for (const auto& [uid, n] : by_uid->items())
      e.sample("nsgroup_suppressed_total", {{"uid", uid}},
               count_of(n));
  }
}

void write_scans(Exposition& e, const Json& s) {
  single(e, "counter", s, "reconciles", "nsgroup_reconciles_total", "Scans applied to the tree.");
  single(e, "counter", s, "failed_scans", "nsgroup_failed_scans_total",
          "Scans that failed part-way (the tree was left as it was).");
  const Json* scans = object(s, "scans");
  const Json* le = scans ? object(*scans, "le_us") : nullptr;
  if (!le)
    return;
  constexpr std::string_view name = "nsgroup_scan_duration_seconds";
  e.family(name, "histogram", "How long a scan of every process took, read and applied.");
  for (const auto& [bound, n] : le->items()) {
    std::uint64_t us = 0;
    auto [p, ec] = std::from_chars(bound.data(), bound.data() + bound.size(), us);
    bool inf = bound == "+Inf";
    if (!inf && (ec != std::errc() || p != bound.data() + bound.size()))
      continue;
    std::string b = inf ? std::string("+Inf") : seconds(us);
    e.sample("nsgroup_scan_duration_seconds_bucket", {{"le", b}},
             count_of(n));
  }
  e.sample("nsgroup_scan_duration_seconds_sum", {}, seconds(number(*scans, "sum_us")));
  e.sample("nsgroup_scan_duration_seconds_count", {}, number(*scans, "count"));
}

void write_tree(Exposition& e, const Json& s) {
  single(e, "gauge", s, "containers", "nsgroup_containers", "Containers in the tree, the root included.");
  single(e, "gauge", s, "processes", "nsgroup_processes", "Processes in containers other than the root.");
  single(e, "counter", s, "containers_created", "nsgroup_containers_created_total",
          "Containers the tree gained.");
  single(e, "counter", s, "containers_removed", "nsgroup_containers_removed_total",
          "Containers the tree lost (their last member exited or left).");
}

void write_clients(Exposition& e, const Json& s) {
  single(e, "counter", s, "requests", "nsgroup_requests_total", "Requests answered on the control socket.");
  single(e, "counter", s, "bad_requests", "nsgroup_bad_requests_total",
          "Requests refused as malformed or not allowed.");
  single(e, "gauge", s, "clients", "nsgroup_clients", "Clients connected to the control socket.");
  if (const Json* heap = object(s, "heap_bytes")) {
    e.family("nsgroup_heap_bytes", "gauge",
             "malloc's heap: bytes in use, and bytes free but not given back.");
    e.sample("nsgroup_heap_bytes", {{"state", "in_use"}}, number(*heap, "in_use"));
    e.sample("nsgroup_heap_bytes", {{"state", "free"}}, number(*heap, "free"));
  }
}

void write_mirror(Exposition& e, const Json& s) {
  const Json* m = object(s, "mirror");
  if (!m)
    return;
  single(e, "gauge", *m, "directories", "nsgroup_mirror_directories",
        "cgroup v2 directories the mirror holds.");
  e.family("nsgroup_mirror_operations_total", "counter", "cgroupfs operations of the mirror.");
  e.sample("nsgroup_mirror_operations_total", {{"op", "mkdir"}}, number(*m, "mkdirs"));
  e.sample("nsgroup_mirror_operations_total", {{"op", "rmdir"}}, number(*m, "rmdirs"));
  e.sample("nsgroup_mirror_operations_total", {{"op", "move"}}, number(*m, "moves"));
  e.family("nsgroup_mirror_errors_total", "counter", "cgroupfs operations that failed, by cause.");
  if (const Json* errors = object(*m, "errors"))
    for (const auto& [cause, n] : errors->items())
      e.sample("nsgroup_mirror_errors_total", {{"cause", cause}},
               count_of(n));
  e.family("nsgroup_mirror_pending", "gauge",
           "Directories waiting to be removed, and operations waiting to be retried.");
  e.sample("nsgroup_mirror_pending", {{"kind", "removals"}}, number(*m, "pending_removals"));
  e.sample("nsgroup_mirror_pending", {{"kind", "retries"}}, number(*m, "pending_retries"));
  single(e, "gauge", *m, "foreign_processes", "nsgroup_mirror_foreign_processes",
        "Members left where another manager placed them (--adopt).");
}

}  // namespace

std::string prometheus_text(const Json& stats, std::string_view version) {
  Exposition e;
  write_info(e, stats, version);
  write_events(e, stats);
  write_drops(e, stats);
  write_scans(e, stats);
  write_tree(e, stats);
  write_clients(e, stats);
  write_mirror(e, stats);
  return e.take();
}

}  // namespace nsgroup
