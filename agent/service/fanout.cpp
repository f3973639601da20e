// Event fan-out.
#include "service/fanout.h"

#include <unistd.h>

#include "service/access.h"
#include "util/file.h"
#include "util/log.h"

namespace nsgroup {

bool Fanout::wanted() const { return stdout_ || (server_ && server_->has_watchers()); }

void Fanout::publish(const Json& event, std::string_view where, std::string_view from) {
  std::string line = dump_line(event);
  line.push_back('\n');
  if (stdout_ && !write_all(STDOUT_FILENO, line)) {
    stdout_ = false;
    log_warn("stdout is closed: events are no longer printed there");
  }
  if (!server_)
    return;
  std::string_view body(line.data(), line.size() - 1);
  bool redact = false;
  server_->broadcast(body, [&](const Connection& c) {
    if (!may_see(tree_, c.who, where))
      return false;
    bool from_inside = from.empty() || may_see(tree_, c.who, from);
    redact = redact || !from_inside;
    return from_inside;
  });
  if (redact) {
    std::string redacted = dump_line(redact_origin(event));
    server_->broadcast(redacted, [&](const Connection& c) {
      return may_see(tree_, c.who, where) && !may_see(tree_, c.who, from);
    });
  }
}

}  // namespace nsgroup
