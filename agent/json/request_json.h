// The control socket's requests: a line of JSON parsed into a plain
// Request, so that nothing past json/ handles JSON values. The wire format
// is docs/design.md's "The socket protocol".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace nsgroup {

// One request, every field as the handlers read it. A field absent or of
// another type is empty here; the handler for the op says what it needs.
// A new field (watch filters) is one member here and one line in
// parse_request.
struct Request {
  std::string op;                    // "" when absent or not a string
  bool pids = false;                 // tree: members' pids; true only for `true`
  std::optional<std::uint64_t> pid;  // which: a non-negative integer only
  std::optional<std::string> path;   // rename, kill
  std::optional<std::string> name;   // rename
};

// A request line (one JSON object), or the error to answer.
Result<Request> parse_request(std::string_view line);

}  // namespace nsgroup
