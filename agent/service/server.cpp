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

Server::Server(std::string path, Epoll& ep, std::uint64_t listen_key, Handler handler,
               AcceptHook on_accept)
    : path_(std::move(path)), ep_(ep), handler_(std::move(handler)),
      on_accept_(std::move(on_accept)), listen_key_(listen_key) {}

Status Server::check_free(const std::string& path) {
  // A socket file nobody answers on is a leftover of a killed daemon.
  if (auto other = connect_unix(path); other)
    return failure("another nsgroup daemon is already serving " + path);
  else if (!nobody_listens(other.error().err))
    return other.error();
  return {};
}

Result<std::unique_ptr<Server>> Server::open(const std::string& path, gid_t group, Epoll& ep,
                                             std::uint64_t listen_key, Handler handler,
                                             AcceptHook on_accept) {
  auto addr = unix_address(path);
  if (!addr)
    return addr.error();
  if (auto made = make_parent_dir(path); !made)
    return made.error();
  if (auto free = check_free(path); !free)
    return free.error();
  ::unlink(path.c_str());

  std::unique_ptr<Server> s(
      new Server(path, ep, listen_key, std::move(handler), std::move(on_accept)));
  s->listen_.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!s->listen_)
    return errno_failure("socket");
  // Created 0660 from the start: no window in which others may connect.
  mode_t old = ::umask(0117);
  int rc = ::bind(s->listen_.get(), reinterpret_cast<const sockaddr*>(&*addr), sizeof *addr);
  Failure bind_failure = errno_failure("cannot bind " + path);
  ::umask(old);
  if (rc != 0) {
    s->listen_.reset();  // not ours to unlink
    return bind_failure;
  }
  if (::chown(path.c_str(), 0, group) != 0 || ::chmod(path.c_str(), 0660) != 0)
    return errno_failure("cannot set owner/mode of " + path);
  if (::listen(s->listen_.get(), 64) != 0)
    return errno_failure("listen");
  if (auto added = ep.add(s->listen_.get(), EPOLLIN, listen_key); !added)
    return added.error();
  return s;
}

Server::~Server() {
  for (auto& [fd, c] : clients_)
    if (!c->dead)
      ep_.remove(fd);
  clients_.clear();
  if (listen_) {
    ep_.remove(listen_.get());
    ::unlink(path_.c_str());
  }
}

void Server::on_listen_ready() {
  reap();
  for (;;) {
    int fd = ::accept4(listen_.get(), nullptr, nullptr,
                       SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EMFILE || errno == ENFILE) {
        // Level-triggered: stop listening until the timer says so, rather
        // than spin on a socket we cannot accept from.
        log_warn("out of file descriptors: not accepting clients for a second");
        (void)ep_.modify(listen_.get(), 0, listen_key_);
        paused_ = true;
      } else if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
        log_warn(std::string("accept: ") + std::strerror(errno));
      }
      return;
    }
    std::uint64_t accepted = boot_ticks_now();
    auto c = std::make_unique<Connection>();
    c->fd.reset(fd);
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
      log_warn("a client without SO_PEERCRED was refused");
      continue;
    }
    c->who.pid = cred.pid;
    c->who.uid = cred.uid;
    int pidfd = -1;
    len = sizeof pidfd;
    constexpr int kSoPeerPidfd = 77;  // not in Debian 12's headers
    int err = ::getsockopt(fd, SOL_SOCKET, kSoPeerPidfd, &pidfd, &len) == 0 ? 0 : errno;
    switch (classify_peer_pidfd(err, pidfd)) {
    case PeerPidfd::Held: c->peer_pidfd.reset(pidfd); break;
    case PeerPidfd::Unsupported:
      // Before Linux 6.5: prove who the pid is instead (served either way,
      // but admin only when proven: identify()).
      if (auto pinned = pin_peer(fd, cred.pid, accepted))
        c->peer_pidfd = std::move(*pinned);
      else
        c->unpinned = pinned.error().message();
      break;
    case PeerPidfd::Failed:
      // Fail closed: without the peer pinned, its identity is a guess.
      log_warn("refused a control-socket client (pid " + std::to_string(cred.pid) +
               "): SO_PEERPIDFD failed: " + std::strerror(err != 0 ? err : EBADF));
      continue;
    }
    std::size_t same_uid = 0;
    for (const auto& [cfd, other] : clients_)
      same_uid += !other->dead && other->who.uid == cred.uid;
    if (client_count() >= kMaxClients ||
        (cred.uid != 0 && same_uid >= kMaxClientsPerUid)) {
      log_warn("refused a control-socket client (uid " + std::to_string(cred.uid) +
               "): too many connections");
      continue;
    }
    if (on_accept_ && !on_accept_(*c))
      continue;  // refused: the fd closes with c
    c->interest = EPOLLIN | EPOLLRDHUP;
    if (auto added = ep_.add(fd, c->interest, kClientTag | static_cast<std::uint32_t>(fd));
        !added) {
      log_warn("refused a control-socket client: " + added.error().message());
      continue;
    }
    clients_.emplace(fd, std::move(c));
  }
}

