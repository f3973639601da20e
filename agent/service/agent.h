// The agent's state: the tree kept current from the tracer's events and
// from scans, and the consumers of what changes (mirror, fan-out, state
// file). It answers the control socket's handlers (ApiBackend); the daemon
// (daemon.cpp) owns the loop around it.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/labels.h"
#include "host/cgroupfs.h"
#include "host/mirror.h"
#include "kernel/tracer.h"
#include "service/api.h"
#include "service/daemon.h"
#include "service/fanout.h"
#include "service/scan_source.h"
#include "service/scan_worker.h"
#include "service/server.h"
#include "service/state_store.h"
#include "service/stats.h"
#include "util/clock.h"

namespace nsgroup {

// Records applied per loop turn (about 10 ms of work at most).
inline constexpr int kRecordsPerTurn = 4096;
// Records applied before an answer or a scan (a turn's worth: outside a
// flood, everything waiting).
inline constexpr int kCatchUpRecords = kRecordsPerTurn;

class Agent final : public ApiBackend {
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
  void consume() { behind_ = tracer_->consume(kRecordsPerTurn) >= kRecordsPerTurn; }
  // True when the last consume() left records in the ring: the loop comes
  // back at once instead of sleeping.
  bool behind() const { return behind_; }
  // Before an answer or a scan: what the kernel reported until now, at
  // most kCatchUpRecords. Unbounded, a flood that produces as fast as it
  // is read would hold the loop for as long as it lasts.
  void catch_up() { behind_ = tracer_->consume(kCatchUpRecords) >= kCatchUpRecords; }
  // After each loop turn: report losses (and rescan), collect, sync.
  void after_batch();
  // Once a second: pins rechecked, mirror retries, state saved when due,
  // new containers labelled, memory given back after mass removals.
  void tick();
  // On the reconcile timer: a scan on the worker, and every label read
  // again from it once it is applied.
  void periodic_reconcile();
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
  void reconcile(std::string_view why) override;
  // A scan applied; with `relabel`, every label read again from it.
  void rescan(std::string_view why, bool relabel);
  // A scan on the worker (at once where there is none yet); with
  // `relabel`, every label read again once it is applied.
  void request_scan(std::string_view why, bool relabel);
  Status rename(ContainerId id, std::string_view name) override;
  KillOutcome kill(ContainerId id) override;
  std::optional<std::string> cgroup_dir(ContainerId id) override;
  std::optional<std::string> foreign_cgroup(std::uint32_t pid) override;
  StatsReport stats() override;

 private:
  void on_event(const Event& e);
  // Once a second: what the kernel side counted and did not deliver; the
  // suppressed denied records reported per uid, a rescan for the rest.
  void take_kernel_drops();
  void apply_worker_scan(ScanWorker::Done& done, bool relabel);
  void publish(const Event& e, const ApplyResult& r);
  // Applies a scan; the kernel tracks every process it placed.
  void apply_scan(const Snapshot& snap);
  // Newly empty containers; with recheck_pinned, those kept by pins too
  // (on the timer: mountinfo is read once a second, not once a batch).
  void collect(bool recheck_pinned = false, bool splice_only = false);
  // Hands the batch's delta to its consumers, then empties it.
  void sync();
  // The nsfs pins, read again only when the mount table changed.
  const std::vector<PinnedNs>& pins();
  // Labels, computed once per container and kept: those of all on a
  // reconcile, those of new containers on their first ticks (a hostname
  // is set just after the unshare that made its namespace).
  // From `snap` where it carries hostnames (a scan just applied).
  void relabel_all(const Snapshot* snap = nullptr);
  // unlabelled_only: only those made since the last labelling (a request
  // about to show them), without counting a tick.
  void relabel_fresh(bool unlabelled_only = false);

  DaemonOptions opts_;
  BootClock clock_;
  ScanSource source_;
  SystemCgroupFs cgroupfs_;
  std::optional<Tree> tree_;
  Delta delta_;  // what changed since the last sync()
  std::vector<PinnedNs> pins_;
  LabelInputs labels_;
  // Containers made lately, and on how many more ticks to label them.
  std::vector<std::pair<ContainerId, int>> fresh_;
  std::optional<Tracer> tracer_;
  std::unique_ptr<Mirror> mirror_;
  std::optional<Fanout> fanout_;
  Counters counters_;
  Api api_{*this, clock_, counters_};
  StateStore state_;
  Server* server_ = nullptr;
  std::unique_ptr<ScanWorker> worker_;
  // While the worker scans: the pids events touched since it began, and
  // what to do with its snapshot.
  bool scanning_ = false;
  std::vector<std::uint32_t> touched_;
  bool relabel_after_scan_ = false;
  bool scan_overtaken_ = false;  // a scan on the loop came after it began
  bool scan_again_ = false;      // asked for while one ran: it may predate why
  std::string scan_why_;
  bool reconcile_now_ = false;  // records were lost: a rescan is due
  bool behind_ = false;
  std::uint64_t last_loss_scan_ns_ = 0;
  std::uint64_t removed_at_trim_ = 0;
};

}  // namespace nsgroup
