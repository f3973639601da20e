// The model: the tree, what changed in it since the last sync (a Delta),
// and the hand-off of those changes. Events are applied, counted and
// published; empty containers are collected (spliced at once when they
// have children, the rest after the batch, those kept by pins once a
// second) and published; each batch's delta goes to the sinks (mirror,
// state file, labeller). Publishing goes through EventPublisher and pins
// come from a PinsSource, so the model is tested with neither a socket
// nor /proc.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/delta.h"
#include "core/event.h"
#include "core/snapshot.h"
#include "core/tree.h"
#include "core/watch_filter.h"
#include "service/stats.h"
#include "util/clock.h"

namespace nsgroup {

// An event's JSON line, built only when someone takes it.
using LineFn = std::function<std::string()>;

// Where event lines go (the fan-out in the daemon): the same contract as
// Fanout::wanted() and Fanout::publish().
class EventPublisher {
 public:
  virtual ~EventPublisher() = default;
  // True when someone would read an event: JSON nobody reads is not built.
  virtual bool wanted() const = 0;
  virtual void publish(const WatchSubject& subject, const LineFn& line, std::string_view from,
                       const LineFn& redacted) = 0;
};

// The nsfs pins: the ones last read (fresh == false: no I/O), or read
// again if the mount table changed.
using PinsSource = std::function<const std::vector<PinnedNs>&(bool fresh)>;

class Model {
 public:
  // A consumer of each batch's changes.
  using Sink = std::function<void(const Tree&, const Delta&)>;

  Model(const NsSet& root, EventPublisher& out, Counters& counters, const BootClock& clock,
        PinsSource pins);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  Tree& tree() { return tree_; }
  const Tree& tree() const { return tree_; }
  // The delta to append changes to (restore, a snapshot applied); removed
  // containers carry their paths when someone would print them.
  Delta& delta();
  void add_sink(Sink sink) { sinks_.push_back(std::move(sink)); }

  // One record from the tracer: applied, counted and published (fork
  // records are membership only, not published).
  ApplyResult apply(const Event& e);
  // A note about the event stream itself (lost, suppressed): counted and
  // published to the root's watchers.
  void publish_note(const Event& e);
  // Newly empty containers removed (after a batch, before an answer).
  void collect();
  // Also those kept by pins, whose pins may be gone (once a second).
  void collect_pinned();
  // Removals appended to the delta since the last call, counted and
  // published (after collect_garbage on delta()).
  void publish_removed();
  // Hands the delta to the sinks, then empties it.
  void sync();
  // Empties the delta unseen (a bootstrap's: the consumers take the whole tree).
  void discard();

 private:
  void collect(bool recheck_pinned, bool splice_only);
  void publish(const Event& e, const ApplyResult& r);

  Tree tree_;
  Delta delta_;
  std::size_t published_removed_ = 0;  // delta_.removed already published
  EventPublisher& out_;
  Counters& counters_;
  const BootClock& clock_;
  PinsSource pins_;
  std::vector<Sink> sinks_;
};

}  // namespace nsgroup
