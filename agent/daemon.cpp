// The daemon: attach, bootstrap from /proc, then apply events as they come,
// reconcile on a timer and after losses, and answer the control socket.
#include "daemon.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <map>
#include <memory>
#include <optional>

#include "clock.h"
#include "event_json.h"
#include "kill.h"
#include "labels.h"
#include "log.h"
#include "loop.h"
#include "mirror.h"
#include "scanner.h"
#include "server.h"
#include "tracer.h"
#include "tree.h"
#include "tree_json.h"

namespace nsgroup {

namespace {

enum : std::uint64_t { kRing = 1, kSignal, kReconcileTimer, kTickTimer, kListen };

struct Stats {
  std::map<std::string, std::uint64_t, std::less<>> events;
  std::uint64_t lost = 0;
  std::uint64_t reconciles = 0;
  std::uint64_t containers_created = 0;
  std::uint64_t containers_removed = 0;
  std::uint64_t requests = 0;
  std::uint64_t bad_requests = 0;
  std::uint64_t started_boot_ns = 0;
};

class Daemon {
 public:
  explicit Daemon(const Options& o) : opts_(o), clock_(BootClock::now()) {}
  int run();

 private:
  void bootstrap();
  void on_event(const Event& e);
  void after_batch();
  void reconcile(std::string_view why);
  void collect_garbage();
  void emit(const Json& ev);
  void handle_request(Connection& c, const Json& req);
  Json tree_reply(const Json& req);
  Json which_reply(const Json& req);
  Json rename_reply(const Json& req);
  Json kill_reply(const Json& req);
  void sync_mirror();
  Json stats_json() const;

