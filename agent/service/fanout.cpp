// Event fan-out.
#include "service/fanout.h"

#include <unistd.h>

#include "service/access.h"
#include "util/file.h"
#include "util/log.h"

namespace nsgroup {

bool Fanout::wanted() const { return stdout_ || (server_ && server_->has_watchers()); }

void Fanout::publish(std::string_view body, std::string_view where, std::string_view from,
                     const std::function<std::string()>& redacted) {
  if (stdout_) {
    line_.assign(body).push_back('\n');
    if (!write_all(STDOUT_FILENO, line_)) {
      stdout_ = false;
      log_warn("stdout is closed: events are no longer printed there");
    }
  }
  if (!server_)
    return;
  bool redact = false;
  server_->broadcast(body, [&](const Connection& c) {
    if (!may_see(tree_, c.who, where))
      return false;
    bool from_inside = from.empty() || may_see(tree_, c.who, from);
    redact = redact || !from_inside;
    return from_inside;
  });
  if (redact && redacted) {
    server_->broadcast(redacted(), [&](const Connection& c) {
      return may_see(tree_, c.who, where) && !may_see(tree_, c.who, from);
    });
  }
}

}  // namespace nsgroup
