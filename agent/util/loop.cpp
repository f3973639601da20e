// The fd -> handler loop, and epoll, signalfd, timerfd.
#include "util/loop.h"

#include <signal.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

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

Result<EventLoop> EventLoop::create() {
  auto ep = Epoll::create();
  if (!ep)
    return ep.error();
  return EventLoop(std::move(*ep));
}

Status EventLoop::add(int fd, std::uint32_t events, Handler handler) {
  if (by_fd_.count(fd) != 0)
    return failure("fd " + std::to_string(fd) + " is in the loop already");
  std::uint64_t key = ++serial_;
  if (auto ok = ep_->add(fd, events, key); !ok)
    return ok;
  entries_.emplace(key, std::make_shared<Entry>(Entry{fd, std::move(handler)}));
  by_fd_.emplace(fd, key);
  return {};
}

Status EventLoop::modify(int fd, std::uint32_t events) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end())
    return failure("fd " + std::to_string(fd) + " is not in the loop");
  return ep_->modify(fd, events, it->second);
}

void EventLoop::remove(int fd) {
  auto it = by_fd_.find(fd);
  if (it == by_fd_.end())
    return;
  ep_->remove(fd);
  entries_.erase(it->second);
  by_fd_.erase(it);
}

int EventLoop::run_once(int timeout_ms) {
  std::array<epoll_event, 64> ready{};
  int n = ep_->wait(ready, timeout_ms);
  int ran = 0;
  for (int i = 0; i < n; ++i) {
    // Copies: epoll_event is packed on x86-64, so its u64 is misaligned and
    // must not be bound to a reference (find takes one).
    const std::uint64_t key = ready[static_cast<std::size_t>(i)].data.u64;
    const std::uint32_t events = ready[static_cast<std::size_t>(i)].events;
    auto it = entries_.find(key);
    if (it == entries_.end())
      continue;  // removed by an earlier handler of this turn
    // Held while it runs: the handler may remove its own entry.
    std::shared_ptr<Entry> entry = it->second;
    entry->handler(events);
    ++ran;
  }
  std::vector<std::function<void()>> posted;
  posted.swap(posted_);
  for (auto& fn : posted)
    fn();
  return ran;
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
