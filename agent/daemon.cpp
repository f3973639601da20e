// The daemon: attach, bootstrap from /proc, then apply events as they come,
// reconcile on a timer and after losses, and answer the control socket.
#include "daemon.h"

#include <grp.h>
#include <sys/syscall.h>
#include <signal.h>
#include <sys/stat.h>
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
#include "notify.h"
#include "scanner.h"
#include "server.h"
#include "state.h"
#include "file.h"
#include "error.h"
#include "tracer.h"
#include "tree.h"
#include "tree_json.h"

namespace nsgroup {

namespace {

enum : std::uint64_t { kRing = 1, kSignal, kReconcileTimer, kTickTimer, kWatchdog, kListen };

struct Stats {
  std::array<std::uint64_t, kEventKindCount> events{};
  std::uint64_t lost = 0;
  std::uint64_t reconciles = 0;
  std::uint64_t failed_scans = 0;
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
  // Newly empty containers; with recheck_pinned, those kept by pins too
  // (on the timer: mountinfo is read once a second, not once a batch).
  void collect_garbage(bool recheck_pinned = false);
  // Prints an event and sends it to the watchers who may see `where`
  // (a container path); those who may not see `from` get it redacted.
  void emit(const Json& ev, std::string_view where, std::string_view from = {});
  bool listened_to() const;
  void handle_request(Connection& c, const Json& req);
  Json tree_reply(const Connection& c, const Json& req);
  Json which_reply(const Connection& c, const Json& req);
  Json rename_reply(const Connection& c, const Json& req);
  Json kill_reply(const Connection& c, const Json& req);
  Json stats_reply(const Connection& c) const;
  void sync_mirror();
  bool on_accept(Connection& c);
  std::optional<std::string> refuse_change(const Connection& c, ContainerId target,
                                           std::string_view op) const;
  bool visible(const Connection& c, std::string_view container_path) const;
  void load_state();
  void save_state_now();
  std::string status_line() const;
  void shutdown(int sig);
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
  Notifier notify_ = Notifier::from_env();
  std::string state_path_;
  std::uint64_t last_save_ns_ = 0;
  bool state_dirty_ = false;
  std::string last_status_;
  bool stdout_ok_ = true;
  bool reconcile_now_ = false;
};

// A gid from a group name or number. Throws Error.
gid_t resolve_group(const std::string& g) {
  if (g.empty())
    return 0;
  if (g.find_first_not_of("0123456789") == std::string::npos)
    return static_cast<gid_t>(std::stoul(g));
  group* gr = ::getgrnam(g.c_str());
  if (!gr)
    throw Error("unknown group '" + g + "' for --socket-group");
  return gr->gr_gid;
}

// Whether /proc/PID/status says CAP_SYS_ADMIN is in the effective set.
bool has_cap_sys_admin(std::uint32_t pid) {
  std::string status;
  if (!read_file("/proc/" + std::to_string(pid) + "/status", status))
    return false;
  auto pos = status.find("\nCapEff:");
  if (pos == std::string::npos)
    return false;
  unsigned long long caps = std::strtoull(status.c_str() + pos + 9, nullptr, 16);
  return caps & (1ULL << 21);  // CAP_SYS_ADMIN
}

bool Daemon::listened_to() const {
  return (!opts_.no_events && stdout_ok_) || (server_ && server_->has_watchers());
}

void Daemon::emit(const Json& ev, std::string_view where, std::string_view from) {
  std::string line = dump_line(ev);
  line.push_back('\n');
  if (!opts_.no_events && stdout_ok_ && !write_all(STDOUT_FILENO, line)) {
    stdout_ok_ = false;
    log_warn("stdout is closed: events are no longer printed there");
  }
  if (!server_)
    return;
  std::string_view body(line.data(), line.size() - 1);
  bool redact = false;
  server_->broadcast(body, [&](const Connection& c) {
    if (!visible(c, where))
      return false;
    bool from_inside = from.empty() || visible(c, from);
    redact = redact || !from_inside;
    return from_inside;
  });
  // A process that came in from outside a client's subtree: that client
  // sees that it came, not from where or from whom.
  if (redact) {
    Json redacted = ev;
    redacted["from"] = nullptr;
    redacted.erase("ppid");
    server_->broadcast(dump_line(redacted), [&](const Connection& c) {
      return visible(c, where) && !visible(c, from);
    });
  }
}

bool Daemon::visible(const Connection& c, std::string_view container_path) const {
  if (c.scope == kRootId)
    return true;
  if (!tree_->find(c.scope) || container_path.empty())
    return false;
  return path_within(container_path, tree_->path(c.scope));
}

bool Daemon::on_accept(Connection& c) {
  // The peer's container is fixed now, while the peer is the process
  // that connected: a pid read later could be someone else's.
  tracer_->consume();
  auto pid = static_cast<std::uint32_t>(c.peer.pid);
  auto refuse = [&](const std::string& why) {
    log_warn("refused a control-socket client (pid " + std::to_string(pid) + ", uid " +
             std::to_string(c.peer.uid) + "): " + why);
    return false;
  };
  auto proc = scanner_.read_process(pid);
  if (!proc || !proc->readable)
    return refuse("its namespaces cannot be read");
  NsKey key = tree_->key_of(proc->ns);
  bool at_root = key == tree_->root().key;
  if (!tree_->is_member(pid) && !at_root) {
    reconcile("a client the tree had not placed");
    collect_garbage();
  }
  c.scope = tree_->container_of(pid);
  if (c.scope == kRootId && !at_root)
    return refuse("it is in no known container");
  const NsSet& root = tree_->root().ns;
  bool initial_user = proc->ns.inum[NSG_NS_USER] == root.inum[NSG_NS_USER] &&
                      proc->ns.id[NSG_NS_USER] == root.id[NSG_NS_USER];
  // uid 0 as SO_PEERCRED saw it at connect(): a process that execs a
  // setuid program after connecting gains nothing.
  c.admin = c.peer.uid == 0 && initial_user && has_cap_sys_admin(pid);
  // With a pidfd of the connecting process: if it is still alive now, the
  // /proc reads above were of it, not of a process that reused its pid.
  if (c.peer_pidfd &&
      ::syscall(SYS_pidfd_send_signal, c.peer_pidfd.get(), 0, nullptr, 0) != 0)
    return refuse("it exited before it could be identified");
  return true;
}

std::optional<std::string> Daemon::refuse_change(const Connection& c, ContainerId target,
                                                 std::string_view op) const {
  std::string who = "pid " + std::to_string(c.peer.pid) + " uid " + std::to_string(c.peer.uid);
  if (!c.admin) {
    log_warn("denied " + std::string(op) + " to " + who + ": no CAP_SYS_ADMIN");
    return "permission denied: " + std::string(op) +
           " needs CAP_SYS_ADMIN in the initial user namespace";
  }
  if (target == c.scope || !tree_->is_within(target, c.scope)) {
    std::string mine = tree_->find(c.scope) ? tree_->path(c.scope) : "(gone)";
    log_warn("denied " + std::string(op) + " of " + tree_->path(target) + " to " + who +
             " in " + mine + ": not a strict descendant");
    return "permission denied: " + tree_->path(target) +
           " is not strictly below your container " + mine;
  }
  return std::nullopt;
}

void Daemon::on_event(const Event& e) {
  ++stats_.events[static_cast<std::size_t>(e.kind)];
  ApplyResult r = tree_->apply(e);
  if (r.created)
    ++stats_.containers_created;
  // Fork records are membership only; and JSON nobody reads is not built.
  if (e.kind == EventKind::Fork || !listened_to())
    return;
  EventPlacement p;
  p.container = tree_->path(r.container ? r.container : kRootId);
  p.from = tree_->path(r.from ? r.from : kRootId);
  p.created = r.created;
  // Exits carry no "from": they are scoped by the container left.
  emit(event_json(e, clock_, p), p.container,
       e.kind == EventKind::Exit || e.kind == EventKind::Denied ? std::string_view() : p.from);
}

void Daemon::collect_garbage(bool recheck_pinned) {
  if (!tree_->has_garbage() && !(recheck_pinned && tree_->has_pinned()))
    return;
  auto removed = tree_->collect_garbage(scanner_.pins(), recheck_pinned);
  for (const Removed& r : removed) {
    ++stats_.containers_removed;
    if (!listened_to())
      continue;
    Json j;
    j["time"] = clock_.iso8601(BootClock::boot_ns_now());
    j["event"] = "container_removed";
    j["id"] = r.id;
    j["container"] = r.path;
    emit(j, r.path);
  }
}

void Daemon::sync_mirror() {
  TreeChanges changes = tree_->take_changes();
  if (!changes.containers.empty())
    state_dirty_ = true;
  if (mirror_)
    mirror_->sync(*tree_, changes);
}

std::string Daemon::status_line() const {
  return std::to_string(tree_->container_count()) + " containers, " +
         std::to_string(tree_->member_count()) + " processes in them" +
         (mirror_ ? ", mirrored in " + mirror_->root() : std::string());
}

void Daemon::load_state() {
  std::string dir = opts_.state_dir;
  if (dir.empty()) {
    const char* env = std::getenv("STATE_DIRECTORY");  // systemd's StateDirectory=
    dir = env && *env ? std::string(env).substr(0, std::string(env).find(':'))
                      : std::string("/var/lib/nsgroup");
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    log_warn("state directory " + dir + " unusable (" + std::strerror(errno) +
             "): names will not survive a restart without the mirror");
    return;
  }
  state_path_ = dir + "/containers.json";
}

void Daemon::save_state_now() {
  if (state_path_.empty())
    return;
  if (!save_state(state_path_, state_text(*tree_)))
    log_warn("cannot write " + state_path_ + ": " + std::strerror(errno));
  state_dirty_ = false;
  last_save_ns_ = BootClock::boot_ns_now();
}

void Daemon::shutdown(int sig) {
  log_info(std::string("stopping on SIG") + sigabbrev_np(sig));
  notify_.send("STOPPING=1");
  save_state_now();
  // Detach first, then close the socket; the mirror stays as it is.
  tracer_.reset();
  server_.reset();
}

void Daemon::reconcile(std::string_view why) {
  // Apply what the kernel already reported before looking at /proc.
  tracer_->consume();
  Snapshot snap = scanner_.scan();
  if (!snap.complete) {
    ++stats_.failed_scans;
    log_warn("a scan of /proc failed part-way (" + std::string(std::strerror(errno)) +
             "): the tree is left as it is until the next one");
    reconcile_now_ = false;
    return;
  }
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
    ++stats_.events[static_cast<std::size_t>(EventKind::Lost)];
    emit(event_json(e, clock_), {});  // the root's watchers only
    log_warn(std::to_string(lost) + " BPF records lost (ring buffer full); "
             "rescanning /proc");
    reconcile_now_ = true;
  }
  if (reconcile_now_)
    reconcile("lost events");
  collect_garbage();
  sync_mirror();
  if (server_)
    server_->reap();
}

void Daemon::bootstrap() {
  NsSet root = scanner_.root_ns();
  tree_.emplace(root);
  std::optional<SavedState> saved;
  if (!state_path_.empty()) {
    std::string text;
    if (read_file(state_path_, text)) {
      saved = parse_state(text);
      if (!saved)
        log_warn(state_path_ + " is not a state file; ignored");
    }
  }
  if (saved)
    tree_->reserve_ids(saved->next_id);
  if (opts_.no_mirror && saved) {
    std::size_t taken = tree_->restore(saved->containers);
    log_info("state " + state_path_ + ": " + std::to_string(taken) + " of " +
             std::to_string(saved->containers.size()) + " containers taken back");
  }
  if (!opts_.no_mirror) {
    MirrorOptions mo;
    mo.root = opts_.cgroup_root;
    mo.adopt = opts_.adopt_all ? Adopt::All : Adopt::Auto;
    mirror_ = Mirror::open(mo);
    // A previous run's directories: same names for the same sets.
    auto restored = mirror_->discover();
    std::size_t taken = tree_->restore(restored);
    if (!restored.empty())
      log_info("mirror " + mirror_->root() + ": found " +
               std::to_string(restored.size()) + " directories of a previous run, " +
               std::to_string(taken) + " taken back");
  }
  // Attach first: whatever happens while we scan waits in the ring buffer
  // and is applied after, so nothing falls between scan and events.
  TracerOptions topts;
  topts.hooks = to_hooks(opts_.hooks);
  topts.ring_bytes = opts_.ring_kib * 1024U;
  tracer_.emplace(Tracer::open(topts, [this](const Event& e) { on_event(e); }));
  tracer_->set_root_ns(root);
  Snapshot snap = scanner_.scan();
  if (!snap.complete)
    throw Error(std::string("cannot read /proc through: ") + std::strerror(errno));
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

Json Daemon::tree_reply(const Connection& c, const Json& req) {
  TreeView view;
  view.top = c.scope;
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

Json Daemon::which_reply(const Connection& c, const Json& req) {
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
    reply["error"] = "no process with pid " + std::to_string(pid) +
                     (c.scope == kRootId ? "" : " in your container or below it");
    return reply;
  }
  if (proc->readable && !tree_->is_member(pid) &&
      tree_->key_of(proc->ns) != tree_->root().key && proc->missing_mask == 0)
    reconcile("which: a process the tree had not placed");
  ContainerId where = tree_->container_of(pid);
  if (!tree_->is_within(where, c.scope)) {
    // The same answer as for a pid that does not exist: a client in a
    // container learns nothing about the processes outside it.
    reply["ok"] = false;
    reply["error"] = "no process with pid " + std::to_string(pid) +
                     " in your container or below it";
    return reply;
  }
  reply["ok"] = true;
  reply["pid"] = pid;
  reply["container"] = tree_->path(where);
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

Json Daemon::rename_reply(const Connection& conn, const Json& req) {
  auto path = string_field(req, "path");
  auto name = string_field(req, "name");
  if (!path || !name)
    return error_reply("rename needs \"path\" and \"name\" strings");
  tracer_->consume();
  collect_garbage();
  auto id = tree_->find_path(*path);
  if (!id || !tree_->is_within(*id, conn.scope))
    return error_reply("no container at " + *path);
  if (auto why = refuse_change(conn, *id, "rename"))
    return error_reply(*why);
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

Json Daemon::kill_reply(const Connection& conn, const Json& req) {
  auto path = string_field(req, "path");
  if (!path)
    return error_reply("kill needs a \"path\" string");
  tracer_->consume();
  auto id = tree_->find_path(*path);
  if (!id || !tree_->is_within(*id, conn.scope))
    return error_reply("no container at " + *path);
  if (*id == kRootId)
    return error_reply("the root container cannot be killed");
  if (auto why = refuse_change(conn, *id, "kill"))
    return error_reply(*why);
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

Json Daemon::stats_reply(const Connection& c) const {
  Json reply;
  reply["ok"] = true;
  if (c.scope == kRootId) {
    reply["stats"] = stats_json();
    return reply;
  }
  // A client inside a container sees its subtree's figures only.
  Json s;
  std::size_t containers = 0, processes = 0;
  tree_->visit(c.scope, [&](const Container& ct, int) {
    ++containers;
    processes += ct.members.size();
  });
  s["scope"] = tree_->find(c.scope) ? tree_->path(c.scope) : "";
  s["containers"] = containers;
  s["processes"] = processes;
  reply["stats"] = s;
  return reply;
}

Json Daemon::stats_json() const {
  Json s;
  s["hooks"] = tracer_->hooks();
  s["uptime_seconds"] =
      (BootClock::boot_ns_now() - stats_.started_boot_ns) / 1'000'000'000ULL;
  Json ev = Json::object();
  for (std::size_t k = 0; k < kEventKindCount; ++k)
    if (stats_.events[k] != 0)
      ev[std::string(to_string(static_cast<EventKind>(k)))] = stats_.events[k];
  s["events"] = ev;
  s["lost"] = stats_.lost;
  s["reconciles"] = stats_.reconciles;
  s["failed_scans"] = stats_.failed_scans;
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
    server_->send(c, dump_line(tree_reply(c, req)));
  } else if (op == "which") {
    server_->send(c, dump_line(which_reply(c, req)));
  } else if (op == "stats") {
    server_->send(c, dump_line(stats_reply(c)));
  } else if (op == "rename") {
    server_->send(c, dump_line(rename_reply(c, req)));
  } else if (op == "kill") {
    server_->send(c, dump_line(kill_reply(c, req)));
  } else if (op == "watch") {
    c.watching = true;
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
  gid_t group = resolve_group(opts_.socket_group);
  load_state();
  bootstrap();
  server_ = std::make_unique<Server>(
      opts_.socket, group, ep_, kListen,
      [this](Connection& c, const Json& req) { handle_request(c, req); },
      [this](Connection& c) { return on_accept(c); });
  log_info("serving " + opts_.socket);
  // Attached, bootstrapped, listening: from here nothing is missed.
  last_status_ = status_line();
  notify_.send("READY=1\nSTATUS=" + last_status_);
  UniqueFd watchdog_timer;
  if (auto every = notify_.watchdog_interval()) {
    auto ms = static_cast<unsigned>(std::max<long long>(1, every->count() / 1000));
    watchdog_timer = make_timerfd(ms);
    ep_.add(watchdog_timer.get(), EPOLLIN, kWatchdog);
    notify_.send("WATCHDOG=1");
  }

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
          shutdown(sig);
          return 0;
        }
        break;
      }
      case kReconcileTimer:
        drain_timerfd(reconcile_timer.get());
        reconcile("timer");
        break;
      case kTickTimer: {
        drain_timerfd(tick_timer.get());
        server_->resume();
        collect_garbage(true);
        sync_mirror();
        if (mirror_)
          mirror_->retry(*tree_);
        std::string status = status_line();
        if (status != last_status_) {
          notify_.send("STATUS=" + status);
          last_status_ = std::move(status);
        }
        if (state_dirty_ && BootClock::boot_ns_now() - last_save_ns_ > 5'000'000'000ULL)
          save_state_now();
        break;
      }
      case kWatchdog:
        // From the loop itself: a stuck loop stops the keep-alives.
        drain_timerfd(watchdog_timer.get());
        notify_.send("WATCHDOG=1");
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
