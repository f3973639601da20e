// The client side of the control socket: one request, one reply line, or
// a stream of lines after "watch".
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "util/fd.h"
#include "util/result.h"

namespace nsgroup {

class Client {
 public:
  // nullopt when no daemon listens at path; a Failure for anything else
  // (permission denied, a path too long).
  static Result<std::optional<Client>> connect(const std::string& path);
  // Sends one request line (json/client_reply.h's RequestLine builds them)
  // and reads one reply line, as the daemon wrote it; a Failure when the
  // daemon goes away or refuses ({"ok": false}: its error). The values
  // in it are read with json/client_reply.h.
  Result<std::string> request(std::string_view line);
  // Sends one request line (without its newline).
  Status send_request(std::string_view line);
  // Passes the bytes of the next line to `sink` as they arrive, without
  // its newline: a reply of megabytes is never held whole. A Failure at EOF
  // before the newline, or the sink's.
  Status read_line_into(const std::function<Status(std::string_view)>& sink);
  // The next line from the daemon; nullopt at EOF.
  std::optional<std::string> read_line();
  // True when a whole line is already buffered.
  bool buffered() const { return buf_.find('\n') != std::string::npos; }
  int fd() const { return fd_.get(); }

 private:
  explicit Client(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
  std::string buf_;
};

}  // namespace nsgroup
