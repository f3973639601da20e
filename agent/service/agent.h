// The agent: wires the units that keep the tree current and hand on its
// changes. The model (model.h) holds the tree and its deltas; the tracer
// session (tracer_session.h) feeds it events and reports losses; the scan
// scheduler (scan_scheduler.h) and worker decide and make rescans, through
// the one snapshot pipeline (tree_pipeline.h); the labeller (labeller.h),
// the mirror and the state file take each batch's changes; the peer
// identifier (peer_identifier.h) fixes who a client is. It answers the
// control socket's handlers (ApiBackend); the daemon (daemon.cpp) owns the
// loop around it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/cgroupfs.h"
#include "host/mirror.h"
#include "service/api.h"
#include "service/daemon.h"
#include "service/fanout.h"
#include "service/housekeeping.h"
#include "service/labeller.h"
#include "service/model.h"
#include "service/scan_scheduler.h"
#include "service/scan_source.h"
#include "service/scan_worker.h"
#include "service/server.h"
#include "service/state_store.h"
#include "service/stats.h"
#include "service/tracer_session.h"
#include "util/clock.h"

namespace nsgroup {

// Records applied per loop turn (about 10 ms of work at most).
inline constexpr int kRecordsPerTurn = 4096;
// Records applied before an answer or a scan (a turn's worth: outside a
// flood, everything waiting).
inline constexpr int kCatchUpRecords = kRecordsPerTurn;

class Agent final : public ApiBackend, private EventPublisher, private LossListener {
 public:
  explicit Agent(const DaemonOptions& opts);
  Agent(const Agent&) = delete;
  Agent& operator=(const Agent&) = delete;

  // Mirror root, attach, first scan: from here nothing is missed.
  Status bootstrap();
  // The watchers of events, once the socket is up.
  void attach(Server* server) {
    server_ = server;
    fanout_->attach(server);
  }
  int ring_fd() const { return tracer_->fd(); }
  // Delivers what the ring buffer holds, at most kRecordsPerTurn: a flood
  // of records must leave the loop time for its clients and its timers.
  void consume() { behind_ = tracer_->consume(kRecordsPerTurn); }
  // True when the last consume() left records in the ring: the loop comes
  // back at once instead of sleeping.
  bool behind() const { return behind_; }
  // Before an answer or a scan: what the kernel reported until now, at
  // most kCatchUpRecords. Unbounded, a flood that produces as fast as it
  // is read would hold the loop for as long as it lasts.
  void catch_up() { behind_ = tracer_->consume(kCatchUpRecords); }
  // After each loop turn: report losses (and rescan), collect, sync.
  void after_batch();
  // Once a second: pins rechecked, mirror retries, state saved when due,
  // new containers labelled, memory given back after mass removals.
  void tick();
  // On the reconcile timer: a scan on the worker, and every label read
  // again from it once it is applied.
  void periodic_reconcile() { request_scan("timer", true); }
  // Readable when the scan worker has a snapshot; -1 before bootstrap.
  int scan_fd() const { return worker_ ? worker_->fd() : -1; }
  // Applies the worker's snapshot.
  void on_scan_done();
  // A connecting client's identity (access rule inputs), or false.
  bool identify(Connection& c);
  // Saves the state and detaches the programs.
  void stop();
  std::string status_line() const;
  Api& api() { return api_; }

  // ApiBackend
  const Tree& current() override;
  const Tree& settled() override;
  std::vector<std::uint32_t> live_pids() override;
  std::optional<ProcInfo> read_process(std::uint32_t pid) override;
  std::optional<std::uint32_t> tgid_of(std::uint32_t tid) override;
  void reconcile(std::string_view why) override { (void)rescan(why, false); }
  // A scan applied; with `relabel`, every label read again from it. False
  // when the scan failed (the tree is left as it was).
  bool rescan(std::string_view why, bool relabel);
  // A scan on the worker (at once where there is none yet); with
  // `relabel`, every label read again once it is applied.
  void request_scan(std::string_view why, bool relabel);
  Status rename(ContainerId id, std::string_view name) override;
  KillOutcome kill(ContainerId id) override;
  std::optional<std::string> cgroup_dir(ContainerId id) override;
  std::optional<std::string> foreign_cgroup(std::uint32_t pid) override;
  StatsReport stats() override;

 private:
  // EventPublisher: the fan-out.
  bool wanted() const override { return fanout_->wanted(); }
  void publish(const WatchSubject& subject, const LineFn& line, std::string_view from,
               const LineFn& redacted) override {
    fanout_->publish(subject, line, from, redacted);
  }
  // LossListener: counted, published, and a rescan where the tree missed
  // something.
  void lost(std::uint64_t n, std::uint64_t now_ns) override;
  void dropped(Drop cause, std::uint64_t n) override;
  void suppressed(std::uint32_t uid, std::uint64_t n, std::uint64_t now_ns) override;

  void on_event(const Event& e);
  // A snapshot through the pipeline; the kernel tracks every process it
  // placed.
  void apply_snapshot(const Snapshot& snap, bool relabel);
  // A rescan counted in the stats and logged (how: why and where).
  void count_scan(const Snapshot& snap, std::uint64_t took_us, std::string_view how);
  // The nsfs pins, read again (fresh) only when the mount table changed.
  const std::vector<PinnedNs>& pins(bool fresh);
  Tree& tree() { return model_->tree(); }
  const Tree& tree() const { return model_->tree(); }
  Status open_mirror(std::optional<SavedState>& saved);

  DaemonOptions opts_;
  BootClock clock_;
  ScanSource source_;
  SystemCgroupFs cgroupfs_;
  std::vector<PinnedNs> pins_;
  Counters counters_;
  std::optional<Model> model_;
  std::optional<Fanout> fanout_;
  Labeller labeller_;
  ScanScheduler scans_;
  TrimPolicy trim_;
  std::unique_ptr<TracerSession> tracer_;
  std::unique_ptr<Mirror> mirror_;
  Api api_{*this, clock_, counters_};
  StateStore state_;
  Server* server_ = nullptr;
  std::unique_ptr<ScanWorker> worker_;
  bool behind_ = false;
};

}  // namespace nsgroup
