// The model's changes and their hand-off.
#include "service/model.h"

#include "json/event_json.h"

namespace nsgroup {

Model::Model(const NsSet& root, EventPublisher& out, Counters& counters, const BootClock& clock,
             PinsSource pins)
    : tree_(root), out_(out), counters_(counters), clock_(clock), pins_(std::move(pins)) {}

Delta& Model::delta() {
  delta_.want_paths = out_.wanted();
  return delta_;
}

ApplyResult Model::apply(const Event& e) {
  ++counters_.events[static_cast<std::size_t>(e.kind)];
  ApplyResult r = tree_.apply(e, delta_);
  if (r.created)
    ++counters_.containers_created;
  if (e.kind != EventKind::Fork && out_.wanted())
    publish(e, r);
  // An empty container with children is spliced out now, not at the end
  // of the batch: a process that unshares in a loop never builds a chain
  // (every path, and every walk to the root, would grow with the batch).
  if (tree_.has_garbage())
    collect(false, true);
  return r;
}

void Model::publish(const Event& e, const ApplyResult& r) {
  EventPlacement p;
  p.container = tree_.path(r.container ? r.container : kRootId);
  p.from = tree_.path(r.from ? r.from : kRootId);
  p.created = r.created;
  // Exits and refusals have no origin to hide: they are scoped by where.
  bool no_origin = e.kind == EventKind::Exit || e.kind == EventKind::Denied;
  out_.publish(
      watch_subject(e, p.container), [&] { return event_line(e, clock_, &p); },
      no_origin ? std::string_view() : std::string_view(p.from),
      [&] { return event_line(e, clock_, &p, true); });
}

void Model::publish_note(const Event& e) {
  ++counters_.events[static_cast<std::size_t>(e.kind)];
  out_.publish(watch_subject(e), [&] { return event_line(e, clock_); }, {}, {});
}

void Model::collect() { collect(false, false); }

void Model::collect_pinned() { collect(true, false); }

void Model::collect(bool recheck_pinned, bool splice_only) {
  if (!tree_.has_garbage() && !(recheck_pinned && tree_.has_pinned()))
    return;
  // Splicing needs no fresh look at the mounts: a pin that matters there
  // was made before the child existed. (One poll(2) per batch, not per
  // record.)
  tree_.collect_garbage(pins_(!splice_only), delta(), recheck_pinned, splice_only);
  publish_removed();
}

void Model::publish_removed() {
  bool wanted = out_.wanted();
  std::uint64_t now = BootClock::boot_ns_now();
  for (; published_removed_ < delta_.removed.size(); ++published_removed_) {
    ++counters_.containers_removed;
    if (!wanted)
      continue;
    const auto& removed = delta_.removed[published_removed_];
    out_.publish(removed_subject(removed.path), [&] { return removed_line(removed, clock_, now); },
                 {}, {});
  }
}

void Model::sync() {
  publish_removed();
  for (const Sink& sink : sinks_)
    sink(tree_, delta_);
  discard();
}

void Model::discard() {
  delta_.clear();
  published_removed_ = 0;
}

}  // namespace nsgroup
