// epoll, signalfd, timerfd.
#include "util/loop.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace nsgroup {

Result<Epoll> Epoll::create() {
  UniqueFd fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!fd)
    return errno_failure("epoll_create1");
  return Epoll(std::move(fd));
}

Status Epoll::control(int op, int fd, std::uint32_t events, std::uint64_t key) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = key;
  if (::epoll_ctl(fd_.get(), op, fd, &ev) != 0)
    return errno_failure(op == EPOLL_CTL_ADD ? "epoll_ctl(ADD)" : "epoll_ctl(MOD)");
  return {};
}

Status Epoll::add(int fd, std::uint32_t events, std::uint64_t key) {
  return control(EPOLL_CTL_ADD, fd, events, key);
}

Status Epoll::modify(int fd, std::uint32_t events, std::uint64_t key) {
  return control(EPOLL_CTL_MOD, fd, events, key);
}

void Epoll::remove(int fd) { ::epoll_ctl(fd_.get(), EPOLL_CTL_DEL, fd, nullptr); }

int Epoll::wait(std::span<epoll_event> out, int timeout_ms) {
  int n = ::epoll_wait(fd_.get(), out.data(), static_cast<int>(out.size()), timeout_ms);
  if (n < 0 && errno != EINTR)  // EBADF, EFAULT, EINVAL: ours to fix
    throw std::logic_error("epoll_wait: " + errno_failure("").message());
  return n < 0 ? 0 : n;
}

Result<UniqueFd> make_signalfd(std::initializer_list<int> signals) {
  sigset_t set;
  sigemptyset(&set);
  for (int s : signals)
    sigaddset(&set, s);
  if (sigprocmask(SIG_BLOCK, &set, nullptr) != 0)
    return errno_failure("sigprocmask");
  UniqueFd fd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd)
    return errno_failure("signalfd");
  return fd;
}

int read_signal(int sfd) {
  signalfd_siginfo si{};
  ssize_t n = ::read(sfd, &si, sizeof si);
  if (n != static_cast<ssize_t>(sizeof si))
    return 0;
  return static_cast<int>(si.ssi_signo);
}

Result<UniqueFd> make_timerfd(unsigned period_ms) {
  UniqueFd fd(::timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK));
  if (!fd)
    return errno_failure("timerfd_create");
  itimerspec its{};
  its.it_interval.tv_sec = period_ms / 1000;
  its.it_interval.tv_nsec = static_cast<long>(period_ms % 1000) * 1'000'000;
  its.it_value = its.it_interval;
  if (::timerfd_settime(fd.get(), 0, &its, nullptr) != 0)
    return errno_failure("timerfd_settime");
  return fd;
}

void drain_timerfd(int tfd) {
  std::uint64_t n;
  while (::read(tfd, &n, sizeof n) == static_cast<ssize_t>(sizeof n)) {
  }
}

}  // namespace nsgroup
