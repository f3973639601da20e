// The systemd notify protocol (sd_notify(3)), spoken directly: one
// datagram per state change to $NOTIFY_SOCKET (a path, or abstract when it
// starts with '@'), and the watchdog period from $WATCHDOG_USEC.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "util/fd.h"
#include "util/result.h"

namespace nsgroup {

class Notifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID. Disabled when
  // NOTIFY_SOCKET is unset.
  static Notifier from_env();

  bool enabled() const { return static_cast<bool>(fd_); }
  // Sends "READY=1", "STATUS=...", "WATCHDOG=1", "STOPPING=1" (several may
  // be joined by newlines). Nothing to do (and success) when disabled.
  Status send(std::string_view state);
  // Half of WATCHDOG_USEC, when systemd asked for keep-alives (and the
  // request is for this process).
  std::optional<std::chrono::microseconds> watchdog_interval() const {
    return watchdog_;
  }

 private:
  UniqueFd fd_;
  std::string address_;
  std::optional<std::chrono::microseconds> watchdog_;
};

}  // namespace nsgroup
