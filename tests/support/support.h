// Helpers for tests that run for real as root: child processes that make a
// namespace change and report what the kernel then says, and a log of the
// tracer's events to wait on.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstring>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "core/event.h"
#include "util/fd.h"
#include "core/ns.h"
#include "kernel/tracer.h"

namespace nsgroup::test {

// The hook set the tests ask for: $NSGROUP_TEST_HOOKS (auto, fexit,
// tracepoint), auto when unset. The VM runs the suite once per set.
Hooks test_hooks();
std::string test_hooks_name();

// Why privileged tests cannot run here, or "" when they can.
std::string privileged_skip_reason();

#define NSG_REQUIRE_PRIVILEGED()                                              \
  do {                                                                        \
    if (auto why = ::nsgroup::test::privileged_skip_reason(); !why.empty())   \
      GTEST_SKIP() << why;                                                    \
  } while (0)

// What readlink /proc/PID/ns/NAME says: the inode, 0 when unreadable.
std::uint32_t ns_inode(pid_t pid, std::string_view name);
// All ten links of /proc/PID/ns (inodes only).
NsSet ns_inodes(pid_t pid);
// Inode of a file (for nsfs bind mounts such as /run/netns/X).
std::uint64_t file_inode(const std::string& path);

// A forked child running fn(out_fd); whatever it writes to out_fd the test
// reads back. fn's return value is the child's exit status.
struct Child {
  pid_t pid = -1;
  UniqueFd out;
  Child() = default;
  Child(Child&& o) noexcept : pid(std::exchange(o.pid, -1)), out(std::move(o.out)) {}
  Child& operator=(Child&&) = delete;
  // Reads exactly n bytes (blocks); false on EOF first.
  bool read_exact(void* buf, std::size_t n);
  // Waits for the child; its exit status, or 128+signal.
  int wait();
  // SIGKILL and reap, if still running.
  void kill();
  ~Child();
};
Child fork_child(std::function<int(int out_fd)> fn);

// Runs fn in a child and returns the NsSet it wrote (its exit status must be
// 0). Convenience for "do X, then report /proc/self/ns".
void write_self_ns(int out_fd);

// posix_spawnp(argv); stdout and stderr to /dev/null unless keep_output.
pid_t spawn(const std::vector<std::string>& argv, bool keep_output = false);
// What a finished command printed, and its exit status.
struct Output {
  int status = -1;
  std::string out;
  std::string err;
};
// Runs argv with stdin from /dev/null, capturing stdout and stderr. With
// uid >= 0 the command runs as that uid/gid (needs root), no supplementary
// groups.
// With a timeout, the command gets SIGTERM when it expires (its status is
// then whatever it exits with).
Output capture(const std::vector<std::string>& argv, int uid = -1,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(0));
// The nsgroup binary under test ($NSGROUP_TEST_BINARY, else the build's).
std::string nsgroup_binary();
// A copy of it that any user can execute, for tests that run it as
// another user: the build may sit in a private (0700) directory, as a
// clone into /root or `mktemp -d` does. Removed when the tests end.
std::string reachable_binary();

// Exit status of pid (waits), or 128+signal.
int wait_status(pid_t pid);
// Runs argv to completion; its exit status.
int run(const std::vector<std::string>& argv);

// Processes a test starts, each in its own process group; the whole group
// is killed and reaped when the object goes (or on kill_all()).
class Workloads {
 public:
  Workloads() = default;
  Workloads(const Workloads&) = delete;
  Workloads& operator=(const Workloads&) = delete;
  ~Workloads() { kill_all(); }
  pid_t start(const std::vector<std::string>& argv);
  // Adopts a process the test made itself (it must lead its own group or
  // be killed alone).
  void adopt(pid_t pid) { pids_.push_back(pid); }
  void kill_all();
  const std::vector<pid_t>& pids() const { return pids_; }

 private:
  std::vector<pid_t> pids_;
};

// Children of a process (from /proc/PID/task/PID/children).
std::vector<pid_t> children_of(pid_t pid);
// Waits until pred() holds, polling; false on timeout.
bool eventually(const std::function<bool()>& pred,
                std::chrono::milliseconds timeout = std::chrono::seconds(5));

// A running `nsgroup daemon` on a socket of its own, stopped by the
// destructor. Extra arguments follow `daemon`; without --cgroup-root among
// them it runs with --no-mirror. A wrapper command (unshare -m sh -c ...)
// may come first; it must exec the daemon in place.
class DaemonProcess {
 public:
  explicit DaemonProcess(std::vector<std::string> extra = {},
                         std::vector<std::string> wrapper = {});
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;
  ~DaemonProcess();
  // True once the socket answers (waits up to 20 s).
  bool ready() const { return ready_; }
  const std::string& socket() const { return socket_; }
  pid_t pid() const { return pid_; }
  // One request, one reply (a fresh connection each time).
  nlohmann::ordered_json request(const nlohmann::ordered_json& req) const;
  // SIGTERM, then the exit status (waits up to 5 s, then SIGKILL).
  int stop(int sig = SIGTERM);
  // What the daemon wrote to stderr so far.
  std::string log() const;
  // With kPrintEvents among the extra arguments: what it wrote to stdout
  // (its events) so far.
  std::string events() const;
  static constexpr const char* kPrintEvents = "--print-events";

 private:
  static std::string slurp(const std::string& path);
  std::string events_path_;
  std::string socket_;
  std::string log_path_;
  std::string state_dir_;
  pid_t pid_ = -1;
  bool ready_ = false;
};

// A datagram socket standing in for systemd's notify socket.
class NotifySocket {
 public:
  NotifySocket() : name_("nsgroup-test-notify-" + std::to_string(::getpid())) {
    fd_.reset(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, name_.data(), name_.size());  // abstract
    socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + name_.size());
    if (::bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0)
      throw std::system_error(errno, std::generic_category(), "bind notify socket");
  }
  std::string env() const { return "NOTIFY_SOCKET=@" + name_; }
  // The next datagram, or nullopt after timeout.
  std::optional<std::string> next(std::chrono::milliseconds timeout) {
    pollfd p{fd_.get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
      return std::nullopt;
    char buf[4096];
    ssize_t n = ::recv(fd_.get(), buf, sizeof buf, 0);
    if (n < 0)
      return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }
  // Waits for a datagram containing `what`, skipping others.
  std::optional<std::string> wait_for(const std::string& what,
                                      std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      auto msg = next(left);
      if (msg && msg->find(what) != std::string::npos)
        return msg;
    }
    return std::nullopt;
  }

 private:
  std::string name_;
  UniqueFd fd_;
};

// A tracer and every event it delivered, in order.
class EventLog {
 public:
  // The test process makes some of its changes itself (clone3): by
  // default it is not ignored.
  explicit EventLog(TracerOptions opts = own_events());
  static TracerOptions own_events() {
    TracerOptions o;
    o.ignore_self = false;
    o.hooks = test_hooks();
    return o;
  }
  EventLog(EventLog&&) = delete;  // the tracer's callback holds `this`
  // Polls until an event satisfying pred arrives (or timeout); returns it.
  std::optional<Event> wait_for(const std::function<bool(const Event&)>& pred,
                                std::chrono::milliseconds timeout =
                                    std::chrono::seconds(5));
  // Drains whatever is waiting now.
  void drain();
  const std::vector<Event>& events() const { return events_; }
  Tracer& tracer() { return tracer_; }

 private:
  std::vector<Event> events_;
  Tracer tracer_;
};

}  // namespace nsgroup::test
