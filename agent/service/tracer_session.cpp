// The tracer session and its loss accounting.
#include "service/tracer_session.h"

namespace nsgroup {

void LossReporter::report(std::uint64_t now_ns) {
  if (std::uint64_t lost = counters_.take_drops(Drop::RingFull); lost != 0)
    listener_.lost(lost, now_ns);
  if (reported_ && now_ns - last_ns_ < kDropReportEveryNs)
    return;
  reported_ = true;
  last_ns_ = now_ns;
  for (Drop d : {Drop::TrackedFull, Drop::PendingMiss})
    if (std::uint64_t n = counters_.take_drops(d); n != 0)
      listener_.dropped(d, n);
  // The per-uid map is walked only when the total moved.
  std::uint64_t suppressed = counters_.take_drops(Drop::Suppressed);
  if (suppressed == 0)
    return;
  listener_.dropped(Drop::Suppressed, suppressed);
  for (auto [uid, n] : counters_.take_suppressed())
    listener_.suppressed(uid, n, now_ns);
}

TracerOptions tracer_options(const DaemonOptions& opts, bool forks) {
  TracerOptions t;
  t.hooks = opts.hooks;
  t.ring_bytes = opts.ring_kib * 1024U;
  t.denied_rate = opts.denied_rate;
  t.emit_forks = forks;
  return t;
}

Result<std::unique_ptr<TracerSession>> TracerSession::open(const TracerOptions& opts,
                                                           Tracer::Callback on_event,
                                                           LossListener& listener) {
  auto tracer = Tracer::open(opts, std::move(on_event));
  if (!tracer)
    return tracer.error();
  return std::unique_ptr<TracerSession>(new TracerSession(std::move(*tracer), listener));
}

bool TracerSession::consume(int max_records) {
  int n = tracer_.consume(max_records);
  return max_records != 0 && n >= max_records;
}

}  // namespace nsgroup
