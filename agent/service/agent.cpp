// The agent's wiring: each job is a unit of its own; here they are
// connected, and the log says what they did.
#include "service/agent.h"

#include <malloc.h>

#include <utility>

#include "host/kill.h"
#include "service/peer_identifier.h"
#include "service/tree_pipeline.h"
#include "util/log.h"

namespace nsgroup {

Agent::Agent(const DaemonOptions& opts)
    : opts_(opts),
      clock_(BootClock::now()),
      source_(opts.scan != ScanMode::Proc),
      labeller_([this](const Tree& t, std::span<const ContainerId> ids, LabelInputs& into,
                       const Snapshot* snap) {
        into.pins = pins(true);
        source_.labels(t, ids, into, snap);
      }),
      state_(StateStore::open(opts.state_dir)) {
  counters_.started_boot_ns = BootClock::boot_ns_now();
}

const Tree& Agent::current() {
  catch_up();
  return tree();
}

const Tree& Agent::settled() {
  catch_up();
  model_->collect();
  model_->sync();
  labeller_.label_unlabelled(tree());  // containers never labelled yet: a few, not all
  return tree();
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

const std::vector<PinnedNs>& Agent::pins(bool fresh) {
  if (fresh && source_.proc().mounts_changed())
    pins_ = source_.proc().pins();
  return pins_;
}

Status Agent::rename(ContainerId id, std::string_view name) {
  Status renamed = tree().rename(id, name, model_->delta());
  model_->sync();
  if (renamed)
    fanout_->renamed();
  return renamed;
}

KillOutcome Agent::kill(ContainerId id) {
  model_->sync();
  // cgroup.kill takes the whole directory subtree atomically, forks
  // included; members that live outside it get SIGKILL one by one.
  KillOutcome k;
  k.cgroup_kill = mirror_ && mirror_->cgroup_kill(id);
  k.signalled = kill_members(tree(), id, [&](std::uint32_t pid) {
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
  ctx.hooks = tracer_->tracer().hooks();
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
  return stats_report(counters_, tree(), ctx);
}

void Agent::on_event(const Event& e) {
  if (e.kind != EventKind::Denied)
    scans_.touched(e.pid);
  model_->apply(e);
}

void Agent::lost(std::uint64_t n, std::uint64_t now_ns) {
  counters_.drops[static_cast<std::size_t>(Drop::RingFull)] += n;
  model_->publish_note(lost_event(n, now_ns));
  log_warn(std::to_string(n) + " BPF records lost (ring buffer full); rescanning /proc");
  scans_.note_loss();
}

void Agent::dropped(Drop cause, std::uint64_t n) {
  counters_.drops[static_cast<std::size_t>(cause)] += n;
  if (cause == Drop::Suppressed)
    return;  // reported per uid
  log_warn(std::to_string(n) +
           (cause == Drop::TrackedFull ? " processes could not be tracked (the map is full)"
                                       : " namespace calls lost their pending slot") +
           "; rescanning");
  scans_.note_loss();
}

void Agent::suppressed(std::uint32_t uid, std::uint64_t n, std::uint64_t now_ns) {
  count_suppressed(counters_, uid, n);
  model_->publish_note(suppressed_event(uid, n, now_ns));
}

std::string Agent::status_line() const {
  return std::to_string(tree().container_count()) + " containers, " +
         std::to_string(tree().member_count()) + " processes in them" +
         (mirror_ ? ", mirrored in " + mirror_->root() : std::string());
}

void Agent::apply_snapshot(const Snapshot& snap, bool relabel) {
  Delta& delta = model_->delta();
  std::size_t from = delta.pids.size();
  nsgroup::apply_snapshot(tree(), delta, snap,
                          {&pins(true), false, relabel ? &labeller_ : nullptr});
  // Tracking more than needed costs a few records; tracking less loses
  // exits. So user space only ever adds: the kernel untracks (see
  // Tracer::set_root_ns), in event order.
  for (std::size_t i = from; i < delta.pids.size(); ++i)
    if (delta.pids[i].to > kRootId)
      tracer_->tracer().track(delta.pids[i].pid);
  model_->publish_removed();
}

void Agent::count_scan(const Snapshot& snap, std::uint64_t took_us, std::string_view how) {
  ++counters_.reconciles;
  record_scan(counters_, took_us);
  log_debug("reconciled (" + std::string(how) + "): " + std::to_string(snap.procs.size()) +
            " processes, " + std::to_string(tree().container_count()) + " containers");
}

bool Agent::rescan(std::string_view why, bool relabel) {
  scans_.scan_on_loop();
  // Apply what the kernel already reported before looking at /proc.
  catch_up();
  std::uint64_t started = BootClock::boot_ns_now();
  auto snap = source_.scan();
  if (!snap) {
    ++counters_.failed_scans;
    log_warn(std::string("a scan (") + source_.kind() + ") failed part-way (" +
             snap.error().message() + "): the tree is left as it is until the next one");
    return false;
  }
  apply_snapshot(*snap, relabel);
  count_scan(*snap, (BootClock::boot_ns_now() - started) / 1000, why);
  return true;
}

void Agent::after_batch() {
  tracer_->report_losses(BootClock::boot_ns_now());
  if (scans_.take_loss_scan(BootClock::boot_ns_now()))
    request_scan("lost events", false);
  model_->collect();
  model_->sync();
  fanout_->flush();
}

void Agent::tick() {
  model_->collect_pinned();
  model_->sync();
  labeller_.tick(tree());
  if (mirror_)
    mirror_->retry(tree());
  // Both asked: each policy keeps its own count.
  bool saved_large = TrimPolicy::after_save(state_.save_if_due(tree(), BootClock::boot_ns_now()),
                                            tree().container_count());
  bool many_removed = trim_.after_removals(counters_.containers_removed);
  if (saved_large || many_removed)
    ::malloc_trim(0);
}

Status Agent::open_mirror(std::optional<SavedState>& saved) {
  if (opts_.no_mirror) {
    if (saved) {
      std::size_t taken = tree().restore(saved->containers, model_->delta());
      log_info("state " + state_.path() + ": " + std::to_string(taken) + " of " +
               std::to_string(saved->containers.size()) + " containers taken back");
    }
    return {};
  }
  auto place = prepare_mirror_root(opts_.cgroup_root);
  if (!place)
    return place.error();
  mirror_ = std::make_unique<Mirror>(cgroupfs_, place->mount, place->root, opts_.adopt,
                                     opts_.adopt_units);
  // A previous run's directories: same names for the same sets.
  auto restored = mirror_->discover();
  std::size_t taken = tree().restore(restored, model_->delta());
  if (!restored.empty())
    log_info("mirror " + mirror_->root() + ": found " + std::to_string(restored.size()) +
             " directories of a previous run, " + std::to_string(taken) + " taken back");
  return {};
}

Status Agent::bootstrap() {
  NsSet root = source_.proc().root_ns();
  model_.emplace(root, static_cast<EventPublisher&>(*this), counters_, clock_,
                 [this](bool fresh) -> const std::vector<PinnedNs>& { return pins(fresh); });
  fanout_.emplace(tree(), !opts_.no_events);
  std::optional<SavedState> saved = state_.load();
  if (saved)
    tree().reserve_ids(saved->next_id);
  if (auto ok = open_mirror(saved); !ok)
    return ok;
  // The consumers of each batch's changes.
  model_->add_sink([this](const Tree&, const Delta& d) {
    if (d.containers_changed())
      state_.mark_dirty();
  });
  model_->add_sink([this](const Tree&, const Delta& d) { labeller_.note(d); });
  model_->add_sink([this](const Tree& t, const Delta& d) {
    if (mirror_)
      mirror_->sync(t, d);
  });
  // Attach first: whatever happens while we scan waits in the ring buffer
  // and is applied after, so nothing falls between scan and events.
  auto tracer = TracerSession::open(tracer_options(opts_, true),
                                    [this](const Event& e) { on_event(e); },
                                    static_cast<LossListener&>(*this));
  if (!tracer)
    return tracer.error();
  tracer_ = std::move(*tracer);
  tracer_->tracer().set_root_ns(root);
  auto snap = source_.scan();
  if (!snap)
    return Failure{snap.error().err,
                   std::string("cannot scan the processes (") + source_.kind() +
                       "): " + snap.error().what};
  apply_snapshot(*snap, false);
  // A member that forked between the scan and its tracking: a second scan
  // finds the child, and from here on the kernel reports such forks. Its
  // snapshot gives every label.
  if (!rescan("bootstrap", true))
    labeller_.relabel_all(tree());
  model_->discard();
  if (mirror_)
    mirror_->sync_all(tree());
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
           std::to_string(tree().container_count()) + " containers, hooks: " +
           tracer_->tracer().hooks() + (source_.proc().ids_available() ? ", namespace ids" : "") +
           ", scans: " + source_.kind());
  return {};
}

bool Agent::identify(Connection& c) {
  // The peer's container is fixed now, while the peer is the process
  // that connected: a pid read later could be someone else's.
  catch_up();
  SystemPeerProbe probe(source_.proc());
  Peer peer{c.who.pid, c.who.uid, c.peer_pidfd.get(), c.unpinned};
  auto who = identify_peer(peer, probe, tree(), [this] {
    reconcile("a client the tree had not placed");
    model_->collect();
  });
  if (!who) {
    log_warn("refused a control-socket client (pid " + std::to_string(c.who.pid) + ", uid " +
             std::to_string(c.who.uid) + "): " + who.error().message());
    return false;
  }
  c.who = *who;
  return true;
}

void Agent::request_scan(std::string_view why, bool relabel) {
  if (!worker_) {
    (void)rescan(why, relabel);
    return;
  }
  if (scans_.want(relabel) && worker_->request())
    scans_.started(why);
}

void Agent::on_scan_done() {
  // What the kernel reported until now is applied first, and marks the
  // processes it touched.
  catch_up();
  auto done = worker_->take();
  if (!done)
    return;
  ScanScheduler::Finished f = scans_.finish();
  if (f.apply && !done->snap) {
    ++counters_.failed_scans;
    log_warn("a scan failed part-way (" + done->snap.error().message() +
             "): the tree is left as it is until the next one");
  } else if (f.apply) {
    keep_newer(*done->snap, tree(), std::move(f.touched));
    apply_snapshot(*done->snap, f.relabel);
    count_scan(*done->snap, done->took_us, f.why + ", scanned off the loop");
  }
  done.reset();
  // The snapshot (a few hundred bytes a process) is gone again.
  ::malloc_trim(0);
  if (f.again)
    request_scan(f.why, false);
}

void Agent::stop() {
  fanout_->flush();
  state_.save(tree(), BootClock::boot_ns_now());
  tracer_.reset();
}

}  // namespace nsgroup
