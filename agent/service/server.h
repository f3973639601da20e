// Server: the daemon's Unix control socket. One request per line, one
// reply per line; `watch` turns a connection into a stream. Non-blocking
// (on stream_core.h's connection core); a bad or slow client never stops
// the others. What a line means is the handler's (api.h).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/watch_filter.h"
#include "service/access.h"
#include "service/framing.h"
#include "service/stream_core.h"
#include "util/fd.h"
#include "util/loop.h"
#include "util/result.h"

namespace nsgroup {

// One client of the control socket: the core's (stream_core.h) and who it
// is. Data only; the server owns and drives it.
struct Connection : StreamConn {
  Identity who;         // pid and uid from SO_PEERCRED; the rest from the accept hook
  // A pidfd of the connecting process: from SO_PEERPIDFD (Linux 6.5+), or
  // on older kernels from host/peer_proof.h's proof. Without one the client
  // is served, but never as admin, and `unpinned` says why.
  UniqueFd peer_pidfd;
  std::string unpinned;
  bool watching = false;
  // What this watcher asked to see (api.h's Reply), applied by the fan-out
  // before an event is formatted for it.
  WatchFilter filter;
  std::vector<ContainerId> filter_ids;  // filter.containers' containers
  bool held = false;           // in Server's list of requests for a later turn
  std::uint64_t turn = 0;      // the loop turn `answered` counts in
  int answered = 0;            // requests answered in that turn
};
// Output a client may leave unread before it is dropped. One reply is
// never refused for its size (a tree of a large host): the bound is on
// what a client leaves unread when more comes.
inline constexpr std::size_t kMaxPendingOutput = 16 << 20;
// A client's next request waits while more than this of its replies is
// unread, so a client that asks without reading holds one reply, not many.
inline constexpr std::size_t kReplyBacklog = 1 << 20;
// Requests answered per client per loop turn: one client's pipeline of
// requests must not hold the loop (and every other client) for long.
inline constexpr int kRequestsPerTurn = 16;
// Clients at once, in all and per non-root uid: idle connections must not
// exhaust the daemon's file descriptors.
inline constexpr std::size_t kMaxClients = 512;
inline constexpr std::size_t kMaxClientsPerUid = 32;

class Server : private StreamUser {
 public:
  // Called with each request line (not blank, at most kMaxRequestBytes).
  using Handler = std::function<void(Connection&, std::string_view line)>;
  // Called once per new client, with its credentials filled in; false
  // refuses it (the connection is closed).
  using AcceptHook = std::function<bool(Connection&)>;

  // Fails when a daemon answers on path already (checked again by open();
  // a daemon calls it before it touches anything else).
  static Status check_free(const std::string& path);
  // Binds and listens on path (mode 0660, owner root, group gid), after
  // removing a stale socket; fails if another daemon answers there.
  // Its fds are served by loop's handlers.
  static Result<std::unique_ptr<Server>> open(const std::string& path, gid_t group,
                                              EventLoop& loop, Handler handler,
                                              AcceptHook on_accept);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server() override;

  // A connected socket served as a client accepted on the path would be
  // (tests, with socketpairs); false when refused.
  bool adopt(UniqueFd fd) { return core_.adopt(std::move(fd)); }

  // Queues one line (a newline is added) and writes what it can now.
  void send(Connection& c, std::string_view line);
  // The same, taking the text over when nothing else waits (a reply of
  // megabytes is not copied).
  void send(Connection& c, std::string&& line);
  // {"ok": false, "error": msg}.
  void send_error(Connection& c, std::string_view msg);
  // A line to every watching connection for which want() is true.
  void broadcast(std::string_view line,
                 const std::function<bool(const Connection&)>& want);
  // The watching connections (closed ones too, until reap()).
  std::vector<Connection*> watchers();
  // Answers requests held back (kRequestsPerTurn, kReplyBacklog); once
  // per loop turn, at its end.
  void service();
  // Frees the connections closed since the last call (the loop does it
  // at the end of each turn too). Connections are never freed while a
  // request is being handled: a handler that broadcasts may close the
  // very connection it serves.
  void reap() { core_.reap(); }
  // Accepting again after running out of file descriptors (timer).
  void resume() { core_.resume(); }
  // True when requests wait for a later turn: the loop should not sleep.
  bool busy() const { return !held_.empty(); }
  std::size_t client_count() const { return core_.count(); }
  bool has_watchers() const;
  // Clients dropped because they left too much output unread.
  std::uint64_t slow_drops() const { return core_.slow_drops(); }
  const std::string& path() const { return path_; }

 private:
  Server(std::string path, EventLoop& loop, Handler handler, AcceptHook on_accept);
  // StreamUser
  std::unique_ptr<StreamConn> make_conn() override { return std::make_unique<Connection>(); }
  bool admit(StreamConn& c) override;
  void on_refused(const StreamConn& c, std::string_view why) override;
  void on_input(StreamConn& c) override;
  void on_drained(StreamConn& c) override;
  bool finished(const StreamConn& c) const override;
  void dropped_slow(const StreamConn& c) override;

  void handle_lines(Connection& c);
  // Puts c on the list of clients whose requests wait for the next turn.
  void hold(Connection& c);

  std::string path_;
  Handler handler_;
  AcceptHook on_accept_;
  StreamCore core_;
  std::vector<int> held_;  // clients with requests left for a later turn
  std::uint64_t turn_ = 1;  // loop turns, counted by service()
  bool bound_ = false;      // path is ours to unlink
};

// A gid from a group name or number (--socket-group); "" is root's.
Result<gid_t> resolve_group(const std::string& group);

}  // namespace nsgroup
