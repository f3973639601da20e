// The client side of the control socket, and the commands that use it:
// tree, which, stats, and watch (which fall back to doing the work
// themselves when no daemon listens).
#pragma once

#include <optional>
#include <string>

#include "cli.h"
#include "event_json.h"
#include "fd.h"

namespace nsgroup {

class Client {
 public:
  // nullopt when no daemon listens at path; throws Error on other failures
  // (permission denied, a path too long).
  static std::optional<Client> connect(const std::string& path);
  // Sends one request and reads one reply line. Throws Error.
  Json request(const Json& req);
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

int run_tree(const Options& opts);
int run_which(const Options& opts);
int run_stats(const Options& opts);
int run_rename(const Options& opts);
int run_kill(const Options& opts);

}  // namespace nsgroup
