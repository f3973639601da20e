// Talking to the daemon.
#include "cli/client.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "json/client_reply.h"
#include "util/file.h"
#include "util/socket.h"

namespace nsgroup {

Result<std::optional<Client>> Client::connect(const std::string& path) {
  auto fd = connect_unix(path);
  if (fd)
    return std::optional<Client>(Client(std::move(*fd)));
  int err = fd.error().err;
  if (nobody_listens(err))
    return std::optional<Client>();
  if (err == EACCES || err == EPERM)
    return failure(Failure::Kind::Refused, "permission denied connecting to " + path +
                                               " (the socket is for root and its group)");
  return fd.error();
}

std::optional<std::string> Client::read_line() {
  std::size_t searched = 0;  // only new bytes are searched: a reply of
                             // megabytes is read in linear time
  for (;;) {
    auto nl = buf_.find('\n', searched);
    if (nl != std::string::npos) {
      std::string line;
      if (nl + 1 == buf_.size()) {  // the usual case: no copy of a long line
        line = std::move(buf_);
        line.pop_back();
        buf_.clear();
      } else {
        line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
      }
      return line;
    }
    searched = buf_.size();
    char tmp[65536];
    ssize_t n = ::read(fd_.get(), tmp, sizeof tmp);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return std::nullopt;
    buf_.append(tmp, static_cast<std::size_t>(n));
  }
}

Status Client::send_request(std::string_view request) {
  std::string line = std::string(request) + "\n";
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::send(fd_.get(), rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return errno_failure("the daemon closed the connection");
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return {};
}

Status Client::read_line_into(const std::function<Status(std::string_view)>& sink) {
  std::string chunk = std::move(buf_);
  buf_.clear();
  for (;;) {
    auto nl = chunk.find('\n');
    if (nl != std::string::npos) {
      buf_.assign(chunk, nl + 1);  // the start of a next line, if any
      return sink(std::string_view(chunk).substr(0, nl));
    }
    if (!chunk.empty())
      if (auto ok = sink(chunk); !ok)
        return ok;
    chunk.resize(65536);
    ssize_t n;
    do
      n = ::read(fd_.get(), chunk.data(), chunk.size());
    while (n < 0 && errno == EINTR);
    if (n <= 0)
      return n == 0 ? failure("the daemon closed the connection before the end of its reply")
                    : errno_failure("reading the daemon's reply");
    chunk.resize(static_cast<std::size_t>(n));
  }
}

Result<std::string> Client::request(std::string_view line) {
  if (auto sent = send_request(line); !sent)
    return sent.error();
  auto reply = read_line();
  if (!reply)
    return failure("the daemon closed the connection without a reply");
  if (auto ok = check_reply(*reply); !ok)
    return ok.error();
  return std::move(*reply);
}

}  // namespace nsgroup
