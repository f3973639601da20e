// `nsgroup watch` without a daemon: a tracer of its own, events to stdout.
#include "watch.h"

#include <signal.h>
#include <unistd.h>

#include <array>

#include "clock.h"
#include "event_json.h"
#include "log.h"
#include "loop.h"
#include "tracer.h"

namespace nsgroup {

int run_watch(const Options& /*opts*/) {
  ::signal(SIGPIPE, SIG_IGN);
  auto sfd = make_signalfd({SIGINT, SIGTERM});
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