void Server::resume() {
  if (!paused_)
    return;
  paused_ = false;
  (void)ep_.modify(listen_.get(), EPOLLIN, listen_key_);
}

void Server::close(int fd) {
  auto it = clients_.find(fd);
  if (it == clients_.end() || it->second->dead)
    return;
  ep_.remove(fd);
  it->second->dead = true;
  dead_.push_back(fd);
}

void Server::reap() {
  for (int fd : dead_)
    clients_.erase(fd);
  dead_.clear();
}

void Server::on_client_ready(std::uint64_t key, std::uint32_t events) {
  reap();
  int fd = static_cast<int>(key & 0xffffffffU);
  auto it = clients_.find(fd);
  if (it == clients_.end() || it->second->dead)
    return;
  Connection& c = *it->second;
  if (events & (EPOLLHUP | EPOLLERR)) {
    // Both directions gone: nothing can reach the client any more.
    close(fd);
    return;
  }
  if (events & EPOLLOUT) {
    flush(c);
    if (c.dead)
      return;
  }
  if ((events & (EPOLLIN | EPOLLRDHUP)) && !c.read_done && read_input(c))
    c.read_done = true;  // half-closed: what came is still answered
  handle_lines(c);
  if (c.dead)
    return;
  if (c.in.overflowed()) {
    c.in = LineFramer();
    send_error(c, "request longer than " + std::to_string(kMaxRequestBytes) + " bytes");
    c.closing = true;
  }
  close_if_done(c);
  if (!c.dead)
    update_interest(c);
}

bool Server::read_input(Connection& c) {
  char buf[65536];
  for (;;) {
    // Past the bound, the rest stays in the socket until lines are taken.
    if (c.in.pending() > kMaxRequestBytes)
      return false;
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n > 0) {
      if (!c.closing)
        c.in.feed(std::string_view(buf, static_cast<std::size_t>(n)));
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    return !(n < 0 && errno == EAGAIN);  // EOF, or an error: no more input
  }
}

void Server::handle_lines(Connection& c) {
  if (c.turn != turn_) {
    c.turn = turn_;
    c.answered = 0;
  }
  while (!c.closing && !c.dead) {
    bool spent = c.answered >= kRequestsPerTurn;
    if (spent || c.out.size() - c.sent > kReplyBacklog) {
      // Held: the next turn (or the client's reading) resumes it.
      if (spent && c.in.has_line())
        hold(c);
      return;
    }
    auto line = c.in.next();
    if (!line)
      break;
    ++c.answered;
    auto req = parse_request(*line);
    if (!req) {
      send_error(c, req.error().message());
      continue;
    }
    try {
      handler_(c, *req);
    } catch (const std::exception& e) {
      // A bug in a handler costs that request, not the daemon.
      send_error(c, std::string("internal error: ") + e.what());
    }
  }
}

