// The agent's state and the consumers of its changes.
#include "service/agent.h"

#include <malloc.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <utility>

#include "core/labels.h"
#include "host/kill.h"
#include "json/event_json.h"
#include "util/log.h"

namespace nsgroup {

namespace {

constexpr std::uint64_t kLossScanEveryNs = 1'000'000'000ULL;
// A new container's label is read again on its first ticks: a hostname is
// set just after the unshare that made its namespace.
constexpr int kFreshTicks = 3;

}  // namespace

Agent::Agent(const DaemonOptions& opts)
    : opts_(opts),
      clock_(BootClock::now()),
      source_(opts.scan != ScanMode::Proc),
      state_(StateStore::open(opts.state_dir)) {
  counters_.started_boot_ns = BootClock::boot_ns_now();
}

const Tree& Agent::current() {
  catch_up();
  return *tree_;
}

const Tree& Agent::settled() {
  catch_up();
  collect();
  sync();
  relabel_fresh(true);  // containers never labelled yet: a few, not all
  return *tree_;
}

std::vector<std::uint32_t> Agent::live_pids() {
  auto pids = source_.proc().pids();
  return pids ? std::move(*pids) : std::vector<std::uint32_t>{};
}

std::optional<ProcInfo> Agent::read_process(std::uint32_t pid) {
  return source_.proc().read_process(pid);
}

std::optional<std::uint32_t> Agent::tgid_of(std::uint32_t tid) {
  return source_.proc().tgid(tid);
}

void Agent::relabel_all(const Snapshot* snap) {
  std::vector<ContainerId> ids;
  ids.reserve(tree_->container_count());
  tree_->visit(kRootId, [&](const Container& c, int) { ids.push_back(c.id); });
  labels_ = LabelInputs{};
  labels_.pins = pins();
  source_.labels(*tree_, ids, labels_, snap);
  nsgroup::relabel(*tree_, labels_);
}

void Agent::relabel_fresh(bool unlabelled_only) {
  std::vector<ContainerId> ids;
  for (auto& [id, ticks] : fresh_)
    if ((!unlabelled_only || ticks == kFreshTicks) && tree_->find(id))
      ids.push_back(id);
  for (auto& f : fresh_)
    f.second -= unlabelled_only ? (f.second == kFreshTicks) : 1;
  std::erase_if(fresh_, [](auto& f) { return f.second <= 0; });
  if (ids.empty())
    return;
  labels_.pins = pins();
  source_.labels(*tree_, ids, labels_);
  nsgroup::relabel(*tree_, labels_, ids);
}

const std::vector<PinnedNs>& Agent::pins() {
  if (source_.proc().mounts_changed())
    pins_ = source_.proc().pins();
  return pins_;
}

Status Agent::rename(ContainerId id, std::string_view name) {
  Status renamed = tree_->rename(id, name, delta_);
  sync();
  return renamed;
}

KillOutcome Agent::kill(ContainerId id) {
  sync();
  // cgroup.kill takes the whole directory subtree atomically, forks
  // included; members that live outside it get SIGKILL one by one.
  KillOutcome k;
  k.cgroup_kill = mirror_ && mirror_->cgroup_kill(id);
  k.signalled = kill_members(*tree_, id, [&](std::uint32_t pid) {
    return k.cgroup_kill && mirror_->in_directory(pid);
  });
  return k;
}

std::optional<std::string> Agent::cgroup_dir(ContainerId id) {
  return mirror_ ? mirror_->path_of(id) : std::nullopt;
}

std::optional<std::string> Agent::foreign_cgroup(std::uint32_t pid) {
  return mirror_ ? mirror_->foreign_cgroup(pid) : std::nullopt;
}

StatsReport Agent::stats() {
  StatsContext ctx;
  ctx.hooks = tracer_->hooks();
  ctx.scans = source_.kind();
  ctx.now_boot_ns = BootClock::boot_ns_now();
  ctx.clients = server_ ? server_->client_count() : 0;
  if (mirror_)
    ctx.mirror = mirror_->stats();
  struct mallinfo2 heap = ::mallinfo2();
  ctx.heap_in_use = heap.uordblks + heap.hblkhd;
  ctx.heap_free = heap.fordblks;
  ctx.stdout_drops = fanout_->stdout_drops();
  ctx.watcher_drops = server_ ? server_->slow_drops() : 0;
  return stats_report(counters_, *tree_, ctx);
}

void Agent::on_event(const Event& e) {
  ++counters_.events[static_cast<std::size_t>(e.kind)];
  if (scanning_ && e.kind != EventKind::Denied)
    touched_.push_back(e.pid);
  ApplyResult r = tree_->apply(e, delta_);
  if (r.created)
    ++counters_.containers_created;
  // Fork records are membership only; and JSON nobody reads is not built.
  if (e.kind != EventKind::Fork && fanout_->wanted())
    publish(e, r);
  // An empty container with children is spliced out now, not at the end
  // of the batch: a process that unshares in a loop never builds a chain
  // (every path, and every walk to the root, would grow with the batch).
  if (tree_->has_garbage())
    collect(false, true);
}

void Agent::publish(const Event& e, const ApplyResult& r) {
  EventPlacement p;
  p.container = tree_->path(r.container ? r.container : kRootId);
  p.from = tree_->path(r.from ? r.from : kRootId);
  p.created = r.created;
  // Exits and refusals have no origin to hide: they are scoped by where.
  bool no_origin = e.kind == EventKind::Exit || e.kind == EventKind::Denied;
  fanout_->publish(event_line(e, clock_, &p), p.container,
                   no_origin ? std::string_view() : std::string_view(p.from),
                   [&] { return event_line(e, clock_, &p, true); });
}

void Agent::collect(bool recheck_pinned, bool splice_only) {
  if (!tree_->has_garbage() && !(recheck_pinned && tree_->has_pinned()))
    return;
  std::size_t before = delta_.removed.size();
  delta_.want_paths = fanout_->wanted();
  // Splicing needs no fresh look at the mounts: a pin that matters there
  // was made before the child existed. (One poll(2) per batch, not per
  // record.)
  tree_->collect_garbage(splice_only ? pins_ : pins(), delta_, recheck_pinned, splice_only);
  for (std::size_t i = before; i < delta_.removed.size(); ++i) {
    ++counters_.containers_removed;
    const Removed& r = delta_.removed[i];
    if (fanout_->wanted())
      fanout_->publish(removed_line(r, clock_, BootClock::boot_ns_now()), r.path);
  }
}

void Agent::sync() {
  if (delta_.containers_changed())
    state_.mark_dirty();
  for (ContainerId id : delta_.made)
    fresh_.emplace_back(id, kFreshTicks);
  for (const Removed& r : delta_.removed) {
    labels_.hostname.erase(r.id);
    labels_.runtime_id.erase(r.id);
  }
  if (mirror_)
    mirror_->sync(*tree_, delta_);
  delta_.clear();
}

std::string Agent::status_line() const {
  return std::to_string(tree_->container_count()) + " containers, " +
         std::to_string(tree_->member_count()) + " processes in them" +
         (mirror_ ? ", mirrored in " + mirror_->root() : std::string());
}

void Agent::apply_scan(const Snapshot& snap) {
  std::size_t from = delta_.pids.size();
  tree_->reconcile(snap, delta_);
  // Tracking more than needed costs a few records; tracking less loses
  // exits. So user space only ever adds: the kernel untracks (see
  // Tracer::set_root_ns), in event order.
  for (std::size_t i = from; i < delta_.pids.size(); ++i)
    if (delta_.pids[i].to > kRootId)
      tracer_->track(delta_.pids[i].pid);
}

void Agent::reconcile(std::string_view why) { rescan(why, false); }

void Agent::rescan(std::string_view why, bool relabel) {
  // A scan the worker began before this one is older: it is dropped.
  scan_overtaken_ = scanning_;
  // Apply what the kernel already reported before looking at /proc.
  catch_up();
  reconcile_now_ = false;
  std::uint64_t started = BootClock::boot_ns_now();
  auto snap = source_.scan();
  if (!snap) {
    ++counters_.failed_scans;
    log_warn(std::string("a scan (") + source_.kind() + ") failed part-way (" + snap.error().message() +
             "): the tree is left as it is until the next one");
    return;
  }
  apply_scan(*snap);
  ++counters_.reconciles;
  record_scan(counters_, (BootClock::boot_ns_now() - started) / 1000);
  log_debug("reconciled (" + std::string(why) + "): " + std::to_string(snap->procs.size()) +
            " processes, " + std::to_string(tree_->container_count()) + " containers");
  collect();
  if (relabel)
    relabel_all(&*snap);
}

void Agent::after_batch() {
  if (std::uint64_t lost = tracer_->take_lost(); lost != 0) {
    counters_.drops[static_cast<std::size_t>(Drop::RingFull)] += lost;
    ++counters_.events[static_cast<std::size_t>(EventKind::Lost)];
    fanout_->publish(event_line(lost_event(lost, BootClock::boot_ns_now()), clock_), {});
    log_warn(std::to_string(lost) + " BPF records lost (ring buffer full); rescanning /proc");
    reconcile_now_ = true;
  }
  // At most one rescan a second for losses: a rescan under a flood costs
  // time in which more records are lost, and must not feed itself.
  std::uint64_t now = BootClock::boot_ns_now();
  if (reconcile_now_ && now - last_loss_scan_ns_ >= kLossScanEveryNs) {
    last_loss_scan_ns_ = now;
    reconcile_now_ = false;
    request_scan("lost events", false);
  }
  collect();
  sync();
  fanout_->flush();
}

Status Agent::bootstrap() {
  NsSet root = source_.proc().root_ns();
  tree_.emplace(root);
  fanout_.emplace(*tree_, !opts_.no_events);
  std::optional<SavedState> saved = state_.load();
  if (saved)
    tree_->reserve_ids(saved->next_id);
  if (opts_.no_mirror && saved) {
    std::size_t taken = tree_->restore(saved->containers, delta_);
    log_info("state " + state_.path() + ": " + std::to_string(taken) + " of " +
             std::to_string(saved->containers.size()) + " containers taken back");
  }
  if (!opts_.no_mirror) {
    auto place = prepare_mirror_root(opts_.cgroup_root);
    if (!place)
      return place.error();
    mirror_ = std::make_unique<Mirror>(cgroupfs_, place->mount, place->root, opts_.adopt,
                                       opts_.adopt_units);
    // A previous run's directories: same names for the same sets.
    auto restored = mirror_->discover();
    std::size_t taken = tree_->restore(restored, delta_);
    if (!restored.empty())
      log_info("mirror " + mirror_->root() + ": found " + std::to_string(restored.size()) +
               " directories of a previous run, " + std::to_string(taken) + " taken back");
  }
  // Attach first: whatever happens while we scan waits in the ring buffer
  // and is applied after, so nothing falls between scan and events.
  TracerOptions topts;
  topts.hooks = opts_.hooks;
  topts.ring_bytes = opts_.ring_kib * 1024U;
  topts.denied_rate = opts_.denied_rate;
  auto tracer = Tracer::open(topts, [this](const Event& e) { on_event(e); });
  if (!tracer)
    return tracer.error();
  tracer_.emplace(std::move(*tracer));
  tracer_->set_root_ns(root);
  auto snap = source_.scan();
  if (!snap)
    return Failure{snap.error().err,
                   std::string("cannot scan the processes (") + source_.kind() +
                       "): " + snap.error().what};
  apply_scan(*snap);
  // A member that forked between the scan and its tracking: a second scan
  // finds the child, and from here on the kernel reports such forks.
  reconcile("bootstrap");
  delta_.clear();
  if (mirror_)
    mirror_->sync_all(*tree_);
  relabel_all();
  // Later scans run on a thread of their own.
  auto worker = ScanWorker::start(opts_.scan != ScanMode::Proc);
  if (!worker)
    log_warn("scans stay on the event loop: " + worker.error().message());
  else
    worker_ = std::move(*worker);
  // libbpf's copies of the kernel's BTF, the first scans, the state file:
  // megabytes freed that malloc would otherwise keep.
  ::malloc_trim(0);
  log_info("bootstrap: " + std::to_string(snap->procs.size()) + " processes, " +
           std::to_string(tree_->container_count()) + " containers, hooks: " +
           tracer_->hooks() + (source_.proc().ids_available() ? ", namespace ids" : "") +
           ", scans: " + source_.kind());
  return {};
}

bool Agent::identify(Connection& c) {
  // The peer's container is fixed now, while the peer is the process
  // that connected: a pid read later could be someone else's.
  catch_up();
  auto pid = static_cast<std::uint32_t>(c.who.pid);
  PeerFacts facts{c.who.pid, c.who.uid, std::nullopt, 0, c.peer_pidfd.get() >= 0, c.unpinned};
  if (auto proc = source_.proc().read_process(pid); proc && proc->readable) {
    facts.ns = proc->ns;
    if (!tree_->is_member(pid) && tree_->key_of(proc->ns) != tree_->root().key) {
      reconcile("a client the tree had not placed");
      collect();
    }
  }
  facts.capabilities = source_.proc().capabilities(pid).value_or(0);
  auto who = nsgroup::identify(*tree_, facts);
  // With a pidfd of the connecting process: if it is still alive now, the
  // /proc reads above were of it, not of a process that reused its pid.
  if (who && c.peer_pidfd &&
      ::syscall(SYS_pidfd_send_signal, c.peer_pidfd.get(), 0, nullptr, 0) != 0)
    who = failure("it exited before it could be identified");
  if (!who) {
    log_warn("refused a control-socket client (pid " + std::to_string(pid) + ", uid " +
             std::to_string(c.who.uid) + "): " + who.error().message());
    return false;
  }
  c.who = *who;
  return true;
}

void Agent::take_kernel_drops() {
  for (Drop d : {Drop::TrackedFull, Drop::PendingMiss}) {
    if (std::uint64_t n = tracer_->take_drops(d); n != 0) {
      counters_.drops[static_cast<std::size_t>(d)] += n;
      log_warn(std::to_string(n) +
               (d == Drop::TrackedFull ? " processes could not be tracked (the map is full)"
                                       : " namespace calls lost their pending slot") +
               "; rescanning");
      reconcile_now_ = true;
    }
  }
  std::uint64_t suppressed = tracer_->take_drops(Drop::Suppressed);
  if (suppressed == 0)
    return;
  counters_.drops[static_cast<std::size_t>(Drop::Suppressed)] += suppressed;
  std::uint64_t now = BootClock::boot_ns_now();
  for (auto [uid, n] : tracer_->take_suppressed()) {
    count_suppressed(counters_, uid, n);
    ++counters_.events[static_cast<std::size_t>(EventKind::Suppressed)];
    fanout_->publish(event_line(suppressed_event(uid, n, now), clock_), {});
  }
}

void Agent::tick() {
  take_kernel_drops();
  if (reconcile_now_)
    after_batch();  // a rescan held back by the rate limit
  collect(true);
  sync();
  relabel_fresh();
  if (mirror_)
    mirror_->retry(*tree_);
  // The state file is built as a JSON document, a few hundred bytes a
  // container, freed again at once: given back when it was large.
  if (state_.save_if_due(*tree_, BootClock::boot_ns_now()) && tree_->container_count() >= 1024)
    ::malloc_trim(0);
  // Thousands of containers gone: give their memory back to the system
  // (glibc keeps freed chunks of a busy heap otherwise).
  if (counters_.containers_removed - removed_at_trim_ >= 1024) {
    removed_at_trim_ = counters_.containers_removed;
    ::malloc_trim(0);
  }
}

void Agent::periodic_reconcile() { request_scan("timer", true); }

void Agent::request_scan(std::string_view why, bool relabel) {
  if (!worker_) {
    rescan(why, relabel);
    return;
  }
  relabel_after_scan_ = relabel_after_scan_ || relabel;
  if (scanning_) {
    // The scan under way may have read before what this request is about
    // (records lost after it began): another follows it.
    scan_again_ = true;
    return;
  }
  if (!worker_->request())
    return;
  scanning_ = true;
  touched_.clear();
  scan_why_ = why;
}

void Agent::on_scan_done() {
  // What the kernel reported until now is applied first, and marks the
  // processes it touched.
  catch_up();
  auto done = worker_->take();
  if (!done)
    return;
  scanning_ = false;
  bool again = std::exchange(scan_again_, false);
  bool relabel = std::exchange(relabel_after_scan_, false);
  if (!std::exchange(scan_overtaken_, false))
    apply_worker_scan(*done, relabel);
  done.reset();
  // The snapshot (a few hundred bytes a process) is gone again.
  ::malloc_trim(0);
  if (again) {
    std::string why = scan_why_;
    request_scan(why, false);
  }
}

void Agent::apply_worker_scan(ScanWorker::Done& done, bool relabel) {
  if (!done.snap) {
    ++counters_.failed_scans;
    log_warn("a scan failed part-way (" + done.snap.error().message() +
             "): the tree is left as it is until the next one");
    return;
  }
  Snapshot& snap = *done.snap;
  keep_newer(snap, *tree_, std::move(touched_));
  touched_.clear();
  apply_scan(snap);
  ++counters_.reconciles;
  record_scan(counters_, done.took_us);
  log_debug("reconciled (" + scan_why_ + ", scanned off the loop): " +
            std::to_string(snap.procs.size()) + " processes, " +
            std::to_string(tree_->container_count()) + " containers");
  collect();
  if (relabel)
    relabel_all(&snap);
}

void Agent::stop() {
  fanout_->flush();
  state_.save(*tree_, BootClock::boot_ns_now());
  tracer_.reset();
}

}  // namespace nsgroup
