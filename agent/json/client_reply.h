// The client's side of the socket protocol (docs/design.md, "The socket
// protocol") in JSON: request lines built, reply lines read. The CLI sees
// only lines of text and the values these take out of them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/result.h"

namespace nsgroup {

// A request line {"op": OP, KEY: VALUE...}, members in the order given.
class RequestLine {
 public:
  explicit RequestLine(std::string_view op);
  RequestLine& with(std::string_view key, std::string_view value);
  RequestLine& with(std::string_view key, const char* value) {
    return with(key, std::string_view(value));
  }
  RequestLine& with(std::string_view key, std::uint64_t value);
  RequestLine& with(std::string_view key, std::uint32_t value) {
    return with(key, static_cast<std::uint64_t>(value));
  }
  RequestLine& with(std::string_view key, bool value);
  // The line, without its newline.
  std::string str() const;

 private:
  std::vector<std::pair<std::string, std::string>> members_;  // key, JSON text of the value
};

// Ok for a reply {"ok": true, ...}; else what the daemon said instead
// ({"ok": false, "error": ...}, of the Failure::Kind its "code" names), or
// that the reply is not JSON.
Status check_reply(std::string_view reply);

// The "error" of a refusal, if the text is one ({"error": "..."}).
std::optional<std::string> reply_error(std::string_view reply);

// A string member of a reply ("container" of which, "path" of rename).
Result<std::string> reply_string(std::string_view reply, std::string_view key);

// A number or boolean member of a reply ("signalled", "cgroup_kill" of kill).
Result<std::uint64_t> reply_number(std::string_view reply, std::string_view key);
Result<bool> reply_bool(std::string_view reply, std::string_view key);

// A member of a reply as JSON indented by two spaces ("stats").
Result<std::string> reply_member_indented(std::string_view reply, std::string_view key);

// The reply without its "ok", as one compact line (kill's result).
Result<std::string> reply_without_ok(std::string_view reply);

// The string of a JSON string literal ("\"a\\nb\"" gives "a\nb").
std::optional<std::string> decode_json_string(std::string_view literal);

}  // namespace nsgroup
