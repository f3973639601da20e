// Thin RAII wrappers for the event loop: epoll, signalfd, timerfd, and a
// line writer for stdout that reports a closed reader instead of dying.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string_view>

#include "fd.h"

namespace nsgroup {

class Epoll {
 public:
  Epoll();
  void add(int fd, std::uint32_t events, std::uint64_t key);
  void modify(int fd, std::uint32_t events, std::uint64_t key);
  void remove(int fd);
  // Number of ready entries written to out (0 on timeout or EINTR).
  int wait(std::span<epoll_event> out, int timeout_ms);

 private:
  UniqueFd fd_;
};

// Blocks the given signals and returns a signalfd that reads them.
UniqueFd make_signalfd(std::initializer_list<int> signals);
// Reads one signal from a signalfd; 0 when none was waiting.
int read_signal(int sfd);

// A periodic CLOCK_MONOTONIC timerfd (first expiry after period_ms).
UniqueFd make_timerfd(unsigned period_ms);
// Drains a timerfd's expiry count.
void drain_timerfd(int tfd);

// Writes whole lines to a file descriptor; false once the reader is gone
// (EPIPE). SIGPIPE must be ignored by the caller.
bool write_all(int fd, std::string_view data);

}  // namespace nsgroup
