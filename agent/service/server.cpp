// The control socket: accept, line framing, replies, watch streams.
#include "service/server.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "host/peer_proof.h"
#include "json/reply_json.h"
#include "util/log.h"
#include "util/socket.h"
#include "util/text.h"

namespace nsgroup {

namespace {

Status make_parent_dir(const std::string& path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0)
    return {};
  std::string dir = path.substr(0, slash);
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0)
    return {};
  if (auto up = make_parent_dir(dir); !up)
    return up;
  if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST)
    return errno_failure("cannot create " + dir);
  return {};
}

// The connecting process proven by host/peer_proof.h (kernels without
// SO_PEERPIDFD), or why not.
Result<UniqueFd> pin_peer(int fd, pid_t pid, std::uint64_t accepted) {
  auto peer = unix_peer_inode(fd);
  if (!peer)
    return peer.error();
  PeerProcesses procs;
  return prove_peer(procs, pid, *peer, accepted);
}

}  // namespace

Result<gid_t> resolve_group(const std::string& g) {
  if (g.empty())
    return gid_t{0};
  if (auto n = parse_u64(g))
    return *n <= UINT32_MAX ? Result<gid_t>(static_cast<gid_t>(*n))
                            : Result<gid_t>(failure("gid " + g + " is out of range"));
  group* gr = ::getgrnam(g.c_str());
  if (!gr)
    return failure("unknown group '" + g + "' for --socket-group");
  return gr->gr_gid;
}

Server::Server(std::string path, EventLoop& loop, Handler handler, AcceptHook on_accept)
    : path_(std::move(path)), handler_(std::move(handler)), on_accept_(std::move(on_accept)),
      core_(loop, *this,
            StreamLimits{.name = "control-socket",
                         .max_clients = kMaxClients,
                         .max_clients_per_uid = kMaxClientsPerUid,
                         .accepts_per_turn = 0,
                         .max_input = kMaxRequestBytes,
                         .max_unsent = kMaxPendingOutput,
                         .input_backlog = kReplyBacklog,
                         .lifetime_ms = 0,
                         .peer_credentials = true}) {}

Status Server::check_free(const std::string& path) {
  // A socket file nobody answers on is a leftover of a killed daemon.
  if (auto other = connect_unix(path); other)
    return failure("another nsgroup daemon is already serving " + path);
  else if (!nobody_listens(other.error().err))
    return other.error();
  return {};
}

Result<std::unique_ptr<Server>> Server::open(const std::string& path, gid_t group,
                                             EventLoop& loop, Handler handler,
                                             AcceptHook on_accept) {
  auto addr = unix_address(path);
  if (!addr)
    return addr.error();
  if (auto made = make_parent_dir(path); !made)
    return made.error();
  if (auto free = check_free(path); !free)
    return free.error();
  ::unlink(path.c_str());

  std::unique_ptr<Server> s(new Server(path, loop, std::move(handler), std::move(on_accept)));
  UniqueFd listening(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!listening)
    return errno_failure("socket");
  // Created 0660 from the start: no window in which others may connect.
  mode_t old = ::umask(0117);
  int rc = ::bind(listening.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr);
  Failure bind_failure = errno_failure("cannot bind " + path);
  ::umask(old);
  if (rc != 0)
    return bind_failure;  // not ours to unlink
  s->bound_ = true;
  if (::chown(path.c_str(), 0, group) != 0 || ::chmod(path.c_str(), 0660) != 0)
    return errno_failure("cannot set owner/mode of " + path);
  if (::listen(listening.get(), 64) != 0)
    return errno_failure("listen");
  if (auto added = s->core_.listen(std::move(listening)); !added)
    return added.error();
  return s;
}

Server::~Server() {
  if (bound_)
    ::unlink(path_.c_str());
}

