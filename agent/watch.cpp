// `nsgroup watch` without a daemon: a tracer of its own, events to stdout.
#include "watch.h"

#include <signal.h>
#include <unistd.h>

#include <array>

#include "client.h"
#include "clock.h"
#include "error.h"
#include "event_json.h"
#include "log.h"
#include "loop.h"
#include "tracer.h"

namespace nsgroup {

namespace {

// Relays the daemon's event stream to stdout.
int watch_daemon(Client& client, int sfd) {
  Json req;
  req["op"] = "watch";
  client.request(req);  // the acknowledgement
  Epoll ep;
  enum : std::uint64_t { kSocket, kSignal };
  ep.add(client.fd(), EPOLLIN, kSocket);
  ep.add(sfd, EPOLLIN, kSignal);
  std::array<epoll_event, 4> ready{};
  for (;;) {
    int n = ep.wait(ready, -1);
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.u64 == kSignal) {
        if (read_signal(sfd) != 0)
          return 0;
        continue;
      }
      // One read's worth of lines, then back to epoll for signals.
      do {
        auto line = client.read_line();
        if (!line)
          throw Error("the daemon closed the event stream");
        line->push_back('\n');
        if (!write_all(STDOUT_FILENO, *line))
          return 0;  // the reader went away
      } while (client.buffered());
    }
  }
}

}  // namespace

int run_watch(const Options& opts) {
  ::signal(SIGPIPE, SIG_IGN);
  auto sfd = make_signalfd({SIGINT, SIGTERM});
  if (auto client = Client::connect(opts.socket))
    return watch_daemon(*client, sfd.get());

  BootClock clock = BootClock::now();
  bool reader_gone = false;

  auto print = [&](const Event& e) {
    if (reader_gone || e.kind == EventKind::Fork)
      return;
    std::string line = dump_line(event_json(e, clock));
    line.push_back('\n');
    if (!write_all(STDOUT_FILENO, line))
      reader_gone = true;
  };

  TracerOptions topts;
  topts.hooks = to_hooks(opts.hooks);
  topts.ring_bytes = opts.ring_kib * 1024U;
  topts.emit_forks = false;
  Tracer tracer = Tracer::open(topts, print);
  log_debug("watching; SIGINT or SIGTERM to stop");

  Epoll ep;
  enum : std::uint64_t { kRing, kSignal };
  ep.add(tracer.fd(), EPOLLIN, kRing);
  ep.add(sfd.get(), EPOLLIN, kSignal);
  std::array<epoll_event, 8> ready{};
  while (!reader_gone) {
    int n = ep.wait(ready, 1000);
    for (int i = 0; i < n; ++i) {
      if (ready[i].data.u64 == kSignal && read_signal(sfd.get()) != 0)
        return 0;
    }
    tracer.consume();
    if (std::uint64_t lost = tracer.take_lost(); lost != 0) {
      Event e;
      e.kind = EventKind::Lost;
      e.ts_boot_ns = BootClock::boot_ns_now();
      e.lost_count = lost;
      print(e);
    }
  }
  return 0;
}

}  // namespace nsgroup
