// Prometheus' text format: one # HELP and # TYPE per family, then its
// samples; label values escaped (\\, \", \n).
#include "service/metrics.h"

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

// n / per exactly when per divides a power of ten (Prometheus' float
// text; "0.25", "3"), else to the microsecond.
std::string decimal(std::uint64_t n, std::uint64_t per) {
  if (per == 0)
    return "0";
  std::uint64_t whole = n / per;
  std::uint64_t us = (n % per) * 1'000'000 / per;
  std::string s = std::to_string(whole);
  if (us != 0) {
    std::string f = std::to_string(us);
    f.insert(0, 6 - f.size(), '0');
    while (f.back() == '0')
      f.pop_back();
    s.append(".").append(f);
  }
  return s;
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

// A family of one sample.
void single(Exposition& e, std::string_view type, std::string_view name, std::uint64_t value,
            std::string_view help) {
  e.family(name, type, help);
  e.sample(name, {}, value);
}

void write_info(Exposition& e, const StatsReport& s, std::string_view version) {
  e.family("nsgroup_build_info", "gauge", "nsgroup's version; always 1.");
  e.sample("nsgroup_build_info", {{"version", version}}, 1);
  if (s.scope)
    return;
  e.family("nsgroup_hooks_info", "gauge",
           "The BPF hook set attached (fexit or tracepoint) and where scans come from; always 1.");
  e.sample("nsgroup_hooks_info", {{"hooks", s.hooks}, {"scan", s.scans.source}}, 1);
  single(e, "gauge", "nsgroup_uptime_seconds", s.uptime_seconds,
         "Seconds since the daemon started.");
}

void write_events(Exposition& e, const StatsReport& s) {
  e.family("nsgroup_events_total", "counter", "Events the daemon reported, by kind.");
  for (std::size_t k = 0; k < kEventKindCount; ++k) {
    std::string_view kind = to_string(static_cast<EventKind>(k));
    e.sample("nsgroup_events_total", {{"kind", kind}}, s.events[k]);
  }
}

void write_drops(Exposition& e, const StatsReport& s) {
  e.family("nsgroup_dropped_total", "counter",
           "Records and lines not delivered, by cause (ring_full records were healed by a "
           "rescan; suppressed denied records were counted in the kernel).");
  // The report holds every cause, zeros included.
  for (const auto& [cause, n] : s.dropped)
    e.sample("nsgroup_dropped_total", {{"cause", cause}}, n);
  e.family("nsgroup_suppressed_total", "counter",
           "Denied records over a uid's --denied-rate, by uid (\"other\": uids past the "
           "first 1024).");
  for (const auto& [uid, n] : s.suppressed_by_uid)
    e.sample("nsgroup_suppressed_total", {{"uid", uid}}, n);
}

void write_scans(Exposition& e, const StatsReport& s) {
  single(e, "counter", "nsgroup_reconciles_total", s.reconciles, "Scans applied to the tree.");
  single(e, "counter", "nsgroup_failed_scans_total", s.failed_scans,
         "Scans that failed part-way (the tree was left as it was).");
  constexpr std::string_view name = "nsgroup_scan_duration_seconds";
  e.family(name, "histogram", "How long a scan of every process took, read and applied.");
  for (const auto& [us, n] : s.scans.le_us)
    e.sample("nsgroup_scan_duration_seconds_bucket", {{"le", seconds(us)}}, n);
  e.sample("nsgroup_scan_duration_seconds_bucket", {{"le", "+Inf"}}, s.scans.count);
  e.sample("nsgroup_scan_duration_seconds_sum", {}, seconds(s.scans.sum_us));
  e.sample("nsgroup_scan_duration_seconds_count", {}, s.scans.count);
}

void write_tree(Exposition& e, const StatsReport& s) {
  single(e, "gauge", "nsgroup_containers", s.containers,
         "Containers in the tree, the root included.");
  single(e, "gauge", "nsgroup_processes", s.processes,
         "Processes in containers other than the root.");
  if (s.scope)
    return;
  single(e, "counter", "nsgroup_containers_created_total", s.containers_created,
         "Containers the tree gained.");
  single(e, "counter", "nsgroup_containers_removed_total", s.containers_removed,
         "Containers the tree lost (their last member exited or left).");
}

void write_clients(Exposition& e, const StatsReport& s) {
  single(e, "counter", "nsgroup_requests_total", s.requests,
         "Requests answered on the control socket.");
  single(e, "counter", "nsgroup_bad_requests_total", s.bad_requests,
         "Requests refused as malformed or not allowed.");
  single(e, "gauge", "nsgroup_clients", s.clients, "Clients connected to the control socket.");
  e.family("nsgroup_heap_bytes", "gauge",
           "malloc's heap: bytes in use, and bytes free but not given back.");
  e.sample("nsgroup_heap_bytes", {{"state", "in_use"}}, s.heap_in_use);
  e.sample("nsgroup_heap_bytes", {{"state", "free"}}, s.heap_free);
}

void write_mirror(Exposition& e, const MirrorReport& m) {
  single(e, "gauge", "nsgroup_mirror_directories", m.directories,
         "cgroup v2 directories the mirror holds.");
  e.family("nsgroup_mirror_operations_total", "counter", "cgroupfs operations of the mirror.");
  e.sample("nsgroup_mirror_operations_total", {{"op", "mkdir"}}, m.mkdirs);
  e.sample("nsgroup_mirror_operations_total", {{"op", "rmdir"}}, m.rmdirs);
  e.sample("nsgroup_mirror_operations_total", {{"op", "move"}}, m.moves);
  e.family("nsgroup_mirror_errors_total", "counter", "cgroupfs operations that failed, by cause.");
  for (const auto& [cause, n] : m.errors)
    e.sample("nsgroup_mirror_errors_total", {{"cause", cause}}, n);
  e.family("nsgroup_mirror_pending", "gauge",
           "Directories waiting to be removed, and operations waiting to be retried.");
  e.sample("nsgroup_mirror_pending", {{"kind", "removals"}}, m.pending_removals);
  e.sample("nsgroup_mirror_pending", {{"kind", "retries"}}, m.pending_retries);
  single(e, "gauge", "nsgroup_mirror_foreign_processes", m.foreign_processes,
         "Members left where another manager placed them (--adopt).");
}

// The standard process_* families, named and typed as Prometheus' client
// libraries write them.
void write_self(Exposition& e, const SelfStats& p) {
  e.family("process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.");
  e.sample("process_cpu_seconds_total", {}, decimal(p.cpu_ticks, p.ticks_per_second));
  single(e, "gauge", "process_open_fds", p.open_fds, "Number of open file descriptors.");
  single(e, "gauge", "process_max_fds", p.max_fds, "Maximum number of open file descriptors.");
  single(e, "gauge", "process_virtual_memory_bytes", p.virtual_bytes,
         "Virtual memory size in bytes.");
  single(e, "gauge", "process_resident_memory_bytes", p.resident_bytes,
         "Resident memory size in bytes.");
  e.family("process_start_time_seconds", "gauge",
           "Start time of the process since unix epoch in seconds.");
  e.sample("process_start_time_seconds", {}, decimal(p.start_time_ticks, p.ticks_per_second));
}

}  // namespace

std::string prometheus_text(const StatsReport& stats, std::string_view version,
                            const SelfStats* self) {
  Exposition e;
  write_info(e, stats, version);
  if (!stats.scope) {
    write_events(e, stats);
    write_drops(e, stats);
    write_scans(e, stats);
  }
  write_tree(e, stats);
  if (!stats.scope) {
    write_clients(e, stats);
    if (stats.mirror)
      write_mirror(e, *stats.mirror);
  }
  if (self)
    write_self(e, *self);
  return e.take();
}

}  // namespace nsgroup
