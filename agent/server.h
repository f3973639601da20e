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

#include "event_json.h"
#include "fd.h"
#include "loop.h"

namespace nsgroup {

struct PeerCred {
  pid_t pid = 0;
  uid_t uid = 0;
  gid_t gid = 0;
};

// One client. Data only; the server owns and drives it.
struct Connection {
  UniqueFd fd;
  PeerCred peer;
  UniqueFd peer_pidfd;  // SO_PEERPIDFD (Linux 6.5+): the connecting process
  std::string in;
  std::string out;
  bool watching = false;
  std::uint64_t scope = 0;  // the container whose subtree it may see
  bool admin = false;       // CAP_SYS_ADMIN in the initial user namespace
  bool closing = false;     // close once `out` is flushed
  bool dead = false;        // closed; freed by Server::reap(), never before
};

// Longest request line accepted; longer ones get an error and a close.
inline constexpr std::size_t kMaxRequestBytes = 1 << 20;
// Output a client may leave unread before it is dropped.
inline constexpr std::size_t kMaxPendingOutput = 16 << 20;
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

  // Binds and listens on path (mode 0660, owner root, group gid), after
  // removing a stale socket; throws Error if another daemon answers there.
  Server(const std::string& path, gid_t group, Epoll& ep, std::uint64_t listen_key,
         Handler handler, AcceptHook on_accept);
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;
  ~Server();

  // epoll readiness on the listening socket or on a client (key has
  // kClientTag).
  void on_listen_ready();
  void on_client_ready(std::uint64_t key, std::uint32_t events);

  // Queues one line (a newline is added) and writes what it can now.
  void send(Connection& c, std::string_view line);
  // {"ok": false, "error": msg}.
  void send_error(Connection& c, std::string_view msg);
  // A line to every watching connection for which want() is true.
  void broadcast(std::string_view line,
                 const std::function<bool(const Connection&)>& want);
  // Frees the connections closed since the last call. Connections are
  // never freed while a request is being handled: a handler that
  // broadcasts may close the very connection it serves.
  void reap();
  // Accepting again after running out of file descriptors (timer).
  void resume();
  std::size_t client_count() const { return clients_.size() - dead_.size(); }
  bool has_watchers() const;
  const std::string& path() const { return path_; }

 private:
  void flush(Connection& c);
  void close(int fd);
  void handle_lines(Connection& c);

  std::string path_;
  UniqueFd listen_;
  Epoll& ep_;
  Handler handler_;
  AcceptHook on_accept_;
  std::map<int, std::unique_ptr<Connection>> clients_;
  std::vector<int> dead_;
  std::uint64_t listen_key_;
  bool paused_ = false;
};

// Connects to a daemon's socket. Throws Error; `no_daemon` is set when
// nothing listens there (ENOENT, ECONNREFUSED) rather than, say, EACCES.
UniqueFd connect_socket(const std::string& path, bool* no_daemon);

}  // namespace nsgroup
