// Fan-out: each event to stdout (the journal) and to the watchers allowed
// to see it (access rule 1), redacted for those who may see where the
// subject went but not where it came from.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/tree.h"
#include "json/json.h"
#include "service/model.h"
#include "service/server.h"
#include "util/async_writer.h"

namespace nsgroup {

// What stdout may hold unwritten (a slow journal, a stuck pipe) before
// lines are dropped and counted: the loop never waits on it.
inline constexpr std::size_t kStdoutQueueBytes = std::size_t{8} << 20;

// What a watcher gets of an event about subject.container whose subject
// came from `from`: nothing (access rule 1, or its filter says no), the
// line, or the line redacted (it may not see `from`). A container filter
// first follows its container's renames.
enum class Delivery { None, Whole, Redacted };
Delivery delivery(const Tree& tree, Connection& c, const WatchSubject& s, std::string_view from);
// Sets c's container filter paths from the tree (by the ids they hold):
// a container renamed, or one above it, and then removed with no event
// in between would otherwise be matched by its old path.
void refresh_container_filter(const Tree& tree, Connection& c);

class Fanout {
 public:
  Fanout(const Tree& tree, bool to_stdout);
  // The watchers; events before a server exists go to stdout only.
  void attach(Server* server) { server_ = server; }

  // True when someone would read an event: JSON nobody reads is not built.
  bool wanted() const;
  // Sends an event about the container at path subject.container (empty:
  // about no container, the root's watchers only), whose subject came from
  // `from` (empty: no origin to hide), to stdout and to every watcher that
  // may see it and whose filter keeps it. line() makes its JSON line
  // (without its newline), once, and only when someone takes it;
  // redacted() makes the line for watchers who may see the container but
  // not `from`, called only when there is one.
  void publish(const WatchSubject& subject, const LineFn& line, std::string_view from = {},
               const LineFn& redacted = {});
  // Hands the lines stdout has waiting to its writer thread: once per loop
  // turn (or per 64 KiB), not once per event.
  void flush();
  // A container was renamed: every watcher's container filter takes the
  // new paths now, before the next event (its removal may come first).
  void renamed();
  // Lines stdout could not take in time, or at all.
  std::uint64_t stdout_drops() const { return writer_ ? writer_->dropped() : 0; }

 private:
  const Tree& tree_;
  Server* server_ = nullptr;
  bool stdout_;
  std::optional<AsyncWriter> writer_;
  std::string out_;  // lines for stdout not handed over yet, its capacity reused
};

}  // namespace nsgroup
