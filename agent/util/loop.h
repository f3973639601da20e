// The event loop: EventLoop (an fd -> handler registry over one epoll, in
// the manner of sd-event), and thin RAII wrappers for epoll, signalfd and
// timerfd.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <vector>

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

// One epoll, and per registered fd the callback that serves it: the loop
// dispatches, so that no caller tells fds apart by keys. A handler may add
// or remove any fd (its own included) while it runs; an fd removed in a
// turn gets no more calls in that turn, even when the number is reused.
class EventLoop {
 public:
  using Handler = std::function<void(std::uint32_t events)>;
  static Result<EventLoop> create();
  EventLoop(EventLoop&&) noexcept = default;
  EventLoop& operator=(EventLoop&&) noexcept = default;

  // Registers fd (not already registered) for events.
  Status add(int fd, std::uint32_t events, Handler handler);
  // Changes the events fd waits for.
  Status modify(int fd, std::uint32_t events);
  // Forgets fd (a no-op when it is not registered). Before closing it.
  void remove(int fd);
  bool contains(int fd) const { return by_fd_.count(fd) != 0; }
  std::size_t size() const { return by_fd_.size(); }
  // Runs fn once at the end of this turn (or of the next, when called
  // outside one): for what must wait until no handler holds a reference,
  // such as freeing a closed connection.
  void post(std::function<void()> fn) { posted_.push_back(std::move(fn)); }
  // Waits up to timeout_ms (-1: forever), runs the handler of each ready
  // fd, then what was posted; returns how many handlers ran.
  int run_once(int timeout_ms);

 private:
  struct Entry {
    int fd;
    Handler handler;
  };
  explicit EventLoop(Epoll ep) : ep_(std::make_unique<Epoll>(std::move(ep))) {}

  std::unique_ptr<Epoll> ep_;
  // epoll's key is a serial, never reused: a stale readiness of a removed
  // fd finds nothing.
  std::map<std::uint64_t, std::shared_ptr<Entry>> entries_;
  std::map<int, std::uint64_t> by_fd_;
  std::uint64_t serial_ = 0;
  std::vector<std::function<void()>> posted_;
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
