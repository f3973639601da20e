// The control socket's requests: a line of JSON parsed into a plain
// Request, so that nothing past json/ handles JSON values. The wire format
// is docs/design.md's "The socket protocol".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/watch_filter.h"
#include "util/result.h"

namespace nsgroup {

// One request, every field as the handlers read it. A field absent or of
// another type is empty here; the handler for the op says what it needs.
// A new field is one member here and one line in parse_request.
struct Request {
  std::string op;                    // "" when absent or not a string
  bool pids = false;                 // tree: members' pids; true only for `true`
  std::optional<std::uint64_t> pid;  // which: a non-negative integer only
  std::optional<std::string> path;   // rename, kill
  std::optional<std::string> name;   // rename
  // watch: "pid", "uid", "comm", "events", "container", each one value
  // or an array (filled for op "watch" only: "pid" is which's too).
  WatchFilter watch;
  std::string watch_error;  // a bad filter value, named; "" when none
};

// A request line (one JSON object), or the error to answer.
Result<Request> parse_request(std::string_view line);

// The watch request for a filter: {"op":"watch"} plus a member per
// filter that has values, each an array.
std::string watch_request_line(const WatchFilter& filter);

}  // namespace nsgroup
