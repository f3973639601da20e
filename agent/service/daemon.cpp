// The daemon's wiring and loop: one event loop (util/loop.h's EventLoop,
// each fd with its handler) around the agent (the tree and its consumers,
// agent.h), the control socket (server.h, api.h), /metrics
// (metrics_http.h), the timers and systemd's notify protocol.
#include "service/daemon.h"

#include <signal.h>

#include <functional>
#include <memory>

#include "host/cgroupns.h"
#include "service/agent.h"
#include "service/metrics.h"
#include "service/metrics_http.h"
#include "service/notify.h"
#include "service/server.h"
#include "kernel/tracer.h"
#include "util/log.h"
#include "util/loop.h"
#include "util/self_stats.h"

namespace nsgroup {

namespace {

class Daemon {
 public:
  Daemon(const DaemonOptions& o, EventLoop loop) : opts_(o), loop_(std::move(loop)), agent_(o) {}
  Status run();

 private:
  Status start();
  // A periodic timer served by on_expiry.
  Status add_timer(UniqueFd& fd, unsigned period_ms, std::function<void()> on_expiry);
  void on_request(Connection& c, std::string_view line);
  void on_signal();
  // The metrics' text: the stats, and the daemon's process_* figures.
  std::string metrics_text();
  void tick();
  // sd_notify; a failure is logged by the notifier and changes nothing.
  void notify(std::string_view state) { (void)notify_.send(state); }

  DaemonOptions opts_;
  EventLoop loop_;
  Agent agent_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<MetricsListener> metrics_;  // --metrics-listen
  Notifier notify_ = Notifier::from_env();
  std::string last_status_;
  UniqueFd signals_, reconcile_timer_, tick_timer_, watchdog_;
  bool stopping_ = false;
};

void Daemon::on_request(Connection& c, std::string_view line) {
  Reply r = agent_.api().answer(c.who, line);
  if (r.start_watch) {  // a second watch request replaces the filter
    c.watching = true;
    c.filter = std::move(r.filter);
    c.filter_ids = std::move(r.filter_ids);
  }
  server_->send(c, std::move(r.text));
}

std::string Daemon::metrics_text() {
  auto self = read_self_stats();
  if (!self)
    log_warn("process_* metrics left out: " + self.error().message());
  return prometheus_text(agent_.stats(), NSGROUP_VERSION, self ? &*self : nullptr);
}

void Daemon::on_signal() {
  int sig = read_signal(signals_.get());
  if (sig == SIGHUP) {
    agent_.reconcile("SIGHUP");
  } else if (sig != 0) {
    log_info(std::string("stopping on SIG") + sigabbrev_np(sig));
    notify("STOPPING=1");
    stopping_ = true;
  }
}

void Daemon::tick() {
  server_->resume();
  if (metrics_) {
    metrics_->resume();
    metrics_->expire(monotonic_ms());
  }
  agent_.tick();
  std::string status = agent_.status_line();
  if (status != last_status_) {
    notify("STATUS=" + status);
    last_status_ = std::move(status);
  }
}

Status Daemon::add_timer(UniqueFd& fd, unsigned period_ms, std::function<void()> on_expiry) {
  auto timer = make_timerfd(period_ms);
  if (!timer)
    return timer.error();
  fd = std::move(*timer);
  int raw = fd.get();
  return loop_.add(raw, EPOLLIN, [raw, on_expiry = std::move(on_expiry)](std::uint32_t) {
    drain_timerfd(raw);
    on_expiry();
  });
}

Status Daemon::start() {
  ::signal(SIGPIPE, SIG_IGN);
  auto sfd = make_signalfd({SIGINT, SIGTERM, SIGHUP});
  if (!sfd)
    return sfd.error();
  signals_ = std::move(*sfd);
  auto group = resolve_group(opts_.socket_group);
  if (!group)
    return group.error();
  // Before anything touches cgroupfs or the state: a daemon that already
  // serves this socket owns the mirror, and a second one must not move its
  // processes or rewrite its xattrs on the way to finding out.
  if (auto free = Server::check_free(opts_.socket); !free)
    return free;
  if (auto ok = agent_.bootstrap(); !ok)
    return ok;
  auto server = Server::open(
      opts_.socket, *group, loop_,
      [this](Connection& c, std::string_view line) { on_request(c, line); },
      [this](Connection& c) { return agent_.identify(c); });
  if (!server)
    return server.error();
  server_ = std::move(*server);
  agent_.attach(server_.get());
  log_info("serving " + opts_.socket);
  if (!opts_.metrics_listen.empty()) {
    auto metrics =
        MetricsListener::open(opts_.metrics_listen, loop_, [this] { return metrics_text(); });
    if (!metrics)
      return metrics.error();
    metrics_ = std::move(*metrics);
    log_info("serving metrics at http://" + metrics_->address() + "/metrics");
  }
  // Attached, bootstrapped, listening: from here nothing is missed.
  last_status_ = agent_.status_line();
  notify("READY=1\nSTATUS=" + last_status_);
  if (auto every = notify_.watchdog_interval()) {
    auto ms = static_cast<unsigned>(std::max<long long>(1, every->count() / 1000));
    // From the loop itself: a stuck loop stops the keep-alives.
    if (auto ok = add_timer(watchdog_, ms, [this] { notify("WATCHDOG=1"); }); !ok)
      return ok;
    notify("WATCHDOG=1");
  }
  // The ring's records are drained below, every turn; its fd only wakes
  // the loop.
  if (int ring = agent_.ring_fd(); ring >= 0)
    if (auto ok = loop_.add(ring, EPOLLIN, [](std::uint32_t) {}); !ok)
      return ok;
  if (auto ok = loop_.add(signals_.get(), EPOLLIN, [this](std::uint32_t) { on_signal(); }); !ok)
    return ok;
  if (int scan = agent_.scan_fd(); scan >= 0)
    if (auto ok = loop_.add(scan, EPOLLIN, [this](std::uint32_t) { agent_.on_scan_done(); }); !ok)
      return ok;
  if (auto ok = add_timer(reconcile_timer_, opts_.reconcile_seconds * 1000,
                          [this] { agent_.periodic_reconcile(); });
      !ok)
    return ok;
  return add_timer(tick_timer_, 1000, [this] { tick(); });
}

Status Daemon::run() {
  if (auto ok = start(); !ok)
    return ok;
  for (;;) {
    // Woken by the records that matter, or after kDrainMs for the rest; at
    // once while records or requests wait from the last turn.
    loop_.run_once(agent_.behind() || server_->busy() ? 0 : kDrainMs);
    if (stopping_) {
      // Detach first, then close the socket; the mirror stays as it is.
      agent_.stop();
      metrics_.reset();
      server_.reset();
      return {};
    }
    agent_.consume();
    agent_.after_batch();
    server_->service();
  }
}

}  // namespace

Status run_daemon(const DaemonOptions& opts) {
  // First, while this is the only thread (the writer, the scan worker and
  // libbpf start theirs later): in a pod's cgroup namespace, the host's.
  if (auto ns = enter_root_cgroup_namespace(); !ns)
    return ns.error();
  auto loop = EventLoop::create();
  if (!loop)
    return loop.error();
  Daemon d(opts, std::move(*loop));
  return d.run();
}

}  // namespace nsgroup