bool Server::admit(StreamConn& sc) {
  auto& c = static_cast<Connection&>(sc);
  std::uint64_t accepted = boot_ticks_now();
  c.who.pid = c.peer_pid;
  c.who.uid = c.peer_uid;
  int fd = c.fd.get();
  int pidfd = -1;
  socklen_t len = sizeof pidfd;
  constexpr int kSoPeerPidfd = 77;  // not in Debian 12's headers
  int err = ::getsockopt(fd, SOL_SOCKET, kSoPeerPidfd, &pidfd, &len) == 0 ? 0 : errno;
  switch (classify_peer_pidfd(err, pidfd)) {
  case PeerPidfd::Held: c.peer_pidfd.reset(pidfd); break;
  case PeerPidfd::Unsupported:
    // Before Linux 6.5: prove who the pid is instead (served either way,
    // but admin only when proven: identify()).
    if (auto pinned = pin_peer(fd, c.peer_pid, accepted))
      c.peer_pidfd = std::move(*pinned);
    else
      c.unpinned = pinned.error().message();
    break;
  case PeerPidfd::Failed:
    // Fail closed: without the peer pinned, its identity is a guess.
    log_warn("refused a control-socket client (pid " + std::to_string(c.peer_pid) +
             "): SO_PEERPIDFD failed: " + std::strerror(err != 0 ? err : EBADF));
    return false;
  }
  return !on_accept_ || on_accept_(c);
}

void Server::on_refused(const StreamConn& c, std::string_view why) {
  if (why == "no SO_PEERCRED")
    log_warn("a client without SO_PEERCRED was refused");
  else
    log_warn("refused a control-socket client (uid " + std::to_string(c.peer_uid) +
             "): " + std::string(why));
}

void Server::dropped_slow(const StreamConn& sc) {
  const auto& c = static_cast<const Connection&>(sc);
  log_warn("dropping a control-socket client (pid " + std::to_string(c.who.pid) +
           ") that does not read its " + (c.watching ? "event stream" : "replies"));
}

void Server::on_input(StreamConn& sc) {
  auto& c = static_cast<Connection&>(sc);
  handle_lines(c);
  if (c.dead)
    return;
  if (c.in.overflowed()) {
    c.in = LineFramer();
    send_error(c, "request longer than " + std::to_string(kMaxRequestBytes) + " bytes");
    c.closing = true;
  }
}

void Server::on_drained(StreamConn& sc) {
  // Requests held while replies were unread go on now.
  if (sc.in.has_line())
    hold(static_cast<Connection&>(sc));
}

bool Server::finished(const StreamConn& sc) const {
  // A watcher that shut its side still reads its stream; others are done
  // once every request that came is answered.
  const auto& c = static_cast<const Connection&>(sc);
  return !c.watching && !c.in.has_line();
}

void Server::handle_lines(Connection& c) {
  if (c.turn != turn_) {
    c.turn = turn_;
    c.answered = 0;
  }
  while (!c.closing && !c.dead) {
    bool spent = c.answered >= kRequestsPerTurn;
    if (spent || c.unsent() > kReplyBacklog) {
      // Held: the next turn (or the client's reading) resumes it.
      if (spent && c.in.has_line())
        hold(c);
      return;
    }
    auto line = c.in.next();
    if (!line)
      break;
    ++c.answered;
    try {
      handler_(c, *line);
    } catch (const std::exception& e) {
      // A bug in a handler costs that request, not the daemon.
      send_error(c, std::string("internal error: ") + e.what());
    }
  }
}

void Server::service() {
  std::vector<int> held;
  held.swap(held_);
  for (int fd : held) {
    auto* c = static_cast<Connection*>(core_.find(fd));
    if (!c)
      continue;
    c->held = false;
    handle_lines(*c);
    core_.settle(*c);
  }
  ++turn_;
}

void Server::hold(Connection& c) {
  if (!c.held) {
    c.held = true;
    held_.push_back(c.fd.get());
  }
}

void Server::send(Connection& c, std::string_view line) { core_.send(c, line, true); }

void Server::send(Connection& c, std::string&& line) { core_.send(c, std::move(line), true); }

void Server::send_error(Connection& c, std::string_view msg) { send(c, error_line(msg)); }

bool Server::has_watchers() const {
  bool any = false;
  core_.for_each([&](const StreamConn& c) {
    any = any || static_cast<const Connection&>(c).watching;
  });
  return any;
}

std::vector<Connection*> Server::watchers() {
  std::vector<Connection*> out;
  core_.for_each([&](StreamConn& sc) {
    auto& c = static_cast<Connection&>(sc);
    if (c.watching)
      out.push_back(&c);
  });
  return out;
}

void Server::broadcast(std::string_view line,
                       const std::function<bool(const Connection&)>& want) {
  for (Connection* c : watchers())
    if (want(*c))
      send(*c, line);  // closed ones stay until reap()
}

}  // namespace nsgroup
