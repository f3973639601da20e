// Event fan-out.
#include "service/fanout.h"

#include <unistd.h>

#include "service/access.h"
#include "util/log.h"

namespace nsgroup {

namespace {

constexpr std::size_t kFlushBytes = std::size_t{64} << 10;

}  // namespace

Fanout::Fanout(const Tree& tree, bool to_stdout) : tree_(tree), stdout_(to_stdout) {
  if (stdout_)
    writer_.emplace(STDOUT_FILENO, kStdoutQueueBytes);
}

void Fanout::flush() {
  if (!stdout_ || out_.empty())
    return;
  writer_->push(out_);
  out_.clear();
  if (!writer_->open()) {
    stdout_ = false;
    log_warn("stdout is closed: events are no longer printed there");
  }
}

bool Fanout::wanted() const { return stdout_ || (server_ && server_->has_watchers()); }

void Fanout::publish(std::string_view body, std::string_view where, std::string_view from,
                     const std::function<std::string()>& redacted) {
  if (stdout_) {
    out_.append(body).push_back('\n');
    if (out_.size() >= kFlushBytes)
      flush();
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
