// `nsgroup watch` without a daemon: a tracer of its own, events to stdout.
#include "cli/watch.h"

#include <signal.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "cli/client.h"
#include "cli/text.h"
#include "json/event_decode.h"
#include "json/request_json.h"
#include "kernel/tracer.h"
#include "service/tracer_session.h"
#include "util/clock.h"
#include "util/file.h"
#include "util/log.h"
#include "util/loop.h"

namespace nsgroup {

namespace {

// An event as it goes to stdout: its JSON line, or with -o text its
// aligned text. False when stdout is gone or failed; done() then says
// how watch ends.
class EventOut {
 public:
  explicit EventOut(bool text) : text_(text), colour_(text && want_colour(STDOUT_FILENO)) {}
  // The header, once events are sure to come.
  bool start() { return !text_ || out(event_text_header()); }
  // A line of the daemon's stream: its facts decoded for text, else as it
  // came (a line that is no event).
  bool write(std::string line) {
    if (text_)
      if (auto e = decode_event_line(line))
        return out(event_text(*e, colour_));
    line.push_back('\n');
    return out(line);
  }
  // An event of our own tracer: text straight from it, no JSON between.
  bool write(const Event& e, const BootClock& clock) {
    if (text_)
      return out(event_text(event_facts(e, clock), colour_));
    return out(event_line(e, clock) + "\n");
  }

  // How watch ends once a write failed: a reader that went away (EPIPE)
  // ends it quietly, with status 0; any other error (a full disk) fails it.
  Status done() const {
    if (err_ == 0 || err_ == EPIPE)
      return {};
    return Failure{err_, "writing to stdout"};
  }

 private:
  bool out(const std::string& text) {
    auto ok = write_all(STDOUT_FILENO, text);
    if (!ok)
      err_ = ok.error().err == 0 ? EIO : ok.error().err;
    return static_cast<bool>(ok);
  }

  bool text_, colour_;
  int err_ = 0;
};

// Relays the daemon's event stream to stdout; the daemon applies the filter.
Status watch_daemon(Client& client, const WatchFilter& filter, Epoll& ep, int sfd,
                    EventOut& out) {
  if (auto ack = client.request(watch_request_line(filter)); !ack)
    return ack.error();
  if (!out.start())
    return out.done();
  enum : std::uint64_t { kSocket, kSignal };
  if (auto ok = ep.add(client.fd(), EPOLLIN, kSocket); !ok)
    return ok;
  if (auto ok = ep.add(sfd, EPOLLIN, kSignal); !ok)
    return ok;
  std::array<epoll_event, 4> ready{};
  for (;;) {
    int n = ep.wait(ready, -1);
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.u64 == kSignal) {
        if (read_signal(sfd) != 0)
          return {};
        continue;
      }
      // One read's worth of lines, then back to epoll for signals.
      do {
        auto line = client.read_line();
        if (!line)
          return failure("the daemon closed the event stream");
        if (!out.write(std::move(*line)))
          return out.done();
      } while (client.buffered());
    }
  }
}

}  // namespace

Status run_watch(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto sfd = make_signalfd({SIGINT, SIGTERM});
  auto ep = Epoll::create();
  auto client = Client::connect(opts.socket);
  if (!sfd || !ep || !client)
    return !sfd ? sfd.error() : !ep ? ep.error() : client.error();
  EventOut out(opts.text());
  if (*client)
    return watch_daemon(**client, opts.filter, *ep, sfd->get(), out);
  // Our own tracer places no event in a container: that takes the tree,
  // seeded by a scan and kept by tracking every fork, which is the daemon.
  if (!opts.filter.containers.empty())
    return failure(Failure::Kind::Unavailable,
                   "--container needs the daemon (no daemon listens on " + opts.socket +
                       "): without one, watch has no tree to place events in");

  BootClock clock = BootClock::now();
  bool reader_gone = false;

  auto print = [&](const Event& e) {
    if (reader_gone || e.kind == EventKind::Fork || !opts.filter.matches(watch_subject(e)))
      return;
    if (!out.write(e, clock))
      reader_gone = true;
  };
  // Losses are printed as events; nothing here heals from them.
  struct Losses final : LossListener {
    explicit Losses(decltype(print)& p) : to(p) {}
    void lost(std::uint64_t n, std::uint64_t now) override { to(lost_event(n, now)); }
    void dropped(Drop, std::uint64_t) override {}
    void suppressed(std::uint32_t uid, std::uint64_t n, std::uint64_t now) override {
      to(suppressed_event(uid, n, now));
    }
    decltype(print)& to;
  } losses(print);

  auto session = TracerSession::open(tracer_options(opts.daemon, false), print, losses);
  if (!session)
    return session.error();
  if (!out.start())
    return out.done();
  log_debug("watching; SIGINT or SIGTERM to stop");

  enum : std::uint64_t { kRing, kSignal };
  for (auto [fd, key] : {std::pair{(*session)->fd(), kRing}, {sfd->get(), kSignal}})
    if (auto ok = ep->add(fd, EPOLLIN, key); !ok)
      return ok;
  std::array<epoll_event, 8> ready{};
  while (!reader_gone) {
    int n = ep->wait(ready, kDrainMs);
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.u64 == kSignal && read_signal(sfd->get()) != 0)
        return {};
    }
    (*session)->consume(0);
    (*session)->report_losses(BootClock::boot_ns_now());
  }
  return out.done();
}

}  // namespace nsgroup
