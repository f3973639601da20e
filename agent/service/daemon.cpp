// The daemon's wiring and loop: one epoll loop around the agent (the tree
// and its consumers, agent.h), the control socket (server.h, api.h), the
// timers and systemd's notify protocol.
#include "service/daemon.h"

#include <signal.h>

#include <array>
#include <memory>

#include "host/cgroupns.h"
#include "service/agent.h"
#include "service/metrics.h"
#include "service/metrics_http.h"
#include "service/notify.h"
#include "service/server.h"
#include "util/log.h"
#include "kernel/tracer.h"
#include "util/loop.h"

namespace nsgroup {

namespace {

enum : std::uint64_t {
  kRing = 1, kSignal, kReconcileTimer, kTickTimer, kWatchdog, kListen, kScan, kMetricsListen
};

class Daemon {
 public:
  Daemon(const DaemonOptions& o, Epoll ep) : opts_(o), ep_(std::move(ep)), agent_(o) {}
  Status run();

 private:
  Status start();
  Status add_timer(UniqueFd& fd, unsigned period_ms, std::uint64_t key);
  void on_request(Connection& c, const Json& req);
  void tick();
  // sd_notify; a failure is logged by the notifier and changes nothing.
  void notify(std::string_view state) { (void)notify_.send(state); }

  DaemonOptions opts_;
  Epoll ep_;
  Agent agent_;
  std::unique_ptr<Server> server_;
  std::unique_ptr<MetricsListener> metrics_;  // --metrics-listen
  Notifier notify_ = Notifier::from_env();
  std::string last_status_;
  UniqueFd signals_, reconcile_timer_, tick_timer_, watchdog_;
};

void Daemon::on_request(Connection& c, const Json& req) {
  Reply r = agent_.api().handle(c.who, req);
  c.watching = c.watching || r.start_watch;
  if (r.text.empty())
    server_->send(c, r.body);
  else
    server_->send(c, std::move(r.text));
}

void Daemon::tick() {
  server_->resume();
  if (metrics_)
    metrics_->expire(monotonic_ms());
  agent_.tick();
  std::string status = agent_.status_line();
  if (status != last_status_) {
    notify("STATUS=" + status);
    last_status_ = std::move(status);
  }
}

Status Daemon::add_timer(UniqueFd& fd, unsigned period_ms, std::uint64_t key) {
  auto timer = make_timerfd(period_ms);
  if (!timer)
    return timer.error();
  fd = std::move(*timer);
  return ep_.add(fd.get(), EPOLLIN, key);
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
      opts_.socket, *group, ep_, kListen,
      [this](Connection& c, const Json& req) { on_request(c, req); },
      [this](Connection& c) { return agent_.identify(c); });
  if (!server)
    return server.error();
  server_ = std::move(*server);
  agent_.attach(server_.get());
  log_info("serving " + opts_.socket);
  if (!opts_.metrics_listen.empty()) {
    auto metrics = MetricsListener::open(opts_.metrics_listen, ep_, kMetricsListen, [this] {
      return prometheus_text(agent_.stats(), NSGROUP_VERSION);
    });
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
    if (auto ok = add_timer(watchdog_, ms, kWatchdog); !ok)
      return ok;
    notify("WATCHDOG=1");
  }
  for (auto [fd, key] : {std::pair{agent_.ring_fd(), kRing}, {signals_.get(), kSignal},
                         {agent_.scan_fd(), kScan}})
    if (fd >= 0)
      if (auto ok = ep_.add(fd, EPOLLIN, key); !ok)
        return ok;
  if (auto ok = add_timer(reconcile_timer_, opts_.reconcile_seconds * 1000, kReconcileTimer); !ok)
    return ok;
  return add_timer(tick_timer_, 1000, kTickTimer);
}

Status Daemon::run() {
  if (auto ok = start(); !ok)
    return ok;
  std::array<epoll_event, 64> ready{};
  for (;;) {
    // Woken by the records that matter, or after kDrainMs for the rest; at
    // once while records or requests wait from the last turn.
    int n = ep_.wait(ready, agent_.behind() || server_->busy() ? 0 : kDrainMs);
    for (int i = 0; i < n; ++i) {
      std::uint64_t key = ready[i].data.u64;
      if (key == kRing) {
        // Drained below, every turn.
      } else if (key == kSignal) {
        int sig = read_signal(signals_.get());
        if (sig == SIGHUP) {
          agent_.reconcile("SIGHUP");
        } else if (sig != 0) {
          log_info(std::string("stopping on SIG") + sigabbrev_np(sig));
          notify("STOPPING=1");
          // Detach first, then close the socket; the mirror stays as it is.
          agent_.stop();
          metrics_.reset();
          server_.reset();
          return {};
        }
      } else if (key == kReconcileTimer) {
        drain_timerfd(reconcile_timer_.get());
        agent_.periodic_reconcile();
      } else if (key == kScan) {
        agent_.on_scan_done();
      } else if (key == kTickTimer) {
        drain_timerfd(tick_timer_.get());
        tick();
      } else if (key == kWatchdog) {
        // From the loop itself: a stuck loop stops the keep-alives.
        drain_timerfd(watchdog_.get());
        notify("WATCHDOG=1");
      } else if (key == kListen) {
        server_->on_listen_ready();
      } else if (key == kMetricsListen) {
        metrics_->on_listen_ready();
      } else if (key & kMetricsTag) {
        metrics_->on_ready(key, ready[i].events);
      } else if (key & kClientTag) {
        server_->on_client_ready(key, ready[i].events);
      }
    }
    agent_.consume();
    agent_.after_batch();
    server_->service();
    server_->reap();
  }
}

}  // namespace

Status run_daemon(const DaemonOptions& opts) {
  // First, while this is the only thread (the writer, the scan worker and
  // libbpf start theirs later): in a pod's cgroup namespace, the host's.
  if (auto ns = enter_root_cgroup_namespace(); !ns)
    return ns.error();
  auto ep = Epoll::create();
  if (!ep)
    return ep.error();
  Daemon d(opts, std::move(*ep));
  return d.run();
}

}  // namespace nsgroup
