// StreamCore: the non-blocking connection core under both of the daemon's
// servers (the control socket, server.h; /metrics, metrics_http.h). It
// accepts, reads each client's input into a line buffer up to a bound,
// queues its output with a cap, asks the event loop for what each client
// can use now, and closes; peer credentials and the caps on clients (in
// all, per uid) are its too. What the bytes mean is the server's
// (StreamUser): the core sees only bytes and lines.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "service/framing.h"
#include "util/fd.h"
#include "util/loop.h"
#include "util/result.h"

namespace nsgroup {

// One client. A server that needs more per client derives from it and
// makes its own in StreamUser::make_conn.
struct StreamConn {
  virtual ~StreamConn() = default;
  StreamConn() = default;
  StreamConn(const StreamConn&) = delete;
  StreamConn& operator=(const StreamConn&) = delete;

  std::size_t unsent() const { return out.size() - sent; }

  UniqueFd fd;
  // SO_PEERCRED, when StreamLimits::peer_credentials asks for it.
  pid_t peer_pid = 0;
  uid_t peer_uid = 0;
  LineFramer in;
  std::string out;
  std::size_t sent = 0;    // bytes of `out` already sent
  bool read_done = false;  // the client shut its side (EOF)
  bool closing = false;    // close once `out` is flushed; input is discarded
  std::uint32_t interest = 0;    // the epoll events asked for now
  std::uint64_t deadline_ms = 0;  // CLOCK_MONOTONIC; 0: none
  bool dead = false;  // closed; freed after the loop turn, never before
};

struct StreamLimits {
  std::string name;  // for log lines: "control-socket", "metrics"
  std::size_t max_clients = 0;
  std::size_t max_clients_per_uid = 0;  // 0: no bound; root is never bound
  std::size_t accepts_per_turn = 0;     // 0: until the backlog is empty
  // Input buffered past this waits in the socket until lines are taken.
  std::size_t max_input = kMaxRequestBytes;
  // Output a client may leave unread when more comes before it is dropped
  // (one send is never refused for its size); 0: no cap.
  std::size_t max_unsent = 0;
  // Input waits while more than this of the client's output is unread.
  std::size_t input_backlog = std::numeric_limits<std::size_t>::max();
  std::uint64_t lifetime_ms = 0;  // from accept to close; 0: none
  bool peer_credentials = false;  // SO_PEERCRED (Unix sockets); refused without
};

// What a server built on the core decides.
class StreamUser {
 public:
  virtual ~StreamUser() = default;
  virtual std::unique_ptr<StreamConn> make_conn() { return std::make_unique<StreamConn>(); }
  // A new client, past the core's caps; false refuses it (closed).
  virtual bool admit(StreamConn& /*c*/) { return true; }
  // The core refused a client (why: for a log line).
  virtual void on_refused(const StreamConn& /*c*/, std::string_view /*why*/) {}
  // New bytes in c.in, or the end of them (c.read_done).
  virtual void on_input(StreamConn& c) = 0;
  // Everything queued was sent.
  virtual void on_drained(StreamConn& /*c*/) {}
  // Whether a client whose input ended, with nothing unsent, is done
  // (closed) or still has output coming.
  virtual bool finished(const StreamConn& /*c*/) const { return true; }
  // c is being dropped for leaving more than max_unsent unread.
  virtual void dropped_slow(const StreamConn& /*c*/) {}
};

class StreamCore {
 public:
  StreamCore(EventLoop& loop, StreamUser& user, StreamLimits limits)
      : loop_(loop), user_(user), limits_(std::move(limits)) {}
  ~StreamCore();
  StreamCore(const StreamCore&) = delete;
  StreamCore& operator=(const StreamCore&) = delete;

  // Accepts clients from a listening socket (non-blocking) from now on.
  Status listen(UniqueFd listening);
  // Takes a connected socket as a client, as accept does (and tests with
  // socketpairs); false when refused.
  bool adopt(UniqueFd fd);

  // Queues bytes (and a newline) and writes what it can now. A client
  // that left more than max_unsent unread is dropped instead.
  void send(StreamConn& c, std::string_view bytes, bool newline = false);
  // The same, taking the text over when nothing else waits.
  void send(StreamConn& c, std::string&& bytes, bool newline = false);
  // Closes now; the connection is freed after the loop turn.
  void close(StreamConn& c);
  // Closes c when it is done, else asks the loop for what it can use now.
  // After its state changed outside the core's own calls.
  void settle(StreamConn& c);
  // Frees the closed connections (at the end of each loop turn anyway).
  void reap();
  // Closes the connections past their deadline; now_ms is CLOCK_MONOTONIC.
  void expire(std::uint64_t now_ms);
  // Accepting again after running out of file descriptors (a timer).
  void resume();

  // The open client on fd, or nullptr.
  StreamConn* find(int fd);
  // Each open client, in fd order.
  void for_each(const std::function<void(StreamConn&)>& fn);
  void for_each(const std::function<void(const StreamConn&)>& fn) const;
  std::size_t count() const { return conns_.size() - dead_.size(); }
  std::uint64_t refused() const { return refused_; }
  std::uint64_t slow_drops() const { return slow_drops_; }

 private:
  void on_listen_ready();
  void on_ready(int fd, std::uint32_t events);
  void refuse(const StreamConn& c, std::string_view why);
  // Reads what the socket has, up to max_input; true at EOF.
  bool read_input(StreamConn& c);
  void flush(StreamConn& c);
  void update_interest(StreamConn& c);

  EventLoop& loop_;
  StreamUser& user_;
  StreamLimits limits_;
  UniqueFd listen_;
  bool paused_ = false;
  std::map<int, std::unique_ptr<StreamConn>> conns_;
  std::vector<int> dead_;
  bool reap_posted_ = false;
  std::uint64_t refused_ = 0;
  std::uint64_t slow_drops_ = 0;
  // Cleared by the destructor: a reap posted to the loop finds it gone.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

// CLOCK_MONOTONIC in milliseconds.
std::uint64_t monotonic_ms();

}  // namespace nsgroup