  Options opts_;
  BootClock clock_;
  Scanner scanner_;
  std::optional<Tree> tree_;
  std::optional<Tracer> tracer_;
  std::unique_ptr<Mirror> mirror_;
  Epoll ep_;
  std::unique_ptr<Server> server_;
  Stats stats_;
  bool stdout_ok_ = true;
  bool reconcile_now_ = false;
};

void Daemon::emit(const Json& ev) {
  std::string line = dump_line(ev);
  if (!opts_.no_events && stdout_ok_) {
    std::string out = line + "\n";
    if (!write_all(STDOUT_FILENO, out)) {
      stdout_ok_ = false;
      log_warn("stdout is closed: events are no longer printed there");
    }
  }
  if (server_)
    server_->broadcast(line, [](const Connection&) { return true; });
}

void Daemon::on_event(const Event& e) {
  ++stats_.events[std::string(to_string(e.kind))];
  ApplyResult r = tree_->apply(e);
  if (r.created)
    ++stats_.containers_created;
  if (e.kind == EventKind::Fork)
    return;  // membership only: not an event a user asked to see
  EventPlacement p;
  p.container = tree_->path(r.container ? r.container : kRootId);
  p.from = tree_->path(r.from ? r.from : kRootId);
  p.created = r.created;
  emit(event_json(e, clock_, p));
}

void Daemon::collect_garbage() {
  if (!tree_->has_garbage())
    return;
  auto removed = tree_->collect_garbage(scanner_.pins());
  for (const Removed& r : removed) {
    ++stats_.containers_removed;
    Json j;
    j["time"] = clock_.iso8601(BootClock::boot_ns_now());
    j["event"] = "container_removed";
    j["id"] = r.id;
    j["container"] = r.path;
    emit(j);
  }
}

void Daemon::sync_mirror() {
  TreeChanges changes = tree_->take_changes();
  if (mirror_)
    mirror_->sync(*tree_, changes);
}

void Daemon::reconcile(std::string_view why) {
  // Apply what the kernel already reported before looking at /proc.
  tracer_->consume();
  Snapshot snap = scanner_.scan();
  ReconcileResult res = tree_->reconcile(snap);
  // Tracking more than needed costs a few records; tracking less loses
  // exits. So user space only ever adds: the kernel untracks (see
  // Tracer::set_root_ns), in event order.
  for (auto pid : res.placed)
    tracer_->track(pid);
  ++stats_.reconciles;
  log_debug("reconciled (" + std::string(why) + "): " +
            std::to_string(snap.procs.size()) + " processes, " +
            std::to_string(res.placed.size()) + " placed, " +
            std::to_string(tree_->container_count()) + " containers");
  collect_garbage();
  reconcile_now_ = false;
}

void Daemon::after_batch() {
  if (std::uint64_t lost = tracer_->take_lost(); lost != 0) {
    stats_.lost += lost;
    Event e;
    e.kind = EventKind::Lost;
    e.ts_boot_ns = BootClock::boot_ns_now();
    e.lost_count = lost;
    ++stats_.events["lost"];
    emit(event_json(e, clock_));
    log_warn(std::to_string(lost) + " BPF records lost (ring buffer full); "
             "rescanning /proc");
    reconcile_now_ = true;
  }
  if (reconcile_now_)
    reconcile("lost events");
  collect_garbage();
  sync_mirror();
}

void Daemon::bootstrap() {
  NsSet root = scanner_.root_ns();
  tree_.emplace(root);
  if (!opts_.no_mirror) {
    MirrorOptions mo;
    mo.root = opts_.cgroup_root;
    mo.adopt = opts_.adopt_all ? Adopt::All : Adopt::Auto;
    mirror_ = Mirror::open(mo);
    // A previous run's directories: same names for the same sets.
    auto restored = mirror_->discover();
    std::size_t taken = tree_->restore(restored);
    for (const auto& r : restored) {
      std::string_view n = r.name;
      if (n.substr(0, 10) == "container_")
        tree_->reserve_ids(std::strtoull(std::string(n.substr(10)).c_str(), nullptr, 10) + 1);
    }
    if (!restored.empty())
      log_info("mirror " + mirror_->root() + ": found " +
               std::to_string(restored.size()) + " directories of a previous run, " +
               std::to_string(taken) + " taken back");
  }
  // Attach first: whatever happens while we scan waits in the ring buffer
  // and is applied after, so nothing falls between scan and events.
  TracerOptions topts;
  tracer_.emplace(Tracer::open(topts, [this](const Event& e) { on_event(e); }));
  tracer_->set_root_ns(root);
  Snapshot snap = scanner_.scan();
  ReconcileResult res = tree_->reconcile(snap);
  for (auto pid : res.placed)
    tracer_->track(pid);
  // A member that forked between the scan and its tracking: a second scan
  // finds the child, and from here on the kernel reports such forks.
  reconcile("bootstrap");
  tree_->take_changes();
  if (mirror_)
    mirror_->sync_all(*tree_);
  log_info("bootstrap: " + std::to_string(snap.procs.size()) + " processes, " +
           std::to_string(tree_->container_count()) + " containers, hooks: " +
           tracer_->hooks() + (scanner_.ids_available() ? ", namespace ids" : ""));
}

Json Daemon::tree_reply(const Json& req) {
  TreeView view;
  view.pids = req.value("pids", false);
  view.source = "daemon";
  auto live = scanner_.pids();
  tracer_->consume();
  collect_garbage();
  view.root_pids = root_members(*tree_, live);
  sync_mirror();
  if (mirror_) {
    view.cgroup = [this](ContainerId id) { return mirror_->path_of(id); };
    view.foreign_cgroup = [this](std::uint32_t pid) {
      return mirror_->foreign_cgroup(pid);
    };
  }
  tree_->refresh_labels(gather_labels(*tree_, scanner_, scanner_.pins()));
  Json reply;
  reply["ok"] = true;
  reply["tree"] = tree_json(*tree_, clock_, view);
  return reply;
}

Json Daemon::which_reply(const Json& req) {
  Json reply;
  if (!req.contains("pid") || !req["pid"].is_number_unsigned() ||
      req["pid"].get<std::uint64_t>() == 0 ||
      req["pid"].get<std::uint64_t>() > 0xffffffffULL) {
    reply["ok"] = false;
    reply["error"] = "which needs a positive integer \"pid\"";
    return reply;
  }
  auto pid = req["pid"].get<std::uint32_t>();
  tracer_->consume();
  auto proc = scanner_.read_process(pid);
  if (!proc) {
    reply["ok"] = false;
    reply["error"] = "no process with pid " + std::to_string(pid);
    return reply;
  }
  if (proc->readable && !tree_->is_member(pid) &&
      tree_->key_of(proc->ns) != tree_->root().key && proc->missing_mask == 0)
    reconcile("which: a process the tree had not placed");
  reply["ok"] = true;
  reply["pid"] = pid;
  reply["container"] = tree_->path(tree_->container_of(pid));
  if (!proc->readable)
    reply["unreadable"] = true;
  return reply;
}

namespace {

Json error_reply(const std::string& msg) {
  Json j;
  j["ok"] = false;
  j["error"] = msg;
  return j;
}

std::optional<std::string> string_field(const Json& req, const char* name) {
  if (!req.contains(name) || !req[name].is_string())
    return std::nullopt;
  return req[name].get<std::string>();
}

}  // namespace

Json Daemon::rename_reply(const Json& req) {
  auto path = string_field(req, "path");
  auto name = string_field(req, "name");
  if (!path || !name)
    return error_reply("rename needs \"path\" and \"name\" strings");
  tracer_->consume();
  collect_garbage();
  auto id = tree_->find_path(*path);
  if (!id)
    return error_reply("no container at " + *path);
  std::string old_path = tree_->path(*id);
  if (std::string why = tree_->rename(*id, *name); !why.empty())
    return error_reply("cannot rename " + *path + ": " + why);
  sync_mirror();
  log_info("renamed " + old_path + " to " + tree_->path(*id));
  Json reply;
  reply["ok"] = true;
  reply["path"] = tree_->path(*id);
  return reply;
}

Json Daemon::kill_reply(const Json& req) {
  auto path = string_field(req, "path");
  if (!path)
    return error_reply("kill needs a \"path\" string");
  tracer_->consume();
  auto id = tree_->find_path(*path);
  if (!id)
    return error_reply("no container at " + *path);
  if (*id == kRootId)
    return error_reply("the root container cannot be killed");
  sync_mirror();
  Json reply;
  reply["ok"] = true;
  reply["path"] = tree_->path(*id);
  // cgroup.kill takes the whole directory subtree atomically, forks
  // included; members that live outside it get SIGKILL one by one.
  bool all_in_dirs = mirror_ && mirror_->cgroup_kill(*id);
  reply["cgroup_kill"] = all_in_dirs;
  reply["signalled"] = kill_members(*tree_, *id, [&](std::uint32_t pid) {
    return all_in_dirs && mirror_->in_directory(pid);
  });
  log_info("killed " + *path);
  return reply;
}

Json Daemon::stats_json() const {
  Json s;
  s["hooks"] = tracer_->hooks();
  s["uptime_seconds"] =
      (BootClock::boot_ns_now() - stats_.started_boot_ns) / 1'000'000'000ULL;
  Json ev = Json::object();
  for (const auto& [k, v] : stats_.events)
    ev[k] = v;
  s["events"] = ev;
  s["lost"] = stats_.lost;
  s["reconciles"] = stats_.reconciles;
  s["containers"] = tree_->container_count();
  s["processes"] = tree_->member_count();
  s["containers_created"] = stats_.containers_created;
  s["containers_removed"] = stats_.containers_removed;
  s["requests"] = stats_.requests;
  s["bad_requests"] = stats_.bad_requests;
  s["clients"] = server_ ? server_->client_count() : 0;
  s["mirror"] = mirror_ ? mirror_->stats() : Json(nullptr);
  return s;
}

void Daemon::handle_request(Connection& c, const Json& req) {
  ++stats_.requests;
  std::string op = req.contains("op") && req["op"].is_string()
                       ? req["op"].get<std::string>()
                       : std::string();
  if (op == "tree") {
    server_->send(c, dump_line(tree_reply(req)));
  } else if (op == "which") {
    server_->send(c, dump_line(which_reply(req)));
  } else if (op == "stats") {
    Json reply;
    reply["ok"] = true;
    reply["stats"] = stats_json();
    server_->send(c, dump_line(reply));
  } else if (op == "rename") {
    server_->send(c, dump_line(rename_reply(req)));
  } else if (op == "kill") {
    server_->send(c, dump_line(kill_reply(req)));
  } else if (op == "watch") {
    c.watching = true;
    c.scope = kRootId;
    Json reply;
    reply["ok"] = true;
    reply["watching"] = true;
    server_->send(c, dump_line(reply));
  } else {
    ++stats_.bad_requests;
    server_->send_error(c, op.empty() ? "request has no \"op\""
                                      : "unknown op \"" + op + "\"");
  }
}

int Daemon::run() {
  ::signal(SIGPIPE, SIG_IGN);
  stats_.started_boot_ns = BootClock::boot_ns_now();
  auto sfd = make_signalfd({SIGINT, SIGTERM, SIGHUP});
  bootstrap();
  server_ = std::make_unique<Server>(
      opts_.socket, 0, ep_, kListen,
      [this](Connection& c, const Json& req) { handle_request(c, req); });
  log_info("serving " + opts_.socket);

  auto reconcile_timer = make_timerfd(opts_.reconcile_seconds * 1000);
  auto tick_timer = make_timerfd(1000);
  ep_.add(tracer_->fd(), EPOLLIN, kRing);
  ep_.add(sfd.get(), EPOLLIN, kSignal);
  ep_.add(reconcile_timer.get(), EPOLLIN, kReconcileTimer);
  ep_.add(tick_timer.get(), EPOLLIN, kTickTimer);

  std::array<epoll_event, 64> ready{};
  for (;;) {
    int n = ep_.wait(ready, -1);
    for (int i = 0; i < n; ++i) {
      std::uint64_t key = ready[i].data.u64;
      switch (key) {
      case kRing: tracer_->consume(); break;
      case kSignal: {
        int sig = read_signal(sfd.get());
        if (sig == SIGHUP) {
          reconcile("SIGHUP");
        } else if (sig != 0) {
          log_info(std::string("stopping on ") + sigabbrev_np(sig));
          server_.reset();
          return 0;
        }
        break;
      }
      case kReconcileTimer:
        drain_timerfd(reconcile_timer.get());
        reconcile("timer");
        break;
      case kTickTimer:
        drain_timerfd(tick_timer.get());
        if (mirror_)
          mirror_->retry(*tree_);
        break;
      case kListen: server_->on_listen_ready(); break;
      default:
        if (key & kClientTag)
          server_->on_client_ready(key, ready[i].events);
        break;
      }
    }
    after_batch();
  }
}

}  // namespace

int run_daemon(const Options& opts) {
  Daemon d(opts);
  return d.run();
}

}  // namespace nsgroup
