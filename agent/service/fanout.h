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
#include "service/server.h"
#include "util/async_writer.h"

namespace nsgroup {

// What stdout may hold unwritten (a slow journal, a stuck pipe) before
// lines are dropped and counted: the loop never waits on it.
inline constexpr std::size_t kStdoutQueueBytes = std::size_t{8} << 20;

class Fanout {
 public:
  Fanout(const Tree& tree, bool to_stdout);
  // The watchers; events before a server exists go to stdout only.
  void attach(Server* server) { server_ = server; }

  // True when someone would read an event: JSON nobody reads is not built.
  bool wanted() const;
  // Sends an event (a JSON line without its newline) about the container
  // at path `where` (empty: about no container, the root's watchers only),
  // whose subject came from `from` (empty: no origin to hide). redacted()
  // makes the line for watchers who may see `where` but not `from`; it is
  // called only when there is one.
  void publish(std::string_view line, std::string_view where, std::string_view from = {},
               const std::function<std::string()>& redacted = {});
  // Hands the lines stdout has waiting to its writer thread: once per loop
  // turn (or per 64 KiB), not once per event.
  void flush();
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
