// Thin RAII wrappers for the event loop: epoll, signalfd, timerfd.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <initializer_list>
#include <span>

#include "util/fd.h"
#include "util/result.h"

namespace nsgroup {

class Epoll {
 public:
  static Result<Epoll> create();
  Status add(int fd, std::uint32_t events, std::uint64_t key);
  Status modify(int fd, std::uint32_t events, std::uint64_t key);
  void remove(int fd);
  // Number of ready entries written to out (0 on timeout or EINTR).
  int wait(std::span<epoll_event> out, int timeout_ms);

 private:
  explicit Epoll(UniqueFd fd) : fd_(std::move(fd)) {}
  Status control(int op, int fd, std::uint32_t events, std::uint64_t key);
  UniqueFd fd_;
};

// Blocks the given signals and returns a signalfd that reads them.
Result<UniqueFd> make_signalfd(std::initializer_list<int> signals);
// Reads one signal from a signalfd; 0 when none was waiting.
int read_signal(int sfd);

// A periodic CLOCK_MONOTONIC timerfd (first expiry after period_ms).
Result<UniqueFd> make_timerfd(unsigned period_ms);
// Drains a timerfd's expiry count.
void drain_timerfd(int tfd);

}  // namespace nsgroup
