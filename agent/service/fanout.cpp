// Event fan-out.
#include "service/fanout.h"

#include <unistd.h>

#include <algorithm>

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

void Fanout::renamed() {
  if (server_)
    for (Connection* c : server_->watchers())
      refresh_container_filter(tree_, *c);
}

bool Fanout::wanted() const { return stdout_ || (server_ && server_->has_watchers()); }

void refresh_container_filter(const Tree& tree, Connection& c) {
  std::size_t n = std::min(c.filter_ids.size(), c.filter.containers.size());
  for (std::size_t i = 0; i < n; ++i)
    if (tree.find(c.filter_ids[i]))
      c.filter.containers[i] = tree.path(c.filter_ids[i]);
}

Delivery delivery(const Tree& tree, Connection& c, const WatchSubject& s, std::string_view from) {
  if (!may_see(tree, c.who, s.container))
    return Delivery::None;
  // Container filters follow renames (Fanout::renamed refreshes them at
  // once). Once a container is gone its last path stands, so that its own
  // container_removed event still matches. (Notes are about no
  // container: nothing to compare.)
  if (!s.container.empty())
    refresh_container_filter(tree, c);
  if (!c.filter.matches(s))
    return Delivery::None;
  return from.empty() || may_see(tree, c.who, from) ? Delivery::Whole : Delivery::Redacted;
}

void Fanout::publish(const WatchSubject& s, const LineFn& line, std::string_view from,
                     const LineFn& redacted) {
  std::optional<std::string> body;  // built at most once, when someone takes it
  auto text = [&]() -> const std::string& {
    if (!body)
      body = line();
    return *body;
  };
  if (stdout_) {
    out_.append(text()).push_back('\n');
    if (out_.size() >= kFlushBytes)
      flush();
  }
  if (!server_)
    return;
  // Filtered first: a watcher that does not want the event costs no JSON.
  std::vector<Connection*> whole, hidden;
  for (Connection* c : server_->watchers()) {
    Delivery d = delivery(tree_, *c, s, from);
    if (d != Delivery::None)
      (d == Delivery::Whole ? whole : hidden).push_back(c);
  }
  for (Connection* c : whole)
    server_->send(*c, std::string_view(text()));
  if (!hidden.empty() && redacted) {
    std::string r = redacted();
    for (Connection* c : hidden)
      server_->send(*c, std::string_view(r));
  }
}

}  // namespace nsgroup
