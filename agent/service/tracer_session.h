// One tracer session, for the daemon and for a one-shot `watch`: the
// tracer opened from the command line's options, its records delivered in
// bounded batches, and what the kernel side counted and did not deliver
// reported to a LossListener: ring-buffer losses after every batch, the
// other drops and the per-uid suppressed denials once a second.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "kernel/tracer.h"
#include "service/daemon.h"
#include "util/result.h"

namespace nsgroup {

// What the kernel side did not deliver.
class LossListener {
 public:
  virtual ~LossListener() = default;
  // Records the ring buffer had no room for.
  virtual void lost(std::uint64_t n, std::uint64_t now_ns) = 0;
  // TrackedFull, PendingMiss: records never made; Suppressed: the total of
  // denied records refused (the per-uid counts may sum to less: an
  // evicted uid's count is gone).
  virtual void dropped(Drop cause, std::uint64_t n) = 0;
  // Denied records one uid was refused since the last report.
  virtual void suppressed(std::uint32_t uid, std::uint64_t n, std::uint64_t now_ns) = 0;
};

// The kernel side's counters (the tracer's; a fake in tests).
class DropCounters {
 public:
  virtual ~DropCounters() = default;
  virtual std::uint64_t take_drops(Drop cause) = 0;
  virtual std::vector<UidCount> take_suppressed() = 0;
};

// How often the drops other than ring-buffer losses are read (a map read
// per CPU, and a walk of the per-uid map).
inline constexpr std::uint64_t kDropReportEveryNs = 1'000'000'000ULL;

// Reads the counters and tells the listener what moved.
class LossReporter {
 public:
  LossReporter(DropCounters& counters, LossListener& listener)
      : counters_(counters), listener_(listener) {}
  // Ring losses every call; the rest when kDropReportEveryNs passed since
  // the last time they were read (or never were).
  void report(std::uint64_t now_ns);

 private:
  DropCounters& counters_;
  LossListener& listener_;
  bool reported_ = false;
  std::uint64_t last_ns_ = 0;
};

// The tracer's options from the command line's (`daemon` and `watch`
// share --hooks, --ring-kib and --denied-rate). forks: fork records, which
// only the tree needs.
TracerOptions tracer_options(const DaemonOptions& opts, bool forks);

class TracerSession final : public DropCounters {
 public:
  // Loads and attaches; events go to `on_event`, losses to `listener`
  // (both must outlive the session).
  static Result<std::unique_ptr<TracerSession>> open(const TracerOptions& opts,
                                                     Tracer::Callback on_event,
                                                     LossListener& listener);

  // For epoll: readable when records that matter wait (tracer.h).
  int fd() const { return tracer_.fd(); }
  // Delivers at most max_records (0: all); true when that many came, so
  // the ring may hold more (the loop comes back at once).
  bool consume(int max_records);
  // After each batch: what was not delivered, reported.
  void report_losses(std::uint64_t now_ns) { reporter_.report(now_ns); }
  Tracer& tracer() { return tracer_; }

  std::uint64_t take_drops(Drop cause) override { return tracer_.take_drops(cause); }
  std::vector<UidCount> take_suppressed() override { return tracer_.take_suppressed(); }

 private:
  TracerSession(Tracer tracer, LossListener& listener)
      : tracer_(std::move(tracer)), reporter_(*this, listener) {}

  Tracer tracer_;
  LossReporter reporter_;
};

}  // namespace nsgroup