void Server::service() {
  reap();
  std::vector<int> held;
  held.swap(held_);
  for (int fd : held) {
    auto it = clients_.find(fd);
    if (it == clients_.end() || it->second->dead)
      continue;
    Connection& c = *it->second;
    c.held = false;
    handle_lines(c);
    if (c.dead)
      continue;
    close_if_done(c);
    if (!c.dead)
      update_interest(c);
  }
  ++turn_;
}

void Server::hold(Connection& c) {
  if (!c.held) {
    c.held = true;
    held_.push_back(c.fd.get());
  }
}

void Server::close_if_done(Connection& c) {
  bool unsent = c.sent < c.out.size();
  if (unsent || c.dead)
    return;
  // A watcher that shut its side still reads its stream; others are done
  // once every request that came is answered.
  if (c.closing || (c.read_done && !c.watching && !c.in.has_line()))
    close(c.fd.get());
}

void Server::update_interest(Connection& c) {
  std::uint32_t want = 0;
  bool backlogged = c.out.size() - c.sent > kReplyBacklog;
  if (!c.read_done && !c.closing && !backlogged && c.in.pending() <= kMaxRequestBytes)
    want |= EPOLLIN | EPOLLRDHUP;
  if (c.sent < c.out.size())
    want |= EPOLLOUT;
  if (want == c.interest)
    return;
  c.interest = want;
  (void)ep_.modify(c.fd.get(), want, kClientTag | static_cast<std::uint32_t>(c.fd.get()));
}

void Server::send(Connection& c, std::string_view line) {
  if (c.dead)
    return;
  std::size_t unsent = c.out.size() - c.sent;
  if (unsent != 0 && unsent + line.size() > kMaxPendingOutput) {
    log_warn("dropping a control-socket client (pid " +
             std::to_string(c.who.pid) + ") that does not read its " +
             (c.watching ? "event stream" : "replies"));
    ++slow_drops_;
    close(c.fd.get());
    return;
  }
  c.out.append(line);
  c.out.push_back('\n');
  flush(c);
}

void Server::send(Connection& c, std::string&& line) {
  if (c.dead || !c.out.empty()) {
    send(c, std::string_view(line));
    return;
  }
  c.out = std::move(line);
  c.out.push_back('\n');
  c.sent = 0;
  flush(c);
}

void Server::send_error(Connection& c, std::string_view msg) { send(c, error_reply(msg)); }

void Server::send(Connection& c, const Json& reply) { send(c, std::string_view(dump_line(reply))); }

void Server::flush(Connection& c) {
  if (c.dead)
    return;
  int fd = c.fd.get();
  while (c.sent < c.out.size()) {
    ssize_t n = ::send(fd, c.out.data() + c.sent, c.out.size() - c.sent, MSG_NOSIGNAL);
    if (n > 0) {
      // An offset, not an erase per send: a reply of megabytes goes out
      // in linear time.
      c.sent += static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && errno == EAGAIN) {
      // A stream never fully drained keeps only what is unsent.
      if (c.sent > (1U << 20) && c.sent * 2 > c.out.size()) {
        c.out.erase(0, c.sent);
        c.sent = 0;
      }
      update_interest(c);
      return;
    }
    close(fd);  // EPIPE, ECONNRESET: the client went away
    return;
  }
  c.out.clear();
  c.sent = 0;
  // Requests held while replies were unread go on now.
  if (c.in.has_line())
    hold(c);
  close_if_done(c);
  if (!c.dead)
    update_interest(c);
}

bool Server::has_watchers() const {
  for (const auto& [fd, c] : clients_)
    if (!c->dead && c->watching)
      return true;
  return false;
}

void Server::broadcast(std::string_view line,
                       const std::function<bool(const Connection&)>& want) {
  std::vector<int> targets;
  for (auto& [fd, c] : clients_)
    if (!c->dead && c->watching && want(*c))
      targets.push_back(fd);
  for (int fd : targets)
    send(*clients_.at(fd), line);  // closed ones stay until reap()
}

}  // namespace nsgroup
