// Server: the daemon's Unix control socket. One JSON request per line, one
// JSON reply per line; `watch` turns a connection into a stream. Non-
// blocking; a bad or slow client never stops the others.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "service/access.h"
#include "service/framing.h"
#include "util/fd.h"
#include "util/loop.h"
#include "util/result.h"

namespace nsgroup {

// One client. Data only; the server owns and drives it.
struct Connection {
  UniqueFd fd;
  Identity who;         // pid and uid from SO_PEERCRED; the rest from the accept hook
  // A pidfd of the connecting process: from SO_PEERPIDFD (Linux 6.5+), or
  // on older kernels from host/peer_proof.h's proof. Without one the client
  // is served, but never as admin, and `unpinned` says why.
  UniqueFd peer_pidfd;
  std::string unpinned;
  LineFramer in;
  std::string out;
  std::size_t sent = 0;  // bytes of `out` already sent
  bool watching = false;
  bool read_done = false;  // the client shut its side (EOF): answer, then close
  bool closing = false;    // close once `out` is flushed
  std::uint32_t interest = 0;  // the epoll events asked for now
  bool held = false;           // in Server's list of requests for a later turn
  std::uint64_t turn = 0;      // the loop turn `answered` counts in
  int answered = 0;            // requests answered in that turn
  bool dead = false;     // closed; freed by Server::reap(), never before
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
// epoll keys of client fds carry this tag.
inline constexpr std::uint64_t kClientTag = 1ULL << 32;

class Server {
 public:
  // Called with each request that parsed as a JSON object.
  using Handler = std::function<void(Connection&, const Json& request)>;
  // Called once per new client, with its credentials filled in; false
  // refuses it (the connection is closed).
  using AcceptHook = std::function<bool(Connection&)>;

  // Fails when a daemon answers on path already (checked again by open();
  // a daemon calls it before it touches anything else).
  static Status check_free(const std::string& path);
  // Binds and listens on path (mode 0660, owner root, group gid), after
  // removing a stale socket; fails if another daemon answers there.
  static Result<std::unique_ptr<Server>> open(const std::string& path, gid_t group, Epoll& ep,
                                              std::uint64_t listen_key, Handler handler,
                                              AcceptHook on_accept);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // epoll readiness on the listening socket or on a client (key has
  // kClientTag).
  void on_listen_ready();
  void on_client_ready(std::uint64_t key, std::uint32_t events);

  // Queues one line (a newline is added) and writes what it can now.
  void send(Connection& c, std::string_view line);
  // The same, taking the text over when nothing else waits (a reply of
  // megabytes is not copied).
  void send(Connection& c, std::string&& line);
  // {"ok": false, "error": msg}.
  void send_error(Connection& c, std::string_view msg);
  // Queues a JSON reply.
  void send(Connection& c, const Json& reply);
  // A line to every watching connection for which want() is true.
  void broadcast(std::string_view line,
                 const std::function<bool(const Connection&)>& want);
  // Answers requests held back (kRequestsPerTurn, kReplyBacklog); once
  // per loop turn, at its end.
  void service();
  // Frees the connections closed since the last call. Connections are
  // never freed while a request is being handled: a handler that
  // broadcasts may close the very connection it serves.
  void reap();
  // Accepting again after running out of file descriptors (timer).
  void resume();
  // True when requests wait for a later turn: the loop should not sleep.
  bool busy() const { return !held_.empty(); }
  std::size_t client_count() const { return clients_.size() - dead_.size(); }
  bool has_watchers() const;
  // Clients dropped because they left too much output unread.
  std::uint64_t slow_drops() const { return slow_drops_; }
  const std::string& path() const { return path_; }

 private:
  Server(std::string path, Epoll& ep, std::uint64_t listen_key, Handler handler,
         AcceptHook on_accept);
  void flush(Connection& c);
  void close(int fd);
  void handle_lines(Connection& c);
  // Reads what the socket has, up to the framer's bound; true at EOF.
  bool read_input(Connection& c);
  // Asks epoll for what c can use now: input while it may send requests,
  // output while replies wait.
  void update_interest(Connection& c);
  // Closes c when it has nothing left to say or hear.
  void close_if_done(Connection& c);
  // Puts c on the list of clients whose requests wait for the next turn.
  void hold(Connection& c);

  std::string path_;
  UniqueFd listen_;
  Epoll& ep_;
  Handler handler_;
  AcceptHook on_accept_;
  std::map<int, std::unique_ptr<Connection>> clients_;
  std::vector<int> dead_;
  std::vector<int> held_;  // clients with requests left for a later turn
  std::uint64_t turn_ = 1;  // loop turns, counted by service()
  std::uint64_t listen_key_;
  bool paused_ = false;
  std::uint64_t slow_drops_ = 0;
};

// A gid from a group name or number (--socket-group); "" is root's.
Result<gid_t> resolve_group(const std::string& group);

}  // namespace nsgroup
