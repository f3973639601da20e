// sd_notify without libsystemd: the protocol is one datagram.
#include "service/notify.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "util/log.h"

namespace nsgroup {

Notifier Notifier::from_env() {
  Notifier n;
  const char* sock = std::getenv("NOTIFY_SOCKET");
  if (sock && *sock && (sock[0] == '/' || sock[0] == '@')) {
    n.address_ = sock;
    n.fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  }
  const char* usec = std::getenv("WATCHDOG_USEC");
  const char* wpid = std::getenv("WATCHDOG_PID");
  bool ours = !wpid || std::strtoul(wpid, nullptr, 10) == static_cast<unsigned long>(::getpid());
  if (usec && ours) {
    unsigned long long v = std::strtoull(usec, nullptr, 10);
    if (v > 0)
      n.watchdog_ = std::chrono::microseconds(v / 2);
  }
  return n;
}

Status Notifier::send(std::string_view state) {
  if (!fd_)
    return {};
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (address_.size() >= sizeof addr.sun_path)
    return failure("NOTIFY_SOCKET is too long");
  std::memcpy(addr.sun_path, address_.data(), address_.size());
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address_.size());
  if (address_[0] == '@')
    addr.sun_path[0] = '\0';  // abstract: no terminator, exact length
  else
    len += 1;
  ssize_t n = ::sendto(fd_.get(), state.data(), state.size(), MSG_NOSIGNAL,
                       reinterpret_cast<sockaddr*>(&addr), len);
  if (n < 0) {
    Failure f = errno_failure("sd_notify");
    log_debug(f.message());
    return f;
  }
  return {};
}

}  // namespace nsgroup
