// Fan-out: each event to stdout (the journal) and to the watchers allowed
// to see it (access rule 1), redacted for those who may see where the
// subject went but not where it came from.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "core/tree.h"
#include "json/json.h"
#include "service/server.h"

namespace nsgroup {

class Fanout {
 public:
  Fanout(const Tree& tree, bool to_stdout) : tree_(tree), stdout_(to_stdout) {}
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
  // Writes the lines stdout has waiting: one write(2) per loop turn (or per
  // 64 KiB), not one per event.
  void flush();

 private:
  const Tree& tree_;
  Server* server_ = nullptr;
  bool stdout_;
  std::string out_;  // lines for stdout not written yet, its capacity reused
};

}  // namespace nsgroup
